//! The fluid path for extreme rates: a unit whose busiest minute holds at least
//! `SimConfig::fluid_from_per_minute` invocations (default [`FLUID_MIN_PER_MINUTE`]) is not
//! replayed request by request (one Azure 2019 minute may hold 4,294,967,295 of them) but by a
//! per-minute fluid/queueing approximation, in time O(minutes + distinct duration values) and
//! memory O(minutes present).
//!
//! Per minute `m` of a unit, with `n` arrivals and work `W = Σ n_f·E[S_f]` (ms; `E[S_f]` the
//! exact mean of function `f`'s whole-ms durations, [`whole_ms_distribution`]):
//! - offered concurrency `A = W / 60,000 ms` (Little's law); the requests in flight of an
//!   M/G/∞ system are Poisson(A), so a minute whose load the warm instances carry peaks at the
//!   level its `n` arrivals cross upwards about once, `A + z·√A` with
//!   `z = √(2·ln(n / (√A·√(2π))))`; a minute whose mean load exceeds the `w` instances still
//!   warm rises like a cold start: the arrivals the warm ones cannot take each start an
//!   instance that is busy for its init and its execution before it can take another, so the
//!   peak is at least `w + (A − w)·k`, with `k` the instances a rise starts per unit of load it
//!   lacks (a fluid renewal equation over the unit's init and execution-time distributions,
//!   `1 + I/S` when both are fixed, less when early completions free instances sooner);
//! - account limit `L`: the fluid units share what the event-replayed units leave in that
//!   minute (`L` minus their peak); a share `min(1, capacity / ΣA)` of each function's
//!   arrivals is served (rounded per function and minute), the rest are throttles, so
//!   served + throttled = arrivals exactly; the peak is capped at the capacity, and the
//!   minutes are walked in order across the units so that each unit's warm instances are
//!   those its own capped peaks left; a unit's instance cap `M` (one request per instance, so
//!   `M` in flight) is applied first the same way: a share `min(1, M / A)` of its arrivals
//!   is offered to the account limit and its peak is at most `M`;
//! - one request per instance: instances `I = ⌈peak⌉`; they stay warm for the fixed
//!   keep-alive after the last minute that needed them (to the minute), so the cold starts of
//!   a minute are the instances it needs beyond those still warm (all of them in the first
//!   minute), each with an init drawn from the unit's seeded generator;
//! - durations: the served requests of each function are apportioned over its exact whole-ms
//!   duration distribution (cumulative rounding: the counts add up to the served requests, each
//!   value within one request of `served × probability`), so the cost engine bills every value
//!   with the platform's own rounding and the billed GB-s are the exact expectation;
//! - busy periods: each request's duration (an instance idles between requests), and each init
//!   as a period of its own; idle = warm instances × minute − busy time.
//!
//! Latency is the execution time, overhead is each cold start's init. An init drawn beyond the
//! platform's init limit (Lambda 10 s) is treated as the event engine treats it: INIT recorded
//! at the limit, the init run again within a request (added to the execution of one of the
//! most frequent durations, cut at the timeout), the cold request waiting the limit plus the
//! re-run.
//!
//! Only units whose functions all have per-minute counts, with one request per instance, a
//! fixed keep-alive, no provisioned concurrency and no retries take this path (others replay
//! by events whatever their rate). Agreement with the event engine on the overlap (tested
//! below; a cold request's init counts as time in flight and busy in both): requests exact;
//! billed GB-s and mean concurrency within 1 % (measured 0.0–0.3 %); peak concurrency, mean
//! instances and cold starts within 10 % on a gradual ramp of 20,000–200,000 invocations a
//! minute (measured 1.7–2.2 % without init, 6.1–7.4 % with Lambda's) and within 15 % where a
//! minute's load rises abruptly, over executions of 1 ms to 1.2 s and mean loads of 10 to
//! 20,000 in flight (measured −14.4 % to +10.1 %; the σ widened by `E[init]/E[S]` this
//! replaced was 74–77 % low on abrupt starts of 6–12-ms requests). Under a binding account
//! limit the served work agrees within 2 %, but the replay serves simultaneous arrivals (same
//! ms) shortest first and so throttles fewer, longer requests: throttle counts differ by up to
//! 35 %.

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::arrivals::{whole_ms_distribution, ExpandOptions, SimRng};
use super::serverless::{limited_init_ms, UnitResult};
use super::stats::ProfileSweep;
use super::SimError;
use crate::pricing::ColdStartDist;
use crate::trace::{Arrivals, FunctionTrace};
use crate::units::MS_PER_MINUTE;
use crate::usage::MsHistogram;

/// By default, a unit whose busiest minute holds at least this many invocations takes the
/// fluid path (`SimConfig::fluid_from_per_minute`, `simulate --fluid-from`). At that rate a
/// minute's requests in flight are ≥ 1,000,000 × E[S] / 60,000 ms (≥ 1,667 for 100-ms calls):
/// instances never idle within the minute, and the event replay would cost ≥ 0.4 s per minute.
pub const FLUID_MIN_PER_MINUTE: u64 = 1_000_000;

/// One function of a fluid unit.
pub(super) struct FluidFunction<'w> {
    /// Its trace (per-minute counts).
    pub trace: &'w FunctionTrace,
    /// How its durations are drawn.
    pub opts: ExpandOptions,
}

/// A unit taking the fluid path.
pub(super) struct FluidUnit<'w> {
    /// Unit key.
    pub key: String,
    /// Memory per instance.
    pub memory_mb: u32,
    /// Multiplier of the init latency at this memory.
    pub init_scale: f64,
    /// Its functions.
    pub functions: Vec<FluidFunction<'w>>,
}

/// Settings of a fluid run.
pub(super) struct FluidConfig<'a> {
    /// Fixed keep-alive window.
    pub keep_alive_ms: u64,
    /// Init latency distribution.
    pub cold_start: ColdStartDist,
    /// Execution timeout: longer durations are cut there (`None`: no timeout).
    pub timeout_ms: Option<u64>,
    /// Longest init: one drawn longer is abandoned at the limit and run again within a
    /// request, as the event engine does (`None`: no limit).
    pub init_limit_ms: Option<u64>,
    /// Global seed.
    pub seed: u64,
    /// Account concurrency limit.
    pub limit: Option<u32>,
    /// Most instances of each unit (`None`: no cap).
    pub max_instances: Option<u32>,
    /// End of the trace window.
    pub window_end_ms: u64,
    /// The event-replayed units' concurrency (its start is the period's start).
    pub events: &'a ProfileSweep,
    /// Start of the period.
    pub start_ms: u64,
}

