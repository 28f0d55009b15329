//! Series behind the report's behaviour charts that need more simulation than the comparison
//! itself: the keep-alive trade-off of a serverless option (the same simulator re-run at
//! several fixed keep-alive windows: cold-start share against idle memory-time) and the memory
//! right-sizing curve of the workload's busiest functions on its platform (`fit::tune`).

use anyhow::anyhow;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::{serverless, Plan};
use crate::config::{arch_name, ServerlessOption};
use crate::fit::tune::{choose, tune, Candidate, Strategy, TuneInput, TuneSettings};
use crate::money::Money;
use crate::pricing::InstanceScope;
use crate::sim::arrivals::function_key;
use crate::sim::keepalive::KeepAliveSpec;
use crate::sim::SimOutput;
use crate::trace::{FunctionTrace, Workload};
use crate::units::MS_PER_MINUTE;

/// The keep-alive windows of the trade-off, minutes.
pub const KEEP_ALIVE_SWEEP_MIN: [u32; 6] = [1, 5, 10, 15, 30, 60];

/// How many of the busiest functions the right-sizing curve covers.
pub const RIGHT_SIZING_FUNCTIONS: usize = 3;

/// One keep-alive window simulated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepAlivePoint {
    /// Fixed keep-alive window, minutes.
    pub keep_alive_min: u32,
    /// Share of served requests that met a cold start (0–1).
    pub cold_start_share: f64,
    /// Memory-time of instances kept warm but idle over the simulated period, GB-s.
    pub idle_gb_seconds: f64,
    /// p99 added latency (cold-start init, waiting for a slot), ms.
    pub p99_added_latency_ms: f64,
}

/// A serverless option at several keep-alive windows, everything else as analyzed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepAliveTradeoff {
    /// The option.
    pub option: String,
    /// Its own keep-alive policy, resolved (e.g. `provider (fixed:15m)`).
    pub option_keep_alive: String,
    /// Its own window in minutes, when it is a fixed window.
    pub option_keep_alive_min: Option<f64>,
    /// Length of the simulated period, minutes (the idle memory-time is over it).
    pub period_minutes: f64,
    /// The replayed window the others but the option's own were read off (`None`: each was
    /// replayed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_off_min: Option<u32>,
    /// One point per window of [`KEEP_ALIVE_SWEEP_MIN`], ascending.
    pub points: Vec<KeepAlivePoint>,
}

/// The fixed window, in ms, of an option's keep-alive policy (`None`: not a fixed window).
fn fixed_window_ms(plan: &Plan, opt: &ServerlessOption) -> anyhow::Result<Option<u64>> {
    let default_ms = plan
        .catalog
        .get(opt.platform.id())
        .map_err(|e| anyhow!("option '{}': {e}", opt.id))?
        .behaviour
        .as_ref()
        .map_or(0, |b| b.default_keep_alive_ms);
    Ok(match opt.keep_alive {
        KeepAliveSpec::Fixed { keep_alive_ms } => Some(keep_alive_ms),
        KeepAliveSpec::Provider => Some(default_ms),
        KeepAliveSpec::None => Some(0),
        KeepAliveSpec::Hybrid(_) => None,
    })
}

