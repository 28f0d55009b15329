//! The normalized `Workload`: what a trace file says about each function (ids, trigger,
//! arrivals, durations, memory), and nothing it does not say. Every reader in `trace/`
//! produces one; `sim/arrivals` and `characterize` consume it.

use serde::Serialize;

use super::dense_counts::{bytes_for_all, DenseCounts};
use super::poisson::PoissonProcess;
use super::sparse_counts::SparseCounts;

use crate::units::MS_PER_MINUTE;

/// Identity of one function: Azure's (owner, app, function) triple. Formats with fewer
/// levels fill the missing ones: Lambda logs and the generic CSV use the function name
/// for the app and an empty owner.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FunctionId {
    /// Owner (subscription) id; empty when the format has none.
    pub owner: String,
    /// Application id: the unit of memory allocation and warm-up on Azure.
    pub app: String,
    /// Function id or name.
    pub function: String,
}

impl FunctionId {
    /// A function that is its own app (Lambda, generic CSV).
    pub fn standalone(name: &str) -> Self {
        FunctionId {
            owner: String::new(),
            app: name.to_string(),
            function: name.to_string(),
        }
    }

    /// The (owner, app) pair that identifies the function's app.
    pub fn app_key(&self) -> (&str, &str) {
        (&self.owner, &self.app)
    }
}

/// Hashing for maps keyed by function ids or their parts: FxHash (`rustc-hash`, as in rustc).
/// A trace's ids are the user's own data, so SipHash's resistance to crafted collisions buys
/// nothing here, and it was a tenth of `inspect`'s CPU on a 50,000-function Azure day.
pub type IdHash = rustc_hash::FxBuildHasher;

/// What triggers a function, in the seven groups of the Azure 2019 dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// HTTP request.
    Http,
    /// Timer (cron).
    Timer,
    /// Event (Event Hub, Event Grid).
    Event,
    /// Queue message.
    Queue,
    /// Storage (blob) change.
    Storage,
    /// Durable Functions orchestration.
    Orchestration,
    /// Any other trigger.
    Others,
    /// The trace does not say.
    Unknown,
}

impl Trigger {
    /// Parses the dataset's trigger names; anything else is `None`.
    pub fn parse(name: &str) -> Option<Trigger> {
        const NAMES: [(&str, Trigger); 10] = [
            ("http", Trigger::Http),
            ("timer", Trigger::Timer),
            ("event", Trigger::Event),
            ("queue", Trigger::Queue),
            ("storage", Trigger::Storage),
            ("orchestration", Trigger::Orchestration),
            ("others", Trigger::Others),
            ("other", Trigger::Others),
            ("unknown", Trigger::Unknown),
            ("", Trigger::Unknown),
        ];
        let name = name.trim();
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, t)| t)
    }

    /// The lowercase name used in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::Http => "http",
            Trigger::Timer => "timer",
            Trigger::Event => "event",
            Trigger::Queue => "queue",
            Trigger::Storage => "storage",
            Trigger::Orchestration => "orchestration",
            Trigger::Others => "others",
            Trigger::Unknown => "unknown",
        }
    }
}

/// One invocation whose start the trace records exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Invocation {
    /// Start time in ms on the trace's own clock (epoch ms for wall-clock traces,
    /// ms since trace start for Azure 2021).
    pub start_ms: u64,
    /// Execution duration in µs (excluding any cold start).
    pub duration_us: u64,
    /// Init (cold start) duration in µs, when the trace reports one for this invocation.
    pub init_duration_us: Option<u64>,
    /// Billed duration in ms as the provider reported it (Lambda REPORT lines).
    pub billed_duration_ms: Option<u64>,
    /// Whether the trace marks this invocation as a cold start: the generic CSV's
    /// `cold_start` column, or a Lambda REPORT line with (true) or without (false) an
    /// `Init Duration`; `None` when the trace does not say.
    pub cold_start: Option<bool>,
    /// Response size in bytes, when the trace records it (generic CSV `response_bytes`).
    pub response_bytes: Option<u64>,
}

