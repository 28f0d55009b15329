//! CPU contention on an instance serving several requests at once (processor sharing): the
//! requests in flight on an instance share its vCPUs, so each one's execution time — and the
//! instance's busy (billed) time — grows with concurrency.
//!
//! Model. A request alone on an instance with `v` vCPUs runs single-threaded and takes its
//! traced (solo) duration `d`, of which the share `f` (`cpu_bound_fraction`) needs the CPU at
//! the `u = min(1, v)` vCPU it gets alone. With `n` requests in flight their combined CPU demand
//! is `n·f·u`; when it exceeds `v`, every request progresses at `v / (n·f·u)` of its solo speed,
//! i.e. slows down by `s(n) = max(1, n·k)` with `k = f·u / v = f / max(1, v)`. Work is conserved:
//! `n` identical fully CPU-bound requests (f = 1) arriving together on `v ≥ 1` vCPUs all finish
//! after `d·max(1, n/v)` — egalitarian processor sharing — and the instance is busy for the same
//! CPU time whether they run side by side or one per instance. It is the rule provisioned
//! servers use (`slots_per_vcpu` = 1 / `cpu_bound_fraction`). Requests waiting for the
//! instance's init make no progress before it is ready. Progress is tracked in solo ms (a
//! "virtual time" shared by every request on the instance); completion times are whole ms,
//! rounded up.
//!
//! Routing. Where the platform routes by CPU (Cloud Run: "Cloud Run might not send as many
//! requests to a given instance if the CPU of the instance is already highly utilized",
//! cloud.google.com/run/docs/about-concurrency), an instance takes no further request once its
//! requests' CPU demand fills its vCPUs (`n·k ≥ 1`): at most `⌈1/k⌉` requests share it
//! ([`cpu_aware_slots`]), and the next request goes to another instance, warm or new. Elsewhere
//! (Azure Functions) requests fill every slot whatever the CPU.
//!
//! Provisioned (minimum) instances share their CPU the same way ([`ProvisionedInstances`]):
//! instance `j` of the level (`0 ≤ j < level`), always ready; a request goes to the least
//! loaded one with a free slot, ties to the lowest index. No vendor documents how requests are
//! spread over instances but Container Apps: "we transitioned Azure Container Apps to use the
//! round robin load balancing algorithm when session affinity is not enabled" (Microsoft Tech
//! Community, "Enhancing Performance in Azure Container Apps", 2024-06-19,
//! techcommunity.microsoft.com/t5/apps-on-azure-blog/enhancing-performance-in-azure-container-apps/ba-p/4171138),
//! an even spread the least-loaded rule idealizes; App Runner only says it scales up "if the
//! number of concurrent requests exceeds" an instance's MaxConcurrency (AutoScalingConfiguration,
//! docs.aws.amazon.com/apprunner/latest/api/API_AutoScalingConfiguration.html), i.e. requests
//! fill the instances' slots first. When the level drops, the instances above it take no new
//! request and drain.
//!
//! An execution timeout cuts a request `timeout` ms after it starts, whatever its progress.

use rustc_hash::FxHashSet;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap, VecDeque};

/// Tolerance in solo ms for float progress (completion times are whole ms).
const EPS_MS: f64 = 1e-3;

/// The contention of one unit's instances: slowdown `max(1, n·k)` with `n` requests in flight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contention {
    /// CPU demand of one request as a share of the instance's vCPUs: `f / max(1, v)`.
    k: f64,
}

impl Contention {
    /// The contention on instances of `vcpu` vCPUs serving up to `per_instance_concurrency`
    /// requests, a share `cpu_bound_fraction` of each one's duration CPU-bound; `None` when it
    /// can never slow a request (one request per instance, no CPU-bound share, or enough vCPUs
    /// for every slot).
    pub fn new(cpu_bound_fraction: f64, vcpu: f64, per_instance_concurrency: u32) -> Option<Self> {
        if !(vcpu.is_finite() && vcpu > 0.0 && cpu_bound_fraction > 0.0) {
            return None;
        }
        let k = cpu_bound_fraction / vcpu.max(1.0);
        (per_instance_concurrency as f64 * k > 1.0).then_some(Contention { k })
    }

