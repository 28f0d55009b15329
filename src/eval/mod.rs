//! Evaluation stage: one option of a scenario on one workload → an [`Evaluation`] (its bill
//! for each month of the horizon, how it behaved, which platform limits it breaks, and the
//! warnings that could change a decision). No report types and no ranking here: the decision
//! stage (`fit`) compares evaluations and `report` renders them.
//!
//! Serverless options are replayed by the event engine (`sim::simulate`; options that differ
//! only in architecture share one run, `serverless::same_simulation`), provisioned ones by
//! the fleet model (`sim::provisioned`), hybrids by searching the committed base size; each
//! is billed with the price tables (`cost`). An option that breaks a platform limit (timeout,
//! memory) is neither simulated nor priced: it cannot run the workload.
//!
//! Growth: provisioned fleets are re-simulated (and re-sized) for each month's traffic;
//! serverless usage is scaled linearly from the simulated window (requests, executions and
//! cold starts grow with traffic; provisioned capacity does not), and tiers and free grants
//! are re-applied to each month's quantities. Hybrids keep their committed base and scale
//! the overflow by the growth of the load above the base.

mod hybrid;
pub mod hybrid_search;
pub mod limits;
pub mod ops;
pub mod provisioned;
pub mod replays;
pub mod series;
pub mod serverless;

use anyhow::anyhow;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::config::{Scenario, ServerlessOption};
use crate::cost::{CostBreakdown, CostOptions};
use crate::money::{Money, MoneyOverflow};
use crate::pricing::{Catalog, PriceTable};
use crate::sim::arrivals::SpreadMode;
use crate::sim::{AloneRuns, SimOutput};
use crate::trace::Workload;
use crate::units::Usd;
use crate::warning::Warning;
pub use limits::LimitBreach;

/// A trace file read, with its digest (provenance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// Path as given.
    pub path: String,
    /// Format read.
    pub format: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// What-if settings the scenario file does not carry: the ranges (`fit::ranges`) vary them;
/// every other run uses [`WhatIf::default`] (the engine's own model).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WhatIf {
    /// How per-minute counts are placed inside their minute.
    pub spread: SpreadMode,
    /// Multiple of the platform's cold-start (init) latency distribution.
    pub cold_start_multiple: f64,
    /// Multiple of the traffic in every month: the window scaled to a month is taken as this
    /// multiple of what it shows (1: the window repeats).
    pub traffic_multiple: f64,
}

impl Default for WhatIf {
    fn default() -> Self {
        WhatIf {
            spread: SpreadMode::default(),
            cold_start_multiple: 1.0,
            traffic_multiple: 1.0,
        }
    }
}

/// Everything an analysis needs: the checked scenario, the workload, the price tables.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The scenario.
    pub scenario: Scenario,
    /// Where the scenario came from (a path, or `embedded:…`).
    pub scenario_label: String,
    /// The workload read from the traces: shared by the plans derived from this one (the
    /// range cases, the Monte Carlo runs), which change only settings — a 14-day full-scale
    /// trace is ~0.6 GB.
    pub workload: Arc<Workload>,
    /// The trace files read, with their digests.
    pub trace_files: Vec<InputFile>,
    /// Price tables.
    pub catalog: Catalog,
    /// What-if settings (the default: none).
    pub what_if: WhatIf,
    /// Where the replays of serverless options on this plan's whole workload are kept and
    /// found (`analyze --replays`): none, or shared by the plans of the same workload.
    pub replays: Option<Arc<replays::ReplayStore>>,
}

impl Plan {
    /// Cost-engine options for pricing against `table`: the scenario's free-tier choice and
    /// the scenario's region of the table's provider.
    pub fn cost_options(&self, table: &PriceTable) -> CostOptions {
        CostOptions {
            free_tier: self.scenario.free_tier,
            new_account_offers: self.scenario.new_account_offers,
            response_bytes: serverless::response_bytes(self).0,
            region: self.scenario.region_of(&table.provider).map(str::to_string),
            ..CostOptions::default()
        }
    }

    /// Traffic multiple of each month of the horizon: (1 + growth)^month, times the what-if
    /// traffic multiple.
    pub fn month_multipliers(&self) -> Vec<f64> {
        (0..self.scenario.horizon_months)
            .map(|k| self.what_if.traffic_multiple * (1.0 + self.scenario.growth_per_month).powi(k as i32))
            .collect()
    }

