//! `faascost simulate`: read traces (or a synthetic Poisson trace), replay them through one
//! platform (`sim`, with the facts of its price table's `[behaviour]`), and print the behaviour
//! and quantities — a key/value table, or one deterministic JSON object with `--json`. The
//! billed GB-s shown are the cost engine's (`cost::billed_gb_seconds`), under the same table's
//! billing rules: the simulator knows no billing rule.

use anyhow::{bail, Context};
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::pricing::load_catalog;
use crate::cli::SimulateArgs;
use crate::cost::{billed_gb_seconds, BilledGbSeconds};
use crate::pricing::InstanceScope;
use crate::sim::partial::{PartialWriter, PartitionSpec};
use crate::sim::platform::PlatformModel;
use crate::sim::{self, arrivals, serverless::RetryPolicy, stats::SimStats, SimConfig, UnitSummary};
use crate::trace::{read_workload, ReadOptions, Workload};
use crate::units::MS_PER_SECOND;
use crate::usage::Usage;
use crate::warning::{Warning, WarningCode};

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
    warnings: Vec<Warning>,
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

/// A `simulate` command line resolved: the workload, the settings and the price tables.
pub(super) struct Prepared {
    pub(super) workload: Workload,
    pub(super) cfg: SimConfig,
    catalog: crate::pricing::Catalog,
    platform_id: &'static str,
    pub(super) pool: rayon::ThreadPool,
}

