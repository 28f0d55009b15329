//! The scenario file (`faascost.toml`): what the trace cannot say — which deployment options
//! to compare, region, free tier, front door, logs, latency SLO, commitments, ops effort,
//! growth and horizon. Raw serde structs (`deny_unknown_fields`) become a checked `Scenario`
//! with every default it applied listed as an assumption. The default scenario is
//! `datasets/default/faascost.toml`, embedded in the binary.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Schema versions this build reads.
pub const SCENARIO_SCHEMA_VERSIONS: std::ops::RangeInclusive<u32> = 1..=1;

/// The scenario embedded in the binary: the bundled default dataset's.
pub const DEFAULT_SCENARIO: &str = include_str!("../datasets/default/faascost.toml");

/// Where the embedded default scenario says it lives (its relative trace paths start here).
pub const DEFAULT_SCENARIO_DIR: &str = "datasets/default";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    schema_version: u32,
    seed: Option<u64>,
    traces: Option<Vec<String>>,
    region: Option<String>,
    azure_region: Option<String>,
    gcp_region: Option<String>,
    free_tier: Option<bool>,
    front_door: Option<String>,
    log_bytes_per_invocation: Option<u64>,
    latency_slo_ms: Option<f64>,
    horizon_months: Option<u32>,
    growth_per_month: Option<f64>,
    cpu_bound_fraction: Option<f64>,
    fallback_duration_ms: Option<f64>,
    ops: Option<RawOps>,
    #[serde(default)]
    serverless: Vec<RawServerless>,
    #[serde(default)]
    provisioned: Vec<RawProvisioned>,
    #[serde(default)]
    hybrid: Vec<RawHybrid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOps {
    hours_per_server_per_month: f64,
    loaded_rate_usd_per_hour: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServerless {
    id: String,
    platform: String,
    memory_mb: Option<u32>,
    arch: Option<String>,
    keep_alive: Option<String>,
    provisioned_concurrency: Option<toml::Value>,
    ephemeral_storage_mb: Option<u32>,
    concurrency_per_instance: Option<u32>,
    concurrency_limit: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvisioned {
    id: String,
    platform: String,
    instance_type: String,
    strategy: Option<String>,
    target_utilization: Option<f64>,
    min_instances: Option<u32>,
    max_instances: Option<u32>,
    spare_instances: Option<u32>,
    boot_delay_s: Option<u64>,
    scale_in_cooldown_s: Option<u64>,
    commitment: Option<String>,
    slots_per_vcpu: Option<f64>,
    load_balancer: Option<String>,
    control_plane: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHybrid {
    id: String,
    provisioned: String,
    serverless: String,
}

/// Ops labour: hours per server per month × loaded hourly rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ops {
    /// Hours of operations work per server per month.
    pub hours_per_server_per_month: f64,
    /// Loaded cost of one hour, USD.
    pub loaded_rate_usd_per_hour: f64,
}

/// A serverless option.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerlessOption {
    /// Option id.
    pub id: String,
    /// Price-table id of the platform, e.g. `aws-lambda`.
    pub platform: String,
    /// Memory size in MB (`None`: the trace's, or the platform default).
    pub memory_mb: Option<u32>,
    /// `x86` or `arm64`.
    pub arch: String,
    /// Keep-alive policy text (`provider`, `10m`, `hybrid`, `none`).
    pub keep_alive: String,
    /// Provisioned concurrency (`0`, `10`, or a schedule such as `08:00-20:00=10,else=2`).
    pub provisioned_concurrency: String,
    /// Ephemeral storage in MB.
    pub ephemeral_storage_mb: u32,
    /// Concurrent requests per instance (`None`: the platform default).
    pub concurrency_per_instance: Option<u32>,
    /// Account concurrency limit (`None`: the platform default).
    pub concurrency_limit: Option<u32>,
}

/// How a provisioned fleet is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Fixed fleet for the peak.
    StaticPeak,
    /// Target-tracking autoscaling.
    Autoscale,
}