    /// The requests one instance takes where the platform routes by CPU: up to `c`, and no
    /// more once their CPU demand `n·k` reaches the instance's vCPUs, i.e. `min(c, ⌈1/k⌉)`.
    pub fn cpu_aware_slots(cpu_bound_fraction: f64, vcpu: f64, c: u32) -> u32 {
        if !(vcpu.is_finite() && vcpu > 0.0 && cpu_bound_fraction > 0.0) {
            return c;
        }
        let per_request = cpu_bound_fraction / vcpu.max(1.0);
        // ⌈1/k⌉ with a tolerance for k = 1/integer (0.5 → 2, not 3).
        let n = (1.0 / per_request - 1e-9).ceil().max(1.0);
        if n >= c as f64 {
            c
        } else {
            n as u32
        }
    }

    /// How much slower than alone a request runs with `n` requests in flight.
    pub fn slowdown(&self, n: usize) -> f64 {
        (n as f64 * self.k).max(1.0)
    }
}

/// A request in flight on a shared instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    /// Arrival time.
    pub arrival_ms: u64,
    /// Start of execution (the arrival, or the instance's ready time).
    pub start_ms: u64,
    /// Duration alone on the instance.
    pub solo_ms: u64,
    /// When the execution timeout cuts it (`u64::MAX`: never).
    pub deadline_ms: u64,
}

/// A progress value ordered by `f64::total_cmp`.
#[derive(Debug, Clone, Copy)]
struct Progress(f64);

impl PartialEq for Progress {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Progress {}
impl PartialOrd for Progress {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Progress {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The arrival order of a slot of [`InFlight`] that holds no request.
const LEFT: u64 = u64::MAX;

/// Requests in flight on one instance, each in a slot (slots are reused) where the one that
/// leaves is found at once by its slot; `order` lists `(arrival order, slot)` by arrival, the
/// entries of requests that left dropped from its front as they reach it, and the whole list
/// compacted when the entries of requests that left outnumber those in flight by more than 32.
/// Memory: as many slots as the most requests in flight at once, and at most 2n + 32 entries
/// in `order` with n in flight.
#[derive(Debug, Default)]
struct InFlight {
    /// `(arrival order, request)` by slot; `LEFT`: a free slot.
    slots: Vec<(u64, Job)>,
    free: Vec<u32>,
    order: VecDeque<(u64, u32)>,
}

impl InFlight {
    /// Requests here: the slots not free.
    fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Request `seq` (later than every one here) joins; returns its slot.
    fn push(&mut self, seq: u64, job: Job) -> u32 {
        debug_assert!(
            self.order.back().is_none_or(|b| b.0 < seq) && seq != LEFT,
            "requests join in arrival order"
        );
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = (seq, job);
                slot
            }
            None => {
                self.slots.push((seq, job));
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 requests in flight on an instance")
            }
        };
        self.order.push_back((seq, slot));
        slot
    }

    fn contains(&self, seq: u64, slot: u32) -> bool {
        self.slots[slot as usize].0 == seq
    }

    /// Removes request `seq`, in `slot` (panics when it is not there).
    fn remove(&mut self, seq: u64, slot: u32) -> Job {
        let entry = &mut self.slots[slot as usize];
        assert_eq!(entry.0, seq, "the request leaving is in its slot");
        entry.0 = LEFT;
        let job = entry.1;
        self.free.push(slot);
        let slots = &self.slots;
        let here = |&(seq, slot): &(u64, u32)| slots[slot as usize].0 == seq;
        while self.order.front().is_some_and(|e| !here(e)) {
            self.order.pop_front();
        }
        if self.order.len() > 2 * self.len() + 32 {
            self.order.retain(here);
        }
        job
    }

