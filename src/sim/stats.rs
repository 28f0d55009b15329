//! Behaviour statistics of a serverless simulation (cold starts, throttles, latency
//! percentiles, concurrency over time, instances busy and idle, idle and provisioned memory-time):
//! the `SimStats` that travels next to `Usage` into reports. No billed quantities: billing
//! rules are the cost engine's. f64 only here, for statistics.

use serde::{Deserialize, Serialize};

use crate::units::MS_PER_MINUTE;
use crate::usage::MsHistogram;

/// Latency percentiles in ms (nearest rank over whole-ms latencies).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LatencyMs {
    /// Mean latency.
    pub mean: f64,
    /// Median.
    pub p50: u64,
    /// 95th percentile.
    pub p95: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    #[serde(rename = "p99_9")]
    pub p99_9: u64,
    /// Maximum.
    pub max: u64,
}

impl LatencyMs {
    /// Percentiles of a histogram of latencies.
    pub fn from_histogram(h: &MsHistogram) -> Self {
        let n = h.count();
        if n == 0 {
            return LatencyMs::default();
        }
        LatencyMs {
            mean: h.sum_ms() as f64 / n as f64,
            p50: histogram_percentile(h, 50.0),
            p95: histogram_percentile(h, 95.0),
            p99: histogram_percentile(h, 99.0),
            p99_9: histogram_percentile(h, 99.9),
            max: h.iter().last().map_or(0, |(ms, _)| ms),
        }
    }
}

/// Nearest-rank percentile of a histogram: the smallest value with at least `pct` % of the
/// events at or below it.
pub fn histogram_percentile(h: &MsHistogram, pct: f64) -> u64 {
    let n = h.count();
    if n == 0 {
        return 0;
    }
    // pct / 100 × n carries float error (99.9 % of 100,000 is 99,900.000…01): a relative
    // tolerance keeps an exact rank exact.
    let exact = (pct / 100.0) * n as f64;
    let rank = (exact - exact * 1e-12).ceil().max(1.0) as u64;
    let mut acc = 0;
    for (ms, c) in h.iter() {
        acc += c;
        if acc >= rank {
            return ms;
        }
    }
    h.iter().last().map_or(0, |(ms, _)| ms)
}

/// Shares of requests at which an added-latency curve is sampled: the body, then the tail
/// where cold starts and queueing show (most requests add nothing).
pub const CDF_SHARES: [f64; 14] = [
    0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999, 0.99999, 1.0,
];

/// Nearest-rank quantiles of a histogram at `CDF_SHARES`, as (share, ms); empty when it is.
pub fn cdf_points(h: &MsHistogram) -> Vec<(f64, u64)> {
    if h.count() == 0 {
        return Vec::new();
    }
    CDF_SHARES
        .iter()
        .map(|&share| (share, histogram_percentile(h, share * 100.0)))
        .collect()
}

/// Nearest-rank percentile of unsorted values.
pub fn percentile(values: &[f64], pct: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((pct / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

/// Requests in flight during one minute of the simulated period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MinuteConcurrency {
    /// Minute index from the start of the period.
    pub minute: u64,
    /// Largest number in flight.
    pub max: u32,
    /// Time-weighted mean number in flight.
    pub mean: f64,
}

/// Concurrency over time from in-flight changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConcurrencyProfile {
    /// Largest number of requests in flight at once.
    pub peak: u32,
    /// Time-weighted mean over the period.
    pub mean: f64,
    /// Per minute, from the period start.
    pub by_minute: Vec<MinuteConcurrency>,
}

/// Concurrency over time, swept from in-flight changes fed in time order: memory is one entry
/// per minute in which something was in flight (sparse: far-apart timestamps cost nothing),
/// never the window span, or none for a sweep of the totals only (peak and mean). At equal
/// times completions (-1) come before arrivals (+1), as in the engine. Its fields are written
/// in partial files (`sim::partial`, a unit's own totals): a change to them changes the
/// partial schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileSweep {
    start_ms: u64,
    t_ms: u64,
    level: i64,
    peak: u32,
    /// In-flight × ms of a sweep of the totals only (a sweep by minute sums its minutes').
    total_area: u128,
    /// `(minute from the start, in-flight × ms, max in flight)`, increasing minute.
    minutes: Vec<(u64, u64, u32)>,
    /// End of the last entry's minute (0 while there is none): a change up to it adds to that
    /// entry alone.
    last_end_ms: u64,
    /// Whether `minutes` is kept (else the sweep has the peak and the mean only).
    by_minute: bool,
}