/// The busiest minute of `functions` summed, or a cheap upper bound of it when that bound is
/// below `threshold` (the sum of each function's busiest minute).
pub(super) fn peak_minute_count(functions: &[&FunctionTrace], threshold: u64) -> u64 {
    fn counts(f: &FunctionTrace) -> Option<&crate::trace::MinuteCounts> {
        match &f.arrivals {
            Arrivals::PerMinute(c) => Some(c),
            _ => None,
        }
    }
    let bound: u64 = functions
        .iter()
        .filter_map(|f| counts(f))
        .map(|c| c.nonzero().map(|(_, n)| n as u64).max().unwrap_or(0))
        .sum();
    if functions.len() == 1 || bound < threshold {
        return bound;
    }
    let mut by_minute: BTreeMap<u32, u64> = BTreeMap::new();
    for c in functions.iter().filter_map(|f| counts(f)) {
        for (m, n) in c.nonzero() {
            *by_minute.entry(m).or_default() += n as u64;
        }
    }
    by_minute.into_values().max().unwrap_or(0)
}

/// One minute of one unit: arrivals and work per function, then the unit's totals.
#[derive(Default)]
struct Minute {
    /// `(function index, arrivals)`.
    counts: Vec<(usize, u64)>,
    work_ms: f64,
    arrivals: u64,
}

impl Minute {
    /// Offered concurrency `A` (Little) and the minute's peak with `warm` instances warm at its
    /// start: the larger of
    /// - the level its `n` arrivals cross upwards about once, `A + z·√A` with
    ///   `z = √(2·ln(n / (√A·√(2π))))` (an arrival finds `b − 1` in flight with the Gaussian
    ///   density of Poisson(A) there), and
    /// - when `A` exceeds the warm instances, the rising edge `warm + (A − warm)·k`: the
    ///   arrivals the warm ones cannot take each start an instance busy for its init and its
    ///   execution, and instances are started until the first of them are free again
    ///   (`k`, [`rising_edge_factor`]).
    fn peak(&self, warm: u64, edge_factor: f64) -> (f64, f64) {
        let a = self.work_ms / MS_PER_MINUTE as f64;
        if a <= 0.0 {
            return (0.0, 0.0);
        }
        let sigma = a.sqrt();
        let crossings = self.arrivals as f64 / (sigma * (std::f64::consts::TAU).sqrt());
        let z = (2.0 * crossings.max(1.0).ln()).sqrt();
        let warm = warm as f64;
        let steady = a + z * sigma;
        if a <= warm {
            return (a, steady);
        }
        (a, steady.max(warm + (a - warm) * edge_factor))
    }
}

/// Fewest and most steps of the rising edge's time grid.
const EDGE_STEPS: (usize, usize) = (1_024, 8_192);
/// Init quantiles the rising edge convolves with the execution times.
const EDGE_INIT_QUANTILES: usize = 256;

/// Instances a rising edge starts per unit of concurrency it lacks, `k = N / E[S]`: requests
/// arrive at rate 1 a ms on no warm instance; each arrival that finds no free instance starts
/// one, busy for an init and an execution (`I + S`), after which it is free for the next
/// arrival (busy for `S` alone); `N` is the instances started by the time the slowest init
/// taken (the 99.8th percentile) and the 99th percentile of `S` have passed, when completions
/// keep up with arrivals but for the longest executions (a fluid renewal equation, solved on a
/// grid of 1,024 to 8,192 steps, each at most a quarter of the 10th percentile of `S`). With
/// fixed `I` and `S`, `k = 1 + I/S`; spread out, the early completions free instances sooner
/// and `k` is smaller. `durations`: the execution times `(ms, probability)` in increasing ms,
/// of mean `mean_s_ms`.
fn rising_edge_factor(durations: &[(u64, f64)], mean_s_ms: f64, init: ColdStartDist) -> f64 {
    if mean_s_ms <= 0.0 || durations.is_empty() {
        return 1.0;
    }
    let inits: Vec<f64> = (0..EDGE_INIT_QUANTILES)
        .map(|i| init.quantile_ms((i as f64 + 0.5) / EDGE_INIT_QUANTILES as f64).max(0.0))
        .collect();
    let init_max = inits.iter().copied().fold(0.0, f64::max);
    let quantile = |q: f64| {
        let mut cumulative = 0.0;
        durations
            .iter()
            .find(|&&(_, p)| {
                cumulative += p;
                cumulative >= q
            })
            .map_or(durations[durations.len() - 1].0, |&(ms, _)| ms) as f64
    };
    let span_ms = init_max + quantile(0.99);
    let steps = (span_ms / (quantile(0.1).max(1.0) / 4.0))
        .ceil()
        .clamp(EDGE_STEPS.0 as f64, EDGE_STEPS.1 as f64) as usize;
    let step_ms = (span_ms / steps as f64).max(f64::MIN_POSITIVE);
    // A duration completes in the step it ends in, at least one step after it starts; beyond
    // the grid it does not complete within the edge.
    let bin = |ms: f64| ((ms / step_ms).round() as usize).max(1);
    let mut warm = vec![0.0; steps + 1];
    for &(ms, p) in durations {
        if let Some(w) = warm.get_mut(bin(ms as f64)) {
            *w += p;
        }
    }
    let mut cold = vec![0.0; steps + 1];
    for &i in &inits {
        let shift = (i / step_ms).round() as usize;
        for (j, &w) in warm.iter().enumerate().filter(|(_, w)| **w > 0.0) {
            if let Some(c) = cold.get_mut(j + shift) {
                *c += w / EDGE_INIT_QUANTILES as f64;
            }
        }
    }
    // Per step: completions free instances, which take arrivals; the rest start instances.
    let (mut started, mut warm_taken) = (vec![0.0; steps + 1], vec![0.0; steps + 1]);
    let (mut free, mut instances) = (0.0, 0.0);
    for t in 0..=steps {
        let completions: f64 = (0..t)
            .map(|u| started[u] * cold[t - u] + warm_taken[u] * warm[t - u])
            .sum();
        free += completions;
        let take = free.min(step_ms);
        free -= take;
        warm_taken[t] = take;
        started[t] = step_ms - take;
        instances += started[t];
    }
    (instances / mean_s_ms).max(1.0)
}

/// One function of a fluid unit: its whole-ms execution times and calls.
#[derive(Default)]
struct FunctionDist {
    /// `(ms, probability)` in increasing ms, cut at the timeout.
    dist: Vec<(u64, f64)>,
    mean_ms: f64,
    /// Share of calls the timeout cuts.
    cut: f64,
    /// Calls over the whole window.
    arrivals: u64,
}

/// [`rising_edge_factor`] of a unit: its functions' execution times mixed by their calls.
fn unit_edge_factor(functions: &[FunctionDist], init: ColdStartDist) -> f64 {
    let total = functions.iter().map(|f| f.arrivals).sum::<u64>() as f64;
    let mut mixed: BTreeMap<u64, f64> = BTreeMap::new();
    let mut mean_ms = 0.0;
    for f in functions.iter().filter(|f| f.arrivals > 0) {
        let weight = f.arrivals as f64 / total;
        mean_ms += weight * f.mean_ms;
        for &(ms, p) in &f.dist {
            *mixed.entry(ms).or_default() += weight * p;
        }
    }
    rising_edge_factor(&mixed.into_iter().collect::<Vec<_>>(), mean_ms, init)
}

