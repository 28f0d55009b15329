//! `faascost analyze`: scenario + price tables (checked before any trace is read) + traces →
//! `Plan` → evaluation of every option (`eval`) → decision (`fit`) → the charts' extra series
//! (`eval::series`: keep-alive trade-off, right-sizing) → a `Report`, written as
//! report.json, report.md, options.csv, functions.csv and report.html (one atomic set, never over an input), summarized as a
//! table on stdout with the warnings on stderr (sanitized); gates the user set decide the exit code.

use anyhow::{anyhow, Context};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use super::pricing::load_catalog;
use crate::characterize::characterize;
use crate::cli::{AnalyzeArgs, PlanArgs};
use crate::config::Scenario;
use crate::config::ServerlessOption;
use crate::eval::replays::ReplayStore;
use crate::eval::series::{keep_alive_tradeoff, right_sizing, KeepAliveTradeoff};
use crate::eval::{check_scenario, evaluate_all_with_progress, InputFile, Plan, Runs, ServerlessRuns};
use crate::report::build::{ComputedSeries, Findings};
use crate::report::gate::{evaluate, failures, Gate, Outcome};
use crate::report::render::{files, ANALYZE_FILES};
use crate::report::sanitize::terminal;
use crate::report::table::Width;
use crate::report::write::write_set;
use crate::sim::SimOutput;
use crate::trace::{read_workload_files, ReadOptions};

/// Builds the plan of a run from its arguments: the scenario and the price tables are read and
/// checked first, so a typo fails before any trace is read.
pub(crate) fn plan(args: &PlanArgs) -> anyhow::Result<Plan> {
    let (mut scenario, scenario_label) = match &args.scenario {
        Some(p) => (Scenario::load(p)?, p.display().to_string()),
        None => (
            Scenario::default_scenario(),
            "embedded:datasets/default/faascost.toml".to_string(),
        ),
    };
    if let Some(seed) = args.seed {
        scenario.seed = seed;
        scenario.assumptions.retain(|a| !a.starts_with("seed:"));
        scenario.assumptions.insert(0, format!("seed: {seed} (from --seed)"));
    }
    let catalog = load_catalog(args.pricing.as_deref())?;
    check_scenario(&scenario, &scenario_label, &catalog)?;
    let traces: Vec<PathBuf> = if args.traces.is_empty() {
        scenario.traces.clone()
    } else {
        args.traces.clone()
    };
    if traces.is_empty() {
        return Err(anyhow!(
            "no trace to analyze: name trace files, or list them under `traces` in the scenario file"
        ));
    }
    let options = ReadOptions {
        format: args.trace_format,
        skip_bad_rows: args.skip_bad_rows,
    };
    // One pass per trace: the size and SHA-256 of each are taken while its rows are read.
    let (workload, read_files) = read_workload_files(&traces, &options)?;
    let trace_files = read_files
        .into_iter()
        .map(|f| InputFile {
            path: f.path.display().to_string(),
            format: f.format.name().to_string(),
            bytes: f.bytes,
            sha256: f.sha256,
        })
        .collect();
    Ok(Plan {
        scenario,
        scenario_label,
        workload: Arc::new(workload),
        trace_files,
        catalog,
        what_if: crate::eval::WhatIf::default(),
        replays: None,
    })
}