/// A provisioned (server or container) option.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisionedOption {
    /// Option id.
    pub id: String,
    /// Price-table id, e.g. `aws-ec2`, `aws-fargate`.
    pub platform: String,
    /// Instance type as in that table.
    pub instance_type: String,
    /// Sizing strategy.
    pub strategy: Strategy,
    /// Target utilization (0–1).
    pub target_utilization: f64,
    /// Fewest instances.
    pub min_instances: u32,
    /// Most instances (autoscale).
    pub max_instances: u32,
    /// Spare instances on top of the peak need (static-peak).
    pub spare_instances: u32,
    /// Launch-to-serving delay in ms.
    pub boot_delay_ms: u64,
    /// Scale-in cooldown in ms.
    pub scale_in_cooldown_ms: u64,
    /// Commitment term name in the price table (`on-demand` for none).
    pub commitment: String,
    /// Concurrent requests per vCPU (`None`: 1 / CPU-bound fraction).
    pub slots_per_vcpu: Option<f64>,
    /// Load balancer price-table id (`aws-alb`) or `none`.
    pub load_balancer: String,
    /// Control-plane price-table id (`aws-eks`) or `none`.
    pub control_plane: String,
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
    /// Apply providers' free tiers.
    pub free_tier: bool,
    /// Front door for serverless options: `rest-api`, `http-api`, `function-url`, `alb`, `none`.
    pub front_door: String,
    /// Log bytes written per invocation.
    pub log_bytes_per_invocation: u64,
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

/// A scenario error: file, what is wrong, what to do.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}; {hint}")]
pub struct ScenarioError {
    /// Scenario file.
    pub path: String,
    /// What is wrong (with the TOML line where known).
    pub problem: String,
    /// What to do.
    pub hint: String,
}