/// Load of one minute for the concurrency sweep: `(minute from the start, in-flight × ms, max
/// in flight)`.
pub(super) type MinuteLoad = (u64, u64, u32);

/// A fluid unit as the minutes are walked.
struct UnitState {
    r: UnitResult,
    served_by_function: Vec<u64>,
    pool: WarmPool,
    /// [`rising_edge_factor`] of the unit.
    edge_factor: f64,
    init_mean_ms: f64,
}

/// The fluid units' results (in the order given) and their per-minute load.
pub(super) fn run(units: &[FluidUnit], cfg: &FluidConfig) -> Result<(Vec<UnitResult>, Vec<MinuteLoad>), SimError> {
    // Per unit: each function's duration distribution, mean and calls, and the unit's minutes.
    let mut plans = Vec::with_capacity(units.len());
    for u in units {
        let mut dists = Vec::with_capacity(u.functions.len());
        let mut minutes: BTreeMap<u32, Minute> = BTreeMap::new();
        for (i, f) in u.functions.iter().enumerate() {
            let counts = match &f.trace.arrivals {
                Arrivals::PerMinute(counts) if counts.nonzero().next().is_some() => counts,
                // Only per-minute functions take this path; one with no calls adds nothing.
                _ => {
                    dists.push(FunctionDist::default());
                    continue;
                }
            };
            let (dist, cut) = cut_at_timeout(whole_ms_distribution(f.trace, &f.opts)?, cfg.timeout_ms);
            let mean_ms: f64 = dist.iter().map(|&(k, p)| k as f64 * p).sum();
            let mut arrivals = 0;
            for (m, n) in counts.nonzero() {
                let e = minutes.entry(m).or_default();
                e.counts.push((i, n as u64));
                e.work_ms += n as f64 * mean_ms;
                e.arrivals += n as u64;
                arrivals += n as u64;
            }
            dists.push(FunctionDist {
                dist,
                mean_ms,
                cut,
                arrivals,
            });
        }
        plans.push((dists, minutes));
    }
    // Minute by minute across the units: each unit's peak from the instances its own carried
    // peaks keep warm, then the shares of the minute's mean load and peaks the account limit
    // lets through (what the event-replayed units leave), then each unit's carried minute.
    let mut states: Vec<UnitState> = units
        .iter()
        .zip(&plans)
        .map(|(u, (dists, _))| {
            let init = cfg.cold_start.scaled(u.init_scale);
            UnitState {
                r: UnitResult {
                    key: u.key.clone(),
                    memory_mb: u.memory_mb,
                    ..UnitResult::default()
                },
                served_by_function: vec![0; u.functions.len()],
                pool: WarmPool::new(cfg.keep_alive_ms),
                edge_factor: unit_edge_factor(dists, init),
                init_mean_ms: init.mean_ms(),
            }
        })
        .collect();
    let rel_minute = |m: u32| (m as u64 * MS_PER_MINUTE).saturating_sub(cfg.start_ms) / MS_PER_MINUTE;
    let all_minutes: std::collections::BTreeSet<u32> = plans.iter().flat_map(|(_, m)| m.keys().copied()).collect();
    let mut load: BTreeMap<u64, (u64, u32)> = BTreeMap::new();
    let mut present: Vec<(usize, f64, f64, u64)> = Vec::new();
    for m in all_minutes {
        present.clear();
        let (mut offered_mean, mut offered_peak) = (0.0, 0.0);
        let cap = cfg.max_instances.map_or(f64::INFINITY, f64::from);
        for (i, ((_, minutes), st)) in plans.iter().zip(&mut states).enumerate() {
            let Some(e) = minutes.get(&m) else { continue };
            let warm = st.pool.start_minute(m as u64, &mut st.r.idle_ms);
            let (a, peak) = e.peak(warm, st.edge_factor);
            offered_mean += a.min(cap);
            offered_peak += peak.min(cap);
            present.push((i, a, peak, warm));
        }
        // A peak scaled by its share is capped at the capacity: `peak · (capacity / peak)` may
        // round above it.
        let capacity = cfg.limit.map_or(f64::INFINITY, |l| {
            l.saturating_sub(cfg.events.minute_max(rel_minute(m))) as f64
        });
        let share = |load: f64| if load > 0.0 { (capacity / load).min(1.0) } else { 1.0 };
        let (served_share, peak_share) = (share(offered_mean), share(offered_peak));
        for &(i, a, peak, warm) in &present {
            let e = &plans[i].1[&m];
            let st = &mut states[i];
            // The unit's own cap first, then the account limit's share of what it offers.
            let unit_share = if a > cap { cap / a } else { 1.0 };
            let served_share = served_share * unit_share;
            let mut served = 0;
            for &(f, n) in &e.counts {
                let s = ((n as f64 * served_share).round() as u64).min(n);
                st.served_by_function[f] += s;
                served += s;
            }
            st.r.arrivals += e.arrivals;
            st.r.served += served;
            st.r.throttles += e.arrivals - served;
            let carried_mean = a * served_share;
            let carried_peak = (peak.min(cap) * peak_share).ceil().min(capacity).min(cap);
            let busy_ms = (e.work_ms * served_share).round() as u64;
            let cold = st.pool.end_minute(
                m as u64,
                warm,
                carried_peak as u64,
                busy_ms,
                st.init_mean_ms,
                &mut st.r.idle_ms,
            );
            st.r.cold_starts += cold;
            st.r.peak_inflight = st.r.peak_inflight.max(carried_peak as u64);
            // A cold request is in flight for its init too.
            let entry = load.entry(rel_minute(m)).or_default();
            entry.0 += (carried_mean * MS_PER_MINUTE as f64 + cold as f64 * st.init_mean_ms).round() as u64;
            entry.1 = entry.1.saturating_add(carried_peak as u32);
        }
    }
    let mut results = Vec::with_capacity(units.len());
    for ((u, (dists, minutes)), st) in units.iter().zip(&plans).zip(states) {
        let UnitState {
            mut r,
            served_by_function,
            mut pool,
            ..
        } = st;
        let last_end_ms = minutes
            .keys()
            .next_back()
            .map_or(0, |&m| (m as u64 + 1) * MS_PER_MINUTE);
        pool.drain(cfg.window_end_ms.max(last_end_ms), &mut r.idle_ms);
        r.last_completion_ms = last_end_ms;
        r.cold_starts = r.cold_starts.min(r.served);
        // The unit's functions' durations interleave: their counts are sorted once.
        let mut durations = Vec::new();
        for (f, &served) in dists.iter().zip(&served_by_function) {
            apportion(&f.dist, served, &mut durations);
            r.timeouts += (served as f64 * f.cut).round() as u64;
        }
        r.on_demand_duration_ms = MsHistogram::from_counts(durations);
        let mut rng = SimRng::for_key(cfg.seed, &format!("init:{}", u.key));
        let drawn = match cfg.cold_start.scaled(u.init_scale) {
            ColdStartDist::Constant { ms } => MsHistogram::from_counts(vec![(ms, r.cold_starts)]),
            dist => {
                let mut counts: HashMap<u64, u64> = HashMap::new();
                (0..r.cold_starts).for_each(|_| *counts.entry(rng.cold_start_ms(&dist)).or_default() += 1);
                MsHistogram::from_counts(counts.into_iter().collect())
            }
        };
        let limited = InitLimit::apply(&drawn, cfg.init_limit_ms);
        r.init_retries = limited.reruns.count();
        r.timeouts += rerun_within_requests(&mut r.on_demand_duration_ms, &limited.reruns, cfg.timeout_ms);
        r.init_duration_ms = limited.recorded;
        r.latency_ms = r.on_demand_duration_ms.clone();
        r.overhead_ms.add(0, r.served - r.cold_starts);
        r.overhead_ms.add_all(&limited.overhead);
        r.busy_periods_ms = r.on_demand_duration_ms.clone();
        r.busy_periods_ms.add_all(&r.init_duration_ms);
        results.push(r);
    }
    let load = load.into_iter().map(|(m, (area, max))| (m, area, max)).collect();
    Ok((results, load))
}

