//! A hybrid option evaluated: a committed server base for the load up to its capacity and a
//! serverless option for each minute's excess. The base size is searched (`hybrid_search`);
//! the cheapest size that meets the SLO is evaluated over the horizon: the committed base
//! stays, the servers carry the load up to it and the overflow grows with the load above it.

use anyhow::anyhow;
use rayon::prelude::*;
use std::collections::BTreeMap;

use super::hybrid_search as search;
use super::provisioned::{self, burstable_note, fleet_summary, percentiles, utilization};
use super::serverless::{
    self, cap_limit, concurrency_limit, growth_cap_warning, growth_throttle_warning, latency, throttle_warning,
};
use super::{Behaviour, Costing, Evaluation, LatencySummary, OptionKind, Plan};
use crate::config::{Commitment, HybridOption, ProvisionedOption, ServerlessOption};
use crate::cost::CostBreakdown;
use crate::sim::autoscale::{instances_for, FixedFleet};
use crate::sim::load::LoadProfile;
use crate::sim::SimOutput;
use crate::units::Usd;
use crate::warning::Warning;

/// How much the fixed base's work grows at traffic `x`: the load under capacity grows with
/// traffic until the base is full.
fn grown_base_factor(load: &LoadProfile, capacity_erlangs: f64, x: f64) -> f64 {
    let (mut now, mut then) = (0.0, 0.0);
    for m in &load.minutes {
        let a = m.erlangs();
        now += a.min(capacity_erlangs);
        then += (a * x).min(capacity_erlangs);
    }
    if now > 0.0 {
        then / now
    } else {
        x
    }
}

/// One hybrid candidate's month.
struct HybridMonth {
    base: u32,
    servers: provisioned::FleetMonth,
    overflow: Option<SimOutput>,
    overflow_bill: Option<CostBreakdown>,
    notes: Vec<String>,
    total: Usd,
    /// p99 of the latency added by queueing (servers) or cold starts (overflow).
    added_p99_ms: f64,
    /// Requests the overflow's concurrency limit refused.
    throttles: u64,
}

impl HybridMonth {
    /// Within the SLO and nothing throttled.
    fn meets_slo(&self, plan: &Plan) -> bool {
        self.added_p99_ms <= plan.scenario.latency_slo_ms && self.throttles == 0
    }
}

fn hybrid_month(
    plan: &Plan,
    prov: &ProvisionedOption,
    sl: &ServerlessOption,
    load: &LoadProfile,
    base: u32,
    per_instance_erlangs: f64,
    full: &SimOutput,
) -> anyhow::Result<HybridMonth> {
    let fractions = search::overflow_fractions(load, base as f64 * per_instance_erlangs);
    let base_load = search::base_load(load, &fractions);
    let mut servers = if base > 0 {
        provisioned::run_month(plan, prov, &base_load, Some(base), None)?
    } else {
        let outcome = crate::sim::provisioned::simulate(
            &base_load,
            &provisioned::fleet_spec(plan, prov)?,
            &mut FixedFleet { instances: 0 },
            None,
        );
        provisioned::FleetMonth {
            outcome,
            committed: 0,
            breakdown: CostBreakdown::default(),
        }
    };
    if base == 0 {
        servers.outcome.instances_per_minute.iter_mut().for_each(|n| *n = 0);
        servers.outcome.peak_instances = 0;
        servers.outcome.mean_instances = 0.0;
    }
    let overflow_w = search::overflow_workload(&plan.workload, &fractions);
    let mut notes = Vec::new();
    let (overflow, overflow_bill, p99_sl) = if overflow_w.invocations() > 0 {
        // With no servers everything overflows: that is the serverless option's own run.
        let out = if base == 0 {
            full.clone()
        } else {
            serverless::run(plan, sl, &overflow_w)?
        };
        let (bill, n) = serverless::price(plan, sl, &out.usage)?;
        notes = n;
        let p99 = out.stats.overhead_ms.p99 as f64;
        (Some(out), Some(bill), p99)
    } else {
        (None, None, 0.0)
    };
    let server_p99 = if base > 0 { servers.outcome.queueing_ms.p99 } else { 0.0 };
    let total = servers.breakdown.total() + overflow_bill.as_ref().map(CostBreakdown::total).unwrap_or(Usd::ZERO);
    let throttles = overflow.as_ref().map(|o| o.stats.throttles).unwrap_or(0);
    Ok(HybridMonth {
        base,
        servers,
        overflow,
        overflow_bill,
        notes,
        total,
        added_p99_ms: server_p99.max(p99_sl),
        throttles,
    })
}

/// The larger of two percentile summaries, point by point (an upper bound for the mix).
fn larger(a: LatencySummary, b: LatencySummary) -> LatencySummary {
    LatencySummary {
        p50: a.p50.max(b.p50),
        p95: a.p95.max(b.p95),
        p99: a.p99.max(b.p99),
    }
}

