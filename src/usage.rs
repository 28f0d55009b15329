//! `Usage`: what one deployment option consumed over a period, as billable quantities —
//! the contract between the simulators (`sim/`, which never see prices) and the cost
//! engine (`cost/`, which never simulates). One `Usage` can be priced against any table.
//!
//! Durations are kept as histograms of whole milliseconds (each invocation's duration
//! rounded *up* to 1 ms), not as sums, so that the cost engine can apply each platform's
//! own per-invocation rule — Lambda's 1 ms grain, Cloud Run's 100 ms, Azure's 100 ms
//! minimum — exactly: ceil(ceil_1ms(x) / g) = ceil(x / g) for any whole-ms grain g.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Buckets [`MsHistogram::sum`] gathers at least before merging them into its total.
pub const SUM_BATCH: usize = 1 << 16;

/// Counts of events by their duration in whole ms (rounded up to 1 ms): `(duration, count)`
/// pairs in increasing duration, each duration once, no zero count. A sorted vector, not a
/// map (a B-tree took ~190 bytes for a leaf even when it held one duration, and a run holds a
/// few histograms per function), of 8-byte buckets while every duration and count is below
/// 2^32 (49.7 days, 4.3 G events: nearly always), else 16-byte ones; a replay holds every
/// unit's histograms until it ends, so at 14 days of a large workload they are most of its
/// memory. Serialized as a map from duration to count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MsHistogram(Buckets);

/// A histogram's buckets, narrow exactly when every duration and count fits in 32 bits (so
/// equal histograms have equal buckets).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Buckets {
    Narrow(Vec<(u32, u32)>),
    Wide(Vec<(u64, u64)>),
}

impl Default for Buckets {
    fn default() -> Self {
        Buckets::Narrow(Vec::new())
    }
}

/// A narrow bucket as a wide one.
fn widened(&(ms, n): &(u32, u32)) -> (u64, u64) {
    (u64::from(ms), u64::from(n))
}

impl Buckets {
    /// The buckets of `pairs`, given sorted by duration, each duration once, no zero count:
    /// narrow until a pair does not fit, then wide.
    fn collect(pairs: impl IntoIterator<Item = (u64, u64)>) -> Buckets {
        let mut pairs = pairs.into_iter();
        let mut narrow = Vec::with_capacity(pairs.size_hint().0);
        while let Some((ms, n)) = pairs.next() {
            let (Ok(ms32), Ok(n32)) = (u32::try_from(ms), u32::try_from(n)) else {
                let mut wide = Vec::with_capacity(narrow.len() + 1 + pairs.size_hint().0);
                wide.extend(narrow.iter().map(widened));
                wide.push((ms, n));
                wide.extend(pairs);
                wide.shrink_to_fit();
                return Buckets::Wide(wide);
            };
            narrow.push((ms32, n32));
        }
        narrow.shrink_to_fit();
        Buckets::Narrow(narrow)
    }

    fn len(&self) -> usize {
        match self {
            Buckets::Narrow(v) => v.len(),
            Buckets::Wide(v) => v.len(),
        }
    }
}

/// Adds `count` events of `ms` to the sorted buckets `v`: at the end when it is the longest
/// duration yet or the last one, else by binary search (a shift of the longer buckets when the
/// duration is new). False, with `v` unchanged, when the bucket's count would pass `T`'s range
/// (`checked_add`: `T`'s own).
fn add_bucket<T: Copy + Ord>(v: &mut Vec<(T, T)>, ms: T, count: T, checked_add: impl Fn(T, T) -> Option<T>) -> bool {
    let at = match v.last() {
        Some(last) if last.0 < ms => Err(v.len()),
        Some(last) if last.0 == ms => Ok(v.len() - 1),
        _ => v.binary_search_by_key(&ms, |&(d, _)| d),
    };
    match at {
        Ok(i) => match checked_add(v[i].1, count) {
            Some(sum) => v[i].1 = sum,
            None => return false,
        },
        Err(i) => v.insert(i, (ms, count)),
    }
    true
}

