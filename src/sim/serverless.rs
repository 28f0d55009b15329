//! The serverless discrete-event engine: replays time-ordered requests of one or more units
//! (a function, or an Azure app) through instances that cold-start → serve → idle → get evicted,
//! with integer-ms time, per-instance concurrency, a keep-alive policy per unit, provisioned
//! concurrency with on-demand spillover, and an account-level concurrency limit that throttles
//! (optionally retrying). Requests sharing an instance share its CPU when the unit has a
//! [`Contention`] (their completions are then rescheduled as requests come and go, a stale
//! event skipped by its epoch); a request still running at the execution timeout is cut there;
//! an init beyond the init limit is abandoned at the limit and run again within its request.
//!
//! Routing follows SimFaaS and AWS Lambda: a request goes to an instance that already serves
//! requests and has a free slot, else to the most recently idled warm instance (so surplus
//! instances expire), else a new instance cold-starts. Sources: SimFaaS (pacslab/simfaas,
//! `ServerlessSimulator`), dslab-faas (anchors.md §A5), SPEC.md "Models".
//!
//! Event order: by time, completions before arrivals, then by unit, then in the order the unit
//! scheduled them. Completions and arrivals sit in two binary heaps of 24-byte entries (a unit
//! alone whose pending completions pass 4,096 moves them to a per-ms timing wheel,
//! [`WheelQueue`], popped in the same order); the histograms fill two tables of counts keyed by
//! value (a dense array for the small values, a sorted vector fed by a buffer of events for the
//! others; at one request per instance a request's busy period is its latency and is counted
//! with it, as is the execution of a request that neither waited nor was slowed, in one count
//! for the three). The common case — one request per instance, a fixed keep-alive, no
//! contention, no provisioned concurrency, no retries — takes a lean path ([`Lean`]) with the
//! same results: instances reduced to times, completions in a 4-ary heap and, once many are in
//! flight, a per-ms timing wheel. A unit's next first-attempt request is pulled from its
//! arrival stream only when its previous one is served, so memory is the requests in flight,
//! not the requests to come. An [`Engine`] can be advanced to a time and resumed, so many
//! engines can be swept in step.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use super::arrivals::{Request, SimRng, UnitArrivals};
use super::contention::{Contention, Job, ProvisionedInstances, SharedInstance};
use super::keepalive::{KeepAliveDecision, KeepAlivePolicy};
use super::schedule::ProvisionedSchedule;
use super::window_sweep::{Instead, ShorterWindow, WindowTally};
use crate::pricing::ColdStartDist;
use crate::units::MS_PER_MINUTE;
use crate::usage::MsHistogram;

/// A unit's requests in `(arrival, duration)` order: drawn from its trace (the replay's own
/// stream, which the engine's loop inlines), or any other iterator (tests, benchmarks).
pub enum RequestStream<'a> {
    /// Drawn from the unit's trace ([`UnitArrivals`]).
    Drawn(UnitArrivals<'a>),
    /// Any other iterator ([`RequestStream::of`]).
    Other(Box<dyn Iterator<Item = Request> + Send + 'a>),
}

impl<'a> RequestStream<'a> {
    /// A stream of the requests `requests` yields.
    pub fn of(requests: impl Iterator<Item = Request> + Send + 'a) -> Self {
        RequestStream::Other(Box::new(requests))
    }
}

impl Iterator for RequestStream<'_> {
    type Item = Request;

    #[inline]
    fn next(&mut self) -> Option<Request> {
        match self {
            RequestStream::Drawn(a) => a.next(),
            RequestStream::Other(o) => o.next(),
        }
    }
}

/// One unit to simulate: its requests, memory, random source and keep-alive policy.
pub struct UnitSpec<'a> {
    /// Unit id (function or app key).
    pub key: String,
    /// Memory per instance.
    pub memory_mb: u32,
    /// Requests, sorted by arrival.
    pub requests: RequestStream<'a>,
    /// Random source for init durations.
    pub rng: SimRng,
    /// The unit's keep-alive policy.
    pub policy: Box<dyn KeepAlivePolicy>,
    /// CPU contention between the requests sharing an instance (`None`: never slowed).
    pub contention: Option<Contention>,
    /// Requests per instance for this unit when below the engine's (CPU-aware routing).
    pub per_instance_concurrency: Option<u32>,
    /// Multiplier of every init drawn (the init latency at this unit's memory; 1 = as drawn).
    pub init_scale: f64,
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
    /// Most instances of each unit, provisioned ones included (App Runner's MaxSize): a
    /// request that would start one more is refused like a throttled one (`None`: no cap).
    pub max_instances: Option<u32>,
    /// Retrying of throttled requests (`None` drops them).
    pub retry: Option<RetryPolicy>,
    /// End of the trace window; warm instances are counted until the later of this and the
    /// last completion.
    pub window_end_ms: u64,
    /// Execution timeout: a request still running this long after it started is cut there
    /// (`None`: no timeout).
    pub timeout_ms: Option<u64>,
    /// Longest init: one drawn longer is abandoned at the limit and run again within the
    /// request that started it (`None`: no limit).
    pub init_limit_ms: Option<u64>,
    /// An instance's busy periods less than this apart are recorded as one (its activity
    /// period: Azure Flex bills activity with a 1-s minimum); 0 records every busy period.
    pub activity_merge_ms: u64,
    /// Shorter fixed keep-alive windows to read off this replay ([`window_sweep`]; empty:
    /// none). A unit tallies them when its own window is fixed and covers them, with no
    /// retries and no activity merging; else its result holds none.
    pub shorter_windows_ms: Vec<u64>,
}

/// What one unit did.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
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
    /// Requests dropped by the concurrency limit or the instance cap (after any retries).
    pub throttles: u64,
    /// Retry attempts made.
    pub retries: u64,
    /// Requests cut by the execution timeout (served, billed up to the timeout, failed).
    pub timeouts: u64,
    /// Inits abandoned at the init limit and run again within their request.
    pub init_retries: u64,
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
    /// Busy periods of provisioned instances (at least one request in flight), each instance's
    /// own: a request goes to (without contention: is counted on) the least loaded one.
    pub provisioned_busy_periods_ms: MsHistogram,
    /// Latency (wait + init + execution) of served requests.
    pub latency_ms: MsHistogram,
    /// Latency added by the platform (waiting for an instance's init or a free slot).
    pub overhead_ms: MsHistogram,
    /// Latest completion.
    pub last_completion_ms: u64,
    /// Most requests in flight at once on this unit's instances.
    pub peak_inflight: u64,
    /// The shorter keep-alive windows read off this replay ([`EngineConfig::shorter_windows_ms`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shorter_windows: Vec<ShorterWindow>,
}

/// An init duration drawn by `rng` from `dist`, times `scale` (rounded to the ms).
fn scaled_init_ms(rng: &mut SimRng, dist: &ColdStartDist, scale: f64) -> u64 {
    let ms = rng.cold_start_ms(dist);
    if scale == 1.0 {
        ms
    } else {
        (ms as f64 * scale).round() as u64
    }
}

/// An init of `drawn_ms` under the platform's init limit, as `(recorded, re-run)` ms: one beyond
/// the limit is abandoned there (recorded, and billed, at the limit) and run again within the
/// request (the re-run is the whole init); else it is recorded as drawn and nothing runs again.
/// The cold request waits for both.
pub(super) fn limited_init_ms(drawn_ms: u64, limit_ms: Option<u64>) -> (u64, u64) {
    match limit_ms {
        Some(limit) if drawn_ms > limit => (limit, drawn_ms),
        _ => (drawn_ms, 0),
    }
}

/// The histograms a unit fills in the hot loop: the first three share a [`Table`] (their
/// values mostly coincide), the other three share a second one.
#[derive(Debug, Clone, Copy)]
enum Kind {
    OnDemandDuration = 0,
    Latency = 1,
    BusyPeriod = 2,
    Overhead = 3,
    InitDuration = 4,
    ProvisionedDuration = 5,
}

const KINDS: usize = 6;

/// Counts of whole-ms values below `WIDE_MS` for three kinds: the kinds of one request mostly
/// share a value (a warm request's duration, latency and busy period are equal), so they cost
/// one cache miss instead of one each. Small values are counted in a dense array indexed by
/// the value (16 bytes a value with `same`, neighbours in one cache line). An event of a value
/// beyond it is appended to a buffer (the value and the kinds it counts, 8 bytes), and the
/// buffer is sorted and merged into a vector of `(value, counts)` sorted by value once it holds
/// half as many events as that vector has values (at least `PENDING_MIN`): an append and a
/// share of a sort instead of a probe at a random place of a table that may not fit in cache
/// (half: the buffer's 8 bytes an event cost at most a quarter of the vector's 16 a value, for
/// a second merge's pass over the vector per event: the same CPU measured). After a
/// merge the dense array grows, up to `DENSE_MAX` values, to the largest power of two that the
/// events counted justify (at least `DENSE_EVENTS` a slot) and whose new slots are at least
/// half taken by values already counted beyond it ([`Table::grow_dense`]): sparse values (long
/// busy periods, a slow tail) stay in the vector at 16 bytes a value rather than cost 16 bytes
/// a slot of a mostly empty array. O(log n) per event (amortized), memory ∝ the distinct
/// values and bounded by the events counted; the values the array reaches when it grows move
/// into it, so a value is counted in one place.
#[derive(Debug, Clone, Default)]
struct Table {
    /// Counts of the values below its length, by value.
    dense: Vec<[u32; 3]>,
    /// Events counted for all three kinds at once (most: a warm request's duration, latency
    /// and busy period), by value, as long as `dense`: 4 bytes a value where `dense` takes
    /// 12, so the array the hot path touches is a third the size (more of it in cache).
    same: Vec<u32>,
    /// Events of values at or beyond `dense`'s length not merged yet, as `value << 3 | kinds`
    /// (bit `k`: one event of the table's kind `k`), in the order counted.
    pending: Vec<u64>,
    /// Counts of the values at or beyond `dense`'s length merged so far, ascending by value,
    /// each value once.
    sorted: Vec<(u32, [u32; 3])>,
    /// Events counted.
    events: u64,
}

/// Values of this many ms (49.7 days) or more are counted aside, in histograms.
const WIDE_MS: u32 = u32::MAX;
/// Most values the dense array of a [`Table`] holds (768 KiB).
const DENSE_MAX: usize = 1 << 16;
/// Events counted per slot of the dense array before it may grow to that size.
const DENSE_EVENTS: u64 = 4;
/// Fewest buffered events a [`Table`] merges at once.
const PENDING_MIN: usize = 256;

/// Adds `add` events of each kind to `counts` of `value`; a count past 2^32 − 1 wraps, the
/// multiples of 2^32 carried to `wide` (the table's three kinds).
fn add_counts(counts: &mut [u32; 3], add: [u64; 3], value: u32, wide: &mut [MsHistogram]) {
    for (k, (c, n)) in counts.iter_mut().zip(add).enumerate() {
        let sum = u64::from(*c) + n;
        *c = sum as u32;
        let carried = sum - u64::from(*c);
        if carried > 0 {
            wide[k].add(u64::from(value), carried);
        }
    }
}

impl Table {
    /// Grows the dense arrays to the largest power of two, at most `DENSE_MAX`, that the events
    /// counted justify (`DENSE_EVENTS` a slot) and whose new slots the values counted beyond
    /// the array take at least half of, and moves those values' counts into it (each was
    /// counted beyond it because the array stopped below it, so its dense counts are still
    /// zero); the vector's capacity freed by them is released. Called after a merge.
    fn grow_dense(&mut self) {
        debug_assert!(self.pending.is_empty(), "the buffered events are merged first");
        let len = self.dense.len();
        let justified = usize::try_from(self.events / DENSE_EVENTS).unwrap_or(usize::MAX);
        let Some(mut size) = justified.min(DENSE_MAX).checked_ilog2().map(|b| 1usize << b) else {
            return;
        };
        while size > len {
            let reached = self.sorted.partition_point(|&(v, _)| (v as usize) < size);
            if 2 * reached >= size - len {
                self.dense.resize(size, [0; 3]);
                self.same.resize(size, 0);
                for (v, counts) in self.sorted.drain(..reached) {
                    let slot = &mut self.dense[v as usize];
                    debug_assert_eq!(*slot, [0; 3], "a value beyond the array has no dense count");
                    *slot = counts;
                }
                self.sorted.shrink_to_fit();
                return;
            }
            size /= 2;
        }
    }

    /// One event of each kind of `kinds` (bit `k`: kind `k` of the table) for a value at or
    /// beyond the dense array; a full buffer is merged ([`Table::merge`]).
    fn push_beyond(&mut self, value: u32, kinds: u64, wide: &mut [MsHistogram]) {
        debug_assert!((value as usize) >= self.dense.len() && kinds < 8);
        let merge_at = (self.sorted.len() / 2).max(PENDING_MIN);
        if self.pending.len() == self.pending.capacity() {
            // Room for exactly the events it merges at (doubling would leave up to as much
            // again unused).
            self.pending
                .reserve_exact(merge_at.max(self.pending.len() + 1) - self.pending.len());
        }
        self.pending.push(u64::from(value) << 3 | kinds);
        if self.pending.len() >= merge_at {
            self.merge(wide);
        }
    }

    /// Merges the buffered events, then grows the dense array if it may.
    fn merge(&mut self, wide: &mut [MsHistogram]) {
        self.merge_pending(wide);
        self.grow_dense();
    }

    /// Sorts the buffered events and merges them into `sorted`, in place: the values not
    /// there yet are counted, `sorted` grows by that many, and both are merged from the back
    /// (no second vector: a large one grows where it is).
    fn merge_pending(&mut self, wide: &mut [MsHistogram]) {
        if self.pending.is_empty() {
            return;
        }
        self.pending.sort_unstable();
        let value_of = |e: u64| (e >> 3) as u32;
        let old_len = self.sorted.len();
        let mut new_values = 0;
        let mut j = 0;
        let mut last = None;
        for &e in &self.pending {
            let value = value_of(e);
            if last == Some(value) {
                continue;
            }
            last = Some(value);
            while j < old_len && self.sorted[j].0 < value {
                j += 1;
            }
            if !(j < old_len && self.sorted[j].0 == value) {
                new_values += 1;
            }
        }
        self.sorted.reserve_exact(new_values);
        self.sorted.resize(old_len + new_values, (0, [0; 3]));
        // `i`: end of the old entries not placed yet; `w`: end of the free places.
        let (mut i, mut w) = (old_len, old_len + new_values);
        let mut end = self.pending.len();
        while end > 0 {
            let value = value_of(self.pending[end - 1]);
            let mut add = [0u64; 3];
            while end > 0 && value_of(self.pending[end - 1]) == value {
                let e = self.pending[end - 1];
                for (k, n) in add.iter_mut().enumerate() {
                    *n += (e >> k) & 1;
                }
                end -= 1;
            }
            while i > 0 && self.sorted[i - 1].0 > value {
                i -= 1;
                w -= 1;
                self.sorted[w] = self.sorted[i];
            }
            let mut counts = [0; 3];
            if i > 0 && self.sorted[i - 1].0 == value {
                i -= 1;
                counts = self.sorted[i].1;
            }
            add_counts(&mut counts, add, value, wide);
            w -= 1;
            self.sorted[w] = (value, counts);
        }
        debug_assert_eq!(i, w, "the old entries below are in place");
        self.pending.clear();
    }

    /// Every `(value, counts)` with an event (once the buffer is merged).
    fn into_counts(self) -> impl Iterator<Item = (u64, [u64; 3])> {
        debug_assert!(self.pending.is_empty(), "the buffered events are merged first");
        let dense = self
            .dense
            .into_iter()
            .zip(self.same)
            .enumerate()
            .map(|(v, (c, all))| (v as u64, c.map(|n| u64::from(n) + u64::from(all))));
        let beyond = self.sorted.into_iter();
        dense.chain(beyond.map(|(v, c)| (u64::from(v), c.map(u64::from))))
    }
}

/// Every [`Kind`]'s counts: two [`Table`]s, and the rare values of `WIDE_MS` ms (49.7 days) or
/// more and counts past 2^32 in histograms; turned into [`MsHistogram`]s once a run ends.
#[derive(Debug, Clone, Default)]
struct Tables {
    /// Kinds 0–2.
    shared: Table,
    /// Kinds 3–5.
    other: Table,
    wide: [MsHistogram; KINDS],
    /// Requests that added no latency (most: counted here instead of in `other`).
    zero_overhead: u64,
}

impl Tables {
    fn add(&mut self, kind: Kind, value: u64) {
        self.add_each(&[kind], value);
    }