/// `dist` with the durations beyond `timeout_ms` cut there (one value holding their
/// probability), and that probability: the share of requests the timeout cuts.
fn cut_at_timeout(dist: Vec<(u64, f64)>, timeout_ms: Option<u64>) -> (Vec<(u64, f64)>, f64) {
    let Some(limit) = timeout_ms else {
        return (dist, 0.0);
    };
    let beyond: f64 = dist.iter().filter(|&&(k, _)| k > limit).map(|&(_, p)| p).sum();
    if beyond == 0.0 {
        return (dist, 0.0);
    }
    let mut out: Vec<(u64, f64)> = dist.into_iter().filter(|&(k, _)| k <= limit).collect();
    match out.last_mut() {
        Some(last) if last.0 == limit => last.1 += beyond,
        _ => out.push((limit, beyond)),
    }
    (out, beyond)
}

/// The inits drawn for a fluid unit under the platform's init limit, as the event engine
/// treats them: an init drawn longer than the limit is abandoned there (INIT = the limit) and
/// run again within the request that started it (Lambda: "Lambda retries the Init phase at the
/// time of the first function invocation").
struct InitLimit {
    /// INIT recorded (billed): each init, at most the limit.
    recorded: MsHistogram,
    /// Latency each cold request waits for: its init, or the limit plus the re-run init.
    overhead: MsHistogram,
    /// The inits run again within their requests.
    reruns: MsHistogram,
}

impl InitLimit {
    fn apply(drawn: &MsHistogram, limit_ms: Option<u64>) -> InitLimit {
        let mut out = InitLimit {
            recorded: MsHistogram::new(),
            overhead: MsHistogram::new(),
            reruns: MsHistogram::new(),
        };
        for (ms, n) in drawn.iter() {
            let (init_ms, rerun_ms) = limited_init_ms(ms, limit_ms);
            out.recorded.add(init_ms, n);
            out.overhead.add(init_ms + rerun_ms, n);
            if rerun_ms > 0 {
                out.reruns.add(rerun_ms, n);
            }
        }
        out
    }
}

/// Adds each re-run init of `reruns` to the execution of one request of `durations` (taken from
/// the most frequent durations first: a cold request is a typical one), cut at the timeout; the
/// request count is unchanged and, with a 1-ms grain, so is the billed total of the re-runs.
/// Returns the requests the re-run newly pushes past the timeout.
fn rerun_within_requests(durations: &mut MsHistogram, reruns: &MsHistogram, timeout_ms: Option<u64>) -> u64 {
    if reruns.is_empty() {
        return 0;
    }
    let mut buckets: Vec<(u64, u64)> = durations.iter().collect();
    let mut order: Vec<usize> = (0..buckets.len()).collect();
    order.sort_by(|&a, &b| buckets[b].1.cmp(&buckets[a].1).then(buckets[a].0.cmp(&buckets[b].0)));
    let mut order = order.into_iter();
    let mut current = order.next();
    let mut moved: Vec<(u64, u64)> = Vec::new();
    let mut cut = 0;
    for (rerun_ms, mut n) in reruns.iter() {
        while n > 0 {
            let Some(i) = current else { break };
            let take = n.min(buckets[i].1);
            if take == 0 {
                current = order.next();
                continue;
            }
            buckets[i].1 -= take;
            n -= take;
            let ms = buckets[i].0;
            match timeout_ms {
                Some(limit) if ms + rerun_ms > limit => {
                    moved.push((limit, take));
                    if ms < limit {
                        cut += take;
                    }
                }
                _ => moved.push((ms + rerun_ms, take)),
            }
        }
    }
    buckets.extend(moved);
    *durations = MsHistogram::from_counts(buckets);
    cut
}

/// Adds `total` requests to the counts `out` spread over `dist` by cumulative rounding: value `k` gets
/// `round(total·F(k)) − round(total·F(k⁻))`, so the counts add up to `total` exactly.
fn apportion(dist: &[(u64, f64)], total: u64, out: &mut Vec<(u64, u64)>) {
    let mut cumulative = 0.0;
    let mut given = 0u64;
    for (j, &(k, p)) in dist.iter().enumerate() {
        cumulative += p;
        let upto = if j + 1 == dist.len() {
            total
        } else {
            ((total as f64 * cumulative).round() as u64).min(total)
        };
        if upto > given {
            out.push((k, upto - given));
            given = upto;
        }
    }
}

/// Instances kept warm by a fixed keep-alive, minute by minute: an instance needed in minute
/// `j` stays warm through minute `g` while `(g − j − 1)` minutes < the keep-alive.
struct WarmPool {
    keep_alive_ms: u64,
    /// `(minute, instances needed)` of the minutes still within the keep-alive.
    recent: VecDeque<(u64, u64)>,
    /// The next minute not yet accounted for.
    next_minute: Option<u64>,
}

impl WarmPool {
    fn new(keep_alive_ms: u64) -> Self {
        WarmPool {
            keep_alive_ms,
            recent: VecDeque::new(),
            next_minute: None,
        }
    }

    /// Instances still warm at the start of minute `g`.
    fn warm_at(&mut self, g: u64) -> u64 {
        while self
            .recent
            .front()
            .is_some_and(|&(j, _)| (g - j - 1) * MS_PER_MINUTE >= self.keep_alive_ms)
        {
            self.recent.pop_front();
        }
        self.recent.iter().map(|&(_, n)| n).max().unwrap_or(0)
    }

    /// Minute `m` (not before the last one noted) needs `instances`.
    fn need(&mut self, m: u64, instances: u64) {
        self.recent.push_back((m, instances));
        self.next_minute = Some(m + 1);
    }

    /// Accounts the idle minutes before minute `m` (up to the keep-alive) and returns the
    /// instances still warm at its start.
    fn start_minute(&mut self, m: u64, idle_ms: &mut u64) -> u64 {
        self.idle_until(m, idle_ms);
        self.warm_at(m)
    }

