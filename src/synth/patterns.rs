//! Arrival patterns of synthetic functions: the expected rate of each minute, Poisson counts
//! per minute (what an Azure 2019 invocations file holds) and start times inside the window
//! (what the CSV format holds).
//!
//! - `poisson`: constant rate λ; counts per minute ~ Poisson(λ), times uniform inside the
//!   minute (a homogeneous Poisson process, exponential inter-arrival times, IAT CV = 1).
//! - `diurnal`: λ(m) = λ̄·(1 + A·cos(2π(m − peak)/1440)), A = [`DIURNAL_AMPLITUDE`]; over whole days
//!   the mean is exactly λ̄, the hourly peak/trough ratio is (1 + A)/(1 − A) = 3.
//! - `bursty`: a baseline rate with promotion-like spikes ([`BURST_MULTIPLIER`] × baseline for
//!   [`BURST_MINUTES`] minutes, [`BURSTS_PER_DAY`] a day, at seeded random times, never
//!   overlapping); the baseline is scaled so the window's mean rate is λ̄.
//! - `periodic`: a timer firing every 1/λ̄ (whole ms) from a seeded phase: exact counts.
//! - `steady-high`: evenly spaced arrivals (whole µs) at a high constant rate, IAT CV = 0:
//!   the best case for provisioned servers.
//!
//! Sources: the Poisson-in-the-minute expansion follows dslab-faas's Azure 2019 reader
//! (uniform or Poisson inside each 1-minute bucket). The diurnal amplitude follows "Serverless
//! in the Wild" (Shahrad et al., ATC 2020, §3.3, Figure 4): platform-wide hourly load shows
//! "a constant baseline of roughly 50% of the invocations that does not show variation", so the
//! trough is half the mean. Burst size, length and frequency and the peak hour are labelled
//! assumptions (the paper gives no figures for them).

use rand::distr::Distribution;
use rand::rngs::StdRng;
use rand::RngExt;
use statrs::distribution::Poisson;

use crate::units::{MINUTES_PER_DAY, MS_PER_MINUTE};

/// Relative amplitude of the diurnal cycle: the trough is (1 − A) = 50 % of the mean
/// (paper §3.3: a constant baseline of roughly 50 % of invocations).
pub const DIURNAL_AMPLITUDE: f64 = 0.5;
/// Minute of the day with the highest rate: 14:00 (assumption; the paper gives none).
pub const DIURNAL_PEAK_MINUTE: u32 = 14 * 60;
/// Rate inside a burst relative to the baseline (assumption: a promotion-like spike).
pub const BURST_MULTIPLIER: f64 = 10.0;
/// Length of one burst in minutes (assumption).
pub const BURST_MINUTES: u32 = 30;
/// Bursts per day (assumption).
pub const BURSTS_PER_DAY: f64 = 2.0;

/// An arrival pattern, as chosen with `--pattern`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pattern {
    /// Constant-rate Poisson process.
    Poisson,
    /// Poisson process with a daily cosine cycle.
    Diurnal,
    /// Poisson baseline with rare, large spikes.
    Bursty,
    /// Timer: exactly periodic.
    Periodic,
    /// Evenly spaced arrivals at a high constant rate.
    SteadyHigh,
}

impl Pattern {
    /// All patterns, in help order.
    pub const ALL: [Pattern; 5] = [
        Pattern::Poisson,
        Pattern::Diurnal,
        Pattern::Bursty,
        Pattern::Periodic,
        Pattern::SteadyHigh,
    ];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Pattern::Poisson => "poisson",
            Pattern::Diurnal => "diurnal",
            Pattern::Bursty => "bursty",
            Pattern::Periodic => "periodic",
            Pattern::SteadyHigh => "steady-high",
        }
    }

    /// The rate used when neither `--rate-per-s` nor `--rate-per-min` is given, per minute:
    /// 1/s for poisson, diurnal and bursty, one timer tick per minute, 20/s for steady-high.
    pub fn default_rate_per_min(self) -> f64 {
        match self {
            Pattern::Poisson | Pattern::Diurnal | Pattern::Bursty => 60.0,
            Pattern::Periodic => 1.0,
            Pattern::SteadyHigh => 1_200.0,
        }
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Pattern {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Pattern::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Pattern::ALL.iter().map(|p| p.name()).collect();
            format!("unknown pattern '{s}'; expected one of {}", names.join(", "))
        })
    }
}