impl Prepared {
    /// The settings of `args`, checked, then the traces (or the synthetic one).
    pub(super) fn new(args: &SimulateArgs) -> anyhow::Result<Prepared> {
        let catalog = load_catalog(args.pricing.as_deref())?;
        let platform = PlatformModel::from_catalog(&catalog, args.platform)
            .with_context(|| format!("reading the platform facts of {}", args.platform))?;
        let table = catalog.get(args.platform.id()).map_err(|e| anyhow::anyhow!(e))?;
        // The platform's memory limits, as `cost` and the scenario check them (Flex: 512, 2,048 or
        // 4,096 MB; Azure Consumption: observed memory up to 1,536 MB).
        if let Some(mb) = args.memory_mb {
            crate::cost::limits::check_memory(table, mb).map_err(|e| anyhow::anyhow!("--memory-mb: {e}"))?;
        }
        if args.instance_scope == Some(InstanceScope::Workload) && args.memory_mb.is_none() {
            bail!(
                "--instance-scope workload runs every function's code in one service, whose memory the trace cannot \
                 give (it records memory per function or per app); give --memory-mb, the memory of one instance"
            );
        }
        let mut cfg = SimConfig::new(platform);
        if let Some(scope) = args.instance_scope {
            cfg.platform.facts.instance_scope = scope;
        }
        cfg.memory_mb = args.memory_mb;
        cfg.keep_alive = args.keep_alive;
        cfg.cold_start = args.cold_start_ms;
        cfg.runtime = args.runtime.clone();
        cfg.per_instance_concurrency = args.per_instance_concurrency;
        cfg.concurrency_limit = args.concurrency_limit;
        if let Some(p) = &args.provisioned_concurrency {
            cfg.provisioned = p.clone();
        }
        cfg.max_instances = args.max_instances;
        if let Some(cap) = args.max_instances {
            crate::cost::limits::check_max_instances(table, cap, cfg.provisioned.max_level())
                .map_err(|e| anyhow::anyhow!("--max-instances: {e}"))?;
        }
        cfg.retry = (args.retry_throttled > 0).then_some(RetryPolicy {
            max_retries: args.retry_throttled,
            delay_ms: args.retry_delay_ms,
        });
        cfg.spread = args.spread;
        cfg.timer_spread = args.timer_spread;
        cfg.duration_model = args.duration_model;
        cfg.fallback_duration_ms = args.duration_ms;
        cfg.cpu_bound_fraction = args.cpu_bound_fraction;
        cfg.seed = args.seed;
        cfg.per_minute = args.per_minute;
        cfg.fluid_from_per_minute = args.fluid_from;
        cfg.shorter_windows_ms = shorter_windows(args, &cfg)?;

        // The traces last: every setting is checked before a long read.
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
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            // 1..=1,024 is checked while parsing the flag.
            pool = pool.num_threads(usize::from(n));
        }
        let pool = pool.build().context("starting worker threads")?;
        Ok(Prepared {
            workload,
            cfg,
            catalog,
            platform_id: args.platform.id(),
            pool,
        })
    }

    /// Prints a simulation's output as `simulate` does: the JSON document or the table on `w`
    /// (text mode's warnings on stderr), buffered (stdout alone writes every line).
    pub(super) fn print(&self, args: &SimulateArgs, out: &sim::SimOutput, w: &mut impl Write) -> anyhow::Result<()> {
        let w = &mut std::io::BufWriter::new(w);
        let table = self.catalog.get(self.platform_id).map_err(|e| anyhow::anyhow!(e))?;
        let billed = billed_gb_seconds(&out.usage, table).context("computing the billed GB-s")?;
        let mut assumptions = out.assumptions.clone();
        if let Some(scope) = args.instance_scope {
            let memory = match args.memory_mb {
                Some(mb) => format!("{mb} MB per instance (--memory-mb)"),
                None => "the trace's memory per unit".to_string(),
            };
            assumptions.push(scope.assumption(out.stats.units, "--instance-scope", &memory));
        }
        let warnings: Vec<Warning> = self
            .workload
            .warnings
            .iter()
            .map(|m| Warning::run(WarningCode::TraceInput, m.clone()))
            .chain(
                out.warnings
                    .iter()
                    .map(|m| Warning::run(WarningCode::LimitExceeded, m.clone())),
            )
            .collect();
        if args.json {
            let report = SimulateReport {
                schema_version: 1,
                command: "simulate",
                seed: args.seed,
                sources: self.workload.sources.iter().map(|s| s.path.clone()).collect(),
                stats: &out.stats,
                billed_gb_seconds: billed.map(|b| b.execution_gb_seconds),
                init_billed_gb_seconds: billed.map(|b| b.init_gb_seconds),
                usage: &out.usage,
                units_detail: if args.per_unit { &out.units } else { &[] },
                assumptions: &assumptions,
                warnings,
            };
            serde_json::to_writer_pretty(&mut *w, &report).context("writing JSON")?;
            writeln!(w)?;
            w.flush()?;
        } else {
            write_text(w, &out.stats, billed, &assumptions)?;
            write_windows(w, &self.cfg, &out.stats)?;
            w.flush()?;
            // Warnings go to stderr, never into the stdout table.
            for x in &warnings {
                eprintln!("warning: {x}");
            }
        }
        Ok(())
    }
}