    /// Minute `m`, begun with `warm` instances ([`WarmPool::start_minute`]), needs `instances`
    /// busy for `busy_ms` in all and for `init_ms` more per cold start; returns its cold starts.
    fn end_minute(&mut self, m: u64, warm: u64, instances: u64, busy_ms: u64, init_ms: f64, idle_ms: &mut u64) -> u64 {
        let cold = instances.saturating_sub(warm);
        let busy_ms = busy_ms + (cold as f64 * init_ms).round() as u64;
        *idle_ms += (warm.max(instances) * MS_PER_MINUTE).saturating_sub(busy_ms);
        self.need(m, instances);
        cold
    }

    /// Warm idle time of the minutes from the next one to `end` (exclusive), while any
    /// instance is still warm.
    fn idle_until(&mut self, end: u64, idle_ms: &mut u64) {
        let Some(mut g) = self.next_minute else { return };
        while g < end {
            let warm = self.warm_at(g);
            if warm == 0 {
                break;
            }
            *idle_ms += warm * MS_PER_MINUTE;
            g += 1;
        }
    }

    /// Ends the run at `end_ms`: the warm instances idle until then or their keep-alive.
    fn drain(&mut self, end_ms: u64, idle_ms: &mut u64) {
        self.idle_until(end_ms.div_ceil(MS_PER_MINUTE), idle_ms);
    }
}

#[cfg(test)]
mod tests {
    //! The fluid path against the event engine on the overlap: the same workload replayed
    //! request by request (threshold never reached) and by the fluid path (threshold 1).
    use super::super::arrivals::{per_minute_function, DurationModel, FunctionArrivals, SpreadMode};
    use super::super::platform::PlatformModel;
    use super::super::{simulate, SimConfig, SimOutput};
    use super::*;
    use crate::cost::billed_gb_seconds;
    use crate::platform::ServerlessPlatform;
    use crate::pricing::Catalog;
    use crate::trace::{DurationInfo, DurationPercentiles, Workload};
    use crate::units::MS_PER_MINUTE;

    /// At 512 MB, where the table's init figure holds as it is (mean 230 ms on Lambda; at 128
    /// MB it is ×1.75, 403 ms, and the fluid peak concurrency was measured 5.8 % above the
    /// replay's on the ramp below).
    fn config(p: ServerlessPlatform) -> SimConfig {
        let mut cfg = SimConfig::new(PlatformModel::from_catalog(&Catalog::embedded().unwrap(), p).unwrap());
        cfg.keep_alive = "fixed:10m".parse().unwrap();
        cfg.memory_mb = Some(512);
        cfg
    }

    /// Azure-like percentiles: mean 120 ms, p50 100 ms, p99 500 ms.
    fn durations() -> DurationInfo {
        DurationInfo::Percentiles(DurationPercentiles {
            average_ms: 120.0,
            count: 100,
            minimum_ms: None,
            maximum_ms: None,
            p0_ms: 10.0,
            p1_ms: 20.0,
            p25_ms: 60.0,
            p50_ms: 100.0,
            p75_ms: 150.0,
            p99_ms: 500.0,
            p100_ms: 900.0,
        })
    }

    /// A ramp of 20,000 → 200,000 → 20,000 invocations a minute (1,100,000 in all).
    fn ramp() -> Workload {
        let counts = vec![
            20_000, 50_000, 100_000, 200_000, 200_000, 200_000, 150_000, 100_000, 60_000, 20_000,
        ];
        scaled_workload(counts, 1.0)
    }

    /// `cfg` with units of at least `threshold` invocations in a minute on the fluid path.
    fn from(cfg: &SimConfig, threshold: u64) -> SimConfig {
        SimConfig {
            fluid_from_per_minute: threshold,
            ..cfg.clone()
        }
    }

    fn both(w: &Workload, cfg: &SimConfig) -> (SimOutput, SimOutput) {
        let events = simulate(w, &from(cfg, u64::MAX)).unwrap();
        let fluid = simulate(w, &from(cfg, 1)).unwrap();
        assert!(!events.assumptions.iter().any(|a| a.starts_with("fluid path")));
        assert!(fluid.assumptions.iter().any(|a| a.starts_with("fluid path: 1 unit(s)")));
        (events, fluid)
    }

    #[test]
    fn the_timeout_cuts_the_duration_distribution() {
        // 20 % of the durations beyond a 1,000-ms timeout: they are cut to 1,000 ms, which
        // then holds 0.3 + 0.2; a limit below 100 ms holds everything.
        let dist = vec![(100, 0.5), (1_000, 0.3), (2_000, 0.2)];
        assert_eq!(
            cut_at_timeout(dist.clone(), Some(1_000)),
            (vec![(100, 0.5), (1_000, 0.5)], 0.2)
        );
        assert_eq!(cut_at_timeout(dist.clone(), Some(50)), (vec![(50, 1.0)], 1.0));
        assert_eq!(cut_at_timeout(dist.clone(), None), (dist, 0.0));
    }

    fn within(what: &str, fluid: f64, events: f64, tolerance: f64) {
        let err = (fluid - events).abs() / events;
        assert!(
            err <= tolerance,
            "{what}: fluid {fluid} vs events {events}: {:.2} %",
            err * 100.0
        );
    }

    /// Lambda's billed GB-s (execution rounded up to the ms, and init).
    fn billed(out: &SimOutput) -> f64 {
        let catalog = Catalog::embedded().unwrap();
        let b = billed_gb_seconds(&out.usage, &catalog.tables["aws-lambda"])
            .unwrap()
            .unwrap();
        b.execution_gb_seconds + b.init_gb_seconds
    }

    /// Requests exact; billed GB-s and mean concurrency within 1 % (the event replay's sum of
    /// ~10^6 draws has a relative standard error ≈ 0.1 %; the fluid path takes the exact
    /// expectation; measured 0.0–0.2 %); peak concurrency, mean instances and cold starts
    /// within `shape` (the fluid peak is an approximate extreme, the replay's a realised one,
    /// instances stay warm to the minute, and the cold starts are the rises of the peak).
    fn assert_agree(events: &SimOutput, fluid: &SimOutput, shape: f64) {
        let (e, f) = (&events.stats, &fluid.stats);
        assert_eq!(
            (f.invocations, f.served, f.throttles),
            (e.invocations, e.served, e.throttles)
        );
        assert_eq!(f.served + f.throttles, f.invocations);
        let g = &fluid.usage.functions[0];
        assert_eq!(g.on_demand_duration_ms.count(), f.served);
        assert_eq!(g.requests, f.served);
        assert_eq!(g.init_duration_ms.count(), f.cold_starts);
        within("billed GB-s", billed(fluid), billed(events), 0.01);
        within("mean concurrency", f.avg_concurrency, e.avg_concurrency, 0.01);
        within(
            "peak concurrency",
            f.peak_concurrency as f64,
            e.peak_concurrency as f64,
            shape,
        );
        within("mean instances", f.avg_instances, e.avg_instances, shape);
        within("cold starts", f.cold_starts as f64, e.cold_starts as f64, shape);
        assert_eq!(fluid.units[0].invocations, events.units[0].invocations);
    }

