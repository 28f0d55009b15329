//! Per-minute offered load of a workload, for the provisioned-server models: how many
//! requests arrive each minute and how much work (ms of service at the server's speed) they
//! bring, with the second moment of service time for the M/G/c approximation. Built from
//! the trace without randomness: exact durations where the trace has them, the mean and
//! a piecewise-linear reading of the Azure percentiles otherwise.
//!
//! A request's service occupies a slot from its arrival to its end, so its work counts in
//! every minute it runs (`busy_ms`), not only in its arrival minute: an hourly 20-minute job is
//! one busy slot for 20 minutes, not 20 for one. Exact timestamps are spread exactly; a minute's
//! count is taken to arrive uniformly in it with the function's mean service time, whose
//! expected overlap with the following minutes has a closed form ([`spread_uniform`]). Service
//! beyond the trace window is left out (the fleet is billed for the window).
//!
//! Service time on a server: the traced duration `d` was measured with `trace_vcpu` of CPU
//! (a Lambda function at M MB has M / 1,769 vCPU); on a full server vCPU its CPU-bound
//! fraction `f` runs `trace_vcpu` times as long as it did, the rest (I/O) is unchanged:
//! `d_server = d × ((1 − f) + f × trace_vcpu)`.

use super::arrivals::percentile_inverse_cdf;
use crate::trace::{Arrivals, DurationInfo, DurationPercentiles, FunctionTrace, Workload};
use crate::units::{MS_PER_MINUTE, US_PER_MS};

/// Load arriving in one minute.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MinuteLoad {
    /// Requests arriving.
    pub arrivals: f64,
    /// Total service time they bring, in ms at server speed.
    pub work_ms: f64,
    /// Service time in progress during this minute (of requests arrived in it or before), ms:
    /// the minute's mean number of busy slots × 60,000.
    pub busy_ms: f64,
    /// Requests still in service from earlier minutes at the minute's start (expected, for
    /// per-minute counts).
    pub carried: f64,
    /// Sum of squared service times (ms²), for the service-time variability.
    pub work_sq_ms2: f64,
}

impl MinuteLoad {
    /// Mean service time in ms (0 when idle).
    pub fn mean_service_ms(&self) -> f64 {
        if self.arrivals > 0.0 {
            self.work_ms / self.arrivals
        } else {
            0.0
        }
    }

    /// Squared coefficient of variation of service time (1 for exponential, 0 constant).
    pub fn service_scv(&self) -> f64 {
        let mean = self.mean_service_ms();
        if mean <= 0.0 {
            return 1.0;
        }
        ((self.work_sq_ms2 / self.arrivals) / (mean * mean) - 1.0).max(0.0)
    }

    /// Offered load in Erlangs (busy request slots on average over the minute).
    pub fn erlangs(&self) -> f64 {
        self.busy_ms / MS_PER_MINUTE as f64
    }
}

/// How traced durations translate to server service times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceModel {
    /// Share of the duration that is CPU-bound (0–1).
    pub cpu_bound_fraction: f64,
    /// vCPU the traced durations ran with (1.0 when unknown).
    pub trace_vcpu: f64,
    /// Duration in ms for functions whose trace gives none.
    pub fallback_duration_ms: Option<f64>,
}

impl ServiceModel {
    /// Server service time for a traced duration.
    pub fn server_ms(&self, traced_ms: f64) -> f64 {
        let f = self.cpu_bound_fraction.clamp(0.0, 1.0);
        traced_ms * ((1.0 - f) + f * self.trace_vcpu)
    }
}

/// The offered load of a workload, minute by minute, and its service-time distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadProfile {
    /// One entry per minute of the workload window.
    pub minutes: Vec<MinuteLoad>,
    /// Service-time quantiles 0.5 %, 1.5 %, … 99.5 % (100 values, ms at server speed),
    /// weighted by invocations.
    pub service_quantiles_ms: Vec<f64>,
}

/// An error building a load profile.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A function has invocations but no duration information.
    #[error(
        "function '{function}' (app '{app}') has no duration in the trace; give the durations file or a \
         fallback duration (scenario `duration_ms`)"
    )]
    NoDuration {
        /// App id.
        app: String,
        /// Function id.
        function: String,
    },
    /// A function's invocations carry no timestamps.
    #[error("function '{0}' has invocations without timestamps, which cannot be replayed in time; export the logs with timestamps")]
    Untimed(String),
}

/// Probability points at which a percentile table is read to pool service times.
const POOL_POINTS: usize = 100;

