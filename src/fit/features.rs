//! Trace features that decide whether a function — or a whole workload — fits serverless:
//! how busy it is (duty cycle: share of the window's minutes with an invocation), how spiky
//! (busiest minute over the mean minute), how regular (coefficient of variation of
//! inter-arrival times: ≤ 0.1 periodic like a timer, > 1 burstier than Poisson), its rate and
//! average duration. Measured from the trace alone, before any simulation.

use std::collections::BTreeMap;

use crate::characterize::{average_duration_ms, shape};
use crate::trace::{Arrivals, FunctionTrace, Workload};
use crate::units::MS_PER_MINUTE;

/// What the trace says about one function or a workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features {
    /// Invocations in the window.
    pub invocations: u64,
    /// Minutes in the window.
    pub minutes: u64,
    /// Share of the window's minutes with at least one invocation (None: untimed arrivals).
    pub duty_cycle: Option<f64>,
    /// Busiest minute's invocations over the mean per minute (None: untimed arrivals).
    pub peak_to_mean: Option<f64>,
    /// Coefficient of variation of inter-arrival times (None: fewer than 3 timed invocations,
    /// or a whole workload, whose merged arrivals have no single period).
    pub iat_cv: Option<f64>,
    /// Average execution duration, ms (None: the trace gives none).
    pub mean_duration_ms: Option<f64>,
}

impl Features {
    /// Average invocations per minute over the window.
    pub fn rate_per_minute(&self) -> f64 {
        self.invocations as f64 / self.minutes.max(1) as f64
    }
}

/// The features of one function over the workload's window.
pub fn of_function(f: &FunctionTrace, w: &Workload) -> Features {
    let minutes = w.window_minutes().max(1);
    let s = shape(&f.arrivals, w.window_start_ms, minutes);
    Features {
        invocations: f.arrivals.invocations(),
        minutes,
        duty_cycle: s.as_ref().map(|s| 1.0 - s.idle_fraction),
        peak_to_mean: s.as_ref().map(|s| s.peak_to_mean),
        iat_cv: s.and_then(|s| s.iat_cv),
        mean_duration_ms: average_duration_ms(f),
    }
}

/// The features of the whole workload: its functions' timed arrivals merged minute by minute;
/// the mean duration is weighted by invocations.
pub fn of_workload(w: &Workload) -> Features {
    let minutes = w.window_minutes().max(1);
    let mut by_minute: BTreeMap<u64, u64> = BTreeMap::new();
    let mut timed = false;
    let (mut weighted_ms, mut weight) = (0.0, 0.0);
    for f in &w.functions {
        match &f.arrivals {
            // Read as the timestamps it draws.
            Arrivals::Poisson(_) => return of_workload(&w.drawn()),
            Arrivals::Timestamps(v) => {
                timed = true;
                for i in v {
                    *by_minute
                        .entry(i.start_ms.saturating_sub(w.window_start_ms) / MS_PER_MINUTE)
                        .or_default() += 1;
                }
            }
            Arrivals::PerMinute(c) => {
                timed = true;
                for (m, n) in c.nonzero() {
                    *by_minute.entry(u64::from(m)).or_default() += u64::from(n);
                }
            }
            Arrivals::Untimed(_) => {}
        }
        if let Some(d) = average_duration_ms(f) {
            let n = f.arrivals.invocations() as f64;
            weighted_ms += d * n;
            weight += n;
        }
    }
    let total: u64 = by_minute.values().sum();
    let peak = by_minute.values().copied().max().unwrap_or(0);
    let busy = by_minute.len() as u64;
    let measured = timed && total > 0;
    Features {
        invocations: w.invocations(),
        minutes,
        duty_cycle: measured.then(|| busy.min(minutes) as f64 / minutes as f64),
        peak_to_mean: measured.then(|| peak as f64 / (total as f64 / minutes as f64)),
        iat_cv: None,
        mean_duration_ms: (weight > 0.0).then(|| weighted_ms / weight),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{DurationInfo, FunctionId, MemoryInfo, MinuteCounts, Trigger};

    fn per_minute(name: &str, counts: Vec<u32>) -> FunctionTrace {
        FunctionTrace {
            id: FunctionId::standalone(name),
            trigger: Trigger::Http,
            arrivals: Arrivals::PerMinute(MinuteCounts::from_dense(0, counts)),
            duration: DurationInfo::Unknown,
            memory: MemoryInfo::default(),
        }
    }

    fn workload(functions: Vec<FunctionTrace>, minutes: u64) -> Workload {
        Workload {
            functions,
            window_start_ms: 0,
            window_end_ms: minutes * MS_PER_MINUTE,
            sources: vec![],
            warnings: vec![],
        }
    }

    /// A timer once every 10 minutes over 100 minutes: busy 10 % of minutes, peak 1 over a mean
    /// of 0.1 = 10, perfectly regular (CV 0).
    #[test]
    fn a_timer_is_idle_spiky_per_minute_and_periodic() {
        let counts: Vec<u32> = (0..100).map(|m| u32::from(m % 10 == 0)).collect();
        let f = per_minute("timer", counts);
        let w = workload(vec![f.clone()], 100);
        let x = of_function(&f, &w);
        assert_eq!(x.invocations, 10);
        assert!((x.duty_cycle.unwrap() - 0.1).abs() < 1e-12);
        assert!((x.peak_to_mean.unwrap() - 10.0).abs() < 1e-12);
        assert!(x.iat_cv.unwrap() < 1e-9);
        assert!((x.rate_per_minute() - 0.1).abs() < 1e-12);
    }

    /// Two functions, one steady at 6 a minute, one a single burst of 60 in minute 5, over 10
    /// minutes: merged minutes hold 6 except minute 5 with 66; mean 12, peak 66 → 5.5; every
    /// minute busy.
    #[test]
    fn a_workload_merges_its_functions_minute_by_minute() {
        let steady = per_minute("steady", vec![6; 10]);
        let mut burst = vec![0; 10];
        burst[5] = 60;
        let w = workload(vec![steady, per_minute("burst", burst)], 10);
        let x = of_workload(&w);
        assert_eq!(x.invocations, 120);
        assert_eq!(x.duty_cycle, Some(1.0));
        assert!((x.peak_to_mean.unwrap() - 5.5).abs() < 1e-12);
        assert_eq!(x.iat_cv, None);
    }
}