/// Invocations per minute, kept compact: dense counts (8 or 16 bits a minute while they fit,
/// [`DenseCounts`]) for busy functions, the busy minutes beside their counts
/// ([`SparseCounts`]) for the many that are rarely invoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum MinuteCounts {
    /// One count per minute from `first_minute` on.
    Dense {
        /// Minute index (from the trace's minute 0) of `counts[0]`.
        first_minute: u32,
        /// Invocations in each minute.
        counts: DenseCounts,
    },
    /// Only the minutes with invocations, in increasing minute order.
    Sparse {
        /// Minute indexes and their invocations (each above zero).
        entries: SparseCounts,
    },
}

impl MinuteCounts {
    /// Whether `nonzero` busy minutes of `minutes` whose counts take `width_bytes` each (the
    /// narrowest width the largest fits: 1, 2 or 4) are kept sparse: a busy minute kept sparse
    /// costs its index's low 16 bits and a count, a minute kept dense a count, so sparse is
    /// smaller while `nonzero × (2 + width) < minutes × width` (under a third of the minutes
    /// busy at 8-bit counts, half at 16, two thirds at 32).
    pub(crate) fn sparse_is_smaller(nonzero: usize, minutes: usize, width_bytes: usize) -> bool {
        nonzero * (2 + width_bytes) < minutes * width_bytes
    }

    /// Builds the compact form of `counts` starting at `first_minute`: sparse when that is
    /// smaller ([`sparse_is_smaller`](Self::sparse_is_smaller)).
    pub fn from_dense(first_minute: u32, counts: Vec<u32>) -> Self {
        let nonzero = counts.iter().filter(|&&c| c > 0).count();
        let width = bytes_for_all(counts.iter().copied());
        if Self::sparse_is_smaller(nonzero, counts.len(), width) {
            let mut entries = SparseCounts::with_capacity(nonzero);
            entries.extend(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(|(i, &c)| (first_minute + i as u32, c)),
            );
            MinuteCounts::Sparse { entries }
        } else {
            MinuteCounts::Dense {
                first_minute,
                counts: counts.into(),
            }
        }
    }