    /// One event of `value` for each of `kinds` (all of one table).
    fn add_each(&mut self, kinds: &[Kind], value: u64) {
        let first = kinds[0] as usize;
        let (table, wide) = if first < 3 {
            (&mut self.shared, &mut self.wide[..3])
        } else {
            (&mut self.other, &mut self.wide[3..])
        };
        match u32::try_from(value) {
            Ok(v) if v != WIDE_MS => {
                table.events += 1;
                if kinds.len() == 3 {
                    if let Some(c) = table.same.get_mut(v as usize) {
                        *c = c.wrapping_add(1);
                        if *c == 0 {
                            // 2^32 events of each kind: carried aside.
                            for w in wide.iter_mut() {
                                w.add(value, 1 << 32);
                            }
                        }
                        return;
                    }
                }
                let Some(counts) = table.dense.get_mut(v as usize) else {
                    let bits = kinds.iter().fold(0, |bits, &kind| bits | 1 << (kind as usize % 3));
                    table.push_beyond(v, bits, wide);
                    return;
                };
                for &kind in kinds {
                    let k = kind as usize;
                    debug_assert_eq!(k / 3, first / 3, "kinds of one table");
                    let c = &mut counts[k % 3];
                    *c = c.wrapping_add(1);
                    if *c == 0 {
                        // 2^32 events: carried aside.
                        wide[k % 3].add(value, 1 << 32);
                    }
                }
            }
            _ => {
                for &kind in kinds {
                    self.wide[kind as usize].add(value, 1);
                }
            }
        }
    }

    /// The histogram of every kind, by kind index (each built at once from its counts:
    /// [`MsHistogram::from_counts`]).
    fn into_histograms(mut self) -> [MsHistogram; KINDS] {
        self.shared.merge_pending(&mut self.wide[..3]);
        self.other.merge_pending(&mut self.wide[3..]);
        let mut pairs: [Vec<(u64, u64)>; KINDS] = Default::default();
        for (k, wide) in self.wide.iter().enumerate() {
            pairs[k].extend(wide.iter());
        }
        pairs[Kind::Overhead as usize].push((0, self.zero_overhead));
        for (first, table) in [(0, self.shared), (3, self.other)] {
            for (value, counts) in table.into_counts() {
                for (k, &n) in counts.iter().enumerate() {
                    if n > 0 {
                        pairs[first + k].push((value, n));
                    }
                }
            }
        }
        pairs.map(MsHistogram::from_counts)
    }
}

/// An on-demand instance of the general path: one cache line (64 bytes, aligned), as the
/// completion of a request reads its instance at random (−3 % CPU on a unit of ~16,000 requests
/// in flight against the same 64 bytes unaligned, which straddle two lines each unless the
/// vector happens to start on a line boundary).
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
struct Instance {
    busy: u32,
    busy_since_ms: u64,
    /// End of the last busy period while it may still continue (activity merging only).
    open_until_ms: Option<u64>,
    ready_ms: u64,
    warm_from_ms: u64,
    warm_until_ms: u64,
    /// Whether it is in its unit's [`FreeSlotList`].
    in_partial: bool,
    /// The instances listed before and after it there (`NIL`: none; meaningless unlisted).
    prev: u32,
    next: u32,
}

const _: () = assert!(std::mem::size_of::<Instance>() == 64, "an instance is one cache line");

/// The instances serving requests with a free slot, in the order each got its free slot: a
/// list threaded through the [`Instance`]s (`prev`, `next`), so that an instance leaves it in
/// O(1) wherever it is (a vector's search and shift grew with the list: ~90 long on a unit
/// with ~16,000 requests in flight two an instance) and the others keep their order. Only its
/// last instance is held: it is searched from the back.
#[derive(Debug)]
struct FreeSlotList {
    tail: u32,
}

impl FreeSlotList {
    const fn new() -> Self {
        FreeSlotList { tail: NIL }
    }

    fn is_empty(&self) -> bool {
        self.tail == NIL
    }

    /// The instance that got its free slot last.
    fn last(&self) -> Option<usize> {
        (self.tail != NIL).then_some(self.tail as usize)
    }

    /// Puts instance `i` (not listed) last.
    fn push(&mut self, instances: &mut [Instance], i: usize) {
        let inst = &mut instances[i];
        debug_assert!(!inst.in_partial, "instance {i} is listed once");
        inst.in_partial = true;
        inst.prev = self.tail;
        inst.next = NIL;
        let i = i as u32; // below 2^30 ([`UnitState::new_instance`])
        if self.tail != NIL {
            instances[self.tail as usize].next = i;
        }
        self.tail = i;
    }

    /// Takes instance `i` (listed) out.
    fn remove(&mut self, instances: &mut [Instance], i: usize) {
        let inst = &mut instances[i];
        debug_assert!(inst.in_partial, "instance {i} is listed");
        inst.in_partial = false;
        let (prev, next) = (inst.prev, inst.next);
        if prev != NIL {
            instances[prev as usize].next = next;
        }
        match next {
            NIL => self.tail = prev,
            n => instances[n as usize].prev = prev,
        }
    }

    /// The last listed instance for which `pred` holds.
    fn rfind(&self, instances: &[Instance], pred: impl Fn(&Instance) -> bool) -> Option<usize> {
        let mut i = self.tail;
        while i != NIL {
            let inst = &instances[i as usize];
            if pred(inst) {
                return Some(i as usize);
            }
            i = inst.prev;
        }
        None
    }
}

/// Bits of an event's tie-break key holding the unit's own event counter; the unit index
/// takes the bits above.
const SEQ_BITS: u32 = 40;
/// Payload of an arrival event that is the unit's next first attempt (else a retry's index).
const NONE: u32 = u32::MAX;
/// Bit of a completion's payload marking provisioned instance `payload & !PROVISIONED` (with
/// contention; else on-demand instance `payload`, below [`POOLED`]).
const PROVISIONED: u32 = 1 << 31;
/// Bit of a completion's payload marking a request on a slot of the provisioned pool (no
/// contention), counted on pooled instance `payload & !POOLED`.
const POOLED: u32 = 1 << 30;

/// A pending event: ordered by time, then by `tie` = unit << SEQ_BITS | the unit's counter.
/// `epoch` versions a shared instance's completion event (a stale one is skipped).
#[derive(Debug, Clone, Copy)]
struct Event {
    time_ms: u64,
    tie: u64,
    payload: u32,
    epoch: u32,
}

impl Event {
    /// The order's key: time, then tie, as one 128-bit integer (one branch-free compare).
    fn key(&self) -> u128 {
        u128::from(self.time_ms) << 64 | u128::from(self.tie)
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

struct UnitState<'a> {
    requests: RequestStream<'a>,
    /// The request of the pending first-attempt arrival event.
    next: Option<Request>,
    rng: SimRng,
    policy: Box<dyn KeepAlivePolicy>,
    /// The policy's fixed window, when it has one: then it is not called
    /// ([`KeepAlivePolicy::fixed_window_ms`]).
    fixed_window_ms: Option<u64>,
    res: UnitResult,
    tables: Tables,
    instances: Vec<Instance>,
    free_slots: Vec<usize>,
    partial: FreeSlotList,
    idle: VecDeque<usize>,
    /// Requests in flight on this unit (the general path's; the lean path counts `Lean::busy`).
    inflight: u32,
    /// Without contention, the provisioned instances the pooled requests are counted on.
    pool: PooledInstances,
    /// Provisioned instances' busy periods so far, count by length in ms (a histogram once the
    /// run ends: they end in no order of length).
    provisioned_busy: HashMap<u64, u64>,
    last_end_ms: Option<u64>,
    seq: u64,
    contention: Option<Contention>,
    /// Requests per instance.
    slots: u32,
    init_scale: f64,
    /// The requests in flight of each instance, by instance index (with contention only).
    shared: Vec<SharedInstance>,
    /// The provisioned instances, each sharing its CPU (with contention only; without,
    /// provisioned requests go to `pool`).
    provisioned: ProvisionedInstances,
    /// [`EngineConfig::activity_merge_ms`].
    activity_merge_ms: u64,
    /// The shorter keep-alive windows it tallies ([`EngineConfig::shorter_windows_ms`]).
    windows: Option<WindowTally>,
}

impl UnitState<'_> {
    /// The pending first-attempt request, the unit's next one put in its place. While one
    /// follows, only the request is written (the tag stays `Some`): the whole `Option` written
    /// as its tag and its request, then read back whole, stalled that load on the two stores
    /// (x86's store forwarding serves a load from one store only).
    #[inline]
    fn take_next(&mut self) -> Request {
        let slot = self.next.as_mut().expect("a first attempt has its request");
        let r = *slot;
        match self.requests.next() {
            Some(n) => *slot = n,
            None => self.next = None,
        }
        r
    }

    /// Places `inst` in a free index, or a new one: every index is below 2^30 (a completion's
    /// payload holds it beside the [`POOLED`] and [`PROVISIONED`] bits; links hold it as `u32`).
    fn new_instance(&mut self, inst: Instance) -> usize {
        if let Some(i) = self.free_slots.pop() {
            self.instances[i] = inst;
            i
        } else {
            assert!(self.instances.len() < POOLED as usize, "fewer than 2^30 instances");
            self.instances.push(inst);
            if self.contention.is_some() {
                self.shared.push(SharedInstance::default());
            }
            self.instances.len() - 1
        }
    }

    /// A cold start: its init drawn and counted, as `(init, re-run)` ms under the platform's
    /// init limit ([`limited_init_ms`]).
    fn cold_start(&mut self, cfg: &EngineConfig) -> (u64, u64) {
        let drawn_ms = self.draw_init_ms(&cfg.cold_start);
        let (init_ms, rerun_ms) = limited_init_ms(drawn_ms, cfg.init_limit_ms);
        if rerun_ms > 0 {
            self.res.init_retries += 1;
        }
        self.res.cold_starts += 1;
        self.tables.add(Kind::InitDuration, init_ms);
        (init_ms, rerun_ms)
    }

    /// An init duration drawn from `dist`, scaled to the unit's memory.
    fn draw_init_ms(&mut self, dist: &ColdStartDist) -> u64 {
        scaled_init_ms(&mut self.rng, dist, self.init_scale)
    }

    /// Records a request that ends at `done_ms` after executing `on_demand_ms` on an on-demand
    /// instance (`None`: on a provisioned one, counted there) of its `solo_ms`; `busy`: its
    /// latency is also its instance's busy period (one request per instance and no contention:
    /// the instance is busy from the request's arrival to its end).
    fn record_end(
        &mut self,
        on_demand_ms: Option<u64>,
        arrival_ms: u64,
        done_ms: u64,
        solo_ms: u64,
        cut: bool,
        busy: bool,
    ) {
        let latency_ms = done_ms - arrival_ms;
        let mut kinds = [Kind::Latency; 3];
        let mut n = 1;
        if busy {
            kinds[n] = Kind::BusyPeriod;
            n += 1;
        }
        match on_demand_ms {
            // A request that neither waited nor was slowed: its execution is its latency,
            // counted with it.
            Some(exec_ms) if exec_ms == latency_ms => {
                kinds[n] = Kind::OnDemandDuration;
                n += 1;
            }
            Some(exec_ms) => self.tables.add(Kind::OnDemandDuration, exec_ms),
            None => {}
        }
        self.tables.add_each(&kinds[..n], latency_ms);
        // Added latency: beyond the request's own execution alone (init, a slot, contention).
        match latency_ms.saturating_sub(solo_ms) {
            0 => self.tables.zero_overhead += 1,
            overhead_ms => self.tables.add(Kind::Overhead, overhead_ms),
        }
        if cut {
            self.res.timeouts += 1;
        }
        self.last_end_ms = Some(self.last_end_ms.map_or(done_ms, |e| e.max(done_ms)));
        self.res.last_completion_ms = self.res.last_completion_ms.max(done_ms);
    }

    /// Whether an on-demand request's latency is its instance's busy period, recorded with it
    /// (one request per instance and no contention); else busy periods end in `release`.
    fn busy_is_latency(&self) -> bool {
        self.slots == 1 && self.contention.is_none() && self.activity_merge_ms == 0
    }

    /// Instance `i` gets its first request in flight at `t`: a new busy period starts, or
    /// (activity merging) the last one continues when it ended less than the merge gap ago —
    /// then the gap counts as busy, not idle, so busy + idle stays the instance's lifetime.
    fn start_busy(&mut self, i: usize, t: u64) {
        let inst = self.instances[i];
        match inst.open_until_ms {
            // The gap joins the activity period: it is no longer warm idle time (counted when
            // the instance was taken from the warm pool at `t`).
            Some(end) if t - end < self.activity_merge_ms => {
                self.res.idle_ms -= t.saturating_sub(inst.warm_from_ms);
            }
            Some(end) => {
                self.tables.add(Kind::BusyPeriod, end - inst.busy_since_ms);
                self.instances[i].busy_since_ms = t;
            }
            None => self.instances[i].busy_since_ms = t,
        }
        self.instances[i].open_until_ms = None;
    }

    /// Instance `i` has no request in flight from `t`: its busy period ends (with activity
    /// merging, it stays open until the instance is next busy or leaves).
    fn end_busy(&mut self, i: usize, t: u64) {
        if self.activity_merge_ms > 0 {
            self.instances[i].open_until_ms = Some(t);
        } else if !self.busy_is_latency() {
            let since = self.instances[i].busy_since_ms;
            self.tables.add(Kind::BusyPeriod, t - since);
        }
    }

    /// Instance `i` leaves for good: an open busy period is recorded.
    fn retire(&mut self, i: usize) {
        if let Some(end) = self.instances[i].open_until_ms.take() {
            let since = self.instances[i].busy_since_ms;
            self.tables.add(Kind::BusyPeriod, end - since);
        }
        self.free_slots.push(i);
    }

    /// An on-demand instance was warm and idle for `life_ms`.
    #[inline]
    fn idle_for(&mut self, life_ms: u64) {
        self.res.idle_ms += life_ms;
        if let Some(w) = self.windows.as_mut() {
            w.idle(life_ms);
        }
    }

    /// Instance `i`, warm, takes a request at `t`: under a shorter window that has let it
    /// expire, the request would wait for an instance initializing with a free slot (the
    /// last listed, as routing takes it), else be refused at the instance cap (the instances
    /// busy or initializing, draining and provisioned reach it), else start an instance.
    fn tally_warm(&mut self, i: usize, t: u64, cfg: &EngineConfig) {
        let gap_ms = t - self.instances[i].warm_from_ms;
        if !self.windows.as_ref().is_some_and(|w| w.outlived_by(gap_ms)) {
            return;
        }
        let instead = if let Some(p) = self.partial.last() {
            Instead::Wait(self.instances[p].ready_ms.saturating_sub(t))
        } else if cfg.max_instances.is_some_and(|cap| {
            let level = cfg.provisioned.level_at(t);
            let draining = match self.contention {
                Some(_) => self.provisioned.draining(),
                None => self.pool.draining(),
            };
            // Instance `i` has left `idle` and does not exist under the shorter window.
            let busy = self.instances.len() - self.free_slots.len() - self.idle.len() - 1;
            (busy + draining) as u64 + u64::from(level) >= u64::from(cap)
        }) {
            Instead::Throttle
        } else {
            Instead::Cold
        };
        if let Some(w) = self.windows.as_mut() {
            w.warm(gap_ms, instead);
        }
    }

    /// The shorter windows' tallies, their cold starts' added latency drawn from a copy of
    /// the unit's generator after the replay's own draws (an init beyond the limit: the limit
    /// and the init run again, as [`cold_start`](Self::cold_start) and [`record_end`] make it).
    fn shorter_windows(&mut self, cfg: &EngineConfig) -> Vec<ShorterWindow> {
        let Some(tally) = self.windows.take() else {
            return Vec::new();
        };
        tally.finish(|cold_starts| {
            let mut rng = self.rng.clone();
            let mut added = MsHistogram::new();
            for _ in 0..cold_starts {
                let ms = scaled_init_ms(&mut rng, &cfg.cold_start, self.init_scale);
                let (init_ms, rerun_ms) = limited_init_ms(ms, cfg.init_limit_ms);
                added.add(init_ms + rerun_ms, 1);
            }
            added
        })
    }

    /// Finalizes an idle instance evicted at `until` (its warm window ends there).
    fn evict(&mut self, i: usize, until_ms: u64) {
        let inst = self.instances[i];
        let end = until_ms.min(inst.warm_until_ms);
        self.idle_for(end.saturating_sub(inst.warm_from_ms));
        self.retire(i);
    }

    /// Takes instance `i` out of the list of instances with a free slot.
    fn remove_partial(&mut self, i: usize) {
        self.partial.remove(&mut self.instances, i);
    }

    /// Lists instance `i`, which now has a free slot, last.
    fn push_partial(&mut self, i: usize) {
        self.partial.push(&mut self.instances, i);
    }