impl ProfileSweep {
    /// An empty sweep of the period starting at `start_ms`.
    pub fn new(start_ms: u64) -> Self {
        ProfileSweep {
            start_ms,
            t_ms: start_ms,
            level: 0,
            peak: 0,
            total_area: 0,
            minutes: Vec::new(),
            last_end_ms: 0,
            by_minute: true,
        }
    }

    /// An empty sweep of the period starting at `start_ms` that keeps the peak and the mean
    /// only: no per-minute entry (a function's run alone, whose series no report shows, would
    /// otherwise hold one for every minute it was busy).
    pub fn totals_only(start_ms: u64) -> Self {
        ProfileSweep {
            by_minute: false,
            ..ProfileSweep::new(start_ms)
        }
    }

    /// Largest number in flight so far.
    pub fn peak(&self) -> u32 {
        self.peak
    }

    /// The most in flight during minute `m` counted from the start (0 when nothing was).
    pub fn minute_max(&self, m: u64) -> u32 {
        assert!(self.by_minute, "a sweep of the totals only has no minutes");
        self.minutes
            .binary_search_by_key(&m, |e| e.0)
            .map_or(0, |i| self.minutes[i].2)
    }

    /// Adds load known only per minute as `(minute from the start, in-flight × ms, max in
    /// flight)`, increasing minute (the fluid path's), after every change has been added. In a
    /// minute that already holds load the maxima are summed: an upper bound of the joint peak.
    pub fn add_minutes(&mut self, extra: &[(u64, u64, u32)]) {
        assert!(self.by_minute, "a sweep of the totals only has no minutes");
        let old = std::mem::take(&mut self.minutes);
        self.minutes = crate::stats::merge_sorted(
            old,
            extra.iter().copied(),
            |e| e.0,
            |x, y| (x.0, x.1 + y.1, x.2.saturating_add(y.2)),
        );
        self.peak = self.minutes.iter().fold(self.peak, |peak, m| peak.max(m.2));
        self.last_end_ms = self.minutes.last().map_or(0, |last| self.minute_end_ms(last.0));
    }

    /// Adds one change; `(time_ms, delta)` must not decrease from call to call.
    #[inline]
    pub fn add(&mut self, time_ms: u64, delta: i32) {
        let time = time_ms.max(self.start_ms);
        if self.level > 0 && time > self.t_ms {
            let level = self.level as u64;
            match self.minutes.last_mut() {
                // Most changes fall in the minute of the previous one.
                Some(last) if time <= self.last_end_ms => {
                    debug_assert!(
                        self.t_ms + MS_PER_MINUTE >= self.last_end_ms,
                        "the last change is in that minute"
                    );
                    last.1 += level * (time - self.t_ms);
                    last.2 = last.2.max(level as u32);
                }
                _ if self.by_minute => self.accumulate_by_minute(time),
                _ => self.total_area += level as u128 * (time - self.t_ms) as u128,
            }
        }
        self.t_ms = time;
        self.level += delta as i64;
        if self.level > 0 {
            self.peak = self.peak.max(self.level as u32);
        }
    }

    /// End of minute `m` counted from the start.
    fn minute_end_ms(&self, m: u64) -> u64 {
        self.start_ms + (m + 1) * MS_PER_MINUTE
    }

