//! The scenario file (`faascost.toml`): what the trace cannot say — which deployment options
//! to compare, region, free tier, front door, logs, latency SLO, commitments, ops effort,
//! growth and horizon. It is parsed into typed values (enums for platform, arch, front door,
//! keep-alive, commitment, strategy) while loading, so a typo fails with the file and line
//! before any trace is read; every default applied is listed as an assumption. The default
//! scenario is `datasets/default/faascost.toml`, embedded in the binary.

mod parse;

use std::fmt;
use std::path::PathBuf;

use crate::cost::{FrontDoor, SnapStart, SnapStartRuntime};
use crate::platform::{InstancePlatform, ServerlessPlatform};
use crate::pricing::InstanceScope;
use crate::sim::keepalive::KeepAliveSpec;
use crate::sim::schedule::ProvisionedSchedule;
use crate::usage::Arch;

pub use parse::ScenarioError;

/// Schema versions this build reads.
pub const SCENARIO_SCHEMA_VERSIONS: std::ops::RangeInclusive<u32> = 1..=1;

/// The scenario embedded in the binary: the bundled default dataset's.
pub const DEFAULT_SCENARIO: &str = include_str!("../../datasets/default/faascost.toml");

/// Where the embedded default scenario says it lives (its relative trace paths start here).
pub const DEFAULT_SCENARIO_DIR: &str = "datasets/default";

/// Ops labour: hours per server per month × loaded hourly rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ops {
    /// Hours of operations work per server per month.
    pub hours_per_server_per_month: f64,
    /// Loaded cost of one hour, USD.
    pub loaded_rate_usd_per_hour: f64,
}

/// The name of an architecture as written in scenario files and reports.
pub fn arch_name(arch: Arch) -> &'static str {
    match arch {
        Arch::X86 => "x86",
        Arch::Arm64 => "arm64",
    }
}

/// The name of a front door as written in scenario files and reports (`none` for no door).
pub fn front_door_name(door: Option<FrontDoor>) -> &'static str {
    match door {
        Some(FrontDoor::RestApi) => "rest-api",
        Some(FrontDoor::HttpApi) => "http-api",
        Some(FrontDoor::FunctionUrl) => "function-url",
        Some(FrontDoor::Alb) => "alb",
        None => "none",
    }
}

/// A serverless option.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerlessOption {
    /// Option id.
    pub id: String,
    /// Line of the scenario file that names it (its `id`), for errors found later.
    pub line: usize,
    /// The platform (its id is its price table's).
    pub platform: ServerlessPlatform,
    /// Memory size in MB (`None`: the trace's, or the platform default).
    pub memory_mb: Option<u32>,
    /// Architecture.
    pub arch: Arch,
    /// Keep-alive policy.
    pub keep_alive: KeepAliveSpec,
    /// Provisioned concurrency (constant or a time-of-day schedule).
    pub provisioned_concurrency: ProvisionedSchedule,
    /// Provisioned concurrency as written (for descriptions).
    pub provisioned_concurrency_text: String,
    /// Ephemeral storage in MB.
    pub ephemeral_storage_mb: u32,
    /// Concurrent requests per instance (`None`: the platform default).
    pub concurrency_per_instance: Option<u32>,
    /// Account concurrency limit (`None`: the platform default).
    pub concurrency_limit: Option<u32>,
    /// Most instances per unit, provisioned ones included (`None`: the platform default, e.g.
    /// App Runner's MaxSize 25; `Some(0)`: no cap).
    pub max_instances: Option<u32>,
    /// Lambda SnapStart with the functions' runtime (`None`: off).
    pub snapstart: Option<SnapStartRuntime>,
    /// Which functions share instances — one service per function, per app or for the whole
    /// workload (`None`: the platform table's `behaviour.instance_scope`).
    pub instance_scope: Option<InstanceScope>,
    /// How its compute is paid for: on demand, or a commitment term of its price table (Lambda's
    /// Compute Savings Plan on duration).
    pub commitment: Commitment,
}

impl ServerlessOption {
    /// The SnapStart the cost engine prices for this option deployed as `services` Lambda
    /// functions (its units: the traced functions, apps, or one for the whole workload): one
    /// published version each, cached at the option's memory.
    pub fn snapstart_for(&self, services: usize) -> Option<SnapStart> {
        self.snapstart.map(|runtime| SnapStart {
            runtime,
            cached_mb: self.memory_mb.unwrap_or(0) as u64 * services as u64,
        })
    }
}

/// How a provisioned fleet is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Fixed fleet for the peak.
    StaticPeak,
    /// Target-tracking autoscaling.
    Autoscale,
}

/// How compute is paid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commitment {
    /// By the second or hour, no commitment.
    OnDemand,
    /// A commitment term of the price table (reserved instance, savings plan), paid every hour of
    /// the month for what was committed (servers and Fargate tasks: the committed ones; Lambda:
    /// the duration its plan was sized to).
    Term(String),
}

impl Commitment {
    /// The term's name, `None` on demand (as `CostOptions::commitment` takes it).
    pub fn term(&self) -> Option<String> {
        match self {
            Commitment::OnDemand => None,
            Commitment::Term(t) => Some(t.clone()),
        }
    }
}

impl fmt::Display for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Commitment::OnDemand => f.write_str("on-demand"),
            Commitment::Term(t) => f.write_str(t),
        }
    }
}