/// How one function's invocations arrive over the window (minute 0 = window start).
#[derive(Debug, Clone, PartialEq)]
pub enum ArrivalModel {
    /// Homogeneous Poisson process.
    Poisson {
        /// Mean invocations per minute.
        rate_per_min: f64,
    },
    /// Poisson process with rate λ̄·(1 + A·cos(2π(m − peak)/1440)).
    Diurnal {
        /// Mean invocations per minute over whole days.
        rate_per_min: f64,
        /// Relative amplitude A (0 ≤ A ≤ 1).
        amplitude: f64,
        /// Minute of the day of the peak.
        peak_minute: u32,
    },
    /// Poisson baseline with spikes.
    Bursty {
        /// Invocations per minute outside spikes.
        baseline_per_min: f64,
        /// Rate inside a spike relative to the baseline.
        multiplier: f64,
        /// Spikes as (first minute, length in minutes), sorted, not overlapping.
        spikes: Vec<(u32, u32)>,
    },
    /// A timer: one invocation at `phase_ms + k·period_ms`.
    Periodic {
        /// Period in ms.
        period_ms: u64,
        /// First firing, in ms from the window start (< period).
        phase_ms: u64,
    },
    /// Evenly spaced arrivals at `(phase_us + k·period_us) / 1000` ms.
    Even {
        /// Spacing in µs.
        period_us: u64,
        /// First arrival in µs from the window start (< period).
        phase_us: u64,
    },
}

impl ArrivalModel {
    /// The model of `pattern` at mean rate `rate_per_min` over a window of `window_minutes`,
    /// drawing its random parts (phase, burst times) from `rng`.
    pub fn new(pattern: Pattern, rate_per_min: f64, window_minutes: u32, rng: &mut StdRng) -> Self {
        match pattern {
            Pattern::Poisson => ArrivalModel::Poisson { rate_per_min },
            Pattern::Diurnal => ArrivalModel::Diurnal {
                rate_per_min,
                amplitude: DIURNAL_AMPLITUDE,
                peak_minute: DIURNAL_PEAK_MINUTE,
            },
            Pattern::Bursty => Self::bursty(rate_per_min, window_minutes, rng),
            Pattern::Periodic => {
                let period_ms = ((MS_PER_MINUTE as f64 / rate_per_min).round() as u64).max(1);
                ArrivalModel::Periodic {
                    period_ms,
                    phase_ms: rng.random_range(0..period_ms),
                }
            }
            Pattern::SteadyHigh => {
                let period_us = ((MS_PER_MINUTE as f64 * 1_000.0 / rate_per_min).round() as u64).max(1);
                ArrivalModel::Even {
                    period_us,
                    phase_us: rng.random_range(0..period_us),
                }
            }
        }
    }

    /// A bursty model whose mean over the window is `rate_per_min`: baseline b with
    /// b·(W − S) + M·b·S = λ̄·W, S the minutes inside spikes.
    fn bursty(rate_per_min: f64, window_minutes: u32, rng: &mut StdRng) -> Self {
        let w = window_minutes;
        let count = ((BURSTS_PER_DAY * w as f64 / MINUTES_PER_DAY as f64).round() as u32).max(1);
        let len = BURST_MINUTES.min(w / (4 * count)).max(1);
        let mut spikes: Vec<(u32, u32)> = Vec::new();
        for _ in 0..count {
            // Up to 100 tries to place a spike clear of the others; give up on it otherwise.
            for _ in 0..100 {
                let start = rng.random_range(0..=w - len);
                if spikes.iter().all(|&(s, l)| start + len <= s || s + l <= start) {
                    spikes.push((start, len));
                    break;
                }
            }
        }
        spikes.sort_unstable();
        let spike_minutes: u32 = spikes.iter().map(|s| s.1).sum();
        let baseline = rate_per_min * w as f64 / (w as f64 + (BURST_MULTIPLIER - 1.0) * spike_minutes as f64);
        ArrivalModel::Bursty {
            baseline_per_min: baseline,
            multiplier: BURST_MULTIPLIER,
            spikes,
        }
    }