    /// Adds the current level (above 0) over `[t_ms, to)` (not empty) to the per-minute areas
    /// and maxima, from the minute of `t_ms` on.
    fn accumulate_by_minute(&mut self, to: u64) {
        let level = self.level as u64;
        let mut a = self.t_ms;
        while a < to {
            let m = (a - self.start_ms) / MS_PER_MINUTE;
            let b = to.min(self.minute_end_ms(m));
            match self.minutes.last_mut() {
                Some(last) if last.0 == m => {
                    last.1 += level * (b - a);
                    last.2 = last.2.max(level as u32);
                }
                _ => self.minutes.push((m, level * (b - a), level as u32)),
            }
            a = b;
        }
        self.last_end_ms = self.minute_end_ms(self.minutes.last().expect("a minute was added").0);
    }

    /// The profile of `[start_ms, end_ms)`; the per-minute series only when `by_minute` (of a
    /// sweep that kept its minutes).
    pub fn finish(mut self, end_ms: u64, by_minute: bool) -> ConcurrencyProfile {
        assert!(
            self.by_minute || !by_minute,
            "a sweep of the totals only has no per-minute series"
        );
        let end_ms = end_ms.max(self.start_ms + 1);
        // The level held to the end (a change of nothing at the end).
        self.add(end_ms, 0);
        let start_ms = self.start_ms;
        let by_minute = if by_minute {
            let minutes = (end_ms - start_ms).div_ceil(MS_PER_MINUTE);
            let mut sparse = self.minutes.iter().peekable();
            (0..minutes)
                .map(|m| {
                    let minute_start = start_ms + m * MS_PER_MINUTE;
                    let len = (end_ms.min(minute_start + MS_PER_MINUTE) - minute_start) as f64;
                    let (area, max) = match sparse.next_if(|e| e.0 == m) {
                        Some(&(_, area, max)) => (area, max),
                        None => (0, 0),
                    };
                    MinuteConcurrency {
                        minute: m,
                        max,
                        mean: area as f64 / len,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let total_area = if self.by_minute {
            self.minutes.iter().map(|m| m.1 as u128).sum()
        } else {
            self.total_area
        };
        ConcurrencyProfile {
            peak: self.peak,
            mean: total_area as f64 / (end_ms - start_ms) as f64,
            by_minute,
        }
    }
}

/// Everything the simulation observed, for reports (no prices).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SimStats {
    /// Platform id.
    pub platform: String,
    /// Keep-alive policy, resolved.
    pub keep_alive: String,
    /// Simulated units (functions, or apps on platforms where apps share instances).
    pub units: u64,
    /// Simulated period in ms (trace window, extended to the last completion).
    pub period_ms: u64,
    /// Requests that arrived.
    pub invocations: u64,
    /// Requests served.
    pub served: u64,
    /// Requests that started a new instance.
    pub cold_starts: u64,
    /// `cold_starts / served`.
    pub cold_start_rate: f64,
    /// 75th percentile over units of each unit's cold-start % (Shahrad et al. Fig. 15 metric).
    pub app_cold_start_pct_p75: f64,
    /// Requests dropped by the concurrency limit.
    pub throttles: u64,
    /// Retry attempts of throttled requests.
    pub retries: u64,
    /// Requests cut by the platform's execution timeout (failed, billed up to the timeout).
    pub timeouts: u64,
    /// Inits abandoned at the platform's init limit and run again within their request.
    pub init_retries: u64,
    /// Latency (wait + init + execution) percentiles.
    pub latency_ms: LatencyMs,
    /// Added latency (latency minus execution: waiting for init or a slot) percentiles.
    pub overhead_ms: LatencyMs,
    /// Added latency at each of `CDF_SHARES` (for the report's latency CDF).
    #[serde(skip)]
    pub overhead_cdf_ms: Vec<(f64, u64)>,
    /// Largest number of requests in flight at once, over all units.
    pub peak_concurrency: u32,
    /// Time-weighted mean number of requests in flight.
    pub avg_concurrency: f64,
    /// Time-weighted mean number of instances (busy + warm idle + provisioned).
    pub avg_instances: f64,
    /// Time-weighted mean number of busy instances.
    pub avg_busy_instances: f64,
    /// Time-weighted mean number of idle instances (warm or provisioned).
    pub avg_idle_instances: f64,
    /// Warm idle time of on-demand instances, in instance-seconds.
    pub idle_instance_seconds: f64,
    /// Warm idle memory-time of on-demand instances (the paper's wasted memory time).
    pub idle_gb_seconds: f64,
    /// Provisioned-concurrency GB-s (configured memory × time provisioned).
    pub provisioned_gb_seconds: f64,
    /// Requests in flight per minute (filled only when asked for).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub concurrency_by_minute: Vec<MinuteConcurrency>,
    /// The shorter keep-alive windows read off this replay (`SimConfig::shorter_windows_ms`;
    /// empty when not asked for or not derivable).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shorter_windows: Vec<super::window_sweep::WindowStats>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut h = MsHistogram::new();
        for ms in 1..=100 {
            h.add(ms, 1);
        }
        let l = LatencyMs::from_histogram(&h);
        assert_eq!((l.p50, l.p95, l.p99, l.p99_9, l.max), (50, 95, 99, 100, 100));
        assert!((l.mean - 50.5).abs() < 1e-12);
        assert_eq!(percentile(&[4.0, 1.0, 3.0, 2.0], 75.0), 3.0);
    }

    /// 99,900 warm requests add 0 ms, 90 cold ones 800 ms, 10 cold ones 5,000 ms: nearest rank
    /// over 100,000 — up to p99.9 (rank 99,900) 0 ms, p99.95 (rank 99,950) 800 ms, p99.99
    /// (rank 99,990) 800 ms, p99.999 (rank 99,999) 5,000 ms, the maximum 5,000 ms.
    #[test]
    fn the_cdf_samples_the_tail() {
        let mut h = MsHistogram::new();
        h.add(0, 99_900);
        h.add(800, 90);
        h.add(5_000, 10);
        let points = cdf_points(&h);
        assert_eq!(points.len(), CDF_SHARES.len());
        let at = |share: f64| points.iter().find(|p| p.0 == share).unwrap().1;
        assert_eq!((at(0.5), at(0.99), at(0.999)), (0, 0, 0));
        assert_eq!((at(0.9995), at(0.9999)), (800, 800));
        assert_eq!((at(0.99999), at(1.0)), (5_000, 5_000));
        assert!(points.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
        assert!(cdf_points(&MsHistogram::new()).is_empty());
    }

    #[test]
    fn concurrency_sweep_by_minute() {
        // One request 0–30 s, two overlapping 20–90 s and 50–150 s (ms below).
        let mut deltas = vec![
            (0, 1),
            (30_000, -1),
            (20_000, 1),
            (90_000, -1),
            (50_000, 1),
            (150_000, -1),
        ];
        deltas.sort_unstable();
        let mut sweep = ProfileSweep::new(0);
        for &(t, d) in &deltas {
            sweep.add(t, d);
        }
        let p = sweep.finish(180_000, true);
        assert_eq!(p.peak, 2);
        // Minute 0: level 1 on 0–20 s, 2 on 20–30 s, 1 on 30–50 s, 2 on 50–60 s → area 80 s·req.
        assert_eq!(p.by_minute[0].max, 2);
        assert!((p.by_minute[0].mean - 80.0 / 60.0).abs() < 1e-12);
        // Minute 1: 2 on 60–90 s, 1 on 90–120 s → 90/60.
        assert!((p.by_minute[1].mean - 1.5).abs() < 1e-12);
        assert_eq!(p.by_minute[1].max, 2);
        // Minute 2: 1 on 120–150 s → 0.5, max 1 (carried, no event at its start).
        assert_eq!(p.by_minute[2].max, 1);
        assert!((p.by_minute[2].mean - 0.5).abs() < 1e-12);
        // Total area 30 + 70 + 100 = 200 s over 180 s.
        assert!((p.mean - 200.0 / 180.0).abs() < 1e-12);
        // A sweep of the totals only: the same peak and mean, no minute kept.
        let mut totals = ProfileSweep::totals_only(0);
        for (t, d) in deltas {
            totals.add(t, d);
        }
        assert!(totals.minutes.is_empty());
        let q = totals.finish(180_000, false);
        assert_eq!((q.peak, q.mean.to_bits(), q.by_minute.len()), (2, p.mean.to_bits(), 0));
    }

    #[test]
    #[should_panic(expected = "a sweep of the totals only has no per-minute series")]
    fn a_sweep_of_the_totals_only_refuses_to_give_a_series() {
        let mut totals = ProfileSweep::totals_only(0);
        totals.add(0, 1);
        totals.finish(60_000, true);
    }

    /// The sweep against a level kept for every ms: random changes (repeated times, idle gaps,
    /// gaps of several minutes, a start off the minute), by minute and of the totals only.
    #[test]
    fn the_sweep_equals_a_level_kept_for_every_ms() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
        for case in 0..200 {
            let start = if case % 2 == 0 { 0 } else { 12_345 };
            let end = start + 400_000;
            let mut changes: Vec<(u64, i32)> = Vec::new();
            let mut level = 0i64;
            let mut t = start;
            while t < end - 1 {
                t += match rng.random_range(0..10) {
                    0 => 0,
                    1 => rng.random_range(60_000..130_000),
                    _ => rng.random_range(1..3_000),
                };
                if t >= end {
                    break;
                }
                let d = if level > 0 && rng.random_bool(0.5) {
                    -1
                } else {
                    rng.random_range(1..4)
                };
                level += i64::from(d);
                changes.push((t, d));
            }
            // The reference: the level during each ms, then per-minute areas and maxima.
            let mut by_ms = vec![0i64; (end - start) as usize];
            let mut peak = 0i64;
            let (mut level, mut at) = (0i64, start);
            for &(t, d) in &changes {
                by_ms[(at - start) as usize..(t - start) as usize].fill(level);
                (level, at) = (level + i64::from(d), t);
                peak = peak.max(level);
            }
            by_ms[(at - start) as usize..].fill(level);
            let mut sweep = ProfileSweep::new(start);
            let mut totals = ProfileSweep::totals_only(start);
            for &(t, d) in &changes {
                sweep.add(t, d);
                totals.add(t, d);
            }
            let p = sweep.finish(end, true);
            let q = totals.finish(end, false);
            assert_eq!((p.peak, q.peak), (peak as u32, peak as u32), "case {case}");
            let area: i64 = by_ms.iter().sum();
            let mean = area as f64 / (end - start) as f64;
            assert_eq!(
                (p.mean.to_bits(), q.mean.to_bits()),
                (mean.to_bits(), mean.to_bits()),
                "case {case}"
            );
            for (m, minute) in by_ms.chunks(MS_PER_MINUTE as usize).enumerate() {
                let held = &p.by_minute[m];
                let sum: i64 = minute.iter().sum();
                assert_eq!(held.max as i64, *minute.iter().max().unwrap(), "case {case} minute {m}");
                assert_eq!(
                    held.mean.to_bits(),
                    (sum as f64 / minute.len() as f64).to_bits(),
                    "case {case} minute {m}"
                );
            }
        }
    }

    #[test]
    fn far_apart_changes_cost_two_minutes_not_the_span() {
        // One request in 1970 and one near the year 9999: the sweep keeps two minute entries.
        let late = 253_402_000_000_000;
        let mut sweep = ProfileSweep::new(0);
        for (t, d) in [(0, 1), (1_000, -1), (late, 1), (late + 1_000, -1)] {
            sweep.add(t, d);
        }
        assert_eq!(sweep.minutes.len(), 2);
        let p = sweep.finish(late + 60_000, false);
        assert_eq!(p.peak, 1);
        assert!(p.by_minute.is_empty());
        assert!((p.mean - 2_000.0 / (late + 60_000) as f64).abs() < 1e-18);
    }
}
