//! Platform limits against the workload: an execution longer than the platform's timeout, a
//! function needing more memory than the platform's largest size (or than the option
//! configures, by the trace's maximum memory used), or a response larger than the platform's
//! synchronous payload limit cannot run there. Each
//! breach names the limit, the worst value in the trace, and how many invocations (and what
//! share) it affects. Limits come from the price table's platform facts (`[behaviour]`).
//!
//! Durations: per-invocation traces are counted exactly; for Azure 2019 percentiles the share
//! above the timeout is read off the piecewise-linear percentile curve and rounded up (an
//! estimate: those percentiles are of 30-second averages), and a maximum above the timeout
//! counts at least one invocation; functions with no duration use the scenario's fallback. Memory need: the largest of the configured size, the maximum used, and the
//! largest allocated figure the trace gives.

use serde::{Deserialize, Serialize};

use crate::trace::{DurationInfo, Workload};
use crate::units::group_thousands;

/// Which limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitKind {
    /// Maximum execution time.
    Timeout,
    /// Largest memory size.
    Memory,
    /// The option's configured memory is below what the function uses.
    ConfiguredMemory,
    /// Largest synchronous response payload.
    Payload,
}

impl LimitKind {
    /// The limit in words.
    pub fn name(self) -> &'static str {
        match self {
            LimitKind::Timeout => "timeout",
            LimitKind::Memory => "memory",
            LimitKind::ConfiguredMemory => "configured-memory",
            LimitKind::Payload => "payload",
        }
    }
}

/// The limits of one platform that a workload can break.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlatformLimits {
    /// Longest execution, ms.
    pub timeout_ms: Option<u64>,
    /// Largest memory size, MB.
    pub memory_max_mb: Option<u32>,
    /// Largest synchronous response payload, bytes.
    pub max_response_bytes: Option<u64>,
    /// The memory the option configures, MB (`None`: the trace's).
    pub configured_mb: Option<u32>,
}

/// A limit the workload breaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitBreach {
    /// Which limit.
    pub limit: LimitKind,
    /// The platform's limit (ms for the timeout, MB for memory).
    pub platform_limit: f64,
    /// The worst value in the trace, same unit.
    pub worst: f64,
    /// Functions affected.
    pub functions: u64,
    /// Invocations affected (estimated from percentiles where the trace has no samples).
    pub invocations: u64,
    /// Share of all invocations affected.
    pub share_of_invocations: f64,
    /// The platform.
    pub platform: String,
    /// The function with the worst value (as the trace names it).
    pub worst_function: String,
}

impl LimitBreach {
    /// One sentence naming the limit and what it affects.
    pub fn sentence(&self) -> String {
        let (what, unit) = match self.limit {
            LimitKind::Timeout => ("runs longer than the timeout", "ms"),
            LimitKind::Memory => ("needs more memory than the largest size", "MB"),
            LimitKind::ConfiguredMemory => ("uses more memory than the option configures", "MB"),
            LimitKind::Payload => ("returns responses larger than the payload limit", "bytes"),
        };
        let share = super::serverless::share_text(self.share_of_invocations);
        format!(
            "the workload {what} of {} ({} {unit}; {} reaches {} {unit}): {} invocation(s) ({share} of all) of {} \
             function(s) cannot run there",
            self.platform,
            group_thousands(self.platform_limit.round() as u64),
            self.worst_function,
            group_thousands(self.worst.round() as u64),
            group_thousands(self.invocations),
            self.functions
        )
    }
}

/// Share (0–1) of a percentile curve above `limit`, by linear interpolation between points.
fn share_above(points: &[(f64, f64)], limit: f64) -> f64 {
    let Some(&(_, top)) = points.last() else {
        return 0.0;
    };
    if top <= limit {
        return 0.0;
    }
    for pair in points.windows(2) {
        let ((p0, v0), (p1, v1)) = (pair[0], pair[1]);
        if v1 > limit {
            let p = if v0 >= limit || v1 <= v0 {
                p0
            } else {
                p0 + (limit - v0) / (v1 - v0) * (p1 - p0)
            };
            return (100.0 - p) / 100.0;
        }
    }
    1.0
}