impl LoadProfile {
    /// Builds the per-minute load of `workload`.
    pub fn from_workload(w: &Workload, model: &ServiceModel) -> Result<LoadProfile, LoadError> {
        let n_minutes = w.window_minutes().max(1) as usize;
        let mut minutes = vec![MinuteLoad::default(); n_minutes];
        let mut pool: Vec<(f64, f64)> = Vec::new(); // (service ms, weight)
        let first_minute = w.window_start_ms / MS_PER_MINUTE;
        for f in &w.functions {
            let invocations = f.arrivals.invocations();
            if invocations == 0 {
                continue;
            }
            match &f.arrivals {
                // Read as the timestamps it draws.
                Arrivals::Poisson(_) => return LoadProfile::from_workload(&w.drawn(), model),
                Arrivals::Timestamps(records) => {
                    for r in records {
                        let s = model.server_ms(r.duration_us as f64 / US_PER_MS as f64);
                        let m = (r.start_ms.saturating_sub(w.window_start_ms) / MS_PER_MINUTE) as usize;
                        let slot = &mut minutes[m.min(n_minutes - 1)];
                        slot.arrivals += 1.0;
                        slot.work_ms += s;
                        slot.work_sq_ms2 += s * s;
                        spread_exact(r.start_ms.saturating_sub(w.window_start_ms), s, &mut minutes);
                        pool.push((s, 1.0));
                    }
                }
                Arrivals::PerMinute(counts) => {
                    let (mean, second) = moments(f, model)?;
                    for (m, c) in counts.nonzero() {
                        let idx = (m as u64).saturating_sub(first_minute) as usize;
                        let slot = &mut minutes[idx.min(n_minutes - 1)];
                        let c = c as f64;
                        slot.arrivals += c;
                        slot.work_ms += c * mean;
                        slot.work_sq_ms2 += c * second;
                        if idx < n_minutes {
                            spread_uniform(idx, c, mean, &mut minutes);
                        }
                    }
                    let weight = invocations as f64 / POOL_POINTS as f64;
                    for q in pool_quantiles(f, model)? {
                        pool.push((q, weight));
                    }
                }
                Arrivals::Untimed(_) => return Err(LoadError::Untimed(f.id.function.clone())),
            }
        }
        Ok(LoadProfile {
            minutes,
            service_quantiles_ms: weighted_quantiles(pool),
        })
    }

    /// The same load with traffic multiplied by `factor` in every minute (service times unchanged).
    pub fn scaled(&self, factor: f64) -> LoadProfile {
        let mut out = self.clone();
        for m in &mut out.minutes {
            m.arrivals *= factor;
            m.work_ms *= factor;
            m.busy_ms *= factor;
            m.carried *= factor;
            m.work_sq_ms2 *= factor;
        }
        out
    }

    /// The service-time percentile `p` (0–100) in ms.
    pub fn service_percentile_ms(&self, p: f64) -> f64 {
        let idx = ((p / 100.0) * POOL_POINTS as f64 - 0.5)
            .round()
            .clamp(0.0, (POOL_POINTS - 1) as f64) as usize;
        self.service_quantiles_ms.get(idx).copied().unwrap_or(0.0)
    }

    /// Largest per-minute offered load in Erlangs.
    pub fn peak_erlangs(&self) -> f64 {
        self.minutes.iter().map(|m| m.erlangs()).fold(0.0, f64::max)
    }
}

/// Adds a service of `service_ms` starting `start_ms` after the window start to the busy time
/// of every minute it overlaps (left out beyond the window).
fn spread_exact(start_ms: u64, service_ms: f64, minutes: &mut [MinuteLoad]) {
    let minute = MS_PER_MINUTE as f64;
    let (start, end) = (start_ms as f64, start_ms as f64 + service_ms);
    let mut m = start_ms / MS_PER_MINUTE;
    while let Some(slot) = minutes.get_mut(m as usize) {
        let lo = start.max(m as f64 * minute);
        let hi = end.min((m + 1) as f64 * minute);
        if hi <= lo {
            break;
        }
        if lo > start {
            slot.carried += 1.0;
        }
        slot.busy_ms += hi - lo;
        m += 1;
    }
}

/// Adds `count` services of `service_ms` arriving uniformly in minute `first` to the expected
/// busy time of every minute they overlap. With `S` the service in minutes and `U` the arrival
/// offset, uniform on [0, 1), minute `first + j` holds `E|[U, U + S] ∩ [j, j + 1]|` =
/// `Φ(j + 1) − 2Φ(j) + Φ(j − 1)`, where `Φ(x) = ∫₋∞ˣ clamp(y, 0, S) dy` (0 below 0, `x²/2` up
/// to `S`, `S²/2 + S(x − S)` above); the terms add up to `S`.
fn spread_uniform(first: usize, count: f64, service_ms: f64, minutes: &mut [MinuteLoad]) {
    let minute = MS_PER_MINUTE as f64;
    let s = service_ms / minute;
    if s.is_nan() || s <= 0.0 {
        return;
    }
    let phi = |x: f64| {
        if x <= 0.0 {
            0.0
        } else if x <= s {
            x * x / 2.0
        } else {
            s * s / 2.0 + s * (x - s)
        }
    };
    for (j, slot) in minutes[first..].iter_mut().enumerate().take(s.ceil() as usize + 1) {
        let x = j as f64;
        slot.busy_ms += count * (phi(x + 1.0) - 2.0 * phi(x) + phi(x - 1.0)) * minute;
        if j > 0 {
            // Still running at the minute's start: P(U + S > j) = 1 − clamp(j − S, 0, 1).
            slot.carried += count * (1.0 - (x - s).clamp(0.0, 1.0));
        }
    }
}