    /// One function with `counts` a minute and [`durations`] scaled by `scale`.
    fn scaled_workload(counts: Vec<u32>, scale: f64) -> Workload {
        let DurationInfo::Percentiles(mut p) = durations() else {
            unreachable!("percentiles")
        };
        for v in [
            &mut p.average_ms,
            &mut p.p0_ms,
            &mut p.p1_ms,
            &mut p.p25_ms,
            &mut p.p50_ms,
            &mut p.p75_ms,
            &mut p.p99_ms,
            &mut p.p100_ms,
        ] {
            *v *= scale;
        }
        let minutes = counts.len() as u64;
        Workload {
            functions: vec![per_minute_function("hot", counts, DurationInfo::Percentiles(p))],
            window_start_ms: 0,
            window_end_ms: minutes * MS_PER_MINUTE,
            sources: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn rising_edges_agree_with_the_event_engine() {
        // Lambda's init (median 225 ms at 512 MB) against executions of 6 and 12 ms on
        // average: a rise starts many times the instances its mean load adds. Abrupt starts at
        // 100,000 and 200,000 a minute and a step from 40,000 to 200,000, no account limit
        // (Lambda's 1,000 would bind). Shape within 15 % (measured −10.1 %, −1.8 %, −14.4 %;
        // billed GB-s −0.1 to −0.3 %); the widened-σ peak this replaced was 74 % and 77 % low
        // on the two starts, and billed 2.1 % and 1.7 % too few GB-s there.
        let mut cfg = config(ServerlessPlatform::AwsLambda);
        cfg.concurrency_limit = Some(0);
        for (counts, scale) in [
            (vec![100_000; 4], 0.05),
            (vec![200_000; 3], 0.1),
            (vec![40_000, 200_000, 200_000], 0.1),
        ] {
            let (events, fluid) = both(&scaled_workload(counts, scale), &cfg);
            assert_agree(&events, &fluid, 0.15);
        }
        // Executions of 1–2 ms against a slow, spread init (exponential, mean 600 ms): the
        // edge's grid steps must be finer than the executions (measured +3.1 %, GB-s +0.14 %;
        // with 1,024 steps over the whole span, 3.6 ms each, GB-s were +2.5 % off).
        cfg.cold_start = Some(ColdStartDist::Exponential { mean_ms: 600.0 });
        let (events, fluid) = both(&scaled_workload(vec![400_000; 3], 0.0125), &cfg);
        assert_agree(&events, &fluid, 0.15);
    }

    #[test]
    #[ignore = "30 replays of up to 30 million requests: run with --release -- --ignored"]
    fn agrees_with_the_event_engine_over_rates_and_durations() {
        // Half an hour of minutes drawn between 0.6 and 1.4 times `n` (a fixed LCG, abrupt
        // start), executions of 6 ms to 1.2 s (the Azure-like percentiles scaled), Lambda's init
        // at 512 MB, no account limit: every case with a mean load of at least 10 in flight.
        // Measured (release, 9.8 s): cold starts −13.8 % to +3.6 %, peaks −9.1 % to +4.5 %,
        // mean instances −6.3 % to +10.1 %; the abrupt start dominates the cold starts.
        let mut cfg = config(ServerlessPlatform::AwsLambda);
        cfg.concurrency_limit = Some(0);
        let cases: [(f64, &[u32]); 4] = [
            (0.05, &[100_000, 1_000_000]),
            (0.2, &[100_000, 1_000_000]),
            (1.0, &[10_000, 100_000, 1_000_000]),
            (10.0, &[1_000, 10_000, 100_000, 1_000_000]),
        ];
        for (scale, rates) in cases {
            for &n in rates {
                let mut x = 1u64;
                let counts = (0..30)
                    .map(|_| {
                        x = x
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        (n as f64 * (0.6 + 0.8 * ((x >> 11) as f64 / (1u64 << 53) as f64))) as u32
                    })
                    .collect();
                let (events, fluid) = both(&scaled_workload(counts, scale), &cfg);
                let (e, f) = (&events.stats, &fluid.stats);
                let error = |f: f64, e: f64| (f / e - 1.0) * 100.0;
                eprintln!(
                    "scale {scale} n {n}: cold starts {} vs {} ({:+.1} %), peak {} vs {} ({:+.1} %), \
                     mean instances {:.1} vs {:.1} ({:+.1} %)",
                    f.cold_starts,
                    e.cold_starts,
                    error(f.cold_starts as f64, e.cold_starts as f64),
                    f.peak_concurrency,
                    e.peak_concurrency,
                    error(f.peak_concurrency as f64, e.peak_concurrency as f64),
                    f.avg_instances,
                    e.avg_instances,
                    error(f.avg_instances, e.avg_instances)
                );
                assert_agree(&events, &fluid, 0.15);
            }
        }
    }

    #[test]
    fn a_rising_edge_needs_init_over_execution_more_instances_when_both_are_fixed() {
        // Fixed I = 200 ms and S = 100 ms: no instance is free before 300 ms, so a rate of 1 a
        // ms starts 300 instances, k = 300 / 100 = 3 (within the grid's step, 0.3 ms: 0.5 %).
        let k = rising_edge_factor(&[(100, 1.0)], 100.0, ColdStartDist::Constant { ms: 200 });
        assert!((k - 3.0).abs() < 0.015, "{k}");
        // Spread out (same means), early completions free instances sooner.
        let spread = rising_edge_factor(
            &[(20, 0.5), (180, 0.5)],
            100.0,
            ColdStartDist::Exponential { mean_ms: 200.0 },
        );
        assert!(spread > 1.0 && spread < 2.9, "{spread}");
        // No init: an instance is needed per request in flight, k = 1.
        let none = rising_edge_factor(&[(100, 1.0)], 100.0, ColdStartDist::Constant { ms: 0 });
        assert!((none - 1.0).abs() < 0.015, "{none}");
    }

    #[test]
    fn the_duration_distribution_is_what_the_arrivals_draw() {
        // 200,000 drawn durations against the exact distribution, for both duration models and
        // a memory scaling: means within 0.5 % (standard error ≈ 0.2 %), P(K ≤ 100 ms) within 0.01.
        let f = per_minute_function("f", vec![100_000, 100_000], durations());
        for (model, scale) in [(DurationModel::Piecewise, 1.0), (DurationModel::Lognormal, 0.75)] {
            let opts = ExpandOptions {
                spread: SpreadMode::Uniform,
                fallback_duration_ms: None,
                duration_scale: scale,
                duration_model: model,
            };
            let dist = whole_ms_distribution(&f, &opts).unwrap();
            assert!((dist.iter().map(|d| d.1).sum::<f64>() - 1.0).abs() < 1e-9);
            let exact_mean: f64 = dist.iter().map(|&(k, p)| k as f64 * p).sum();
            let exact_below: f64 = dist.iter().filter(|d| d.0 <= 100).map(|d| d.1).sum();
            let drawn: Vec<u64> = FunctionArrivals::new(&f, &opts, SimRng::new(3))
                .unwrap()
                .map(|r| r.duration_ms)
                .collect();
            let mean = drawn.iter().sum::<u64>() as f64 / drawn.len() as f64;
            let below = drawn.iter().filter(|&&d| d <= 100).count() as f64 / drawn.len() as f64;
            assert!(
                (mean / exact_mean - 1.0).abs() < 0.005,
                "{model:?}: {mean} vs {exact_mean}"
            );
            assert!(
                (below - exact_below).abs() < 0.01,
                "{model:?}: {below} vs {exact_below}"
            );
            // Apportioned counts add up exactly, each within one of its expectation.
            let mut counts = Vec::new();
            apportion(&dist, 1_234_567, &mut counts);
            let h = MsHistogram::from_counts(counts);
            assert_eq!(h.count(), 1_234_567);
            for (k, n) in h.iter() {
                let p = dist.iter().find(|d| d.0 == k).unwrap().1;
                assert!((n as f64 - 1_234_567.0 * p).abs() <= 1.0);
            }
        }
    }

    #[test]
    fn agrees_with_the_event_engine() {
        // With no init, and with Lambda's Python init (lognormal, median 225 ms). Shape within
        // 10 % (measured +1.7 % peak, +2.2 % instances without init; +7.4 % and +6.1 % with it:
        // each rise is taken from instances warm at its start, some of them idle).
        let mut cfg = config(ServerlessPlatform::AwsLambda);
        cfg.cold_start = Some(crate::pricing::ColdStartDist::Constant { ms: 0 });
        let (events, fluid) = both(&ramp(), &cfg);
        assert_agree(&events, &fluid, 0.10);
        let (events, fluid) = both(&ramp(), &config(ServerlessPlatform::AwsLambda));
        assert_agree(&events, &fluid, 0.10);
    }

    #[test]
    fn inits_beyond_the_limit_run_again_as_in_the_event_engine() {
        // Lambda's 10-s init limit with inits lognormal (median 1 s, sigma 1.2): P(init > 10 s)
        // = P(Z > ln 10 / 1.2 = 1.92) = 2.7 % of the cold starts re-run their init within the
        // request, on both paths.
        let mut cfg = config(ServerlessPlatform::AwsLambda);
        cfg.cold_start = Some(crate::pricing::ColdStartDist::Lognormal {
            median_ms: 1_000.0,
            sigma: 1.2,
        });
        let (events, fluid) = both(&ramp(), &cfg);
        // Measured: events 620 cold starts, 15 re-runs (2.4 %), 66,929.0 billed GB-s; fluid 717,
        // 18 (2.5 %), 67,130.7 (+0.3 %: each re-run billed as execution, INIT capped at the
        // limit). The fluid cold starts are 16 % above the replay's with inits this long (mean
        // 2 s): its peak widens σ by the mean init; the shares of re-runs agree.
        let (e, f) = (&events.stats, &fluid.stats);
        let share = |s: &crate::sim::stats::SimStats| s.init_retries as f64 / s.cold_starts as f64;
        assert!((share(f) - 0.027).abs() < 0.01 && (share(e) - 0.027).abs() < 0.01);
        // No recorded INIT above the limit; every re-run is in an execution.
        let g = &fluid.usage.functions[0];
        assert!(g.init_duration_ms.iter().all(|(ms, _)| ms <= 10_000));
        assert_eq!(g.on_demand_duration_ms.count(), f.served);
        assert!(fluid.assumptions.iter().any(|a| a.contains("(on the fluid path too)")));
        within("billed GB-s", billed(&fluid), billed(&events), 0.01);
    }

    #[test]
    fn a_rerun_lands_in_the_most_frequent_durations_and_the_timeout_cuts_it() {
        // Inits 12,000 ms ×2 and 4,000 ms under a 10,000-ms limit: two re-runs. INIT recorded
        // 10,000, 10,000, 4,000; the cold requests wait 22,000, 22,000 and 4,000.
        let mut drawn = MsHistogram::new();
        drawn.add(12_000, 2);
        drawn.add(4_000, 1);
        let l = InitLimit::apply(&drawn, Some(10_000));
        assert_eq!(l.recorded.iter().collect::<Vec<_>>(), vec![(4_000, 1), (10_000, 2)]);
        assert_eq!(l.overhead.iter().collect::<Vec<_>>(), vec![(4_000, 1), (22_000, 2)]);
        assert_eq!(l.reruns.iter().collect::<Vec<_>>(), vec![(12_000, 2)]);
        // Durations 100 ms ×1, 200 ms ×5: both re-runs go to 200-ms requests (12,200 ms), the
        // count and the sum + 24,000 ms kept; under a 12,100-ms timeout both are cut there.
        let mut d = MsHistogram::new();
        d.add(100, 1);
        d.add(200, 5);
        let mut a = d.clone();
        assert_eq!(rerun_within_requests(&mut a, &l.reruns, None), 0);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![(100, 1), (200, 3), (12_200, 2)]);
        assert_eq!((a.count(), a.sum_ms()), (6, d.sum_ms() + 24_000));
        let mut b = d.clone();
        assert_eq!(rerun_within_requests(&mut b, &l.reruns, Some(12_100)), 2);
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![(100, 1), (200, 3), (12_100, 2)]);
        // No limit: nothing changes.
        let none = InitLimit::apply(&drawn, None);
        assert!(none.reruns.is_empty() && none.recorded == drawn);
    }

