//! `faascost inspect`: read traces, characterize the workload, print it as tables or JSON.

use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;

use crate::characterize::characterize;
use crate::cli::{InspectArgs, TraceArgs};
use crate::trace::{read_workload, ReadOptions, Workload};

/// Reads the traces named by `args` into one workload.
pub(crate) fn load(args: &TraceArgs) -> anyhow::Result<Workload> {
    let options = ReadOptions {
        format: args.trace_format,
        skip_bad_rows: args.skip_bad_rows,
    };
    Ok(read_workload(&args.traces, &options)?)
}

/// Runs `inspect`.
pub fn run(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let workload = load(&args.trace)?;
    let profile = characterize(&workload);
    let text = if args.json {
        serde_json::to_string_pretty(&profile)? + "\n"
    } else {
        crate::report::table::workload_profile(&profile)
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}