    /// The period every usage is billed over: the workload's window, at least a minute.
    pub fn period_ms(&self) -> u64 {
        self.workload.window_ms().max(crate::units::MS_PER_MINUTE)
    }
}

/// Kind of a deployment option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionKind {
    /// Functions on a serverless platform.
    Serverless,
    /// A fleet of servers or containers.
    Provisioned,
    /// Servers for the base load, functions for the excess.
    Hybrid,
}

impl OptionKind {
    /// The kind's name as serialized.
    pub fn name(self) -> &'static str {
        match self {
            OptionKind::Serverless => "serverless",
            OptionKind::Provisioned => "provisioned",
            OptionKind::Hybrid => "hybrid",
        }
    }
}

/// Latency percentiles in ms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// A provisioned fleet's size over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceSummary {
    /// Instance type.
    pub instance_type: String,
    /// Most instances at once.
    pub peak: u32,
    /// Mean instances.
    pub mean: f64,
    /// Instances committed (reserved / savings plan), paid whether used or not.
    pub committed: u32,
    /// The most instances the option allows.
    pub max_instances: u32,
    /// Minutes the fleet spent at `max_instances`.
    pub minutes_at_max: u64,
}

/// Utilization of provisioned capacity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UtilizationSummary {
    /// Mean over minutes (capped at 1 per minute).
    pub mean: f64,
    /// 95th percentile over minutes.
    pub p95: f64,
    /// Minutes whose offered load exceeded the ready capacity (utilization above 100 %).
    pub overloaded_minutes: u64,
}

/// How an option behaved on the workload.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Behaviour {
    /// Share of requests that met a cold start (serverless part).
    pub cold_start_rate: Option<f64>,
    /// End-to-end latency percentiles (execution included).
    pub latency_ms: LatencySummary,
    /// Latency the platform adds (cold-start init, waiting for a slot or server).
    pub added_latency_ms: LatencySummary,
    /// Most requests in flight at once (serverless part).
    pub peak_concurrency: Option<u64>,
    /// Requests offered in the window.
    pub requests: u64,
    /// Requests refused by the concurrency limit.
    pub throttles: Option<u64>,
    /// Fleet size (provisioned part).
    pub instances: Option<InstanceSummary>,
    /// Fleet utilization (provisioned part).
    pub utilization: Option<UtilizationSummary>,
    /// Minutes whose p99 waiting time exceeded the SLO (provisioned part).
    pub slo_violation_minutes: Option<u64>,
    /// The simulated window's usage (serverless options), for re-pricing at other traffic.
    pub serverless_usage: Option<crate::usage::Usage>,
    /// Most requests in flight in each minute of the simulated period, from its start
    /// (serverless options).
    pub in_flight_by_minute: Vec<u32>,
    /// Instances billed (ready and booting) in each minute of the first month's window
    /// (provisioned options).
    pub instances_by_minute: Vec<u32>,
    /// Request slots of one instance (provisioned options).
    pub slots_per_instance: Option<u32>,
    /// Added-latency quantiles as (share of requests 0–1, ms), ascending: the ones the model
    /// reports (serverless: 14 points from p50 through the tail to the maximum; fleets: p50, p95, p99).
    pub added_latency_quantiles_ms: Vec<(f64, f64)>,
}

/// What an option costs: the first month's bill and the total of every month of the horizon,
/// rounded once to the micro-dollar (each line, each later month), so that the first month is
/// the sum of its lines and the horizon the sum of its months — the amounts the decision ranks
/// and the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Costing {
    /// The first month's bill, line by line (exact).
    pub bill: CostBreakdown,
    /// Each line's cost (None: not priced), in the bill's order.
    pub line_costs: Vec<Option<Money>>,
    /// Total of each month of the horizon (month 0 is the sum of `line_costs`).
    pub by_month: Vec<Money>,
    /// Sum of `by_month`.
    pub horizon: Money,
}

