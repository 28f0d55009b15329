//! Why an architecture fits: each reason is one measured feature with its value, the threshold
//! it is held to, which side it favours and one sentence. The features are the trace's (duty
//! cycle, peak-to-mean, inter-arrival CV) and the evaluations' (platform limits, cost of the
//! cheapest serverless option against the cheapest server fleet, the utilization that fleet
//! would reach, cold-start share, p99 added latency against the SLO, throttling).
//!
//! Thresholds are this tool's rules of thumb, stated with every reason so a reader can
//! disagree: a function idle in more than half of its minutes leaves a server mostly idle; a
//! busiest minute more than 4× the mean is spiky (a fleet sized for the peak idles, one sized
//! for the mean queues); a CV above 1 is burstier than Poisson, at most 0.1 is periodic (a
//! timer); a fleet busy less than 30 % of the time on average pays mostly for idle capacity;
//! more than 1 % of requests starting cold is visible in tail latency.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::features::Features;
use super::{money, viable};
use crate::eval::serverless::share_text;
use crate::eval::{Evaluation, OptionKind};
use crate::units::group_thousands;

/// Below this duty cycle a server sits idle most of the time.
pub const DUTY_CYCLE_BUSY: f64 = 0.5;
/// Above this peak-to-mean ratio the load is spiky.
pub const PEAK_TO_MEAN_SPIKY: f64 = 4.0;
/// Above this inter-arrival CV arrivals are burstier than Poisson.
pub const IAT_CV_BURSTY: f64 = 1.0;
/// At or below this inter-arrival CV arrivals are periodic.
pub const IAT_CV_PERIODIC: f64 = 0.1;
/// At or above this mean utilization a server fleet is well used.
pub const SERVER_UTILIZATION_BUSY: f64 = 0.3;
/// Above this share of cold starts, cold starts show in tail latency.
pub const COLD_START_SHARE_VISIBLE: f64 = 0.01;

/// Which architecture a reason speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Favours {
    /// Functions on a serverless platform.
    Serverless,
    /// Servers or containers.
    Servers,
    /// Neither more than the other (a fact the verdict rests on, such as an SLO met by both).
    Neither,
}

/// One measured reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Stable feature name: `duty_cycle`, `peak_to_mean`, `inter_arrival_cv`,
    /// `server_utilization`, `cost_ratio`, `cold_start_share`, `p99_added_latency_ms`,
    /// `throttles`, or a platform limit (`timeout`, `memory`, `configured-memory`, `payload`).
    pub feature: String,
    /// The measured value, in `unit`.
    pub value: f64,
    /// The threshold it is held to, in `unit`.
    pub threshold: f64,
    /// Unit of value and threshold.
    pub unit: String,
    /// Which side it favours.
    pub favours: Favours,
    /// One sentence.
    pub explanation: String,
}

fn reason(feature: &str, value: f64, threshold: f64, unit: &str, favours: Favours, explanation: String) -> Reason {
    Reason {
        feature: feature.to_string(),
        value,
        threshold,
        unit: unit.to_string(),
        favours,
        explanation,
    }
}

/// A share as a percentage with one decimal.
fn pct(share: f64) -> String {
    share_text(share)
}

/// Reasons from the trace alone.
pub fn trace_reasons(x: &Features) -> Vec<Reason> {
    let mut out = Vec::new();
    if let Some(d) = x.duty_cycle {
        let (favours, text) = if d < DUTY_CYCLE_BUSY {
            (
                Favours::Serverless,
                format!(
                    "invoked in {} of the window's minutes: a server would sit idle the rest of the time, serverless \
                     bills only what runs",
                    pct(d)
                ),
            )
        } else {
            (
                Favours::Servers,
                format!(
                    "invoked in {} of the window's minutes: busy enough to keep a server in use",
                    pct(d)
                ),
            )
        };
        out.push(reason(
            "duty_cycle",
            d,
            DUTY_CYCLE_BUSY,
            "share of minutes",
            favours,
            text,
        ));
    }
    if let Some(p) = x.peak_to_mean {
        let (favours, text) = if p > PEAK_TO_MEAN_SPIKY {
            (
                Favours::Serverless,
                format!(
                    "spiky: the busiest minute has {p:.1}× the mean minute's invocations; a fleet sized for the peak \
                     idles, one sized for the mean queues while it boots more"
                ),
            )
        } else {
            (
                Favours::Servers,
                format!(
                    "steady: the busiest minute has {p:.1}× the mean minute's invocations; a fleet can be sized once"
                ),
            )
        };
        out.push(reason("peak_to_mean", p, PEAK_TO_MEAN_SPIKY, "ratio", favours, text));
    }
    if let Some(cv) = x.iat_cv {
        let (threshold, favours, text) = if cv <= IAT_CV_PERIODIC {
            (
                IAT_CV_PERIODIC,
                Favours::Neither,
                format!(
                    "periodic (inter-arrival CV {cv:.2}): timer-like, so the gap between runs is known — a warm \
                     instance or a schedule can hide the cold starts"
                ),
            )
        } else if cv > IAT_CV_BURSTY {
            (
                IAT_CV_BURSTY,
                Favours::Serverless,
                format!("bursty (inter-arrival CV {cv:.2}, above Poisson's 1): arrivals come in clumps"),
            )
        } else {
            (
                IAT_CV_BURSTY,
                Favours::Neither,
                format!("about as regular as random arrivals (inter-arrival CV {cv:.2}, Poisson's is 1)"),
            )
        };
        out.push(reason("inter_arrival_cv", cv, threshold, "ratio", favours, text));
    }
    out
}