/// Two counts of the bucket of `ms` added; past 2^64 − 1 an error, never a wrap.
fn add_counts(a: u64, b: u64, ms: u64) -> u64 {
    a.checked_add(b).unwrap_or_else(|| count_overflow(ms))
}

/// The error of a count past 2^64 − 1 events (a panic: no trace holds that many).
fn count_overflow(ms: u64) -> ! {
    panic!("a histogram's count of {ms} ms passes 2^64 − 1 events")
}

impl MsHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `count` events of `duration_ms` each: at the end when it is the longest duration
    /// yet, else by binary search (a shift of the longer buckets when the duration is new; many
    /// durations in no order are built at once with [`from_counts`](Self::from_counts)). The
    /// buckets widen when the duration or the bucket's count passes 2^32 − 1; a count past
    /// 2^64 − 1 is an error (a panic), never a wrap, here and wherever counts add up.
    pub fn add(&mut self, duration_ms: u64, count: u64) {
        if count == 0 {
            return;
        }
        let add_wide = |v: &mut Vec<(u64, u64)>| {
            if !add_bucket(v, duration_ms, count, u64::checked_add) {
                count_overflow(duration_ms);
            }
        };
        match &mut self.0 {
            Buckets::Narrow(v) => {
                if let (Ok(ms), Ok(n)) = (u32::try_from(duration_ms), u32::try_from(count)) {
                    if add_bucket(v, ms, n, u32::checked_add) {
                        return;
                    }
                }
                // Widened aside and kept only once the event is in: a failed add leaves the
                // histogram as it was.
                let mut wide: Vec<(u64, u64)> = v.iter().map(widened).collect();
                add_wide(&mut wide);
                self.0 = Buckets::Wide(wide);
            }
            Buckets::Wide(v) => add_wide(v),
        }
    }

    /// Adds every event of `other` (one merge of the two sorted lists).
    pub fn add_all(&mut self, other: &MsHistogram) {
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            self.0.clone_from(&other.0);
            return;
        }
        let merged = crate::stats::merge_sorted(
            self.iter(),
            other.iter(),
            |e| e.0,
            |x, y| (x.0, add_counts(x.1, y.1, x.0)),
        );
        self.0 = Buckets::collect(merged);
    }

    /// The histogram of `(duration_ms, count)` pairs given in any order, a duration possibly
    /// more than once (its counts add up): sorted once, equal durations merged.
    pub fn from_counts(mut pairs: Vec<(u64, u64)>) -> MsHistogram {
        pairs.retain(|&(_, n)| n > 0);
        pairs.sort_unstable_by_key(|&(ms, _)| ms);
        pairs.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                earlier.1 = add_counts(earlier.1, later.1, earlier.0);
            }
            same
        });
        MsHistogram(Buckets::collect(pairs))
    }

    /// The sum of `hists` (for many histograms, where adding one at a time would merge the
    /// growing total again each time): their buckets gathered and sorted in batches, each
    /// batch merged into the total once it holds as many buckets as the total (at least
    /// [`SUM_BATCH`]), so the gathered buckets (16 bytes each) take at most about twice the
    /// memory of the total (8 bytes a bucket while narrow).
    pub fn sum<'a>(hists: impl IntoIterator<Item = &'a MsHistogram>) -> MsHistogram {
        let mut total = MsHistogram::new();
        let mut batch: Vec<(u64, u64)> = Vec::new();
        for h in hists {
            batch.extend(h.iter());
            if batch.len() >= total.0.len().max(SUM_BATCH) {
                total.add_all(&MsHistogram::from_counts(std::mem::take(&mut batch)));
            }
        }
        if !batch.is_empty() {
            total.add_all(&MsHistogram::from_counts(batch));
        }
        total
    }

    /// Number of events (past 2^64 − 1 an error, never a wrap).
    pub fn count(&self) -> u64 {
        self.iter()
            .try_fold(0u64, |sum, (_, n)| sum.checked_add(n))
            .unwrap_or_else(|| panic!("a histogram holds more than 2^64 − 1 events"))
    }

    /// Sum of durations in ms (past 2^64 − 1 ms, 585 million years, an error, never a wrap).
    pub fn sum_ms(&self) -> u64 {
        self.iter()
            .try_fold(0u64, |sum, (ms, n)| sum.checked_add(ms.checked_mul(n)?))
            .unwrap_or_else(|| panic!("a histogram's durations sum past 2^64 − 1 ms"))
    }

    /// `(duration_ms, count)` pairs in increasing duration.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, u64)> + ExactSizeIterator + '_ {
        match &self.0 {
            Buckets::Narrow(v) => BucketIter::Narrow(v.iter()),
            Buckets::Wide(v) => BucketIter::Wide(v.iter()),
        }
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.0.len() == 0
    }

    /// The same durations with every count multiplied by `factor`. Counts are rounded
    /// cumulatively (bucket i gets round(F_i) − round(F_{i−1}) of the running scaled total F),
    /// so the total is round(count × factor) and small buckets grow smoothly with the factor
    /// instead of each rounding back to its old count.
    pub fn scaled(&self, factor: f64) -> MsHistogram {
        let (mut running, mut emitted) = (0.0f64, 0u64);
        MsHistogram(Buckets::collect(self.iter().filter_map(|(ms, n)| {
            running += n as f64 * factor;
            let target = running.round() as u64;
            let count = target.saturating_sub(emitted);
            emitted = emitted.max(target);
            (count > 0).then_some((ms, count))
        })))
    }
}