    /// Expected invocations in minute `minute` of the window (random models; for the exact
    /// models, their long-run rate).
    pub fn expected_in_minute(&self, minute: u32) -> f64 {
        match self {
            ArrivalModel::Poisson { rate_per_min } => *rate_per_min,
            ArrivalModel::Diurnal {
                rate_per_min,
                amplitude,
                peak_minute,
            } => {
                let day_minute = (minute % MINUTES_PER_DAY) as f64 + 0.5;
                let angle = 2.0 * std::f64::consts::PI * (day_minute - *peak_minute as f64) / MINUTES_PER_DAY as f64;
                rate_per_min * (1.0 + amplitude * angle.cos())
            }
            ArrivalModel::Bursty {
                baseline_per_min,
                multiplier,
                spikes,
            } => {
                let inside = spikes.iter().any(|&(s, l)| minute >= s && minute < s + l);
                if inside {
                    baseline_per_min * multiplier
                } else {
                    *baseline_per_min
                }
            }
            ArrivalModel::Periodic { period_ms, .. } => MS_PER_MINUTE as f64 / *period_ms as f64,
            ArrivalModel::Even { period_us, .. } => MS_PER_MINUTE as f64 * 1_000.0 / *period_us as f64,
        }
    }

    /// Mean invocations per minute over the first `window_minutes` minutes.
    pub fn mean_rate_per_min(&self, window_minutes: u32) -> f64 {
        (0..window_minutes).map(|m| self.expected_in_minute(m)).sum::<f64>() / window_minutes as f64
    }

    /// The arrivals of minutes `[first_minute, first_minute + minutes)`: counts per minute and,
    /// when `with_times`, every start time in ms from the window start (sorted). Random models
    /// draw the counts first, then the times, from `rng`; exact models ignore `rng`.
    pub fn arrivals(&self, first_minute: u32, minutes: u32, with_times: bool, rng: &mut StdRng) -> Arrivals {
        let start_ms = first_minute as u64 * MS_PER_MINUTE;
        let end_ms = (first_minute + minutes) as u64 * MS_PER_MINUTE;
        match *self {
            ArrivalModel::Periodic { period_ms, phase_ms } => {
                let k0 = if start_ms <= phase_ms {
                    0
                } else {
                    (start_ms - phase_ms).div_ceil(period_ms)
                };
                let times = (k0..).map(|k| phase_ms + k * period_ms).take_while(|&t| t < end_ms);
                Arrivals::from_times(first_minute, minutes, times, with_times)
            }
            ArrivalModel::Even { period_us, phase_us } => {
                let (start_us, end_us) = (start_ms * 1_000, end_ms * 1_000);
                let k0 = if start_us <= phase_us {
                    0
                } else {
                    (start_us - phase_us).div_ceil(period_us)
                };
                let times = (k0..)
                    .map(|k| phase_us + k * period_us)
                    .take_while(|&t| t < end_us)
                    .map(|t| t / 1_000);
                Arrivals::from_times(first_minute, minutes, times, with_times)
            }
            _ => {
                let counts: Vec<u32> = (first_minute..first_minute + minutes)
                    .map(|m| poisson(self.expected_in_minute(m), rng))
                    .collect();
                let times = with_times.then(|| {
                    let mut times = Vec::with_capacity(counts.iter().map(|&c| c as usize).sum());
                    for (i, &c) in counts.iter().enumerate() {
                        let minute_start = (first_minute as u64 + i as u64) * MS_PER_MINUTE;
                        let from = times.len();
                        for _ in 0..c {
                            times.push(minute_start + rng.random_range(0..MS_PER_MINUTE));
                        }
                        times[from..].sort_unstable();
                    }
                    times
                });
                Arrivals { counts, times }
            }
        }
    }
}

/// One stretch of a function's arrivals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrivals {
    /// Invocations per minute.
    pub counts: Vec<u32>,
    /// Start times in ms from the window start, sorted, when asked for.
    pub times: Option<Vec<u64>>,
}