impl Costing {
    /// Rounds a bill and the exact totals of the later months; `months[0]` is ignored (the
    /// first month is the sum of the bill's rounded lines). Overflow is an error naming `id`.
    pub fn new(id: &str, bill: CostBreakdown, months: &[Usd]) -> Result<Costing, MoneyOverflow> {
        let line_costs = bill
            .lines
            .iter()
            .map(|l| {
                l.cost
                    .map(|c| Money::from_usd(c, &format!("option '{id}' line '{}'", l.name)))
                    .transpose()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let first = Money::sum(line_costs.iter().flatten(), &format!("option '{id}' monthly cost"))?;
        let mut by_month = vec![first];
        for (k, total) in months.iter().enumerate().skip(1) {
            by_month.push(Money::from_usd(*total, &format!("option '{id}' month {}", k + 1))?);
        }
        let horizon = Money::sum(&by_month, &format!("option '{id}' horizon cost"))?;
        Ok(Costing {
            bill,
            line_costs,
            by_month,
            horizon,
        })
    }

    /// The first month's cost.
    pub fn monthly(&self) -> Money {
        self.by_month[0]
    }
}

/// One option evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Option id from the scenario.
    pub id: String,
    /// Kind.
    pub kind: OptionKind,
    /// Platform id (for hybrid: `provisioned+serverless`).
    pub platform: String,
    /// Configuration in words.
    pub description: String,
    /// Platform limits the workload breaks on this option; when any, the option is
    /// infeasible: not simulated, not priced.
    pub limits: Vec<LimitBreach>,
    /// Cost (None when infeasible).
    pub costing: Option<Costing>,
    /// Behaviour (None when infeasible).
    pub behaviour: Option<Behaviour>,
    /// Whether the p99 added latency is within the SLO and nothing was throttled.
    pub meets_slo: bool,
    /// Notes on this option's model.
    pub notes: Vec<String>,
    /// Assumptions of this option (the simulator's and the cost engine's).
    pub assumptions: Vec<String>,
    /// Warnings that could change a decision about this option.
    pub warnings: Vec<Warning>,
}

impl Evaluation {
    /// Whether the option can run the workload at all.
    pub fn feasible(&self) -> bool {
        self.limits.is_empty()
    }