/// [`MsHistogram::iter`]'s iterator over either width of buckets.
enum BucketIter<'a> {
    Narrow(std::slice::Iter<'a, (u32, u32)>),
    Wide(std::slice::Iter<'a, (u64, u64)>),
}

impl Iterator for BucketIter<'_> {
    type Item = (u64, u64);

    #[inline]
    fn next(&mut self) -> Option<(u64, u64)> {
        match self {
            BucketIter::Narrow(it) => it.next().map(widened),
            BucketIter::Wide(it) => it.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            BucketIter::Narrow(it) => it.size_hint(),
            BucketIter::Wide(it) => it.size_hint(),
        }
    }

    /// The longest duration's bucket at once, as a slice's iterator gives it.
    fn last(mut self) -> Option<(u64, u64)> {
        self.next_back()
    }
}

impl DoubleEndedIterator for BucketIter<'_> {
    fn next_back(&mut self) -> Option<(u64, u64)> {
        match self {
            BucketIter::Narrow(it) => it.next_back().map(widened),
            BucketIter::Wide(it) => it.next_back().copied(),
        }
    }
}

impl ExactSizeIterator for BucketIter<'_> {}

impl Serialize for MsHistogram {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for MsHistogram {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<u64, u64>::deserialize(deserializer)?;
        Ok(MsHistogram(Buckets::collect(map.into_iter().filter(|&(_, n)| n > 0))))
    }
}

/// Processor architecture of a function or instance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// x86-64.
    #[default]
    X86,
    /// 64-bit Arm (Graviton).
    Arm64,
}

/// A period during which provisioned concurrency was configured at a constant level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionedPeriod {
    /// Provisioned instances.
    pub concurrency: u32,
    /// How long, in ms, before the provider's rounding (Lambda: up to 5 minutes).
    pub duration_ms: u64,
}

/// Billable quantities of the functions deployed with one memory size and architecture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionGroupUsage {
    /// Configured memory in MB.
    pub memory_mb: u32,
    /// Architecture.
    pub arch: Arch,
    /// Configured ephemeral storage in MB (Lambda: 512 included).
    pub ephemeral_storage_mb: u32,
    /// Requests served (throttled requests are not billed and not counted here).
    pub requests: u64,
    /// Execution durations of requests served by on-demand instances.
    pub on_demand_duration_ms: MsHistogram,
    /// Execution durations of requests served by provisioned-concurrency instances.
    pub provisioned_duration_ms: MsHistogram,
    /// Init (cold start) durations of on-demand instances.
    pub init_duration_ms: MsHistogram,
    /// Provisioned-concurrency configuration periods.
    pub provisioned_periods: Vec<ProvisionedPeriod>,
    /// Instance busy periods (from a cold start's init, or a warm instance's first request,
    /// to the moment no request is in flight), for platforms that bill instance time rather
    /// than request time (Cloud Run's busy periods, Azure Flex's activity periods).
    pub instance_busy_ms: MsHistogram,
    /// Instance time kept warm but idle, in ms: billed only where the platform bills the
    /// instance's whole lifetime (Cloud Run instance-based billing), never by request-based
    /// billing.
    pub instance_idle_ms: u64,
    /// Idle time of minimum instances kept running on purpose (Cloud Run `min-instances`), ms:
    /// billed at the idle rates by request-based billing.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_instances_idle_ms: u64,
    /// Busy periods of provisioned (minimum) instances, serving at least one request, where the
    /// simulator replayed them (`None`: not measured — aggregate usage from `cost` — and the
    /// requests' own time stands for them). Billed at the active rates by the container
    /// platforms and Cloud Run; the rest of the instances' time is idle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_busy_periods_ms: Option<MsHistogram>,
}

