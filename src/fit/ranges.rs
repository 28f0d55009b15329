//! Ranges and sensitivity: how sure the verdict is. Each uncertain input (CPU-bound fraction,
//! cold-start latency, traffic growth, the window's extrapolation to a month, the spread of
//! per-minute counts) is set to a low and a high value with the others at the scenario's; the
//! existing evaluation (`eval`) and decision (`fit::decide`) run again on each case. A seeded
//! Monte Carlo over arrival randomness (seeds derived from the scenario's) gives P10/P50/P90 of
//! each option's monthly and horizon cost. The verdict holds when the same option wins in every
//! low and high case and in at least 90 % of the runs; the tornado orders the inputs by how far
//! they move the horizon cost of the winner or of the runner-up (the margin the verdict stands
//! on). Growth and window cases re-price the typical case's
//! serverless runs (the simulation does not see them), and so do CPU-bound cases where no
//! function's durations are scaled by memory (the fleets are re-sized); the cases run two at a
//! time (one at a time under `analyze --low-memory`) and are collected in a fixed order, so the
//! result does not depend on the thread count.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::decide;
use crate::config::ServerlessOption;
use crate::eval::{evaluate_all_reusing, Evaluation, Plan, Reuse, ServerlessRuns};
use crate::money::Money;
use crate::sim::arrivals::SpreadMode;
use crate::units::MS_PER_MONTH;

/// Monte Carlo runs when the user names no number.
pub const DEFAULT_MONTE_CARLO_RUNS: u32 = 5;
/// Share of Monte Carlo runs the winner must win for the verdict to hold.
pub const HOLDS_SHARE: f64 = 0.9;
/// Low and high CPU-bound fraction (an I/O-bound and a CPU-bound service).
pub const CPU_BOUND_FRACTION_LOW_HIGH: (f64, f64) = (0.2, 0.9);
/// Low and high multiple of the platforms' cold-start latency distributions.
pub const COLD_START_MULTIPLE_LOW_HIGH: (f64, f64) = (0.5, 2.0);
/// Low and high multiple of the traffic a window shorter than a month stands for: a day or a
/// week misses the month's other days, and business traffic commonly swings by about a fifth
/// between weekdays and weekends or between weeks.
pub const WINDOW_MULTIPLE_LOW_HIGH: (f64, f64) = (0.8, 1.2);
/// The high traffic growth as a multiple of the scenario's (the low is none).
pub const GROWTH_HIGH_MULTIPLE: f64 = 2.0;

/// An uncertain input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// Share of a request's duration that needs the CPU (scenario `cpu_bound_fraction`).
    CpuBoundFraction,
    /// The platforms' cold-start (init) latency.
    ColdStartLatency,
    /// Traffic growth per month (scenario `growth_per_month`).
    TrafficGrowth,
    /// How much traffic the window scaled to a month stands for.
    WindowExtrapolation,
    /// How per-minute counts are placed inside their minute.
    SpreadMode,
}

impl Input {
    /// The input's name as reports write it.
    pub fn name(self) -> &'static str {
        match self {
            Input::CpuBoundFraction => "cpu_bound_fraction",
            Input::ColdStartLatency => "cold_start_latency",
            Input::TrafficGrowth => "traffic_growth",
            Input::WindowExtrapolation => "window_extrapolation",
            Input::SpreadMode => "spread_mode",
        }
    }
}

/// One value of an input.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Setting {
    CpuBoundFraction(f64),
    ColdStartMultiple(f64),
    Growth(f64),
    WindowMultiple(f64),
    Spread(SpreadMode),
}

impl Setting {
    /// The plan with this value.
    fn apply(self, plan: &Plan) -> Plan {
        let mut p = plan.clone();
        match self {
            Setting::CpuBoundFraction(f) => p.scenario.cpu_bound_fraction = f,
            Setting::ColdStartMultiple(x) => p.what_if.cold_start_multiple = x,
            Setting::Growth(g) => p.scenario.growth_per_month = g,
            Setting::WindowMultiple(x) => p.what_if.traffic_multiple = x,
            Setting::Spread(s) => p.what_if.spread = s,
        }
        p
    }