    #[test]
    fn fluid_and_replayed_units_in_one_run_stay_well_formed() {
        // The ramp's unit crosses a threshold of 150,000 a minute; a quiet unit (10 a minute)
        // stays on the event replay. Counts add up, units stay sorted, the per-minute series
        // holds both, and the assumptions name only the fluid unit.
        let mut w = ramp();
        w.functions
            .insert(0, per_minute_function("calm", vec![10; 10], durations()));
        let mut cfg = config(ServerlessPlatform::AwsLambda);
        cfg.per_minute = true;
        let out = simulate(&w, &from(&cfg, 150_000)).unwrap();
        let s = &out.stats;
        assert_eq!(s.invocations, 1_100_100);
        assert_eq!(s.served + s.throttles, s.invocations);
        let keys: Vec<&str> = out.units.iter().map(|u| u.key.as_str()).collect();
        assert_eq!(keys, ["calm/calm", "hot/hot"]);
        assert_eq!(out.units.iter().map(|u| u.invocations).sum::<u64>(), s.invocations);
        let said = |out: &SimOutput| -> Vec<String> {
            out.assumptions
                .iter()
                .filter(|a| a.starts_with("fluid path"))
                .cloned()
                .collect()
        };
        // Below the default threshold, a second assumption states what one unit's figures lose.
        let fluid = said(&out);
        assert_eq!(fluid.len(), 2, "{fluid:?}");
        assert!(
            fluid[0].contains("(hot/hot)") && fluid[0].contains("150000"),
            "{}",
            fluid[0]
        );
        assert!(
            fluid[1].starts_with("fluid path from 150000 invocations in a minute, below its default of 1000000"),
            "{}",
            fluid[1]
        );
        // At the default, only the first.
        let top = scaled_workload(vec![FLUID_MIN_PER_MINUTE as u32], 1.0);
        let fluid = said(&simulate(&top, &cfg).unwrap());
        assert_eq!(fluid.len(), 1, "{fluid:?}");
        assert!(fluid[0].starts_with("fluid path: 1 unit(s) with at least 1000000"));
        let minutes = &s.concurrency_by_minute;
        assert_eq!(minutes.len(), 10);
        assert_eq!(minutes.iter().map(|m| m.max).max(), Some(s.peak_concurrency));
        let mean = minutes.iter().map(|m| m.mean).sum::<f64>() / 10.0;
        assert!(
            (mean - s.avg_concurrency).abs() < 1e-6,
            "{mean} vs {}",
            s.avg_concurrency
        );
        let g = &out.usage.functions[0];
        assert_eq!(g.requests, s.served);
        assert_eq!(g.on_demand_duration_ms.count(), s.served);
        // The busiest minute of several functions is their per-minute sum.
        let a = per_minute_function("a", vec![600_000, 0, 500_000], durations());
        let b = per_minute_function("b", vec![0, 600_000, 500_000], durations());
        assert_eq!(peak_minute_count(&[&a, &b], FLUID_MIN_PER_MINUTE), 1_000_000);
        assert_eq!(peak_minute_count(&[&a, &b], 2_000_000), 1_200_000);
    }