/// Evaluates a hybrid option; `full` is the serverless option's own run on the whole workload.
pub fn evaluate(
    plan: &Plan,
    h: &HybridOption,
    prov: &ProvisionedOption,
    sl: &ServerlessOption,
    full: &SimOutput,
) -> anyhow::Result<Evaluation> {
    // A savings plan covers a steady hourly spend, and the overflow comes in peaks: it is billed
    // on demand, whatever the serverless option's own commitment.
    let overflow_on_demand = ServerlessOption {
        commitment: Commitment::OnDemand,
        ..sl.clone()
    };
    let plan_left_out = sl.commitment.term();
    let sl = &overflow_on_demand;
    let service = provisioned::service_model(plan);
    let load = LoadProfile::from_workload(&plan.workload, &service)?;
    let fleet = provisioned::fleet_spec(plan, prov)?;
    let per_instance = fleet.slots_per_instance() * prov.target_utilization;
    let all_server =
        instances_for(load.peak_erlangs(), fleet.slots_per_instance(), prov.target_utilization).min(prov.max_instances);
    let mut months: BTreeMap<u32, HybridMonth> = BTreeMap::new();
    // A round's sizes are independent replays: side by side where each alone would not use
    // every thread ([`super::replays_side_by_side`]), taken in their order either way (the
    // first error in that order is the one reported, whatever the thread count).
    let month = |base: u32| hybrid_month(plan, prov, sl, &load, base, per_instance, full);
    let seen = search::search(all_server, |bases| -> anyhow::Result<Vec<(bool, f64)>> {
        let round: Vec<anyhow::Result<HybridMonth>> = if super::replays_side_by_side(plan) {
            bases.par_iter().with_max_len(1).map(|&base| month(base)).collect()
        } else {
            bases.iter().map(|&base| month(base)).collect()
        };
        let mut scores = Vec::with_capacity(round.len());
        for m in round {
            let m = m?;
            scores.push((m.meets_slo(plan), m.total.to_f64()));
            months.insert(m.base, m);
        }
        Ok(scores)
    })?;
    let tried: Vec<String> = seen
        .iter()
        .map(|(n, (meets, usd))| format!("{n}: ${usd:.2}{}", if *meets { "" } else { " (misses SLO)" }))
        .collect();
    let best = months
        .remove(&search::best_of(&seen))
        .ok_or_else(|| anyhow!("hybrid '{}': no base size to try", h.id))?;
    let (by_month, overflow_factors, scaled_first) = horizon(plan, prov, sl, &load, &best, per_instance, full)?;
    let bill = match scaled_first {
        Some(bill) => bill,
        None => {
            let mut bill = best.servers.breakdown.clone();
            if let Some(b) = &best.overflow_bill {
                bill.extend(b.clone());
            }
            bill
        }
    };
    let o = &best.servers.outcome;
    let served: f64 = load.minutes.iter().map(|m| m.arrivals).sum();
    let server_latency = percentiles(&o.latency_ms);
    let server_added = percentiles(&o.queueing_ms);
    let (cold, peak, throttles, lat, added) = match &best.overflow {
        Some(out) => (
            out.stats.cold_starts,
            out.stats.peak_concurrency as u64,
            out.stats.throttles,
            larger(server_latency, latency(&out.stats.latency_ms)),
            LatencySummary {
                p99: best.added_p99_ms,
                ..larger(server_added, latency(&out.stats.overhead_ms))
            },
        ),
        None => (0, 0, 0, server_latency, server_added),
    };
    let mut notes = best.notes.clone();
    let why = if best.meets_slo(plan) {
        format!(
            "the cheapest that meets the p99 added-latency SLO of {} ms",
            plan.scenario.latency_slo_ms
        )
    } else {
        format!(
            "no size meets the SLO of {} ms, so the cheapest",
            plan.scenario.latency_slo_ms
        )
    };
    notes.push(format!(
        "base sizes tried (instances: monthly cost): {}; chosen {} — {why}",
        tried.join(", "),
        best.base
    ));
    notes.push(
        "the base has no spare or minimum for availability: the serverless part absorbs the load of a failed server"
            .into(),
    );
    if best.base > 0 {
        notes.extend(burstable_note(&prov.instance_type, o));
    }
    notes.push(
        "latency percentiles are the larger of the server part's and the serverless part's (an upper bound)".into(),
    );
    if let Some(term) = plan_left_out.as_ref().filter(|_| best.overflow.is_some()) {
        notes.push(format!(
            "the excess on {} is billed on demand, not under its {term}: a savings plan covers a steady hourly \
             spend, the excess comes in peaks",
            sl.id
        ));
    }
    let mut assumptions = bill.assumptions.clone();
    if let Some(out) = &best.overflow {
        assumptions.extend(out.assumptions.iter().cloned());
    }
    let requests = served.round() as u64;
    let mut warnings: Vec<Warning> = throttle_warning(&h.id, throttles, requests).into_iter().collect();
    let growth = (throttles == 0)
        .then(|| growth_throttle_warning(&overflow_factors, &h.id, peak as f64, concurrency_limit(plan, sl)))
        .flatten();
    let cap_growth = (throttles == 0)
        .then(|| {
            let units = best.overflow.as_ref().map_or(&[][..], |out| &out.units[..]);
            growth_cap_warning(&overflow_factors, &h.id, units, cap_limit(plan, sl))
        })
        .flatten();
    let grown_ok = growth.is_none() && cap_growth.is_none();
    warnings.extend(growth);
    warnings.extend(cap_growth);
    Ok(Evaluation {
        id: h.id.clone(),
        kind: OptionKind::Hybrid,
        platform: format!("{}+{}", prov.platform, sl.platform),
        description: match &prov.commitment {
            _ if best.base == 0 => format!(
                "no servers: {} takes all the load{} (no base size was cheaper within the SLO)",
                sl.id,
                plan_left_out
                    .as_ref()
                    .map(|term| format!(", on demand (not under its {term})"))
                    .unwrap_or_default()
            ),
            Commitment::OnDemand => format!(
                "{} × {} on demand for the base load, {} for the excess",
                best.base, prov.instance_type, sl.id
            ),
            Commitment::Term(term) => format!(
                "{} × {} committed ({term}) for the base load, {} for the excess",
                best.base, prov.instance_type, sl.id
            ),
        },
        limits: Vec::new(),
        behaviour: Some(Behaviour {
            cold_start_rate: Some(if served > 0.0 { cold as f64 / served } else { 0.0 }),
            latency_ms: lat,
            added_latency_ms: added,
            peak_concurrency: Some(peak),
            requests,
            throttles: Some(throttles),
            instances: Some(fleet_summary(prov, o, best.servers.committed)),
            utilization: utilization(o),
            slo_violation_minutes: Some(o.slo_violation_minutes),
            serverless_usage: None,
            added_latency_quantiles_ms: vec![(0.5, added.p50), (0.95, added.p95), (0.99, added.p99)],
            ..Behaviour::default()
        }),
        meets_slo: best.meets_slo(plan) && grown_ok,
        notes,
        assumptions,
        costing: Some(Costing::new(&h.id, bill, &by_month)?),
        warnings,
    })
}