    /// Whether a request at `t` would start an instance beyond `cap` (provisioned instances
    /// included, and those above a dropped level still draining): no provisioned slot, no
    /// instance with a free slot and no warm one is free, and the instances left at `t` — those
    /// not expired, less an unloaded one waiting for its pre-warm, which a cold start replaces —
    /// already reach the cap. Changes nothing that routing at `t` would not (the provisioned
    /// level is set for `t`).
    fn at_cap(&mut self, cap: u32, t: u64, cfg: &EngineConfig, c: u32) -> bool {
        let level = cfg.provisioned.level_at(t);
        let (provisioned_free, draining) = match self.contention {
            Some(_) => (self.provisioned.route(level, c).is_some(), self.provisioned.draining()),
            None => (self.pool.has_free_slot(level, c), self.pool.draining()),
        };
        if provisioned_free || !self.partial.is_empty() {
            return false;
        }
        let (mut expired, mut pending) = (0, false);
        for &i in self.idle.iter().rev() {
            let inst = &self.instances[i];
            if t >= inst.warm_until_ms {
                expired += 1;
            } else if t < inst.warm_from_ms {
                pending = true;
            } else {
                return false;
            }
        }
        let live = self.instances.len() - self.free_slots.len() - expired - usize::from(pending);
        (live + draining) as u64 + u64::from(level) >= u64::from(cap)
    }

    /// A provisioned instance's busy period of `ms` ends.
    fn provisioned_busy_period(&mut self, ms: u64) {
        if ms > 0 {
            *self.provisioned_busy.entry(ms).or_default() += 1;
        }
    }

    /// The tie-break key of this unit's next event.
    fn tie(&mut self, unit: u32) -> u64 {
        let seq = self.seq;
        assert!(seq < 1 << SEQ_BITS, "more than 2^40 events in one unit");
        self.seq += 1;
        (unit as u64) << SEQ_BITS | seq
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
                // Most often the most recently idled, at the back.
                if pos + 1 == self.idle.len() {
                    self.idle.pop_back();
                } else {
                    self.idle.remove(pos);
                }
                self.idle_for(t - inst.warm_from_ms);
                return (Some(i), None);
            }
        }
        (None, pending)
    }
}

/// The provisioned instances of a unit without CPU contention: a request goes to the least
/// loaded instance below the level with a free slot (ties: the lowest index), never slowed, so
/// that each instance's busy periods are its own; instances above a dropped level take nothing
/// new and drain. Only instances that have served are held (`in_flight`): the others, up to
/// the level, are idle and alike, so memory is the instances used, not the level.
#[derive(Debug, Default)]
struct PooledInstances {
    /// Requests in flight on each instance used so far (the first `in_flight.len()`).
    in_flight: Vec<u32>,
    /// Start of each busy instance's period.
    since_ms: Vec<u64>,
    /// `(requests, index)` of the instances used so far below the level.
    open: std::collections::BTreeSet<(u32, u32)>,
    /// The level `open` holds.
    level: u32,
}

impl PooledInstances {
    /// Sets the level: instances at or above it take no new request.
    fn set_level(&mut self, level: u32) {
        let used = self.in_flight.len() as u32;
        for j in level.min(used)..self.level.min(used) {
            self.open.remove(&(self.in_flight[j as usize], j));
        }
        for j in self.level.min(used)..level.min(used) {
            self.open.insert((self.in_flight[j as usize], j));
        }
        self.level = level;
    }

    /// The least loaded instance below the level as `(requests, index)`: a used one, or the
    /// first unused one (0 requests, after every used index).
    fn least(&self) -> Option<(u32, u32)> {
        let used = self.in_flight.len() as u32;
        let unused = (used < self.level).then_some((0, used));
        match (self.open.first().copied(), unused) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether a request at level `level` finds a provisioned instance with fewer than `c` in
    /// flight.
    fn has_free_slot(&mut self, level: u32, c: u32) -> bool {
        self.set_level(level);
        self.least().is_some_and(|(n, _)| n < c)
    }

    /// The instance a request at `t` goes to (after [`has_free_slot`](Self::has_free_slot)).
    fn take(&mut self, t: u64) -> u32 {
        let (n, j) = self.least().expect("a provisioned instance has a free slot");
        if j as usize == self.in_flight.len() {
            assert!(j < POOLED, "fewer than 2^30 provisioned instances in use");
            self.in_flight.push(0);
            self.since_ms.push(0);
        } else {
            self.open.remove(&(n, j));
        }
        if n == 0 {
            self.since_ms[j as usize] = t;
        }
        self.in_flight[j as usize] = n + 1;
        self.open.insert((n + 1, j));
        j
    }

    /// Instances at or above the level still serving requests (they drain).
    fn draining(&self) -> usize {
        self.in_flight
            .get(self.level as usize..)
            .map_or(0, |above| above.iter().filter(|&&n| n > 0).count())
    }

    /// A request on instance `j` ends at `t`: the instance's busy period, when it ends.
    fn release(&mut self, j: u32, t: u64) -> Option<u64> {
        let n = self.in_flight[j as usize];
        if j < self.level {
            self.open.remove(&(n, j));
            self.open.insert((n - 1, j));
        }
        self.in_flight[j as usize] = n - 1;
        (n == 1).then(|| t - self.since_ms[j as usize])
    }
}

/// The engine's state on its lean path, taken when every unit has one request per instance,
/// a fixed keep-alive and no CPU contention, with no provisioned concurrency, no activity
/// merging and no retries of throttled requests. Instances are then interchangeable: a busy
/// one is only its completion time and a warm one only the time it went idle, so the events
/// carry no instance, completions at one time commute (each frees one instance and one unit
/// of concurrency, and the instances they free are alike), and the keep-alive is never
/// called. Results are the general path's, event for event (a test replays both).
struct Lean {
    /// Pending completions.
    done: Completions,
    /// Each unit's next first-attempt arrival `(time, unit)` when there are several units
    /// (ordered as the general path's ties order them); a single unit's is its `next`.
    arrive: QuadHeap<(u64, u32)>,
    /// Per unit: its keep-alive window and the times its warm instances went idle, oldest
    /// first (they expire from the front; the most recently idled, at the back, serves).
    units: Vec<(u64, VecDeque<u64>)>,
    /// Per unit: its instances serving a request (for the instance cap).
    busy: Vec<u32>,
}

/// A 4-ary min-heap: half a binary heap's depth, and a node's four children share a cache line.
#[derive(Default)]
struct QuadHeap<T>(Vec<T>);

impl<T: Ord + Copy> QuadHeap<T> {
    fn peek(&self) -> Option<T> {
        self.0.first().copied()
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn push(&mut self, x: T) {
        let h = &mut self.0;
        let mut i = h.len();
        h.push(x);
        while i > 0 {
            let parent = (i - 1) / 4;
            if h[parent] <= x {
                break;
            }
            h[i] = h[parent];
            i = parent;
        }
        h[i] = x;
    }

    /// Removes the least entry (the heap is not empty).
    fn pop(&mut self) -> T {
        let top = self.0[0];
        let last = self.0.pop().expect("the heap is not empty");
        if !self.0.is_empty() {
            self.sift_down(last);
        }
        top
    }

    /// Replaces the least entry by `x` (the heap is not empty).
    fn replace_top(&mut self, x: T) {
        self.sift_down(x);
    }

    /// Puts `x` at the root and moves it down to its place.
    fn sift_down(&mut self, x: T) {
        let h = &mut self.0;
        let n = h.len();
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            // The least child, each read once from a slice of the (up to) four: no bounds
            // check a child.
            let (mut child, mut least) = (first, h[first]);
            for (c, &k) in (first + 1..).zip(&h[first + 1..(first + 4).min(n)]) {
                if k < least {
                    (child, least) = (c, k);
                }
            }
            if least >= x {
                break;
            }
            h[i] = least;
            i = child;
        }
        h[i] = x;
    }
}

/// An entry of a [`DoneQueue`]: a completion's time and unit, ordered by time first.
trait Completion: Ord + Copy {
    fn new(time_ms: u64, unit: u32) -> Self;
    fn time_ms(self) -> u64;
    fn unit(self) -> u32;
}

/// A completion of the only unit of an engine: its time alone (one compare a heap step where
/// a pair takes two; 8 bytes, so a node's four children take half a cache line).
impl Completion for u64 {
    fn new(time_ms: u64, _unit: u32) -> Self {
        time_ms
    }

    fn time_ms(self) -> u64 {
        self
    }

    fn unit(self) -> u32 {
        0
    }
}

impl Completion for (u64, u32) {
    fn new(time_ms: u64, unit: u32) -> Self {
        (time_ms, unit)
    }

    fn time_ms(self) -> u64 {
        self.0
    }

    fn unit(self) -> u32 {
        self.1
    }
}

/// The lean path's pending completions: keyed by time alone in an engine of one unit (every
/// engine of a replay the account limit does not bind), by `(time, unit)` in one of several.
enum Completions {
    One(DoneQueue<u64>),
    Several(DoneQueue<(u64, u32)>),
}

impl Completions {
    fn new(units: usize) -> Self {
        if units == 1 {
            Completions::One(DoneQueue::default())
        } else {
            Completions::Several(DoneQueue::default())
        }
    }

    fn push(&mut self, time_ms: u64, unit: u32) {
        match self {
            Completions::One(q) => q.push(time_ms, unit),
            Completions::Several(q) => q.push(time_ms, unit),
        }
    }

    fn min(&self) -> Option<u64> {
        match self {
            Completions::One(q) => q.min(),
            Completions::Several(q) => q.min(),
        }
    }

    fn pop(&mut self) -> (u64, u32) {
        match self {
            Completions::One(q) => q.pop(),
            Completions::Several(q) => q.pop(),
        }
    }
}

/// The lean path's pending completions (entries `E`, popped as `(time, unit)`): a
/// [`QuadHeap`], and once many requests are in flight also a timing wheel over the next
/// [`WHEEL_MS`], where most completions then fall: a list per ms, found again by a bit scan
/// (O(1) against log₄ n sifts). Entries of equal time come out in no particular order: lean
/// completions at one time commute. Every time pushed must be at least the last popped, which
/// holds here: a completion is later than the arrival that schedules it, and events are
/// handled in time order.
struct DoneQueue<E> {
    heap: QuadHeap<E>,
    wheel: Option<Box<Wheel<u32, false>>>,
    /// Last time popped.
    last_ms: u64,
}

impl<E> Default for DoneQueue<E> {
    fn default() -> Self {
        DoneQueue {
            heap: QuadHeap(Vec::new()),
            wheel: None,
            last_ms: 0,
        }
    }
}

/// Completions held in the heap before the queue adds a wheel (about 270 KB: 1 KB per request
/// in flight then).
const WHEEL_FROM: usize = 256;
/// Span of the timing wheel, in ms from the last completion popped.
const WHEEL_MS: u64 = 1 << 16;
/// End of a list: a wheel's, or a [`FreeSlotList`]'s.
const NIL: u32 = u32::MAX;

/// Entries by time mod [`WHEEL_MS`] (every time held within `WHEEL_MS` of the queue's last
/// popped time), each ms a list, with two levels of bitmaps to find the next nonempty ms. A
/// list is in the order its entries were added when `IN_ORDER` (a tail kept per ms), else
/// last added first (entries of one ms that commute).
struct Wheel<T, const IN_ORDER: bool> {
    /// First entry of each ms's list (`NIL`: empty).
    heads: Vec<u32>,
    /// Last entry of each ms's list when `IN_ORDER` (stale when the list is empty), else none.
    tails: Vec<u32>,
    /// `(entry, next entry)`; the free entries are chained from `free`.
    entries: Vec<(T, u32)>,
    free: u32,
    /// Bit `i % 64` of word `i / 64` set when list `i` is not empty.
    bits: Vec<u64>,
    /// Bit `w % 64` of word `w / 64` set when `bits[w] != 0`.
    summary: Vec<u64>,
    len: usize,
    /// Least time held (valid when `len > 0`).
    min_ms: u64,
}

impl<T: Copy, const IN_ORDER: bool> Wheel<T, IN_ORDER> {
    fn new() -> Self {
        let slots = WHEEL_MS as usize;
        Wheel {
            heads: vec![NIL; slots],
            tails: if IN_ORDER { vec![NIL; slots] } else { Vec::new() },
            entries: Vec::new(),
            free: NIL,
            bits: vec![0; slots / 64],
            summary: vec![0; slots / 64 / 64],
            len: 0,
            min_ms: u64::MAX,
        }
    }

    /// Adds `item` at `time_ms` unless the entries are full (false then).
    fn add(&mut self, time_ms: u64, item: T) -> bool {
        let i = (time_ms % WHEEL_MS) as usize;
        // The entry's successor: none at the end of its list, else the list's first.
        let next = if IN_ORDER { NIL } else { self.heads[i] };
        let e = if self.free != NIL {
            let e = self.free;
            self.free = self.entries[e as usize].1;
            self.entries[e as usize] = (item, next);
            e
        } else {
            match u32::try_from(self.entries.len()).ok().filter(|&e| e != NIL) {
                Some(e) => {
                    self.entries.push((item, next));
                    e
                }
                None => return false,
            }
        };
        if IN_ORDER && self.heads[i] != NIL {
            self.entries[self.tails[i] as usize].1 = e;
        } else {
            self.heads[i] = e;
        }
        if IN_ORDER {
            self.tails[i] = e;
        }
        self.bits[i / 64] |= 1 << (i % 64);
        self.summary[i / 4096] |= 1 << (i / 64 % 64);
        self.len += 1;
        self.min_ms = self.min_ms.min(time_ms);
        true
    }

    /// The first entry of `min_ms`'s list (the wheel is not empty).
    fn first(&self) -> T {
        self.entries[self.heads[(self.min_ms % WHEEL_MS) as usize] as usize].0
    }

    /// Removes the first entry of `min_ms`'s list (the queue's last popped time from then on)
    /// and returns it.
    fn take_min(&mut self) -> T {
        let i = (self.min_ms % WHEEL_MS) as usize;
        let e = self.heads[i];
        let (item, next) = self.entries[e as usize];
        self.heads[i] = next;
        self.entries[e as usize].1 = self.free;
        self.free = e;
        self.len -= 1;
        if next == NIL {
            self.bits[i / 64] &= !(1 << (i % 64));
            if self.bits[i / 64] == 0 {
                self.summary[i / 4096] &= !(1 << (i / 64 % 64));
            }
            self.min_ms = if self.len == 0 {
                u64::MAX
            } else {
                self.first_from(self.min_ms)
            };
        }
        item
    }

    /// The least time held, every time held being in `[from_ms, from_ms + WHEEL_MS)`: the
    /// first nonempty list at or after `from_ms`'s, cyclically.
    fn first_from(&self, from_ms: u64) -> u64 {
        let start = (from_ms % WHEEL_MS) as usize;
        let words = self.bits.len();
        let here = self.bits[start / 64] & (!0 << (start % 64));
        let slot = if here != 0 {
            start / 64 * 64 + here.trailing_zeros() as usize
        } else {
            // The next nonzero word through the summary, wrapping around (back to the start
            // word, whose lists before `start` hold the latest times).
            let mut w = (start / 64 + 1) % words;
            loop {
                let s = self.summary[w / 64] & (!0 << (w % 64));
                if s != 0 {
                    let w = w / 64 * 64 + s.trailing_zeros() as usize;
                    break w * 64 + self.bits[w].trailing_zeros() as usize;
                }
                w = (w / 64 * 64 + 64) % words;
            }
        };
        from_ms + ((slot as u64).wrapping_sub(start as u64) % WHEEL_MS)
    }
}

impl<E: Completion> DoneQueue<E> {
    fn push(&mut self, time_ms: u64, unit: u32) {
        debug_assert!(time_ms >= self.last_ms, "completion times never go back");
        if let Some(wheel) = &mut self.wheel {
            if time_ms - self.last_ms < WHEEL_MS && wheel.add(time_ms, unit) {
                return;
            }
        }
        self.heap.push(E::new(time_ms, unit));
        if self.wheel.is_none() && self.heap.len() >= WHEEL_FROM {
            self.wheel = Some(Box::new(Wheel::new()));
        }
    }

    /// The least time held.
    fn min(&self) -> Option<u64> {
        let wheel = self.wheel.as_ref().filter(|w| w.len > 0).map(|w| w.min_ms);
        let heap = self.heap.peek().map(E::time_ms);
        match (wheel, heap) {
            (Some(w), Some(h)) => Some(w.min(h)),
            (w, h) => w.or(h),
        }
    }