    /// What of the typical case stands at this value: the serverless runs when only pricing
    /// sees it (`cpu_unseen`: the options whose simulation does not see the CPU-bound
    /// fraction), the provisioned evaluations when the fleet model does not.
    fn reuse<'a>(
        self,
        runs: &'a ServerlessRuns,
        cpu_unseen: &'a BTreeSet<String>,
        evals: &'a [Evaluation],
    ) -> Reuse<'a> {
        match self {
            Setting::Growth(_) | Setting::WindowMultiple(_) => Reuse {
                runs: Some(runs),
                ..Reuse::default()
            },
            Setting::CpuBoundFraction(_) => Reuse {
                runs: Some(runs),
                runs_of: Some(cpu_unseen),
                provisioned: None,
            },
            Setting::ColdStartMultiple(_) | Setting::Spread(_) => Reuse {
                provisioned: Some(evals),
                ..Reuse::default()
            },
        }
    }

    /// The value in words.
    fn text(self) -> String {
        match self {
            Setting::CpuBoundFraction(f) => decimals(f),
            Setting::ColdStartMultiple(x) | Setting::WindowMultiple(x) => format!("×{}", decimals(x)),
            Setting::Growth(g) => format!("{}% a month", decimals(g * 100.0)),
            Setting::Spread(s) => s.name().to_string(),
        }
    }
}

/// Whether the simulation of serverless option `opt` of `plan` depends on the CPU-bound
/// fraction: a function whose trace gives a configured memory, run at another memory size, has
/// its durations scaled by it (`sim::duration_scale`); and requests sharing an instance whose
/// vCPUs the platform states contend for them (`sim::contention`: Cloud Run, Azure
/// Consumption). Elsewhere a CPU-bound case re-prices the option's typical run.
fn simulation_sees_cpu_bound_fraction(plan: &Plan, opt: &ServerlessOption) -> bool {
    let resized = opt.memory_mb.is_some_and(|new| {
        plan.workload
            .functions
            .iter()
            .any(|f| f.memory.configured_mb.is_some_and(|old| old != new))
    });
    let contended = crate::sim::platform::PlatformModel::from_catalog(&plan.catalog, opt.platform).is_ok_and(|m| {
        let shares_instances = opt
            .concurrency_per_instance
            .unwrap_or(m.facts.per_instance_concurrency_default)
            > 1;
        let states_vcpus = m.facts.instance_vcpu_at(1024).is_some();
        shares_instances && states_vcpus
    });
    resized || contended
}

/// The serverless options whose simulation does not see the CPU-bound fraction: a CPU-bound
/// case re-prices their typical runs instead of simulating them again.
fn options_unseen_by_cpu_bound_fraction(plan: &Plan) -> BTreeSet<String> {
    plan.scenario
        .serverless
        .iter()
        .filter(|o| !simulation_sees_cpu_bound_fraction(plan, o))
        .map(|o| o.id.clone())
        .collect()
}

/// A number with at most three decimals, trailing zeros dropped (`0.2`, `2`, `1.125`).
fn decimals(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// The low, typical and high value of each uncertain input of `plan`. The window is an input
/// only when it is shorter than a month.
fn inputs(plan: &Plan, bounds: &Bounds) -> Vec<(Input, [Setting; 3])> {
    let s = &plan.scenario;
    let cpu = s.cpu_bound_fraction;
    let (cpu_low, cpu_high) = bounds.cpu_bound_fraction;
    let (cold_low, cold_high) = bounds.cold_start_multiple;
    let cold = plan.what_if.cold_start_multiple;
    let g = s.growth_per_month;
    let g_high = g * bounds.growth_high_multiple;
    let mut out = vec![
        (
            Input::CpuBoundFraction,
            [
                Setting::CpuBoundFraction(cpu_low.min(cpu)),
                Setting::CpuBoundFraction(cpu),
                Setting::CpuBoundFraction(cpu_high.max(cpu)),
            ],
        ),
        (
            Input::ColdStartLatency,
            [
                Setting::ColdStartMultiple(cold * cold_low),
                Setting::ColdStartMultiple(cold),
                Setting::ColdStartMultiple(cold * cold_high),
            ],
        ),
        (
            Input::TrafficGrowth,
            [
                Setting::Growth(g_high.min(0.0)),
                Setting::Growth(g),
                Setting::Growth(g_high.max(0.0)),
            ],
        ),
    ];
    if plan.period_ms() < MS_PER_MONTH {
        let (low, high) = bounds.window_multiple;
        let x = plan.what_if.traffic_multiple;
        out.push((
            Input::WindowExtrapolation,
            [
                Setting::WindowMultiple(x * low),
                Setting::WindowMultiple(x),
                Setting::WindowMultiple(x * high),
            ],
        ));
    }
    out.push((
        Input::SpreadMode,
        [
            Setting::Spread(SpreadMode::Even),
            Setting::Spread(plan.what_if.spread),
            Setting::Spread(SpreadMode::Poisson),
        ],
    ));
    out
}

/// What one case found: its winner and each option's costs, in the scenario's order.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    winner: Option<String>,
    monthly: Vec<Option<Money>>,
    horizon: Vec<Option<Money>>,
}