/// What a limit check found: functions and invocations affected, the worst value and whose.
type Found = (u64, u64, f64, String);

/// The invocations of each function that exceed the timeout, and the longest duration.
fn over_timeout(w: &Workload, timeout_ms: u64, fallback_ms: Option<f64>) -> Option<Found> {
    let limit = timeout_ms as f64;
    let (mut functions, mut invocations, mut worst, mut whose) = (0u64, 0u64, 0.0f64, String::new());
    for f in &w.functions {
        let n = f.arrivals.invocations();
        let (over, longest) = match (&f.duration, f.arrivals.records()) {
            (DurationInfo::Samples, Some(records)) => {
                let over = records.iter().filter(|r| r.duration_us > timeout_ms * 1_000).count() as u64;
                let longest = records.iter().map(|r| r.duration_us).max().unwrap_or(0) as f64 / 1_000.0;
                (over, longest)
            }
            (DurationInfo::Percentiles(p), _) => {
                let longest = p.maximum_ms.unwrap_or(p.p100_ms).max(p.p100_ms);
                let mut points = p.points().to_vec();
                points.last_mut().expect("seven points").1 = longest;
                // The longest execution is above the limit: at least one invocation is.
                let over = if longest > limit && n > 0 {
                    ((share_above(&points, limit) * n as f64 - 1e-9).ceil() as u64).clamp(1, n)
                } else {
                    0
                };
                (over, longest)
            }
            _ => match fallback_ms {
                Some(d) if d > limit => (n, d),
                _ => (0, 0.0),
            },
        };
        if over > 0 {
            functions += 1;
            invocations += over;
            if longest > worst {
                worst = longest;
                whose = f.id.function.clone();
            }
        }
    }
    (invocations > 0).then_some((functions, invocations, worst, whose))
}

/// The invocations of functions needing more memory than `max_mb`, and the largest need. The
/// need is the most used (or allocated); where the trace does not say what was used, the size
/// the function was configured with.
fn over_memory(w: &Workload, max_mb: u32) -> Option<Found> {
    let (mut functions, mut invocations, mut worst, mut whose) = (0u64, 0u64, 0.0f64, String::new());
    for f in &w.functions {
        let m = &f.memory;
        let allocated = m.allocated.map(|a| a.percentiles_mb[7].max(a.average_mb));
        let configured = m.configured_mb.filter(|_| m.max_used_mb.is_none()).map(f64::from);
        let need = [configured, m.max_used_mb.map(f64::from), allocated]
            .into_iter()
            .flatten()
            .fold(0.0f64, f64::max);
        if need > max_mb as f64 {
            functions += 1;
            invocations += f.arrivals.invocations();
            if need > worst {
                worst = need;
                whose = f.id.function.clone();
            }
        }
    }
    (functions > 0).then_some((functions, invocations, worst, whose))
}

/// The invocations of functions whose largest memory used is above the option's `configured_mb`
/// (they would run out of memory), and the largest use.
fn over_configured(w: &Workload, configured_mb: u32) -> Option<Found> {
    let (mut functions, mut invocations, mut worst, mut whose) = (0u64, 0u64, 0.0f64, String::new());
    for f in &w.functions {
        let Some(used) = f.memory.max_used_mb.filter(|&u| u > configured_mb) else {
            continue;
        };
        functions += 1;
        invocations += f.arrivals.invocations();
        if used as f64 > worst {
            worst = used as f64;
            whose = f.id.function.clone();
        }
    }
    (functions > 0).then_some((functions, invocations, worst, whose))
}

/// The invocations whose response is larger than `max_bytes`, and the largest response.
fn over_payload(w: &Workload, max_bytes: u64) -> Option<Found> {
    let (mut functions, mut invocations, mut worst, mut whose) = (0u64, 0u64, 0.0f64, String::new());
    for f in &w.functions {
        let Some(records) = f.arrivals.records() else {
            continue;
        };
        let over: Vec<u64> = records
            .iter()
            .filter_map(|r| r.response_bytes)
            .filter(|&b| b > max_bytes)
            .collect();
        if over.is_empty() {
            continue;
        }
        functions += 1;
        invocations += over.len() as u64;
        let largest = over.iter().copied().max().unwrap_or(0) as f64;
        if largest > worst {
            worst = largest;
            whose = f.id.function.clone();
        }
    }
    (functions > 0).then_some((functions, invocations, worst, whose))
}