    /// An option that breaks platform limits: reported with the limits, never priced.
    fn infeasible(id: &str, kind: OptionKind, platform: String, description: String, limits: Vec<LimitBreach>) -> Self {
        let warnings = limits
            .iter()
            .map(|l| Warning::option(crate::warning::WarningCode::LimitExceeded, id, l.sentence()))
            .collect();
        Evaluation {
            id: id.to_string(),
            kind,
            platform,
            description,
            limits,
            costing: None,
            behaviour: None,
            meets_slo: false,
            notes: vec!["not simulated and not priced: the workload breaks a platform limit".into()],
            assumptions: Vec::new(),
            warnings,
        }
    }
}

/// Checks a scenario against the price tables before any trace is read: every option's price
/// table exists, serverless memory sizes are within the platform's range, instance types and
/// commitment terms are in their tables. Errors name the scenario file and the option.
pub fn check_scenario(scenario: &Scenario, origin: &str, catalog: &Catalog) -> anyhow::Result<()> {
    let at = |line: usize, e: anyhow::Error| anyhow!("{origin}: line {line}: {e:#}");
    let region = |line: usize, id: &str, table: &PriceTable| -> anyhow::Result<()> {
        match scenario.region_of(&table.provider) {
            Some(r) if !table.covers(r) => Err(at(
                line,
                anyhow!(
                    "option '{id}': price table '{}' has no region '{r}'; it covers {}: set the scenario's region \
                     (region, azure_region or gcp_region) to one of them",
                    table.id,
                    table.all_regions().join(", ")
                ),
            )),
            _ => Ok(()),
        }
    };
    let table = |line: usize, id: &str, table_id: &str| -> anyhow::Result<&PriceTable> {
        catalog
            .get(table_id)
            .map_err(|e| at(line, anyhow!("option '{id}': {e}")))
    };
    for opt in &scenario.serverless {
        let t = table(opt.line, &opt.id, opt.platform.id())?;
        region(opt.line, &opt.id, t)?;
        // A commitment is a term the table prices for the option's duration (Lambda's Compute
        // Savings Plan), in one of its regions; the scenario's region is checked below.
        if let Some(term) = opt.commitment.term() {
            let arch = crate::config::arch_name(opt.arch);
            let lambda = t.model == crate::pricing::Model::AwsLambda;
            let terms = match lambda {
                true => crate::cost::commitment_terms(t, &[&format!("duration-{arch}")]),
                false => Vec::new(),
            };
            if !terms.contains(&term) {
                let what = if lambda && crate::cost::has_commitment_prices(t) {
                    format!(
                        "is not a term of {} {arch} duration in price table '{}'",
                        opt.platform, t.id
                    )
                } else {
                    format!("has no price: {} has no commitment price in the tables", opt.platform)
                };
                return Err(at(
                    opt.line,
                    anyhow!(
                        "option '{}': commitment '{term}' {what}; use on-demand{}",
                        opt.id,
                        terms.iter().map(|k| format!(" or {k}")).collect::<String>()
                    ),
                ));
            }
        }
        // The front door and log tables it bills must cover the region too.
        if let Some(r) = scenario.region_of(&t.provider) {
            for (id, key, unbilled) in serverless::side_tables(scenario, opt) {
                match catalog.get(&id) {
                    Ok(side) if !side.covers(r) => {
                        return Err(at(
                            opt.line,
                            anyhow!(
                                "option '{}': the scenario's {key} bills price table '{id}', which has no region \
                                 '{r}'; it covers {}: set {key} = {unbilled}, or the scenario's region to one of those",
                                opt.id,
                                side.all_regions().join(", ")
                            ),
                        ))
                    }
                    _ => {} // a missing table is reported where it is needed
                }
            }
            // And what its own settings bill needs a rate there.
            for (key, setting) in serverless::setting_prices(opt) {
                if t.prices.get(&key).is_some_and(|p| p.in_region(r, &t.regions).is_none()) {
                    return Err(at(
                        opt.line,
                        anyhow!(
                            "option '{}': {setting} bills '{key}', which price table '{}' has no rate for in {r} \
                             (it has in {}): leave {setting} out, or set the scenario's region to one of those",
                            opt.id,
                            t.id,
                            t.prices[&key].priced_regions(&t.regions).join(", ")
                        ),
                    ));
                }
            }
        }
        // The platform's limits (shared with `cost` and `simulate`): memory on its range or grid
        // (Azure Consumption: observed memory up to 1,536 MB), Lambda ephemeral storage.
        let limit = |field: &str, e: String| at(opt.line, anyhow!("option '{}': {field}: {e}", opt.id));
        if let Some(mb) = opt.memory_mb {
            crate::cost::limits::check_memory(t, mb).map_err(|e| limit("memory_mb", e))?;
        }
        if t.model == crate::pricing::Model::AwsLambda {
            crate::cost::limits::check_ephemeral_storage(t, opt.ephemeral_storage_mb)
                .map_err(|e| limit("ephemeral_storage_mb", e))?;
        }
        if let Some(b) = t.behaviour.as_ref() {
            if let Some(c) = opt
                .concurrency_per_instance
                .filter(|&c| c > b.per_instance_concurrency_max)
            {
                return Err(at(
                    opt.line,
                    anyhow!(
                        "option '{}': concurrency_per_instance {c} is above {}'s maximum of {}",
                        opt.id,
                        opt.platform,
                        b.per_instance_concurrency_max
                    ),
                ));
            }
            // The option's instance cap (0: none, where the platform allows it), else the
            // platform's default (provisioned instances count toward it).
            if let Some(cap) = opt.max_instances.or(b.max_instances_default) {
                crate::cost::limits::check_max_instances(t, cap, opt.provisioned_concurrency.max_level())
                    .map_err(|e| limit("max_instances", e))?;
            }
        }
    }
    for opt in &scenario.provisioned {
        let t = table(opt.line, &opt.id, opt.platform.id())?;
        region(opt.line, &opt.id, t)?;
        provisioned::fleet_spec_in(catalog, scenario.cpu_bound_fraction, opt).map_err(|e| at(opt.line, e))?;
        // The load balancer, control plane and network tables it bills must cover the region too
        // (a table missing from a user's catalog is reported where it is needed).
        for id in provisioned::side_tables(opt) {
            if let Ok(side) = catalog.get(&id) {
                region(opt.line, &opt.id, side)?;
            }
        }
        // And its type, commitment term (or Cloud Run's instance-based rates, Fargate's rates
        // for its architecture) and NAT gateways need a price there.
        if let Some(r) = scenario.region_of(&t.provider) {
            match t.model {
                crate::pricing::Model::Instances => {
                    provisioned::check_priced_in(t, opt, r).map_err(|e| at(opt.line, e))?
                }
                crate::pricing::Model::GcpCloudRun => {
                    provisioned::check_cloud_run_priced_in(t, opt, r).map_err(|e| at(opt.line, e))?
                }
                crate::pricing::Model::AwsFargate => {
                    provisioned::check_fargate_priced_in(t, opt, r).map_err(|e| at(opt.line, e))?
                }
                _ => {}
            }
            provisioned::check_nat_in(catalog, opt, r).map_err(|e| at(opt.line, e))?;
        }
    }
    Ok(())
}

/// Evaluates every option of the plan's scenario, in the scenario's order (serverless,
/// provisioned, hybrid).
pub fn evaluate_all(plan: &Plan) -> anyhow::Result<Vec<Evaluation>> {
    Ok(evaluate_options(plan, &mut |_| {}, Reuse::default(), false)?.0)
}

/// The number of options `evaluate_all` evaluates.
pub fn option_count(plan: &Plan) -> usize {
    plan.scenario.serverless.len() + plan.scenario.provisioned.len() + plan.scenario.hybrid.len()
}

/// `evaluate_all`, calling `starting(option id)` before each option (for a progress bar), also
/// returning the serverless options' runs (for [`evaluate_all_reusing`]) and their functions'
/// runs alone where the whole runs hold them (for the per-function fits).
pub fn evaluate_all_with_progress(
    plan: &Plan,
    starting: &mut dyn FnMut(&str),
) -> anyhow::Result<(Vec<Evaluation>, Runs)> {
    let (evals, whole, alone) = evaluate_options(plan, starting, Reuse::default(), true)?;
    Ok((evals, Runs { whole, alone }))
}

/// The serverless options' simulation runs, by option id.
pub type ServerlessRuns = BTreeMap<String, SimOutput>;

/// Functions' runs alone by serverless option id (`sim::AloneRuns`); options of the same
/// simulation share one map.
pub type AloneByOption = BTreeMap<String, Arc<AloneRuns>>;

/// The serverless options' runs of a plan: the whole workload's, and each function's alone
/// where the whole run holds it exactly (`sim::AloneRuns`), by option id.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    /// The whole workload's run of each option.
    pub whole: ServerlessRuns,
    /// Each option's functions' runs alone (those the whole run holds); options of the same
    /// simulation share one map, in the first such option's architecture
    /// ([`serverless::as_option`] makes a run another option's).
    pub alone: AloneByOption,
}

