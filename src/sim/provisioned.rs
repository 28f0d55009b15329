//! The provisioned-server model: a fleet of instances of one type (vCPU, memory) with
//! request slots per vCPU, sized by an `Autoscaler`, replaying the per-minute offered load
//! of `sim::load`. Instances launched in a minute are billed at once and serve after the
//! type's boot delay. Requests are never dropped: when demand exceeds capacity they queue.
//!
//! Queueing per minute: with no backlog and load below capacity, the minute is a stationary
//! M/G/c queue — Erlang C gives the probability of waiting and the exponential waiting tail
//! P(W > t) = C(c, a)·exp(−(c − a)·t / E[S]), with the Allen–Cunneen factor (1 + SCV)/2 for
//! general service times. Under overload (or while a backlog drains) the queue is a fluid:
//! queued work grows at (offered − capacity) per ms and an arrival waits queued work / slots.
//! Latency percentiles are reported as service-time percentile + waiting percentile, an upper
//! bound on the true percentile of the sum (stated in the report's assumptions).

use super::autoscale::Autoscaler;
use super::erlang::erlang_c_each;
use super::load::LoadProfile;
use crate::stats::Summary;
use crate::units::MS_PER_MINUTE;
use crate::usage::InstanceUsage;
use serde::Serialize;

/// An instance type as the model sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetSpec {
    /// Instance type id (as in the price table).
    pub instance_type: String,
    /// vCPUs per instance.
    pub vcpu: f64,
    /// Memory per instance in GB.
    pub memory_gb: f64,
    /// Concurrent requests one vCPU serves (1 / CPU-bound fraction).
    pub slots_per_vcpu: f64,
    /// Time from launch to serving, in ms (rounded up to whole minutes).
    pub boot_delay_ms: u64,
}

impl FleetSpec {
    /// Request slots per instance: whole slots (a fraction of a slot serves no request), and
    /// at least one (a small container still runs one request at a time).
    pub fn slots_per_instance(&self) -> f64 {
        (self.vcpu * self.slots_per_vcpu).floor().max(1.0)
    }
}

/// Latency or waiting-time percentiles in ms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// What a fleet did over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProvisionedOutcome {
    /// Billable instance time.
    pub usage: InstanceUsage,
    /// Instances billed in each minute (ready + booting).
    pub instances_per_minute: Vec<u32>,
    /// Utilization of ready capacity per minute (0–1).
    pub utilization: Option<Summary>,
    /// Time requests waited for a free slot.
    pub queueing_ms: Percentiles,
    /// Service time + waiting (upper-bound percentiles).
    pub latency_ms: Percentiles,
    /// Minutes whose 99th-percentile waiting time exceeded the SLO.
    pub slo_violation_minutes: u64,
    /// Most instances billed at once.
    pub peak_instances: u32,
    /// Mean instances billed.
    pub mean_instances: f64,
    /// Requests still queued when the window closed (served after it).
    pub backlog_at_end_requests: f64,
    /// Minutes whose offered work (with the backlog) exceeded the ready capacity: utilization
    /// above 100 %, so requests queued beyond the minute.
    pub overloaded_minutes: u64,
}

/// The waiting-time distribution of the arrivals of one minute.
#[derive(Debug, Clone, Copy)]
enum Wait {
    /// Stationary M/G/c: P(W > t) = p_wait · exp(−rate · t).
    Stationary { p_wait: f64, rate_per_ms: f64 },
    /// Fluid: an arrival at fraction x of the minute waits max(0, start + (end − start)·x) ms.
    Linear { start_ms: f64, end_ms: f64 },
}

impl Wait {
    /// P(W ≤ t).
    fn cdf(&self, t: f64) -> f64 {
        match *self {
            Wait::Stationary { p_wait, rate_per_ms } => 1.0 - p_wait * (-rate_per_ms * t).exp(),
            Wait::Linear { start_ms, end_ms } => {
                let slope = end_ms - start_ms;
                if slope.abs() < 1e-12 {
                    return if start_ms.max(0.0) <= t { 1.0 } else { 0.0 };
                }
                let x = ((t - start_ms) / slope).clamp(0.0, 1.0);
                if slope > 0.0 {
                    x
                } else {
                    1.0 - x
                }
            }
        }
    }