    /// The minutes with at least one invocation, as `(minute index, invocations)`.
    pub fn nonzero(&self) -> Box<dyn Iterator<Item = (u32, u32)> + '_> {
        match self {
            MinuteCounts::Dense { first_minute, counts } => Box::new(
                counts
                    .iter()
                    .enumerate()
                    .filter(|&(_, c)| c > 0)
                    .map(move |(i, c)| (first_minute + i as u32, c)),
            ),
            MinuteCounts::Sparse { entries } => Box::new(entries.iter()),
        }
    }

    /// Releases the room appending days left beyond the counts (a vector grown by appends may
    /// hold up to twice what it uses; a trace is kept for the whole replay).
    pub fn shrink_to_fit(&mut self) {
        match self {
            MinuteCounts::Dense { counts, .. } => counts.shrink_to_fit(),
            MinuteCounts::Sparse { entries } => entries.shrink_to_fit(),
        }
    }

    /// The counts' capacity and length, in values (a sparse entry is two).
    #[cfg(test)]
    pub(crate) fn capacity_and_len(&self) -> (usize, usize) {
        match self {
            MinuteCounts::Dense { counts, .. } => counts.capacity_and_len(),
            MinuteCounts::Sparse { entries } => entries.capacity_and_len(),
        }
    }

    /// Total invocations.
    pub fn total(&self) -> u64 {
        match self {
            MinuteCounts::Dense { counts, .. } => counts.total(),
            MinuteCounts::Sparse { entries } => entries.total(),
        }
    }

    /// Merges another day's (or file's) counts into these, adding counts of equal minutes, in
    /// one pass over both (each lists its minutes in increasing order: `stats::merge_sorted`);
    /// the result takes the form [`from_dense`](Self::from_dense) gives the sums. A later day is appended in place
    /// (days read in order cost their own length, not the days before them again). Fails,
    /// changing nothing, with the first minute whose sum a count cannot hold (above `u32::MAX`).
    pub fn merge(&mut self, other: &MinuteCounts) -> Result<(), MinuteOverflow> {
        if self.append(other) {
            return Ok(());
        }
        let widen = |(m, c): (u32, u32)| (m, u64::from(c));
        let sums = crate::stats::merge_sorted(
            self.nonzero().map(widen),
            other.nonzero().map(widen),
            |e| u64::from(e.0),
            |x, y| (x.0, x.1 + y.1),
        );
        if let Some(&(minute, invocations)) = sums.iter().find(|e| e.1 > u64::from(u32::MAX)) {
            return Err(MinuteOverflow { minute, invocations });
        }
        let entries: Vec<(u32, u32)> = sums.into_iter().map(|(m, c)| (m, c as u32)).collect();
        *self = Self::from_entries(entries);
        Ok(())
    }

    /// The compact form of `entries` (increasing minutes, counts above zero): what
    /// [`from_dense`](Self::from_dense) gives their dense run, built without it when sparse
    /// (minutes far apart never allocate the span between them).
    pub(crate) fn from_entries(entries: Vec<(u32, u32)>) -> Self {
        let width = bytes_for_all(entries.iter().map(|e| e.1));
        match (entries.first(), entries.last()) {
            (Some(&(first, _)), Some(&(last, _)))
                if !Self::sparse_is_smaller(entries.len(), (last - first) as usize + 1, width) =>
            {
                let mut counts = vec![0u32; (last - first) as usize + 1];
                for (m, c) in entries {
                    counts[(m - first) as usize] = c;
                }
                MinuteCounts::Dense {
                    first_minute: first,
                    counts: counts.into(),
                }
            }
            _ => MinuteCounts::Sparse {
                entries: entries.into_iter().collect(),
            },
        }
    }

    /// The first and last minutes with invocations, how many have some and the bytes each
    /// count takes, if any minute has some.
    fn busy_summary(&self) -> Option<(u32, u32, usize, usize)> {
        match self {
            MinuteCounts::Sparse { entries } => {
                let (first, last) = entries.first_and_last()?;
                Some((first, last, entries.len(), entries.width_bytes()))
            }
            MinuteCounts::Dense { first_minute, counts } => {
                let (first, last, busy) = counts.busy_span()?;
                Some((
                    first_minute + first as u32,
                    first_minute + last as u32,
                    busy,
                    counts.width_bytes(),
                ))
            }
        }
    }

    /// [`busy_summary`](Self::busy_summary), when these counts are in the form
    /// [`merge`](Self::merge) leaves them (a dense run starts and ends with a busy minute; the
    /// form is the smaller one).
    fn merged_form(&self) -> Option<(u32, u32, usize, usize)> {
        let (first, last, nonzero, width) = self.busy_summary()?;
        let (sparse, whole_run) = match self {
            MinuteCounts::Sparse { .. } => (true, true),
            MinuteCounts::Dense { first_minute, counts } => (
                false,
                *first_minute == first && counts.len() == (last - first) as usize + 1,
            ),
        };
        (whole_run && sparse == Self::sparse_is_smaller(nonzero, (last - first) as usize + 1, width))
            .then_some((first, last, nonzero, width))
    }

    /// Appends `other` when every minute of it comes after these (or it has none: a day
    /// without calls, a third of an Azure-like day's rows) and these are in merged form, leaving
    /// what the general merge would; false (nothing changed) otherwise.
    fn append(&mut self, other: &MinuteCounts) -> bool {
        let other_busy = other.busy_summary();
        let Some((first, last, nonzero, width)) = self.merged_form() else {
            return false;
        };
        let Some((other_first, other_last, added, other_width)) = other_busy else {
            return true;
        };
        if other_first <= last {
            return false;
        }
        // Every count is canonical: the width is the one its largest count takes.
        debug_assert_eq!(
            other_width,
            bytes_for_all(other.nonzero().map(|e| e.1)),
            "canonical counts"
        );
        let width = width.max(other_width);
        let sparse = Self::sparse_is_smaller(nonzero + added, (other_last - first) as usize + 1, width);
        match self {
            MinuteCounts::Sparse { entries } if sparse => {
                entries.reserve(added);
                entries.extend(other.nonzero());
            }
            MinuteCounts::Dense { counts, .. } if !sparse => {
                counts.reserve((other_last - first) as usize + 1 - counts.len());
                for (m, c) in other.nonzero() {
                    counts.push_after_zeros((m - first) as usize - counts.len(), c);
                }
            }
            // The other form is now the smaller one (rare: a rate that changed across days).
            _ => *self = Self::from_entries(self.nonzero().chain(other.nonzero()).collect()),
        }
        true
    }
}