/// The option at each window of [`KEEP_ALIVE_SWEEP_MIN`]; `run` is its analyzed simulation,
/// reused for the window it already has. The longest window is replayed, and the others are
/// read off that replay (`sim::window_sweep`: the requests a shorter window leaves without a
/// warm instance, the idle time it cuts) where every unit allows it; where not (a fluid-path
/// unit, retries, activity merging), each is replayed, side by side (one at a time when not
/// `side_by_side`: `analyze --low-memory`), each with the option's seed, so the result does not
/// depend on the thread count or the order.
pub fn keep_alive_tradeoff(
    plan: &Plan,
    opt: &ServerlessOption,
    run: &SimOutput,
    side_by_side: bool,
) -> anyhow::Result<KeepAliveTradeoff> {
    let own_ms = fixed_window_ms(plan, opt)?;
    let to_ms = |minutes: u32| u64::from(minutes) * MS_PER_MINUTE;
    let point = |minutes: u32, out: &SimOutput| KeepAlivePoint {
        keep_alive_min: minutes,
        cold_start_share: out.stats.cold_start_rate,
        idle_gb_seconds: out.stats.idle_gb_seconds,
        p99_added_latency_ms: out.stats.overhead_ms.p99 as f64,
    };
    let longest_min = KEEP_ALIVE_SWEEP_MIN[KEEP_ALIVE_SWEEP_MIN.len() - 1];
    let shorter: Vec<u32> = KEEP_ALIVE_SWEEP_MIN
        .iter()
        .copied()
        .filter(|&m| m != longest_min && own_ms != Some(to_ms(m)))
        .collect();
    let at = |minutes: u32| {
        let mut variant = opt.clone();
        variant.keep_alive = KeepAliveSpec::Fixed {
            keep_alive_ms: to_ms(minutes),
        };
        variant
    };
    let shorter_ms: Vec<u64> = shorter.iter().map(|&m| to_ms(m)).collect();
    // A unit tallies the shorter windows unless the option retries or merges activity periods
    // (known before replaying) or it takes the fluid path (known after).
    let mut cfg = serverless::sim_config(plan, &at(longest_min))?;
    let tallies = !shorter.is_empty() && cfg.retry.is_none() && cfg.platform.facts.activity_merge_ms.unwrap_or(0) == 0;
    let longest = if tallies {
        cfg.shorter_windows_ms = shorter_ms;
        Some(serverless::run_whole_with(plan, &at(longest_min), &cfg)?)
    } else {
        None
    };
    let read_off = longest
        .as_ref()
        .map(|out| &out.stats.shorter_windows)
        .filter(|w| w.len() == shorter.len());
    let points =
        crate::parallel::map_side_by_side(&KEEP_ALIVE_SWEEP_MIN, side_by_side && read_off.is_none(), |&minutes| {
            if own_ms == Some(to_ms(minutes)) {
                return Ok(point(minutes, run));
            }
            if let Some(out) = longest.as_ref().filter(|_| minutes == longest_min) {
                return Ok(point(minutes, out));
            }
            match read_off.and_then(|r| r.iter().find(|w| w.keep_alive_ms == to_ms(minutes))) {
                Some(w) => Ok(KeepAlivePoint {
                    keep_alive_min: minutes,
                    cold_start_share: w.cold_start_rate,
                    idle_gb_seconds: w.idle_gb_seconds,
                    p99_added_latency_ms: w.overhead_ms.p99 as f64,
                }),
                None => Ok(point(minutes, &serverless::run_whole(plan, &at(minutes))?)),
            }
        })
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(KeepAliveTradeoff {
        option: opt.id.clone(),
        option_keep_alive: run.stats.keep_alive.clone(),
        option_keep_alive_min: own_ms.map(|ms| ms as f64 / MS_PER_MINUTE as f64),
        period_minutes: run.stats.period_ms as f64 / MS_PER_MINUTE as f64,
        read_off_min: read_off.map(|_| longest_min),
        points,
    })
}

/// One memory size of a function, priced alone on the platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizingPoint {
    /// Memory, MB.
    pub memory_mb: u32,
    /// The function's monthly bill alone at this size.
    pub monthly_cost_usd: Money,
    /// Predicted mean execution, ms.
    pub mean_duration_ms: f64,
    /// Whether the size may be used (not below the memory floor, within the timeout).
    pub allowed: bool,
}