impl Outcome {
    fn of(plan: &Plan, evals: &[Evaluation]) -> Outcome {
        Outcome {
            winner: decide(plan, evals).cheapest_option,
            monthly: evals.iter().map(|e| e.costing.as_ref().map(|c| c.monthly())).collect(),
            horizon: evals.iter().map(|e| e.costing.as_ref().map(|c| c.horizon)).collect(),
        }
    }
}

/// The seeds of `runs` Monte Carlo runs, derived from the scenario's `seed`: SplitMix64 of
/// `seed + k·γ` for k = 1…runs (a bijection of distinct states, so the seeds are distinct).
pub fn monte_carlo_seeds(seed: u64, runs: u32) -> Vec<u64> {
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
    (1..=u64::from(runs))
        .map(|k| {
            let mut z = seed.wrapping_add(k.wrapping_mul(GAMMA));
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
        .collect()
}

/// P10, P50 and P90 of a set of amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Percentiles {
    /// 10th percentile.
    pub p10: Money,
    /// Median.
    pub p50: Money,
    /// 90th percentile.
    pub p90: Money,
}

impl Percentiles {
    /// Nearest-rank percentiles (each one of the amounts; None when there are none).
    pub fn of(amounts: &[Money]) -> Option<Percentiles> {
        let mut v = amounts.to_vec();
        v.sort();
        let at = |p: f64| -> Option<Money> {
            let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1));
            v.get(rank - 1).copied()
        };
        Some(Percentiles {
            p10: at(0.1)?,
            p50: at(0.5)?,
            p90: at(0.9)?,
        })
    }
}

/// One option's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionRange {
    /// Option id.
    pub id: String,
    /// P10/P50/P90 of the first month's cost over the Monte Carlo runs (null: no run, or not priced).
    pub monthly_usd: Option<Percentiles>,
    /// P10/P50/P90 of the horizon cost over the Monte Carlo runs.
    pub horizon_usd: Option<Percentiles>,
    /// Monte Carlo runs in which it was the cheapest viable option.
    pub monte_carlo_wins: u32,
    /// The lowest horizon cost of the typical, low and high cases (null: not priced in any).
    pub horizon_case_min_usd: Option<Money>,
    /// The highest horizon cost of the typical, low and high cases.
    pub horizon_case_max_usd: Option<Money>,
}

/// One input's low and high case: a row of the tornado.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sensitivity {
    /// The input.
    pub input: Input,
    /// Its low value, in words.
    pub low: String,
    /// The scenario's value.
    pub typical: String,
    /// Its high value.
    pub high: String,
    /// The cheapest viable option at the low value (null: none is viable).
    pub winner_at_low: Option<String>,
    /// The cheapest viable option at the high value.
    pub winner_at_high: Option<String>,
    /// The verdict's winner's horizon cost at the low value.
    pub winner_horizon_low_usd: Option<Money>,
    /// Its horizon cost at the high value.
    pub winner_horizon_high_usd: Option<Money>,
    /// The verdict's runner-up's horizon cost at the low value.
    pub runner_up_horizon_low_usd: Option<Money>,
    /// Its horizon cost at the high value.
    pub runner_up_horizon_high_usd: Option<Money>,
    /// How far the low and high values move the verdict's two options: the larger of the
    /// winner's and the runner-up's |horizon cost at high − at low| (null: neither priced in both).
    pub swing_usd: Option<Money>,
    /// Whether the low or the high value names another winner.
    pub flips: bool,
}

/// How sure the verdict is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ranges {
    /// The verdict's winner (the typical case's).
    pub winner: Option<String>,
    /// The verdict's runner-up.
    pub runner_up: Option<String>,
    /// Whether the winner wins in every low and high case and in at least 90 % of the Monte Carlo runs.
    pub holds: bool,
    /// The answer in one sentence.
    pub summary: String,
    /// Monte Carlo runs over arrival randomness (0: none).
    pub monte_carlo_runs: u32,
    /// Their seeds.
    pub monte_carlo_seeds: Vec<u64>,
    /// The inputs, by swing (the largest first).
    pub sensitivity: Vec<Sensitivity>,
    /// Every option, in the scenario's order.
    pub options: Vec<OptionRange>,
}