/// A minute whose invocations, added up from several rows or files, exceed what a per-minute
/// count holds (`u32::MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinuteOverflow {
    /// Minute index (from the trace's minute 0).
    pub minute: u32,
    /// The sum.
    pub invocations: u64,
}

/// How a function's arrivals are known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Arrivals {
    /// Exact start times, sorted by `start_ms`.
    Timestamps(Vec<Invocation>),
    /// Invocations per minute only (Azure 2019); `sim/arrivals` places them in the minute.
    PerMinute(MinuteCounts),
    /// Invocations with no time at all (Lambda REPORT lines without export timestamps):
    /// their durations can be priced, but they cannot be replayed in time.
    Untimed(Vec<Invocation>),
    /// A synthetic Poisson process (`simulate --synthetic-poisson`): `sim/arrivals` draws its
    /// invocations as the replay pulls them, so they are never held in memory.
    Poisson(PoissonProcess),
}

impl Arrivals {
    /// Releases the room merging files left beyond the arrivals held.
    pub fn shrink_to_fit(&mut self) {
        match self {
            Arrivals::Timestamps(v) | Arrivals::Untimed(v) => v.shrink_to_fit(),
            Arrivals::PerMinute(c) => c.shrink_to_fit(),
            Arrivals::Poisson(_) => {}
        }
    }

    /// Total invocations recorded (a Poisson process is drawn to count them).
    pub fn invocations(&self) -> u64 {
        match self {
            Arrivals::Timestamps(v) | Arrivals::Untimed(v) => v.len() as u64,
            Arrivals::PerMinute(c) => c.total(),
            Arrivals::Poisson(p) => p.invocations(),
        }
    }

    /// The per-invocation records, when the trace has them.
    pub fn records(&self) -> Option<&[Invocation]> {
        match self {
            Arrivals::Timestamps(v) | Arrivals::Untimed(v) => Some(v),
            Arrivals::PerMinute(_) | Arrivals::Poisson(_) => None,
        }
    }
}

/// Duration percentiles of one function as the Azure 2019 dataset gives them (ms).
/// They are weighted percentiles of 30-second averages, excluding cold starts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DurationPercentiles {
    /// Mean execution time.
    pub average_ms: f64,
    /// Executions counted by the durations log (may differ from the invocation counts).
    pub count: u64,
    /// Minimum, when logged.
    pub minimum_ms: Option<f64>,
    /// Maximum, when logged.
    pub maximum_ms: Option<f64>,
    /// Percentiles 0, 1, 25, 50, 75, 99, 100.
    pub p0_ms: f64,
    /// 1st percentile.
    pub p1_ms: f64,
    /// 25th percentile.
    pub p25_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 75th percentile.
    pub p75_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 100th percentile.
    pub p100_ms: f64,
}

impl DurationPercentiles {
    /// The (percentile, ms) points, for piecewise-linear inverse-CDF sampling.
    pub fn points(&self) -> [(f64, f64); 7] {
        [
            (0.0, self.p0_ms),
            (1.0, self.p1_ms),
            (25.0, self.p25_ms),
            (50.0, self.p50_ms),
            (75.0, self.p75_ms),
            (99.0, self.p99_ms),
            (100.0, self.p100_ms),
        ]
    }
}

/// What the trace says about a function's execution durations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum DurationInfo {
    /// Every invocation record carries its own duration.
    Samples,
    /// Only percentiles are known (Azure 2019).
    Percentiles(DurationPercentiles),
    /// The trace says nothing about durations for this function.
    Unknown,
}

/// Allocated-memory percentiles (MB) as the Azure 2019 memory file gives them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AllocatedMemory {
    /// Whether the figures are for the whole app or this function's share of it.
    pub scope: MemoryScope,
    /// Number of 5-second samples behind the figures.
    pub sample_count: u64,
    /// Mean allocated memory.
    pub average_mb: f64,
    /// Percentiles 1, 5, 25, 50, 75, 95, 99, 100 of the per-minute averages.
    pub percentiles_mb: [f64; 8],
}

