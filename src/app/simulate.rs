//! `faascost simulate`: read traces (or a synthetic Poisson trace), replay them through one
//! platform (`sim`, with the facts of its price table's `[behaviour]`), and print the behaviour
//! and quantities — a key/value table, or one deterministic JSON object with `--json`. The
//! billed GB-s shown are the cost engine's (`cost::billed_gb_seconds`), under the same table's
//! billing rules: the simulator knows no billing rule.

use anyhow::{bail, Context};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

use super::pricing::load_catalog;
use crate::cli::SimulateArgs;
use crate::cost::{billed_gb_seconds, BilledGbSeconds};
use crate::sim::platform::PlatformModel;
use crate::sim::{self, arrivals, serverless::RetryPolicy, stats::SimStats, SimConfig, UnitSummary};
use crate::trace::{read_workload, ReadOptions, Workload};
use crate::units::MS_PER_SECOND;
use crate::usage::Usage;

/// The JSON document printed with `--json`.
#[derive(Debug, Serialize)]
struct SimulateReport<'a> {
    schema_version: u32,
    command: &'static str,
    seed: u64,
    sources: Vec<String>,
    #[serde(flatten)]
    stats: &'a SimStats,
    /// Execution GB-s the platform's price table bills (`null` where it bills CPU time).
    billed_gb_seconds: Option<f64>,
    /// INIT GB-s billed on top of execution (`null` as above).
    init_billed_gb_seconds: Option<f64>,
    usage: &'a Usage,
    #[serde(skip_serializing_if = "<[UnitSummary]>::is_empty")]
    units_detail: &'a [UnitSummary],
    assumptions: &'a [String],
    warnings: &'a [String],
}

fn parse_synthetic(text: &str, seed: u64) -> anyhow::Result<Workload> {
    let parts: Vec<&str> = text.split(':').collect();
    let nums: Vec<f64> = parts.iter().filter_map(|p| p.trim().parse::<f64>().ok()).collect();
    if parts.len() != 3 || nums.len() != 3 || nums.iter().any(|v| !v.is_finite() || *v <= 0.0) {
        bail!("--synthetic-poisson '{text}': expected RATE:MEAN_MS:HORIZON_S, three positive numbers (e.g. 0.9:1991:100000)");
    }
    Ok(arrivals::poisson_workload(
        nums[0],
        nums[1],
        (nums[2] * MS_PER_SECOND as f64) as u64,
        seed,
    ))
}