impl Arrivals {
    fn from_times(first_minute: u32, minutes: u32, times: impl Iterator<Item = u64>, with_times: bool) -> Self {
        let mut counts = vec![0u32; minutes as usize];
        let mut kept = Vec::new();
        for t in times {
            let i = (t / MS_PER_MINUTE) as usize - first_minute as usize;
            counts[i] = counts[i].saturating_add(1);
            if with_times {
                kept.push(t);
            }
        }
        Arrivals {
            counts,
            times: with_times.then_some(kept),
        }
    }
}

/// One Poisson(λ) draw (0 for λ ≤ 0), capped at `u32::MAX`.
pub fn poisson(lambda: f64, rng: &mut StdRng) -> u32 {
    match Poisson::new(lambda) {
        Ok(p) => {
            let n: u64 = p.sample(rng);
            n.min(u32::MAX as u64) as u32
        }
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn diurnal_rates_have_hand_computed_shape() {
        let m = ArrivalModel::Diurnal {
            rate_per_min: 10.0,
            amplitude: 0.5,
            peak_minute: 840,
        };
        // Over a whole day the cosine sums to zero: mean exactly 10.
        assert!((m.mean_rate_per_min(1_440) - 10.0).abs() < 1e-9);
        // Minute 839 is centred at 839.5, 0.5 min before the peak: 10·(1 + 0.5·cos(2π·0.5/1440)) ≈ 15.
        assert!((m.expected_in_minute(839) - 15.0).abs() < 1e-4);
        // Twelve hours later (minute 119, centred at 119.5 = 840 − 720.5): ≈ 5.
        assert!((m.expected_in_minute(119) - 5.0).abs() < 1e-4);
    }

    #[test]
    fn bursty_mean_is_the_requested_rate() {
        let mut rng = StdRng::seed_from_u64(3);
        let m = ArrivalModel::new(Pattern::Bursty, 6.0, 1_440, &mut rng);
        let ArrivalModel::Bursty {
            baseline_per_min,
            spikes,
            ..
        } = &m
        else {
            panic!("not bursty")
        };
        assert_eq!(spikes.len(), 2);
        assert!(spikes.iter().all(|s| s.1 == 30));
        // b = 6·1440 / (1440 + 9·60) = 8640/1980 = 4.3636.
        assert!((baseline_per_min - 4.363_636).abs() < 1e-5, "{baseline_per_min}");
        assert!((m.mean_rate_per_min(1_440) - 6.0).abs() < 1e-9);
    }

    #[test]
    fn periodic_counts_are_exact() {
        // Every 7 s from 3 s: in minute 0, firings at 3, 10, …, 59 s → 9; over 10 minutes
        // (600 s): ⌊(600 − 3 − 1)/7⌋ + 1 = 86 firings.
        let m = ArrivalModel::Periodic {
            period_ms: 7_000,
            phase_ms: 3_000,
        };
        let mut rng = StdRng::seed_from_u64(0);
        let a = m.arrivals(0, 10, true, &mut rng);
        assert_eq!(a.counts[0], 9);
        assert_eq!(a.counts.iter().sum::<u32>(), 86);
        // The same stretch asked for in two halves gives the same counts.
        let first = m.arrivals(0, 5, false, &mut rng);
        let second = m.arrivals(5, 5, false, &mut rng);
        assert_eq!([first.counts, second.counts].concat(), a.counts);
        let times = a.times.unwrap();
        assert_eq!(times[0], 3_000);
        assert!(times.windows(2).all(|w| w[1] - w[0] == 7_000));
    }

    #[test]
    fn even_spacing_counts_are_exact() {
        // 20/s = every 50,000 µs: 1,200 per minute whatever the phase.
        let m = ArrivalModel::Even {
            period_us: 50_000,
            phase_us: 12_345,
        };
        let a = m.arrivals(3, 2, false, &mut StdRng::seed_from_u64(0));
        assert_eq!(a.counts, vec![1_200, 1_200]);
    }

    #[test]
    fn poisson_times_fall_in_their_minutes() {
        let m = ArrivalModel::Poisson { rate_per_min: 30.0 };
        let a = m.arrivals(2, 3, true, &mut StdRng::seed_from_u64(9));
        let times = a.times.unwrap();
        assert_eq!(times.len() as u32, a.counts.iter().sum::<u32>());
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(times.iter().all(|&t| (120_000..300_000).contains(&t)));
    }
}
