//! The serverless discrete-event engine: replays time-ordered requests of one or more units
//! (a function, or an Azure app) through instances that cold-start → serve → idle → get evicted,
//! with integer-ms time, a binary heap of events, per-instance concurrency, a keep-alive policy
//! per unit, provisioned concurrency with on-demand spillover, and an account-level concurrency
//! limit that throttles (optionally retrying).
//!
//! Routing follows SimFaaS and AWS Lambda: a request goes to an instance that already serves
//! requests and has a free slot, else to the most recently idled warm instance (so surplus
//! instances expire), else a new instance cold-starts. Sources: SimFaaS (pacslab/simfaas,
//! `ServerlessSimulator`), dslab-faas (anchors.md §A5), SPEC.md "Models".

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::arrivals::{Request, SimRng};
use super::keepalive::KeepAlivePolicy;
use super::schedule::ProvisionedSchedule;
use crate::pricing::ColdStartDist;
use crate::usage::MsHistogram;

/// One unit to simulate: its requests, memory, random source and keep-alive policy.
pub struct UnitSpec {
    /// Unit id (function or app key).
    pub key: String,
    /// Memory per instance.
    pub memory_mb: u32,
    /// Requests, sorted by arrival.
    pub requests: Vec<Request>,
    /// Random source for init durations.
    pub rng: SimRng,
    /// The unit's keep-alive policy.
    pub policy: Box<dyn KeepAlivePolicy>,
}

/// Retrying throttled requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Delay before each retry.
    pub delay_ms: u64,
}

/// Engine settings shared by every unit of a run.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Requests in flight per instance.
    pub per_instance_concurrency: u32,
    /// Init latency distribution.
    pub cold_start: ColdStartDist,
    /// Provisioned concurrency per unit.
    pub provisioned: ProvisionedSchedule,
    /// Account-level limit on requests in flight across all units.
    pub concurrency_limit: Option<u32>,
    /// Retrying of throttled requests (`None` drops them).
    pub retry: Option<RetryPolicy>,
    /// Start of the simulated period.
    pub start_ms: u64,
    /// End of the trace window; warm instances are counted until the later of this and the
    /// last completion.
    pub window_end_ms: u64,
}