    /// The request that arrived first: `(arrival order, slot, request)`.
    fn first(&self) -> Option<(u64, u32, Job)> {
        let &(seq, slot) = self.order.front()?;
        debug_assert!(self.contains(seq, slot), "the front is in flight");
        Some((seq, slot, self.slots[slot as usize].1))
    }
}

/// The requests in flight on one instance, sharing its CPU. Memory: the requests in flight.
#[derive(Debug, Default)]
pub struct SharedInstance {
    /// Solo ms every request here has progressed since the instance last became busy.
    progress: f64,
    /// When `progress` was last brought up to date.
    at_ms: u64,
    /// Requests in flight, listed by arrival order (= deadline order).
    jobs: InFlight,
    /// `(finishing progress, arrival order, slot in jobs)`, smallest first; entries of jobs
    /// already cut by their deadline are dropped when they reach the top.
    finishing: BinaryHeap<Reverse<(Progress, u64, u32)>>,
    /// Arrival orders of the jobs cut whose entry is still in `finishing` (its entry leaves
    /// when it reaches the top, or with every other when the instance has none in flight);
    /// any other entry is in flight.
    cut: FxHashSet<u64>,
    next_seq: u64,
    /// Version of the instance's pending completion event (older events are stale).
    pub epoch: u32,
    /// Time of the pending completion event, if any.
    pub scheduled_ms: Option<u64>,
}

impl SharedInstance {
    /// Brings the progress up to `t` (none before the instance is `ready_ms`).
    fn advance(&mut self, t: u64, ready_ms: u64, c: &Contention) {
        let from = self.at_ms.max(ready_ms);
        if t > from && !self.jobs.is_empty() {
            self.progress += (t - from) as f64 / c.slowdown(self.jobs.len());
        }
        self.at_ms = self.at_ms.max(t);
    }

    /// Requests in flight.
    pub fn in_flight(&self) -> usize {
        self.jobs.len()
    }

    /// A request joins at `t`.
    pub fn add(&mut self, job: Job, t: u64, ready_ms: u64, c: &Contention) {
        self.advance(t, ready_ms, c);
        if self.jobs.is_empty() {
            // Keep the float small: progress restarts with each busy period.
            self.progress = 0.0;
        }
        let finish = self.progress + job.solo_ms as f64;
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = self.jobs.push(seq, job);
        self.finishing.push(Reverse((Progress(finish), seq, slot)));
    }

    /// The next finishing request still in flight: `(finishing progress, arrival order, slot)`.
    fn top(&mut self) -> Option<(f64, u64, u32)> {
        while let Some(&Reverse((Progress(p), seq, slot))) = self.finishing.peek() {
            if !self.cut.is_empty() && self.cut.remove(&seq) {
                self.finishing.pop();
                continue;
            }
            debug_assert!(self.jobs.contains(seq, slot), "an entry of a job not cut is in flight");
            return Some((p, seq, slot));
        }
        None
    }

    /// When the next request completes or is cut by its deadline, seen from `t` with the
    /// requests now in flight (`None` when there are none).
    pub fn next_event_ms(&mut self, t: u64, ready_ms: u64, c: &Contention) -> Option<u64> {
        self.advance(t, ready_ms, c);
        let (finish, _, _) = self.top()?;
        let solo_left = (finish - self.progress).max(0.0);
        let wall = (solo_left * c.slowdown(self.jobs.len()) - EPS_MS).max(0.0).ceil() as u64;
        let done = t.max(ready_ms).saturating_add(wall);
        let deadline = self.jobs.first().map_or(u64::MAX, |(_, _, j)| j.deadline_ms);
        Some(done.min(deadline))
    }