/// Runs `simulate`.
pub fn run(args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    let workload = match &args.synthetic_poisson {
        Some(spec) => parse_synthetic(spec, args.seed)?,
        None => read_workload(
            &args.traces,
            &ReadOptions {
                format: args.trace_format,
                skip_bad_rows: args.skip_bad_rows,
            },
        )
        .context("reading the traces")?,
    };
    let catalog = load_catalog(args.pricing.as_deref())?;
    let platform = PlatformModel::from_catalog(&catalog, args.platform)
        .with_context(|| format!("reading the platform facts of {}", args.platform))?;
    let table = catalog.get(args.platform.id()).map_err(|e| anyhow::anyhow!(e))?;
    let mut cfg = SimConfig::new(platform);
    cfg.memory_mb = args.memory_mb;
    cfg.keep_alive = args.keep_alive;
    cfg.cold_start = args.cold_start_ms;
    cfg.runtime = args.runtime.clone();
    cfg.per_instance_concurrency = args.per_instance_concurrency;
    cfg.concurrency_limit = args.concurrency_limit;
    if let Some(p) = &args.provisioned_concurrency {
        cfg.provisioned = p.clone();
    }
    cfg.retry = (args.retry_throttled > 0).then_some(RetryPolicy {
        max_retries: args.retry_throttled,
        delay_ms: args.retry_delay_ms,
    });
    cfg.spread = args.spread;
    cfg.duration_model = args.duration_model;
    cfg.fallback_duration_ms = args.duration_ms;
    cfg.cpu_bound_fraction = args.cpu_bound_fraction;
    cfg.seed = args.seed;
    cfg.per_minute = args.per_minute;

    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        if n == 0 {
            bail!("--threads 0: expected at least 1 worker thread");
        }
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("starting worker threads")?;
    let out = pool
        .install(|| sim::simulate(&workload, &cfg))
        .context("simulating the workload")?;
    let billed = billed_gb_seconds(&out.usage, table).context("computing the billed GB-s")?;

    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    if args.json {
        let report = SimulateReport {
            schema_version: 1,
            command: "simulate",
            seed: args.seed,
            sources: workload.sources.iter().map(|s| s.path.clone()).collect(),
            stats: &out.stats,
            billed_gb_seconds: billed.map(|b| b.execution_gb_seconds),
            init_billed_gb_seconds: billed.map(|b| b.init_gb_seconds),
            usage: &out.usage,
            units_detail: if args.per_unit { &out.units } else { &[] },
            assumptions: &out.assumptions,
            warnings: &workload.warnings,
        };
        serde_json::to_writer_pretty(&mut w, &report).context("writing JSON")?;
        writeln!(w)?;
    } else {
        write_text(&mut w, &out.stats, billed, &out.assumptions, &workload.warnings)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_text(
    w: &mut impl Write,
    s: &SimStats,
    billed: Option<BilledGbSeconds>,
    assumptions: &[String],
    warnings: &[String],
) -> std::io::Result<()> {
    let gb_s = |v: Option<f64>| v.map_or("n/a (billed on CPU time)".to_string(), |v| format!("{v:.1}"));
    let rows: Vec<(&str, String)> = vec![
        ("platform", s.platform.clone()),
        ("keep-alive", s.keep_alive.clone()),
        ("units simulated", s.units.to_string()),
        ("period", format!("{:.1} h", s.period_ms as f64 / 3_600_000.0)),
        ("invocations", s.invocations.to_string()),
        ("served", s.served.to_string()),
        (
            "cold starts",
            format!("{} ({:.3} %)", s.cold_starts, 100.0 * s.cold_start_rate),
        ),
        (
            "p75 of per-unit cold-start %",
            format!("{:.2} %", s.app_cold_start_pct_p75),
        ),
        ("throttles", format!("{} (retries {})", s.throttles, s.retries)),
        (
            "latency p50/p95/p99/p99.9",
            format!(
                "{} / {} / {} / {} ms",
                s.latency_ms.p50, s.latency_ms.p95, s.latency_ms.p99, s.latency_ms.p99_9
            ),
        ),
        ("peak concurrency", s.peak_concurrency.to_string()),
        ("mean concurrency", format!("{:.3}", s.avg_concurrency)),
        (
            "instances: mean / busy / idle",
            format!(
                "{:.3} / {:.3} / {:.3}",
                s.avg_instances, s.avg_busy_instances, s.avg_idle_instances
            ),
        ),
        ("idle instance-seconds", format!("{:.1}", s.idle_instance_seconds)),
        ("idle GB-s (wasted memory)", format!("{:.1}", s.idle_gb_seconds)),
        ("billed GB-s", gb_s(billed.map(|b| b.execution_gb_seconds))),
        ("init billed GB-s", gb_s(billed.map(|b| b.init_gb_seconds))),
        ("provisioned GB-s", format!("{:.1}", s.provisioned_gb_seconds)),
    ];
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        writeln!(w, "{k:<width$}  {v}")?;
    }
    writeln!(w, "\nAssumptions:")?;
    for a in assumptions {
        writeln!(w, "- {a}")?;
    }
    if !warnings.is_empty() {
        writeln!(w, "\nWarnings:")?;
        for x in warnings {
            writeln!(w, "- {x}")?;
        }
    }
    Ok(())
}
