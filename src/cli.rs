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
    /// Replay traces through a serverless platform's behaviour model: cold starts, keep-alive,
    /// concurrency, throttles, latency, idle memory-time and billed time (no prices).
    Simulate(Box<SimulateArgs>),
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

/// `faascost simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Trace files or directories (as for `inspect`).
    #[arg(value_name = "TRACE", required_unless_present = "synthetic_poisson")]
    pub traces: Vec<PathBuf>,
    /// Input format, instead of detecting it from each file's header.
    #[arg(long, value_name = "FORMAT")]
    pub trace_format: Option<TraceFormat>,
    /// Skip rows that fail to parse, with a counted warning.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Platform: aws-lambda, azure-functions, gcp-cloud-run, cloudflare-workers.
    #[arg(long, value_name = "ID")]
    pub platform: crate::sim::platform::PlatformId,
    /// Memory per function in MB (default: the trace's, else the platform's default).
    #[arg(long, value_name = "MB")]
    pub memory_mb: Option<u32>,
    /// Keep-alive policy: a window (600s, 10m, fixed:10m), none, provider (the platform's
    /// default) or hybrid (Shahrad et al. ATC'20 histogram policy).
    #[arg(long, value_name = "POLICY", default_value = "provider")]
    pub keep_alive: crate::sim::keepalive::KeepAliveSpec,
    /// Cold-start (init) latency: N ms, or exp:MEAN, lognormal:MEDIAN:SIGMA, uniform:MIN:MAX
    /// (default: the platform's figure for the runtime).
    #[arg(long, value_name = "N|DIST", value_parser = crate::sim::platform::ColdStartDist::parse)]
    pub cold_start_ms: Option<crate::sim::platform::ColdStartDist>,
    /// Runtime for the platform's cold-start table (e.g. python, node, java).
    #[arg(long, value_name = "NAME")]
    pub runtime: Option<String>,
    /// Requests in flight per instance (Lambda 1; Cloud Run up to 1,000).
    #[arg(long, value_name = "N")]
    pub per_instance_concurrency: Option<u32>,
    /// Account concurrency limit (requests in flight); 0 = none. Default: the platform's.
    #[arg(long, value_name = "N")]
    pub concurrency_limit: Option<u32>,
    /// Retry each throttled request up to N times, --retry-delay-ms apart (default: drop it).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retry_throttled: u32,
    /// Delay before retrying a throttled request.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub retry_delay_ms: u64,
    /// Provisioned concurrency per function: N, or a time-of-day schedule such as
    /// 08:00-20:00=10,else=2. Requests beyond it spill over to on-demand instances.
    #[arg(long, value_name = "N|SCHEDULE")]
    pub provisioned_concurrency: Option<crate::sim::schedule::ProvisionedSchedule>,
    /// How per-minute counts are placed in their minute: uniform, poisson or even.
    #[arg(long, value_name = "MODE", default_value = "uniform")]
    pub spread: crate::sim::arrivals::SpreadMode,
    /// Duration for functions the trace has no durations for (instead of an error).
    #[arg(long, value_name = "MS")]
    pub duration_ms: Option<u64>,
    /// Share of each duration that scales with CPU when --memory-mb differs from the traced memory.
    #[arg(long, value_name = "F", default_value_t = crate::sim::DEFAULT_CPU_BOUND_FRACTION)]
    pub cpu_bound_fraction: f64,
    /// Seed for every random draw (arrival placement, durations, init times).
    #[arg(long, value_name = "S", default_value_t = crate::sim::DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Include per-minute concurrency (max and mean) in the output.
    #[arg(long)]
    pub per_minute: bool,
    /// Include one row per simulated function (or Azure app) in the JSON output.
    #[arg(long)]
    pub per_unit: bool,
    /// Print one JSON object on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Replay a synthetic trace instead: Poisson arrivals at RATE/s with exponential durations of
    /// mean MEAN_MS over HORIZON_S seconds (used by scripts/compare-simfaas.sh).
    #[arg(long, value_name = "RATE:MEAN_MS:HORIZON_S", hide = true)]
    pub synthetic_poisson: Option<String>,
}