    #[test]
    fn throttles_where_the_account_limit_binds() {
        // Up to 400 in flight offered against a limit of 300: a quarter of the busiest
        // minutes' requests are throttled. Both saturate the limit, so the served work (billed
        // GB-s) agrees within 2 % (measured 1.3 %). The counts differ more: the replay serves
        // simultaneous arrivals (same ms, ~3 per ms here) shortest first, so it throttles fewer,
        // longer requests (served mean 114.5 ms against 120.5 ms); the fluid path throttles a
        // uniform share. Throttles within 35 % (measured 32 %).
        let mut cfg = config(ServerlessPlatform::AwsLambda);
        cfg.concurrency_limit = Some(300);
        let (events, fluid) = both(&ramp(), &cfg);
        let (e, f) = (&events.stats, &fluid.stats);
        assert_eq!(f.served + f.throttles, f.invocations);
        assert_eq!(f.invocations, e.invocations);
        within("throttles", f.throttles as f64, e.throttles as f64, 0.35);
        assert!(f.peak_concurrency <= 300);
        within("billed GB-s", billed(&fluid), billed(&events), 0.02);
    }

    #[test]
    fn throttles_where_the_instance_cap_binds() {
        // The ramp's unit capped at 300 instances (one request each), no account limit: the
        // cap binds as the account limit of 300 does in the test above, on the unit alone.
        // Served work within 2 %, throttles within 35 %, for the reasons given there (measured
        // +1.3 % and +31.8 %: 152,476 against 115,663); both peaks reach the cap and never pass
        // it, and the same cap as an account limit gives the same run.
        let mut cfg = config(ServerlessPlatform::AwsLambda);
        cfg.concurrency_limit = Some(0);
        cfg.max_instances = Some(300);
        let (events, fluid) = both(&ramp(), &cfg);
        let (e, f) = (&events.stats, &fluid.stats);
        assert_eq!(f.served + f.throttles, f.invocations);
        assert_eq!(f.invocations, e.invocations);
        assert!(e.throttles > 0 && f.throttles > 0);
        within("throttles", f.throttles as f64, e.throttles as f64, 0.35);
        assert!(f.peak_concurrency <= 300 && e.peak_concurrency <= 300);
        within("billed GB-s", billed(&fluid), billed(&events), 0.02);
        assert!(fluid
            .assumptions
            .iter()
            .any(|a| a.starts_with("at most 300 instances per unit (as configured")));
        let mut as_limit = config(ServerlessPlatform::AwsLambda);
        as_limit.concurrency_limit = Some(300);
        let limited = simulate(&ramp(), &from(&as_limit, 1)).unwrap();
        assert_eq!(
            (limited.stats.served, limited.stats.throttles, limited.stats.cold_starts),
            (f.served, f.throttles, f.cold_starts)
        );
    }

    #[test]
    fn a_minute_after_a_capped_one_rises_from_the_instances_the_cap_left() {
        // Account limit 1,000; the event-replayed units hold 900 in minute 0 and none in minute
        // 1. Minute 0 offers 2,000 in flight (1,000,000 calls of 120 ms), capped at the 100
        // left; minute 1 offers 600 with only those 100 warm, so it rises like a cold start
        // (100 + 500·k, k ≈ 2 to 3 here) to the limit: 1,000 in flight, 900 more cold starts.
        // With warm instances taken from the uncapped peaks (thousands), minute 1 did not rise:
        // it peaked at its steady level, 704, and 704 instances were cold-started in all.
        let mut events = ProfileSweep::new(0);
        events.add(0, 900);
        events.add(MS_PER_MINUTE, -900);
        let f = per_minute_function("hot", vec![1_000_000, 300_000], durations());
        let opts = ExpandOptions {
            spread: SpreadMode::Uniform,
            fallback_duration_ms: None,
            duration_scale: 1.0,
            duration_model: DurationModel::Piecewise,
        };
        let unit = FluidUnit {
            key: "hot".to_string(),
            memory_mb: 512,
            init_scale: 1.0,
            functions: vec![FluidFunction { trace: &f, opts }],
        };
        let cfg = FluidConfig {
            keep_alive_ms: 10 * MS_PER_MINUTE,
            cold_start: ColdStartDist::Lognormal {
                median_ms: 225.0,
                sigma: 0.21,
            },
            timeout_ms: None,
            init_limit_ms: None,
            seed: 1,
            limit: Some(1_000),
            max_instances: None,
            window_end_ms: 2 * MS_PER_MINUTE,
            events: &events,
            start_ms: 0,
        };
        let (results, load) = run(&[unit], &cfg).unwrap();
        assert_eq!(load.iter().map(|l| l.2).collect::<Vec<_>>(), vec![100, 1_000]);
        assert_eq!(results[0].cold_starts, 1_000);
        // Minute 1 served in full; of minute 0, the 100 / 2,000-odd share (mean 120.4 ms after
        // whole-ms rounding: 49,794).
        let r = &results[0];
        assert_eq!(r.served + r.throttles, 1_300_000);
        assert!(
            r.served > 300_000 + 49_000 && r.served <= 300_000 + 50_000,
            "{}",
            r.served
        );
    }
}
