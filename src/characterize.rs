//! Workload characterization: the figures *Serverless in the Wild* (Shahrad et al., USENIX
//! ATC 2020, §3) publishes for the Azure Functions dataset, computed for any `Workload` —
//! how many functions and apps, how often they are invoked (shares at most once a minute /
//! once an hour on average, per function and per app), triggers, functions per app,
//! durations, memory, burstiness (peak-to-mean per-minute rate, idle-minute share) and the
//! coefficient of variation of inter-arrival times.
//!
//! Rates are averages over the whole observed window (`Workload::window_minutes`), as the
//! paper's Figure 5 uses them. Inter-arrival times come from exact timestamps where the
//! trace has them; from per-minute counts they are approximated by spacing a minute's
//! invocations evenly inside it (exact for functions invoked at most once a minute).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::warning::{Warning, WarningCode};

use crate::stats::Summary;
use crate::trace::{Arrivals, DurationInfo, IdHash, MemoryScope, MinuteCounts, Workload};
use crate::units::{MS_PER_MINUTE, US_PER_MS};

/// Minimum invocations for a function's inter-arrival CV to be measured (two gaps).
const MIN_INVOCATIONS_FOR_CV: u64 = 3;

/// The characterization of one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadProfile {
    /// Functions.
    pub functions: u64,
    /// Apps (distinct owner + app).
    pub apps: u64,
    /// Owners.
    pub owners: u64,
    /// Invocations in the trace.
    pub invocations: u64,
    /// Length of the observed window in minutes.
    pub minutes: u64,
    /// Share of functions (with timed arrivals) whose average rate is ≤ 1 per minute.
    pub functions_avg_rate_at_most_1_per_minute: Option<f64>,
    /// Share of functions whose average rate is ≤ 1 per hour.
    pub functions_avg_rate_at_most_1_per_hour: Option<f64>,
    /// Share of apps (summing their functions) whose average rate is ≤ 1 per minute.
    pub apps_avg_rate_at_most_1_per_minute: Option<f64>,
    /// Share of apps whose average rate is ≤ 1 per hour.
    pub apps_avg_rate_at_most_1_per_hour: Option<f64>,
    /// Trigger → share of functions.
    pub triggers: BTreeMap<String, f64>,
    /// Trigger → share of invocations.
    pub triggers_by_invocations: BTreeMap<String, f64>,
    /// Functions per app, in the paper's groups (1, 2, 3, 4-5, 6-10, 11+) → share of apps.
    pub functions_per_app: BTreeMap<String, f64>,
    /// Average invocations per minute of each function (the 8-orders-of-magnitude spread).
    pub rate_per_minute: Option<Summary>,
    /// Average execution duration of each function with known durations (ms); Azure rows
    /// with an average of 0 (logging errors, per the dataset's authors) are left out.
    pub duration_ms: Option<Summary>,
    /// Memory per app (MB): average allocated (Azure) or configured (Lambda, CSV) MB.
    pub memory_mb: Option<MemorySummary>,
    /// Peak per-minute invocations over the mean, per function with timed arrivals.
    pub peak_to_mean: Option<Summary>,
    /// Share of the window's minutes with no invocation, per function with timed arrivals.
    pub idle_minutes_fraction: Option<Summary>,
    /// Coefficient of variation of inter-arrival times, per function with ≥ 3 invocations.
    pub iat_cv: Option<IatSummary>,
    /// Non-fatal problems met while reading the trace.
    pub warnings: Vec<Warning>,
}

/// Memory per app, and what the figure is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemorySummary {
    /// `allocated` (Azure's average allocated memory per app) or `configured` (memory size).
    pub basis: String,
    /// The distribution over apps.
    #[serde(flatten)]
    pub summary: Summary,
}

