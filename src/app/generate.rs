//! `faascost generate`: checks the flags, plans a synthetic workload with [`crate::synth`]
//! (one pattern, or `--like azure2019`) and writes it as Azure 2019 files or a CSV trace.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::GenerateArgs;
use crate::synth::write::{write_azure2019, write_csv, CsvTarget, OutputFormat};
use crate::synth::{azure_like, plan_pattern, PatternSpec};
use crate::units::MINUTES_PER_DAY;

/// Runs `faascost generate`.
pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let window_minutes = match (args.days, args.hours) {
        (Some(d), _) => d.saturating_mul(MINUTES_PER_DAY),
        (None, Some(h)) => h.saturating_mul(60),
        (None, None) => MINUTES_PER_DAY,
    };
    let workload = match args.like.as_deref() {
        Some("azure2019") => azure_like::plan(args.functions, window_minutes, args.seed)?,
        Some(other) => bail!("--like: unknown dataset '{other}'; expected azure2019"),
        None => {
            let rate_per_min = match (args.rate_per_s, args.rate_per_min) {
                (Some(s), _) => s * 60.0,
                (None, Some(m)) => m,
                (None, None) => args.pattern.default_rate_per_min(),
            };
            plan_pattern(&PatternSpec {
                pattern: args.pattern,
                functions: args.functions,
                window_minutes,
                rate_per_min,
                duration: args.duration_ms,
                memory_mb: args.memory_mb,
                seed: args.seed,
            })?
        }
    };
    match args.format {
        OutputFormat::Azure2019 => {
            if args.out == Path::new("-") {
                bail!("--out -: azure2019 output is a directory of files; give a directory path");
            }
            let files = write_azure2019(&workload, &args.out, args.force)
                .with_context(|| format!("writing Azure 2019 files into '{}'", args.out.display()))?;
            eprintln!(
                "wrote {} functions in {} apps over {} minutes to {} ({} files)",
                workload.functions.len(),
                workload.apps.len(),
                workload.window_minutes,
                args.out.display(),
                files.len()
            );
        }
        OutputFormat::Csv => {
            let target = if args.out == Path::new("-") {
                CsvTarget::Stdout
            } else {
                CsvTarget::File(args.out.clone())
            };
            let rows = write_csv(&workload, &target, args.timestamps, args.force)
                .with_context(|| format!("writing CSV trace '{}'", args.out.display()))?;
            if target != CsvTarget::Stdout {
                eprintln!(
                    "wrote {rows} invocations of {} functions over {} minutes to {}",
                    workload.functions.len(),
                    workload.window_minutes,
                    args.out.display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