/// The low and high values of the inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Low and high CPU-bound fraction (the scenario's is kept inside).
    pub cpu_bound_fraction: (f64, f64),
    /// Low and high multiple of the cold-start latency.
    pub cold_start_multiple: (f64, f64),
    /// Low and high multiple of the traffic a window shorter than a month stands for.
    pub window_multiple: (f64, f64),
    /// The high growth as a multiple of the scenario's.
    pub growth_high_multiple: f64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            cpu_bound_fraction: CPU_BOUND_FRACTION_LOW_HIGH,
            cold_start_multiple: COLD_START_MULTIPLE_LOW_HIGH,
            window_multiple: WINDOW_MULTIPLE_LOW_HIGH,
            growth_high_multiple: GROWTH_HIGH_MULTIPLE,
        }
    }
}

/// What to compute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangeSettings {
    /// Monte Carlo runs (0: none).
    pub monte_carlo_runs: u32,
    /// The inputs' low and high values.
    pub bounds: Bounds,
    /// Two cases evaluated at once (each replay runs its functions on every thread either way);
    /// false: one at a time, holding one replay's memory (`analyze --low-memory`).
    pub side_by_side: bool,
}

/// One case to evaluate.
enum Job {
    Case(Setting),
    Seed(u64),
}

impl Job {
    /// The plan of this case: `plan` with one setting or the seed changed. The workload is
    /// shared, not copied (two cases are evaluated at once, and a 14-day full-scale trace
    /// holds ~0.6 GB).
    fn plan(&self, plan: &Plan) -> Plan {
        match self {
            Job::Case(s) => s.apply(plan),
            Job::Seed(seed) => {
                let mut p = plan.clone();
                p.scenario.seed = *seed;
                p
            }
        }
    }
}

/// The ranges of `plan`, whose typical case evaluated to `evals` with the serverless `runs`.
pub fn ranges(
    plan: &Plan,
    evals: &[Evaluation],
    runs: &ServerlessRuns,
    settings: RangeSettings,
) -> anyhow::Result<Ranges> {
    let typical = Outcome::of(plan, evals);
    let decision = decide(plan, evals);
    let inputs = inputs(plan, &settings.bounds);
    let seeds = monte_carlo_seeds(plan.scenario.seed, settings.monte_carlo_runs);
    let cpu_unseen = options_unseen_by_cpu_bound_fraction(plan);
    let mut jobs: Vec<Job> = Vec::new();
    for (_, [low, typ, high]) in &inputs {
        for s in [low, high] {
            if s != typ {
                jobs.push(Job::Case(*s));
            }
        }
    }
    jobs.extend(seeds.iter().map(|&s| Job::Seed(s)));
    let outcomes: Vec<Outcome> = crate::parallel::map_side_by_side(&jobs, settings.side_by_side, |job| {
        let p = job.plan(plan);
        let reuse = match job {
            Job::Case(s) => s.reuse(runs, &cpu_unseen, evals),
            Job::Seed(_) => Reuse {
                provisioned: Some(evals),
                ..Reuse::default()
            },
        };
        Ok(Outcome::of(&p, &evaluate_all_reusing(&p, reuse)?))
    })
    .into_iter()
    .collect::<anyhow::Result<_>>()?;
    let (case_outcomes, mc) = outcomes.split_at(outcomes.len() - seeds.len());
    let mut next = case_outcomes.iter();
    let index_of = |id: &Option<String>| id.as_ref().and_then(|id| evals.iter().position(|e| &e.id == id));
    let (w, r) = (index_of(&decision.cheapest_option), index_of(&decision.runner_up));
    let cost = |o: &Outcome, i: Option<usize>| i.and_then(|i| o.horizon[i]);
    let mut sensitivity = Vec::new();
    let mut cases: Vec<&Outcome> = vec![&typical];
    for (input, [low, typ, high]) in &inputs {
        let mut pick = |s: &Setting| {
            if s == typ {
                &typical
            } else {
                next.next().expect("one outcome per case")
            }
        };
        let (lo, hi) = (pick(low), pick(high));
        cases.extend([lo, hi]);
        let (wl, wh) = (cost(lo, w), cost(hi, w));
        sensitivity.push(Sensitivity {
            input: *input,
            low: low.text(),
            typical: typ.text(),
            high: high.text(),
            winner_at_low: lo.winner.clone(),
            winner_at_high: hi.winner.clone(),
            winner_horizon_low_usd: wl,
            winner_horizon_high_usd: wh,
            runner_up_horizon_low_usd: cost(lo, r),
            runner_up_horizon_high_usd: cost(hi, r),
            swing_usd: swing(wl, wh).max(swing(cost(lo, r), cost(hi, r))),
            flips: lo.winner != typical.winner || hi.winner != typical.winner,
        });
    }
    sensitivity.sort_by_key(|s| std::cmp::Reverse(s.swing_usd));
    let options: Vec<OptionRange> = evals
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let monthly: Vec<Money> = mc.iter().filter_map(|o| o.monthly[i]).collect();
            let horizon: Vec<Money> = mc.iter().filter_map(|o| o.horizon[i]).collect();
            OptionRange {
                id: e.id.clone(),
                monthly_usd: Percentiles::of(&monthly),
                horizon_usd: Percentiles::of(&horizon),
                monte_carlo_wins: mc.iter().filter(|o| o.winner.as_deref() == Some(e.id.as_str())).count() as u32,
                horizon_case_min_usd: cases.iter().filter_map(|o| o.horizon[i]).min(),
                horizon_case_max_usd: cases.iter().filter_map(|o| o.horizon[i]).max(),
            }
        })
        .collect();
    let mc_wins = mc.iter().filter(|o| o.winner == typical.winner).count();
    let mc_holds = mc.is_empty() || mc_wins as f64 >= HOLDS_SHARE * mc.len() as f64;
    let holds = mc_holds && !sensitivity.iter().any(|s| s.flips);
    Ok(Ranges {
        summary: summary(&typical.winner, &sensitivity, mc_wins, mc.len(), holds),
        winner: decision.cheapest_option,
        runner_up: decision.runner_up,
        holds,
        monte_carlo_runs: settings.monte_carlo_runs,
        monte_carlo_seeds: seeds,
        sensitivity,
        options,
    })
}