    /// Removes an entry of the least time (the queue is not empty).
    fn pop(&mut self) -> (u64, u32) {
        let heap_min = self.heap.peek().map(E::time_ms);
        if let Some(wheel) = self.wheel.as_mut().filter(|w| w.len > 0) {
            if heap_min.is_none_or(|h| wheel.min_ms <= h) {
                self.last_ms = wheel.min_ms;
                return (self.last_ms, wheel.take_min());
            }
        }
        let top = self.heap.pop();
        self.last_ms = top.time_ms();
        (self.last_ms, top.unit())
    }
}

/// The general path's pending completions: a binary heap of [`Event`]s, or in an engine of
/// one unit whose heap holds [`EVENT_WHEEL_FROM`] events when [`Engine::advance`] is entered
/// (stale ones included) a [`WheelQueue`] from then on. The engine's loop is compiled once for
/// each (no layer on the common path), and both pop in the same order.
trait Pending {
    fn push(&mut self, ev: Event);
    /// The least event held.
    fn least(&self) -> Option<Event>;
    /// Removes the least event (the queue is not empty).
    fn pop_least(&mut self);
}

impl Pending for BinaryHeap<Reverse<Event>> {
    #[inline]
    fn push(&mut self, ev: Event) {
        BinaryHeap::push(self, Reverse(ev));
    }

    #[inline]
    fn least(&self) -> Option<Event> {
        self.peek().map(|r| r.0)
    }

    #[inline]
    fn pop_least(&mut self) {
        self.pop();
    }
}

/// Events held in an engine's binary heap before a unit alone switches to a [`WheelQueue`]
/// (one busy app: a heap that large costs ~12 levels a pop; below it the wheel did not pay).
const EVENT_WHEEL_FROM: usize = 4096;

/// A unit's pending completions once many are in flight: a [`Wheel`] over the next
/// [`WHEEL_MS`], where most completions fall, and a binary heap for the later ones. A unit's
/// ties grow with each event it schedules, so a wheel list (in the order added) is in tie
/// order; its first entry and the heap's top are compared by key. Pops in exactly the order of
/// one binary heap of every event. Every time pushed must be at least the last popped (as for
/// [`DoneQueue`]).
struct WheelQueue {
    heap: BinaryHeap<Reverse<Event>>,
    wheel: Wheel<Event, true>,
    /// Last time popped.
    last_ms: u64,
}

impl WheelQueue {
    /// The events of `heap`, of one unit, every one at or after `now_ms` (the engine's time).
    fn from_heap(heap: BinaryHeap<Reverse<Event>>, now_ms: u64) -> Self {
        let mut q = WheelQueue {
            heap: BinaryHeap::new(),
            wheel: Wheel::new(),
            last_ms: now_ms,
        };
        // Ascending, so each wheel list gets its events in tie order.
        for Reverse(ev) in heap.into_sorted_vec().into_iter().rev() {
            q.push(ev);
        }
        q
    }

    /// The least event held, and whether it is the wheel's.
    #[inline]
    fn least_where(&self) -> Option<(Event, bool)> {
        let heap = self.heap.peek().map(|r| r.0);
        match (self.wheel.len > 0).then(|| self.wheel.first()) {
            Some(w) if heap.is_none_or(|h| w.key() < h.key()) => Some((w, true)),
            _ => heap.map(|h| (h, false)),
        }
    }
}

impl Pending for WheelQueue {
    #[inline]
    fn push(&mut self, ev: Event) {
        debug_assert!(ev.time_ms >= self.last_ms, "completion times never go back");
        if ev.time_ms - self.last_ms >= WHEEL_MS || !self.wheel.add(ev.time_ms, ev) {
            self.heap.push(Reverse(ev));
        }
    }

    #[inline]
    fn least(&self) -> Option<Event> {
        self.least_where().map(|(ev, _)| ev)
    }

    #[inline]
    fn pop_least(&mut self) {
        let (ev, in_wheel) = self.least_where().expect("the queue is not empty");
        self.last_ms = ev.time_ms;
        if in_wheel {
            self.wheel.take_min();
        } else {
            self.heap.pop();
        }
    }
}

/// Units in one event loop (they interact only through the concurrency limit), resumable.
pub struct Engine<'a> {
    cfg: EngineConfig,
    states: Vec<UnitState<'a>>,
    /// `Some` on the lean path; the heaps below and the instances are then unused.
    lean: Option<Lean>,
    done: BinaryHeap<Reverse<Event>>,
    /// A unit alone's completions once it holds many (`done` is empty then).
    wheel_done: Option<Box<WheelQueue>>,
    /// Whether the completions may move to a wheel (an engine of one unit).
    wheel_allowed: bool,
    arrive: BinaryHeap<Reverse<Event>>,
    /// Pending retries `(duration_ms, attempt)`, by the index an arrival event's payload holds.
    retries: Vec<(u64, u32)>,
    free_retries: Vec<u32>,
    inflight: u32,
    last_time_ms: u64,
}

impl<'a> Engine<'a> {
    /// An engine over `units`, before any event.
    pub fn new(units: Vec<UnitSpec<'a>>, cfg: &EngineConfig) -> Self {
        Self::build(units, cfg, true)
    }

    /// An engine over `units`; on the lean path when `lean_allowed` and the units and `cfg`
    /// permit it ([`Lean`]).
    fn build(units: Vec<UnitSpec<'a>>, cfg: &EngineConfig, lean_allowed: bool) -> Self {
        let slots = |u: &UnitSpec| {
            u.per_instance_concurrency
                .unwrap_or(cfg.per_instance_concurrency)
                .clamp(1, cfg.per_instance_concurrency.max(1))
        };
        let windows: Option<Vec<u64>> = units
            .iter()
            .map(|u| {
                u.policy
                    .fixed_window_ms()
                    .filter(|_| slots(u) == 1 && u.contention.is_none())
            })
            .collect();
        let lean = windows
            .filter(|_| {
                lean_allowed
                    && cfg.provisioned.is_zero()
                    && cfg.activity_merge_ms == 0
                    && ((cfg.concurrency_limit.is_none() && cfg.max_instances.is_none()) || cfg.retry.is_none())
            })
            .map(|w| Lean {
                done: Completions::new(w.len()),
                arrive: QuadHeap::default(),
                busy: vec![0; w.len()],
                units: w.into_iter().map(|k| (k, VecDeque::new())).collect(),
            });
        assert!(
            (units.len() as u64) < 1 << (64 - SEQ_BITS),
            "more than 2^24 units in one event loop"
        );
        let mut engine = Engine {
            cfg: cfg.clone(),
            states: Vec::with_capacity(units.len()),
            done: BinaryHeap::new(),
            wheel_done: None,
            wheel_allowed: units.len() == 1,
            arrive: BinaryHeap::new(),
            retries: Vec::new(),
            free_retries: Vec::new(),
            inflight: 0,
            last_time_ms: 0,
            lean,
        };
        let several = units.len() > 1;
        for (u, mut spec) in units.into_iter().enumerate() {
            let slots = slots(&spec);
            let next = spec.requests.next();
            let own_window = spec.policy.fixed_window_ms();
            let mut st = UnitState {
                requests: spec.requests,
                next,
                rng: spec.rng,
                fixed_window_ms: spec.policy.fixed_window_ms(),
                policy: spec.policy,
                res: UnitResult {
                    key: spec.key,
                    memory_mb: spec.memory_mb,
                    ..UnitResult::default()
                },
                tables: Tables::default(),
                instances: Vec::new(),
                free_slots: Vec::new(),
                partial: FreeSlotList::new(),
                idle: VecDeque::new(),
                inflight: 0,
                provisioned_busy: HashMap::new(),
                pool: PooledInstances::default(),
                last_end_ms: None,
                seq: 0,
                contention: spec.contention,
                slots,
                shared: Vec::new(),
                provisioned: ProvisionedInstances::default(),
                init_scale: spec.init_scale,
                activity_merge_ms: cfg.activity_merge_ms,
                windows: own_window
                    .filter(|&own_ms| {
                        !cfg.shorter_windows_ms.is_empty()
                            && cfg.shorter_windows_ms.iter().all(|&w| w <= own_ms)
                            && cfg.retry.is_none()
                            && cfg.activity_merge_ms == 0
                    })
                    .map(|_| WindowTally::new(&cfg.shorter_windows_ms)),
            };
            match (st.next, engine.lean.as_mut()) {
                (None, _) => {}
                (Some(r), Some(lean)) => {
                    if several {
                        lean.arrive.push((r.arrival_ms, u as u32));
                    }
                }
                (Some(r), None) => {
                    let tie = st.tie(u as u32);
                    engine.arrive.push(Reverse(Event {
                        time_ms: r.arrival_ms,
                        tie,
                        payload: NONE,
                        epoch: 0,
                    }));
                }
            }
            engine.states.push(st);
        }
        engine
    }

    /// Time of the next event, if any.
    pub fn next_time_ms(&self) -> Option<u64> {
        if let Some(lean) = &self.lean {
            let done = lean.done.min();
            let arrival = self.lean_arrival(lean).map(|a| a.0);
            return match (done, arrival) {
                (Some(d), Some(a)) => Some(d.min(a)),
                (d, a) => d.or(a),
            };
        }
        let done = match &self.wheel_done {
            Some(q) => q.least(),
            None => self.done.least(),
        };
        match (done, self.arrive.peek()) {
            (Some(d), Some(a)) => Some(d.time_ms.min(a.0.time_ms)),
            (Some(d), None) => Some(d.time_ms),
            (None, Some(a)) => Some(a.0.time_ms),
            (None, None) => None,
        }
    }

    /// Processes every event before `until_ms` (every event at all for `u64::MAX`), reporting
    /// each change of the requests in flight to `sink` as `(time, +1 | -1)` in event order.
    pub fn advance(&mut self, until_ms: u64, sink: &mut impl FnMut(u64, i32)) {
        if self.lean.is_some() {
            self.advance_lean(until_ms, sink);
            return;
        }
        if self.wheel_allowed && self.wheel_done.is_none() && self.done.len() >= EVENT_WHEEL_FROM {
            let heap = std::mem::take(&mut self.done);
            self.wheel_done = Some(Box::new(WheelQueue::from_heap(heap, self.last_time_ms)));
        }
        match self.wheel_done.take() {
            Some(mut q) => {
                self.advance_general(&mut *q, until_ms, sink);
                self.wheel_done = Some(q);
            }
            None => {
                let mut heap = std::mem::take(&mut self.done);
                self.advance_general(&mut heap, until_ms, sink);
                self.done = heap;
            }
        }
    }

    /// [`Engine::advance`] on the general path, its completions in `done`.
    fn advance_general(&mut self, done: &mut impl Pending, until_ms: u64, sink: &mut impl FnMut(u64, i32)) {
        loop {
            // Completions first at equal times.
            let (ev, is_done) = match (done.least(), self.arrive.peek()) {
                (Some(d), Some(a)) if d.time_ms <= a.0.time_ms => (d, true),
                (Some(d), None) => (d, true),
                (_, Some(a)) => (a.0, false),
                (None, None) => return,
            };
            if ev.time_ms >= until_ms && until_ms != u64::MAX {
                return;
            }
            let t = ev.time_ms;
            let unit = (ev.tie >> SEQ_BITS) as u32;
            let c = self.states[unit as usize].slots;
            if is_done && self.is_stale(unit, ev) {
                done.pop_least();
                continue;
            }
            self.last_time_ms = self.last_time_ms.max(t);
            if is_done {
                done.pop_least();
                self.on_done(done, unit, t, ev.payload, c, sink);
            } else {
                self.on_arrive(done, unit, t, ev.payload, c, sink);
            }
        }
    }

    /// The next first-attempt arrival `(time, unit)` on the lean path.
    fn lean_arrival(&self, lean: &Lean) -> Option<(u64, u32)> {
        match self.states.as_slice() {
            [one] => one.next.map(|r| (r.arrival_ms, 0)),
            _ => lean.arrive.peek(),
        }
    }

    /// [`advance`](Self::advance) on the lean path: the general path's steps for one request
    /// per instance, a fixed keep-alive and no provisioned concurrency, with instances reduced
    /// to times ([`Lean`]).
    fn advance_lean(&mut self, until_ms: u64, sink: &mut impl FnMut(u64, i32)) {
        let mut lean = self.lean.take().expect("on the lean path");
        let several = self.states.len() > 1;
        loop {
            let done = lean.done.min();
            let arrival = self.lean_arrival(&lean);
            // Completions first at equal times.
            let (t, is_done) = match (done, arrival) {
                (Some(d), Some(a)) if d <= a.0 => (d, true),
                (Some(d), None) => (d, true),
                (_, Some(a)) => (a.0, false),
                (None, None) => break,
            };
            if t >= until_ms && until_ms != u64::MAX {
                break;
            }
            self.last_time_ms = self.last_time_ms.max(t);
            if is_done {
                let (_, unit) = lean.done.pop();
                self.inflight -= 1;
                lean.busy[unit as usize] -= 1;
                sink(t, -1);
                let (keep_alive_ms, idle) = &mut lean.units[unit as usize];
                if *keep_alive_ms > 0 {
                    idle.push_back(t);
                }
                continue;
            }
            let unit = arrival.expect("an arrival is next").1;
            let (keep_alive_ms, idle) = &mut lean.units[unit as usize];
            let cfg = &self.cfg;
            let st = &mut self.states[unit as usize];
            let r = st.take_next();
            st.res.arrivals += 1;
            if several {
                match st.next {
                    Some(n) => lean.arrive.replace_top((n.arrival_ms, unit)),
                    None => {
                        lean.arrive.pop();
                    }
                }
            }
            if cfg.concurrency_limit.is_some_and(|limit| self.inflight >= limit) {
                st.res.throttles += 1;
                continue;
            }
            // Expired instances leave, oldest first; then the most recently idled serves.
            while let Some(&since) = idle.front() {
                let until = since.saturating_add(*keep_alive_ms);
                if t < until {
                    break;
                }
                idle.pop_front();
                st.idle_for(until - since);
            }
            let busy = &mut lean.busy[unit as usize];
            if idle.is_empty() && cfg.max_instances.is_some_and(|cap| *busy >= cap) {
                st.res.throttles += 1;
                continue;
            }
            *busy += 1;
            st.res.peak_inflight = st.res.peak_inflight.max(u64::from(*busy));
            self.inflight += 1;
            sink(t, 1);
            st.res.served += 1;
            let (start, rerun_ms) = match idle.pop_back() {
                Some(since) => {
                    st.idle_for(t - since);
                    if let Some(w) = st.windows.as_mut() {
                        // Without a warm instance a request here starts one: the instances
                        // serving and warm never exceed the cap on this path, so a warm take
                        // leaves the others serving below it.
                        w.warm(t - since, Instead::Cold);
                    }
                    (t, 0)
                }
                None => {
                    let (init_ms, rerun_ms) = st.cold_start(cfg);
                    (t + init_ms, rerun_ms)
                }
            };
            let (exec_ms, cut) = match cfg.timeout_ms {
                Some(limit) if r.duration_ms + rerun_ms > limit => (limit, true),
                _ => (r.duration_ms + rerun_ms, false),
            };
            let done_ms = start + exec_ms;
            st.record_end(Some(exec_ms), t, done_ms, r.duration_ms, cut, true);
            lean.done.push(done_ms, unit);
        }
        self.lean = Some(lean);
    }

    /// Whether a completion event of a shared instance was superseded by a later one.
    fn is_stale(&self, unit: u32, ev: Event) -> bool {
        let st = &self.states[unit as usize];
        st.contention.is_some()
            && ev.payload != NONE
            && if ev.payload & PROVISIONED != 0 {
                st.provisioned.get((ev.payload & !PROVISIONED) as usize).epoch != ev.epoch
            } else {
                st.shared[ev.payload as usize].epoch != ev.epoch
            }
    }

    /// Schedules the next completion (or timeout) on the shared instance `payload` names (an
    /// on-demand instance's index, or `PROVISIONED | j`) of `unit` from `t`, superseding the
    /// pending one when it moved.
    fn reschedule(&mut self, done: &mut impl Pending, unit: u32, payload: u32, t: u64) {
        let st = &mut self.states[unit as usize];
        let c = st.contention.expect("shared instances have contention");
        let (sh, ready) = if payload & PROVISIONED != 0 {
            (st.provisioned.get_mut((payload & !PROVISIONED) as usize), 0)
        } else {
            let i = payload as usize;
            (&mut st.shared[i], st.instances[i].ready_ms)
        };
        let next = sh.next_event_ms(t, ready, &c);
        if next == sh.scheduled_ms {
            return;
        }
        sh.epoch = sh.epoch.wrapping_add(1);
        sh.scheduled_ms = next;
        let epoch = sh.epoch;
        let tie = st.tie(unit);
        if let Some(time_ms) = next {
            done.push(Event {
                time_ms,
                tie,
                payload,
                epoch,
            });
        }
    }