/// What an evaluation may take from an earlier one of the same workload and options instead of
/// computing it again.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reuse<'a> {
    /// Serverless runs, re-priced instead of simulated: only for a change the simulation does
    /// not see (growth, the what-if traffic multiple), or runs the simulation gave for exactly
    /// this workload and option (a function's run alone, `sim::AloneRuns`, which holds no
    /// per-minute series: its evaluation's `in_flight_by_minute` is empty).
    pub runs: Option<&'a ServerlessRuns>,
    /// The options whose runs in `runs` are taken (every one there when `None`).
    pub runs_of: Option<&'a BTreeSet<String>>,
    /// Provisioned options' evaluations, taken as they are: only for a change the fleet model
    /// does not see (the seed, the spread mode, the cold-start latency).
    pub provisioned: Option<&'a [Evaluation]>,
}

/// `evaluate_all`, taking what `reuse` gives instead of computing it again.
pub fn evaluate_all_reusing(plan: &Plan, reuse: Reuse) -> anyhow::Result<Vec<Evaluation>> {
    Ok(evaluate_options(plan, &mut |_| {}, reuse, false)?.0)
}

/// Whether independent replays of the plan's workload (its serverless options, a hybrid's base
/// sizes) run side by side: only for fewer functions than threads (a function's fit). A whole
/// workload's replay already runs its units on every thread, and replays held at once would
/// only add their memory.
fn replays_side_by_side(plan: &Plan) -> bool {
    plan.workload.functions.len() < rayon::current_num_threads()
}