impl FunctionGroupUsage {
    /// Provisioned (minimum) instance time: Σ level × period, ms.
    pub fn provisioned_instance_ms(&self) -> u128 {
        self.provisioned_periods
            .iter()
            .map(|p| p.concurrency as u128 * p.duration_ms as u128)
            .sum()
    }
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// Instance time of one provisioned server or container type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceUsage {
    /// Instance type id as in the price table (e.g. `m7g.large`, `fargate-x86:1vcpu-2gb`).
    pub instance_type: String,
    /// Instance time in ms, summed over instances (before any per-instance minimum).
    pub instance_ms: u64,
    /// Instance launches (each may carry a minimum billed time).
    pub launches: u64,
    /// The instance time stacked into the fewest instances running the longest, longest first,
    /// as runs of `(ms, instances)`: that many instances ran `ms` each, the k-th instance the
    /// time at least k ran (they sum to `instance_ms`). What a sustained-use discount is
    /// computed on; empty: `launches` instances sharing `instance_ms` equally.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacked: Vec<(u64, u64)>,
}

impl InstanceUsage {
    /// Usage of instances whose count was `per_minute[i]` in minute `i` (less `below` each
    /// minute, the instances billed apart), with `launches` launches: its stacked times from
    /// the counts.
    pub fn from_minutes(instance_type: &str, per_minute: &[u32], below: u32, launches: u64) -> InstanceUsage {
        // Minutes with exactly n instances, by n (distinct counts only: a fleet of a million
        // instances costs its minutes, not its peak).
        let mut at: std::collections::BTreeMap<u32, u64> = std::collections::BTreeMap::new();
        for &n in per_minute {
            *at.entry(n.saturating_sub(below)).or_default() += 1;
        }
        // From the highest count down: the instances above the next lower count ran every
        // minute with at least this many (the shortest-running first, so reversed below).
        let mut stacked = Vec::new();
        let mut at_least = 0u64;
        let mut levels = at.iter().rev().peekable();
        while let Some((&n, &minutes)) = levels.next() {
            at_least += minutes;
            let lower = levels.peek().map_or(0, |(&m, _)| m);
            if n > lower {
                stacked.push((at_least * crate::units::MS_PER_MINUTE, u64::from(n - lower)));
            }
        }
        stacked.reverse();
        InstanceUsage {
            instance_type: instance_type.to_string(),
            instance_ms: stacked.iter().map(|&(ms, k)| ms * k).sum(),
            launches,
            stacked,
        }
    }
}

/// Everything one deployment option consumed over `period_ms`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Length of the period the quantities cover, in ms.
    pub period_ms: u64,
    /// Serverless function groups.
    pub functions: Vec<FunctionGroupUsage>,
    /// Provisioned instances.
    pub instances: Vec<InstanceUsage>,
}

