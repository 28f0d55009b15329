//! The report's behaviour series (schema 4): requests in flight per minute against a server
//! fleet's capacity, bounded to [`MAX_POINTS`] points per series (the largest in-flight count
//! and the smallest capacity of each bucket, so peaks and troughs survive); each option's
//! added-latency quantiles; the keep-alive trade-off and the memory right-sizing curve
//! computed by the evaluation stage (`eval::series`). Which options they cover is decided here
//! from the evaluations and the verdict.

use serde::{Deserialize, Serialize};

pub use crate::eval::series::{KeepAlivePoint, KeepAliveTradeoff, RightSizing, SizingCurve, SizingPoint};
use crate::eval::{Evaluation, OptionKind};

/// The most points a per-minute series keeps (a 12-hour window at one point a minute, a
/// 14-day one at one point per 28 minutes).
pub const MAX_POINTS: usize = 720;

/// The series behind report.html's behaviour charts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartSeries {
    /// Requests in flight over time against the cheapest server fleet's capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<ConcurrencySeries>,
    /// Cold starts against idle memory-time at several keep-alive windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive: Option<KeepAliveTradeoff>,
    /// Each simulated option's added-latency quantiles, in the report's option order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added_latency_quantiles: Vec<OptionQuantiles>,
    /// Monthly cost against memory size for the busiest functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_sizing: Option<RightSizing>,
}

/// Requests in flight and a fleet's capacity, minute by minute from the window's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcurrencySeries {
    /// Minutes each point covers (1 when the window has at most [`MAX_POINTS`] minutes).
    pub minutes_per_point: u32,
    /// The serverless options of the verdict (or the cheapest serverless option): the most
    /// requests in flight in each point's minutes.
    pub serverless: Vec<InFlightSeries>,
    /// The cheapest server option's fleet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<FleetCapacity>,
}

/// One serverless option's requests in flight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InFlightSeries {
    /// Option id.
    pub option: String,
    /// Most requests in flight at once within each point's minutes.
    pub max_in_flight: Vec<u32>,
}

/// A server fleet's capacity in request slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetCapacity {
    /// Option id.
    pub option: String,
    /// Instance type.
    pub instance_type: String,
    /// Request slots per instance.
    pub slots_per_instance: u32,
    /// Fewest instances billed (ready and booting) within each point's minutes.
    pub min_instances: Vec<u32>,
}

/// An option's added-latency quantiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionQuantiles {
    /// Option id.
    pub option: String,
    /// Ascending by share.
    pub quantiles: Vec<Quantile>,
}

/// A share of requests and the added latency it stays within.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantile {
    /// Share of requests, 0–1 (1: the maximum).
    pub share: f64,
    /// Added latency, ms.
    pub ms: f64,
}

/// Minutes per point that keep `minutes` within [`MAX_POINTS`].
pub fn minutes_per_point(minutes: usize) -> usize {
    minutes.div_ceil(MAX_POINTS).max(1)
}

/// `values` in buckets of `per`, each reduced by `pick` (max or min).
fn buckets(values: &[u32], per: usize, pick: fn(u32, u32) -> u32) -> Vec<u32> {
    values
        .chunks(per.max(1))
        .map(|c| c.iter().copied().reduce(pick).unwrap_or(0))
        .collect()
}

/// The largest value of each bucket of `per`.
pub fn bucket_max(values: &[u32], per: usize) -> Vec<u32> {
    buckets(values, per, u32::max)
}

/// The smallest value of each bucket of `per`.
pub fn bucket_min(values: &[u32], per: usize) -> Vec<u32> {
    buckets(values, per, u32::min)
}

fn simulated(e: &Evaluation) -> bool {
    e.feasible() && e.costing.is_some() && e.behaviour.is_some()
}

fn horizon(e: &Evaluation) -> Option<crate::money::Money> {
    e.costing.as_ref().map(|c| c.horizon)
}

/// The cheapest of `kind`'s simulated options: viable ones first, then by horizon total, ties
/// by scenario order.
fn cheapest_of(evals: &[Evaluation], kind: OptionKind) -> Option<&Evaluation> {
    evals
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == kind && simulated(e))
        .min_by_key(|(i, e)| (!crate::fit::viable(e), horizon(e), *i))
        .map(|(_, e)| e)
}