/// The total of each month of the horizon for the chosen base, how many times the first
/// month's overflow each month sends to the serverless part, and the first month's bill when
/// the what-if traffic multiple moves it off the searched month.
fn horizon(
    plan: &Plan,
    prov: &ProvisionedOption,
    sl: &ServerlessOption,
    load: &LoadProfile,
    best: &HybridMonth,
    per_instance: f64,
    full: &SimOutput,
) -> anyhow::Result<(Vec<Usd>, Vec<f64>, Option<CostBreakdown>)> {
    let capacity = best.base as f64 * per_instance;
    let fractions = search::overflow_fractions(load, capacity);
    let base_requests: f64 = load
        .minutes
        .iter()
        .zip(&fractions)
        .map(|(m, f)| m.arrivals * (1.0 - f))
        .sum();
    let overflow_work = |x: f64| -> f64 {
        load.minutes
            .iter()
            .map(|m| (m.erlangs() * x - capacity).max(0.0))
            .sum::<f64>()
    };
    let work0 = overflow_work(1.0);
    let total0: f64 = load.minutes.iter().map(|m| m.erlangs()).sum();
    let mut by_month = Vec::new();
    let mut factors = Vec::new();
    let mut first = None;
    for (k, x) in plan.month_multipliers().into_iter().enumerate() {
        factors.push(if work0 > 0.0 { overflow_work(x) / work0 } else { x });
        if k == 0 && x == 1.0 {
            by_month.push(best.total);
            continue;
        }
        // Requests the servers take: their share of month 0, grown while below capacity (an
        // estimate from the month-0 share; the ALB's LCU-hours depend on it).
        let mut bill = if best.base > 0 {
            let requests = base_requests * grown_base_factor(load, capacity, x);
            provisioned::price_fleet(
                plan,
                prov,
                &best.servers.outcome,
                best.servers.committed,
                requests.round() as u64,
            )?
        } else {
            CostBreakdown::default()
        };
        let grown = overflow_work(x);
        let overflow_usage = match &best.overflow {
            Some(o) if work0 > 0.0 => Some(o.usage.scaled_traffic(grown / work0)),
            _ if grown > 0.0 && total0 > 0.0 => Some(full.usage.scaled_traffic(grown / total0)),
            _ => None,
        };
        if let Some(u) = overflow_usage {
            bill.extend(serverless::price(plan, sl, &u)?.0);
        }
        by_month.push(bill.total());
        if k == 0 {
            first = Some(bill);
        }
    }
    Ok((by_month, factors, first))
}