/// Takes `value`, or `default` — recorded as `key = default` in `used` so the report can list it.
fn or_default<T: std::fmt::Display>(value: Option<T>, default: T, key: &str, used: &mut Vec<String>) -> T {
    match value {
        Some(v) => v,
        None => {
            used.push(format!("{key} = {default}"));
            default
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

impl Scenario {
    /// Reads a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
            path: path.display().to_string(),
            problem: format!("cannot read the scenario: {e}"),
            hint: "give the path of a faascost.toml".into(),
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Scenario::parse(&path.display().to_string(), &text, &dir)
    }

    /// The embedded default scenario.
    pub fn default_scenario() -> Scenario {
        Scenario::parse(
            "embedded:faascost.toml",
            DEFAULT_SCENARIO,
            Path::new(DEFAULT_SCENARIO_DIR),
        )
        .expect("the embedded default scenario is valid (tested)")
    }

    /// Parses scenario text; `dir` resolves relative trace paths.
    pub fn parse(path: &str, text: &str, dir: &Path) -> Result<Scenario, ScenarioError> {
        let err = |problem: String, hint: &str| ScenarioError {
            path: path.to_string(),
            problem,
            hint: hint.to_string(),
        };
        let raw: RawScenario = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            err(
                format!("line {line}: {}", e.message().trim()),
                "see faascost.toml in the repository for every key with its unit",
            )
        })?;
        if !SCENARIO_SCHEMA_VERSIONS.contains(&raw.schema_version) {
            return Err(err(
                format!("schema_version {} is not supported", raw.schema_version),
                &format!(
                    "this faascost reads schema_version {}..={}",
                    SCENARIO_SCHEMA_VERSIONS.start(),
                    SCENARIO_SCHEMA_VERSIONS.end()
                ),
            ));
        }
        let mut assumptions = Vec::new();
        let mut default = |what: &str, value: String| {
            assumptions.push(format!("{what}: {value} (default; set it in the scenario file)"));
            value
        };
        let seed = match raw.seed {
            Some(s) => s,
            None => default("seed", "1".into()).parse().unwrap_or(1),
        };
        let region = match raw.region {
            Some(r) => r,
            None => default("region", "us-east-1".into()),
        };
        let azure_region = match raw.azure_region {
            Some(r) => r,
            None => default("Azure region", "eastus".into()),
        };
        let gcp_region = match raw.gcp_region {
            Some(r) => r,
            None => default("Google Cloud region", "us-central1".into()),
        };
        let free_tier = match raw.free_tier {
            Some(f) => f,
            None => default("free tier", "off".into()) == "on",
        };
        let front_door = match raw.front_door {
            Some(f) => f,
            None => default("serverless front door", "function-url".into()),
        };
        if !["rest-api", "http-api", "function-url", "alb", "none"].contains(&front_door.as_str()) {
            return Err(err(
                format!("front_door '{front_door}' is unknown"),
                "use rest-api, http-api, function-url, alb or none",
            ));
        }
        let log_bytes_per_invocation = match raw.log_bytes_per_invocation {
            Some(b) => b,
            None => default("log bytes per invocation", "0".into()).parse().unwrap_or(0),
        };
        let latency_slo_ms = match raw.latency_slo_ms {
            Some(s) if s > 0.0 && s.is_finite() => s,
            Some(s) => {
                return Err(err(
                    format!("latency_slo_ms {s} must be > 0"),
                    "give the p99 target in ms",
                ))
            }
            None => default("p99 added-latency SLO (ms)", "1000".into())
                .parse()
                .unwrap_or(1000.0),
        };
        let horizon_months = match raw.horizon_months {
            Some(h) if (1..=120).contains(&h) => h,
            Some(h) => {
                return Err(err(
                    format!("horizon_months {h} is out of range"),
                    "use 1 to 120 months",
                ))
            }
            None => default("TCO horizon (months)", "36".into()).parse().unwrap_or(36),
        };
        let growth_per_month = match raw.growth_per_month {
            Some(g) if (-0.5..=1.0).contains(&g) => g,
            Some(g) => {
                return Err(err(
                    format!("growth_per_month {g} is out of range"),
                    "a monthly growth rate between -0.5 and 1.0 (0.02 = 2 %)",
                ))
            }
            None => default("traffic growth per month", "0".into()).parse().unwrap_or(0.0),
        };
        let cpu_bound_fraction = match raw.cpu_bound_fraction {
            Some(f) if (0.0..=1.0).contains(&f) && f > 0.0 => f,
            Some(f) => {
                return Err(err(
                    format!("cpu_bound_fraction {f} is out of range"),
                    "use a share in (0, 1]",
                ))
            }
            None => default("CPU-bound share of request duration", "0.5".into())
                .parse()
                .unwrap_or(0.5),
        };
        let ops = raw.ops.map(|o| Ops {
            hours_per_server_per_month: o.hours_per_server_per_month,
            loaded_rate_usd_per_hour: o.loaded_rate_usd_per_hour,
        });
        if let Some(o) = ops {
            if o.hours_per_server_per_month < 0.0 || o.loaded_rate_usd_per_hour < 0.0 {
                return Err(err(
                    "ops figures must be ≥ 0".into(),
                    "give hours per server per month and USD per hour",
                ));
            }
        }
        let traces = raw
            .traces
            .unwrap_or_default()
            .into_iter()
            .map(|t| {
                let p = PathBuf::from(&t);
                if p.is_absolute() {
                    p
                } else {
                    dir.join(p)
                }
            })
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        let mut check_id = |id: &str| -> Result<(), ScenarioError> {
            let ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !ok {
                return Err(err(
                    format!("option id '{id}' is not a plain name"),
                    "use letters, digits, - _ .",
                ));
            }
            if !ids.insert(id.to_string()) {
                return Err(err(
                    format!("option id '{id}' is used twice"),
                    "give every option its own id",
                ));
            }
            Ok(())
        };
        let mut serverless = Vec::new();
        let mut option_defaults: Vec<(String, Vec<String>)> = Vec::new();
        for s in raw.serverless {
            check_id(&s.id)?;
            let mut used = Vec::new();
            let arch = or_default(s.arch, "x86".into(), "arch", &mut used);
            if let Some(mb) = s.memory_mb {
                if !(1..=32_768).contains(&mb) {
                    return Err(err(
                        format!("option '{}': memory_mb {mb} is out of range", s.id),
                        "give the function memory in MB (128 to 10,240 on Lambda; up to 32,768 on Cloud Run)",
                    ));
                }
            }
            if !["x86", "arm64"].contains(&arch.as_str()) {
                return Err(err(
                    format!("option '{}': arch '{arch}' is unknown", s.id),
                    "use x86 or arm64",
                ));
            }
            let provisioned_concurrency = match s.provisioned_concurrency {
                None => or_default(None, "0".to_string(), "provisioned_concurrency", &mut used),
                Some(toml::Value::Integer(n)) if n >= 0 => n.to_string(),
                Some(toml::Value::String(t)) => t,
                Some(v) => {
                    return Err(err(
                        format!(
                            "option '{}': provisioned_concurrency {v} is not a count or a schedule",
                            s.id
                        ),
                        "give a whole number or a schedule such as \"08:00-20:00=10,else=2\"",
                    ))
                }
            };
            serverless.push(ServerlessOption {
                id: s.id.clone(),
                platform: s.platform,
                memory_mb: s.memory_mb,
                arch,
                keep_alive: or_default(s.keep_alive, "provider".into(), "keep_alive", &mut used),
                provisioned_concurrency,
                ephemeral_storage_mb: or_default(s.ephemeral_storage_mb, 512, "ephemeral_storage_mb", &mut used),
                concurrency_per_instance: s.concurrency_per_instance,
                concurrency_limit: s.concurrency_limit,
            });
            option_defaults.push((s.id, used));
        }
        let mut provisioned = Vec::new();
        for p in raw.provisioned {
            check_id(&p.id)?;
            let mut used = Vec::new();
            let strategy_name = or_default(p.strategy, "autoscale".to_string(), "strategy", &mut used);
            let strategy = match strategy_name.as_str() {
                "autoscale" => Strategy::Autoscale,
                "static-peak" => Strategy::StaticPeak,
                other => {
                    return Err(err(
                        format!("option '{}': strategy '{other}' is unknown", p.id),
                        "use static-peak or autoscale",
                    ))
                }
            };
            let target_utilization = or_default(p.target_utilization, 0.6, "target_utilization", &mut used);
            if !(0.05..=1.0).contains(&target_utilization) {
                return Err(err(
                    format!(
                        "option '{}': target_utilization {target_utilization} is out of range",
                        p.id
                    ),
                    "use a share between 0.05 and 1",
                ));
            }
            if let Some(slots) = p.slots_per_vcpu {
                if !(slots.is_finite() && slots > 0.0 && slots <= 10_000.0) {
                    return Err(err(
                        format!("option '{}': slots_per_vcpu {slots} is out of range", p.id),
                        "give the concurrent requests one vCPU serves, > 0 (default 1 / cpu_bound_fraction)",
                    ));
                }
            }
            let min_instances = or_default(p.min_instances, 2, "min_instances", &mut used).max(1);
            provisioned.push(ProvisionedOption {
                id: p.id.clone(),
                platform: p.platform,
                instance_type: p.instance_type,
                strategy,
                target_utilization,
                min_instances,
                max_instances: or_default(p.max_instances, 1_000, "max_instances", &mut used).max(min_instances),
                spare_instances: or_default(p.spare_instances, 1, "spare_instances", &mut used),
                boot_delay_ms: or_default(p.boot_delay_s, 180, "boot_delay_s", &mut used).saturating_mul(1_000),
                scale_in_cooldown_ms: or_default(p.scale_in_cooldown_s, 300, "scale_in_cooldown_s", &mut used)
                    .saturating_mul(1_000),
                commitment: or_default(p.commitment, "on-demand".into(), "commitment", &mut used),
                slots_per_vcpu: p.slots_per_vcpu,
                load_balancer: or_default(p.load_balancer, "none".into(), "load_balancer", &mut used),
                control_plane: or_default(p.control_plane, "none".into(), "control_plane", &mut used),
            });
            option_defaults.push((p.id, used));
        }
        let mut hybrid = Vec::new();
        for h in raw.hybrid {
            check_id(&h.id)?;
            if !provisioned.iter().any(|p| p.id == h.provisioned) {
                return Err(err(
                    format!(
                        "hybrid '{}' names provisioned option '{}', which is not defined",
                        h.id, h.provisioned
                    ),
                    "name a [[provisioned]] option's id",
                ));
            }
            if !serverless.iter().any(|s| s.id == h.serverless) {
                return Err(err(
                    format!(
                        "hybrid '{}' names serverless option '{}', which is not defined",
                        h.id, h.serverless
                    ),
                    "name a [[serverless]] option's id",
                ));
            }
            hybrid.push(HybridOption {
                id: h.id,
                provisioned: h.provisioned,
                serverless: h.serverless,
            });
        }
        if serverless.is_empty() && provisioned.is_empty() {
            return Err(err(
                "the scenario names no option to compare".into(),
                "add at least one [[serverless]] or [[provisioned]] option",
            ));
        }
        for (id, used) in option_defaults {
            if !used.is_empty() {
                assumptions.push(format!("option '{id}' defaults: {}", used.join(", ")));
            }
        }
        if let Some(d) = raw.fallback_duration_ms {
            if !(d.is_finite() && d >= 0.0) {
                return Err(err(
                    format!("fallback_duration_ms {d} is not a duration"),
                    "give a duration in ms ≥ 0",
                ));
            }
        }
        if ops.is_none() {
            assumptions.push(
                "ops labour is excluded: the scenario gives no [ops] hours per server per month and hourly rate".into(),
            );
        }
        Ok(Scenario {
            seed,
            traces,
            region,
            azure_region,
            gcp_region,
            free_tier,
            front_door,
            log_bytes_per_invocation,
            latency_slo_ms,
            horizon_months,
            growth_per_month,
            cpu_bound_fraction,
            fallback_duration_ms: raw.fallback_duration_ms,
            ops,
            serverless,
            provisioned,
            hybrid,
            assumptions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_parses() {
        let s = Scenario::default_scenario();
        assert_eq!(s.seed, 42);
        assert_eq!(s.traces, vec![PathBuf::from("datasets/default/.")]);
        assert_eq!(s.serverless.len(), 4);
        assert_eq!(s.provisioned.len(), 4);
        assert_eq!(s.provisioned[1].strategy, Strategy::StaticPeak);
        assert_eq!(s.provisioned[0].boot_delay_ms, 180_000);
        assert_eq!(s.hybrid[0].serverless, "lambda-arm64");
        assert!(s.assumptions.iter().any(|a| a.contains("ops labour is excluded")));
    }

    #[test]
    fn errors_name_the_line_and_what_to_do() {
        let bad = "schema_version = 1\nseeed = 3\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n";
        let e = Scenario::parse("s.toml", bad, Path::new(".")).unwrap_err().to_string();
        assert!(e.starts_with("s.toml: line 2: unknown field `seeed`"), "{e}");
        let e = Scenario::parse("s.toml", "schema_version = 9\n", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("schema_version 9 is not supported") && e.contains("1..=1"),
            "{e}"
        );
        let dup = "schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"p\"\n[[serverless]]\nid = \"a\"\nplatform = \"p\"\n";
        let e = Scenario::parse("s.toml", dup, Path::new(".")).unwrap_err().to_string();
        assert!(e.contains("used twice"), "{e}");
        let hybrid = "schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"p\"\n[[hybrid]]\nid = \"h\"\nprovisioned = \"x\"\nserverless = \"a\"\n";
        let e = Scenario::parse("s.toml", hybrid, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("'x', which is not defined"), "{e}");
    }

    #[test]
    fn defaults_are_listed_as_assumptions() {
        let s = Scenario::parse(
            "s.toml",
            "schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(s.horizon_months, 36);
        assert!(s
            .assumptions
            .iter()
            .any(|a| a.starts_with("TCO horizon (months): 36 (default")));
        assert!(s.assumptions.iter().any(|a| a.starts_with("free tier: off")));
    }
}