/// The serverless option the keep-alive trade-off and the right-sizing curve are for: the
/// verdict's winner when it is serverless, else the cheapest serverless option that runs.
pub fn chosen_serverless<'a>(evals: &'a [Evaluation], winner: Option<&str>) -> Option<&'a Evaluation> {
    evals
        .iter()
        .find(|e| Some(e.id.as_str()) == winner && e.kind == OptionKind::Serverless && simulated(e))
        .or_else(|| cheapest_of(evals, OptionKind::Serverless))
}

/// The serverless options the concurrency chart shows: the verdict's winner and runner-up
/// that are serverless, else the cheapest serverless option that runs.
fn verdict_serverless<'a>(evals: &'a [Evaluation], verdict: [Option<&str>; 2]) -> Vec<&'a Evaluation> {
    let named: Vec<&Evaluation> = evals
        .iter()
        .filter(|e| e.kind == OptionKind::Serverless && simulated(e) && verdict.contains(&Some(e.id.as_str())))
        .collect();
    if named.is_empty() {
        cheapest_of(evals, OptionKind::Serverless).into_iter().collect()
    } else {
        named
    }
}

/// Requests in flight of the verdict's serverless options against the cheapest server
/// option's capacity; `None` when neither kind has a simulated option.
pub fn concurrency(evals: &[Evaluation], winner: Option<&str>, runner_up: Option<&str>) -> Option<ConcurrencySeries> {
    let serverless = verdict_serverless(evals, [winner, runner_up]);
    let fleet = cheapest_of(evals, OptionKind::Provisioned);
    let minutes = serverless
        .iter()
        .filter_map(|e| e.behaviour.as_ref().map(|b| b.in_flight_by_minute.len()))
        .chain(fleet.and_then(|e| e.behaviour.as_ref().map(|b| b.instances_by_minute.len())))
        .max()
        .filter(|&m| m > 0)?;
    let per = minutes_per_point(minutes);
    Some(ConcurrencySeries {
        minutes_per_point: per as u32,
        serverless: serverless
            .iter()
            .filter_map(|e| {
                let b = e.behaviour.as_ref()?;
                Some(InFlightSeries {
                    option: e.id.clone(),
                    max_in_flight: bucket_max(&b.in_flight_by_minute, per),
                })
            })
            .collect(),
        fleet: fleet.and_then(|e| {
            let b = e.behaviour.as_ref()?;
            Some(FleetCapacity {
                option: e.id.clone(),
                instance_type: b.instances.as_ref()?.instance_type.clone(),
                slots_per_instance: b.slots_per_instance?,
                min_instances: bucket_min(&b.instances_by_minute, per),
            })
        }),
    })
}

