//! `faascost inspect`: read traces, characterize the workload, print it as tables or JSON
//! (warnings on stderr in table mode, typed in the JSON).

use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::characterize::{characterize, WorkloadProfile};
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

/// The JSON of `inspect --json`: the report conventions (a schema version, the command, typed
/// warnings) around the workload's figures.
#[derive(Serialize)]
struct InspectReport<'a> {
    schema_version: u32,
    command: &'static str,
    #[serde(flatten)]
    profile: &'a WorkloadProfile,
}

/// Runs `inspect`.
pub fn run(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let workload = load(&args.trace)?;
    let profile = characterize(&workload);
    let text = if args.json {
        let report = InspectReport {
            schema_version: 1,
            command: "inspect",
            profile: &profile,
        };
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        crate::report::table::workload_profile(&profile)
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing to stdout")?;
    for w in &profile.warnings {
        eprintln!("warning: {}", crate::report::sanitize::terminal(&w.to_string()));
    }
    Ok(ExitCode::SUCCESS)
}
