//! Fit per function and for the whole workload: which architecture each function fits —
//! serverless, serverless with provisioned concurrency, servers/containers, hybrid — how to
//! configure it, what it saves against the runner-up, how sure that is, and why.
//!
//! Each function is evaluated as if deployed alone on every option of the scenario, for its
//! first month at today's traffic (the same simulation, limits, SLO and prices as the whole
//! workload; its own fleets, no free tier — free grants are per account, not per function). Where an on-demand serverless option fails
//! the SLO on cold starts alone and its platform sells provisioned concurrency, the smallest
//! level (1, 2, 4, … up to the function's peak concurrency) that meets the SLO is tried as a
//! variant. The verdict is the decision stage's ranking of those evaluations; the reasons are
//! the measured features behind it (`reasons`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::features::{self, Features};
use super::reasons::{evaluation_reasons, trace_reasons, Favours, Reason};
use super::{decide, horizon_total, money, Decision};
use crate::config::{arch_name, ServerlessOption};
use crate::eval::{
    evaluate_all, evaluate_all_reusing, AloneByOption, Evaluation, OptionKind, Plan, Reuse, ServerlessRuns,
};
use crate::money::Money;
use crate::parallel::map_heaviest_first;
use crate::sim::arrivals::function_key;
use crate::sim::schedule::ProvisionedSchedule;
use crate::trace::{FunctionTrace, Workload};

/// A margin over the runner-up (share of the runner-up's horizon cost) at or above which the
/// verdict is held with high confidence.
pub const HIGH_CONFIDENCE_MARGIN: f64 = 0.2;
/// Below this margin the verdict is held with low confidence.
pub const LOW_CONFIDENCE_MARGIN: f64 = 0.05;

/// The architecture that fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FitVerdict {
    /// Functions on a serverless platform, on demand.
    Serverless,
    /// Serverless with provisioned concurrency (warm instances) to meet the SLO.
    ServerlessProvisioned,
    /// Servers or containers.
    Servers,
    /// Servers for the base load, functions for the excess.
    Hybrid,
    /// No option of the scenario runs it within the platform limits and the SLO.
    NoneViable,
}

impl FitVerdict {
    /// The verdict as serialized.
    pub fn name(self) -> &'static str {
        match self {
            FitVerdict::Serverless => "serverless",
            FitVerdict::ServerlessProvisioned => "serverless-provisioned",
            FitVerdict::Servers => "servers",
            FitVerdict::Hybrid => "hybrid",
            FitVerdict::NoneViable => "none-viable",
        }
    }
}

/// How far the verdict is from flipping to the runner-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The only viable option, or cheaper than the runner-up by at least 20 % over the horizon.
    High,
    /// Cheaper by 5–20 %.
    Medium,
    /// Cheaper by less than 5 %, or nothing viable.
    Low,
}

impl Confidence {
    /// The confidence as serialized.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// What to deploy, and what it saves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// The architecture.
    pub verdict: FitVerdict,
    /// The option (a scenario option id, or `ID+pcN` for a provisioned-concurrency variant).
    pub option: Option<String>,
    /// Its platform.
    pub platform: Option<String>,
    /// Its configuration in words.
    pub configuration: Option<String>,
    /// The next viable option over the horizon.
    pub runner_up: Option<String>,
    /// The chosen option's first-month cost.
    pub monthly_cost_usd: Option<Money>,
    /// First-month cost of the runner-up minus the choice's.
    pub monthly_saving_usd: Option<Money>,
    /// Horizon cost of the runner-up minus the choice's.
    pub horizon_saving_usd: Option<Money>,
    /// How far from flipping.
    pub confidence: Confidence,
}

/// One function's fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionFit {
    /// Function id (as the trace names it).
    pub function: String,
    /// Its app.
    pub app: String,
    /// Its trigger.
    pub trigger: String,
    /// Invocations in the window.
    pub invocations: u64,
    /// What to deploy.
    #[serde(flatten)]
    pub choice: Choice,
    /// Why, strongest first: limits, cost, then the trace's shape and the behaviour.
    pub reasons: Vec<Reason>,
}