/// Inter-arrival CV over functions, and how the inter-arrival times were obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IatSummary {
    /// `timestamps`, `per-minute counts (evenly spaced in the minute)`, or `mixed`.
    pub basis: String,
    /// Share of measured functions with CV ≤ 0.1 (periodic, e.g. timers).
    pub share_cv_at_most_0_1: f64,
    /// Share of measured functions with CV > 1 (burstier than Poisson).
    pub share_cv_above_1: f64,
    /// The distribution over functions.
    #[serde(flatten)]
    pub summary: Summary,
}

/// Running sums for a coefficient of variation.
#[derive(Default)]
struct Moments {
    n: f64,
    sum: f64,
    sum_sq: f64,
}

impl Moments {
    fn add(&mut self, x: f64, times: f64) {
        self.n += times;
        self.sum += x * times;
        self.sum_sq += x * x * times;
    }

    fn cv(&self) -> Option<f64> {
        if self.n < 2.0 {
            return None;
        }
        let mean = self.sum / self.n;
        if mean <= 0.0 {
            return None;
        }
        let var = (self.sum_sq / self.n - mean * mean).max(0.0);
        Some(var.sqrt() / mean)
    }
}

/// Per-function shape measured from its arrivals.
pub(crate) struct Shape {
    /// Busiest minute's invocations over the mean per minute.
    pub peak_to_mean: f64,
    /// Share of the window's minutes with no invocation.
    pub idle_fraction: f64,
    /// Coefficient of variation of inter-arrival times (≥ 3 invocations).
    pub iat_cv: Option<f64>,
}

/// Characterizes a workload.
pub fn characterize(w: &Workload) -> WorkloadProfile {
    let minutes = w.window_minutes().max(1);
    // Only counted (never listed in order), so hashed.
    let mut apps: HashMap<(&str, &str), (u64, u64, bool), IdHash> = HashMap::default(); // invocations, functions, timed
    let mut owners: HashSet<&str, IdHash> = HashSet::default();
    let mut total_invocations = 0u64;
    let mut trigger_functions: BTreeMap<&str, u64> = BTreeMap::new();
    let mut trigger_invocations: BTreeMap<&str, u64> = BTreeMap::new();
    let (mut timed, mut fn_le_min, mut fn_le_hour) = (0u64, 0u64, 0u64);
    let mut rates = Vec::new();
    let mut durations = Vec::new();
    let (mut peak, mut idle, mut cvs) = (Vec::new(), Vec::new(), Vec::new());
    let (mut cv_from_ts, mut cv_from_counts) = (false, false);
    // Each function's count and shape, a pass over its arrivals, side by side (folded below
    // in the functions' order).
    let measured: Vec<(u64, Option<Shape>)> = w
        .functions
        .par_iter()
        .map(|f| {
            let is_timed = !matches!(f.arrivals, Arrivals::Untimed(_));
            let shape = is_timed
                .then(|| shape(&f.arrivals, w.window_start_ms, minutes))
                .flatten();
            (f.arrivals.invocations(), shape)
        })
        .collect();
    for (f, (n, shape)) in w.functions.iter().zip(measured) {
        total_invocations += n;
        let is_timed = !matches!(f.arrivals, Arrivals::Untimed(_));
        owners.insert(f.id.owner.as_str());
        let app = apps.entry(f.id.app_key()).or_default();
        app.0 += n;
        app.1 += 1;
        app.2 |= is_timed;
        *trigger_functions.entry(f.trigger.name()).or_default() += 1;
        *trigger_invocations.entry(f.trigger.name()).or_default() += n;
        if is_timed {
            timed += 1;
            fn_le_min += u64::from(n <= minutes);
            fn_le_hour += u64::from(n * 60 <= minutes);
            rates.push(n as f64 / minutes as f64);
            if let Some(s) = shape {
                peak.push(s.peak_to_mean);
                idle.push(s.idle_fraction);
                if let Some(cv) = s.iat_cv {
                    cvs.push(cv);
                    match f.arrivals {
                        Arrivals::PerMinute(_) => cv_from_counts = true,
                        _ => cv_from_ts = true,
                    }
                }
            }
        }
        if let Some(d) = average_duration_ms(f) {
            durations.push(d);
        }
    }
    let n_functions = w.functions.len() as u64;
    let share = |k: u64, of: u64| if of == 0 { None } else { Some(k as f64 / of as f64) };
    let timed_apps: Vec<u64> = apps.values().filter(|a| a.2).map(|a| a.0).collect();
    let app_le = |per: u64| timed_apps.iter().filter(|&&n| n * per <= minutes).count() as u64;
    let to_shares = |m: BTreeMap<&str, u64>, total: u64| -> BTreeMap<String, f64> {
        m.into_iter()
            .map(|(k, v)| (k.to_string(), if total == 0 { 0.0 } else { v as f64 / total as f64 }))
            .collect()
    };
    let iat_cv = Summary::of(cvs.clone()).map(|summary| IatSummary {
        basis: match (cv_from_ts, cv_from_counts) {
            (true, true) => "mixed",
            (false, true) => "per-minute counts (evenly spaced in the minute)",
            _ => "timestamps",
        }
        .to_string(),
        share_cv_at_most_0_1: cvs.iter().filter(|&&c| c <= 0.1).count() as f64 / cvs.len() as f64,
        share_cv_above_1: cvs.iter().filter(|&&c| c > 1.0).count() as f64 / cvs.len() as f64,
        summary,
    });
    WorkloadProfile {
        functions: n_functions,
        apps: apps.len() as u64,
        owners: owners.len() as u64,
        invocations: total_invocations,
        minutes,
        functions_avg_rate_at_most_1_per_minute: share(fn_le_min, timed),
        functions_avg_rate_at_most_1_per_hour: share(fn_le_hour, timed),
        apps_avg_rate_at_most_1_per_minute: share(app_le(1), timed_apps.len() as u64),
        apps_avg_rate_at_most_1_per_hour: share(app_le(60), timed_apps.len() as u64),
        triggers: to_shares(trigger_functions, n_functions),
        triggers_by_invocations: to_shares(trigger_invocations, total_invocations),
        functions_per_app: functions_per_app(apps.values().map(|a| a.1)),
        rate_per_minute: Summary::of(rates),
        duration_ms: Summary::of(durations),
        memory_mb: memory_per_app(w),
        peak_to_mean: Summary::of(peak),
        idle_minutes_fraction: Summary::of(idle),
        iat_cv,
        warnings: w
            .warnings
            .iter()
            .map(|m| Warning::run(WarningCode::TraceInput, m.clone()))
            .collect(),
    }
}