/// What one unit did.
#[derive(Debug, Clone, Default)]
pub struct UnitResult {
    /// Unit id.
    pub key: String,
    /// Memory per instance.
    pub memory_mb: u32,
    /// Requests that arrived (first attempts).
    pub arrivals: u64,
    /// Requests served.
    pub served: u64,
    /// Requests that started a new instance.
    pub cold_starts: u64,
    /// Requests dropped by the concurrency limit (after any retries).
    pub throttles: u64,
    /// Retry attempts made.
    pub retries: u64,
    /// Durations of requests served on demand.
    pub on_demand_duration_ms: MsHistogram,
    /// Durations of requests served by provisioned instances.
    pub provisioned_duration_ms: MsHistogram,
    /// Init durations.
    pub init_duration_ms: MsHistogram,
    /// Busy periods of on-demand instances (≥ 1 request in flight, init included).
    pub busy_periods_ms: MsHistogram,
    /// Warm idle time of on-demand instances.
    pub idle_ms: u64,
    /// Time requests spent in flight on provisioned instances.
    pub provisioned_inflight_ms: u64,
    /// Latency (wait + init + execution) of served requests.
    pub latency_ms: MsHistogram,
    /// Latency added by the platform (waiting for an instance's init or a free slot).
    pub overhead_ms: MsHistogram,
    /// In-flight changes `(time, +1 | -1)`, in time order.
    pub deltas: Vec<(u64, i32)>,
    /// Latest completion.
    pub last_completion_ms: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Instance {
    busy: u32,
    busy_since_ms: u64,
    ready_ms: u64,
    warm_from_ms: u64,
    warm_until_ms: u64,
    in_partial: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum What {
    /// Completion on instance `i` (or on a provisioned slot when `None`).
    Done(Option<usize>),
    /// Arrival of request `index` of the unit, or of a retry `(duration_ms, attempt)`.
    Arrive { index: usize, retry: Option<(u64, u32)> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    time_ms: u64,
    /// 0 = completion (processed before arrivals at the same ms), 1 = arrival.
    kind: u8,
    unit: u32,
    seq: u64,
    what: What,
}

struct UnitState {
    spec: UnitSpec,
    res: UnitResult,
    instances: Vec<Instance>,
    free_slots: Vec<usize>,
    partial: Vec<usize>,
    idle: VecDeque<usize>,
    provisioned_inflight: u32,
    last_end_ms: Option<u64>,
}

impl UnitState {
    fn new_instance(&mut self, inst: Instance) -> usize {
        if let Some(i) = self.free_slots.pop() {
            self.instances[i] = inst;
            i
        } else {
            self.instances.push(inst);
            self.instances.len() - 1
        }
    }

    /// Finalizes an idle instance evicted at `until` (its warm window ends there).
    fn evict(&mut self, i: usize, until_ms: u64) {
        let inst = self.instances[i];
        let end = until_ms.min(inst.warm_until_ms);
        self.res.idle_ms += end.saturating_sub(inst.warm_from_ms);
        self.free_slots.push(i);
    }

    fn remove_partial(&mut self, i: usize) {
        if let Some(pos) = self.partial.iter().position(|&x| x == i) {
            self.partial.remove(pos);
        }
        self.instances[i].in_partial = false;
    }

    /// A warm instance for a request at `t`, or `None`; drops expired instances on the way.
    /// Also reports the position in `idle` of an instance waiting for its pre-warm (unloaded),
    /// which a cold start replaces.
    fn take_warm(&mut self, t: u64) -> (Option<usize>, Option<usize>) {
        while let Some(&i) = self.idle.front() {
            if t >= self.instances[i].warm_until_ms {
                self.idle.pop_front();
                self.evict(i, t);
            } else {
                break;
            }
        }
        let mut pending = None;
        let mut pos = self.idle.len();
        while pos > 0 {
            pos -= 1;
            let i = self.idle[pos];
            let inst = self.instances[i];
            if t >= inst.warm_until_ms {
                self.idle.remove(pos);
                self.evict(i, t);
                // Removing below the pending instance shifts it down by one.
                if let Some(p) = pending.as_mut() {
                    *p -= 1;
                }
            } else if t < inst.warm_from_ms {
                if pending.is_none() {
                    pending = Some(pos);
                }
            } else {
                self.idle.remove(pos);
                self.res.idle_ms += t - inst.warm_from_ms;
                return (Some(i), None);
            }
        }
        (None, pending)
    }
}

/// Runs every unit in one event loop (they interact only through the concurrency limit).
pub fn run(units: Vec<UnitSpec>, cfg: &EngineConfig) -> Vec<UnitResult> {
    let c = cfg.per_instance_concurrency.max(1);
    let mut heap: BinaryHeap<Reverse<Event>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut states: Vec<UnitState> = units
        .into_iter()
        .map(|spec| UnitState {
            res: UnitResult {
                key: spec.key.clone(),
                memory_mb: spec.memory_mb,
                arrivals: spec.requests.len() as u64,
                ..UnitResult::default()
            },
            spec,
            instances: Vec::new(),
            free_slots: Vec::new(),
            partial: Vec::new(),
            idle: VecDeque::new(),
            provisioned_inflight: 0,
            last_end_ms: None,
        })
        .collect();
    for (u, st) in states.iter().enumerate() {
        if let Some(r) = st.spec.requests.first() {
            heap.push(Reverse(Event {
                time_ms: r.arrival_ms,
                kind: 1,
                unit: u as u32,
                seq,
                what: What::Arrive { index: 0, retry: None },
            }));
            seq += 1;
        }
    }
    let mut inflight: u32 = 0;
    let mut last_time = cfg.start_ms;

    while let Some(Reverse(ev)) = heap.pop() {
        let t = ev.time_ms;
        last_time = last_time.max(t);
        let st = &mut states[ev.unit as usize];
        match ev.what {
            What::Done(slot) => {
                inflight -= 1;
                st.res.deltas.push((t, -1));
                let Some(i) = slot else {
                    st.provisioned_inflight -= 1;
                    continue;
                };
                let was_full = st.instances[i].busy == c;
                st.instances[i].busy -= 1;
                if st.instances[i].busy == 0 {
                    let since = st.instances[i].busy_since_ms;
                    st.res.busy_periods_ms.add(t - since, 1);
                    if st.instances[i].in_partial {
                        st.remove_partial(i);
                    }
                    let d = st.spec.policy.on_idle(t);
                    if d.prewarm_ms == 0 && d.keep_alive_ms == 0 {
                        st.free_slots.push(i);
                    } else {
                        let inst = &mut st.instances[i];
                        inst.warm_from_ms = t + d.prewarm_ms;
                        inst.warm_until_ms = inst.warm_from_ms.saturating_add(d.keep_alive_ms);
                        st.idle.push_back(i);
                    }
                } else if was_full {
                    st.instances[i].in_partial = true;
                    st.partial.push(i);
                }
            }
            What::Arrive { index, retry } => {
                let (duration_ms, attempt) = match retry {
                    Some(r) => r,
                    None => {
                        // Schedule the unit's next first-attempt arrival.
                        if let Some(next) = st.spec.requests.get(index + 1) {
                            heap.push(Reverse(Event {
                                time_ms: next.arrival_ms,
                                kind: 1,
                                unit: ev.unit,
                                seq,
                                what: What::Arrive {
                                    index: index + 1,
                                    retry: None,
                                },
                            }));
                            seq += 1;
                        }
                        let last_end = st.last_end_ms;
                        st.spec.policy.observe_arrival(t, last_end);
                        (st.spec.requests[index].duration_ms, 0)
                    }
                };
                if cfg.concurrency_limit.is_some_and(|limit| inflight >= limit) {
                    match cfg.retry {
                        Some(rp) if attempt < rp.max_retries => {
                            st.res.retries += 1;
                            heap.push(Reverse(Event {
                                time_ms: t.saturating_add(rp.delay_ms),
                                kind: 1,
                                unit: ev.unit,
                                seq,
                                what: What::Arrive {
                                    index,
                                    retry: Some((duration_ms, attempt + 1)),
                                },
                            }));
                            seq += 1;
                        }
                        _ => st.res.throttles += 1,
                    }
                    continue;
                }
                inflight += 1;
                st.res.deltas.push((t, 1));
                st.res.served += 1;
                let (slot, done_ms) = if st.provisioned_inflight < cfg.provisioned.level_at(t).saturating_mul(c) {
                    st.provisioned_inflight += 1;
                    st.res.provisioned_duration_ms.add(duration_ms, 1);
                    st.res.provisioned_inflight_ms += duration_ms;
                    (None, t + duration_ms)
                } else {
                    // An instance serving requests with a free slot (ready ones first), else the
                    // most recently idled warm one, else one still initializing, else a cold start.
                    let ready_partial = st
                        .partial
                        .iter()
                        .rev()
                        .copied()
                        .find(|&i| st.instances[i].ready_ms <= t);
                    let i = if let Some(i) = ready_partial {
                        i
                    } else {
                        match st.take_warm(t) {
                            (Some(i), _) => i,
                            (None, _) if !st.partial.is_empty() => *st.partial.last().expect("partial is not empty"),
                            (None, pending) => {
                                if let Some(pos) = pending {
                                    // The unloaded instance waiting for its pre-warm is replaced.
                                    let p = st.idle.remove(pos).expect("position is in range");
                                    st.free_slots.push(p);
                                }
                                let init_ms = st.spec.rng.cold_start_ms(&cfg.cold_start);
                                st.res.cold_starts += 1;
                                st.res.init_duration_ms.add(init_ms, 1);
                                st.new_instance(Instance {
                                    ready_ms: t + init_ms,
                                    ..Instance::default()
                                })
                            }
                        }
                    };
                    let inst = &mut st.instances[i];
                    if inst.busy == 0 {
                        inst.busy_since_ms = t;
                    }
                    inst.busy += 1;
                    let start = t.max(inst.ready_ms);
                    if inst.busy < c && !inst.in_partial {
                        inst.in_partial = true;
                        st.partial.push(i);
                    } else if inst.busy == c && inst.in_partial {
                        st.remove_partial(i);
                    }
                    st.res.on_demand_duration_ms.add(duration_ms, 1);
                    (Some(i), start + duration_ms)
                };
                st.res.latency_ms.add(done_ms - t, 1);
                st.res.overhead_ms.add(done_ms - t - duration_ms, 1);
                st.last_end_ms = Some(st.last_end_ms.map_or(done_ms, |e| e.max(done_ms)));
                st.res.last_completion_ms = st.res.last_completion_ms.max(done_ms);
                heap.push(Reverse(Event {
                    time_ms: done_ms,
                    kind: 0,
                    unit: ev.unit,
                    seq,
                    what: What::Done(slot),
                }));
                seq += 1;
            }
        }
    }

    let end_ms = cfg.window_end_ms.max(last_time);
    states
        .into_iter()
        .map(|mut st| {
            while let Some(i) = st.idle.pop_front() {
                st.evict(i, end_ms);
            }
            st.res
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::keepalive::KeepAliveSpec;

    fn unit(reqs: &[(u64, u64)], keep_alive: &str) -> UnitSpec {
        UnitSpec {
            key: "f".into(),
            memory_mb: 1024,
            requests: reqs
                .iter()
                .map(|&(a, d)| Request {
                    arrival_ms: a,
                    duration_ms: d,
                })
                .collect(),
            rng: SimRng::new(1),
            policy: keep_alive.parse::<KeepAliveSpec>().unwrap().build(600_000),
        }
    }

    fn cfg(c: u32) -> EngineConfig {
        EngineConfig {
            per_instance_concurrency: c,
            cold_start: ColdStartDist::Constant { ms: 100 },
            provisioned: ProvisionedSchedule::constant(0),
            concurrency_limit: None,
            retry: None,
            start_ms: 0,
            window_end_ms: 10_000,
        }
    }

    #[test]
    fn hand_computed_lambda_timeline() {
        // Keep-alive 1 s. t=0: cold (init 100) → busy 0–600. t=200: overlaps → 2nd instance cold,
        // busy 200–800. t=1000: the most recently idled (instance 2, idle since 800) serves it warm,
        // busy 1000–1500. t=5000: both expired (1600, 2500) → cold, busy 5000–5600.
        let r = &run(
            vec![unit(&[(0, 500), (200, 500), (1000, 500), (5000, 500)], "1s")],
            &cfg(1),
        )[0];
        assert_eq!(r.cold_starts, 3);
        assert_eq!(r.served, 4);
        // Idle: inst1 600→1600 (1000), inst2 800→1000 (200) then 1500→2500 (1000), inst3 5600→6600 (1000).
        assert_eq!(r.idle_ms, 3200);
        assert_eq!(r.busy_periods_ms.sum_ms(), 600 + 600 + 500 + 600);
        assert_eq!(r.latency_ms.sum_ms(), 600 + 600 + 500 + 600);
        assert_eq!(r.init_duration_ms.sum_ms(), 300);
        assert_eq!(r.on_demand_duration_ms.sum_ms(), 2000);
    }

    #[test]
    fn concurrency_limit_throttles_and_retries() {
        let reqs = [(0, 1000), (10, 1000), (20, 1000)];
        let mut c = cfg(1);
        c.concurrency_limit = Some(2);
        let r = &run(vec![unit(&reqs, "10m")], &c)[0];
        assert_eq!((r.served, r.throttles), (2, 1));
        c.retry = Some(RetryPolicy {
            max_retries: 2,
            delay_ms: 600,
        });
        // Retry at 620 (still 2 in flight until 1100/1110) and at 1220: served then, warm.
        let r = &run(vec![unit(&reqs, "10m")], &c)[0];
        assert_eq!((r.served, r.throttles, r.retries, r.cold_starts), (3, 0, 2, 2));
    }

    #[test]
    fn per_instance_concurrency_packs_requests() {
        // Concurrency 3: the three overlapping requests share one instance; the 2nd and 3rd wait
        // for its init (ready at 100).
        let r = &run(vec![unit(&[(0, 500), (10, 500), (20, 500)], "1s")], &cfg(3))[0];
        assert_eq!(r.cold_starts, 1);
        // Busy period 0 → 600 (last one ends at 100 + 500).
        assert_eq!(r.busy_periods_ms.iter().collect::<Vec<_>>(), vec![(600, 1)]);
        assert_eq!(r.latency_ms.sum_ms(), 600 + 590 + 580);
    }

    #[test]
    fn provisioned_serves_first_and_spills_over() {
        let mut c = cfg(1);
        c.provisioned = ProvisionedSchedule::constant(1);
        let r = &run(vec![unit(&[(0, 500), (100, 500), (1000, 500)], "1s")], &c)[0];
        // 1st and 3rd on the provisioned instance, the overlapping 2nd spills to on demand (cold).
        assert_eq!(r.provisioned_duration_ms.count(), 2);
        assert_eq!(r.on_demand_duration_ms.count(), 1);
        assert_eq!(r.cold_starts, 1);
    }

    #[test]
    fn a_warm_idle_instance_is_preferred_to_one_still_initializing() {
        // Concurrency 2, init 100 ms. t=0,1: A cold (ready 100), both done at 110. t=200,201: A
        // warm and full (done 230, 231). t=202: B cold (ready 302, done 802). A idles at 231.
        // t=250: B is still initializing, A is warm and idle → A serves it in 40 ms (not B at 342).
        let reqs = [(0, 10), (1, 10), (200, 30), (201, 30), (202, 500), (250, 40)];
        let r = &run(vec![unit(&reqs, "10m")], &cfg(2))[0];
        assert_eq!(r.cold_starts, 2);
        assert_eq!(r.latency_ms.sum_ms(), 110 + 109 + 30 + 30 + 600 + 40);
        // Idle: A 110–200, 231–250, 290–10,000; B 802–10,000.
        assert_eq!(r.idle_ms, 90 + 19 + 9_710 + 9_198);
    }

    #[test]
    fn hybrid_prewarm_is_replaced_by_a_cold_start_when_called_early() {
        struct Prewarm;
        impl KeepAlivePolicy for Prewarm {
            fn observe_arrival(&mut self, _: u64, _: Option<u64>) {}
            fn on_idle(&mut self, _: u64) -> crate::sim::keepalive::KeepAliveDecision {
                crate::sim::keepalive::KeepAliveDecision {
                    prewarm_ms: 1_000,
                    keep_alive_ms: 2_000,
                }
            }
        }
        let mut u = unit(&[(0, 100), (500, 100), (2_000, 100), (10_000, 100)], "none");
        u.policy = Box::new(Prewarm);
        let r = &run(vec![u], &cfg(1))[0];
        // t=0 cold (done 200; unloaded until 1,200, warm to 3,200). t=500: still unloaded → cold,
        // replacing it (done 700; warm 1,700–3,700). t=2,000: warm (idle 300 ms), done 2,100;
        // warm 3,100–5,100. t=10,000: expired (idle 2,000 ms) → cold; warm 11,200–13,200 but the
        // window ends at 10,200 → no idle.
        assert_eq!(r.cold_starts, 3);
        assert_eq!(r.idle_ms, 300 + 2_000);
    }

    /// A policy returning scripted decisions, then "evict at once".
    struct Scripted(Vec<(u64, u64)>);
    impl KeepAlivePolicy for Scripted {
        fn observe_arrival(&mut self, _: u64, _: Option<u64>) {}
        fn on_idle(&mut self, _: u64) -> crate::sim::keepalive::KeepAliveDecision {
            let (prewarm_ms, keep_alive_ms) = if self.0.is_empty() { (0, 0) } else { self.0.remove(0) };
            crate::sim::keepalive::KeepAliveDecision {
                prewarm_ms,
                keep_alive_ms,
            }
        }
    }

    #[test]
    fn pending_prewarm_found_behind_an_expired_instance_is_the_one_replaced() {
        // Init 100. C (done 150) unloaded until 5,150; A (done 310) warm to 410; B (done 520)
        // unloaded until 1,520. Idle order [C, A, B]. At t=1,000: B pending, A expired (100 ms
        // idle), C pending → cold start replacing B. C is then warm 5,150–6,150 (1,000 ms idle).
        let mut u = unit(&[(0, 50), (10, 200), (20, 400), (1_000, 10)], "none");
        u.policy = Box::new(Scripted(vec![(5_000, 1_000), (0, 100), (1_000, 1_000)]));
        let r = &run(vec![u], &cfg(1))[0];
        assert_eq!(r.cold_starts, 4);
        assert_eq!(r.idle_ms, 100 + 1_000);
    }

    #[test]
    fn no_keep_alive_means_every_request_is_cold() {
        let reqs: Vec<(u64, u64)> = (0..20).map(|i| (i * 1000, 100)).collect();
        let r = &run(vec![unit(&reqs, "none")], &cfg(1))[0];
        assert_eq!(r.cold_starts, 20);
        assert_eq!(r.idle_ms, 0);
    }
}