/// The whole workload's fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverallFit {
    /// What to deploy for the whole workload (the decision's winner).
    #[serde(flatten)]
    pub choice: Choice,
    /// Why.
    pub reasons: Vec<Reason>,
    /// How many functions fit each architecture.
    pub functions_by_verdict: BTreeMap<String, u64>,
    /// First-month cost of deploying every function on its own best option (None when a
    /// function has no viable option).
    pub split_monthly_cost_usd: Option<Money>,
}

/// Fit recommendations: the whole workload's and each function's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendations {
    /// The whole workload.
    pub overall: OverallFit,
    /// Each function, in the trace's order.
    pub functions: Vec<FunctionFit>,
    /// How the per-function figures were obtained.
    pub assumptions: Vec<String>,
}

/// Fits every function and the whole workload of an evaluated plan, replaying every function
/// alone on every serverless option.
pub fn recommend(plan: &Plan, evals: &[Evaluation], decision: &Decision) -> anyhow::Result<Recommendations> {
    recommend_reusing(plan, evals, decision, &AloneByOption::new())
}

/// [`recommend`], pricing a function alone on a serverless option from its run alone in
/// `alone` where there is one (the whole workload's simulation held it exactly:
/// `sim::AloneRuns`) instead of replaying it; the result is the same.
pub fn recommend_reusing(
    plan: &Plan,
    evals: &[Evaluation],
    decision: &Decision,
    alone: &AloneByOption,
) -> anyhow::Result<Recommendations> {
    let functions = fit_functions_reusing(plan, alone)?;
    Ok(Recommendations {
        overall: fit_overall(plan, evals, decision, &functions),
        functions,
        assumptions: assumptions(plan),
    })
}

impl Recommendations {
    /// Folds the ranges into the whole workload's recommendation: a verdict that does not hold
    /// across the uncertain inputs is held with low confidence whatever its margin, and the
    /// reason says what flips it.
    pub fn with_ranges(mut self, ranges: &super::ranges::Ranges) -> Recommendations {
        if ranges.winner.is_some() && ranges.winner == self.overall.choice.option {
            if !ranges.holds {
                self.overall.choice.confidence = Confidence::Low;
            }
            self.overall.reasons.push(Reason {
                feature: "holds_across_range".into(),
                value: if ranges.holds { 1.0 } else { 0.0 },
                threshold: 1.0,
                unit: "yes (1) or no (0)".into(),
                favours: Favours::Neither,
                explanation: ranges.summary.clone(),
            });
        }
        self
    }
}