/// |b − a| when both are priced.
fn swing(a: Option<Money>, b: Option<Money>) -> Option<Money> {
    a.zip(b).map(|(a, b)| Money::from_micro((b.micro() - a.micro()).abs()))
}

/// The answer in one sentence: the verdict holds, or which inputs flip it.
fn summary(
    winner: &Option<String>,
    sensitivity: &[Sensitivity],
    mc_wins: usize,
    mc_runs: usize,
    holds: bool,
) -> String {
    let name = |w: &Option<String>| w.clone().unwrap_or_else(|| "no option".into());
    let runs = if mc_runs == 0 {
        "(no Monte Carlo runs)".to_string()
    } else {
        format!("and in {mc_wins} of {mc_runs} Monte Carlo runs over arrival randomness")
    };
    if holds {
        return match winner {
            Some(w) => format!("The verdict holds across the range: {w} is the cheapest viable option in every low and high case {runs}."),
            None => format!("No option is viable in any low or high case {runs}."),
        };
    }
    let mut flips = Vec::new();
    for s in sensitivity.iter().filter(|s| s.flips) {
        for (value, at) in [(&s.low, &s.winner_at_low), (&s.high, &s.winner_at_high)] {
            if at != winner {
                let what = match at {
                    Some(o) => format!("makes {o} the cheapest"),
                    None => "leaves no option viable".into(),
                };
                flips.push(format!("{} {value} {what}", s.input.name()));
            }
        }
    }
    if mc_runs > 0 && (mc_wins as f64) < HOLDS_SHARE * mc_runs as f64 {
        flips.push(format!(
            "{} wins only {mc_wins} of {mc_runs} Monte Carlo runs (it must win {:.0}%)",
            name(winner),
            HOLDS_SHARE * 100.0
        ));
    }
    format!(
        "The verdict ({}) does not hold across the range: {}.",
        name(winner),
        flips.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scenario;
    use crate::eval::{evaluate_all_with_progress, WhatIf};
    use crate::trace::{
        Arrivals, DurationInfo, FunctionId, FunctionTrace, MemoryInfo, MinuteCounts, Trigger, Workload,
    };
    use std::sync::Arc;

    /// Lambda against three t3.medium servers on one function invoked once every 20 minutes
    /// for 4 hours (every request starts cold), 500 ms each; a 12-month horizon.
    fn plan() -> Plan {
        let mut scenario = Scenario::default_scenario();
        scenario.horizon_months = 12;
        scenario.serverless.retain(|o| o.id == "lambda-arm64");
        scenario.provisioned.retain(|o| o.id == "ec2-t3-static");
        scenario.hybrid.clear();
        let counts: Vec<u32> = (0..240).map(|m| u32::from(m % 20 == 0)).collect();
        let workload = Workload {
            functions: vec![FunctionTrace {
                id: FunctionId::standalone("f"),
                trigger: Trigger::Http,
                arrivals: Arrivals::PerMinute(MinuteCounts::from_dense(0, counts)),
                duration: DurationInfo::Samples,
                memory: MemoryInfo::default(),
            }],
            window_start_ms: 0,
            window_end_ms: 240 * 60_000,
            sources: vec![],
            warnings: vec![],
        };
        Plan {
            scenario,
            scenario_label: "test".into(),
            workload: workload.into(),
            trace_files: vec![],
            catalog: crate::pricing::Catalog::embedded().unwrap(),
            what_if: WhatIf::default(),
            replays: None,
        }
    }

    fn run(plan: &Plan, settings: RangeSettings) -> Ranges {
        let (evals, runs) = evaluate_all_with_progress(plan, &mut |_| {}).unwrap();
        let runs = runs.whole;
        ranges(plan, &evals, &runs, settings).unwrap()
    }

    fn settings(monte_carlo_runs: u32) -> RangeSettings {
        RangeSettings {
            monte_carlo_runs,
            bounds: Bounds::default(),
            side_by_side: true,
        }
    }

    fn input(r: &Ranges, input: Input) -> &Sensitivity {
        r.sensitivity.iter().find(|s| s.input == input).unwrap()
    }

    #[test]
    fn a_cpu_bound_case_reuses_the_runs_only_where_the_simulation_cannot_see_it() {
        // Lambda, no configured memory in the trace: one request per instance, so the fraction
        // reaches only the pricing; Cloud Run shares an instance's stated vCPUs among its
        // requests, so its simulation sees it. The case reuses Lambda's typical run alone, and
        // every option gets the costs a fresh simulation at the case's fraction gives, and the
        // same winner.
        let mut p = plan();
        p.scenario.serverless.extend(
            Scenario::default_scenario()
                .serverless
                .into_iter()
                .filter(|o| o.id == "cloud-run"),
        );
        // Busy enough that requests overlap on an instance (300 a minute).
        Arc::make_mut(&mut p.workload).functions[0].arrivals =
            Arrivals::PerMinute(MinuteCounts::from_dense(0, vec![300; 240]));
        let (evals, runs) = evaluate_all_with_progress(&p, &mut |_| {}).unwrap();
        let runs = runs.whole;
        assert!(!seen_in(&p, "lambda-arm64") && seen_in(&p, "cloud-run"));
        let unseen = options_unseen_by_cpu_bound_fraction(&p);
        assert_eq!(unseen.iter().collect::<Vec<_>>(), ["lambda-arm64"]);
        for s in [Setting::CpuBoundFraction(0.2), Setting::CpuBoundFraction(0.9)] {
            let case = s.apply(&p);
            let reuse = s.reuse(&runs, &unseen, &evals);
            assert_eq!(reuse.runs_of, Some(&unseen));
            let reused = evaluate_all_reusing(&case, reuse).unwrap();
            let fresh = evaluate_all_reusing(&case, Reuse::default()).unwrap();
            assert_eq!(Outcome::of(&case, &reused), Outcome::of(&case, &fresh));
            // Cloud Run's costs move with the fraction (its run was simulated again).
            let cloud_run = p.scenario.serverless.len() - 1;
            assert_ne!(
                Outcome::of(&case, &fresh).monthly[cloud_run],
                Outcome::of(&p, &evals).monthly[cloud_run]
            );
        }
        // A traced configured memory run at the option's other size scales durations by the
        // fraction: Lambda's case is simulated again too.
        Arc::make_mut(&mut p.workload).functions[0].memory.configured_mb = Some(512);
        assert!(seen_in(&p, "lambda-arm64"));
        assert!(options_unseen_by_cpu_bound_fraction(&p).is_empty());
    }

    fn seen_in(p: &Plan, id: &str) -> bool {
        simulation_sees_cpu_bound_fraction(p, p.scenario.serverless.iter().find(|o| o.id == id).unwrap())
    }

    #[test]
    fn percentiles_are_nearest_ranks_in_order() {
        let m = |d: i64| Money::from_micro(d * 1_000_000);
        let amounts: Vec<Money> = [7, 1, 10, 3, 5, 2, 9, 4, 8, 6].iter().map(|&d| m(d)).collect();
        let p = Percentiles::of(&amounts).unwrap();
        assert_eq!((p.p10, p.p50, p.p90), (m(1), m(5), m(9)));
        let one = Percentiles::of(&[m(3)]).unwrap();
        assert_eq!((one.p10, one.p50, one.p90), (m(3), m(3), m(3)));
        assert_eq!(Percentiles::of(&[]), None);
    }

    #[test]
    fn values_are_written_as_people_read_them() {
        assert_eq!(Setting::Growth(0.02 * 2.0).text(), "4% a month");
        assert_eq!(Setting::Growth(0.0).text(), "0% a month");
        assert_eq!(Setting::CpuBoundFraction(0.1 + 0.2).text(), "0.3");
        assert_eq!(Setting::WindowMultiple(1.2).text(), "×1.2");
        assert_eq!(Setting::Spread(SpreadMode::Poisson).text(), "poisson");
    }

    #[test]
    fn monte_carlo_seeds_are_distinct_and_follow_the_scenario_seed() {
        let seeds = monte_carlo_seeds(42, 1_000);
        let distinct: std::collections::BTreeSet<u64> = seeds.iter().copied().collect();
        assert_eq!(distinct.len(), 1_000);
        assert!(!seeds.contains(&42));
        assert_eq!(monte_carlo_seeds(42, 3), seeds[..3].to_vec());
        assert_ne!(monte_carlo_seeds(43, 3), seeds[..3].to_vec());
    }

    /// Every case's plan shares the typical plan's workload (a copy per case would hold the
    /// trace once more for each of the two cases evaluated at once) and changes what it says.
    #[test]
    fn every_case_shares_the_workload_and_changes_its_setting() {
        let p = plan();
        let settings: Vec<Setting> = inputs(&p, &Bounds::default())
            .into_iter()
            .flat_map(|(_, [low, _, high])| [low, high])
            .collect();
        assert_eq!(settings.len(), 10);
        let jobs = settings.into_iter().map(Job::Case).chain([Job::Seed(7)]);
        for job in jobs {
            let q = job.plan(&p);
            assert!(Arc::ptr_eq(&q.workload, &p.workload));
            match job {
                Job::Seed(seed) => assert_eq!((q.scenario.seed, seed), (7, 7)),
                Job::Case(Setting::CpuBoundFraction(f)) => assert_eq!(q.scenario.cpu_bound_fraction, f),
                Job::Case(Setting::ColdStartMultiple(x)) => assert_eq!(q.what_if.cold_start_multiple, x),
                Job::Case(Setting::Growth(g)) => assert_eq!(q.scenario.growth_per_month, g),
                Job::Case(Setting::WindowMultiple(x)) => assert_eq!(q.what_if.traffic_multiple, x),
                Job::Case(Setting::Spread(s)) => assert_eq!(q.what_if.spread, s),
            }
        }
    }

    #[test]
    fn same_seed_same_ranges_ordered_percentiles_and_a_tornado_by_swing() {
        let p = plan();
        let a = run(&p, settings(4));
        assert_eq!(a, run(&p, settings(4)));
        assert_eq!(a.winner.as_deref(), Some("lambda-arm64"));
        assert_eq!(a.monte_carlo_seeds, monte_carlo_seeds(p.scenario.seed, 4));
        let lambda = &a.options[0];
        let h = lambda.horizon_usd.unwrap();
        let m = lambda.monthly_usd.unwrap();
        assert!(h.p10 <= h.p50 && h.p50 <= h.p90, "{h:?}");
        assert!(m.p10 <= m.p50 && m.p50 <= m.p90, "{m:?}");
        assert_eq!(lambda.monte_carlo_wins, 4);
        // The window's ×0.8 to ×1.2 moves the servers' bill little and Lambda's in proportion.
        let window = input(&a, Input::WindowExtrapolation);
        let (lo, hi) = (
            window.winner_horizon_low_usd.unwrap(),
            window.winner_horizon_high_usd.unwrap(),
        );
        assert!(lo < hi, "{window:?}");
        let swings: Vec<Option<Money>> = a.sensitivity.iter().map(|s| s.swing_usd).collect();
        assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
        assert_eq!(a.sensitivity.len(), 5);
        // A month-long window is not extrapolated: no window input.
        let mut month = p.clone();
        Arc::make_mut(&mut month.workload).window_end_ms = MS_PER_MONTH;
        assert!(inputs(&month, &Bounds::default())
            .iter()
            .all(|(i, _)| *i != Input::WindowExtrapolation));
    }

    #[test]
    fn the_window_multiple_scales_the_traffic_of_every_month_of_every_kind() {
        // A base of 30 requests a minute with a spike of 300 every 10 minutes, 500 ms each:
        // Lambda, the t3 servers and the hybrid of both.
        let mut p = plan();
        p.scenario = Scenario::default_scenario();
        p.scenario.horizon_months = 3;
        p.scenario.serverless.retain(|o| o.id == "lambda-arm64");
        p.scenario.provisioned.retain(|o| o.id == "ec2-t3-static");
        let counts: Vec<u32> = (0..120).map(|m| if m % 10 == 0 { 300 } else { 30 }).collect();
        Arc::make_mut(&mut p.workload).functions[0].arrivals = Arrivals::PerMinute(MinuteCounts::from_dense(0, counts));
        Arc::make_mut(&mut p.workload).window_end_ms = 120 * 60_000;
        let typical = evaluate_all_reusing(&p, Reuse::default()).unwrap();
        p.what_if.traffic_multiple = 1.2;
        let busier = evaluate_all_reusing(&p, Reuse::default()).unwrap();
        let months = |e: &Evaluation| e.costing.as_ref().unwrap().by_month.clone();
        for (a, b) in typical.iter().zip(&busier) {
            assert_eq!(a.id, b.id);
            for (x, y) in months(a).iter().zip(months(b)) {
                assert!(y >= *x, "{}: {x:?} → {y:?}", a.id);
            }
        }
        // Lambda's bill is linear in traffic (no free tier): ×1.2 within a cent per line.
        let (a, b) = (months(&typical[0])[0].to_f64(), months(&busier[0])[0].to_f64());
        assert!((b / a - 1.2).abs() < 0.01, "{a} → {b}");
        // The hybrid's first month is its bill at ×1.2, not the searched month at ×1.
        assert!(
            months(&busier[2])[0] > months(&typical[2])[0],
            "{:?}",
            busier[2].costing
        );
    }

    #[test]
    fn the_ranges_do_not_depend_on_the_thread_count_or_on_one_case_at_a_time() {
        let p = plan();
        let on = |threads: usize, side_by_side: bool| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                run(
                    &p,
                    RangeSettings {
                        side_by_side,
                        ..settings(3)
                    },
                )
            })
        };
        let typical = on(1, true);
        assert_eq!(typical, on(3, true));
        assert_eq!(typical, on(3, false));
    }

    #[test]
    fn ranges_widen_when_an_input_range_widens() {
        let p = plan();
        let with = |window_multiple| {
            run(
                &p,
                RangeSettings {
                    monte_carlo_runs: 0,
                    bounds: Bounds {
                        window_multiple,
                        ..Bounds::default()
                    },
                    side_by_side: true,
                },
            )
        };
        let (narrow, wide) = (with((0.9, 1.1)), with((0.5, 1.5)));
        let swing = |r: &Ranges| input(r, Input::WindowExtrapolation).swing_usd.unwrap();
        assert!(
            swing(&wide) > swing(&narrow),
            "{:?} vs {:?}",
            swing(&wide),
            swing(&narrow)
        );
        let (n, w) = (&narrow.options[0], &wide.options[0]);
        assert!(w.horizon_case_min_usd < n.horizon_case_min_usd);
        assert!(w.horizon_case_max_usd > n.horizon_case_max_usd);
        assert_eq!(narrow.monte_carlo_seeds, Vec::<u64>::new());
        assert_eq!(narrow.options[0].horizon_usd, None);
    }

    #[test]
    fn a_verdict_that_flips_inside_the_range_does_not_hold() {
        // Every request starts cold: with the SLO at 1.5 × Lambda's typical p99 added latency,
        // doubling the cold-start latency breaks it and the servers win.
        let mut p = plan();
        let (evals, _) = evaluate_all_with_progress(&p, &mut |_| {}).unwrap();
        let p99 = evals[0].behaviour.as_ref().unwrap().added_latency_ms.p99;
        assert!(p99 > 0.0);
        p.scenario.latency_slo_ms = 1.5 * p99;
        let r = run(&p, settings(2));
        assert_eq!(r.winner.as_deref(), Some("lambda-arm64"));
        let cold = input(&r, Input::ColdStartLatency);
        assert_eq!(cold.winner_at_low.as_deref(), Some("lambda-arm64"));
        assert_eq!(cold.winner_at_high.as_deref(), Some("ec2-t3-static"));
        assert!(cold.flips);
        assert!(!r.holds);
        assert!(
            r.summary.contains("does not hold")
                && r.summary
                    .contains("cold_start_latency ×2 makes ec2-t3-static the cheapest"),
            "{}",
            r.summary
        );
        // With the SLO far away the same ranges hold.
        p.scenario.latency_slo_ms = 100.0 * p99;
        let r = run(&p, settings(2));
        assert!(r.holds, "{}", r.summary);
        assert!(
            r.summary.starts_with("The verdict holds across the range"),
            "{}",
            r.summary
        );
    }
}