/// Mean and second moment (ms, ms²) of a per-minute function's server service time.
fn moments(f: &FunctionTrace, model: &ServiceModel) -> Result<(f64, f64), LoadError> {
    match &f.duration {
        DurationInfo::Percentiles(p) => {
            let mean = model.server_ms(p.average_ms.max(0.0));
            // Second moment from the piecewise-linear inverse CDF, rescaled to the exact mean.
            let qs = inverse_cdf_points(p);
            let raw_mean = qs.iter().sum::<f64>() / qs.len() as f64;
            let raw_second = qs.iter().map(|q| q * q).sum::<f64>() / qs.len() as f64;
            let scv = if raw_mean > 0.0 {
                (raw_second / (raw_mean * raw_mean) - 1.0).max(0.0)
            } else {
                0.0
            };
            Ok((mean, mean * mean * (1.0 + scv)))
        }
        _ => {
            let d = model.fallback_duration_ms.ok_or_else(|| LoadError::NoDuration {
                app: f.id.app.clone(),
                function: f.id.function.clone(),
            })?;
            let s = model.server_ms(d);
            Ok((s, s * s))
        }
    }
}

/// Service-time values at the pool's probability points for a per-minute function.
fn pool_quantiles(f: &FunctionTrace, model: &ServiceModel) -> Result<Vec<f64>, LoadError> {
    match &f.duration {
        DurationInfo::Percentiles(p) => Ok(inverse_cdf_points(p).into_iter().map(|q| model.server_ms(q)).collect()),
        _ => {
            let (mean, _) = moments(f, model)?;
            Ok(vec![mean; POOL_POINTS])
        }
    }
}

/// The piecewise-linear inverse CDF through the Azure percentiles (the simulator's, in
/// `sim::arrivals`), read at 0.5 %, 1.5 %, …
fn inverse_cdf_points(p: &DurationPercentiles) -> Vec<f64> {
    (0..POOL_POINTS)
        .map(|i| percentile_inverse_cdf(p, (i as f64 + 0.5) / POOL_POINTS as f64))
        .collect()
}