    /// The request that completes, or is cut by its deadline, at `t`: `(job, cut)`; `None`
    /// when none is due yet.
    pub fn take_due(&mut self, t: u64, ready_ms: u64, c: &Contention) -> Option<(Job, bool)> {
        self.advance(t, ready_ms, c);
        let due = match self.top() {
            Some((finish, seq, slot)) if finish <= self.progress + 2.0 * EPS_MS => {
                self.finishing.pop();
                (self.jobs.remove(seq, slot), false)
            }
            _ => {
                let (seq, slot, job) = self.jobs.first()?;
                if job.deadline_ms > t {
                    return None;
                }
                self.jobs.remove(seq, slot);
                self.cut.insert(seq);
                (job, true)
            }
        };
        if self.jobs.is_empty() {
            // Every entry left is a cut job's.
            self.finishing.clear();
            self.cut.clear();
        }
        Some(due)
    }
}

/// The provisioned instances of one unit, each a [`SharedInstance`] always ready (from 0 ms).
/// Memory: the most instances the level ever had, and their requests in flight.
#[derive(Debug, Default)]
pub struct ProvisionedInstances {
    instances: Vec<SharedInstance>,
    /// Start of each instance's current busy period (while it has requests in flight).
    since_ms: Vec<u64>,
    /// `(requests in flight, index)` of the instances taking requests (index below the level).
    open: BTreeSet<(usize, usize)>,
    /// The level `open` holds.
    level: usize,
}

impl ProvisionedInstances {
    /// The instance a request goes to at level `level`: the least loaded with fewer than
    /// `slots` requests in flight (ties: the lowest index); `None` when all are full. Instances
    /// at or above the level take none (they drain).
    pub fn route(&mut self, level: u32, slots: u32) -> Option<usize> {
        let level = level as usize;
        if level > self.instances.len() {
            assert!(level < (1 << 31) - 1, "fewer than 2^31 - 1 provisioned instances");
            self.instances.resize_with(level, SharedInstance::default);
            self.since_ms.resize(level, 0);
        }
        for j in level..self.level {
            self.open.remove(&(self.instances[j].in_flight(), j));
        }
        for j in self.level..level {
            self.open.insert((self.instances[j].in_flight(), j));
        }
        self.level = level;
        let &(n, j) = self.open.first()?;
        (n < slots as usize).then_some(j)
    }

    /// Instances above the level set by the last [`route`](Self::route) still serving
    /// requests (they drain).
    pub fn draining(&self) -> usize {
        self.instances
            .get(self.level..)
            .map_or(0, |above| above.iter().filter(|i| i.in_flight() > 0).count())
    }

    /// Instance `j`.
    pub fn get(&self, j: usize) -> &SharedInstance {
        &self.instances[j]
    }

    /// Instance `j`, to schedule its next completion (its requests in flight unchanged).
    pub fn get_mut(&mut self, j: usize) -> &mut SharedInstance {
        &mut self.instances[j]
    }

    /// A request joins instance `j` at `t` ([`SharedInstance::add`]).
    pub fn add(&mut self, j: usize, job: Job, t: u64, c: &Contention) {
        let n = self.instances[j].in_flight();
        if n == 0 {
            self.since_ms[j] = t;
        }
        self.instances[j].add(job, t, 0, c);
        self.reopen(j, n);
    }

    /// The request of instance `j` that completes, or is cut, at `t` ([`SharedInstance::take_due`]),
    /// with the instance's busy period when it leaves the instance idle.
    pub fn take_due(&mut self, j: usize, t: u64, c: &Contention) -> Option<(Job, bool, Option<u64>)> {
        let n = self.instances[j].in_flight();
        let (job, cut) = self.instances[j].take_due(t, 0, c)?;
        self.reopen(j, n);
        let ended = (self.instances[j].in_flight() == 0).then(|| t - self.since_ms[j]);
        Some((job, cut, ended))
    }

