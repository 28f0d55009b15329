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
    /// Generate a seeded synthetic trace (poisson, diurnal, bursty, periodic, steady-high, or a
    /// workload shaped like the Azure Functions 2019 dataset with --like azure2019).
    Generate(GenerateArgs),
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

/// `faascost generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Arrival pattern of every function: poisson, diurnal, bursty, periodic, steady-high.
    #[arg(long, value_name = "PATTERN", default_value = "poisson")]
    pub pattern: crate::synth::Pattern,
    /// Generate a workload shaped like a published dataset instead (azure2019: apps, triggers,
    /// rates, durations and memory following "Serverless in the Wild", ATC 2020).
    #[arg(long, value_name = "DATASET", conflicts_with_all = ["pattern", "rate_per_s", "rate_per_min", "duration_ms", "memory_mb"])]
    pub like: Option<String>,
    /// Number of functions.
    #[arg(long, default_value_t = 1)]
    pub functions: usize,
    /// Length of the trace in days (default 1).
    #[arg(long, conflicts_with = "hours")]
    pub days: Option<u32>,
    /// Length of the trace in hours.
    #[arg(long)]
    pub hours: Option<u32>,
    /// Mean invocations per second of each function (default: 1/s; periodic 1/min; steady-high 20/s).
    #[arg(long, conflicts_with = "rate_per_min")]
    pub rate_per_s: Option<f64>,
    /// Mean invocations per minute of each function.
    #[arg(long)]
    pub rate_per_min: Option<f64>,
    /// Execution time of each invocation: const:N, exp:MEAN or lognormal:MEDIAN,P99 (ms).
    #[arg(long, value_name = "DIST", default_value = "lognormal:100,1000")]
    pub duration_ms: crate::synth::DurationDist,
    /// Memory of every function in MB.
    #[arg(long, default_value_t = 256)]
    pub memory_mb: u32,
    /// Seed: the same seed and flags give byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output format: azure2019 (a directory of per-day files) or csv (one file, or - for stdout).
    #[arg(long, value_name = "FORMAT", default_value = "csv")]
    pub format: crate::synth::write::OutputFormat,
    /// CSV timestamps: epoch-ms or rfc3339.
    #[arg(long, value_name = "STYLE", default_value = "epoch-ms")]
    pub timestamps: crate::synth::write::TimestampStyle,
    /// Output: a directory for azure2019, a file (or - for stdout) for csv.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
}