/// The choice a decision makes among evaluations; `warm` lists provisioned-concurrency variants.
pub fn choice(evals: &[Evaluation], decision: &Decision, warm: &[String]) -> Choice {
    let find = |id: &Option<String>| id.as_ref().and_then(|id| evals.iter().find(|e| &e.id == id));
    let winner = find(&decision.cheapest_option);
    let runner = find(&decision.runner_up);
    let monthly = |e: Option<&Evaluation>| e.and_then(|e| e.costing.as_ref()).map(|c| c.monthly());
    let verdict = match winner {
        None => FitVerdict::NoneViable,
        Some(e) => match e.kind {
            OptionKind::Serverless if warm.contains(&e.id) => FitVerdict::ServerlessProvisioned,
            OptionKind::Serverless => FitVerdict::Serverless,
            OptionKind::Provisioned => FitVerdict::Servers,
            OptionKind::Hybrid => FitVerdict::Hybrid,
        },
    };
    let saving = |a: Option<Money>, b: Option<Money>| match (a, b) {
        (Some(a), Some(b)) => a.checked_sub(b, "saving").ok(),
        _ => None,
    };
    let confidence = match (winner, runner) {
        (None, _) => Confidence::Low,
        (Some(_), None) => Confidence::High,
        (Some(w), Some(r)) => {
            let (w, r) = (
                horizon_total(w).unwrap_or_default().to_f64(),
                horizon_total(r).unwrap_or_default().to_f64(),
            );
            let margin = if r > 0.0 { (r - w) / r } else { 0.0 };
            if margin >= HIGH_CONFIDENCE_MARGIN {
                Confidence::High
            } else if margin >= LOW_CONFIDENCE_MARGIN {
                Confidence::Medium
            } else {
                Confidence::Low
            }
        }
    };
    Choice {
        verdict,
        option: winner.map(|e| e.id.clone()),
        platform: winner.map(|e| e.platform.clone()),
        configuration: winner.map(|e| e.description.clone()),
        runner_up: runner.map(|e| e.id.clone()),
        monthly_cost_usd: monthly(winner),
        monthly_saving_usd: saving(monthly(runner), monthly(winner)),
        horizon_saving_usd: saving(runner.and_then(horizon_total), winner.and_then(horizon_total)),
        confidence,
    }
}

/// How the per-function figures are obtained, for the report's assumptions.
pub fn assumptions(plan: &Plan) -> Vec<String> {
    vec![
        "per function: each function is evaluated as if deployed alone on every option of the scenario (its own \
         fleets and load balancer, no free tier: free grants are per account), for the first month at today's \
         traffic; its horizon saving is that month's saving × the horizon's months; a hybrid whose search chose no \
         servers is left out (it is its serverless option); a function never invoked costs nothing on serverless"
            .into(),
        format!(
            "per function: where an on-demand serverless option misses the SLO on cold starts alone and its platform \
             sells provisioned concurrency, the smallest level of 1, 2, 4, … up to the function's peak concurrency \
             that meets the {} ms SLO is tried as option ID+pcN",
            plan.scenario.latency_slo_ms
        ),
        format!(
            "confidence: high when the choice is the only viable option or at least {:.0} % cheaper than the \
             runner-up over the horizon, medium from {:.0} %, low below",
            HIGH_CONFIDENCE_MARGIN * 100.0,
            LOW_CONFIDENCE_MARGIN * 100.0
        ),
    ]
}

/// The plan of one function deployed alone for its first month: the same scenario without
/// free grants.
fn alone(plan: &Plan, f: &FunctionTrace) -> Plan {
    let mut scenario = plan.scenario.clone();
    scenario.free_tier = false;
    scenario.horizon_months = 1;
    Plan {
        scenario,
        scenario_label: plan.scenario_label.clone(),
        workload: Arc::new(Workload {
            functions: vec![f.clone()],
            window_start_ms: plan.workload.window_start_ms,
            window_end_ms: plan.workload.window_end_ms,
            sources: Vec::new(),
            warnings: Vec::new(),
        }),
        trace_files: Vec::new(),
        catalog: plan.catalog.clone(),
        what_if: plan.what_if,
        replays: None,
    }
}

/// Whether the option's platform sells provisioned concurrency at its architecture in the
/// scenario's region (a level whose rate is missing there would only be "not priced").
fn sells_provisioned_concurrency(plan: &Plan, opt: &ServerlessOption) -> bool {
    let Ok(t) = plan.catalog.get(opt.platform.id()) else {
        return false;
    };
    let Some(region) = plan
        .scenario
        .region_of(&t.provider)
        .or(t.regions.first().map(String::as_str))
    else {
        return false;
    };
    let [concurrency, _] = crate::cost::provisioned_price_keys(arch_name(opt.arch));
    t.prices
        .get(&concurrency)
        .is_some_and(|p| p.in_region(region, &t.regions).is_some())
}