/// The viable evaluation of `kind` with the lowest monthly cost.
fn cheapest_viable(evals: &[Evaluation], kind: OptionKind) -> Option<&Evaluation> {
    evals
        .iter()
        .filter(|e| e.kind == kind && viable(e))
        .min_by_key(|e| e.costing.as_ref().map(|c| c.monthly()))
}

/// The feasible (simulated) evaluation of `kind` with the lowest monthly cost.
fn cheapest_feasible<'a>(evals: impl Iterator<Item = &'a Evaluation>, kind: OptionKind) -> Option<&'a Evaluation> {
    evals
        .filter(|e| e.kind == kind && e.costing.is_some())
        .min_by_key(|e| e.costing.as_ref().map(|c| c.monthly()))
}

/// Reasons from the evaluations: platform limits first, then cost, the utilization of the
/// cheapest viable server fleet (else the cheapest simulated one) and the
/// serverless side's cold starts, tail latency and throttling. `warm_variants` are the ids of
/// evaluations that add provisioned concurrency to a scenario option (left out of the
/// on-demand serverless figures).
pub fn evaluation_reasons(evals: &[Evaluation], slo_ms: f64, warm_variants: &[String]) -> Vec<Reason> {
    let mut out = limit_reasons(evals);
    let serverless = cheapest_viable(evals, OptionKind::Serverless);
    let server = cheapest_viable(evals, OptionKind::Provisioned);
    if let (Some(s), Some(p)) = (serverless, server) {
        let (sm, pm) = (
            s.costing.as_ref().map(|c| c.monthly()).unwrap_or_default(),
            p.costing.as_ref().map(|c| c.monthly()).unwrap_or_default(),
        );
        let ratio = if pm.micro() > 0 {
            sm.micro() as f64 / pm.micro() as f64
        } else {
            f64::INFINITY
        };
        let favours = if ratio < 1.0 {
            Favours::Serverless
        } else {
            Favours::Servers
        };
        out.push(reason(
            "cost_ratio",
            ratio,
            1.0,
            "serverless cost / server cost",
            favours,
            format!(
                "the cheapest serverless option that meets the SLO ({}) costs {} a month, the cheapest server fleet \
                 that does ({}) {}",
                s.id,
                money(sm),
                p.id,
                money(pm)
            ),
        ));
    }
    if let Some(p) = server.or_else(|| cheapest_feasible(evals.iter(), OptionKind::Provisioned)) {
        if let Some(u) = p.behaviour.as_ref().and_then(|b| b.utilization) {
            let (favours, text) = if u.mean < SERVER_UTILIZATION_BUSY {
                (
                    Favours::Serverless,
                    format!(
                        "the server fleet ({}) would be busy {} of the time on average: most of what it costs is idle \
                         capacity",
                        p.id,
                        pct(u.mean)
                    ),
                )
            } else {
                (
                    Favours::Servers,
                    format!(
                        "the server fleet ({}) would be busy {} of the time on average",
                        p.id,
                        pct(u.mean)
                    ),
                )
            };
            out.push(reason(
                "server_utilization",
                u.mean,
                SERVER_UTILIZATION_BUSY,
                "share of capacity",
                favours,
                text,
            ));
        }
    }
    let on_demand = evals.iter().filter(|e| !warm_variants.contains(&e.id));
    if let Some(s) = cheapest_feasible(on_demand, OptionKind::Serverless) {
        out.extend(serverless_behaviour_reasons(s, slo_ms));
    }
    out
}