/// The paper's functions-per-app groups.
fn functions_per_app(counts: impl Iterator<Item = u64>) -> BTreeMap<String, f64> {
    let groups = ["1", "2", "3", "4-5", "6-10", "11+"];
    let mut tally = [0u64; 6];
    for c in counts {
        let g = match c {
            0 | 1 => 0,
            2 => 1,
            3 => 2,
            4..=5 => 3,
            6..=10 => 4,
            _ => 5,
        };
        tally[g] += 1;
    }
    let total: u64 = tally.iter().sum();
    groups
        .iter()
        .zip(tally)
        .map(|(g, n)| (g.to_string(), if total == 0 { 0.0 } else { n as f64 / total as f64 }))
        .collect()
}

/// A function's average execution duration in ms, when the trace says.
pub(crate) fn average_duration_ms(f: &crate::trace::FunctionTrace) -> Option<f64> {
    match &f.duration {
        // Microsoft's own analysis drops Average ≤ 0 rows as logging errors.
        DurationInfo::Percentiles(p) => (p.average_ms > 0.0).then_some(p.average_ms),
        DurationInfo::Samples => {
            let records = f.arrivals.records()?;
            if records.is_empty() {
                return None;
            }
            let sum_us: u64 = records.iter().map(|i| i.duration_us).sum();
            Some(sum_us as f64 / US_PER_MS as f64 / records.len() as f64)
        }
        DurationInfo::Unknown => None,
    }
}