/// For each on-demand serverless option that misses the SLO with nothing throttled on a
/// platform that sells provisioned concurrency, the smallest power-of-two level up to the
/// peak concurrency that meets it, evaluated and appended. Returns the variants' ids.
fn add_warm_variants(plan: &Plan, evals: &mut Vec<Evaluation>) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    for opt in &plan.scenario.serverless {
        let Some(e) = evals.iter().find(|e| e.id == opt.id) else {
            continue;
        };
        let Some(b) = e.behaviour.as_ref() else {
            continue;
        };
        if e.meets_slo
            || b.throttles.unwrap_or(0) > 0
            || !opt.provisioned_concurrency.is_zero()
            || !sells_provisioned_concurrency(plan, opt)
        {
            continue;
        }
        let peak = b.peak_concurrency.unwrap_or(1).clamp(1, u64::from(u32::MAX)) as u32;
        let mut level = 1u32;
        loop {
            let mut variant = opt.clone();
            variant.id = format!("{}+pc{level}", opt.id);
            variant.provisioned_concurrency = ProvisionedSchedule::constant(level);
            variant.provisioned_concurrency_text = level.to_string();
            let mut scenario = plan.scenario.clone();
            scenario.serverless = vec![variant];
            scenario.provisioned.clear();
            scenario.hybrid.clear();
            let one = Plan {
                scenario,
                scenario_label: plan.scenario_label.clone(),
                workload: Arc::clone(&plan.workload),
                trace_files: Vec::new(),
                catalog: plan.catalog.clone(),
                what_if: plan.what_if,
                replays: None,
            };
            let mut v = evaluate_all(&one)?;
            let met = v.first().is_some_and(|e| e.meets_slo);
            if met || level >= peak {
                if met {
                    ids.extend(v.iter().map(|e| e.id.clone()));
                    evals.append(&mut v);
                }
                break;
            }
            level = level.saturating_mul(2).min(peak);
        }
    }
    Ok(ids)
}

/// The name a function is shown by: the trace's function id.
fn display_name(f: &FunctionTrace) -> String {
    f.id.function.clone()
}

/// A function never invoked in the window: nothing to simulate; serverless costs nothing idle.
fn idle_function(f: &FunctionTrace) -> FunctionFit {
    FunctionFit {
        function: display_name(f),
        app: f.id.app.clone(),
        trigger: f.trigger.name().to_string(),
        invocations: 0,
        choice: Choice {
            verdict: FitVerdict::Serverless,
            option: None,
            platform: None,
            configuration: None,
            runner_up: None,
            monthly_cost_usd: Some(Money::default()),
            monthly_saving_usd: None,
            horizon_saving_usd: None,
            confidence: Confidence::High,
        },
        reasons: vec![Reason {
            feature: "invocations".into(),
            value: 0.0,
            threshold: 1.0,
            unit: "invocations".into(),
            favours: Favours::Serverless,
            explanation: "not invoked in the window: a serverless function costs nothing while idle, a server its \
                          full price"
                .into(),
        }],
    }
}

