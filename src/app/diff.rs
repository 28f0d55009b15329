//! `faascost diff BASE.json HEAD.json`: loads both reports, compares them (`report::diff`),
//! evaluates the gates over the pair, prints the requested format on stdout, appends the Markdown
//! to `$GITHUB_STEP_SUMMARY` when set and annotates on GitHub Actions. Exit 1 when a gate fails.

use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;

use super::ci;
use crate::cli::{DiffArgs, DiffFormat};
use crate::report::diff::{diff, json, markdown, table};
use crate::report::gate::{failures, Gate};
use crate::report::model::Report;
use crate::report::sanitize::terminal;
use crate::report::table::Width;

/// The gates the flags ask for, in a fixed order.
fn gates(args: &DiffArgs) -> Vec<Gate> {
    let mut g = Vec::new();
    if let Some(p) = args.max_increase_pct {
        g.push(Gate::MaxIncreasePct(p));
    }
    if let Some(u) = args.max_increase_usd {
        g.push(Gate::MaxIncreaseUsd(u));
    }
    if let Some(b) = args.max_monthly_usd {
        g.push(Gate::MaxMonthlyUsd(b));
    }
    if args.require_slo {
        g.push(Gate::RequireSlo);
    }
    if args.fail_on_warning {
        g.push(Gate::NoWarnings);
    }
    g
}

/// Runs `diff`.
pub fn run(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let base = Report::load(&args.base)?;
    let head = Report::load(&args.head)?;
    let d = diff(
        &base,
        &args.base.display().to_string(),
        &head,
        &args.head.display().to_string(),
        &gates(args),
    )?;
    let md = markdown(&d);
    let text = match args.format {
        DiffFormat::Md => md.clone(),
        DiffFormat::Json => json(&d),
        DiffFormat::Table => table(&d, Width::for_stdout(args.wide)),
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing to stdout")?;
    if let Some(path) = ci::append_step_summary(&md)? {
        eprintln!("appended the diff to {}", terminal(&path));
    }
    let failed = failures(&d.gates);
    for f in &failed {
        eprintln!("gate failed: {}", terminal(f));
        ci::annotate("error", "faascost gate failed", f);
    }
    if d.verdict_changed {
        let who = |s: &Option<String>| s.clone().unwrap_or_else(|| "none viable".into());
        ci::annotate(
            "warning",
            "faascost verdict changed",
            &format!(
                "recommended option {} → {}",
                who(&d.base.recommended),
                who(&d.head.recommended)
            ),
        );
    }
    for w in head.warnings.iter().take(10) {
        ci::annotate("warning", "faascost report warning", &w.to_string());
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