    /// A wait no arrival of the minute exceeds (to one in a million for the exponential tail).
    fn upper_ms(&self) -> f64 {
        match *self {
            Wait::Stationary { p_wait, rate_per_ms } if p_wait > 1e-6 && rate_per_ms > 0.0 => {
                (p_wait / 1e-6).ln() / rate_per_ms
            }
            Wait::Stationary { .. } => 0.0,
            Wait::Linear { start_ms, end_ms } => start_ms.max(end_ms).max(0.0),
        }
    }

    /// The `p`-th percentile (0–100) of this minute's waits: the smallest t ≥ 0 with
    /// P(W ≤ t) ≥ p / 100, in closed form (what [`quantile`]'s bisection converges to).
    fn percentile(&self, p: f64) -> f64 {
        let target = p / 100.0;
        if self.cdf(0.0) >= target {
            return 0.0;
        }
        let t = match *self {
            // 1 − p_wait·e^(−rate·t) = target.
            Wait::Stationary { p_wait, rate_per_ms } => (p_wait / (1.0 - target)).ln() / rate_per_ms,
            Wait::Linear { start_ms, end_ms } => {
                let slope = end_ms - start_ms;
                if slope.abs() < 1e-12 {
                    start_ms
                } else if slope > 0.0 {
                    start_ms + target * slope
                } else {
                    start_ms + (1.0 - target) * slope
                }
            }
        };
        t.max(0.0)
    }

    /// Whether no arrival of the minute waits: P(W ≤ 0) is exactly 1.
    fn never_waits(&self) -> bool {
        self.cdf(0.0) == 1.0
    }
}

/// Smallest t in [0, hi] with cdf(t) ≥ p / 100, by bisection.
fn quantile(cdf: impl Fn(f64) -> f64, hi: f64, p: f64) -> f64 {
    let target = p / 100.0;
    if cdf(0.0) >= target {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, hi.max(1e-9));
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            // Adjacent floats: no further step moves `hi`.
            break;
        }
        if cdf(mid) >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Replays `load` on a fleet sized by `scaler`.
