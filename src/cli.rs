//! Command-line interface: clap-derived flags as a plain typed mirror of what the user
//! typed — no file I/O here. `app` turns these into work.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

use crate::trace::TraceFormat;

/// faascost: replay serverless traffic traces through billing-accurate models of
/// serverless platforms and provisioned servers, and compare what each option costs.
#[derive(Debug, Parser)]
#[command(name = "faascost", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Characterize a workload: functions, apps, invocations, rates, triggers, durations,
    /// memory, burstiness and inter-arrival statistics (the figures of "Serverless in the Wild").
    Inspect(InspectArgs),
    /// Price tables: list the offerings, show one, validate a directory of tables.
    Pricing(PricingArgs),
    /// Price an aggregate monthly usage (requests, duration, memory …) on one platform, like
    /// the providers' calculators, with per-invocation rounding, tiers and free grants.
    Cost(CostArgs),
}

/// Trace inputs shared by every command that reads traces.
#[derive(Debug, Clone, Args)]
pub struct TraceArgs {
    /// Trace files or directories (a directory means every .csv/.parquet/.log/.txt/.jsonl/.json
    /// file in it). Azure 2019 invocation, duration and memory files of the same day (dNN in the
    /// file name) are joined on (HashOwner, HashApp, HashFunction).
    #[arg(value_name = "TRACE", required = true)]
    pub traces: Vec<PathBuf>,
    /// Input format, instead of detecting it from each file's header: azure2019, azure2021,
    /// lambda-logs, csv (also Parquet).
    #[arg(long, value_name = "FORMAT")]
    pub trace_format: Option<TraceFormat>,
    /// Skip rows that fail to parse, with a counted warning, instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_rows: bool,
}

/// `faascost inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The traces to characterize.
    #[command(flatten)]
    pub trace: TraceArgs,
    /// Print one JSON object on stdout instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// `faascost pricing`.
#[derive(Debug, Args)]
pub struct PricingArgs {
    /// What to do with the price tables.
    #[command(subcommand)]
    pub command: PricingCommand,
}

/// `faascost pricing` subcommands.
#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// List the offerings: id, billing model, regions, effective date, verification.
    List {
        /// Load price tables from this directory instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        pricing: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show one offering's prices, free grants, rules and platform behaviour.
    Show {
        /// Offering id, e.g. aws-lambda.
        id: String,
        /// Load price tables from this directory instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        pricing: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Validate a directory of price tables (the built-in ones when omitted); exit 2 with
    /// file:line and key for every error.
    Validate {
        /// Directory of *.toml price tables.
        dir: Option<PathBuf>,
    },
}

/// Processor architecture flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ArchArg {
    /// x86-64.
    X86,
    /// 64-bit Arm (Graviton).
    Arm64,
}

/// API front door flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FrontDoorArg {
    /// API Gateway REST API.
    RestApi,
    /// API Gateway HTTP API.
    HttpApi,
    /// Lambda function URL (no charge).
    FunctionUrl,
    /// Application Load Balancer.
    Alb,
}

/// Cloud Run billing flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CloudRunBillingArg {
    /// Billed while serving requests (default).
    Request,
    /// Billed for the whole instance lifetime.
    Instance,
}

/// `faascost cost`.
#[derive(Debug, Args)]
pub struct CostArgs {
    /// Platform: aws-lambda, azure-functions (Consumption), azure-functions-flex,
    /// azure-functions-premium:EP1|EP2|EP3, gcp-cloud-run, gcp-functions-gen1, cloudflare-workers, aws-ec2:TYPE,
    /// aws-fargate, aws-eks, azure-vm:TYPE, gcp-compute:TYPE.
    #[arg(long, value_name = "PLATFORM")]
    pub platform: String,
    /// Requests (invocations) per month.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub requests: u64,
    /// Duration of each invocation in ms (billed per invocation under the platform's rule).
    #[arg(long, value_name = "MS", default_value_t = 100)]
    pub duration_ms: u64,
    /// Configured memory in MB (functions, Cloud Run instances, Fargate tasks).
    #[arg(long, value_name = "MB", default_value_t = 128)]
    pub memory_mb: u32,
    /// Architecture (Lambda, Fargate).
    #[arg(long, value_enum, default_value_t = ArchArg::X86)]
    pub arch: ArchArg,
    /// Apply the providers' opt-in free tiers and grants.
    #[arg(long)]
    pub free_tier: bool,
    /// Region (must be in the price table; default: the table's first).
    #[arg(long)]
    pub region: Option<String>,
    /// API front door to add (AWS).
    #[arg(long, value_enum)]
    pub front_door: Option<FrontDoorArg>,
    /// Request payload size in KB (API Gateway HTTP API metering, ALB processed bytes).
    #[arg(long, value_name = "KB", default_value_t = 0)]
    pub payload_kb: u32,
    /// Log bytes written per invocation (adds CloudWatch Logs ingestion and storage).
    #[arg(long, value_name = "BYTES")]
    pub log_bytes_per_invocation: Option<u64>,
    /// Provisioned concurrency kept all month (Lambda) or always-ready instances (Flex).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub provisioned_concurrency: u32,
    /// Configured ephemeral storage in MB (Lambda; 512 included).
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub ephemeral_storage_mb: u32,
    /// Cold starts per month (each billed --init-duration-ms of INIT where the platform bills it).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub cold_starts: u64,
    /// INIT duration of each cold start in ms.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub init_duration_ms: u64,
    /// vCPUs per instance (Cloud Run, Fargate).
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub vcpu: f64,
    /// Cloud Run billing setting.
    #[arg(long, value_enum, default_value_t = CloudRunBillingArg::Request)]
    pub cloud_run_billing: CloudRunBillingArg,
    /// Instances (servers, tasks) for instance platforms.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub instances: u32,
    /// Hours each instance runs per month.
    #[arg(long, value_name = "H", default_value_t = 730.0)]
    pub hours: f64,
    /// Commitment term for instances, e.g. ri-standard-1yr-no-upfront (see `pricing show aws-ec2`).
    #[arg(long, value_name = "TERM")]
    pub commitment: Option<String>,
    /// Load price tables from this directory instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub pricing: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}