impl Usage {
    /// This usage with traffic multiplied by `factor`: requests, executions, cold starts and
    /// instance busy time scale; configured capacity (provisioned concurrency, idle warm
    /// instances, provisioned instances) does not. Used for traffic-growth what-ifs of
    /// serverless options, whose cost is linear in traffic apart from tiers and grants.
    pub fn scaled_traffic(&self, factor: f64) -> Usage {
        Usage {
            period_ms: self.period_ms,
            functions: self
                .functions
                .iter()
                .map(|g| FunctionGroupUsage {
                    requests: (g.requests as f64 * factor).round() as u64,
                    on_demand_duration_ms: g.on_demand_duration_ms.scaled(factor),
                    provisioned_duration_ms: g.provisioned_duration_ms.scaled(factor),
                    init_duration_ms: g.init_duration_ms.scaled(factor),
                    instance_busy_ms: g.instance_busy_ms.scaled(factor),
                    // Linear in traffic, as the requests' time is (an upper bound: overlap
                    // grows with traffic); the cost engine caps it at the instances' time.
                    provisioned_busy_periods_ms: g.provisioned_busy_periods_ms.as_ref().map(|h| h.scaled(factor)),
                    ..g.clone()
                })
                .collect(),
            instances: self.instances.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_stack_into_the_fewest_running_the_longest() {
        // Counts 3, 1, 0, 2 a minute less 1 billed apart: 2, 0, 0, 1 — one instance runs two
        // minutes, a second one minute.
        let u = InstanceUsage::from_minutes("t", &[3, 1, 0, 2], 1, 4);
        assert_eq!(u.stacked, vec![(120_000, 1), (60_000, 1)]);
        assert_eq!(u.instance_ms, 180_000);
        assert_eq!(u.launches, 4);
        let none = InstanceUsage::from_minutes("t", &[1, 1], 2, 1);
        assert!(none.stacked.is_empty() && none.instance_ms == 0);
        // A million instances every minute of a day: one run, whatever the count.
        let big = InstanceUsage::from_minutes("t", &vec![1_000_000; 1440], 0, 1);
        assert_eq!(big.stacked, vec![(86_400_000, 1_000_000)]);
        assert_eq!(big.instance_ms, 86_400_000_000_000);
    }

    #[test]
    fn histogram_sums_and_scaling() {
        let mut h = MsHistogram::new();
        h.add(90, 2);
        h.add(101, 1);
        h.add(5, 0);
        assert_eq!(h.count(), 3);
        assert_eq!(h.sum_ms(), 281);
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![(90, 2), (101, 1)]);
        let doubled = h.scaled(2.0);
        assert_eq!((doubled.count(), doubled.sum_ms()), (6, 562));
        // 1.02× of 100 single events: the total grows by 2 (per-bucket rounding would keep 100).
        let mut singles = MsHistogram::new();
        for ms in 1..=100 {
            singles.add(ms, 1);
        }
        assert_eq!(singles.scaled(1.02).count(), 102);
        assert_eq!(singles.scaled(1.0), singles);
    }

    #[test]
    fn a_histogram_from_unordered_repeated_counts_equals_one_built_by_adds() {
        let pairs = vec![(7, 1), (3, 2), (7, 4), (1, 0), (u64::MAX, 1), (3, 1 << 32)];
        let mut by_adds = MsHistogram::new();
        for &(ms, n) in &pairs {
            by_adds.add(ms, n);
        }
        let built = MsHistogram::from_counts(pairs);
        assert_eq!(built, by_adds);
        assert_eq!(
            built.iter().collect::<Vec<_>>(),
            vec![(3, 2 + (1 << 32)), (7, 5), (u64::MAX, 1)]
        );
        assert!(MsHistogram::from_counts(vec![(5, 0)]).is_empty());
    }

    #[test]
    fn merging_and_summing_histograms_adds_their_counts_by_duration() {
        let h = |pairs: &[(u64, u64)]| MsHistogram::from_counts(pairs.to_vec());
        // By hand: 1 ms ×2; 5 ms 3 + 4 = 7; 9 ms ×1; 12 ms ×6.
        let (a, b) = (h(&[(1, 2), (5, 3), (12, 6)]), h(&[(5, 4), (9, 1)]));
        let mut merged = a.clone();
        merged.add_all(&b);
        assert_eq!(merged.iter().collect::<Vec<_>>(), vec![(1, 2), (5, 7), (9, 1), (12, 6)]);
        let mut other_way = b.clone();
        other_way.add_all(&a);
        assert_eq!(other_way, merged);
        let empty = MsHistogram::new();
        assert_eq!(MsHistogram::sum([&a, &empty, &b]), merged);
        assert_eq!(MsHistogram::sum([&empty, &b]), b);
        assert!(MsHistogram::sum(std::iter::empty()).is_empty());
        // Past one batch: five histograms of 40,000 durations each, overlapping by half, sum
        // as merging them one at a time does (durations 0..120,000; each count 1 to 3).
        let big: Vec<MsHistogram> = (0..5u64)
            .map(|i| h(&(0..40_000).map(|k| (i * 20_000 + k, 1 + i % 2)).collect::<Vec<_>>()))
            .collect();
        let mut one_at_a_time = MsHistogram::new();
        big.iter().for_each(|x| one_at_a_time.add_all(x));
        let summed = MsHistogram::sum(&big);
        assert_eq!(summed, one_at_a_time);
        assert_eq!(
            (summed.iter().len(), summed.count()),
            (120_000, 3 * 40_000 + 2 * 80_000)
        );
        let mut into_empty = MsHistogram::new();
        into_empty.add_all(&a);
        assert_eq!(into_empty, a);
        // Adds out of order (a shift in the middle, a repeat at the front) keep the order.
        let mut adds = h(&[(5, 1), (9, 1)]);
        adds.add(7, 2);
        adds.add(5, 1);
        adds.add(2, 1);
        adds.add(9, 0);
        assert_eq!(adds.iter().collect::<Vec<_>>(), vec![(2, 1), (5, 2), (7, 2), (9, 1)]);
    }

    #[test]
    fn buckets_widen_when_a_duration_or_a_count_passes_32_bits_and_only_then() {
        let max = u64::from(u32::MAX);
        let narrow = |h: &MsHistogram| matches!(h.0, Buckets::Narrow(_));
        // Counts up to 2^32 − 1 stay narrow (8 bytes a bucket); one more event widens them.
        let mut h = MsHistogram::new();
        h.add(5, max - 1);
        h.add(9, 3);
        h.add(5, 1);
        assert!(narrow(&h));
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![(5, max), (9, 3)]);
        h.add(5, 1);
        assert!(!narrow(&h));
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![(5, max + 1), (9, 3)]);
        assert_eq!((h.count(), h.sum_ms()), (max + 4, 5 * (max + 1) + 27));
        // Narrow buckets read back to front and counted as a slice's are.
        let mut three = MsHistogram::from_counts(vec![(30, 1), (10, 2), (20, 3)]);
        assert!(narrow(&three));
        assert_eq!(three.iter().rev().collect::<Vec<_>>(), vec![(30, 1), (20, 3), (10, 2)]);
        assert_eq!((three.iter().len(), three.iter().last()), (3, Some((30, 1))));
        {
            let mut it = three.iter();
            assert_eq!((it.next(), it.next_back(), it.len()), (Some((10, 2)), Some((30, 1)), 1));
        }
        // An add that would pass 2^64 − 1 leaves the histogram as it was (narrow).
        let before = three.clone();
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| three.add(20, u64::MAX)));
        assert!(failed.is_err());
        assert_eq!(three, before);
        assert!(narrow(&three));
        // Equal histograms are equal however they were built (both widths canonical).
        assert_eq!(h, MsHistogram::from_counts(vec![(9, 3), (5, max + 1)]));
        // A duration of 2^32 ms (49.7 days) widens a new histogram; 2^32 − 1 does not.
        let mut long = MsHistogram::new();
        long.add(max, 1);
        assert!(narrow(&long));
        long.add(max + 1, 2);
        assert!(!narrow(&long));
        assert_eq!(long.iter().rev().collect::<Vec<_>>(), vec![(max + 1, 2), (max, 1)]);
        assert_eq!(long.iter().len(), 2);
        // Two narrow histograms whose counts of one duration add past 2^32 − 1 merge wide,
        // and sum so; a wide one scaled back below 2^32 is narrow again.
        let (a, b) = (
            MsHistogram::from_counts(vec![(7, max), (8, 1)]),
            MsHistogram::from_counts(vec![(7, 2)]),
        );
        assert!(narrow(&a) && narrow(&b));
        let mut merged = a.clone();
        merged.add_all(&b);
        assert_eq!(merged.iter().collect::<Vec<_>>(), vec![(7, max + 2), (8, 1)]);
        assert_eq!(MsHistogram::sum([&a, &b]), merged);
        // Halved, rounded cumulatively: 7 ms gets round((2^32 + 1)/2) = 2^31 + 1, and the
        // running total after 8 ms, 2^31 + 1, leaves it none.
        let halved = merged.scaled(0.5);
        assert!(narrow(&halved));
        assert_eq!(halved, MsHistogram::from_counts(vec![(7, (1 << 31) + 1)]));
        // Read back wide.
        let json = serde_json::to_string(&merged).unwrap();
        assert_eq!(serde_json::from_str::<MsHistogram>(&json).unwrap(), merged);
    }

    #[test]
    #[should_panic(expected = "passes 2^64")]
    fn a_count_past_64_bits_is_an_error_not_a_wrap() {
        let mut h = MsHistogram::new();
        h.add(3, u64::MAX);
        h.add(3, 1);
    }

    #[test]
    #[should_panic(expected = "count of 4 ms passes 2^64")]
    fn counts_merged_past_64_bits_are_an_error_not_a_wrap() {
        let big = MsHistogram::from_counts(vec![(4, u64::MAX)]);
        let mut h = MsHistogram::from_counts(vec![(2, 1), (4, 1)]);
        h.add_all(&big);
    }

    #[test]
    #[should_panic(expected = "count of 6 ms passes 2^64")]
    fn counts_gathered_past_64_bits_are_an_error_not_a_wrap() {
        MsHistogram::from_counts(vec![(6, u64::MAX), (1, 1), (6, 2)]);
    }

    #[test]
    fn totals_past_64_bits_are_an_error_not_a_wrap() {
        let many = MsHistogram::from_counts(vec![(1, u64::MAX), (2, 1)]);
        let counted = std::panic::catch_unwind(|| many.count());
        assert!(counted.is_err());
        let long = MsHistogram::from_counts(vec![(1 << 40, 1 << 24)]);
        assert!(std::panic::catch_unwind(|| long.sum_ms()).is_err());
        // Just below: 2^40 ms × (2^24 − 1) events.
        let below = MsHistogram::from_counts(vec![(1 << 40, (1 << 24) - 1)]);
        assert_eq!(below.sum_ms(), u64::MAX - ((1 << 40) - 1));
    }

    #[test]
    fn a_histogram_is_written_and_read_as_a_map_from_duration_to_count() {
        let h = MsHistogram::from_counts(vec![(250, 3), (7, 1), (1 << 40, 2)]);
        let json = serde_json::to_string(&h).unwrap();
        // The form a BTreeMap<u64, u64> had: partials and reports written before still read.
        assert_eq!(json, r#"{"7":1,"250":3,"1099511627776":2}"#);
        assert_eq!(serde_json::from_str::<MsHistogram>(&json).unwrap(), h);
        // A zero count read back is no bucket.
        let read: MsHistogram = serde_json::from_str(r#"{"9":0,"3":2}"#).unwrap();
        assert_eq!(read.iter().collect::<Vec<_>>(), vec![(3, 2)]);
    }

    #[test]
    fn traffic_scaling_keeps_capacity() {
        let mut g = FunctionGroupUsage {
            memory_mb: 512,
            requests: 10,
            provisioned_periods: vec![ProvisionedPeriod {
                concurrency: 2,
                duration_ms: 60_000,
            }],
            instance_idle_ms: 5_000,
            ..FunctionGroupUsage::default()
        };
        g.on_demand_duration_ms.add(100, 10);
        let u = Usage {
            period_ms: 60_000,
            functions: vec![g],
            instances: vec![],
        };
        let s = u.scaled_traffic(1.5);
        assert_eq!(s.functions[0].requests, 15);
        assert_eq!(s.functions[0].on_demand_duration_ms.count(), 15);
        assert_eq!(s.functions[0].provisioned_periods, u.functions[0].provisioned_periods);
        assert_eq!(s.functions[0].instance_idle_ms, 5_000);
    }
}
