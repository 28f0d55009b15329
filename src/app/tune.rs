//! `faascost tune`: reads the traces (and each TRACE argument alone, for functions observed at
//! several memory sizes), sweeps memory and architecture per function or Azure app with
//! `fit::tune`, and prints a per-unit table (current and recommended size, predicted mean
//! duration, monthly cost, saving) or one JSON object with every unit's whole curve.

use anyhow::{bail, Context};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use super::pricing::load_catalog;
use crate::cli::TuneArgs;
use crate::config::Scenario;
use crate::cost::CostOptions;
use crate::fit::tune::{
    mean_duration, tune, Candidate, CpuBoundSource, SizePoint, TuneInput, TuneResult, TuneSettings,
};
use crate::money::Money;
use crate::report::sanitize::terminal;
use crate::sim::arrivals::function_key;
use crate::trace::{read_workload, ReadOptions};
use crate::usage::Arch;

/// The JSON of `tune --json`.
#[derive(Serialize)]
struct TuneJson<'a> {
    schema_version: u32,
    command: &'static str,
    #[serde(flatten)]
    result: &'a TuneResult,
}

/// Mean durations per function key at each configured size, from every TRACE read alone;
/// only functions seen at two or more sizes are kept. Notes say which TRACE could not be read alone.
fn size_points(args: &TuneArgs, options: &ReadOptions) -> (BTreeMap<String, Vec<SizePoint>>, Vec<String>) {
    let mut points: BTreeMap<String, Vec<SizePoint>> = BTreeMap::new();
    let mut notes = Vec::new();
    if args.trace.traces.len() < 2 {
        return (points, notes);
    }
    for path in &args.trace.traces {
        match read_workload(std::slice::from_ref(path), options) {
            Ok(w) => {
                for f in &w.functions {
                    if let (Some(memory_mb), Some((mean, n))) = (f.memory.configured_mb, mean_duration(f)) {
                        points.entry(function_key(&f.id)).or_default().push(SizePoint {
                            memory_mb,
                            mean_duration_ms: mean,
                            invocations: n,
                        });
                    }
                }
            }
            Err(e) => notes.push(format!(
                "{} cannot be read on its own ({e}); no CPU-bound fraction is fitted from it",
                path.display()
            )),
        }
    }
    points.retain(|_, v| {
        let mut sizes: Vec<u32> = v.iter().map(|p| p.memory_mb).collect();
        sizes.sort_unstable();
        sizes.dedup();
        sizes.len() >= 2
    });
    (points, notes)
}