/// Each simulated option's added-latency quantiles, in the evaluations' order.
pub fn latency_quantiles(evals: &[Evaluation]) -> Vec<OptionQuantiles> {
    evals
        .iter()
        .filter_map(|e| {
            let b = e.behaviour.as_ref()?;
            (!b.added_latency_quantiles_ms.is_empty()).then(|| OptionQuantiles {
                option: e.id.clone(),
                quantiles: b
                    .added_latency_quantiles_ms
                    .iter()
                    .map(|&(share, ms)| Quantile { share, ms })
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::CostBreakdown;
    use crate::eval::{Behaviour, Costing, InstanceSummary};
    use crate::units::Usd;

    /// A simulated option costing `usd` over a two-month horizon (none in the first month),
    /// meeting the SLO or not, with a per-minute series of `minutes` minutes.
    fn option(id: &str, kind: OptionKind, usd: f64, meets_slo: bool, minutes: u32) -> Evaluation {
        let months = [Usd::ZERO, Usd::from_f64(usd).unwrap()];
        Evaluation {
            id: id.into(),
            kind,
            platform: "p".into(),
            description: String::new(),
            limits: vec![],
            costing: Some(Costing::new(id, CostBreakdown::default(), &months).unwrap()),
            behaviour: Some(Behaviour {
                in_flight_by_minute: (0..minutes).collect(),
                instances_by_minute: vec![2; minutes as usize],
                slots_per_instance: Some(4),
                instances: Some(InstanceSummary {
                    instance_type: "t".into(),
                    peak: 2,
                    mean: 2.0,
                    committed: 0,
                    max_instances: 2,
                    minutes_at_max: 0,
                }),
                added_latency_quantiles_ms: vec![(0.5, 0.0), (0.99, 9.0)],
                ..Behaviour::default()
            }),
            meets_slo,
            notes: vec![],
            assumptions: vec![],
            warnings: vec![],
        }
    }

    /// Serverless `dear` and `cheap` (viable), `fast` (cheapest but missing the SLO); fleets
    /// `big` and `small` (the cheaper).
    fn evals() -> Vec<Evaluation> {
        use OptionKind::{Provisioned, Serverless};
        vec![
            option("dear", Serverless, 300.0, true, 1_440),
            option("cheap", Serverless, 100.0, true, 1_440),
            option("fast", Serverless, 50.0, false, 1_440),
            option("big", Provisioned, 500.0, true, 1_440),
            option("small", Provisioned, 200.0, true, 1_440),
        ]
    }

    #[test]
    fn the_charts_follow_the_verdict_else_the_cheapest_viable_serverless_option() {
        let e = evals();
        let ids = |s: &ConcurrencySeries| s.serverless.iter().map(|l| l.option.clone()).collect::<Vec<_>>();
        // The winner and runner-up, when serverless, in the scenario's order.
        let c = concurrency(&e, Some("cheap"), Some("dear")).unwrap();
        assert_eq!(ids(&c), ["dear", "cheap"]);
        assert_eq!(chosen_serverless(&e, Some("cheap")).unwrap().id, "cheap");
        // A server winner: the cheapest viable serverless option (not `fast`, which misses the SLO).
        let c = concurrency(&e, Some("small"), None).unwrap();
        assert_eq!(ids(&c), ["cheap"]);
        assert_eq!(chosen_serverless(&e, Some("small")).unwrap().id, "cheap");
        // The fleet is the cheapest server option; 1,440 minutes make 720 points of 2 minutes.
        let f = c.fleet.unwrap();
        assert_eq!((f.option.as_str(), f.slots_per_instance), ("small", 4));
        assert_eq!((c.minutes_per_point, f.min_instances.len()), (2, 720));
        assert_eq!(&c.serverless[0].max_in_flight[..3], [1, 3, 5]);
        // Nothing serverless runs: no chosen option, the fleet alone.
        let servers: Vec<Evaluation> = e.into_iter().filter(|x| x.kind == OptionKind::Provisioned).collect();
        assert!(chosen_serverless(&servers, None).is_none());
        let c = concurrency(&servers, Some("small"), None).unwrap();
        assert!(c.serverless.is_empty() && c.fleet.is_some());
        assert!(concurrency(&[], None, None).is_none());
    }

    #[test]
    fn latency_quantiles_keep_each_simulated_options_in_order() {
        let q = latency_quantiles(&evals());
        assert_eq!(q.len(), 5);
        assert_eq!(q[0].option, "dear");
        assert_eq!(
            q[0].quantiles,
            [Quantile { share: 0.5, ms: 0.0 }, Quantile { share: 0.99, ms: 9.0 }]
        );
    }

    #[test]
    fn buckets_keep_peaks_and_troughs_and_bound_the_points() {
        assert_eq!(minutes_per_point(1_440), 2);
        assert_eq!(minutes_per_point(720), 1);
        assert_eq!(minutes_per_point(721), 2);
        assert_eq!(minutes_per_point(20_160), 28);
        assert_eq!(minutes_per_point(0), 1);
        let v = [1, 9, 2, 3, 0, 4, 7];
        assert_eq!(bucket_max(&v, 2), vec![9, 3, 4, 7]);
        assert_eq!(bucket_min(&v, 2), vec![1, 2, 0, 7]);
        assert_eq!(bucket_max(&v, 1), v.to_vec());
        let day: Vec<u32> = (0..20_160).map(|m| u32::from(m == 12_345) * 500).collect();
        let points = bucket_max(&day, minutes_per_point(day.len()));
        assert!(points.len() <= MAX_POINTS);
        assert_eq!(points.iter().max(), Some(&500), "a one-minute spike survives");
    }
}