/// Every limit of `limits` that the workload breaks on `platform`.
pub fn check(
    w: &Workload,
    platform: &str,
    limits: PlatformLimits,
    fallback_duration_ms: Option<f64>,
) -> Vec<LimitBreach> {
    let total = w.invocations().max(1) as f64;
    let breach = |limit, platform_limit: f64, (functions, invocations, worst, whose): Found| LimitBreach {
        limit,
        platform_limit,
        worst,
        functions,
        invocations,
        share_of_invocations: invocations as f64 / total,
        platform: platform.to_string(),
        worst_function: whose,
    };
    let mut out = Vec::new();
    if let Some(t) = limits.timeout_ms {
        if let Some(found) = over_timeout(w, t, fallback_duration_ms) {
            out.push(breach(LimitKind::Timeout, t as f64, found));
        }
    }
    if let Some(m) = limits.memory_max_mb {
        if let Some(found) = over_memory(w, m) {
            out.push(breach(LimitKind::Memory, m as f64, found));
        }
    }
    if let Some(m) = limits.configured_mb {
        if let Some(found) = over_configured(w, m) {
            out.push(breach(LimitKind::ConfiguredMemory, m as f64, found));
        }
    }
    if let Some(b) = limits.max_response_bytes {
        if let Some(found) = over_payload(w, b) {
            out.push(breach(LimitKind::Payload, b as f64, found));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{
        Arrivals, DurationPercentiles, FunctionId, FunctionTrace, Invocation, MemoryInfo, MinuteCounts, Trigger,
    };

    fn job(name: &str, durations_ms: &[u64], memory_mb: u32) -> FunctionTrace {
        FunctionTrace {
            id: FunctionId::standalone(name),
            trigger: Trigger::Timer,
            arrivals: Arrivals::Timestamps(
                durations_ms
                    .iter()
                    .enumerate()
                    .map(|(i, &d)| Invocation {
                        start_ms: i as u64 * 3_600_000,
                        duration_us: d * 1_000,
                        init_duration_us: None,
                        billed_duration_ms: None,
                        cold_start: None,
                        response_bytes: None,
                    })
                    .collect(),
            ),
            duration: DurationInfo::Samples,
            memory: MemoryInfo {
                configured_mb: Some(memory_mb),
                ..MemoryInfo::default()
            },
        }
    }

    fn workload(functions: Vec<FunctionTrace>) -> Workload {
        Workload {
            functions,
            window_start_ms: 0,
            window_end_ms: 86_400_000,
            sources: vec![],
            warnings: vec![],
        }
    }

    #[test]
    fn twenty_minute_jobs_break_lambdas_timeout_and_twelve_gb_its_memory() {
        let w = workload(vec![
            job("batch", &[1_200_000, 1_200_000, 1_200_000], 2_048),
            job("api", &[100, 120, 80, 90], 12_288),
        ]);
        let lambda = PlatformLimits {
            timeout_ms: Some(900_000),
            memory_max_mb: Some(10_240),
            ..PlatformLimits::default()
        };
        let b = check(&w, "aws-lambda", lambda, None);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].limit, LimitKind::Timeout);
        assert_eq!((b[0].functions, b[0].invocations), (1, 3));
        assert!((b[0].share_of_invocations - 3.0 / 7.0).abs() < 1e-12);
        assert_eq!(b[0].worst, 1_200_000.0);
        assert_eq!(
            b[0].sentence(),
            "the workload runs longer than the timeout of aws-lambda (900,000 ms; batch reaches 1,200,000 ms): 3 \
             invocation(s) (42.9% of all) of 1 function(s) cannot run there"
        );
        assert_eq!(b[1].limit, LimitKind::Memory);
        assert_eq!((b[1].functions, b[1].invocations, b[1].worst), (1, 4, 12_288.0));
        // Cloud Run's 60-minute timeout and 32 GiB take both.
        let run = PlatformLimits {
            timeout_ms: Some(3_600_000),
            memory_max_mb: Some(32_768),
            ..PlatformLimits::default()
        };
        assert!(check(&w, "gcp-cloud-run", run, None).is_empty());
    }

    #[test]
    fn percentile_share_above_the_timeout_is_interpolated() {
        // p75 = 500 s, p99 = 1,100 s: 900 s sits 2/3 of the way, at p91 → 9 % above.
        let points = [
            (0.0, 1.0),
            (1.0, 2.0),
            (25.0, 100.0),
            (50.0, 200.0),
            (75.0, 500_000.0),
            (99.0, 1_100_000.0),
            (100.0, 1_200_000.0),
        ];
        assert!((share_above(&points, 900_000.0) - 0.09).abs() < 1e-9);
        assert_eq!(share_above(&points, 1_300_000.0), 0.0);
        assert_eq!(share_above(&points, 0.5), 1.0);
        let f = FunctionTrace {
            id: FunctionId::standalone("azure"),
            trigger: Trigger::Timer,
            arrivals: Arrivals::PerMinute(MinuteCounts::from_dense(0, vec![50, 50])),
            duration: DurationInfo::Percentiles(DurationPercentiles {
                average_ms: 300_000.0,
                count: 100,
                minimum_ms: None,
                maximum_ms: None,
                p0_ms: 1.0,
                p1_ms: 2.0,
                p25_ms: 100.0,
                p50_ms: 200.0,
                p75_ms: 500_000.0,
                p99_ms: 1_100_000.0,
                p100_ms: 1_200_000.0,
            }),
            memory: MemoryInfo::default(),
        };
        let b = check(
            &workload(vec![f]),
            "aws-lambda",
            PlatformLimits {
                timeout_ms: Some(900_000),
                ..PlatformLimits::default()
            },
            None,
        );
        assert_eq!(b[0].invocations, 9);
    }

    #[test]
    fn configured_memory_below_use_and_large_responses_are_breaches() {
        let mut f = job("api", &[100, 100], 1_024);
        f.memory.max_used_mb = Some(900);
        if let Arrivals::Timestamps(records) = &mut f.arrivals {
            records[1].response_bytes = Some(7_000_000);
        }
        let w = workload(vec![f]);
        let lambda = |configured_mb| PlatformLimits {
            memory_max_mb: Some(10_240),
            max_response_bytes: Some(6_291_456),
            configured_mb,
            ..PlatformLimits::default()
        };
        let b = check(&w, "aws-lambda", lambda(Some(256)), None);
        let kinds: Vec<LimitKind> = b.iter().map(|x| x.limit).collect();
        assert_eq!(kinds, vec![LimitKind::ConfiguredMemory, LimitKind::Payload]);
        assert_eq!((b[0].platform_limit, b[0].worst, b[0].invocations), (256.0, 900.0, 2));
        assert_eq!((b[1].worst, b[1].invocations), (7_000_000.0, 1));
        assert!(
            b[1].sentence()
                .contains("returns responses larger than the payload limit"),
            "{}",
            b[1].sentence()
        );
        // 1,024 MB covers the 900 MB used: only the payload remains.
        assert_eq!(check(&w, "aws-lambda", lambda(Some(1_024)), None).len(), 1);
        // The configured 1,024 MB is not a need once the trace says 900 MB was used: a 1,000 MB
        // platform maximum is enough.
        let small = PlatformLimits {
            memory_max_mb: Some(1_000),
            ..PlatformLimits::default()
        };
        assert!(check(&w, "p", small, None).is_empty());
    }

    #[test]
    fn unknown_durations_use_the_fallback() {
        let mut f = job("x", &[1], 128);
        f.duration = DurationInfo::Unknown;
        let limits = PlatformLimits {
            timeout_ms: Some(600_000),
            ..PlatformLimits::default()
        };
        assert!(check(&workload(vec![f.clone()]), "p", limits, Some(500.0)).is_empty());
        assert_eq!(
            check(&workload(vec![f]), "p", limits, Some(700_000.0))[0].invocations,
            1
        );
    }
}