/// Runs `faascost tune`.
pub fn run(args: &TuneArgs) -> anyhow::Result<ExitCode> {
    let scenario = match &args.scenario {
        Some(p) => Scenario::load(p)?,
        None => Scenario::default_scenario(),
    };
    let cpu_bound_fraction = args.cpu_bound_fraction.unwrap_or(scenario.cpu_bound_fraction);
    if !(0.0..=1.0).contains(&cpu_bound_fraction) {
        bail!("--cpu-bound-fraction {cpu_bound_fraction} is out of range; expected a share from 0 to 1");
    }
    if !(args.vcpus_used.is_finite() && args.vcpus_used > 0.0 && args.vcpus_used <= 64.0) {
        bail!(
            "--vcpus-used {} is out of range; expected the vCPUs the function keeps busy, in (0, 64]",
            args.vcpus_used
        );
    }
    let options = ReadOptions {
        format: args.trace.trace_format,
        skip_bad_rows: args.trace.skip_bad_rows,
    };
    let workload = read_workload(&args.trace.traces, &options).context("reading the traces")?;
    let catalog = load_catalog(args.pricing.as_deref())?;
    let table = catalog.get(args.platform.id()).map_err(|e| anyhow::anyhow!(e))?;
    let (points, notes) = size_points(args, &options);
    let input = TuneInput {
        workload: &workload,
        catalog: &catalog,
        platform: args.platform,
        settings: TuneSettings {
            strategy: args.strategy,
            cpu_bound_fraction,
            vcpus_used: args.vcpus_used,
        },
        cost: CostOptions {
            free_tier: scenario.free_tier,
            new_account_offers: scenario.new_account_offers,
            region: scenario.region_of(&table.provider).map(str::to_string),
            ..CostOptions::default()
        },
        seed: scenario.seed,
        fallback_duration_ms: scenario.fallback_duration_ms,
        fluid_from_per_minute: scenario.fluid_from_per_minute,
        points,
        instance_scope: args.instance_scope,
    };
    let mut result = tune(&input)?;
    result.assumptions.extend(notes);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let doc = TuneJson {
            schema_version: 1,
            command: "tune",
            result: &result,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        render(&mut out, &result).context("writing to stdout")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Dollars as a bill shows them: `$1,234.56`.
fn dollars(m: Money) -> String {
    crate::units::Usd::from_pico(i128::from(m.micro()) * 1_000_000).to_string()
}

fn arch(a: Arch) -> &'static str {
    crate::config::arch_name(a)
}

/// `abcdef…` keeping the first `width − 1` characters of a long key.
fn shorten(key: &str, width: usize) -> String {
    let clean = terminal(key);
    if clean.chars().count() <= width {
        clean.into_owned()
    } else {
        let head: String = clean.chars().take(width - 1).collect();
        format!("{head}…")
    }
}

fn size_line(out: &mut impl Write, label: &str, c: &Candidate, saving: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "  {:<14} {:>6} MB {:<5} {:>11.1} {:>14} {:>18}",
        label,
        c.memory_mb,
        arch(c.arch),
        c.mean_duration_ms,
        dollars(c.monthly_cost_usd),
        saving
    )
}

/// The 80-column table: per unit its current and recommended size.
fn render(out: &mut impl Write, r: &TuneResult) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: one line per size (strategy {})",
        r.platform,
        r.strategy.name()
    )?;
    writeln!(
        out,
        "{:<16} {:>6}    {:<5} {:>11} {:>14} {:>18}",
        "", "memory", "arch", "mean ms", "per month", "saving per month"
    )?;
    for u in &r.units {
        let f = match &u.cpu_bound.source {
            CpuBoundSource::Fitted { points } => {
                format!("f {:.2} fitted to {} sizes", u.cpu_bound.fraction, points.len())
            }
            CpuBoundSource::Assumed => format!("f {:.2} assumed", u.cpu_bound.fraction),
            CpuBoundSource::NoCpuScaling => "CPU fixed".to_string(),
        };
        let head = format!(
            "{} invocation{}, floor {} MB, {f}",
            crate::units::group_thousands(u.invocations),
            if u.invocations == 1 { "" } else { "s" },
            u.floor_mb
        );
        writeln!(
            out,
            "{}",
            shorten(&u.key, 78usize.saturating_sub(head.chars().count()).max(10)) + "  " + &head
        )?;
        size_line(out, "current", &u.current, "")?;
        if let Some(why) = &u.current.refused {
            writeln!(out, "    (the current size is {why})")?;
        }
        match (&u.recommended, u.monthly_saving_usd) {
            (Some(rec), Some(saving)) => {
                let s = match u.saving_pct {
                    Some(p) => format!("{} ({:.0}%)", dollars(saving), if p.round() == 0.0 { 0.0 } else { p }),
                    None => dollars(saving),
                };
                size_line(out, "recommended", rec, &s)?;
            }
            _ => writeln!(
                out,
                "  not recommended on {}: {}",
                r.platform,
                u.refusal.as_deref().unwrap_or("no size is within the limits")
            )?,
        }
    }
    for s in &r.skipped {
        writeln!(out, "{}  not swept: {}", shorten(&s.key, 40), terminal(&s.reason))?;
    }
    writeln!(out, "\nassumptions:")?;
    writeln!(out, "  - strategy {}", r.strategy_rule)?;
    for a in &r.assumptions {
        writeln!(out, "  - {}", terminal(a))?;
    }
    Ok(())
}