/// Cold starts, p99 added latency and throttles of one serverless evaluation.
fn serverless_behaviour_reasons(s: &Evaluation, slo_ms: f64) -> Vec<Reason> {
    let mut out = Vec::new();
    let Some(b) = s.behaviour.as_ref() else {
        return out;
    };
    if let Some(rate) = b.cold_start_rate {
        let favours = if rate > COLD_START_SHARE_VISIBLE {
            Favours::Servers
        } else {
            Favours::Serverless
        };
        out.push(reason(
            "cold_start_share",
            rate,
            COLD_START_SHARE_VISIBLE,
            "share of requests",
            favours,
            format!("{} of requests start cold on {}", pct(rate), s.id),
        ));
    }
    let p99 = b.added_latency_ms.p99;
    let (favours, verb) = if p99 > slo_ms {
        (Favours::Servers, "misses")
    } else {
        (Favours::Neither, "meets")
    };
    out.push(reason(
        "p99_added_latency_ms",
        p99,
        slo_ms,
        "ms",
        favours,
        format!(
            "{} adds {} ms at p99 (cold starts, waiting for an instance): it {verb} the {} ms SLO",
            s.id,
            group_thousands(p99.round() as u64),
            group_thousands(slo_ms.round() as u64)
        ),
    ));
    if let Some(t) = b.throttles.filter(|&t| t > 0) {
        out.push(reason(
            "throttles",
            t as f64,
            0.0,
            "requests",
            Favours::Servers,
            format!(
                "{} refuses {} request(s) at its concurrency limit or instance cap",
                s.id,
                group_thousands(t)
            ),
        ));
    }
    out
}

/// One reason per (limit, platform) broken, naming the options it rules out.
fn limit_reasons(evals: &[Evaluation]) -> Vec<Reason> {
    let mut by_limit: BTreeMap<(String, String), (f64, f64, Vec<&str>)> = BTreeMap::new();
    for e in evals {
        for l in &e.limits {
            let entry = by_limit
                .entry((l.limit.name().to_string(), l.platform.clone()))
                .or_insert((l.worst, l.platform_limit, Vec::new()));
            entry.2.push(&e.id);
        }
    }
    by_limit
        .into_iter()
        .map(|((limit, platform), (worst, platform_limit, ids))| {
            let unit = if limit == "timeout" {
                "ms"
            } else if limit == "payload" {
                "bytes"
            } else {
                "MB"
            };
            let what = match limit.as_str() {
                "timeout" => "runs up to",
                "payload" => "returns up to",
                _ => "needs up to",
            };
            reason(
                &limit,
                worst,
                platform_limit,
                unit,
                Favours::Servers,
                format!(
                    "{what} {} {unit}, beyond {platform}'s {limit} limit of {} {unit}: never recommended for {}",
                    group_thousands(worst.round() as u64),
                    group_thousands(platform_limit.round() as u64),
                    ids.join(", ")
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(duty: f64, peak: f64, cv: Option<f64>) -> Features {
        Features {
            invocations: 100,
            minutes: 100,
            duty_cycle: Some(duty),
            peak_to_mean: Some(peak),
            iat_cv: cv,
            mean_duration_ms: Some(100.0),
        }
    }

    fn find<'a>(r: &'a [Reason], feature: &str) -> &'a Reason {
        r.iter()
            .find(|r| r.feature == feature)
            .unwrap_or_else(|| panic!("no {feature} in {r:?}"))
    }

    #[test]
    fn an_idle_spiky_bursty_function_reads_as_serverless() {
        let r = trace_reasons(&features(0.05, 20.0, Some(3.0)));
        assert_eq!(find(&r, "duty_cycle").favours, Favours::Serverless);
        assert_eq!(find(&r, "peak_to_mean").favours, Favours::Serverless);
        let cv = find(&r, "inter_arrival_cv");
        assert_eq!((cv.favours, cv.threshold), (Favours::Serverless, IAT_CV_BURSTY));
        assert!(find(&r, "duty_cycle").explanation.contains("5.0%"));
    }

    #[test]
    fn a_busy_steady_function_reads_as_servers_and_a_timer_as_periodic() {
        let r = trace_reasons(&features(0.99, 1.5, Some(0.02)));
        assert_eq!(find(&r, "duty_cycle").favours, Favours::Servers);
        assert_eq!(find(&r, "peak_to_mean").favours, Favours::Servers);
        let cv = find(&r, "inter_arrival_cv");
        assert_eq!((cv.favours, cv.threshold), (Favours::Neither, IAT_CV_PERIODIC));
        assert!(cv.explanation.starts_with("periodic"), "{}", cv.explanation);
    }

    /// At exactly the thresholds: a duty cycle of 0.5 is busy, a peak of 4× is not spiky.
    #[test]
    fn thresholds_are_inclusive_on_the_documented_side() {
        let r = trace_reasons(&features(DUTY_CYCLE_BUSY, PEAK_TO_MEAN_SPIKY, None));
        assert_eq!(find(&r, "duty_cycle").favours, Favours::Servers);
        assert_eq!(find(&r, "peak_to_mean").favours, Favours::Servers);
        assert!(r.iter().all(|r| r.feature != "inter_arrival_cv"));
    }
}