/// Evaluates every option, taking what `reuse` gives; with `alone`, also keeps the serverless
/// options' functions' runs alone that their simulations hold.
fn evaluate_options(
    plan: &Plan,
    starting: &mut dyn FnMut(&str),
    reuse: Reuse,
    alone: bool,
) -> anyhow::Result<(Vec<Evaluation>, ServerlessRuns, AloneByOption)> {
    let mut out = Vec::new();
    let mut serverless_runs: ServerlessRuns = BTreeMap::new();
    let mut alone_runs: AloneByOption = BTreeMap::new();
    let options = &plan.scenario.serverless;
    let breaches = options
        .iter()
        .map(|opt| serverless::limits(plan, opt))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Where each feasible option's run comes from: an earlier option of the same simulation
    // (another architecture), the runs `reuse` gives, or a replay of its own.
    let twin_of: Vec<Option<usize>> = (0..options.len())
        .map(|i| (0..i).find(|&j| breaches[j].is_empty() && serverless::same_simulation(&options[j], &options[i])))
        .collect();
    let reused_of = |opt: &ServerlessOption| {
        reuse
            .runs
            .and_then(|r| r.get(&opt.id))
            .filter(|_| reuse.runs_of.is_none_or(|ids| ids.contains(&opt.id)))
    };
    let replayed: Vec<usize> = (0..options.len())
        .filter(|&i| breaches[i].is_empty() && reused_of(&options[i]).is_none() && twin_of[i].is_none())
        .collect();
    let replay = |i: usize| -> anyhow::Result<(SimOutput, Option<AloneRuns>)> {
        if alone {
            let (run, by_function) = serverless::run_with_alone(plan, &options[i])?;
            Ok((run, Some(by_function)))
        } else {
            Ok((serverless::run_whole(plan, &options[i])?, None))
        }
    };
    // Side by side for a function's fit ([`replays_side_by_side`]); either way the runs are
    // taken in the scenario's order, the first error in it reported.
    let mut runs: BTreeMap<usize, anyhow::Result<(SimOutput, Option<AloneRuns>)>> = if replays_side_by_side(plan) {
        replayed.iter().for_each(|&i| starting(&options[i].id));
        replayed
            .par_iter()
            .with_max_len(1)
            .map(|&i| (i, replay(i)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    } else {
        BTreeMap::new()
    };
    for (i, opt) in options.iter().enumerate() {
        if !breaches[i].is_empty() {
            starting(&opt.id);
            out.push(Evaluation::infeasible(
                &opt.id,
                OptionKind::Serverless,
                opt.platform.id().to_string(),
                serverless::describe(opt, None),
                breaches[i].clone(),
            ));
            continue;
        }
        let run = match (reused_of(opt), twin_of[i].map(|j| &options[j])) {
            (Some(run), _) => {
                starting(&opt.id);
                run.clone()
            }
            (None, Some(twin)) => {
                starting(&opt.id);
                if let Some(by_function) = alone_runs.get(&twin.id) {
                    // Shared, not copied: the fits make each run this option's as they take it.
                    alone_runs.insert(opt.id.clone(), Arc::clone(by_function));
                }
                serverless::as_option(opt, serverless_runs[&twin.id].clone())
            }
            (None, None) => {
                let (run, by_function) = match runs.remove(&i) {
                    Some(done) => done?,
                    None => {
                        starting(&opt.id);
                        replay(i)?
                    }
                };
                if let Some(by_function) = by_function {
                    alone_runs.insert(opt.id.clone(), Arc::new(by_function));
                }
                run
            }
        };
        out.push(serverless::evaluate(plan, opt, &run)?);
        serverless_runs.insert(opt.id.clone(), run);
    }
    // Fleets are independent and each runs on one thread: side by side, in the scenario's order.
    plan.scenario.provisioned.iter().for_each(|opt| starting(&opt.id));
    let fleets: Vec<anyhow::Result<Evaluation>> = plan
        .scenario
        .provisioned
        .par_iter()
        .with_max_len(1)
        .map(
            |opt| match reuse.provisioned.and_then(|v| v.iter().find(|e| e.id == opt.id)) {
                Some(e) => Ok(e.clone()),
                None => provisioned::evaluate(plan, opt),
            },
        )
        .collect();
    for fleet in fleets {
        out.push(fleet?);
    }
    for h in &plan.scenario.hybrid {
        starting(&h.id);
        let prov = plan.scenario.provisioned.iter().find(|p| p.id == h.provisioned);
        let sl = options.iter().position(|s| s.id == h.serverless);
        let (Some(prov), Some(sl)) = (prov, sl) else {
            return Err(anyhow!("hybrid '{}' names an option that is not defined", h.id));
        };
        let (sl, sl_breaches) = (&options[sl], &breaches[sl]);
        match serverless_runs.get(&sl.id) {
            Some(full) => out.push(hybrid::evaluate(plan, h, prov, sl, full)?),
            None => {
                out.push(Evaluation::infeasible(
                    &h.id,
                    OptionKind::Hybrid,
                    format!("{}+{}", prov.platform, sl.platform),
                    format!("{} for the base load, {} for the excess", prov.id, sl.id),
                    sl_breaches.clone(),
                ));
            }
        }
    }
    Ok((out, serverless_runs, alone_runs))
}
