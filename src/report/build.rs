//! Builds the `Report` of an `analyze` run from the plan, the evaluations and the decision:
//! the evaluations' amounts (already rounded once to the micro-dollar, so an option's monthly
//! cost is the sum of its lines and its horizon the sum of its months), the assumptions of
//! every stage, and the warnings of every stage with stable codes.

use std::collections::BTreeMap;

use super::model::{
    ChartSeries, CheapestChange, Inputs, KeepAliveTradeoff, OptionReport, PairBreakEven, PriceTableRef, Ranges,
    Recommendations, Report, ReportCostLine, RightSizing, Verdict, REPORT_SCHEMA_VERSION,
};
use crate::eval::{Costing, Evaluation, Plan};
use crate::fit::Decision;
use crate::warning::{Warning, WarningCode};

/// The report's lines of a bill, with the evaluation's rounded costs.
pub fn lines(c: &Costing) -> Vec<ReportCostLine> {
    c.bill
        .lines
        .iter()
        .zip(&c.line_costs)
        .map(|(l, cost)| ReportCostLine {
            offering: l.offering.clone(),
            name: l.name.clone(),
            unit: l.unit.clone(),
            quantity: l.quantity,
            unit_price_usd: l.unit_price_usd,
            cost_usd: *cost,
            verified: l.verified,
            note: l.note.clone(),
        })
        .collect()
}

fn option_report(e: &Evaluation) -> OptionReport {
    let (cost_lines, monthly, by_month, horizon, complete, verified) = match &e.costing {
        Some(c) => (
            lines(c),
            Some(c.monthly()),
            c.by_month.clone(),
            Some(c.horizon),
            c.bill.complete(),
            c.bill.verified(),
        ),
        None => (Vec::new(), None, Vec::new(), None, false, true),
    };
    let b = e.behaviour.as_ref();
    OptionReport {
        id: e.id.clone(),
        kind: e.kind,
        platform: e.platform.clone(),
        description: e.description.clone(),
        feasible: e.feasible(),
        viable: crate::fit::viable(e),
        limits: e.limits.clone(),
        monthly_cost_usd: monthly,
        complete,
        verified,
        horizon_cost_usd: horizon,
        monthly_cost_by_month_usd: by_month,
        cost_lines,
        requests: b.map(|b| b.requests),
        cold_start_rate: b.and_then(|b| b.cold_start_rate),
        latency_ms: b.map(|b| b.latency_ms),
        added_latency_ms: b.map(|b| b.added_latency_ms),
        meets_slo: e.meets_slo,
        peak_concurrency: b.and_then(|b| b.peak_concurrency),
        throttles: b.and_then(|b| b.throttles),
        instances: b.and_then(|b| b.instances.clone()),
        utilization: b.and_then(|b| b.utilization),
        slo_violation_minutes: b.and_then(|b| b.slo_violation_minutes),
        notes: e.notes.clone(),
    }
}

/// The run's assumptions: the scenario's defaults, the model's rules, then each option's.
fn assumptions(plan: &Plan, evals: &[Evaluation]) -> Vec<String> {
    let mut out = plan.scenario.assumptions.clone();
    out.push(format!(
        "servers: a traced duration runs (1 − f) + f × 1 times as long on a server vCPU with CPU-bound share f = {}; \
         request slots per vCPU default to 1/f",
        plan.scenario.cpu_bound_fraction
    ));
    out.push(
        "servers: queueing per minute by Erlang C with the Allen–Cunneen correction, a fluid queue under overload; \
         latency percentiles = service percentile + waiting percentile (an upper bound)"
            .into(),
    );
    out.push(format!(
        "growth: traffic × (1 + {})^month over {} months; serverless usage scales linearly from the simulated window, \
         fleets are re-simulated each month",
        plan.scenario.growth_per_month, plan.scenario.horizon_months
    ));
    out.push(
        "verdict: the cheapest option is the one with the lowest total over the horizon among those fully priced, \
         within every platform limit and meeting the SLO with nothing throttled in every month"
            .into(),
    );
    for e in evals {
        for a in &e.assumptions {
            let a = format!("{}: {a}", e.id);
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// What the decision stage and the charts' extra simulations found, beyond the verdict.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// Which architecture fits each function and the whole workload.
    pub recommendations: Option<Recommendations>,
    /// Serverless/server break-even traffic per pair.
    pub break_even: Vec<PairBreakEven>,
    /// The verdict's ranges.
    pub ranges: Option<Ranges>,
    /// The keep-alive trade-off and right-sizing curves (`eval::series`).
    pub series: ComputedSeries,
}

/// Builds the report of a run.
pub fn build(
    plan: &Plan,
    profile: crate::characterize::WorkloadProfile,
    evals: &[Evaluation],
    decision: &Decision,
    findings: Findings,
) -> Report {
    let Findings {
        recommendations,
        break_even,
        ranges,
        series: computed,
    } = findings;
    let mut tables: BTreeMap<String, PriceTableRef> = BTreeMap::new();
    for e in evals {
        for o in e.costing.iter().flat_map(|c| &c.bill.offerings) {
            tables.entry(o.id.clone()).or_insert_with(|| PriceTableRef {
                id: o.id.clone(),
                region: o.region.clone(),
                effective_date: o.effective_date.clone(),
                origin: o.origin.clone(),
                verified: o.fully_verified,
            });
        }
    }
    let mut warnings: Vec<Warning> = plan
        .workload
        .warnings
        .iter()
        .map(|w| Warning::run(WarningCode::TraceInput, w.clone()))
        .collect();
    warnings.extend(decision.warnings.iter().cloned());
    for e in evals {
        warnings.extend(e.warnings.iter().cloned());
    }
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: format!("faascost {}", env!("CARGO_PKG_VERSION")),
        seed: plan.scenario.seed,
        generated_at: None,
        inputs: Inputs {
            scenario: plan.scenario_label.clone(),
            traces: plan.trace_files.clone(),
            price_tables: tables.into_values().collect(),
        },
        workload: profile,
        verdict: Verdict {
            headline: decision.headline.clone(),
            cheapest_option: decision.cheapest_option.clone(),
            runner_up: decision.runner_up.clone(),
            saving_vs_runner_up_usd: decision.saving_vs_runner_up,
            horizon_months: plan.scenario.horizon_months,
            latency_slo_ms: plan.scenario.latency_slo_ms,
        },
        options: evals.iter().map(option_report).collect(),
        cheapest_by_month: decision.cheapest_by_month.clone(),
        cheapest_changes: decision
            .cheapest_changes
            .iter()
            .map(|c| CheapestChange {
                month: c.month,
                option: c.option.clone(),
            })
            .collect(),
        traffic_multiple_by_month: plan.month_multipliers(),
        assumptions: assumptions(plan, evals),
        warnings,
        recommendations,
        break_even,
        ranges,
        series: Some(ChartSeries {
            concurrency: super::series::concurrency(
                evals,
                decision.cheapest_option.as_deref(),
                decision.runner_up.as_deref(),
            ),
            keep_alive: computed.keep_alive,
            added_latency_quantiles: super::series::latency_quantiles(evals),
            right_sizing: computed.right_sizing,
        }),
    }
}

/// The series the evaluation stage computed for the charts (`eval::series`), when it did.
#[derive(Debug, Clone, Default)]
pub struct ComputedSeries {
    /// The keep-alive trade-off of the chosen serverless option.
    pub keep_alive: Option<KeepAliveTradeoff>,
    /// The right-sizing curves on its platform.
    pub right_sizing: Option<RightSizing>,
}