    fn on_done(
        &mut self,
        done: &mut impl Pending,
        unit: u32,
        t: u64,
        slot: u32,
        c: u32,
        sink: &mut impl FnMut(u64, i32),
    ) {
        let st = &mut self.states[unit as usize];
        if slot & (PROVISIONED | POOLED) == POOLED {
            self.inflight -= 1;
            st.inflight -= 1;
            sink(t, -1);
            if let Some(ms) = st.pool.release(slot & !POOLED, t) {
                st.provisioned_busy_period(ms);
            }
            return;
        }
        if slot & PROVISIONED != 0 {
            self.on_provisioned_done(done, unit, t, slot, sink);
            return;
        }
        let i = slot as usize;
        if let Some(cont) = st.contention {
            st.shared[i].scheduled_ms = None;
            let ready = st.instances[i].ready_ms;
            let Some((job, cut)) = st.shared[i].take_due(t, ready, &cont) else {
                // Float progress fell short of the predicted time: look again.
                self.reschedule(done, unit, slot, t);
                return;
            };
            let exec_ms = t - job.start_ms;
            st.record_end(Some(exec_ms), job.arrival_ms, t, job.solo_ms, cut, false);
        }
        self.inflight -= 1;
        st.inflight -= 1;
        sink(t, -1);
        self.release(unit, i, t, c);
        let st = &self.states[unit as usize];
        if st.contention.is_some() && st.instances[i].busy > 0 {
            self.reschedule(done, unit, slot, t);
        }
    }

    /// A request on provisioned instance `payload & !PROVISIONED` (contention) completes, or
    /// is cut by the timeout, at `t`: its execution, slowed, is a provisioned duration.
    fn on_provisioned_done(
        &mut self,
        done: &mut impl Pending,
        unit: u32,
        t: u64,
        payload: u32,
        sink: &mut impl FnMut(u64, i32),
    ) {
        let st = &mut self.states[unit as usize];
        let cont = st.contention.expect("provisioned instances have contention");
        let j = (payload & !PROVISIONED) as usize;
        st.provisioned.get_mut(j).scheduled_ms = None;
        if let Some((job, cut, ended)) = st.provisioned.take_due(j, t, &cont) {
            let exec_ms = t - job.start_ms;
            st.tables.add(Kind::ProvisionedDuration, exec_ms);
            st.res.provisioned_inflight_ms += exec_ms;
            st.record_end(None, job.arrival_ms, t, job.solo_ms, cut, false);
            self.inflight -= 1;
            st.inflight -= 1;
            sink(t, -1);
            if let Some(ms) = ended {
                st.provisioned_busy_period(ms);
            }
        }
        // Float progress may fall short of the predicted time: then it looks again.
        if self.states[unit as usize].provisioned.get(j).in_flight() > 0 {
            self.reschedule(done, unit, payload, t);
        }
    }

    /// Instance `i` of `unit` has one request fewer in flight at `t`.
    fn release(&mut self, unit: u32, i: usize, t: u64, c: u32) {
        let st = &mut self.states[unit as usize];
        let was_full = st.instances[i].busy == c;
        st.instances[i].busy -= 1;
        if st.instances[i].busy == 0 {
            st.end_busy(i, t);
            if st.instances[i].in_partial {
                st.remove_partial(i);
            }
            let d = match st.fixed_window_ms {
                Some(keep_alive_ms) => KeepAliveDecision {
                    prewarm_ms: 0,
                    keep_alive_ms,
                },
                None => st.policy.on_idle(t),
            };
            if d.prewarm_ms == 0 && d.keep_alive_ms == 0 {
                st.retire(i);
            } else {
                let inst = &mut st.instances[i];
                inst.warm_from_ms = t + d.prewarm_ms;
                inst.warm_until_ms = inst.warm_from_ms.saturating_add(d.keep_alive_ms);
                st.idle.push_back(i);
            }
        } else if was_full {
            st.push_partial(i);
        }
    }

    /// Handles the arrival event at the top of the arrival heap (and removes it from there).
    fn on_arrive(
        &mut self,
        done: &mut impl Pending,
        unit: u32,
        t: u64,
        payload: u32,
        c: u32,
        sink: &mut impl FnMut(u64, i32),
    ) {
        let cfg = &self.cfg;
        let st = &mut self.states[unit as usize];
        let (duration_ms, attempt) = if payload == NONE {
            let r = st.take_next();
            st.res.arrivals += 1;
            // The unit's next first-attempt arrival replaces this event at the top of the heap
            // (one sift instead of a pop and a push).
            match st.next {
                Some(n) => {
                    let tie = st.tie(unit);
                    *self.arrive.peek_mut().expect("this event is at the top") = Reverse(Event {
                        time_ms: n.arrival_ms,
                        tie,
                        payload: NONE,
                        epoch: 0,
                    });
                }
                None => {
                    self.arrive.pop();
                }
            }
            if st.fixed_window_ms.is_none() {
                let last_end = st.last_end_ms;
                st.policy.observe_arrival(t, last_end);
            }
            (r.duration_ms, 0)
        } else {
            self.arrive.pop();
            self.free_retries.push(payload);
            self.retries[payload as usize]
        };
        if cfg.concurrency_limit.is_some_and(|limit| self.inflight >= limit)
            || cfg.max_instances.is_some_and(|cap| st.at_cap(cap, t, cfg, c))
        {
            self.refuse(unit, t, duration_ms, attempt);
            return;
        }
        self.inflight += 1;
        st.inflight += 1;
        st.res.peak_inflight = st.res.peak_inflight.max(u64::from(st.inflight));
        sink(t, 1);
        st.res.served += 1;
        // The execution timeout cuts a request at the timeout (contention: see `contention`).
        let timed = |run_ms: u64| match cfg.timeout_ms {
            Some(limit) if run_ms > limit => (limit, true),
            _ => (run_ms, false),
        };
        if let Some(cont) = st.contention {
            // Provisioned instances share their CPU: the least loaded with a free slot.
            if let Some(j) = st.provisioned.route(cfg.provisioned.level_at(t), c) {
                let job = Job {
                    arrival_ms: t,
                    start_ms: t,
                    solo_ms: duration_ms,
                    deadline_ms: cfg.timeout_ms.map_or(u64::MAX, |l| t.saturating_add(l)),
                };
                st.provisioned.add(j, job, t, &cont);
                self.reschedule(done, unit, PROVISIONED | j as u32, t);
                return;
            }
        }
        // Without contention, provisioned requests take slots of a pool (one that stays empty
        // when the level is zero at all times: not asked then).
        let pooled = st.contention.is_none()
            && !cfg.provisioned.is_zero()
            && st.pool.has_free_slot(cfg.provisioned.level_at(t), c);
        let (slot, on_demand_ms, done_ms, cut, busy) = if pooled {
            let (exec_ms, cut) = timed(duration_ms);
            let j = st.pool.take(t);
            st.tables.add(Kind::ProvisionedDuration, exec_ms);
            st.res.provisioned_inflight_ms += exec_ms;
            (POOLED | j, None, t + exec_ms, cut, false)
        } else {
            // An init beyond the platform's limit is abandoned there and run again within the
            // request (Lambda: with the function's timeout).
            let mut rerun_ms = 0;
            // An instance serving requests with a free slot (ready ones first), else the
            // most recently idled warm one, else one still initializing, else a cold start.
            let ready_partial = st.partial.rfind(&st.instances, |inst| inst.ready_ms <= t);
            let i = if let Some(i) = ready_partial {
                i
            } else {
                match st.take_warm(t) {
                    (Some(i), _) => {
                        st.tally_warm(i, t, cfg);
                        i
                    }
                    (None, pending) => match st.partial.last() {
                        Some(i) => i,
                        None => {
                            if let Some(pos) = pending {
                                // The unloaded instance waiting for its pre-warm is replaced.
                                let p = st.idle.remove(pos).expect("position is in range");
                                st.retire(p);
                            }
                            let init_ms;
                            (init_ms, rerun_ms) = st.cold_start(cfg);
                            st.new_instance(Instance {
                                ready_ms: t + init_ms,
                                ..Instance::default()
                            })
                        }
                    },
                }
            };
            if st.instances[i].busy == 0 {
                st.start_busy(i, t);
            }
            let inst = &mut st.instances[i];
            inst.busy += 1;
            let start = t.max(inst.ready_ms);
            let ready_ms = inst.ready_ms;
            if inst.busy < c && !inst.in_partial {
                st.push_partial(i);
            } else if inst.busy == c && inst.in_partial {
                st.remove_partial(i);
            }
            let slot = i as u32; // below 2^30 ([`UnitState::new_instance`])
            if let Some(cont) = st.contention {
                // Shared CPU: the end depends on the requests to come; the instance's next
                // completion is (re)scheduled instead.
                let job = Job {
                    arrival_ms: t,
                    start_ms: start,
                    solo_ms: duration_ms + rerun_ms,
                    deadline_ms: cfg.timeout_ms.map_or(u64::MAX, |l| start.saturating_add(l)),
                };
                st.shared[i].add(job, t, ready_ms, &cont);
                self.reschedule(done, unit, slot, t);
                return;
            }
            let (exec_ms, cut) = timed(duration_ms + rerun_ms);
            (slot, Some(exec_ms), start + exec_ms, cut, st.busy_is_latency())
        };
        st.record_end(on_demand_ms, t, done_ms, duration_ms, cut, busy);
        let tie = st.tie(unit);
        done.push(Event {
            time_ms: done_ms,
            tie,
            payload: slot,
            epoch: 0,
        });
    }

    /// A request the account limit or the unit's instance cap refuses at `t`: retried after
    /// the delay while it has retries left, else counted as throttled.
    fn refuse(&mut self, unit: u32, t: u64, duration_ms: u64, attempt: u32) {
        let st = &mut self.states[unit as usize];
        match self.cfg.retry {
            Some(rp) if attempt < rp.max_retries => {
                st.res.retries += 1;
                let retry = (duration_ms, attempt + 1);
                let index = match self.free_retries.pop() {
                    Some(i) => {
                        self.retries[i as usize] = retry;
                        i
                    }
                    None => {
                        self.retries.push(retry);
                        u32::try_from(self.retries.len() - 1)
                            .ok()
                            .filter(|&i| i != NONE)
                            .expect("fewer than 2^32 - 1 retries pending")
                    }
                };
                let tie = st.tie(unit);
                self.arrive.push(Reverse(Event {
                    time_ms: t.saturating_add(rp.delay_ms),
                    tie,
                    payload: index,
                    epoch: 0,
                }));
            }
            _ => st.res.throttles += 1,
        }
    }

    /// Ends the run: idle instances are evicted at the later of the window end and the last
    /// event, and each unit's result is returned in the order the units were given.
    pub fn finish(self) -> Vec<UnitResult> {
        let end_ms = self.cfg.window_end_ms.max(self.last_time_ms);
        let mut lean_units = self.lean.map(|l| l.units.into_iter());
        self.states
            .into_iter()
            .map(|mut st| {
                while let Some(i) = st.idle.pop_front() {
                    st.evict(i, end_ms);
                }
                if let Some((keep_alive_ms, idle)) = lean_units.as_mut().and_then(Iterator::next) {
                    for since in idle {
                        st.idle_for(end_ms.min(since.saturating_add(keep_alive_ms)).saturating_sub(since));
                    }
                }
                let shorter_windows = st.shorter_windows(&self.cfg);
                let [on_demand, latency, busy, overhead, init, provisioned] = st.tables.into_histograms();
                UnitResult {
                    on_demand_duration_ms: on_demand,
                    provisioned_duration_ms: provisioned,
                    init_duration_ms: init,
                    busy_periods_ms: busy,
                    latency_ms: latency,
                    overhead_ms: overhead,
                    provisioned_busy_periods_ms: MsHistogram::from_counts(st.provisioned_busy.into_iter().collect()),
                    shorter_windows,
                    ..st.res
                }
            })
            .collect()
    }
}