/// `--shorter-windows`, ascending and distinct, checked against the run they are read off: a
/// fixed keep-alive at least as long as each, no retries, no activity merging.
fn shorter_windows(args: &SimulateArgs, cfg: &SimConfig) -> anyhow::Result<Vec<u64>> {
    let mut windows = args.shorter_windows.clone();
    windows.sort_unstable();
    windows.dedup();
    let Some(&longest) = windows.last() else {
        return Ok(windows);
    };
    // `--shorter-windows 1m 5m` takes 5m as a trace path: say so rather than that 5m is missing.
    if let Some(w) = args
        .traces
        .iter()
        .filter_map(|p| p.to_str())
        .find(|p| !Path::new(p).exists() && crate::sim::keepalive::parse_duration_ms(p).is_ok_and(|ms| ms > 0))
    {
        let given: Vec<String> = args
            .shorter_windows
            .iter()
            .map(|&ms| crate::sim::keepalive::format_duration(ms))
            .collect();
        bail!(
            "'{w}' is no trace file but reads as a window: --shorter-windows takes its windows joined by commas \
             (--shorter-windows {},{w})",
            given.join(",")
        );
    }
    let what = "--shorter-windows reads windows off a replay";
    let longest_text = crate::sim::keepalive::format_duration(longest);
    let Some(own_ms) = sim::fixed_keep_alive_ms(cfg) else {
        bail!(
            "{what} with a fixed keep-alive above 0, and --keep-alive is {}; give --keep-alive a window at least as \
             long as the longest of them (e.g. --keep-alive {longest_text})",
            cfg.keep_alive.label(cfg.platform.facts.default_keep_alive_ms),
        );
    };
    if longest > own_ms {
        bail!(
            "{what} at a window at least as long as each: {longest_text} is longer than the keep-alive's {}; give \
             --keep-alive {longest_text} or longer",
            crate::sim::keepalive::format_duration(own_ms)
        );
    }
    if args.retry_throttled > 0 {
        bail!("{what} where no request is retried (a throttle under a shorter window would be retried later); replay each window with --keep-alive instead, or drop --retry-throttled");
    }
    if cfg.platform.facts.activity_merge_ms.unwrap_or(0) > 0 {
        bail!(
            "{what} where busy periods are not merged, and {} merges an instance's activity periods; replay each window with --keep-alive instead",
            cfg.platform.id()
        );
    }
    Ok(windows)
}