/// What `analyze` is doing, on stderr when it is a terminal (indicatif's only home; nothing
/// is drawn into a pipe or a CI log): a bar over the options while they are evaluated, then a
/// spinner naming each later stage (the per-function fits, the ranges, the charts' series:
/// most of a large run) with the time spent in it. Option ids are sanitized before drawing.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn start() -> Self {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        // Styled before it ticks (the ticker draws at once, and the default style is a bar).
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} options [{elapsed}] {wide_msg}")
                .expect("a valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// Evaluates every option (returning the serverless runs too, for the ranges and the
    /// per-function fits), counting them on the bar.
    fn evaluate(&self, plan: &Plan) -> anyhow::Result<(Vec<crate::eval::Evaluation>, Runs)> {
        let Some(bar) = &self.0 else {
            return evaluate_all_with_progress(plan, &mut |_| {});
        };
        bar.set_length(crate::eval::option_count(plan) as u64);
        let mut started = 0u64;
        evaluate_all_with_progress(plan, &mut |id| {
            bar.set_position(started);
            bar.set_message(format!("simulating and pricing {}", terminal(id)));
            started += 1;
        })
    }

    /// Names the stage `analyze` is in from now on.
    fn stage(&self, what: String) {
        if let Some(bar) = &self.0 {
            // The message first: a tick between the two then shows the new name.
            bar.set_message(what);
            bar.reset_elapsed();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} [{elapsed}] {wide_msg}").expect("a valid template"),
            );
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The keep-alive trade-off and the right-sizing curves of the serverless option the charts
/// follow (the winner when serverless, else the cheapest serverless option that runs).
fn computed_series(
    plan: &Plan,
    evaluations: &[crate::eval::Evaluation],
    runs: &ServerlessRuns,
    winner: Option<&str>,
    side_by_side: bool,
) -> anyhow::Result<ComputedSeries> {
    let Some(chosen) = crate::report::series::chosen_serverless(evaluations, winner) else {
        return Ok(ComputedSeries::default());
    };
    let (Some(opt), Some(run)) = (
        plan.scenario.serverless.iter().find(|o| o.id == chosen.id),
        runs.get(&chosen.id),
    ) else {
        return Ok(ComputedSeries::default());
    };
    // Side by side: right-sizing replays a few busy functions, mostly on one thread each (the
    // whole workload where one service runs it: one at a time then under --low-memory).
    let sizing = || right_sizing(plan, opt).with_context(|| format!("the memory right-sizing on option '{}'", opt.id));
    let (keep_alive, sizing) = if side_by_side {
        rayon::join(|| keep_alive_of(plan, opt, run, true), sizing)
    } else {
        (keep_alive_of(plan, opt, run, false), sizing())
    };
    Ok(ComputedSeries {
        keep_alive: Some(keep_alive?),
        right_sizing: Some(sizing?),
    })
}

/// The keep-alive trade-off of `opt`, whose analyzed simulation is `run`.
fn keep_alive_of(
    plan: &Plan,
    opt: &ServerlessOption,
    run: &SimOutput,
    side_by_side: bool,
) -> anyhow::Result<KeepAliveTradeoff> {
    keep_alive_tradeoff(plan, opt, run, side_by_side)
        .with_context(|| format!("the keep-alive trade-off of option '{}'", opt.id))
}

/// The ranges' settings `args` asks for: its Monte Carlo runs, two cases at once unless
/// `--low-memory`.
fn range_settings(args: &AnalyzeArgs) -> crate::fit::ranges::RangeSettings {
    crate::fit::ranges::RangeSettings {
        monte_carlo_runs: args.monte_carlo,
        bounds: crate::fit::ranges::Bounds::default(),
        side_by_side: args.side_by_side(),
    }
}

/// One partition's share of `analyze --replays DIR --partition K/N`: the stages that replay the
/// whole workload, on the serverless options alone (the servers and hybrids replay nothing
/// whole) — the comparison, every range case and Monte Carlo run, and the keep-alive trade-off
/// of every serverless option (the report charts one, the winner or the cheapest, which only
/// the servers' costs can tell) — so no replay's settings wait on another's outcome and one
/// round writes every partial the unpartitioned run will merge (a replay whose units the
/// account limit couples is left to it, with a note). Prints what it did as one JSON line;
/// writes no report.
fn partition_round(mut plan: Plan, args: &AnalyzeArgs, store: &ReplayStore) -> anyhow::Result<ExitCode> {
    plan.scenario.provisioned.clear();
    plan.scenario.hybrid.clear();
    let plan = &plan;
    let (evaluations, Runs { whole: runs, .. }) = evaluate_all_with_progress(plan, &mut |_| {})?;
    crate::fit::ranges::ranges(plan, &evaluations, &runs, range_settings(args))?;
    for opt in &plan.scenario.serverless {
        if let Some(run) = runs.get(&opt.id) {
            keep_alive_of(plan, opt, run, args.side_by_side())?;
        }
    }
    let counts = store.counts();
    let line = serde_json::json!({
        "partition": store.partition().map(|p| p.to_string()),
        "partials_written": counts.written,
        "replays_merged": counts.merged,
    });
    println!("{line}");
    print_notes(store);
    Ok(ExitCode::SUCCESS)
}

/// Why replays the store held were replayed instead, on stderr.
fn print_notes(store: &ReplayStore) {
    for note in store.notes() {
        eprintln!("note: replay store: {}", terminal(&note));
    }
}

/// Runs `analyze`.
pub fn run(args: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let mut plan = plan(&args.plan)?;
    if let Some(dir) = &args.replays {
        let store = ReplayStore::open(dir, args.partition, &plan.trace_files, &plan.workload)?;
        plan.replays = Some(Arc::new(store));
    }
    if let (Some(store), Some(_)) = (plan.replays.clone(), args.partition) {
        return partition_round(plan, args, &store);
    }
    let progress = Progress::start();
    let (evaluations, Runs { whole: runs, alone }) = progress.evaluate(&plan)?;
    let decision = crate::fit::decide(&plan, &evaluations);
    progress.stage(format!(
        "fitting each of the {} functions alone on every option; break-even traffic of each serverless and server \
         pair",
        crate::cost::breakdown_thousands(plan.workload.functions.len() as u128)
    ));
    // Side by side: the fits' last, busiest functions would otherwise leave a thread idle.
    let (recommendations, break_even) = rayon::join(
        || crate::fit::functions::recommend_reusing(&plan, &evaluations, &decision, &alone),
        || crate::fit::breakeven::analyze_pairs(&plan, &evaluations),
    );
    let (recommendations, break_even) = (recommendations?, break_even?);
    drop(alone);
    progress.stage(format!(
        "ranges: the low and high cases and {} Monte Carlo runs",
        args.monte_carlo
    ));
    let ranges = crate::fit::ranges::ranges(&plan, &evaluations, &runs, range_settings(args))?;
    progress.stage("the charts' series: the keep-alive trade-off and right-sizing".to_string());
    let generated_at = source_date()?;
    let mut report = crate::report::build::build(
        &plan,
        characterize(&plan.workload),
        &evaluations,
        &decision,
        Findings {
            recommendations: Some(recommendations.with_ranges(&ranges)),
            break_even,
            ranges: Some(ranges),
            series: computed_series(
                &plan,
                &evaluations,
                &runs,
                decision.cheapest_option.as_deref(),
                args.side_by_side(),
            )?,
        },
    );
    report.generated_at = generated_at;
    progress.stage("writing the reports".to_string());
    let mut protected: Vec<PathBuf> = plan.trace_files.iter().map(|t| PathBuf::from(&t.path)).collect();
    if let Some(s) = &args.plan.scenario {
        protected.push(s.clone());
    }
    // Every file is rendered, then the set is written at once: a failure replaces nothing.
    let set: Vec<(PathBuf, Vec<u8>)> = files(&report, &ANALYZE_FILES)
        .into_iter()
        .map(|(name, text)| (args.out.join(name), text.into_bytes()))
        .collect();
    write_set(&set, &protected)?;
    drop(progress);
    let text = if args.json {
        report.to_json()
    } else {
        crate::report::table::options_summary(&report, args.wide, Width::for_stdout(args.wide))
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing to stdout")?;
    for w in &report.warnings {
        eprintln!("warning: {}", terminal(&w.to_string()));
    }
    let names: Vec<String> = set.iter().map(|(p, _)| p.display().to_string()).collect();
    eprintln!("wrote {}", terminal(&names.join(", ")));
    if let Some(store) = &plan.replays {
        let counts = store.counts();
        eprintln!(
            "replay store: {} whole-workload replays merged from their partials, {} replayed here ({} new kept for \
             the next run)",
            counts.merged, counts.replayed, counts.written
        );
        print_notes(store);
    }
    let mut gates = Vec::new();
    if args.fail_on_warning {
        gates.push(Gate::NoWarnings);
    }
    if args.require_slo {
        gates.push(Gate::RequireSlo);
    }
    if let Some(budget) = args.max_monthly_usd {
        gates.push(Gate::MaxMonthlyUsd(budget));
    }
    let results = evaluate(&report, None, &gates)?;
    for r in results.iter().filter(|r| r.outcome == Outcome::Skip) {
        eprintln!("gate skipped: {}: {}", r.gate, terminal(&r.detail));
    }
    let failed = failures(&results);
    for f in &failed {
        eprintln!("gate failed: {}", terminal(f));
        super::ci::annotate("error", "faascost gate failed", f);
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The report's time, when `SOURCE_DATE_EPOCH` (whole seconds since 1970-01-01 UTC, as
/// reproducible builds set it) gives one; none otherwise, so reruns give the same bytes.
fn source_date() -> anyhow::Result<Option<String>> {
    let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    // 253,402,300,799 s is 9999-12-31T23:59:59Z.
    let secs = value
        .to_str()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|&s| s <= 253_402_300_799)
        .ok_or_else(|| {
            anyhow!(
                "SOURCE_DATE_EPOCH '{}' is not whole seconds since 1970-01-01 UTC (up to year 9999): set it to \
                 e.g. $(date +%s), or unset it to leave the time out of the report",
                value.to_string_lossy()
            )
        })?;
    Ok(Some(crate::synth::write::rfc3339_ms(secs * 1_000)))
}