/// Runs every unit to the end in one event loop; `sink` sees every change of the requests in
/// flight.
pub fn run(units: Vec<UnitSpec<'_>>, cfg: &EngineConfig, sink: &mut impl FnMut(u64, i32)) -> Vec<UnitResult> {
    let mut engine = Engine::new(units, cfg);
    // A minute at a time, so that a unit alone may switch its completions to a wheel.
    while let Some(t) = engine.next_time_ms() {
        engine.advance(
            (t / MS_PER_MINUTE).saturating_add(1).saturating_mul(MS_PER_MINUTE),
            sink,
        );
    }
    engine.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::keepalive::KeepAliveSpec;
    use std::collections::BTreeMap;

    fn unit(reqs: &[(u64, u64)], keep_alive: &str) -> UnitSpec<'static> {
        let requests: Vec<Request> = reqs
            .iter()
            .map(|&(a, d)| Request {
                arrival_ms: a,
                duration_ms: d,
            })
            .collect();
        UnitSpec {
            key: "f".into(),
            memory_mb: 1024,
            requests: RequestStream::of(requests.into_iter()),
            rng: SimRng::new(1),
            policy: keep_alive.parse::<KeepAliveSpec>().unwrap().build(600_000),
            contention: None,
            per_instance_concurrency: None,
            init_scale: 1.0,
        }
    }

    fn cfg(c: u32) -> EngineConfig {
        EngineConfig {
            per_instance_concurrency: c,
            cold_start: ColdStartDist::Constant { ms: 100 },
            provisioned: ProvisionedSchedule::constant(0),
            concurrency_limit: None,
            max_instances: None,
            retry: None,
            window_end_ms: 10_000,
            timeout_ms: None,
            init_limit_ms: None,
            activity_merge_ms: 0,
            shorter_windows_ms: Vec::new(),
        }
    }

    #[test]
    fn tables_count_every_kind_including_wide_values_and_wrapped_counts() {
        let mut t = Tables::default();
        // 100 values over two tables (several grows), a value shared by three kinds.
        for v in 0..100u64 {
            t.add(Kind::OnDemandDuration, v);
            t.add(Kind::Overhead, v % 7);
        }
        t.add(Kind::Latency, 42);
        t.add(Kind::BusyPeriod, 42);
        // u32::MAX ms and more are kept aside.
        t.add(Kind::InitDuration, u64::from(u32::MAX));
        t.add(Kind::ProvisionedDuration, u64::MAX);
        // A count at 2^32 − 1 that gets one more event wraps: 2^32 are carried aside (a value
        // beyond the dense array, merged from the buffer).
        let big = DENSE_MAX as u64 + 5;
        t.add(Kind::Latency, big);
        t.shared.merge_pending(&mut t.wide[..3]);
        let at_big = t.shared.sorted.iter().position(|e| e.0 == big as u32).unwrap();
        t.shared.sorted[at_big].1[Kind::Latency as usize] = u32::MAX;
        t.add(Kind::Latency, big);
        // After a merge the array grows as far as the events counted justify (4 a slot) where
        // the values counted beyond it take half its new slots: after 107 events, 16 values
        // (0–15, all taken). The values 0–15 counted beyond it move into it (7: once, then
        // three times in the buffer); the sorted counts keep the 85 others (16–99, and `big`),
        // each value once.
        assert!(t.shared.dense.is_empty());
        for _ in 0..3 {
            t.add(Kind::OnDemandDuration, 7);
        }
        assert!(t.shared.dense.is_empty(), "the array grows after a merge");
        t.shared.merge(&mut t.wide[..3]);
        assert_eq!(t.shared.dense.len(), 16);
        assert_eq!((t.shared.dense[0], t.shared.dense[7]), ([1, 0, 0], [4, 0, 0]));
        assert!(t.shared.pending.is_empty());
        let values: Vec<u32> = t.shared.sorted.iter().map(|e| e.0).collect();
        assert_eq!(values, (16..100).chain([big as u32]).collect::<Vec<_>>());
        assert_eq!(t.shared.sorted[42 - 16], (42, [1, 1, 1]));
        // One event of all three kinds at once: one count for the three where the arrays
        // reach (5), three beyond them (50); a shared count at 2^32 − 1 wraps too (6: 2^32 of
        // each kind carried aside).
        let all = [Kind::OnDemandDuration, Kind::Latency, Kind::BusyPeriod];
        t.add_each(&all, 5);
        t.add_each(&all, 50);
        t.shared.same[6] = u32::MAX;
        t.add_each(&all, 6);
        // (dense[5]: the on-demand count of the first loop, moved from beyond the array.)
        assert_eq!(
            (t.shared.same[5], t.shared.same[6], t.shared.dense[5]),
            (1, 0, [1, 0, 0])
        );
        let [on_demand, latency, busy, overhead, init, provisioned] = t.into_histograms();
        assert_eq!(
            (on_demand.count(), on_demand.sum_ms()),
            (105 + (1 << 32), 4_950 + 21 + 55 + 6 * (1 << 32))
        );
        assert_eq!(on_demand.iter().nth(7), Some((7, 4)));
        assert_eq!(on_demand.iter().nth(6), Some((6, 1 + (1 << 32))));
        let three = vec![(5, 1), (6, 1 << 32), (42, 1), (50, 1)];
        assert_eq!(
            latency.iter().collect::<Vec<_>>(),
            [three.clone(), vec![(big, 1 << 32)]].concat()
        );
        assert_eq!(busy.iter().collect::<Vec<_>>(), three);
        // 0..100 mod 7: 0 and 1 appear 15 times, 2..6 14 times.
        assert_eq!(overhead.count(), 100);
        assert_eq!(
            overhead.iter().take(3).collect::<Vec<_>>(),
            vec![(0, 15), (1, 15), (2, 14)]
        );
        assert_eq!(init.iter().collect::<Vec<_>>(), vec![(u64::from(u32::MAX), 1)]);
        assert_eq!(provisioned.iter().collect::<Vec<_>>(), vec![(u64::MAX, 1)]);
    }

    #[test]
    fn counts_wrapped_past_the_array_and_in_it_are_carried_to_their_own_kind() {
        // The second table (overhead, init, provisioned). An init of `big` ms (past the array)
        // counted once and merged, its count set to 2^32 − 2; three more are buffered. A
        // provisioned execution of 1 ms, 12 times, buffered too; the merge (2^32 − 2 + 3: 2^32
        // carried, 1 left) grows the array to 2 values (16 events justify 4, but 1 ms alone
        // takes a quarter of 4 slots and half of 2) and takes 1 ms in; its count set to
        // 2^32 − 1, one more wraps in the array (2^32 carried) — each carry to its own kind.
        let mut t = Tables::default();
        let big = DENSE_MAX as u64 + 9;
        t.add(Kind::InitDuration, big);
        t.other.merge_pending(&mut t.wide[3..]);
        t.other.sorted[0].1[Kind::InitDuration as usize % 3] = u32::MAX - 1;
        for _ in 0..3 {
            t.add(Kind::InitDuration, big);
        }
        for _ in 0..12 {
            t.add(Kind::ProvisionedDuration, 1);
        }
        t.other.merge(&mut t.wide[3..]);
        assert_eq!((t.other.dense.len(), t.other.dense[1]), (2, [0, 0, 12]));
        assert_eq!(t.other.sorted, vec![(big as u32, [0, 1, 0])]);
        t.other.dense[1][Kind::ProvisionedDuration as usize % 3] = u32::MAX;
        t.add(Kind::ProvisionedDuration, 1);
        // The init count set to 2^32 − 1 again, two more buffered: the last merge, when the
        // histograms are made, carries 2^32 more and leaves 1.
        t.other.sorted[0].1[Kind::InitDuration as usize % 3] = u32::MAX;
        t.add(Kind::InitDuration, big);
        t.add(Kind::InitDuration, big);
        let h = t.into_histograms();
        let pairs = |k: Kind| h[k as usize].iter().collect::<Vec<_>>();
        assert_eq!(pairs(Kind::InitDuration), vec![(big, (1 << 33) + 1)]);
        assert_eq!(pairs(Kind::ProvisionedDuration), vec![(1, 1 << 32)]);
        for k in [Kind::OnDemandDuration, Kind::Latency, Kind::BusyPeriod, Kind::Overhead] {
            assert_eq!(h[k as usize].count(), 0);
        }
    }

    /// Every (kind index, value) → count of the tables' histograms.
    fn counts_by_kind(t: Tables) -> BTreeMap<(usize, u64), u64> {
        let mut got = BTreeMap::new();
        for (k, h) in t.into_histograms().iter().enumerate() {
            for (value, n) in h.iter() {
                got.insert((k, value), n);
            }
        }
        got
    }

    #[test]
    fn the_tables_count_every_event_as_a_map_would() {
        // 400,000 random events of one, two or three kinds of a table, values mostly small
        // (the dense array grows under them), many beyond 2^16 (the buffer, merged many times,
        // values repeated across merges) and a few of 2^32 − 1 ms or more; checked against a
        // map of (kind, value) → count, and the buffer's bounds checked on the way (its order
        // and place every 4,999 events).
        let mut rng = SimRng::new(29);
        let mut t = Tables::default();
        let mut want: BTreeMap<(usize, u64), u64> = BTreeMap::new();
        let groups: [&[Kind]; 6] = [
            &[Kind::OnDemandDuration],
            &[Kind::Latency, Kind::BusyPeriod],
            &[Kind::OnDemandDuration, Kind::Latency, Kind::BusyPeriod],
            &[Kind::Overhead],
            &[Kind::InitDuration, Kind::ProvisionedDuration],
            &[Kind::Overhead, Kind::InitDuration, Kind::ProvisionedDuration],
        ];
        // The most events each table's buffer merged at so far: its room never exceeds it.
        let mut merge_at = [PENDING_MIN; 2];
        for i in 0..400_000 {
            for (most, table) in merge_at.iter_mut().zip([&t.shared, &t.other]) {
                *most = (*most).max(table.sorted.len() / 2);
            }
            let u = rng.uniform01();
            let value = match i % 10 {
                0..=4 => (u * 300.0) as u64,
                5..=7 => (u * 90_000.0) as u64,
                8 => 65_536 + (u * 3_000.0) as u64,
                _ if u < 0.001 => u64::from(u32::MAX) + (u * 1e4) as u64,
                _ => (u * 5e6) as u64,
            };
            let kinds = groups[(rng.uniform01() * 6.0) as usize];
            t.add_each(kinds, value);
            for &k in kinds {
                *want.entry((k as usize, value)).or_default() += 1;
            }
            for (most, table) in merge_at.iter().zip([&t.shared, &t.other]) {
                assert!(table.pending.len() < (table.sorted.len() / 2).max(PENDING_MIN));
                assert!(table.pending.capacity() <= *most);
                if i % 4_999 == 0 {
                    assert!(table.sorted.windows(2).all(|w| w[0].0 < w[1].0));
                    let pending = table.pending.iter().map(|&e| (e >> 3) as u32);
                    let mut beyond = table.sorted.iter().map(|e| e.0).chain(pending);
                    assert!(beyond.all(|v| v as usize >= table.dense.len()));
                }
            }
        }
        assert!(t.shared.dense.len() >= 256 && t.shared.sorted.len() > 10_000);
        assert_eq!(counts_by_kind(t), want);
    }

    #[test]
    fn the_array_grows_over_values_that_fill_it_not_over_a_sparse_tail() {
        // 100,000 warm events (all three kinds) cycling over 0–2,047 ms, then 10,000 values of
        // a sparse tail, 4,096 + 3i ms (i < 10,000: a third of the slots from 4,096 to 34,093).
        // 110,000 events justify 27,500 slots, so 16,384 at most; the tail takes 4,096 of the
        // 14,336 slots from 2,048 to 16,383 (under half), 1,366 of 6,144 up to 8,191, none of
        // 2,048 up to 4,095: the array stays at 2,048 and the tail in the vector (the rule
        // before grew it to 16,384 on the events alone: 14,336 slots of 16 bytes for 4,096
        // values). Then 4,096 + 3i + 1 and + 2 for i < 4,096 fill 4,096–16,383: 12,288 of those
        // 14,336 slots are taken and 118,192 events justify 29,548: it grows to 16,384, and the
        // values below it move in. Counts against a map throughout.
        let mut t = Tables::default();
        let mut want: BTreeMap<(usize, u64), u64> = BTreeMap::new();
        let all = [Kind::OnDemandDuration, Kind::Latency, Kind::BusyPeriod];
        let mut add = |t: &mut Tables, kinds: &[Kind], v: u64| {
            t.add_each(kinds, v);
            for &k in kinds {
                *want.entry((k as usize, v)).or_default() += 1;
            }
        };
        for i in 0..100_000u64 {
            add(&mut t, &all, i % 2_048);
        }
        for i in 0..10_000u64 {
            add(&mut t, &[Kind::BusyPeriod], 4_096 + 3 * i);
        }
        t.shared.merge(&mut t.wide[..3]);
        assert_eq!(t.shared.dense.len(), 2_048);
        assert_eq!(t.shared.sorted.len(), 10_000);
        // 2,047 ms came 48 times: counted beyond the array and moved in, then in `same`.
        assert_eq!(t.shared.same[2_047] + t.shared.dense[2_047][0], 48);
        for i in 0..4_096u64 {
            for offset in [1, 2] {
                add(&mut t, &[Kind::BusyPeriod], 4_096 + 3 * i + offset);
            }
        }
        t.shared.merge(&mut t.wide[..3]);
        assert_eq!(t.shared.dense.len(), 16_384);
        let first_beyond = t.shared.sorted.first().map(|e| e.0);
        assert_eq!(
            first_beyond,
            Some(4_096 + 3 * 4_096),
            "the first tail value past the array"
        );
        assert_eq!(t.shared.dense[4_096 + 3], [0, 0, 1]);
        assert_eq!(t.shared.dense[4_096 + 4], [0, 0, 1]);
        assert_eq!(counts_by_kind(t), want);
    }

    #[test]
    fn busy_periods_less_than_the_merge_gap_apart_form_one_activity_period() {
        // One instance (keep-alive 10 min, init 100 ms): busy 0–300 (init + 200), 500–700,
        // 2,000–2,200. Merging under 1,000 ms: 0–700 is one period (gap 200), then 2,000–2,200
        // (gap 1,300); without merging three periods. Busy + idle is the instance's lifetime
        // either way: 0 to 10,000 (the window end).
        let reqs = [(0, 200), (500, 200), (2_000, 200)];
        let plain = &run(vec![unit(&reqs, "10m")], &cfg(2), &mut |_, _| {})[0];
        assert_eq!(
            plain.busy_periods_ms.iter().collect::<Vec<_>>(),
            vec![(200, 2), (300, 1)]
        );
        let merging = EngineConfig {
            activity_merge_ms: 1_000,
            ..cfg(2)
        };
        let merged = &run(vec![unit(&reqs, "10m")], &merging, &mut |_, _| {})[0];
        assert_eq!(
            merged.busy_periods_ms.iter().collect::<Vec<_>>(),
            vec![(200, 1), (700, 1)]
        );
        for r in [plain, merged] {
            assert_eq!(r.busy_periods_ms.sum_ms() + r.idle_ms, 10_000);
            assert_eq!((r.cold_starts, r.served), (1, 3));
        }
        // One request per instance (the latency shortcut is off when merging): the same periods.
        let merged = &run(
            vec![unit(&reqs, "10m")],
            &EngineConfig {
                activity_merge_ms: 1_000,
                ..cfg(1)
            },
            &mut |_, _| {},
        )[0];
        assert_eq!(
            merged.busy_periods_ms.iter().collect::<Vec<_>>(),
            vec![(200, 1), (700, 1)]
        );
    }

    #[test]
    fn hand_computed_lambda_timeline() {
        // Keep-alive 1 s. t=0: cold (init 100) → busy 0–600. t=200: overlaps → 2nd instance cold,
        // busy 200–800. t=1000: the most recently idled (instance 2, idle since 800) serves it warm,
        // busy 1000–1500. t=5000: both expired (1600, 2500) → cold, busy 5000–5600.
        let r = &run(
            vec![unit(&[(0, 500), (200, 500), (1000, 500), (5000, 500)], "1s")],
            &cfg(1),
            &mut |_, _| {},
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
        let r = &run(vec![unit(&reqs, "10m")], &c, &mut |_, _| {})[0];
        assert_eq!((r.served, r.throttles), (2, 1));
        c.retry = Some(RetryPolicy {
            max_retries: 2,
            delay_ms: 600,
        });
        // Retry at 620 (still 2 in flight until 1100/1110) and at 1220: served then, warm.
        let r = &run(vec![unit(&reqs, "10m")], &c, &mut |_, _| {})[0];
        assert_eq!((r.served, r.throttles, r.retries, r.cold_starts), (3, 0, 2, 2));
    }

    #[test]
    fn the_instance_cap_refuses_a_request_that_would_start_one_more() {
        // 2 requests per instance, cap 2 instances, init 100 ms, 1,000-ms requests: five at 0
        // fill two instances (cold, ready at 100, done at 1,100) and the fifth is refused; one
        // at 500 finds them full (refused); one at 2,000 takes a warm one.
        let reqs = [
            (0, 1000),
            (0, 1000),
            (0, 1000),
            (0, 1000),
            (0, 1000),
            (500, 1000),
            (2000, 1000),
        ];
        let mut c = cfg(2);
        c.max_instances = Some(2);
        let r = run(vec![unit(&reqs, "10m")], &c, &mut |_, _| {}).remove(0);
        assert_eq!((r.served, r.throttles, r.cold_starts), (5, 2, 2));
        // Its peak: the four requests of 0–1,100 in flight at once.
        assert_eq!(r.peak_inflight, 4);
        // A provisioned instance counts toward the cap: it takes two, one on-demand instance
        // the next two, and the fifth and the one at 500 are refused.
        c.provisioned = ProvisionedSchedule::constant(1);
        let r = run(vec![unit(&reqs, "10m")], &c, &mut |_, _| {}).remove(0);
        assert_eq!((r.served, r.throttles, r.cold_starts), (5, 2, 1));
        assert_eq!(
            (r.provisioned_duration_ms.count(), r.on_demand_duration_ms.count()),
            (3, 2)
        );
        // Retried 1,500 ms later (at 1,500 and 2,000), both find a warm instance free.
        c.provisioned = ProvisionedSchedule::constant(0);
        c.retry = Some(RetryPolicy {
            max_retries: 1,
            delay_ms: 1_500,
        });
        let r = run(vec![unit(&reqs, "10m")], &c, &mut |_, _| {}).remove(0);
        assert_eq!((r.served, r.throttles, r.retries, r.cold_starts), (7, 0, 2, 2));
        // An expired instance leaves room: with a 1-s keep-alive and cap 1, requests at 0 and
        // 5,000 both start one (the first expired at 2,100); one at 500 is refused.
        let mut c = cfg(1);
        c.max_instances = Some(1);
        let r = run(
            vec![unit(&[(0, 1000), (500, 10), (5000, 10)], "1s")],
            &c,
            &mut |_, _| {},
        )
        .remove(0);
        assert_eq!((r.served, r.throttles, r.cold_starts), (2, 1, 2));
    }

    #[test]
    fn per_instance_concurrency_packs_requests() {
        // Concurrency 3: the three overlapping requests share one instance; the 2nd and 3rd wait
        // for its init (ready at 100).
        let r = &run(
            vec![unit(&[(0, 500), (10, 500), (20, 500)], "1s")],
            &cfg(3),
            &mut |_, _| {},
        )[0];
        assert_eq!(r.cold_starts, 1);
        // Busy period 0 → 600 (last one ends at 100 + 500).
        assert_eq!(r.busy_periods_ms.iter().collect::<Vec<_>>(), vec![(600, 1)]);
        assert_eq!(r.latency_ms.sum_ms(), 600 + 590 + 580);
    }

    #[test]
    fn provisioned_serves_first_and_spills_over() {
        let mut c = cfg(1);
        c.provisioned = ProvisionedSchedule::constant(1);
        let r = &run(
            vec![unit(&[(0, 500), (100, 500), (1000, 500)], "1s")],
            &c,
            &mut |_, _| {},
        )[0];
        // 1st and 3rd on the provisioned instance, the overlapping 2nd spills to on demand (cold).
        assert_eq!(r.provisioned_duration_ms.count(), 2);
        assert_eq!(r.on_demand_duration_ms.count(), 1);
        assert_eq!(r.cold_starts, 1);
    }

    #[test]
    fn provisioned_instances_are_active_while_they_serve_requests() {
        // 2 provisioned instances of 2 slots, no contention: requests spread, so with n in
        // flight min(n, 2) instances are active. In flight: 1 on 0–100, 2 on 100–200, 3 on
        // 200–1,000, 2 on 1,000–1,100, 1 on 1,100–1,200, none to 3,000, 1 on 3,000–3,500:
        // active 100 + 200 + 1,600 + 200 + 100 + 500 = 2,700 ms, of 3,500 ms of requests.
        let mut c = cfg(2);
        c.provisioned = ProvisionedSchedule::constant(2);
        let reqs = [(0, 1000), (100, 1000), (200, 1000), (3000, 500)];
        let r = run(vec![unit(&reqs, "10m")], &c, &mut |_, _| {}).remove(0);
        assert_eq!(
            (r.provisioned_inflight_ms, r.provisioned_busy_periods_ms.sum_ms()),
            (3_500, 2_700)
        );
        // Periods: the first instance 0–1,200 and 3,000–3,500, the second 100–1,100.
        assert_eq!(
            r.provisioned_busy_periods_ms.iter().collect::<Vec<_>>(),
            vec![(500, 1), (1_000, 1), (1_200, 1)]
        );
        assert_eq!(r.cold_starts, 0);
    }

    /// Provisioned level 2 for the first second of the day, then 1.
    fn two_then_one() -> ProvisionedSchedule {
        ProvisionedSchedule {
            ranges: vec![(0, 1_000, 2)],
            otherwise: 1,
        }
    }

    /// A unit on provisioned instances of 1 vCPU, fully CPU-bound requests (f = 1: two in
    /// flight run at half speed), 2 requests per instance, init 100 ms, under `schedule`.
    fn contended_provisioned(
        reqs: &[(u64, u64)],
        schedule: ProvisionedSchedule,
        timeout_ms: Option<u64>,
    ) -> UnitResult {
        let mut u = unit(reqs, "10s");
        u.contention = Contention::new(1.0, 1.0, 2);
        let c = EngineConfig {
            provisioned: schedule,
            timeout_ms,
            ..cfg(2)
        };
        run(vec![u], &c, &mut |_, _| {}).remove(0)
    }

    #[test]
    fn requests_on_a_provisioned_instance_share_its_cpu() {
        // One provisioned instance, two 800-ms requests at 0: they share its vCPU, each at half
        // speed → both end at 1,600 (executed 1,600 ms each, 800 added). No cold start.
        let reqs = [(0, 800), (0, 800)];
        let r = contended_provisioned(&reqs, ProvisionedSchedule::constant(1), None);
        assert_eq!(r.provisioned_duration_ms.iter().collect::<Vec<_>>(), vec![(1_600, 2)]);
        assert_eq!((r.cold_starts, r.on_demand_duration_ms.count(), r.served), (0, 0, 2));
        assert_eq!(r.overhead_ms.iter().collect::<Vec<_>>(), vec![(800, 2)]);
        assert_eq!(r.provisioned_inflight_ms, 3_200);
        // One instance active 0 to 1,600.
        assert_eq!(
            r.provisioned_busy_periods_ms.iter().collect::<Vec<_>>(),
            vec![(1_600, 1)]
        );
        // Two provisioned instances: one request each (the least loaded takes the second),
        // 800 ms each, nothing added.
        let r = contended_provisioned(&reqs, ProvisionedSchedule::constant(2), None);
        assert_eq!(r.provisioned_duration_ms.iter().collect::<Vec<_>>(), vec![(800, 2)]);
        assert_eq!(r.overhead_ms.iter().collect::<Vec<_>>(), vec![(0, 2)]);
        // Without contention the slot pool of old: 800 ms each on one instance.
        let mut c = cfg(2);
        c.provisioned = ProvisionedSchedule::constant(1);
        let r = &run(vec![unit(&reqs, "10s")], &c, &mut |_, _| {})[0];
        assert_eq!(r.provisioned_duration_ms.iter().collect::<Vec<_>>(), vec![(800, 2)]);
        assert_eq!(r.provisioned_inflight_ms, 1_600);
    }

    #[test]
    fn provisioned_instances_above_a_dropped_level_drain() {
        // Level 2 for the first second of the day, then 1. A and B (2,000 ms) at 0: instance 0
        // takes A, the least loaded instance 1 takes B. C (500) at 1,500: the level is 1, so
        // instance 0 (A alone, 1 slot free) takes it; A has 1,500 solo ms done, 500 left, and C
        // 500: both at half speed → both end at 2,500. D (100) at 1,600: instance 0 is full and
        // instance 1 (above the level) takes nothing new → D cold-starts on demand (ready at
        // 1,700, done 1,800). B drains alone → 2,000.
        let reqs = [(0, 2_000), (0, 2_000), (1_500, 500), (1_600, 100)];
        let dropping = two_then_one();
        let r = contended_provisioned(&reqs, dropping, None);
        assert_eq!(
            r.provisioned_duration_ms.iter().collect::<Vec<_>>(),
            vec![(1_000, 1), (2_000, 1), (2_500, 1)]
        );
        assert_eq!(r.on_demand_duration_ms.iter().collect::<Vec<_>>(), vec![(100, 1)]);
        assert_eq!(r.cold_starts, 1);
        assert_eq!(r.latency_ms.sum_ms(), 2_500 + 2_000 + 1_000 + 200);
        // At level 2 all day D goes to instance 1 (B's, 1 in flight; instance 0 is full): B has
        // 400 solo ms left, D 100, at half speed → D ends at 1,800 (200 ms), B has 300 left →
        // alone to 2,100.
        let r = contended_provisioned(&reqs, ProvisionedSchedule::constant(2), None);
        assert_eq!(
            r.provisioned_duration_ms.iter().collect::<Vec<_>>(),
            vec![(200, 1), (1_000, 1), (2_100, 1), (2_500, 1)]
        );
        assert_eq!(r.cold_starts, 0);
    }

    #[test]
    fn a_request_takes_an_idle_provisioned_instance_below_the_level_while_others_drain() {
        // 2 requests per instance, level 2 until 1,000 ms then 1. Two long requests (10 and 12
        // ms, 5 s) end on instance 1 after short ones on instance 0; at 2,000 instance 0 is below
        // the level and idle while instance 1 drains: the request goes to instance 0 — no cold
        // start, nothing refused under a cap of 2 (counting instances as the contention path
        // does; a pool of level × 2 slots counting the draining requests refused it).
        let dropping = two_then_one();
        let reqs = [(0, 100), (10, 5_000), (11, 100), (12, 5_000), (2_000, 100)];
        for cap in [None, Some(2)] {
            let mut c = cfg(2);
            c.provisioned = dropping.clone();
            c.max_instances = cap;
            let r = run(vec![unit(&reqs, "10m")], &c, &mut |_, _| {}).remove(0);
            assert_eq!((r.served, r.throttles, r.cold_starts), (5, 0, 0), "cap {cap:?}");
            // Instance 0 busy 0–111 and 2,000–2,100, instance 1 10–5,012.
            assert_eq!(
                r.provisioned_busy_periods_ms.iter().collect::<Vec<_>>(),
                vec![(100, 1), (111, 1), (5_002, 1)]
            );
        }
    }

    #[test]
    fn draining_provisioned_instances_count_toward_the_instance_cap() {
        // Level 2 for the first second, then 1; cap 2. A and B (2,000 ms) at 0 take both
        // provisioned instances; at 1,600 instance 0 is full and instance 1 still drains B, so
        // C (100 ms) would be a third instance: refused, both without contention (pooled slots,
        // 1 per instance) and with it (2 per instance, C arriving when both hold 2).
        let dropping = two_then_one();
        let mut c = cfg(1);
        c.provisioned = dropping.clone();
        c.max_instances = Some(2);
        let r = run(
            vec![unit(&[(0, 2_000), (0, 2_000), (1_600, 100)], "10m")],
            &c,
            &mut |_, _| {},
        )
        .remove(0);
        assert_eq!((r.served, r.throttles, r.cold_starts), (2, 1, 0));
        let mut u = unit(&[(0, 2_000), (0, 2_000), (0, 2_000), (0, 2_000), (1_600, 100)], "10m");
        u.contention = Contention::new(1.0, 1.0, 2);
        let c = EngineConfig {
            provisioned: dropping,
            max_instances: Some(2),
            ..cfg(2)
        };
        let r = run(vec![u], &c, &mut |_, _| {}).remove(0);
        assert_eq!((r.served, r.throttles, r.cold_starts), (4, 1, 0));
    }

    #[test]
    fn the_timeout_cuts_slowed_requests_on_a_provisioned_instance() {
        // Timeout 1,000: the two 800-ms requests sharing one provisioned instance would end at
        // 1,600; both are cut at 1,000 (counted, executed and billed 1,000 ms). A 300-ms
        // request at 5,000 alone runs whole.
        let reqs = [(0, 800), (0, 800), (5_000, 300)];
        let r = contended_provisioned(&reqs, ProvisionedSchedule::constant(1), Some(1_000));
        assert_eq!((r.timeouts, r.served), (2, 3));
        assert_eq!(
            r.provisioned_duration_ms.iter().collect::<Vec<_>>(),
            vec![(300, 1), (1_000, 2)]
        );
        assert_eq!(r.latency_ms.sum_ms(), 2_300);
    }

    #[test]
    fn a_warm_idle_instance_is_preferred_to_one_still_initializing() {
        // Concurrency 2, init 100 ms. t=0,1: A cold (ready 100), both done at 110. t=200,201: A
        // warm and full (done 230, 231). t=202: B cold (ready 302, done 802). A idles at 231.
        // t=250: B is still initializing, A is warm and idle → A serves it in 40 ms (not B at 342).
        let reqs = [(0, 10), (1, 10), (200, 30), (201, 30), (202, 500), (250, 40)];
        let r = &run(vec![unit(&reqs, "10m")], &cfg(2), &mut |_, _| {})[0];
        assert_eq!(r.cold_starts, 2);
        assert_eq!(r.latency_ms.sum_ms(), 110 + 109 + 30 + 30 + 600 + 40);
        // Idle: A 110–200, 231–250, 290–10,000; B 802–10,000.
        assert_eq!(r.idle_ms, 90 + 19 + 9_710 + 9_198);
    }

    #[test]
    fn a_request_goes_to_the_instance_listed_last_after_one_leaves_the_middle() {
        // Concurrency 2, init 100 ms. t=0,1: A cold (ready 100; done 1,100 and 200); t=2,3: B
        // cold (ready 102; done 602, 302); t=4,5: C cold (ready 104; done 804, 354). Each gets
        // its free slot back in turn — A at 200, B at 302, C at 354: listed A, B, C — and B
        // leaves from the middle when idle at 602: A, C. t=650: C, listed last, takes the
        // 2,000-ms request (done 2,650), not A (listed first) nor B (warm idle).
        let reqs = [
            (0, 1_000),
            (1, 100),
            (2, 500),
            (3, 200),
            (4, 700),
            (5, 250),
            (650, 2_000),
        ];
        let r = &run(vec![unit(&reqs, "10m")], &cfg(2), &mut |_, _| {})[0];
        assert_eq!(r.cold_starts, 3);
        assert_eq!(r.latency_ms.sum_ms(), 1_100 + 199 + 600 + 299 + 800 + 349 + 2_000);
        // Busy: A 0–1,100, B 2–602, C 4–2,650 (routed to A: A 0–2,650 and C 4–804).
        assert_eq!(
            r.busy_periods_ms.iter().collect::<Vec<_>>(),
            vec![(600, 1), (1_100, 1), (2_646, 1)]
        );
        // Idle until the window's end (10,000): A from 1,100, B from 602, C from 2,650.
        assert_eq!(r.idle_ms, 8_900 + 9_398 + 7_350);
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
        let r = &run(vec![u], &cfg(1), &mut |_, _| {})[0];
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
        let r = &run(vec![u], &cfg(1), &mut |_, _| {})[0];
        assert_eq!(r.cold_starts, 4);
        assert_eq!(r.idle_ms, 100 + 1_000);
    }

    #[test]
    fn k_cpu_bound_requests_share_the_vcpus_of_their_instance() {
        // 6 requests of 300 ms at t = 0–5, fully CPU-bound, one instance of 2 vCPUs, 80 slots,
        // init 100 ms. Nothing runs before the instance is ready at 100; then 6 requests share
        // 2 vCPUs: each at 2/6 of its solo speed → all done at 100 + 300 × 6/2 = 1,000 ms.
        let reqs: Vec<(u64, u64)> = (0..6).map(|i| (i, 300)).collect();
        let mut u = unit(&reqs, "1s");
        u.contention = Contention::new(1.0, 2.0, 80);
        let r = &run(vec![u], &cfg(80), &mut |_, _| {})[0];
        assert_eq!(r.cold_starts, 1);
        // Each executed (and is billed per execution) 900 ms; latency 1,000 − arrival.
        assert_eq!(r.on_demand_duration_ms.iter().collect::<Vec<_>>(), vec![(900, 6)]);
        assert_eq!(r.latency_ms.sum_ms(), 6 * 1_000 - 15); // arrivals 0 + 1 + … + 5 = 15
        assert_eq!(r.overhead_ms.sum_ms(), r.latency_ms.sum_ms() - 6 * 300);
        // One busy period 0–1,000: the instance time equals the CPU work (6 × 300 / 2) + init.
        assert_eq!(r.busy_periods_ms.iter().collect::<Vec<_>>(), vec![(1_000, 1)]);
        // Without contention they would all end at 400.
        let r = &run(vec![unit(&reqs, "1s")], &cfg(80), &mut |_, _| {})[0];
        assert_eq!(r.busy_periods_ms.iter().collect::<Vec<_>>(), vec![(400, 1)]);
    }

    #[test]
    fn a_later_arrival_slows_the_requests_in_flight() {
        // 1 vCPU, f = 0.5 (k = 0.5: two requests at full speed, three at 1/1.5), init 0.
        // A, B, C of 600 ms at 0, 0, 300. 0–300: A, B at full speed (300 solo ms each). From
        // 300: three in flight, slowdown 1.5. A and B need 300 more solo ms → 450 ms → done at
        // 750 (C has 300 solo done then). C alone from 750: 300 left → done at 1,050.
        let mut u = unit(&[(0, 600), (0, 600), (300, 600)], "1s");
        u.contention = Contention::new(0.5, 1.0, 80);
        let mut c = cfg(80);
        c.cold_start = ColdStartDist::Constant { ms: 0 };
        let r = &run(vec![u], &c, &mut |_, _| {})[0];
        assert_eq!(r.on_demand_duration_ms.iter().collect::<Vec<_>>(), vec![(750, 3)]);
        assert_eq!(r.busy_periods_ms.iter().collect::<Vec<_>>(), vec![(1_050, 1)]);
    }

    #[test]
    fn the_timeout_cuts_a_request_and_counts_it() {
        // Timeout 1,000 ms: a 5,000-ms request ends (fails) at 100 + 1,000 after its init and
        // executes 1,000 ms; the 300-ms one runs whole. Billed durations never exceed the limit.
        let mut c = cfg(1);
        c.timeout_ms = Some(1_000);
        let r = &run(vec![unit(&[(0, 5_000), (2_000, 300)], "10s")], &c, &mut |_, _| {})[0];
        assert_eq!(r.timeouts, 1);
        assert_eq!(r.served, 2);
        assert_eq!(
            r.on_demand_duration_ms.iter().collect::<Vec<_>>(),
            vec![(300, 1), (1_000, 1)]
        );
        assert_eq!(r.busy_periods_ms.sum_ms(), 1_100 + 300);
        // With contention (2 × 800 ms at once on 1 vCPU, f = 1 → 1,600 ms each) both are cut.
        let mut u = unit(&[(0, 800), (0, 800)], "10s");
        u.contention = Contention::new(1.0, 1.0, 80);
        let mut c = cfg(80);
        c.timeout_ms = Some(1_000);
        let r = &run(vec![u], &c, &mut |_, _| {})[0];
        assert_eq!(r.timeouts, 2);
        assert_eq!(r.on_demand_duration_ms.iter().collect::<Vec<_>>(), vec![(1_000, 2)]);
        assert_eq!(r.busy_periods_ms.sum_ms(), 1_100);
    }

    #[test]
    fn an_init_beyond_the_limit_is_run_again_within_the_request() {
        // Init limit 10 s, init drawn 12 s, a 500-ms request at 0: the first init is abandoned
        // at 10,000 (recorded as the INIT), the re-run (12,000) and the request (500) execute
        // from 10,000 → done at 22,500. Latency 22,500, added latency 22,000, busy 22,500.
        let mut c = cfg(1);
        c.cold_start = ColdStartDist::Constant { ms: 12_000 };
        c.init_limit_ms = Some(10_000);
        let r = &run(vec![unit(&[(0, 500)], "1s")], &c, &mut |_, _| {})[0];
        assert_eq!((r.cold_starts, r.init_retries, r.timeouts), (1, 1, 0));
        assert_eq!(r.init_duration_ms.iter().collect::<Vec<_>>(), vec![(10_000, 1)]);
        assert_eq!(r.on_demand_duration_ms.iter().collect::<Vec<_>>(), vec![(12_500, 1)]);
        assert_eq!(r.latency_ms.sum_ms(), 22_500);
        assert_eq!(r.overhead_ms.sum_ms(), 22_000);
        assert_eq!(r.busy_periods_ms.sum_ms(), 22_500);
        // The re-run counts against the function's timeout: with 12,000 ms the request is cut
        // 12,000 ms after 10,000.
        c.timeout_ms = Some(12_000);
        let r = &run(vec![unit(&[(0, 500)], "1s")], &c, &mut |_, _| {})[0];
        assert_eq!((r.init_retries, r.timeouts), (1, 1));
        assert_eq!(r.latency_ms.sum_ms(), 22_000);
        // An init within the limit is untouched.
        c.cold_start = ColdStartDist::Constant { ms: 9_000 };
        let r = &run(vec![unit(&[(0, 500)], "1s")], &c, &mut |_, _| {})[0];
        assert_eq!((r.init_retries, r.latency_ms.sum_ms()), (0, 9_500));
    }

    #[test]
    fn no_keep_alive_means_every_request_is_cold() {
        let reqs: Vec<(u64, u64)> = (0..20).map(|i| (i * 1000, 100)).collect();
        let r = &run(vec![unit(&reqs, "none")], &cfg(1), &mut |_, _| {})[0];
        assert_eq!(r.cold_starts, 20);
        assert_eq!(r.idle_ms, 0);
    }

    #[test]
    fn events_order_by_time_then_tie_whatever_their_payload() {
        let ev = |time_ms, tie, payload, epoch| Event {
            time_ms,
            tie,
            payload,
            epoch,
        };
        // The tie orders equal times (a later unit's tie is larger), the time before it, and
        // the payload and epoch never (no two events share a tie).
        assert!(ev(5, 1 << SEQ_BITS, 0, 0) > ev(5, 7, 9, 9));
        assert!(ev(4, u64::MAX, NONE, u32::MAX) < ev(5, 0, 0, 0));
        assert_eq!(ev(5, 3, 1, 2).cmp(&ev(5, 3, 8, 0)), std::cmp::Ordering::Equal);
        let mut heap: BinaryHeap<Reverse<Event>> = [ev(9, 2, 0, 0), ev(3, 5, 0, 0), ev(9, 1, 0, 0), ev(3, 4, 0, 0)]
            .map(Reverse)
            .into();
        let order: Vec<(u64, u64)> = std::iter::from_fn(|| heap.pop().map(|e| (e.0.time_ms, e.0.tie))).collect();
        assert_eq!(order, vec![(3, 4), (3, 5), (9, 1), (9, 2)]);
    }

    #[test]
    fn the_done_queue_pops_in_time_order_with_pushes_between_pops() {
        pops_in_time_order::<(u64, u32)>();
        pops_in_time_order::<u64>();
    }

    /// Completions scheduled from the time of the last pop on, as the engine schedules them,
    /// some beyond the wheel's span, many at one ms: every pop is the least time held
    /// (checked against a binary heap), the units of each time too where `E` holds them (an
    /// engine of one unit pushes unit 0), with the wheel (enough in flight) or without.
    fn pops_in_time_order<E: Completion>() {
        let units_held = E::new(0, 1).unit() == 1;
        for many in [false, true] {
            let mut rng = SimRng::new(3);
            let mut queue = DoneQueue::<E>::default();
            let mut held = BinaryHeap::new();
            let mut now = 0;
            for step in 0..60_000u32 {
                let grow = many && step % 20_000 < 12_000;
                if held.is_empty() || rng.uniform01() < if grow { 0.6 } else { 0.4 } {
                    let mean_ms = if step % 5 == 0 { 50_000.0 } else { 2_000.0 };
                    let t = now + (rng.exponential(mean_ms) as u64) * u64::from(step % 7 != 0);
                    queue.push(t, if units_held { step } else { 0 });
                    held.push(Reverse((t, step)));
                } else {
                    let (t, unit) = queue.pop();
                    assert_eq!(Some(t), held.peek().map(|h| h.0 .0));
                    if units_held {
                        // Equal times in any order: take the popped unit out of the reference.
                        let mut same = Vec::new();
                        while held.peek().is_some_and(|h| h.0 .0 == t) {
                            same.push(held.pop().expect("peeked").0);
                        }
                        let at = same
                            .iter()
                            .position(|&h| h == (t, unit))
                            .expect("a unit pushed at that time");
                        same.swap_remove(at);
                        held.extend(same.into_iter().map(Reverse));
                    } else {
                        assert_eq!(unit, 0);
                        held.pop();
                    }
                    assert_eq!(queue.min(), held.peek().map(|h| h.0 .0));
                    now = t;
                }
            }
            assert_eq!(queue.wheel.is_some(), many);
            while let Some(t) = queue.min() {
                let (popped, unit) = queue.pop();
                assert_eq!(popped, t);
                if units_held {
                    assert!(held.iter().any(|h| h.0 == (t, unit)));
                    held.retain(|h| h.0 != (t, unit));
                } else {
                    assert_eq!(held.pop().map(|h| h.0 .0), Some(t));
                }
            }
            assert!(held.is_empty());
        }
    }

    /// A unit's wheel queue pops exactly as one binary heap of its events would: taken over
    /// from a heap of events (as when a unit switches), then ties growing as pushed, times from
    /// the last pop on, many at one ms (some at the very time popped), some beyond the wheel's
    /// span.
    #[test]
    fn the_wheel_queue_pops_in_the_heaps_order() {
        let mut rng = SimRng::new(5);
        let mut tie = 0;
        let mut event = |rng: &mut SimRng, now: u64| {
            let mean_ms = if tie % 5 == 0 { 90_000.0 } else { 2_000.0 };
            tie += 1;
            Event {
                time_ms: now + (rng.exponential(mean_ms) as u64) * u64::from(tie % 7 != 0),
                tie,
                payload: tie as u32,
                epoch: 0,
            }
        };
        let mut held: BinaryHeap<Reverse<Event>> = (0..5_000).map(|_| Reverse(event(&mut rng, 1_000))).collect();
        let mut queue = WheelQueue::from_heap(held.clone(), 1_000);
        let parts = (queue.wheel.len, queue.heap.len());
        assert!(parts.0 > 2_000 && parts.1 > 300, "both parts hold events: {parts:?}");
        let mut now = 1_000;
        let mut popped = 0;
        for step in 0..60_000 {
            if held.is_empty() || rng.uniform01() < if step % 20_000 < 12_000 { 0.6 } else { 0.4 } {
                let ev = event(&mut rng, now);
                queue.push(ev);
                held.push(Reverse(ev));
            } else {
                let want = held.pop().expect("not empty").0;
                let got = queue.least().expect("the queue holds what the heap holds");
                assert_eq!(
                    (got.time_ms, got.tie, got.payload),
                    (want.time_ms, want.tie, want.payload)
                );
                queue.pop_least();
                now = want.time_ms;
                popped += 1;
            }
        }
        while let Some(Reverse(want)) = held.pop() {
            let got = queue.least().expect("the queue holds what the heap holds");
            assert_eq!((got.time_ms, got.tie), (want.time_ms, want.tie));
            queue.pop_least();
            popped += 1;
        }
        assert!(queue.least().is_none());
        assert!(popped > 30_000);
    }

    /// The free-slot list keeps the order of the vector it replaced (pushed last, removed
    /// wherever they are, the others' order kept) and finds the same last instance matching:
    /// 200,000 random operations on 2,000 instances checked one by one against a vector.
    #[test]
    fn the_free_slot_list_keeps_the_vectors_order() {
        let mut rng = SimRng::new(13);
        let mut instances = vec![Instance::default(); 2_000];
        let mut list = FreeSlotList::new();
        let mut reference: Vec<usize> = Vec::new();
        let (mut pushes, mut middle_removals) = (0, 0);
        for step in 0..200_000 {
            let i = (rng.uniform01() * 2_000.0) as usize;
            if instances[i].in_partial {
                let pos = reference.iter().position(|&x| x == i).expect("listed in both");
                middle_removals += usize::from(pos + 1 < reference.len());
                reference.remove(pos);
                list.remove(&mut instances, i);
            } else if step % 3 != 0 {
                reference.push(i);
                list.push(&mut instances, i);
                pushes += 1;
            }
            instances[i].ready_ms = (rng.uniform01() * 100.0) as u64;
            let t = (rng.uniform01() * 100.0) as u64;
            let want = reference.iter().rev().copied().find(|&j| instances[j].ready_ms <= t);
            assert_eq!(list.rfind(&instances, |inst| inst.ready_ms <= t), want);
            assert_eq!(list.last(), reference.last().copied());
            assert_eq!(list.is_empty(), reference.is_empty());
        }
        let mut walked = Vec::new();
        let mut j = list.tail;
        while j != NIL {
            walked.push(j as usize);
            let prev = instances[j as usize].prev;
            if prev != NIL {
                assert_eq!(instances[prev as usize].next, j, "linked both ways");
            }
            j = prev;
        }
        walked.reverse();
        assert_eq!(walked, reference, "the whole list, back to front");
        assert!(
            pushes > 50_000 && middle_removals > 20_000,
            "{pushes} pushes, {middle_removals}"
        );
    }

    /// An event put in the heap part (beyond the wheel's span when pushed) and one added to
    /// the wheel later at the same ms pop in tie order: the heap's first.
    #[test]
    fn the_wheel_queue_orders_one_ms_across_its_heap_and_wheel_by_tie() {
        let ev = |time_ms, tie| Event {
            time_ms,
            tie,
            payload: 0,
            epoch: 0,
        };
        let mut q = WheelQueue::from_heap(BinaryHeap::new(), 0);
        let far = WHEEL_MS + 5;
        q.push(ev(far, 1));
        q.push(ev(10, 2));
        assert_eq!(q.heap.len(), 1, "the far event waits in the heap part");
        q.pop_least();
        q.push(ev(far, 3));
        q.push(ev(far - 1, 4));
        assert_eq!(q.wheel.len, 2, "within the span from 10 ms: the wheel");
        let order: Vec<u64> = std::iter::from_fn(|| {
            let e = q.least()?;
            q.pop_least();
            Some(e.tie)
        })
        .collect();
        assert_eq!(order, vec![4, 1, 3]);
    }

    /// A unit alone on the general path whose pending completions pass [`EVENT_WHEEL_FROM`]
    /// switches them to a wheel queue mid-run and replays exactly as with its heap: two
    /// requests an instance, durations beyond the wheel's span, a timeout; on demand or with
    /// provisioned concurrency, with or without a shared CPU (completions rescheduled, stale
    /// ones skipped), and under an account limit with retries.
    #[test]
    fn a_unit_alone_replays_the_same_after_switching_to_a_wheel() {
        let mut rng = SimRng::new(11);
        let mut t = 0.0;
        let reqs: Vec<(u64, u64)> = (0..40_000)
            .map(|k| {
                t += rng.exponential(0.5);
                let mean_ms = if k % 50 == 0 { 120_000.0 } else { 4_000.0 };
                (t as u64, (rng.exponential(mean_ms) as u64).max(1))
            })
            .collect();
        let shared_cpu = Contention::new(1.0, 1.0, 2);
        let retry = RetryPolicy {
            max_retries: 2,
            delay_ms: 500,
        };
        for (contention, provisioned, limit) in [
            (None, 0, None),
            (shared_cpu, 0, None),
            (None, 1_000, None),
            (shared_cpu, 1_000, None),
            (None, 0, Some(6_000)),
        ] {
            let mut c = cfg(2);
            c.window_end_ms = 100_000;
            c.timeout_ms = Some(200_000);
            c.provisioned = ProvisionedSchedule::constant(provisioned);
            c.concurrency_limit = limit;
            c.retry = limit.map(|_| retry);
            let run = |wheel_allowed: bool| {
                let mut u = unit(&reqs, "10m");
                u.contention = contention;
                let mut engine = Engine::new(vec![u], &c);
                engine.wheel_allowed = wheel_allowed;
                let mut changes = Vec::new();
                let mut switched = false;
                while let Some(t) = engine.next_time_ms() {
                    engine.advance(t + 7_000, &mut |t, d| changes.push((t, d)));
                    switched |= engine.wheel_done.is_some();
                }
                assert_eq!(switched, wheel_allowed);
                (serde_json::to_string(&engine.finish()).unwrap(), changes)
            };
            let case = format!("{contention:?}, {provisioned} provisioned, limit {limit:?}");
            let (heap, heap_changes) = run(false);
            let (wheel, wheel_changes) = run(true);
            assert_eq!(wheel, heap, "{case}");
            assert!(
                wheel_changes == heap_changes,
                "the same in-flight changes in the same order: {case}"
            );
            let served = heap_changes.len() / 2;
            match limit {
                None => assert_eq!(served, 40_000, "{case}"),
                Some(_) => assert!((30_000..40_000).contains(&served), "some throttled: {served}"),
            }
        }
    }

    /// Runs `units` to the end on the general path (`lean: false`) or the lean one, returning
    /// every unit's result and every in-flight change.
    fn replay(units: Vec<UnitSpec<'_>>, c: &EngineConfig, lean: bool) -> (Vec<UnitResult>, Vec<(u64, i32)>) {
        let mut changes = Vec::new();
        let mut engine = Engine::build(units, c, lean);
        assert_eq!(engine.lean.is_some(), lean, "the lean path is taken when allowed");
        // Resumed block by block, as the independent pass does.
        while let Some(t) = engine.next_time_ms() {
            engine.advance(t + 7_000, &mut |t, d| changes.push((t, d)));
        }
        (engine.finish(), changes)
    }

    #[test]
    fn the_lean_path_replays_exactly_as_the_general_one() {
        // Random bursts (several requests at one ms, many overlapping), long and short
        // durations, exponential inits; windows of none, 1 s and 10 min; a timeout, an init
        // limit, an account limit and an instance cap per unit that throttle; one unit and
        // three in one loop.
        let mut rng = SimRng::new(7);
        let mut requests = |n: usize, mean_gap_ms: f64, mean_ms: f64| {
            let mut t = 0.0;
            (0..n)
                .map(|_| {
                    if rng.uniform01() < 0.8 {
                        t += rng.exponential(mean_gap_ms);
                    }
                    (t as u64, (rng.exponential(mean_ms) as u64).max(1))
                })
                .collect::<Vec<_>>()
        };
        // The first trace keeps ~500 requests in flight: its queue takes a wheel when alone.
        let traces = [
            requests(20_000, 4.0, 2_000.0),
            requests(3_000, 50.0, 400.0),
            requests(2_000, 900.0, 3_000.0),
            requests(500, 20_000.0, 100.0),
        ];
        let mut c = cfg(1);
        c.cold_start = ColdStartDist::Exponential { mean_ms: 300.0 };
        c.window_end_ms = 2_000_000;
        let mut checked = 0;
        for keep_alive in ["none", "1s", "10m"] {
            for (timeout_ms, init_limit_ms, limit, cap) in [
                (None, None, None, None),
                (Some(2_000), Some(400), None, None),
                (None, None, Some(12), None),
                (None, None, None, Some(5)),
            ] {
                c.timeout_ms = timeout_ms;
                c.init_limit_ms = init_limit_ms;
                c.concurrency_limit = limit;
                c.max_instances = cap;
                let units = || -> Vec<UnitSpec<'static>> {
                    traces
                        .iter()
                        .enumerate()
                        .map(|(k, reqs)| UnitSpec {
                            key: format!("f{k}"),
                            rng: SimRng::new(k as u64),
                            ..unit(reqs, keep_alive)
                        })
                        .collect()
                };
                let json = |r: &[UnitResult]| serde_json::to_string(r).unwrap();
                let (general, general_changes) = replay(units(), &c, false);
                let (lean, lean_changes) = replay(units(), &c, true);
                assert_eq!(
                    json(&lean),
                    json(&general),
                    "{keep_alive}, {timeout_ms:?}, {init_limit_ms:?}, {limit:?}, {cap:?}"
                );
                assert_eq!(lean_changes, general_changes);
                // What each setting is there for happens.
                let total = |f: fn(&UnitResult) -> u64| general.iter().map(f).sum::<u64>();
                assert!(total(|r| r.cold_starts) > 3);
                assert_eq!(total(|r| r.timeouts) > 0, timeout_ms.is_some());
                assert_eq!(total(|r| r.init_retries) > 0, init_limit_ms.is_some());
                assert_eq!(total(|r| r.throttles) > 0, limit.is_some() || cap.is_some());
                assert_eq!(total(|r| r.idle_ms) > 0, keep_alive != "none");
                if limit.is_none() && cap.is_none() {
                    let mut busy = Engine::new(vec![units().swap_remove(0)], &c);
                    busy.advance(u64::MAX, &mut |_, _| {});
                    // A unit alone: completions keyed by time alone, through the wheel.
                    assert!(busy
                        .lean
                        .as_ref()
                        .is_some_and(|l| matches!(&l.done, Completions::One(q) if q.wheel.is_some())));
                    for k in 0..traces.len() {
                        let one = || vec![units().swap_remove(k)];
                        let ((a, a_changes), (b, b_changes)) = (replay(one(), &c, true), replay(one(), &c, false));
                        assert_eq!((json(&a), a_changes), (json(&b), b_changes));
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 12);
        // The general path stays for what the lean one leaves out: a learning keep-alive, two
        // requests per instance, provisioned concurrency.
        let mut hybrid = unit(&traces[0], "hybrid");
        hybrid.rng = SimRng::new(0);
        assert!(Engine::new(vec![hybrid], &c).lean.is_none());
        assert!(Engine::new(vec![unit(&traces[0], "10m")], &cfg(2)).lean.is_none());
        c.provisioned = ProvisionedSchedule::constant(1);
        assert!(Engine::new(vec![unit(&traces[0], "10m")], &c).lean.is_none());
    }
}
