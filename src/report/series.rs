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