pub fn simulate(
    load: &LoadProfile,
    fleet: &FleetSpec,
    scaler: &mut dyn Autoscaler,
    slo_ms: Option<f64>,
) -> ProvisionedOutcome {
    // `slo_ms` bounds the p99 waiting time (latency added by queueing) of each minute.
    let slots = fleet.slots_per_instance();
    let boot_minutes = fleet.boot_delay_ms.div_ceil(MS_PER_MINUTE) as usize;
    let minute_ms = MS_PER_MINUTE as f64;
    let service_p99 = load.service_percentile_ms(99.0);
    let initial = scaler.initial(load, slots).max(1);
    let mut ready = initial;
    let mut booting: Vec<(usize, u32)> = Vec::new(); // (ready at minute, count)
    let mut launches = initial as u64;
    let mut backlog_work_ms = 0.0;
    let mut billed = Vec::with_capacity(load.minutes.len());
    let mut utilization = Vec::with_capacity(load.minutes.len());
    let mut waits: Vec<(f64, Wait)> = Vec::with_capacity(load.minutes.len());
    // The stationary minutes' queues (slots, Erlangs) and their places in `waits`.
    let mut queues: Vec<(u32, f64)> = Vec::new();
    let mut stationary: Vec<usize> = Vec::new();
    let mut overloaded_minutes = 0;
    for (m, minute) in load.minutes.iter().enumerate() {
        let arrived: u32 = booting.iter().filter(|b| b.0 <= m).map(|b| b.1).sum();
        booting.retain(|b| b.0 > m);
        ready += arrived;
        billed.push(ready + booting.iter().map(|b| b.1).sum::<u32>());
        let capacity_slots = ready as f64 * slots;
        let capacity_work = capacity_slots * minute_ms;
        let demand_work = minute.busy_ms + backlog_work_ms;
        let observed = demand_work / capacity_work;
        if observed > 1.0 {
            overloaded_minutes += 1;
        }
        utilization.push(observed.min(1.0));
        let wait = if backlog_work_ms <= 0.0 && minute.carried + minute.arrivals <= capacity_slots.floor() {
            // Never more requests in the minute than slots (those carried in and those
            // arriving): nobody waits, whatever a stationary queue would say of a rare long job.
            Wait::Linear {
                start_ms: 0.0,
                end_ms: 0.0,
            }
        } else if backlog_work_ms <= 0.0 && minute.busy_ms < capacity_work {
            // Whole slots, so a = work / minute < c here: a stationary M/G/c minute.
            let c = capacity_slots as u32;
            let a = minute.erlangs();
            if minute.arrivals > 0.0 {
                let k = (1.0 + minute.service_scv()) / 2.0;
                // P(wait) once every minute's queue is known, all computed side by side.
                queues.push((c, a));
                stationary.push(waits.len());
                Wait::Stationary {
                    p_wait: f64::NAN,
                    rate_per_ms: (c as f64 - a) / minute.mean_service_ms() / k.max(1e-9),
                }
            } else {
                Wait::Linear {
                    start_ms: 0.0,
                    end_ms: 0.0,
                }
            }
        } else {
            let end_work = backlog_work_ms + minute.busy_ms - capacity_work;
            let w = Wait::Linear {
                start_ms: backlog_work_ms / capacity_slots,
                end_ms: end_work / capacity_slots,
            };
            backlog_work_ms = end_work.max(0.0);
            w
        };
        if minute.arrivals > 0.0 {
            waits.push((minute.arrivals, wait));
        }
        let want = scaler.desired(m, ready, observed);
        let pending: u32 = booting.iter().map(|b| b.1).sum();
        if want > ready + pending {
            let add = want - ready - pending;
            booting.push((m + 1 + boot_minutes, add));
            launches += add as u64;
        } else if want < ready && pending == 0 {
            ready = want.max(1);
        }
    }
    for (i, p) in stationary.into_iter().zip(erlang_c_each(&queues)) {
        let Wait::Stationary { p_wait, .. } = &mut waits[i].1 else {
            unreachable!("`stationary` lists the stationary minutes' places in `waits`");
        };
        *p_wait = p;
    }
    let violations = match slo_ms {
        Some(slo) => waits.iter().filter(|w| w.1.percentile(99.0) > slo).count() as u64,
        None => 0,
    };
    let total_arrivals: f64 = waits.iter().map(|w| w.0).sum();
    // Minutes where nobody waits add all their arrivals to P(W ≤ t) for every t ≥ 0 (the
    // bisection only asks t ≥ 0): summed once, not on every step.
    let (quiet, waits): (Vec<_>, Vec<_>) = waits.into_iter().partition(|w| w.1.never_waits());
    let never_waiting: f64 = quiet.iter().map(|w| w.0).sum();
    let mixture = |t: f64| {
        if total_arrivals <= 0.0 {
            return 1.0;
        }
        (never_waiting + waits.iter().map(|(n, w)| n * w.cdf(t)).sum::<f64>()) / total_arrivals
    };
    let hi = waits.iter().map(|w| w.1.upper_ms()).fold(0.0, f64::max);
    let q = |p| quantile(mixture, hi, p);
    let queueing = Percentiles {
        p50: q(50.0),
        p95: q(95.0),
        p99: q(99.0),
    };
    let latency = Percentiles {
        p50: load.service_percentile_ms(50.0) + queueing.p50,
        p95: load.service_percentile_ms(95.0) + queueing.p95,
        p99: service_p99 + queueing.p99,
    };
    let instance_minutes: u64 = billed.iter().map(|&n| n as u64).sum();
    let mean_service = {
        let (n, w) = load
            .minutes
            .iter()
            .fold((0.0, 0.0), |acc, m| (acc.0 + m.arrivals, acc.1 + m.work_ms));
        if n > 0.0 {
            w / n
        } else {
            0.0
        }
    };
    ProvisionedOutcome {
        usage: InstanceUsage {
            instance_type: fleet.instance_type.clone(),
            instance_ms: instance_minutes * MS_PER_MINUTE,
            launches,
            stacked: Vec::new(),
        },
        peak_instances: billed.iter().copied().max().unwrap_or(0),
        mean_instances: if billed.is_empty() {
            0.0
        } else {
            instance_minutes as f64 / billed.len() as f64
        },
        instances_per_minute: billed,
        utilization: Summary::of(utilization),
        queueing_ms: queueing,
        latency_ms: latency,
        slo_violation_minutes: violations,
        overloaded_minutes,
        backlog_at_end_requests: if mean_service > 0.0 {
            backlog_work_ms / mean_service
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::autoscale::{FixedFleet, StaticPeak, TargetTracking};
    use super::super::load::MinuteLoad;
    use super::*;

    fn profile(erlangs_per_minute: &[f64], service_ms: f64) -> LoadProfile {
        LoadProfile {
            minutes: erlangs_per_minute
                .iter()
                .map(|&a| {
                    let arrivals = a * 60_000.0 / service_ms;
                    MinuteLoad {
                        arrivals,
                        work_ms: arrivals * service_ms,
                        busy_ms: arrivals * service_ms,
                        carried: 0.0,
                        // Exponential service: E[S²] = 2·E[S]².
                        work_sq_ms2: arrivals * 2.0 * service_ms * service_ms,
                    }
                })
                .collect(),
            service_quantiles_ms: vec![service_ms; 100],
        }
    }

    fn fleet(slots_per_vcpu: f64, boot_delay_ms: u64) -> FleetSpec {
        FleetSpec {
            instance_type: "m7g.large".into(),
            vcpu: 2.0,
            memory_gb: 8.0,
            slots_per_vcpu,
            boot_delay_ms,
        }
    }

    #[test]
    fn a_minutes_percentile_in_closed_form_is_what_bisection_finds() {
        let waits = [
            Wait::Stationary {
                p_wait: 0.5,
                rate_per_ms: 0.005,
            },
            Wait::Stationary {
                p_wait: 0.011,
                rate_per_ms: 2.0,
            },
            Wait::Stationary {
                p_wait: 0.009,
                rate_per_ms: 2.0,
            }, // below 1 %: p99 is 0
            Wait::Linear {
                start_ms: 0.0,
                end_ms: 750.0,
            },
            Wait::Linear {
                start_ms: 900.0,
                end_ms: 100.0,
            },
            Wait::Linear {
                start_ms: -50.0,
                end_ms: 50.0,
            },
            Wait::Linear {
                start_ms: 30.0,
                end_ms: 30.0,
            },
            Wait::Linear {
                start_ms: 0.0,
                end_ms: 0.0,
            },
        ];
        for w in waits {
            for p in [50.0, 95.0, 99.0] {
                let bisected = quantile(|t| w.cdf(t), w.upper_ms(), p);
                let closed = w.percentile(p);
                assert!(
                    (closed - bisected).abs() <= 1e-9 * bisected.max(1.0),
                    "{w:?} p{p}: {closed} vs {bisected}"
                );
            }
        }
        // By hand: P(W > t) = 0.5·e^(−0.005·t) = 0.01 at t = ln(50) / 0.005 = 782.40 ms; a wait
        // rising linearly from 0 to 750 ms over the minute has p99 = 742.5 ms.
        assert!((waits[0].percentile(99.0) - 50f64.ln() / 0.005).abs() < 1e-9);
        assert!((waits[3].percentile(99.0) - 742.5).abs() < 1e-9);
        assert_eq!(waits[2].percentile(99.0), 0.0);
    }

    #[test]
    fn stationary_mm1_waiting_percentiles() {
        // One slot (1 vCPU × 1 slot) at ρ = 0.5 with exponential 100 ms service:
        // P(W > t) = 0.5·exp(−t·(1 − 0.5)/100) → median 0, p95 = 200·ln(10) = 460.5 ms.
        let load = profile(&[0.5; 10], 100.0);
        let f = FleetSpec {
            vcpu: 1.0,
            ..fleet(1.0, 0)
        };
        let out = simulate(&load, &f, &mut FixedFleet { instances: 1 }, None);
        assert_eq!(out.peak_instances, 1);
        assert!(out.queueing_ms.p50 < 1e-6);
        let want_p95 = 200.0 * 10f64.ln();
        assert!((out.queueing_ms.p95 - want_p95).abs() < 0.01, "{:?}", out.queueing_ms);
        assert!((out.utilization.unwrap().mean - 0.5).abs() < 1e-9);
    }

    #[test]
    fn stationary_minutes_whose_p99_wait_passes_the_slo_are_counted() {
        // One slot, exponential 100-ms service, stationary minutes (no backlog, more arrivals
        // than slots): P(W > t) = ρ·exp(−t·(1 − ρ)/100), so p99 = 100/(1 − ρ)·ln(ρ/0.01):
        // ρ = 0.2 → 125·ln 20 = 374.5 ms, ρ = 0.5 → 200·ln 50 = 782.4 ms, ρ = 0.9 →
        // 1,000·ln 90 = 4,499.8 ms. Every violation here is a stationary minute's (P(wait)
        // filled in after the minute loop, then compared). At 400 ms only the ρ = 0.2 minute
        // passes; at 1,000 and 4,490 ms only the three ρ = 0.9 minutes fail.
        let load = profile(&[0.2, 0.5, 0.9, 0.9, 0.5, 0.9], 100.0);
        let f = FleetSpec {
            vcpu: 1.0,
            ..fleet(1.0, 0)
        };
        let violations =
            |slo: f64| simulate(&load, &f, &mut FixedFleet { instances: 1 }, Some(slo)).slo_violation_minutes;
        assert_eq!(violations(300.0), 6);
        assert_eq!(violations(400.0), 5);
        assert_eq!(violations(1_000.0), 3);
        assert_eq!(violations(4_490.0), 3);
        assert_eq!(violations(4_510.0), 0);
        let out = simulate(&load, &f, &mut FixedFleet { instances: 1 }, None);
        assert_eq!(out.slo_violation_minutes, 0);
        assert_eq!(out.overloaded_minutes, 0);
    }

    #[test]
    fn static_peak_sizes_for_the_peak_and_bills_every_minute() {
        // Peak 6 Erlangs on 2 vCPU × 2 slots = 4 slots at 75 % → 2 instances, +1 spare = 3.
        let load = profile(&[1.0, 6.0, 2.0, 0.5], 200.0);
        let mut s = StaticPeak {
            target_utilization: 0.75,
            spare_instances: 1,
            min_instances: 2,
            max_instances: 1_000,
        };
        let out = simulate(&load, &fleet(2.0, 180_000), &mut s, Some(1_000.0));
        assert_eq!(out.instances_per_minute, vec![3, 3, 3, 3]);
        assert_eq!(out.usage.instance_ms, 12 * 60_000);
        assert_eq!(out.usage.launches, 3);
        assert_eq!(out.slo_violation_minutes, 0);
    }

    #[test]
    fn fluid_overload_waits_grow_linearly() {
        // One 1-slot instance offered 2 Erlangs for one minute: 60,000 ms of work queue up by
        // the minute's end, so waits spread evenly over 0–60 s (median 30 s); the next idle
        // minute drains it (waits fall from 60 s to 0 but no one arrives).
        let mut load = profile(&[2.0, 0.0], 1_000.0);
        load.minutes[1] = MinuteLoad::default();
        let f = FleetSpec {
            vcpu: 1.0,
            ..fleet(1.0, 0)
        };
        let out = simulate(&load, &f, &mut FixedFleet { instances: 1 }, Some(10_000.0));
        assert_eq!(out.peak_instances, 1);
        assert!((out.queueing_ms.p50 - 30_000.0).abs() < 1.0, "{:?}", out.queueing_ms);
        assert!((out.queueing_ms.p99 - 59_400.0).abs() < 1.0);
        assert_eq!(out.slo_violation_minutes, 1);
        assert!(out.backlog_at_end_requests.abs() < 1e-9);
    }

    #[test]
    fn autoscaling_lag_queues_a_spike() {
        // Load steps from 1 to 12 Erlangs; 4 slots per instance at 50 % target; boot 3 min.
        let mut erl = vec![1.0; 5];
        erl.extend([12.0; 25]);
        let load = profile(&erl, 500.0);
        let mut t = TargetTracking::new(0.5, 1, 20, 5);
        let lagged = simulate(&load, &fleet(2.0, 180_000), &mut t, Some(2_000.0));
        assert!(lagged.slo_violation_minutes >= 3, "{lagged:?}");
        assert!(lagged.queueing_ms.p99 > 2_000.0);
        // The same spike on a fleet sized for it queues almost nothing.
        let mut s = StaticPeak {
            target_utilization: 0.5,
            spare_instances: 0,
            min_instances: 1,
            max_instances: 1_000,
        };
        let sized = simulate(&load, &fleet(2.0, 180_000), &mut s, Some(2_000.0));
        assert_eq!(sized.slo_violation_minutes, 0);
        assert!(sized.queueing_ms.p99 < 50.0, "{:?}", sized.queueing_ms);
        // The backlog makes the autoscaler overshoot; after the cooldown it settles at
        // ceil(12 / (4 × 0.5)) = 6 instances.
        assert_eq!(*lagged.instances_per_minute.last().unwrap(), 6);
    }
}