    /// Instance `j` had `n` requests in flight: its entry in `open` follows its new count.
    fn reopen(&mut self, j: usize, n: usize) {
        if j < self.level {
            self.open.remove(&(n, j));
            self.open.insert((self.instances[j].in_flight(), j));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(arrival_ms: u64, solo_ms: u64) -> Job {
        Job {
            arrival_ms,
            start_ms: arrival_ms,
            solo_ms,
            deadline_ms: u64::MAX,
        }
    }

    /// Runs the instance to empty, returning each completion `(time, solo_ms, cut)`.
    fn drain(s: &mut SharedInstance, mut t: u64, c: &Contention) -> Vec<(u64, u64, bool)> {
        let mut out = Vec::new();
        while let Some(next) = s.next_event_ms(t, 0, c) {
            t = next;
            let (j, cut) = s.take_due(t, 0, c).expect("an event is due at its time");
            out.push((t, j.solo_ms, cut));
        }
        out
    }

    #[test]
    fn contention_binds_only_when_slots_outnumber_the_cpu() {
        // f = 1, 1 vCPU, 1 request per instance: never slowed.
        assert_eq!(Contention::new(1.0, 1.0, 1), None);
        // f = 0.5, 2 vCPU, 4 slots: 4 × 0.5 / 2 = 1, never above the CPU.
        assert_eq!(Contention::new(0.5, 2.0, 4), None);
        assert_eq!(Contention::new(0.0, 1.0, 80), None);
        // f = 0.5, 1 vCPU, 80 slots: k = 0.5; 2 requests run at full speed, 4 at half.
        let c = Contention::new(0.5, 1.0, 80).unwrap();
        assert_eq!((c.slowdown(1), c.slowdown(2), c.slowdown(4)), (1.0, 1.0, 2.0));
        // Below 1 vCPU a request alone already has the whole (fractional) CPU: k = f.
        let c = Contention::new(1.0, 0.5, 2).unwrap();
        assert_eq!(c.slowdown(2), 2.0);
    }

    #[test]
    fn cpu_aware_routing_stops_at_a_full_cpu() {
        // f = 0.5 on 1 vCPU: two requests fill it; f = 1: one; f = 0.3: ⌈3.33⌉ = 4 (then
        // 4 × 0.3 = 1.2: a slowdown of 1.2); f = 0.5 on 4 vCPUs: 8; never above the slots.
        assert_eq!(Contention::cpu_aware_slots(0.5, 1.0, 80), 2);
        assert_eq!(Contention::cpu_aware_slots(1.0, 1.0, 80), 1);
        assert_eq!(Contention::cpu_aware_slots(0.3, 1.0, 80), 4);
        assert_eq!(Contention::cpu_aware_slots(0.5, 4.0, 80), 8);
        assert_eq!(Contention::cpu_aware_slots(0.5, 4.0, 5), 5);
        assert_eq!(Contention::cpu_aware_slots(0.0, 1.0, 80), 80);
    }

    #[test]
    fn k_identical_cpu_bound_requests_finish_together_at_k_d_over_v() {
        // k = 6 requests of 300 ms, fully CPU-bound, on v = 2 vCPUs, all at t = 0: each gets
        // 1/3 of its solo speed → all finish at 300 × 6/2 = 900 ms.
        let c = Contention::new(1.0, 2.0, 80).unwrap();
        let mut s = SharedInstance::default();
        for _ in 0..6 {
            s.add(job(0, 300), 0, 0, &c);
        }
        let done = drain(&mut s, 0, &c);
        assert_eq!(done, vec![(900, 300, false); 6]);
    }

    #[test]
    fn in_flight_requests_leave_from_anywhere_and_the_first_is_the_earliest_still_here() {
        // 200,000 steps: a request joins, or one leaves — the first here, the last, or any —
        // checked against a map by arrival order: the count, the first (with its request), and
        // the list of arrivals at most twice the requests here plus 32 after each leaving.
        let mut rng = crate::sim::arrivals::SimRng::new(7);
        let mut jobs = InFlight::default();
        let mut want: std::collections::BTreeMap<u64, (u32, Job)> = Default::default();
        let mut most_slots = 0;
        for seq in 0..200_000u64 {
            let u = rng.uniform01();
            if want.is_empty() || u < 0.5 {
                let j = job(seq, seq % 977);
                let slot = jobs.push(seq, j);
                assert!(
                    want.values().all(|&(s, _)| s != slot),
                    "a slot in use is not given again"
                );
                want.insert(seq, (slot, j));
            } else {
                let seqs: Vec<u64> = want.keys().copied().collect();
                let leaving = match (u * 6.0) as usize {
                    3 => seqs[0],
                    4 => seqs[seqs.len() - 1],
                    _ => seqs[(rng.uniform01() * seqs.len() as f64) as usize],
                };
                let (slot, j) = want.remove(&leaving).unwrap();
                assert_eq!(jobs.remove(leaving, slot), j);
                assert!(jobs.order.len() <= 2 * jobs.len() + 32);
            }
            assert_eq!(jobs.len(), want.len());
            let first = want.iter().next().map(|(&seq, &(slot, j))| (seq, slot, j));
            assert_eq!(jobs.first(), first);
            most_slots = most_slots.max(want.len());
        }
        assert_eq!(jobs.slots.len(), most_slots, "slots are reused");
    }

    #[test]
    fn a_request_in_the_slot_of_a_cut_one_is_not_taken_for_it() {
        // 1 vCPU, f = 1. A (1,000 ms solo, cut at 100) and B (5,000 ms) at 0, at half speed: A
        // is cut at 100 (50 solo ms done), its finishing entry (1,000) left behind. C (300 ms)
        // joins at 100 in A's slot, finishing at 50 + 300 = 350 solo ms, before A's entry: done
        // at 100 + 2 × 300 = 700 (B then at 350); A's entry is dropped after; B alone from 700,
        // done at 700 + 4,650 = 5,350.
        let c = Contention::new(1.0, 1.0, 80).unwrap();
        let mut s = SharedInstance::default();
        s.add(
            Job {
                deadline_ms: 100,
                ..job(0, 1_000)
            },
            0,
            0,
            &c,
        );
        s.add(job(0, 5_000), 0, 0, &c);
        assert_eq!(s.next_event_ms(0, 0, &c), Some(100));
        let (a, cut) = s.take_due(100, 0, &c).unwrap();
        assert_eq!((a.solo_ms, cut), (1_000, true));
        s.add(job(100, 300), 100, 0, &c);
        assert_eq!((s.jobs.slots.len(), s.finishing.len()), (2, 3), "C took A's slot");
        assert_eq!(drain(&mut s, 100, &c), vec![(700, 300, false), (5_350, 5_000, false)]);
        assert!(s.finishing.is_empty() && s.cut.is_empty());
    }

    #[test]
    fn a_cut_request_leaves_no_entry_behind() {
        // 1 vCPU, f = 1. A (200 ms solo, cut at 150) and B (1,000 ms) at 0, both at half
        // speed: A is cut at 150 (75 solo ms done); its entry, finishing at 200 solo ms, is
        // then the first among the finishing ones and is skipped; B, 75 done, runs alone from
        // 150 → done at 150 + 925 = 1,075.
        let c = Contention::new(1.0, 1.0, 80).unwrap();
        let mut s = SharedInstance::default();
        s.add(
            Job {
                deadline_ms: 150,
                ..job(0, 200)
            },
            0,
            0,
            &c,
        );
        s.add(job(0, 1_000), 0, 0, &c);
        assert_eq!(drain(&mut s, 0, &c), vec![(150, 200, true), (1_075, 1_000, false)]);
        assert!(s.finishing.is_empty() && s.cut.is_empty());
        // C (1,000 ms, cut at 1,150), D (30 ms) and E (500 ms) at 1,100, at a third of their
        // speed: C is cut at 1,150 (16.7 done), D (13.3 left) at half speed done at 1,176.7 →
        // 1,177; E last. C's entry (1,000) stays below E's (500) until the instance is idle:
        // then none is left.
        s.add(
            Job {
                deadline_ms: 1_150,
                ..job(1_100, 1_000)
            },
            1_100,
            0,
            &c,
        );
        s.add(job(1_100, 30), 1_100, 0, &c);
        s.add(job(1_100, 500), 1_100, 0, &c);
        let done = drain(&mut s, 1_100, &c);
        assert_eq!(done[..2], [(1_150, 1_000, true), (1_177, 30, false)]);
        assert_eq!((done.len(), done[2].1, done[2].2), (3, 500, false));
        assert!(s.finishing.is_empty() && s.cut.is_empty());
    }

    #[test]
    fn staggered_processor_sharing_by_hand() {
        // 1 vCPU, f = 1. A (400 ms) at 0; B (100 ms) at 100. 0–100: A alone, 100 solo ms done.
        // From 100 both at half speed: B needs 100 solo ms → done at 300; A then has 200 solo ms
        // done, 200 left alone → done at 500. Work conserved: 500 ms of CPU in 500 ms.
        let c = Contention::new(1.0, 1.0, 80).unwrap();
        let mut s = SharedInstance::default();
        s.add(job(0, 400), 0, 0, &c);
        assert_eq!(s.next_event_ms(0, 0, &c), Some(400));
        s.add(job(100, 100), 100, 0, &c);
        assert_eq!(drain(&mut s, 100, &c), vec![(300, 100, false), (500, 400, false)]);
    }

    #[test]
    fn no_progress_before_the_instance_is_ready() {
        // Ready at 250: two 100-ms CPU-bound requests at 0 and 10 share 1 vCPU from 250 → both
        // done at 250 + 200 = 450.
        let c = Contention::new(1.0, 1.0, 80).unwrap();
        let mut s = SharedInstance::default();
        s.add(job(0, 100), 0, 250, &c);
        s.add(job(10, 100), 10, 250, &c);
        let mut t = 10;
        let mut out = Vec::new();
        while let Some(next) = s.next_event_ms(t, 250, &c) {
            t = next;
            out.push((t, s.take_due(t, 250, &c).unwrap().1));
        }
        assert_eq!(out, vec![(450, false), (450, false)]);
    }

    #[test]
    fn provisioned_requests_go_to_the_least_loaded_open_instance() {
        // Level 3, 2 slots: requests fill 0, 1, 2 (ties: lowest index), then 0, 1, 2 again,
        // then none is free. The level drops to 1: only instance 0 takes requests, and once one
        // of its requests is done it has a free slot again (instance 2's does not count).
        let c = Contention::new(1.0, 1.0, 2).unwrap();
        let mut p = ProvisionedInstances::default();
        let mut order = Vec::new();
        while let Some(j) = p.route(3, 2) {
            order.push(j);
            p.add(j, job(0, 100 + j as u64), 0, &c);
        }
        assert_eq!(order, vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(p.route(1, 2), None);
        // At 200 both requests of instance 0 (100 ms, 2 in flight) are done, instance 2's (102)
        // are not.
        assert_eq!(p.get_mut(0).next_event_ms(0, 0, &c), Some(200));
        assert!(p.take_due(2, 200, &c).is_none());
        assert!(p.take_due(0, 200, &c).is_some());
        assert_eq!(p.route(1, 2), Some(0));
        // Back at level 3, instance 0 (1 in flight) is the least loaded: 1 and 2 hold 2 each.
        assert_eq!(p.route(3, 2), Some(0));
        assert_eq!(p.get(2).in_flight(), 2);
    }

    #[test]
    fn a_deadline_cuts_a_slowed_request() {
        // 1 vCPU, f = 1, two 1,000-ms requests at 0 with a 1,500-ms timeout: at half speed each
        // would finish at 2,000; both are cut at 1,500.
        let c = Contention::new(1.0, 1.0, 80).unwrap();
        let mut s = SharedInstance::default();
        for _ in 0..2 {
            s.add(
                Job {
                    deadline_ms: 1_500,
                    ..job(0, 1_000)
                },
                0,
                0,
                &c,
            );
        }
        assert_eq!(drain(&mut s, 0, &c), vec![(1_500, 1_000, true), (1_500, 1_000, true)]);
    }
}