/// One function's cost against its memory size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizingCurve {
    /// Function (or app, where the platform sizes apps) key.
    pub function: String,
    /// Invocations in the trace window.
    pub invocations: u64,
    /// The size the trace shows it at, MB.
    pub traced_mb: u32,
    /// The smallest size allowed, MB (memory used plus headroom).
    pub floor_mb: u32,
    /// The cheapest allowed size, MB (ties: faster, then smaller); `None`: no size is allowed.
    pub cheapest_mb: Option<u32>,
    /// Why no size is allowed.
    pub refusal: Option<String>,
    /// Every size tried, ascending.
    pub points: Vec<SizingPoint>,
}

/// The right-sizing curves of the busiest functions on a serverless option's platform and
/// architecture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightSizing {
    /// The option whose platform is swept.
    pub option: String,
    /// Its platform.
    pub platform: String,
    /// Its architecture.
    pub arch: String,
    /// The memory the option configures, MB (`None`: the trace's).
    pub option_memory_mb: Option<u32>,
    /// The busiest functions, busiest first.
    pub functions: Vec<SizingCurve>,
    /// How durations and costs are predicted (the `tune` model's assumptions).
    pub assumptions: Vec<String>,
}

/// The workload restricted to the apps of its `n` busiest functions, every function of them (a
/// function's share of its app's memory is apportioned over the app's functions), in the
/// workload's order.
fn busiest(workload: &Workload, n: usize) -> Workload {
    let mut ranked: Vec<&FunctionTrace> = workload
        .functions
        .iter()
        .filter(|f| f.arrivals.invocations() > 0)
        .collect();
    ranked.sort_by(|a, b| {
        b.arrivals
            .invocations()
            .cmp(&a.arrivals.invocations())
            .then_with(|| function_key(&a.id).cmp(&function_key(&b.id)))
    });
    let picked: Vec<&FunctionTrace> = ranked.into_iter().take(n).collect();
    Workload {
        functions: workload
            .functions
            .iter()
            .filter(|f| picked.iter().any(|p| p.id.app_key() == f.id.app_key()))
            .cloned()
            .collect(),
        window_start_ms: workload.window_start_ms,
        window_end_ms: workload.window_end_ms,
        sources: vec![],
        warnings: vec![],
    }
}

/// The cheapest allowed candidate (ties: faster, then smaller), as `tune` chooses by cost.
fn cheapest(points: &[&Candidate]) -> Option<u32> {
    let allowed: Vec<&Candidate> = points.iter().copied().filter(|c| c.refused.is_none()).collect();
    choose(&allowed, Strategy::Cost).map(|c| c.memory_mb)
}