/// A load balancer in front of a fleet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadBalancer {
    /// AWS Application Load Balancer (price table `aws-alb`).
    AwsAlb,
}

impl LoadBalancer {
    /// Its price table's id.
    pub fn table_id(self) -> &'static str {
        match self {
            LoadBalancer::AwsAlb => "aws-alb",
        }
    }
}

/// A container orchestrator's control plane billed per cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlPlane {
    /// Amazon EKS (price table `aws-eks`).
    AwsEks,
}

impl ControlPlane {
    /// Its price table's id.
    pub fn table_id(self) -> &'static str {
        match self {
            ControlPlane::AwsEks => "aws-eks",
        }
    }
}

/// A provisioned (server or container) option.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisionedOption {
    /// Option id.
    pub id: String,
    /// Line of the scenario file that names it (its `id`), for errors found later.
    pub line: usize,
    /// The platform (its id is its price table's).
    pub platform: InstancePlatform,
    /// Instance type as in that table.
    pub instance_type: String,
    /// Sizing strategy.
    pub strategy: Strategy,
    /// Target utilization (0–1).
    pub target_utilization: f64,
    /// Fewest instances.
    pub min_instances: u32,
    /// Most instances, whatever the strategy.
    pub max_instances: u32,
    /// Spare instances on top of the peak need (static-peak).
    pub spare_instances: u32,
    /// Launch-to-serving delay in ms.
    pub boot_delay_ms: u64,
    /// Scale-in cooldown in ms.
    pub scale_in_cooldown_ms: u64,
    /// How instances are paid for.
    pub commitment: Commitment,
    /// Concurrent requests per vCPU (`None`: 1 / CPU-bound fraction).
    pub slots_per_vcpu: Option<f64>,
    /// Load balancer in front of the fleet.
    pub load_balancer: Option<LoadBalancer>,
    /// Control plane billed per cluster.
    pub control_plane: Option<ControlPlane>,
    /// NAT gateways the fleet's private subnets use (0: servers in public subnets, each with a
    /// public IPv4 address on AWS).
    pub nat_gateways: u32,
    /// Bytes each request sends out through the NAT gateways (calls to outside services).
    pub nat_bytes_per_request: u64,
}

/// A hybrid option: a committed server base plus serverless for the excess.
#[derive(Debug, Clone, PartialEq)]
pub struct HybridOption {
    /// Option id.
    pub id: String,
    /// The provisioned option used for the base.
    pub provisioned: String,
    /// The serverless option used for the excess.
    pub serverless: String,
}

/// A checked scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Seed for every random draw.
    pub seed: u64,
    /// Trace paths (relative ones resolved against the scenario file's folder).
    pub traces: Vec<PathBuf>,
    /// AWS region id (must be in the AWS price tables).
    pub region: String,
    /// Azure region id.
    pub azure_region: String,
    /// Google Cloud region id.
    pub gcp_region: String,
    /// Apply providers' permanent free grants.
    pub free_tier: bool,
    /// Apply the 12-month offers to new accounts (API Gateway's 1M calls).
    pub new_account_offers: bool,
    /// Front door for serverless options on AWS (`None`: no separate front door).
    pub front_door: Option<FrontDoor>,
    /// Log bytes written per invocation.
    pub log_bytes_per_invocation: u64,
    /// Bytes of each response sent to the internet (internet egress, ALB processed bytes).
    pub response_bytes: u64,
    /// Target for the p99 of the latency the platform adds to a request (cold-start init,
    /// waiting for a free slot or a server), ms. Execution time is the workload's own and is
    /// not part of it.
    pub latency_slo_ms: f64,
    /// Months of the TCO horizon.
    pub horizon_months: u32,
    /// Traffic growth per month (0.02 = 2 %).
    pub growth_per_month: f64,
    /// Share of a request's duration that is CPU-bound.
    pub cpu_bound_fraction: f64,
    /// Duration for functions the trace gives none, ms.
    pub fallback_duration_ms: Option<f64>,
    /// A unit whose busiest minute holds at least this many invocations takes the simulator's
    /// fluid path (`SimConfig::fluid_from_per_minute`).
    pub fluid_from_per_minute: u64,
    /// Ops labour, when the user gave it.
    pub ops: Option<Ops>,
    /// Serverless options.
    pub serverless: Vec<ServerlessOption>,
    /// Provisioned options.
    pub provisioned: Vec<ProvisionedOption>,
    /// Hybrid options.
    pub hybrid: Vec<HybridOption>,
    /// Every default applied, in words.
    pub assumptions: Vec<String>,
}

impl Scenario {
    /// The region this scenario prices `provider`'s tables in (`None`: the table's first).
    pub fn region_of(&self, provider: &str) -> Option<&str> {
        match provider {
            "aws" => Some(&self.region),
            "azure" => Some(&self.azure_region),
            "gcp" => Some(&self.gcp_region),
            _ => None,
        }
    }

    /// The embedded default scenario.
    pub fn default_scenario() -> Scenario {
        Scenario::parse(
            "embedded:faascost.toml",
            DEFAULT_SCENARIO,
            std::path::Path::new(DEFAULT_SCENARIO_DIR),
        )
        .expect("the embedded default scenario is valid (tested)")
    }
}