/// Fits one function, taking its runs alone from `runs` where they are.
fn fit_function(plan: &Plan, f: &FunctionTrace, runs: &AloneByOption) -> anyhow::Result<FunctionFit> {
    if f.arrivals.invocations() == 0 {
        return Ok(idle_function(f));
    }
    let sub = alone(plan, f);
    let key = function_key(&f.id);
    // Options of one simulation share their runs alone: each is made the option's own here.
    let own: ServerlessRuns = runs
        .iter()
        .filter_map(|(id, by_function)| {
            let run = by_function.get(&key)?;
            let opt = plan.scenario.serverless.iter().find(|o| &o.id == id)?;
            Some((id.clone(), crate::eval::serverless::as_option(opt, run.clone())))
        })
        .collect();
    let reuse = Reuse {
        runs: Some(&own),
        ..Reuse::default()
    };
    let mut evals = evaluate_all_reusing(&sub, reuse)?;
    // A hybrid whose search chose no servers is its serverless option under another name (on
    // demand where that option has a savings plan: never the cheaper of the two).
    evals.retain(|e| {
        !(e.kind == OptionKind::Hybrid
            && e.behaviour
                .as_ref()
                .and_then(|b| b.instances.as_ref())
                .is_some_and(|i| i.peak == 0))
    });
    let warm = add_warm_variants(&sub, &mut evals)?;
    let decision = decide(&sub, &evals);
    let x = features::of_function(f, &plan.workload);
    let mut choice = choice(&evals, &decision, &warm);
    choice.horizon_saving_usd = choice.monthly_saving_usd.and_then(|m| {
        m.checked_mul(u64::from(plan.scenario.horizon_months), "function horizon saving")
            .ok()
    });
    Ok(FunctionFit {
        function: display_name(f),
        app: f.id.app.clone(),
        trigger: f.trigger.name().to_string(),
        invocations: x.invocations,
        choice,
        reasons: ordered(evaluation_reasons(&evals, plan.scenario.latency_slo_ms, &warm), &x),
    })
}

/// The evaluation reasons first (limits, cost), then the trace's.
fn ordered(mut reasons: Vec<Reason>, x: &Features) -> Vec<Reason> {
    reasons.extend(trace_reasons(x));
    reasons
}

/// Fits every function of the plan's workload, in the workload's order (in parallel; the
/// result does not depend on the thread count), replaying each alone on every option.
pub fn fit_functions(plan: &Plan) -> anyhow::Result<Vec<FunctionFit>> {
    fit_functions_reusing(plan, &AloneByOption::new())
}

/// [`fit_functions`], taking each function's serverless runs alone from `alone` where they are.
pub fn fit_functions_reusing(plan: &Plan, alone: &AloneByOption) -> anyhow::Result<Vec<FunctionFit>> {
    // The busiest first: one started last would run on one thread alone at the end.
    map_heaviest_first(
        &plan.workload.functions,
        |f| f.arrivals.invocations(),
        |f| fit_function(plan, f, alone),
    )
    .into_iter()
    .collect()
}

/// The whole workload's fit from its evaluations and decision, and its functions' fits.
pub fn fit_overall(plan: &Plan, evals: &[Evaluation], decision: &Decision, functions: &[FunctionFit]) -> OverallFit {
    let mut functions_by_verdict: BTreeMap<String, u64> = BTreeMap::new();
    for f in functions {
        *functions_by_verdict
            .entry(f.choice.verdict.name().to_string())
            .or_default() += 1;
    }
    let split: Option<Money> = functions
        .iter()
        .map(|f| f.choice.monthly_cost_usd)
        .collect::<Option<Vec<Money>>>()
        .and_then(|v| Money::sum(&v, "split deployment monthly cost").ok());
    let choice = choice(evals, decision, &[]);
    let mut reasons = evaluation_reasons(evals, plan.scenario.latency_slo_ms, &[]);
    reasons.extend(trace_reasons(&features::of_workload(&plan.workload)));
    if let (Some(split), Some(best)) = (split, choice.monthly_cost_usd) {
        if best.micro() > 0 && !functions.is_empty() {
            let ratio = split.micro() as f64 / best.micro() as f64;
            reasons.push(Reason {
                feature: "split_cost_ratio".into(),
                value: ratio,
                threshold: 1.0,
                unit: "split cost / chosen option's cost".into(),
                favours: Favours::Neither,
                explanation: format!(
                    "deploying each function alone on the option that fits it best would cost {} a month (its own \
                     fleets, no free tier) against {} for {} running everything",
                    money(split),
                    money(best),
                    choice.option.as_deref().unwrap_or("the chosen option")
                ),
            });
        }
    }
    OverallFit {
        choice,
        reasons,
        functions_by_verdict,
        split_monthly_cost_usd: split,
    }
}

#[cfg(test)]
mod tests;