/// The scope of an `AllocatedMemory` figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryScope {
    /// The upstream per-app file: the figure is the app's.
    App,
    /// A per-function file that divided the app's memory among its functions.
    FunctionShare,
}

/// What the trace says about a function's memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MemoryInfo {
    /// Configured memory size (Lambda `Memory Size`, CSV `memory_mb`).
    pub configured_mb: Option<u32>,
    /// Largest memory used by any invocation (Lambda `Max Memory Used`).
    pub max_used_mb: Option<u32>,
    /// Allocated-memory percentiles (Azure 2019).
    pub allocated: Option<AllocatedMemory>,
}

/// Everything one trace says about one function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionTrace {
    /// Identity.
    pub id: FunctionId,
    /// Trigger group.
    pub trigger: Trigger,
    /// When it was invoked.
    pub arrivals: Arrivals,
    /// How long it ran.
    pub duration: DurationInfo,
    /// How much memory it had and used.
    pub memory: MemoryInfo,
}

/// A source file read into the workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFile {
    /// Path as given on the command line.
    pub path: String,
    /// Format it was read as.
    pub format: String,
    /// Rows (or lines) read, including skipped ones.
    pub rows: u64,
}

/// The normalized workload: the functions of one or more trace files and the window they cover.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    /// Functions, sorted by id.
    pub functions: Vec<FunctionTrace>,
    /// Start of the observed window, in the trace's own ms clock.
    pub window_start_ms: u64,
    /// End of the observed window (exclusive).
    pub window_end_ms: u64,
    /// Files read.
    pub sources: Vec<SourceFile>,
    /// Non-fatal problems: skipped rows, missing joins. Each says what to do.
    pub warnings: Vec<String>,
}

impl Workload {
    /// Length of the observed window in ms.
    pub fn window_ms(&self) -> u64 {
        self.window_end_ms.saturating_sub(self.window_start_ms)
    }

    /// Length of the observed window in whole minutes (rounded up).
    pub fn window_minutes(&self) -> u64 {
        self.window_ms().div_ceil(MS_PER_MINUTE)
    }

    /// Total invocations over all functions.
    pub fn invocations(&self) -> u64 {
        self.functions.iter().map(|f| f.arrivals.invocations()).sum()
    }

