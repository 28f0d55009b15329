//! `faascost merge`: the partial results of `simulate --partition K/N` (one per partition of
//! one run) into the output of the unpartitioned run, byte for byte. The partials record the
//! command line and the folder they ran in; the merge re-reads the same traces from there
//! (planning is cheap; nothing is replayed), checks that the partials are that plan's
//! partitions, each once, and aggregates their unit results and merged in-flight changes.

use anyhow::{bail, Context};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::simulate::Prepared;
use crate::cli::{Cli, Command, MergeArgs};
use crate::sim::{self, partial::PartialReader};

/// Runs `merge`.
pub fn run(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let mut readers = args
        .partials
        .iter()
        .map(|p| PartialReader::open(p).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let context = readers[0].header.context.clone();
    if let Some(other) = readers.iter().find(|r| r.header.context != context) {
        bail!(
            "{}: made by another command line or folder than {}; merge the partials of one run (same traces, \
             settings and seed), each partition once",
            other.path().display(),
            readers[0].path().display()
        );
    }
    let field = |name: &str| {
        context
            .get(name)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("{}: the partial records no '{name}'", readers[0].path().display()))
    };
    let argv: Vec<String> = serde_json::from_value(field("argv")?).context("reading the recorded command line")?;
    let cwd: String = serde_json::from_value(field("cwd")?).context("reading the recorded folder")?;
    // The output folder is the user's, relative to where merge runs; the traces are the
    // partitions', relative to where they ran.
    let out_dir = args
        .out
        .as_deref()
        .map(std::path::absolute)
        .transpose()
        .context("resolving --out")?;
    let partials = args
        .partials
        .iter()
        .map(std::path::absolute)
        .collect::<std::io::Result<Vec<_>>>()
        .context("resolving the partials' paths")?;
    std::env::set_current_dir(&cwd).with_context(|| {
        format!("entering {cwd}, the folder the partitions ran in (the traces' relative paths start there)")
    })?;
    let cli = Cli::try_parse_from(std::iter::once("faascost".to_string()).chain(argv.iter().cloned()))
        .map_err(|e| anyhow::anyhow!("the partials' command line does not parse with this faascost: {e}"))?;
    let Command::Simulate(sim_args) = cli.command else {
        bail!("the partials were not made by `faascost simulate --partition`");
    };
    let run = Prepared::new(&sim_args)?;
    let out = run
        .pool
        .install(|| sim::simulate_merged(&run.workload, &run.cfg, &mut readers))
        .context("merging the partials")?;
    match out_dir {
        None => run.print(&sim_args, &out, &mut std::io::stdout().lock())?,
        Some(dir) => {
            let mut bytes = Vec::new();
            run.print(&sim_args, &out, &mut bytes)?;
            let path = dir.join(if sim_args.json { "simulate.json" } else { "simulate.txt" });
            let mut inputs = crate::trace::expand_paths(&sim_args.traces).unwrap_or_default();
            inputs.extend(partials);
            check_output_path(&path, &inputs)?;
            crate::report::write::write_atomic(&path, &bytes, &inputs)?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses an output path that is an input of the run or exists as anything but a regular
/// file (a device node, a folder, a FIFO): an output only ever replaces an earlier output.
pub(super) fn check_output_path(path: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            bail!(
                "refusing to write {}: it exists and is not a regular file; choose another path",
                path.display()
            );
        }
        let target = path.canonicalize()?;
        if inputs.iter().any(|i| i.canonicalize().is_ok_and(|i| i == target)) {
            bail!(
                "refusing to write {}: it is an input of this run; choose another path",
                path.display()
            );
        }
    }
    Ok(())
}