/// Runs `simulate`.
pub fn run(args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    let run = Prepared::new(args)?;
    if let (Some(spec), Some(path)) = (args.partition, &args.partial_out) {
        write_partial(args, &run, spec, path)?;
        return Ok(ExitCode::SUCCESS);
    }
    let out = run
        .pool
        .install(|| sim::simulate(&run.workload, &run.cfg))
        .context("simulating the workload")?;
    run.print(args, &out, &mut std::io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}

/// Flags that do not change a run's output, left out of the command line a partial records.
const NOT_OUTPUT_FLAGS: [&str; 3] = ["--partition", "--partial-out", "--threads"];

/// Replays partition `spec` into the partial file `path`, with the command line (less the
/// partition flags) and the working folder, so `merge` can redo the plan.
fn write_partial(args: &SimulateArgs, run: &Prepared, spec: PartitionSpec, path: &Path) -> anyhow::Result<()> {
    let inputs = crate::trace::expand_paths(&args.traces).unwrap_or_default();
    super::merge::check_output_path(path, &inputs)?;
    let mut argv = Vec::new();
    let mut raw = std::env::args_os().skip(1);
    while let Some(a) = raw.next() {
        let a = a.into_string().map_err(|a| {
            anyhow::anyhow!("the argument {a:?} is not UTF-8; a partial records its command line as text")
        })?;
        if NOT_OUTPUT_FLAGS.contains(&a.as_str()) {
            raw.next();
        } else if !NOT_OUTPUT_FLAGS.iter().any(|f| a.starts_with(&format!("{f}="))) {
            argv.push(a);
        }
    }
    let cwd = std::env::current_dir().context("reading the current folder")?;
    let cwd = cwd
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the current folder {} is not UTF-8", cwd.display()))?
        .to_string();
    let mut writer =
        PartialWriter::create(path).with_context(|| format!("creating the partial result {}", path.display()))?;
    let (mut header, _) = run
        .pool
        .install(|| sim::simulate_partition(&run.workload, &run.cfg, spec, &mut writer, false))
        .with_context(|| format!("simulating partition {spec}"))?;
    header.context = serde_json::json!({ "argv": argv, "cwd": cwd });
    writer
        .finish(header)
        .with_context(|| format!("writing the partial result {}", path.display()))
}

/// The shorter keep-alive windows read off the replay, or why none were.
fn write_windows(w: &mut impl Write, cfg: &SimConfig, s: &SimStats) -> std::io::Result<()> {
    if cfg.shorter_windows_ms.is_empty() {
        return Ok(());
    }
    if s.shorter_windows.is_empty() {
        return writeln!(
            w,
            "\nShorter keep-alive windows: not read off — a unit took the fluid path, which tallies none \
             (--fluid-from off replays it by events)"
        );
    }
    writeln!(
        w,
        "\nShorter keep-alive windows, read off this replay (exact without inits; README, \"keep-alive trade-off\"):"
    )?;
    writeln!(
        w,
        "{:>10}  {:>12}  {:>14}  {:>14}  {:>10}",
        "window", "cold starts", "idle GB-s", "p99 added ms", "throttles"
    )?;
    let row = |window_ms: u64, cold_start_rate: f64, idle_gb_seconds: f64, p99_ms: u64, throttles: u64| {
        format!(
            "{:>10}  {:>10.3} %  {:>14.1}  {:>14}  {:>10}",
            crate::sim::keepalive::format_duration(window_ms),
            100.0 * cold_start_rate,
            idle_gb_seconds,
            p99_ms,
            throttles
        )
    };
    for x in &s.shorter_windows {
        let line = row(
            x.keep_alive_ms,
            x.cold_start_rate,
            x.idle_gb_seconds,
            x.overhead_ms.p99,
            x.throttles,
        );
        writeln!(w, "{line}")?;
    }
    // The replayed window itself, to compare with.
    if let Some(own_ms) = sim::fixed_keep_alive_ms(cfg) {
        let line = row(
            own_ms,
            s.cold_start_rate,
            s.idle_gb_seconds,
            s.overhead_ms.p99,
            s.throttles,
        );
        writeln!(w, "{line}  (replayed)")?;
    }
    Ok(())
}

fn write_text(
    w: &mut impl Write,
    s: &SimStats,
    billed: Option<BilledGbSeconds>,
    assumptions: &[String],
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
        ("cut by the timeout", s.timeouts.to_string()),
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
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The simulator and the cost engine read one table: what Flex runs at is what it bills at.
    use crate::cost::{price_usage, CostOptions};
    use crate::platform::ServerlessPlatform;
    use crate::pricing::{Catalog, ColdStartDist};
    use crate::sim::arrivals::{per_minute_function, SpreadMode};
    use crate::sim::keepalive::KeepAliveSpec;
    use crate::sim::platform::PlatformModel;
    use crate::sim::{simulate, SimConfig};
    use crate::trace::{DurationInfo, Workload};
    use crate::units::{MS_PER_MINUTE, MS_PER_MONTH};

    /// Ten calls a minute apart, 1,500 ms each, 500 ms cold starts, no keep-alive: ten
    /// instance activity periods of 2,000 ms (on Flex's 100 ms grain, above its 1 s minimum).
    fn run(
        platform: ServerlessPlatform,
        memory_mb: Option<u32>,
    ) -> (crate::sim::SimOutput, crate::cost::CostBreakdown) {
        let catalog = Catalog::embedded().unwrap();
        let workload = Workload {
            functions: vec![per_minute_function("f", vec![1; 10], DurationInfo::Unknown)],
            window_start_ms: 0,
            window_end_ms: 10 * MS_PER_MINUTE,
            sources: Vec::new(),
            warnings: Vec::new(),
        };
        let mut cfg = SimConfig::new(PlatformModel::from_catalog(&catalog, platform).unwrap());
        cfg.memory_mb = memory_mb;
        cfg.keep_alive = KeepAliveSpec::None;
        cfg.cold_start = Some(ColdStartDist::Constant { ms: 500 });
        cfg.spread = SpreadMode::Even;
        cfg.fallback_duration_ms = Some(1_500);
        let mut out = simulate(&workload, &cfg).unwrap();
        // Price the period as a whole month, so the bill's quantities are the period's.
        out.usage.period_ms = MS_PER_MONTH;
        let bill = price_usage(&out.usage, catalog.get(platform.id()).unwrap(), &CostOptions::default()).unwrap();
        (out, bill)
    }

    #[test]
    fn flex_is_simulated_and_billed_at_2048_mb() {
        let (out, bill) = run(ServerlessPlatform::AzureFlex, None);
        let g = &out.usage.functions[0];
        assert_eq!(g.memory_mb, 2048);
        assert_eq!(g.instance_busy_ms.iter().collect::<Vec<_>>(), vec![(2_000, 10)]);
        // 10 × 2.0 busy seconds × 2.0 GB = 40 GB-s.
        let line = bill
            .lines
            .iter()
            .find(|l| l.name == "On-demand execution time")
            .unwrap();
        assert_eq!((line.unit.as_str(), line.quantity), ("GB-s", 40.0));
        // 2,048 MB given explicitly: the same.
        let (out, _) = run(ServerlessPlatform::AzureFlex, Some(2048));
        assert_eq!(out.usage.functions[0].memory_mb, 2048);
        assert!(!out.assumptions.iter().any(|a| a.contains("not configurable")));
    }

    #[test]
    fn consumption_at_2048_mb_is_clamped_to_1536_mb_and_says_so() {
        let (out, bill) = run(ServerlessPlatform::AzureConsumption, Some(2048));
        assert_eq!(out.usage.functions[0].memory_mb, 1536);
        assert!(
            out.assumptions.iter().any(|a| {
                a
                == "memory: 2048 MB is not configurable on azure-functions-consumption (128–1536 MB in 128 MB steps); \
                    simulated and billed at 1536 MB"
            }),
            "{:?}",
            out.assumptions
        );
        // Billed per execution (1,500 ms), not per activity period: 10 × 1.5 s × 1.5 GB = 22.5 GB-s.
        let line = bill.lines.iter().find(|l| l.name == "Execution time").unwrap();
        assert_eq!(line.quantity, 22.5);
    }

    #[test]
    fn flex_bills_one_activity_period_for_executions_less_than_a_second_apart() {
        // 120 calls of 100 ms in one minute, 500 ms apart (even spread), one instance kept warm:
        // the first waits for its 500-ms init (busy 0–600, the second joins it at 500), then
        // each runs 100 ms with 400 ms gaps. Under 1 s apart they form one activity period
        // from the first arrival to the last end, 59,600 ms — 59.6 s × 2 GB = 119.2 GB-s.
        // Counted per busy period instead, 119 periods would each bill the 1-s minimum: 238 GB-s
        // for 60 s of one instance.
        let catalog = Catalog::embedded().unwrap();
        let workload = Workload {
            functions: vec![per_minute_function("f", vec![120], DurationInfo::Unknown)],
            window_start_ms: 0,
            window_end_ms: MS_PER_MINUTE,
            sources: Vec::new(),
            warnings: Vec::new(),
        };
        let platform = ServerlessPlatform::AzureFlex;
        let mut cfg = SimConfig::new(PlatformModel::from_catalog(&catalog, platform).unwrap());
        cfg.keep_alive = "fixed:10m".parse().unwrap();
        cfg.cold_start = Some(ColdStartDist::Constant { ms: 500 });
        cfg.spread = SpreadMode::Even;
        cfg.fallback_duration_ms = Some(100);
        let mut out = simulate(&workload, &cfg).unwrap();
        assert_eq!(out.stats.cold_starts, 1);
        assert_eq!(
            out.usage.functions[0].instance_busy_ms.iter().collect::<Vec<_>>(),
            vec![(59_600, 1)]
        );
        out.usage.period_ms = MS_PER_MONTH;
        let bill = price_usage(&out.usage, catalog.get(platform.id()).unwrap(), &CostOptions::default()).unwrap();
        let line = bill
            .lines
            .iter()
            .find(|l| l.name == "On-demand execution time")
            .unwrap();
        assert_eq!((line.unit.as_str(), line.quantity), ("GB-s", 119.2));
    }
}