/// Quantiles at the pool's probability points of a weighted sample.
fn weighted_quantiles(mut pool: Vec<(f64, f64)>) -> Vec<f64> {
    if pool.is_empty() {
        return vec![0.0; POOL_POINTS];
    }
    pool.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pool.iter().map(|p| p.1).sum();
    let mut out = Vec::with_capacity(POOL_POINTS);
    let (mut acc, mut j) = (0.0, 0usize);
    for i in 0..POOL_POINTS {
        let target = (i as f64 + 0.5) / POOL_POINTS as f64 * total;
        while j < pool.len() - 1 && acc + pool[j].1 < target {
            acc += pool[j].1;
            j += 1;
        }
        out.push(pool[j].0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::arrivals::per_minute_function;
    use super::super::autoscale::{Autoscaler, StaticPeak};
    use super::*;
    use crate::trace::{FunctionId, Invocation, MemoryInfo, Trigger};

    fn model() -> ServiceModel {
        ServiceModel {
            cpu_bound_fraction: 0.5,
            trace_vcpu: 1.0,
            fallback_duration_ms: Some(1_200_000.0),
        }
    }

    fn workload(functions: Vec<FunctionTrace>, minutes: u64) -> Workload {
        Workload {
            functions,
            window_start_ms: 0,
            window_end_ms: minutes * MS_PER_MINUTE,
            sources: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn a_minute_of_uniform_arrivals_spreads_its_service_by_the_closed_form() {
        // One 20-min service arriving uniformly in minute 0: minute 0 holds E[1 − U] = ½ min,
        // minutes 1–19 a whole minute, minute 20 the last ½: 30,000 + 19 × 60,000 + 30,000 ms.
        let mut minutes = vec![MinuteLoad::default(); 30];
        spread_uniform(0, 1.0, 1_200_000.0, &mut minutes);
        let busy: Vec<f64> = minutes.iter().map(|m| m.busy_ms).collect();
        assert!((busy[0] - 30_000.0).abs() < 1e-6 && (busy[20] - 30_000.0).abs() < 1e-6);
        assert!(busy[1..20].iter().all(|b| (b - 60_000.0).abs() < 1e-6));
        assert!(busy[21..].iter().all(|&b| b == 0.0));
        // Still running at the start of minutes 1–20 (it ends at 20 + U), not 21.
        let carried: Vec<f64> = minutes.iter().map(|m| m.carried).collect();
        assert!(carried[0] == 0.0 && carried[1..=20].iter().all(|&c| c == 1.0) && carried[21] == 0.0);
        // A half-minute service: S − S²/2 = 0.375 min in its minute, S²/2 = 0.125 in the next,
        // and still running at its start with probability P(U > ½) = ½.
        let mut minutes = vec![MinuteLoad::default(); 3];
        spread_uniform(1, 2.0, 30_000.0, &mut minutes);
        assert!((minutes[1].busy_ms - 2.0 * 22_500.0).abs() < 1e-6);
        assert!((minutes[2].busy_ms - 2.0 * 7_500.0).abs() < 1e-6);
        assert!((minutes[2].carried - 2.0 * 0.5).abs() < 1e-12);
        // Beyond the window it is left out.
        let mut minutes = vec![MinuteLoad::default(); 2];
        spread_uniform(1, 1.0, 1_200_000.0, &mut minutes);
        assert!((minutes[1].busy_ms - 30_000.0).abs() < 1e-6);
    }

    #[test]
    fn a_timestamped_request_fills_the_minutes_it_runs_in() {
        // Starts at 0:30, served 90 s (traced 90 s, the I/O half unchanged, the CPU half on one
        // vCPU as traced): 30,000 ms in minute 0, 60,000 in minute 1.
        let f = FunctionTrace {
            id: FunctionId::standalone("ts"),
            trigger: Trigger::Http,
            arrivals: Arrivals::Timestamps(vec![Invocation {
                start_ms: 30_000,
                duration_us: 90_000_000,
                init_duration_us: None,
                billed_duration_ms: None,
                cold_start: None,
                response_bytes: None,
            }]),
            duration: DurationInfo::Samples,
            memory: MemoryInfo::default(),
        };
        let p = LoadProfile::from_workload(&workload(vec![f], 3), &model()).unwrap();
        let busy: Vec<f64> = p.minutes.iter().map(|m| m.busy_ms).collect();
        assert_eq!(busy, vec![30_000.0, 60_000.0, 0.0]);
        let carried: Vec<f64> = p.minutes.iter().map(|m| m.carried).collect();
        assert_eq!(carried, vec![0.0, 1.0, 0.0]);
        // The arrival and its whole work stay in minute 0 (for the mean service time).
        assert_eq!((p.minutes[0].arrivals, p.minutes[0].work_ms), (1.0, 90_000.0));
    }

    #[test]
    fn hourly_twenty_minute_jobs_need_one_slot_not_twenty() {
        // One 20-minute job an hour for a day: at most ~1 busy slot (the job's minutes hold
        // ≤ 1 Erlang; the arrival minute ½), so a static fleet of 1-slot instances at 100 %
        // needs 1 instance (it needed 20 when each job's work sat in its arrival minute).
        let f = per_minute_function(
            "hourly",
            (0..1440).map(|m| u32::from(m % 60 == 0)).collect(),
            DurationInfo::Unknown,
        );
        let p = LoadProfile::from_workload(&workload(vec![f], 1440), &model()).unwrap();
        assert!((p.peak_erlangs() - 1.0).abs() < 1e-9, "{}", p.peak_erlangs());
        let total: f64 = p.minutes.iter().map(|m| m.busy_ms).sum();
        assert!((total - 24.0 * 1_200_000.0).abs() < 1e-3);
        let fleet = StaticPeak {
            target_utilization: 1.0,
            spare_instances: 0,
            min_instances: 1,
            max_instances: 100,
        };
        assert_eq!(fleet.initial(&p, 1.0), 1);
        // On that one instance of 4 slots the job never waits (1 request in the system, not a
        // stationary queue of 1 Erlang, which would make 2 % of arrivals wait 142 s at p99).
        let spec = super::super::provisioned::FleetSpec {
            instance_type: "m7g.large".into(),
            vcpu: 2.0,
            memory_gb: 8.0,
            slots_per_vcpu: 2.0,
            boot_delay_ms: 0,
        };
        let mut fleet = fleet;
        let out = super::super::provisioned::simulate(&p, &spec, &mut fleet, Some(1_000.0));
        assert_eq!((out.peak_instances, out.slo_violation_minutes), (1, 0));
        assert_eq!(out.queueing_ms.p99, 0.0);
    }
}