/// Memory per app: Azure's allocated memory (the app's figure, or the sum of its functions'
/// shares), else the largest configured memory size among its functions.
fn memory_per_app(w: &Workload) -> Option<MemorySummary> {
    // The summary sorts the values, so the apps' order does not matter.
    let mut allocated: HashMap<(&str, &str), f64, IdHash> = HashMap::default();
    let mut configured: HashMap<(&str, &str), f64, IdHash> = HashMap::default();
    for f in &w.functions {
        if let Some(a) = &f.memory.allocated {
            let slot = allocated.entry(f.id.app_key()).or_insert(0.0);
            match a.scope {
                MemoryScope::App => *slot = a.average_mb,
                MemoryScope::FunctionShare => *slot += a.average_mb,
            }
        }
        if let Some(mb) = f.memory.configured_mb {
            let slot = configured.entry(f.id.app_key()).or_insert(0.0);
            *slot = slot.max(mb as f64);
        }
    }
    let (basis, values) = if !allocated.is_empty() {
        ("allocated", allocated)
    } else {
        ("configured", configured)
    };
    Summary::of(values.into_values().collect()).map(|summary| MemorySummary {
        basis: basis.to_string(),
        summary,
    })
}

/// Peak-to-mean, idle share and inter-arrival CV of one function's arrivals.
pub(crate) fn shape(arrivals: &Arrivals, window_start_ms: u64, minutes: u64) -> Option<Shape> {
    // Per-minute totals as (invocations, busiest minute, minutes with invocations).
    let (mut total, mut peak, mut busy) = (0u64, 0u64, 0u64);
    let mut moments = Moments::default();
    match arrivals {
        // Read as the timestamps it draws.
        Arrivals::Poisson(p) => return shape(&p.to_timestamps(), window_start_ms, minutes),
        Arrivals::Timestamps(v) => {
            let mut by_minute: Vec<u64> = v
                .iter()
                .map(|i| i.start_ms.saturating_sub(window_start_ms) / MS_PER_MINUTE)
                .collect();
            by_minute.sort_unstable();
            for run in by_minute.chunk_by(|a, b| a == b) {
                total += run.len() as u64;
                peak = peak.max(run.len() as u64);
                busy += 1;
            }
            for pair in v.windows(2) {
                moments.add(pair[1].start_ms.abs_diff(pair[0].start_ms) as f64, 1.0);
            }
        }
        Arrivals::PerMinute(counts) => {
            let minute_ms = MS_PER_MINUTE as f64;
            let mut prev_last: Option<f64> = None;
            let mut add = |m: u32, c: u32| {
                total += c as u64;
                peak = peak.max(c as u64);
                busy += 1;
                // Invocations i = 0..c at m + (i + 0.5) / c minutes.
                let k = c as f64;
                let base = m as f64 * minute_ms;
                let first = base + 0.5 * minute_ms / k;
                if let Some(last) = prev_last {
                    moments.add(first - last, 1.0);
                }
                if c > 1 {
                    moments.add(minute_ms / k, k - 1.0);
                }
                prev_last = Some(base + (k - 0.5) * minute_ms / k);
            };
            // The busy minutes in order (what `MinuteCounts::nonzero` yields), without boxing.
            match counts {
                MinuteCounts::Dense { first_minute, counts } => {
                    counts.for_each_busy(|i, c| add(first_minute + i as u32, c));
                }
                MinuteCounts::Sparse { entries } => {
                    for (m, c) in entries.iter() {
                        add(m, c);
                    }
                }
            }
        }
        Arrivals::Untimed(_) => return None,
    }
    if total == 0 {
        return None;
    }
    let mean = total as f64 / minutes as f64;
    Some(Shape {
        peak_to_mean: peak as f64 / mean,
        idle_fraction: 1.0 - busy.min(minutes) as f64 / minutes as f64,
        iat_cv: if total >= MIN_INVOCATIONS_FOR_CV {
            moments.cv()
        } else {
            None
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{FunctionId, FunctionTrace, Invocation, MemoryInfo, MinuteCounts, Trigger};

    fn per_minute(app: &str, func: &str, trigger: Trigger, counts: Vec<u32>) -> FunctionTrace {
        FunctionTrace {
            id: FunctionId {
                owner: "o".into(),
                app: app.into(),
                function: func.into(),
            },
            trigger,
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

    #[test]
    fn rate_shares_per_function_and_app() {
        // 120-minute window. f1: 120 invocations (1/min, counts as ≤ 1/min), f2: 2 (= 1/h),
        // f3: 3 (> 1/h), f4: 0. Apps: a = f1 + f2 (122 > 1/min), b = f3, c = f4.
        let mut c1 = vec![1u32; 120];
        c1[0] = 1;
        let mut c2 = vec![0u32; 120];
        c2[10] = 2;
        let mut c3 = vec![0u32; 120];
        c3[5] = 1;
        c3[6] = 2;
        let w = workload(
            vec![
                per_minute("a", "f1", Trigger::Timer, c1),
                per_minute("a", "f2", Trigger::Http, c2),
                per_minute("b", "f3", Trigger::Http, c3),
                per_minute("c", "f4", Trigger::Queue, vec![0; 120]),
            ],
            120,
        );
        let p = characterize(&w);
        assert_eq!((p.functions, p.apps, p.invocations, p.minutes), (4, 3, 125, 120));
        assert_eq!(p.functions_avg_rate_at_most_1_per_minute, Some(1.0));
        assert_eq!(p.functions_avg_rate_at_most_1_per_hour, Some(0.5)); // f2, f4
        assert_eq!(p.apps_avg_rate_at_most_1_per_minute, Some(2.0 / 3.0));
        assert_eq!(p.apps_avg_rate_at_most_1_per_hour, Some(1.0 / 3.0)); // c only
        assert_eq!(p.triggers["http"], 0.5);
        assert_eq!(p.triggers_by_invocations["timer"], 120.0 / 125.0);
        assert_eq!(p.functions_per_app["1"], 2.0 / 3.0);
        assert_eq!(p.functions_per_app["2"], 1.0 / 3.0);
    }

    #[test]
    fn burstiness_and_timer_cv() {
        // A timer once every 5 minutes over 60 minutes: 12 invocations, IAT constant → CV 0,
        // peak 1 vs mean 0.2 → peak-to-mean 5, idle share 48/60.
        let counts: Vec<u32> = (0..60).map(|m| u32::from(m % 5 == 0)).collect();
        let w = workload(vec![per_minute("a", "t", Trigger::Timer, counts)], 60);
        let p = characterize(&w);
        let cv = p.iat_cv.unwrap();
        assert!(cv.summary.p50.abs() < 1e-9, "{cv:?}");
        assert_eq!(cv.share_cv_at_most_0_1, 1.0);
        assert!((p.peak_to_mean.unwrap().p50 - 5.0).abs() < 1e-9);
        assert!((p.idle_minutes_fraction.unwrap().p50 - 0.8).abs() < 1e-9);
    }

    #[test]
    fn timestamp_cv_of_alternating_gaps() {
        // Gaps alternate 1 s and 3 s: mean 2 s, standard deviation 1 s → CV 0.5.
        let mut t = 0;
        let mut inv = Vec::new();
        for i in 0..101 {
            inv.push(Invocation {
                start_ms: t,
                duration_us: 10_000,
                init_duration_us: None,
                billed_duration_ms: None,
                cold_start: None,
                response_bytes: None,
            });
            t += if i % 2 == 0 { 1_000 } else { 3_000 };
        }
        let mut f = per_minute("a", "f", Trigger::Http, vec![]);
        f.arrivals = Arrivals::Timestamps(inv);
        f.duration = DurationInfo::Samples;
        let w = workload(vec![f], 4);
        let p = characterize(&w);
        assert!((p.iat_cv.unwrap().summary.p50 - 0.5).abs() < 1e-9);
        assert!((p.duration_ms.unwrap().p50 - 10.0).abs() < 1e-9);
    }
}