    /// The workload with every Poisson process drawn into timestamps, for the analyses that
    /// read invocations as records (borrowed as it is when it has none).
    pub fn drawn(&self) -> std::borrow::Cow<'_, Workload> {
        if !self
            .functions
            .iter()
            .any(|f| matches!(f.arrivals, Arrivals::Poisson(_)))
        {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut w = self.clone();
        for f in &mut w.functions {
            if let Arrivals::Poisson(p) = f.arrivals {
                f.arrivals = p.to_timestamps();
            }
        }
        std::borrow::Cow::Owned(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The merge as it was first written: every minute summed in an ordered map, then the
    /// compact form of the dense run from the first busy minute to the last.
    fn reference(a: &MinuteCounts, b: &MinuteCounts) -> MinuteCounts {
        let mut all = std::collections::BTreeMap::new();
        for (m, c) in a.nonzero().chain(b.nonzero()) {
            *all.entry(m).or_insert(0u64) += u64::from(c);
        }
        let (Some(&first), Some(&last)) = (all.keys().next(), all.keys().next_back()) else {
            return MinuteCounts::Sparse {
                entries: SparseCounts::default(),
            };
        };
        let mut dense = vec![0u32; (last - first + 1) as usize];
        for (m, c) in all {
            dense[(m - first) as usize] = u32::try_from(c).unwrap();
        }
        MinuteCounts::from_dense(first, dense)
    }

    /// A day of `minutes` counts from `first`, each busy with probability `busy` (a small
    /// seeded generator) with 1 to `top` invocations, as the reader gives it: dense over the
    /// whole day, or compact. Where `top` is above 255, one busy minute in a thousand holds
    /// 65,536–66,535 invocations (dense counts past 16 bits widen, alone or summed).
    fn day(seed: &mut u64, first: u32, minutes: u32, (busy, top): (f64, u32), compact: bool) -> MinuteCounts {
        let counts: Vec<u32> = (0..minutes)
            .map(|_| {
                *seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let u = (*seed >> 11) as f64 / (1u64 << 53) as f64;
                let n = (*seed >> 40) as u32;
                if u < busy && n.is_multiple_of(1_000) && top > 255 {
                    65_536 + (n >> 10) % 1_000
                } else if u < busy {
                    1 + n % top
                } else {
                    0
                }
            })
            .collect();
        if compact {
            MinuteCounts::from_dense(first, counts)
        } else {
            MinuteCounts::Dense {
                first_minute: first,
                counts: counts.into(),
            }
        }
    }

    #[test]
    fn merging_days_in_any_order_and_form_sums_minutes_into_the_compact_form() {
        let mut seed = 7;
        // Days in order (appended), overlapping, before the first, empty; sparse and dense
        // days, and reader-style dense days with idle minutes at either end.
        let mut forms = std::collections::BTreeSet::new();
        for (busy, top, compact) in [0.0, 0.01, 0.3, 0.6, 1.0].into_iter().flat_map(|busy| {
            [
                (busy, 200, false),
                (busy, 200, true),
                (busy, 1_000, false),
                (busy, 1_000, true),
            ]
        }) {
            let mut merged = day(&mut seed, 0, 1_440, (busy, top), compact);
            let mut expected = merged.clone();
            for first in [1_440, 2_880, 2_000, 0, 10_000, 5_760] {
                let busy_now = if first == 5_760 { 0.9 } else { busy };
                let next = day(&mut seed, first, 1_440, (busy_now, top), !compact);
                expected = reference(&expected, &next);
                merged.merge(&next).unwrap();
                assert_eq!(
                    merged, expected,
                    "busy {busy}, top {top}, compact {compact}, day from {first}"
                );
                assert_eq!(merged.total(), expected.total());
                forms.insert(match &merged {
                    MinuteCounts::Dense { counts, .. } => counts.width_bytes(),
                    MinuteCounts::Sparse { entries } => 10 + entries.width_bytes(),
                });
            }
        }
        // Dense in 1, 2 and 4 bytes a count; sparse in 1, 2 and 4.
        assert_eq!(
            forms.into_iter().collect::<Vec<_>>(),
            vec![1, 2, 4, 11, 12, 14],
            "every form is reached"
        );
    }

    /// Sparse exactly while that takes fewer bytes: a busy minute kept sparse costs 2 bytes of
    /// its index and a count, a minute kept dense a count, each count in the narrowest width
    /// the largest fits. 8-bit counts: 3 busy minutes of 10 take 9 bytes sparse against 10
    /// dense; 4 of 12 take 12 against 12 and stay dense, as do 4 of 10 (12 against 10: sparse
    /// under the 16-bit rule). 16-bit: 4 of 10 take 16 against 20; 5 of 10 take 20 against
    /// 20. 32-bit: 6 of 10 take 36 against 40; 7 of 10 take 42 against 40.
    #[test]
    fn a_function_is_kept_sparse_exactly_while_that_takes_fewer_bytes() {
        let day = |busy: &[usize], minutes: usize, count: u32| {
            let mut counts = vec![0; minutes];
            for &m in busy {
                counts[m] = count;
            }
            MinuteCounts::from_dense(0, counts)
        };
        let form = |c: &MinuteCounts| match c {
            MinuteCounts::Sparse { entries } => ("sparse", entries.width_bytes(), entries.len()),
            MinuteCounts::Dense { counts, .. } => ("dense", counts.width_bytes(), counts.len()),
        };
        assert_eq!(form(&day(&[0, 4, 9], 10, 7)), ("sparse", 1, 3));
        assert_eq!(form(&day(&[0, 4, 8, 11], 12, 7)), ("dense", 1, 12));
        assert_eq!(form(&day(&[0, 4, 8, 9], 10, 7)), ("dense", 1, 10));
        assert_eq!(day(&[0, 4, 9], 10, 7).capacity_and_len(), (6, 6));
        assert_eq!(form(&day(&[0, 4, 8, 9], 10, 300)), ("sparse", 2, 4));
        assert_eq!(form(&day(&[0, 4, 7, 8, 9], 10, 300)), ("dense", 2, 10));
        assert_eq!(form(&day(&[0, 1, 2, 4, 8, 9], 10, 70_000)), ("sparse", 4, 6));
        assert_eq!(form(&day(&[0, 1, 2, 4, 7, 8, 9], 10, 70_000)), ("dense", 4, 10));

        // A merge and an append leave the same form as building at once.
        let mut merged = day(&[0, 1, 4], 6, 7);
        merged
            .merge(&MinuteCounts::from_dense(6, vec![7, 0, 0, 0, 0, 0]))
            .unwrap();
        assert_eq!(merged, day(&[0, 1, 4, 6], 7, 7));
        assert_eq!(form(&merged), ("dense", 1, 7));
        merged
            .merge(&MinuteCounts::from_dense(12, vec![0, 0, 0, 0, 0, 7]))
            .unwrap();
        assert_eq!(form(&merged), ("sparse", 1, 5), "5 of 18: 15 bytes against 18");
        // A later count that widens the counts flips the form: 4 of 10 busy minutes dense at 8
        // bits, then a fifth at 300: 5 of 11 take 20 bytes sparse against 22 dense.
        let mut widened = day(&[0, 4, 8, 9], 10, 7);
        widened.merge(&MinuteCounts::from_dense(10, vec![300])).unwrap();
        assert_eq!(form(&widened), ("sparse", 2, 5));
        let mut at_once = vec![0; 11];
        for m in [0, 4, 8, 9] {
            at_once[m] = 7;
        }
        at_once[10] = 300;
        assert_eq!(widened, MinuteCounts::from_dense(0, at_once));
    }

    /// Fourteen days appended one at a time leave at most an eighth of the counts spare, in either
    /// form (doubling left up to as much again: e.g. 5,760 room for the 4,320 counts of three
    /// dense days); a count past 16 bits widens the counts with their room.
    #[test]
    fn days_appended_in_turn_leave_at_most_an_eighth_spare() {
        let spare_ok = |c: &MinuteCounts| {
            let (capacity, len) = c.capacity_and_len();
            capacity >= len && capacity - len <= len / 8
        };
        let mut dense = MinuteCounts::from_dense(0, vec![2; 1_440]);
        let mut sparse = MinuteCounts::from_dense(0, [vec![1], vec![0; 1_439]].concat());
        for day in 1..14u32 {
            let busiest = if day == 9 { 70_000 } else { 2 };
            dense
                .merge(&MinuteCounts::from_dense(
                    day * 1_440,
                    [vec![busiest], vec![2; 1_439]].concat(),
                ))
                .unwrap();
            sparse
                .merge(&MinuteCounts::from_dense(
                    day * 1_440,
                    [vec![day], vec![0; 1_439]].concat(),
                ))
                .unwrap();
            assert!(spare_ok(&dense), "day {day}: {:?}", dense.capacity_and_len());
            assert!(spare_ok(&sparse), "day {day}: {:?}", sparse.capacity_and_len());
        }
        assert!(matches!(
            &dense,
            MinuteCounts::Dense { counts: DenseCounts::Wide(c), .. } if c.len() == 14 * 1_440
        ));
        assert!(matches!(&sparse, MinuteCounts::Sparse { entries } if entries.len() == 14));
        assert_eq!(
            (dense.total(), sparse.total()),
            (2 * 14 * 1_440 - 2 + 70_000, 1 + (1..14).sum::<u64>())
        );
    }

    /// A day without calls merged into counts in merged form leaves them as they are, their
    /// room included (it rebuilt them from their minutes: one allocation and a pass each, for a
    /// third of an Azure-like day's rows); into counts not in merged form it gives that form.
    #[test]
    fn a_day_without_calls_changes_nothing() {
        let empty = MinuteCounts::from_dense(20_000, vec![0; 1_440]);
        // Dense (100 busy minutes) and sparse (200 of 10,000): a small later day appended
        // makes room for an eighth of the counts.
        let sparse_day: Vec<u32> = (0..10_000).map(|m| u32::from(m % 50 == 0)).collect();
        for day in [vec![2; 100], sparse_day] {
            let mut c = MinuteCounts::from_dense(0, day.clone());
            c.merge(&MinuteCounts::from_dense(day.len() as u32, vec![0, 1]))
                .unwrap();
            let before = (c.clone(), c.capacity_and_len());
            assert!(before.1 .0 > before.1 .1, "appended with room to spare: {:?}", before.1);
            c.merge(&empty).unwrap();
            assert_eq!((c.clone(), c.capacity_and_len()), before);
        }
        // A reader's row sparse by the day's length, dense by its busy span (2 busy minutes of
        // 5 at 8-bit counts: 6 bytes against 5), takes the merged form.
        let mut reader_row = MinuteCounts::Sparse {
            entries: [(0, 1), (4, 1)].into_iter().collect(),
        };
        reader_row.merge(&empty).unwrap();
        assert_eq!(reader_row, MinuteCounts::from_dense(0, vec![1, 0, 0, 0, 1]));
        assert!(matches!(reader_row, MinuteCounts::Dense { .. }));
        // A reader's dense day with idle minutes at its ends takes the merged form.
        let mut reader_day = MinuteCounts::Dense {
            first_minute: 0,
            counts: vec![0, 2, 2, 2, 2, 0].into(),
        };
        reader_day.merge(&empty).unwrap();
        assert_eq!(
            reader_day,
            MinuteCounts::Dense {
                first_minute: 1,
                counts: vec![2; 4].into()
            }
        );
    }

    #[test]
    fn a_later_day_flips_the_form_when_the_other_one_becomes_smaller() {
        // One busy minute, then a fully busy day right after: dense; then a lone minute far
        // later: sparse again.
        let mut c = MinuteCounts::from_dense(0, vec![5]);
        c.merge(&MinuteCounts::from_dense(1, vec![1; 10])).unwrap();
        assert_eq!(
            c,
            MinuteCounts::Dense {
                first_minute: 0,
                counts: DenseCounts::Byte([vec![5], vec![1; 10]].concat())
            }
        );
        c.merge(&MinuteCounts::from_dense(100, vec![2])).unwrap();
        let mut entries: Vec<(u32, u32)> = vec![(0, 5)];
        entries.extend((1..=10).map(|m| (m, 1)));
        entries.push((100, 2));
        assert_eq!(
            c,
            MinuteCounts::Sparse {
                entries: entries.into_iter().collect()
            }
        );
    }

    /// A day appended in place with a minute past 16 bits widens the counts before it; one
    /// merged over them whose sum passes 16 bits too.
    #[test]
    fn a_later_count_past_16_bits_widens_the_dense_counts() {
        let mut c = MinuteCounts::from_dense(0, vec![3; 4]);
        c.merge(&MinuteCounts::from_dense(4, vec![65_535, 65_536, 2])).unwrap();
        let expected = vec![3, 3, 3, 3, 65_535, 65_536, 2];
        assert_eq!(
            c,
            MinuteCounts::Dense {
                first_minute: 0,
                counts: DenseCounts::Wide(expected)
            }
        );
        assert_eq!(c.total(), 12 + 65_535 + 65_536 + 2);
        let mut c = MinuteCounts::from_dense(0, vec![60_000, 1, 1]);
        c.merge(&MinuteCounts::from_dense(0, vec![5_536, 0, 1])).unwrap();
        assert_eq!(
            c,
            MinuteCounts::Dense {
                first_minute: 0,
                counts: DenseCounts::Wide(vec![65_536, 1, 2])
            }
        );
    }

    #[test]
    fn a_minute_summed_beyond_a_count_is_an_error_that_changes_nothing() {
        let mut a = MinuteCounts::from_dense(3, vec![u32::MAX - 1, 7]);
        let before = a.clone();
        let err = a.merge(&MinuteCounts::from_dense(4, vec![1, 0])).map(|_| ());
        assert_eq!(err, Ok(()));
        let err = a.merge(&MinuteCounts::from_dense(3, vec![2])).unwrap_err();
        assert_eq!(
            err,
            MinuteOverflow {
                minute: 3,
                invocations: u64::from(u32::MAX) + 1
            }
        );
        assert_eq!(a, MinuteCounts::from_dense(3, vec![u32::MAX - 1, 8]));
        assert_ne!(a, before);
    }
}
