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