/// The memory right-sizing curves of the [`RIGHT_SIZING_FUNCTIONS`] busiest units (functions,
/// or apps where the platform sizes apps) among the apps of the workload's busiest functions,
/// on the option's platform at its architecture: `fit::tune`'s sweep, each unit priced alone
/// with the scenario's free-tier choice and region.
pub fn right_sizing(plan: &Plan, opt: &ServerlessOption) -> anyhow::Result<RightSizing> {
    let table = plan
        .catalog
        .get(opt.platform.id())
        .map_err(|e| anyhow!("option '{}': {e}", opt.id))?;
    // One service for the whole workload is one unit: sized with every function in it.
    let workload = match opt.instance_scope {
        Some(InstanceScope::Workload) => Arc::clone(&plan.workload),
        _ => Arc::new(busiest(&plan.workload, RIGHT_SIZING_FUNCTIONS)),
    };
    let result = tune(&TuneInput {
        workload: &workload,
        catalog: &plan.catalog,
        platform: opt.platform,
        settings: TuneSettings {
            strategy: Strategy::Cost,
            cpu_bound_fraction: plan.scenario.cpu_bound_fraction,
            vcpus_used: 1.0,
        },
        cost: crate::cost::CostOptions {
            commitment: opt.commitment.term(),
            ..plan.cost_options(table)
        },
        seed: plan.scenario.seed,
        fallback_duration_ms: plan.scenario.fallback_duration_ms,
        fluid_from_per_minute: plan.scenario.fluid_from_per_minute,
        points: BTreeMap::new(),
        instance_scope: opt.instance_scope,
    })?;
    let functions = result
        .units
        .iter()
        .take(RIGHT_SIZING_FUNCTIONS)
        .map(|u| {
            let at_arch: Vec<&Candidate> = u.curve.iter().filter(|c| c.arch == opt.arch).collect();
            SizingCurve {
                function: u.key.clone(),
                invocations: u.invocations,
                traced_mb: u.current.memory_mb,
                floor_mb: u.floor_mb,
                cheapest_mb: cheapest(&at_arch),
                refusal: u.refusal.clone(),
                points: at_arch
                    .iter()
                    .map(|c| SizingPoint {
                        memory_mb: c.memory_mb,
                        monthly_cost_usd: c.monthly_cost_usd,
                        mean_duration_ms: c.mean_duration_ms,
                        allowed: c.refused.is_none(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(RightSizing {
        option: opt.id.clone(),
        platform: table.id.clone(),
        arch: arch_name(opt.arch).to_string(),
        option_memory_mb: opt.memory_mb,
        functions,
        assumptions: result
            .assumptions
            .into_iter()
            .chain(opt.commitment.term().map(|term| {
                format!("each memory size is priced under the option's {term}, a plan sized to that size's duration")
            }))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scenario;
    use crate::pricing::Catalog;
    use crate::sim::arrivals::per_minute_function;
    use crate::trace::DurationInfo;

    /// A plan of two per-minute functions: `busy` (60 a minute) and `quiet` (1 every 20
    /// minutes), over two hours, with the default scenario's options.
    fn plan() -> Plan {
        let busy = per_minute_function("busy", vec![60; 120], DurationInfo::Unknown);
        let quiet = per_minute_function(
            "quiet",
            (0..120).map(|m| u32::from(m % 20 == 0)).collect(),
            DurationInfo::Unknown,
        );
        let mut scenario = Scenario::default_scenario();
        scenario.fallback_duration_ms = Some(200.0);
        Plan {
            scenario,
            scenario_label: "test".into(),
            workload: Workload {
                functions: vec![busy, quiet],
                window_start_ms: 0,
                window_end_ms: 120 * MS_PER_MINUTE,
                sources: vec![],
                warnings: vec![],
            }
            .into(),
            trace_files: vec![],
            catalog: Catalog::embedded().unwrap(),
            what_if: super::super::WhatIf::default(),
            replays: None,
        }
    }

    fn lambda(plan: &Plan) -> ServerlessOption {
        plan.scenario
            .serverless
            .iter()
            .find(|o| o.id == "lambda-arm64")
            .unwrap()
            .clone()
    }

    /// A longer window keeps instances warm across more gaps: cold starts never rise and idle
    /// memory-time never falls as the window grows; the option's own window (Lambda's provider
    /// default) is the analyzed run itself.
    #[test]
    fn longer_keep_alive_trades_cold_starts_for_idle_memory() {
        let plan = plan();
        let opt = lambda(&plan);
        let run = serverless::run(&plan, &opt, &plan.workload).unwrap();
        let t = keep_alive_tradeoff(&plan, &opt, &run, true).unwrap();
        assert_eq!(t, keep_alive_tradeoff(&plan, &opt, &run, false).unwrap());
        assert_eq!(
            t.points.iter().map(|p| p.keep_alive_min).collect::<Vec<_>>(),
            KEEP_ALIVE_SWEEP_MIN
        );
        for w in t.points.windows(2) {
            assert!(w[1].cold_start_share <= w[0].cold_start_share, "{w:?}");
            assert!(w[1].idle_gb_seconds >= w[0].idle_gb_seconds, "{w:?}");
        }
        // `quiet` is invoked every 20 minutes: windows under 20 minutes let every one of its 6
        // invocations start cold, 30 and 60 minutes keep it warm after the first.
        let first = &t.points[0];
        let last = &t.points[5];
        assert!(first.cold_start_share > last.cold_start_share, "{t:?}");
        assert!(first.idle_gb_seconds < last.idle_gb_seconds, "{t:?}");
        assert!((t.period_minutes - 120.0).abs() < 1.0, "{}", t.period_minutes);
        if let Some(own) = t.option_keep_alive_min {
            if let Some(p) = t.points.iter().find(|p| f64::from(p.keep_alive_min) == own) {
                assert_eq!(p.cold_start_share, run.stats.cold_start_rate);
                assert_eq!(p.idle_gb_seconds, run.stats.idle_gb_seconds);
            }
        }
        // The longest window is replayed (reading the others off changes nothing in it) and
        // the others are read off it.
        assert_eq!(t.read_off_min, Some(60));
        let at = |minutes: u64| {
            let mut variant = opt.clone();
            variant.keep_alive = KeepAliveSpec::Fixed {
                keep_alive_ms: minutes * MS_PER_MINUTE,
            };
            serverless::run_whole(&plan, &variant).unwrap().stats
        };
        let longest = at(60);
        assert_eq!(
            (last.cold_start_share, last.idle_gb_seconds),
            (longest.cold_start_rate, longest.idle_gb_seconds)
        );
        // Where a unit takes the fluid path (from 1 call a minute, every one), nothing is read
        // off: each window is replayed.
        let mut fluid = plan.clone();
        fluid.scenario.fluid_from_per_minute = 1;
        let run = serverless::run(&fluid, &opt, &fluid.workload).unwrap();
        let t = keep_alive_tradeoff(&fluid, &opt, &run, true).unwrap();
        assert_eq!(t.read_off_min, None);
        let one = {
            let mut variant = opt.clone();
            variant.keep_alive = KeepAliveSpec::Fixed {
                keep_alive_ms: MS_PER_MINUTE,
            };
            serverless::run_whole(&fluid, &variant).unwrap().stats
        };
        assert_eq!(t.points[0].cold_start_share, one.cold_start_rate);
        assert_eq!(t.points[0].idle_gb_seconds, one.idle_gb_seconds);
    }

    #[test]
    fn right_sizing_sweeps_the_busiest_functions_at_the_options_architecture() {
        let plan = plan();
        let opt = lambda(&plan);
        let r = right_sizing(&plan, &opt).unwrap();
        assert_eq!((r.platform.as_str(), r.arch.as_str()), ("aws-lambda", "arm64"));
        assert_eq!(r.option_memory_mb, Some(1024));
        // Both functions (fewer than three), the busiest first.
        let names: Vec<&str> = r.functions.iter().map(|f| f.function.as_str()).collect();
        assert_eq!(names.len(), 2);
        assert!(names[0].ends_with("busy") && names[1].ends_with("quiet"), "{names:?}");
        assert_eq!(r.functions[0].invocations, 7_200);
        for f in &r.functions {
            assert!(f.points.windows(2).all(|w| w[0].memory_mb < w[1].memory_mb));
            let best = f.cheapest_mb.unwrap();
            let at = |mb: u32| f.points.iter().find(|p| p.memory_mb == mb).unwrap();
            assert!(at(best).allowed);
            assert!(f
                .points
                .iter()
                .filter(|p| p.allowed)
                .all(|p| p.monthly_cost_usd >= at(best).monthly_cost_usd));
        }
    }

    #[test]
    fn busiest_keeps_the_apps_of_the_top_functions() {
        let plan = plan();
        let one = busiest(&plan.workload, 1);
        assert_eq!(one.functions.len(), 1);
        assert_eq!(one.functions[0].id.function, "busy");
        assert_eq!(one.window_ms(), plan.workload.window_ms());
        // A quiet function in the busiest one's app comes with it.
        let mut w = (*plan.workload).clone();
        w.functions[1].id.app = "busy".into();
        assert_eq!(busiest(&w, 1).functions.len(), 2);
    }
}
