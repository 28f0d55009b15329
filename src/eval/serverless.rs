//! A serverless option evaluated: its platform limits checked against the workload, then the
//! event engine (`sim::simulate`) on the workload, then its bill — the platform's own lines,
//! the front door (API Gateway or ALB on AWS), and log ingestion (CloudWatch Logs for Lambda)
//! — for each month of the horizon.

use anyhow::{anyhow, Context};

use super::limits::{self, LimitBreach, PlatformLimits};
use super::{Behaviour, Costing, Evaluation, LatencySummary, OptionKind, Plan};
use crate::config::{arch_name, front_door_name, Commitment, Scenario, ServerlessOption};
use crate::cost::network::{network_table_id, price_egress, price_network_use, NetworkUse, ALB_PUBLIC_IPV4};
use crate::cost::{
    lambda_plan_duration_mb_ms, price_front_door, price_logs, price_usage, provisioned_price_keys, CostBreakdown,
    CostOptions, FrontDoor, SnapStartRuntime, SNAPSTART_PRICE_KEYS,
};
use crate::platform::ServerlessPlatform;
use crate::pricing::{InstanceScope, PriceTable};
use crate::sim::platform::PlatformModel;
use crate::sim::{simulate, simulate_with_alone_runs, unit_key, AloneRuns, SimConfig, SimOutput};
use crate::trace::Workload;
use crate::usage::Usage;
use crate::warning::{Warning, WarningCode};

/// The simulation settings of an option (the platform's facts from its price table).
pub fn sim_config(plan: &Plan, opt: &ServerlessOption) -> anyhow::Result<SimConfig> {
    let mut cfg = SimConfig::new(PlatformModel::from_catalog(&plan.catalog, opt.platform)?);
    cfg.memory_mb = opt.memory_mb;
    cfg.arch = opt.arch;
    cfg.keep_alive = opt.keep_alive;
    cfg.provisioned = opt.provisioned_concurrency.clone();
    cfg.per_instance_concurrency = opt.concurrency_per_instance;
    cfg.concurrency_limit = opt.concurrency_limit;
    cfg.max_instances = opt.max_instances;
    cfg.fallback_duration_ms = plan.scenario.fallback_duration_ms.map(|d| d.round() as u64);
    cfg.cpu_bound_fraction = plan.scenario.cpu_bound_fraction;
    cfg.seed = plan.scenario.seed;
    cfg.fluid_from_per_minute = plan.scenario.fluid_from_per_minute;
    cfg.spread = plan.what_if.spread;
    // The per-minute concurrency series, for the report's concurrency chart.
    cfg.per_minute = true;
    // The table's init latency (at each unit's memory) multiplied, every draw scaled.
    cfg.cold_start_multiple = plan.what_if.cold_start_multiple;
    // SnapStart: Java cold starts restore from the snapshot (the `java-snapstart` figure).
    cfg.runtime = opt.snapstart.map(|r| r.sim_runtime().to_string());
    // How the option deploys the functions: the units the simulator scales.
    if let Some(scope) = opt.instance_scope {
        cfg.platform.facts.instance_scope = scope;
    }
    Ok(cfg)
}

/// The services (units of instances) `opt` deploys the plan's functions as: one per function,
/// per app or one for the whole workload, by the option's instance scope, else its platform's.
fn services(plan: &Plan, table: &PriceTable, opt: &ServerlessOption) -> usize {
    let scope = opt
        .instance_scope
        .or_else(|| table.behaviour.as_ref().map(|b| b.instance_scope))
        .unwrap_or(InstanceScope::Function);
    let keys: std::collections::BTreeSet<String> =
        plan.workload.functions.iter().map(|f| unit_key(&f.id, scope)).collect();
    keys.len()
}

/// The assumption an option's chosen instance scope adds to a run of `units` units.
fn scope_assumption(opt: &ServerlessOption, units: usize) -> Option<String> {
    let scope = opt.instance_scope?;
    let memory = match opt.memory_mb {
        Some(mb) => format!("{mb} MB per instance (the option's memory_mb)"),
        None => "the trace's memory per unit (an app's recorded memory shared evenly by its functions where a \
                 unit is part of an app)"
            .to_string(),
    };
    Some(scope.assumption(units as u64, "the option's instance_scope", &memory))
}

/// Whether two options run the very same simulation: every setting [`sim_config`] takes from an
/// option but the architecture (which the simulator only records in the usage) is equal. The
/// run of one is the other's with its architecture and ephemeral storage ([`as_option`]).
pub fn same_simulation(a: &ServerlessOption, b: &ServerlessOption) -> bool {
    a.platform == b.platform
        && a.memory_mb == b.memory_mb
        && a.keep_alive == b.keep_alive
        && a.provisioned_concurrency == b.provisioned_concurrency
        && a.concurrency_per_instance == b.concurrency_per_instance
        && a.concurrency_limit == b.concurrency_limit
        && a.max_instances == b.max_instances
        // SnapStart sets the simulated runtime (`cfg.runtime`).
        && a.snapstart == b.snapstart
        && a.instance_scope == b.instance_scope
}

/// A run of an option of the [`same_simulation`] as `opt`, as `opt`'s own: its architecture and
/// ephemeral storage in the usage.
pub fn as_option(opt: &ServerlessOption, mut out: SimOutput) -> SimOutput {
    for g in &mut out.usage.functions {
        g.arch = opt.arch;
        g.ephemeral_storage_mb = opt.ephemeral_storage_mb;
    }
    out
}

/// The platform limits the workload breaks on this option (from its price table's facts).
pub fn limits(plan: &Plan, opt: &ServerlessOption) -> anyhow::Result<Vec<LimitBreach>> {
    let id = opt.platform.id();
    let facts = plan
        .catalog
        .get(id)
        .map_err(|e| anyhow!("option '{}': {e}", opt.id))?
        .behaviour
        .as_ref();
    let platform_limits = PlatformLimits {
        timeout_ms: facts.and_then(|b| b.timeout_ms),
        memory_max_mb: facts.map(|b| b.memory.bounds_mb().1),
        max_response_bytes: facts.and_then(|b| b.max_response_bytes),
        configured_mb: opt.memory_mb,
    };
    Ok(limits::check(
        &plan.workload,
        id,
        platform_limits,
        plan.scenario.fallback_duration_ms,
    ))
}

/// Simulates an option on `workload` (never through the replay store: see [`run_whole`]). The
/// usage is billed over the plan's window (the period every option is scaled to a month from)
/// with the option's ephemeral storage.
pub fn run(plan: &Plan, opt: &ServerlessOption, workload: &Workload) -> anyhow::Result<SimOutput> {
    let cfg = sim_config(plan, opt)?;
    let out = simulate(workload, &cfg).with_context(|| format!("simulating option '{}'", opt.id))?;
    Ok(billed_over_window(plan, opt, out))
}

/// [`run`] on the plan's whole workload, through the plan's replay store when it has one
/// (`eval::replays`: merged from the store, or kept in it).
pub fn run_whole(plan: &Plan, opt: &ServerlessOption) -> anyhow::Result<SimOutput> {
    run_whole_with(plan, opt, &sim_config(plan, opt)?)
}

/// [`run_whole`] with the option's simulation settings `cfg` ([`sim_config`], e.g. with
/// shorter fixed keep-alive windows to read off the replay: `SimConfig::shorter_windows_ms`).
pub fn run_whole_with(plan: &Plan, opt: &ServerlessOption, cfg: &SimConfig) -> anyhow::Result<SimOutput> {
    let out = match &plan.replays {
        Some(store) => store.replay(&plan.workload, cfg, false).map(|(out, _)| out),
        None => simulate(&plan.workload, cfg).map_err(anyhow::Error::from),
    }
    .with_context(|| format!("simulating option '{}'", opt.id))?;
    Ok(billed_over_window(plan, opt, out))
}

/// [`run_whole`], also returning each function's run alone wherever the whole run holds it
/// exactly (`sim::AloneRuns`), each as [`run`] would give it on a plan of that
/// function alone over the same window except for the per-minute concurrency series, which a
/// run alone does not keep (nothing charts a function alone).
pub fn run_with_alone(plan: &Plan, opt: &ServerlessOption) -> anyhow::Result<(SimOutput, AloneRuns)> {
    let cfg = sim_config(plan, opt)?;
    let (out, alone) = match &plan.replays {
        Some(store) => store.replay(&plan.workload, &cfg, true),
        None => simulate_with_alone_runs(&plan.workload, &cfg).map_err(anyhow::Error::from),
    }
    .with_context(|| format!("simulating option '{}'", opt.id))?;
    let alone = alone
        .into_iter()
        .map(|(key, run)| (key, billed_over_window(plan, opt, run)))
        .collect();
    Ok((billed_over_window(plan, opt, out), alone))
}

/// A run's usage billed over the workload's window with the option's ephemeral storage (and
/// the option's instance scope stated).
fn billed_over_window(plan: &Plan, opt: &ServerlessOption, mut out: SimOutput) -> SimOutput {
    out.assumptions.extend(scope_assumption(opt, out.units.len()));
    out.usage.period_ms = plan.period_ms();
    for g in &mut out.usage.functions {
        g.ephemeral_storage_mb = opt.ephemeral_storage_mb;
    }
    out
}

/// The price table of Lambda's log ingestion.
const LOGS_TABLE: &str = "aws-cloudwatch-logs";

/// The other price tables an option bills beside its platform's, each with the scenario key
/// that brings it in and the value of that key that bills nothing: a Lambda option's front door
/// (API Gateway, or an ALB and its public addresses on the network table) and log ingestion
/// (when above 0 bytes). Internet egress is not among them: a region its network table lacks
/// leaves that line "not priced" instead.
pub fn side_tables(scenario: &Scenario, opt: &ServerlessOption) -> Vec<(String, &'static str, &'static str)> {
    if opt.platform != ServerlessPlatform::AwsLambda {
        return Vec::new();
    }
    let door = ("front_door", "\"function-url\" or \"none\"");
    let mut tables: Vec<(String, &'static str, &'static str)> = scenario
        .front_door
        .and_then(FrontDoor::table_id)
        .map(|t| (t.to_string(), door.0, door.1))
        .into_iter()
        .collect();
    if scenario.front_door == Some(FrontDoor::Alb) {
        tables.push((network_table_id("aws"), door.0, door.1));
    }
    if scenario.log_bytes_per_invocation > 0 {
        tables.push((LOGS_TABLE.to_string(), "log_bytes_per_invocation", "0"));
    }
    tables
}

/// The prices of the platform's table that an option's own settings bill beyond its base rates,
/// each with the setting: provisioned concurrency (at the option's architecture), SnapStart
/// for a runtime it charges (Python, .NET; Java has no charge) and a commitment's duration rate.
pub fn setting_prices(opt: &ServerlessOption) -> Vec<(String, &'static str)> {
    if opt.platform != ServerlessPlatform::AwsLambda {
        return Vec::new();
    }
    let mut keys = Vec::new();
    if !opt.provisioned_concurrency.is_zero() {
        for key in provisioned_price_keys(arch_name(opt.arch)) {
            keys.push((key, "provisioned_concurrency"));
        }
    }
    if opt.snapstart.is_some_and(|r| r != SnapStartRuntime::Java) {
        for key in SNAPSTART_PRICE_KEYS {
            keys.push((key.to_string(), "snapstart"));
        }
    }
    if let Some(term) = opt.commitment.term() {
        keys.push((format!("duration-{}-{term}", arch_name(opt.arch)), "commitment"));
    }
    keys
}

/// The bill of a serverless usage, with its front door and logs; notes say what is left out. A
/// commitment (Lambda's Compute Savings Plan) is sized to this usage.
pub fn price(plan: &Plan, opt: &ServerlessOption, usage: &Usage) -> anyhow::Result<(CostBreakdown, Vec<String>)> {
    price_month(plan, opt, usage, None)
}

/// The platform's price table of `opt` and the options it is priced with.
fn platform_cost<'p>(plan: &'p Plan, opt: &ServerlessOption) -> anyhow::Result<(&'p PriceTable, CostOptions)> {
    let table = plan
        .catalog
        .get(opt.platform.id())
        .map_err(|e| anyhow!("option '{}': {e}", opt.id))?;
    let mut opts = plan.cost_options(table);
    opts.snapstart = opt.snapstart_for(services(plan, table, opt));
    opts.commitment = opt.commitment.term();
    Ok((table, opts))
}

/// [`price`] with a Lambda Compute Savings Plan sized to `lambda_plan_mb_ms` (the first month's
/// covered duration, [`lambda_plan_duration_mb_ms`]) rather than to this usage.
fn price_month(
    plan: &Plan,
    opt: &ServerlessOption,
    usage: &Usage,
    lambda_plan_mb_ms: Option<u128>,
) -> anyhow::Result<(CostBreakdown, Vec<String>)> {
    let (table, mut opts) = platform_cost(plan, opt)?;
    opts.lambda_plan_mb_ms = lambda_plan_mb_ms;
    let mut bill = price_usage(usage, table, &opts).with_context(|| format!("pricing option '{}'", opt.id))?;
    let mut notes = Vec::new();
    let on_lambda = opt.platform == ServerlessPlatform::AwsLambda;
    let door = plan.scenario.front_door;
    match (on_lambda, door, door.and_then(FrontDoor::table_id)) {
        (true, Some(door), Some(table_id)) => {
            let t = plan.catalog.get(table_id).map_err(|e| anyhow!("front door: {e}"))?;
            bill.extend(price_front_door(usage, door, t, &plan.cost_options(t))?);
        }
        (true, ..) => notes.push(format!("front door '{}': no separate charge", front_door_name(door))),
        (false, ..) => notes.push(format!(
            "front door: {}'s built-in HTTP endpoint (no separate charge); the scenario's '{}' applies to Lambda only",
            opt.platform,
            front_door_name(door)
        )),
    }
    // Internet egress of the responses (every provider), and an ALB front door's public
    // addresses.
    let requests: u128 = usage.functions.iter().map(|g| g.requests as u128).sum();
    bill.extend(egress(plan, table, usage.period_ms, requests)?);
    if on_lambda && door == Some(FrontDoor::Alb) {
        let net = plan
            .catalog
            .get(&network_table_id("aws"))
            .map_err(|e| anyhow!("network: {e}"))?;
        let use_ = NetworkUse {
            public_ipv4_ms: ALB_PUBLIC_IPV4 as u128 * usage.period_ms as u128,
            ..NetworkUse::default()
        };
        bill.extend(price_network_use(net, &plan.cost_options(net), usage.period_ms, use_)?);
    }
    if plan.scenario.log_bytes_per_invocation > 0 {
        if on_lambda {
            let t = plan.catalog.get(LOGS_TABLE).map_err(|e| anyhow!("logs: {e}"))?;
            bill.extend(price_logs(
                usage,
                plan.scenario.log_bytes_per_invocation,
                t,
                &plan.cost_options(t),
            )?);
        } else {
            notes.push(format!(
                "log ingestion is not priced for {} (no price table for its log service)",
                opt.platform
            ));
        }
    }
    Ok((bill, notes))
}

/// Bytes each response sends to the internet, and whether the trace gave them: the mean of the
/// trace's `response_bytes` over its invocations where it records any (an invocation without
/// one counts the scenario's `response_bytes`), else the scenario's.
pub fn response_bytes(plan: &Plan) -> (u64, bool) {
    let default = plan.scenario.response_bytes as u128;
    let (mut total, mut recorded, mut invocations) = (0u128, 0u64, 0u128);
    for f in &plan.workload.functions {
        invocations += f.arrivals.invocations() as u128;
        for r in f.arrivals.records().unwrap_or(&[]) {
            if let Some(b) = r.response_bytes {
                total += b as u128;
                recorded += 1;
            }
        }
    }
    if recorded == 0 || invocations == 0 {
        return (plan.scenario.response_bytes, false);
    }
    let total = total + (invocations - recorded as u128) * default;
    (((total + invocations / 2) / invocations) as u64, true)
}

/// Internet egress of `requests` responses over `period_ms`, priced with the network table of
/// `table`'s provider (see [`response_bytes`]).
pub fn egress(plan: &Plan, table: &PriceTable, period_ms: u64, requests: u128) -> anyhow::Result<CostBreakdown> {
    let (bytes, from_trace) = response_bytes(plan);
    let mut bill = price_egress(
        &plan.catalog,
        &table.provider,
        period_ms,
        requests,
        bytes,
        &plan.cost_options(table),
    )?;
    if from_trace && bytes > 0 {
        bill.assumptions.push(format!(
            "internet egress: {bytes} bytes per response, the trace's response_bytes averaged over its invocations \
             (the scenario's {} where an invocation has none)",
            plan.scenario.response_bytes
        ));
    }
    Ok(bill)
}

/// The option in words; `keep_alive` is the simulator's resolved policy when it ran. An
/// instance scope the option sets is named (`one service for the whole workload`), with the
/// provisioned concurrency per service.
pub fn describe(opt: &ServerlessOption, keep_alive: Option<&str>) -> String {
    let text = format!(
        "{} {} MB {}, keep-alive {}, provisioned concurrency {}",
        opt.platform,
        opt.memory_mb.map(|m| m.to_string()).unwrap_or_else(|| "trace".into()),
        arch_name(opt.arch),
        keep_alive
            .map(str::to_string)
            .unwrap_or_else(|| opt.keep_alive.to_string()),
        opt.provisioned_concurrency_text
    );
    let text = match opt.instance_scope {
        Some(scope) => format!("{text} per service, {}", scope.deployment()),
        None => text,
    };
    match opt.commitment.term() {
        Some(term) => format!("{text}, duration under the Compute Savings Plan {term}"),
        None => text,
    }
}

/// The latency summary of a simulator histogram summary.
pub(super) fn latency(l: &crate::sim::stats::LatencyMs) -> LatencySummary {
    LatencySummary {
        p50: l.p50 as f64,
        p95: l.p95 as f64,
        p99: l.p99 as f64,
    }
}

/// The added-latency curve the simulator sampled (`sim::stats::CDF_SHARES`), as (share, ms).
pub(super) fn quantiles(s: &crate::sim::stats::SimStats) -> Vec<(f64, f64)> {
    s.overhead_cdf_ms
        .iter()
        .map(|&(share, ms)| (share, ms as f64))
        .collect()
}

/// A share as a percentage with one decimal, `< 0.1%` for a small non-zero share.
pub(crate) fn share_text(share: f64) -> String {
    if share > 0.0 && share < 0.001 {
        "< 0.1%".to_string()
    } else {
        format!("{:.1}%", share * 100.0)
    }
}

/// A throttling warning, when the concurrency limit or the instance cap refused requests.
pub(super) fn throttle_warning(id: &str, throttles: u64, invocations: u64) -> Option<Warning> {
    (throttles > 0).then(|| {
        Warning::option(
            WarningCode::Throttled,
            id,
            format!(
                "the concurrency limit or the instance cap refused {throttles} of {invocations} requests ({}): they \
                 are not served and not billed, and the option fails the SLO; raise the concurrency limit or the \
                 option's max_instances (up to the platform's limit), or reserve concurrency",
                share_text(throttles as f64 / invocations.max(1) as f64)
            ),
        )
    })
}

/// Evaluates a simulated serverless option: its bill for every month and its behaviour.
pub fn evaluate(plan: &Plan, opt: &ServerlessOption, out: &SimOutput) -> anyhow::Result<Evaluation> {
    let multiples = plan.month_multipliers();
    let first = match multiples.first() {
        Some(&x) if x != 1.0 => out.usage.scaled_traffic(x),
        _ => out.usage.clone(),
    };
    let (bill, mut notes) = price(plan, opt, &first)?;
    // A savings plan bought for the first month stays that size, as a server commitment does.
    let sized = match opt.commitment {
        Commitment::Term(_) => {
            let (table, opts) = platform_cost(plan, opt)?;
            Some(
                lambda_plan_duration_mb_ms(&first, table, &opts)
                    .with_context(|| format!("pricing option '{}'", opt.id))?,
            )
        }
        Commitment::OnDemand => None,
    };
    let mut by_month = Vec::new();
    for (k, &x) in multiples.iter().enumerate() {
        by_month.push(if k == 0 {
            bill.total()
        } else {
            price_month(plan, opt, &out.usage.scaled_traffic(x), sized)?.0.total()
        });
    }
    match (&opt.commitment, sized) {
        (Commitment::Term(term), Some(0)) => notes.push(format!(
            "the first month's duration is all within the free grant (or has no plan rate): the {term} plan is \
             empty and every month bills its duration on demand"
        )),
        (Commitment::Term(term), _) if multiples.len() > 1 => notes.push(format!(
            "the {term} plan is sized to the first month's duration and stays that size over the horizon: a later \
             month's excess bills on demand, a shortfall is paid unused"
        )),
        _ => {}
    }
    let s = &out.stats;
    let added_p99 = s.overhead_ms.p99 as f64;
    if s.throttles > 0 {
        notes.push(format!(
            "{} requests were throttled by the concurrency limit or the instance cap (not served, not billed): the \
             option fails the SLO",
            s.throttles
        ));
    }
    let mut assumptions = out.assumptions.clone();
    assumptions.extend(bill.assumptions.iter().cloned());
    if s.timeouts > 0 {
        notes.push(format!(
            "{} requests ran into the platform's execution timeout (cut there, failed, billed up to it): the option \
             fails the SLO",
            s.timeouts
        ));
    }
    let mut warnings: Vec<Warning> = throttle_warning(&opt.id, s.throttles, s.invocations)
        .into_iter()
        .chain(
            out.warnings
                .iter()
                .map(|m| Warning::option(WarningCode::LimitExceeded, &opt.id, m.clone())),
        )
        .collect();
    let limit = concurrency_limit(plan, opt);
    let growth = (s.throttles == 0)
        .then(|| growth_throttle_warning(&plan.month_multipliers(), &opt.id, s.peak_concurrency as f64, limit))
        .flatten();
    let cap_growth = (s.throttles == 0)
        .then(|| growth_cap_warning(&multiples, &opt.id, &out.units, cap_limit(plan, opt)))
        .flatten();
    let grown_ok = growth.is_none() && cap_growth.is_none();
    warnings.extend(growth);
    warnings.extend(cap_growth);
    Ok(Evaluation {
        id: opt.id.clone(),
        kind: OptionKind::Serverless,
        platform: opt.platform.id().to_string(),
        description: describe(opt, Some(&s.keep_alive)),
        limits: Vec::new(),
        behaviour: Some(Behaviour {
            cold_start_rate: Some(s.cold_start_rate),
            latency_ms: latency(&s.latency_ms),
            added_latency_ms: latency(&s.overhead_ms),
            peak_concurrency: Some(s.peak_concurrency as u64),
            requests: s.invocations,
            throttles: Some(s.throttles),
            serverless_usage: Some(out.usage.clone()),
            in_flight_by_minute: s.concurrency_by_minute.iter().map(|m| m.max).collect(),
            added_latency_quantiles_ms: quantiles(s),
            ..Behaviour::default()
        }),
        costing: Some(Costing::new(&opt.id, bill, &by_month)?),
        meets_slo: added_p99 <= plan.scenario.latency_slo_ms && s.throttles == 0 && s.timeouts == 0 && grown_ok,
        notes,
        assumptions,
        warnings,
    })
}

/// The concurrency limit the option runs under: its own, else the platform's account limit.
pub(super) fn concurrency_limit(plan: &Plan, opt: &ServerlessOption) -> Option<u32> {
    opt.concurrency_limit.or_else(|| {
        plan.catalog
            .get(opt.platform.id())
            .ok()
            .and_then(|t| t.behaviour.as_ref())
            .and_then(|b| b.account_concurrency_limit)
    })
}

/// The largest instance cap `opt`'s platform may be configured to (`None`: any).
pub(super) fn cap_limit(plan: &Plan, opt: &ServerlessOption) -> Option<u32> {
    plan.catalog
        .get(opt.platform.id())
        .ok()?
        .behaviour
        .as_ref()?
        .max_instances_limit
}

/// As [`growth_throttle_warning`], for the units' own instance caps: the first month whose
/// grown peak of a unit (its requests in flight) passes what its cap serves (the unit nearest
/// its cap decides) would throttle. `limit`: the largest cap the platform allows, for the advice.
pub(super) fn growth_cap_warning(
    factors: &[f64],
    id: &str,
    units: &[crate::sim::UnitSummary],
    limit: Option<u32>,
) -> Option<Warning> {
    let (peak, cap) = units
        .iter()
        .filter_map(|u| Some((u.peak_in_flight as f64, u.cap_in_flight? as f64)))
        .filter(|&(_, cap)| cap > 0.0)
        .max_by(|a, b| (a.0 / a.1).total_cmp(&(b.0 / b.1)))?;
    first_month_past(factors, peak, cap).map(|(k, x)| {
        let advice = match limit {
            Some(l) => format!("raise max_instances (at most {l} on this platform) or split the load"),
            None => "raise max_instances".to_string(),
        };
        Warning::option(
            WarningCode::Throttled,
            id,
            format!(
                "from month {} (traffic ×{x:.2}) a unit's peak of {peak:.0} requests in flight grows to about \
                     {:.0}, above the {cap:.0} its instance cap serves: requests would be throttled, so the option \
                     fails the SLO over the horizon; {advice}",
                k + 1,
                peak * x
            ),
        )
    })
}

/// Serverless usage grows linearly with traffic over the horizon (`factors`: the usage
/// multiple of each month), and so does the peak number of requests in flight: the first month
/// whose grown peak passes the concurrency limit would throttle, so the option fails the SLO
/// over the horizon.
pub(super) fn growth_throttle_warning(factors: &[f64], id: &str, peak: f64, limit: Option<u32>) -> Option<Warning> {
    let limit = limit? as f64;
    first_month_past(factors, peak, limit).map(|(k, x)| {
        Warning::option(
            WarningCode::Throttled,
            id,
            format!(
                "from month {} (traffic ×{x:.2}) the peak of {peak:.0} requests in flight grows to about {:.0}, \
                     above the concurrency limit of {limit:.0}: requests would be throttled, so the option fails the \
                     SLO over the horizon; raise the limit or reserve concurrency",
                k + 1,
                peak * x
            ),
        )
    })
}

/// The first month (index) whose traffic multiple takes `peak` past `capacity`, and the
/// multiple.
fn first_month_past(factors: &[f64], peak: f64, capacity: f64) -> Option<(usize, f64)> {
    factors.iter().copied().enumerate().find(|&(_, x)| peak * x > capacity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scenario;
    use crate::platform::ServerlessPlatform;
    use crate::pricing::Catalog;
    use crate::trace::{Arrivals, DurationInfo, FunctionId, FunctionTrace, Invocation, MemoryInfo, Trigger};
    use crate::units::MS_PER_MONTH;
    use std::sync::Arc;

    fn plan(response_bytes: &[Option<u64>], scenario_bytes: u64) -> Plan {
        let records = response_bytes
            .iter()
            .enumerate()
            .map(|(i, &b)| Invocation {
                start_ms: i as u64 * 1_000,
                duration_us: 100_000,
                init_duration_us: None,
                billed_duration_ms: None,
                cold_start: None,
                response_bytes: b,
            })
            .collect();
        let mut scenario = Scenario::default_scenario();
        scenario.response_bytes = scenario_bytes;
        Plan {
            scenario,
            scenario_label: "test".into(),
            workload: Workload {
                functions: vec![FunctionTrace {
                    id: FunctionId::standalone("f"),
                    trigger: Trigger::Http,
                    arrivals: Arrivals::Timestamps(records),
                    duration: DurationInfo::Samples,
                    memory: MemoryInfo::default(),
                }],
                window_start_ms: 0,
                window_end_ms: MS_PER_MONTH,
                sources: vec![],
                warnings: vec![],
            }
            .into(),
            trace_files: vec![],
            catalog: Catalog::embedded().unwrap(),
            what_if: super::super::WhatIf::default(),
            replays: None,
        }
    }

    #[test]
    fn the_scenario_sets_where_the_fluid_path_starts() {
        let mut p = plan(&[None; 4], 0);
        let opt = p.scenario.serverless[0].clone();
        let default = sim_config(&p, &opt).unwrap();
        assert_eq!(default.fluid_from_per_minute, crate::sim::fluid::FLUID_MIN_PER_MINUTE);
        p.scenario.fluid_from_per_minute = 50_000;
        assert_eq!(sim_config(&p, &opt).unwrap().fluid_from_per_minute, 50_000);
    }

    #[test]
    fn options_of_the_same_simulation_share_one_run_exactly() {
        // The embedded scenario's Lambda options differ only in architecture: the second takes
        // the first's run (its architecture and storage set), and its evaluation equals the one
        // of a scenario where it is simulated on its own.
        let p = plan(&[None; 40], 600);
        let (x86, arm) = (&p.scenario.serverless[1], &p.scenario.serverless[0]);
        assert!(same_simulation(x86, arm) && x86.arch != arm.arch);
        let together = super::super::evaluate_all(&p).unwrap();
        for opt in [x86, arm] {
            let mut own = p.clone();
            own.scenario.serverless = vec![opt.clone()];
            own.scenario.hybrid.clear();
            let alone = super::super::evaluate_all(&own).unwrap();
            let shared = together.iter().find(|e| e.id == opt.id).unwrap();
            assert_eq!(shared, &alone[0], "{}", opt.id);
            let usage = shared.behaviour.as_ref().unwrap().serverless_usage.as_ref().unwrap();
            assert!(usage.functions.iter().all(|g| g.arch == opt.arch));
        }
    }

    #[test]
    fn an_overloaded_minimum_instance_is_slowed_in_the_replay_and_fails_the_slo() {
        // App Runner at 2,048 MB (1 vCPU), one service, its one minimum instance taking up to
        // 100 requests at once, each needing the scenario's 0.5 of a vCPU (slowdown max(1, n/2)
        // with n in flight). k requests of 1 s start together each second.
        // k = 2: 2 in flight need 1 vCPU: never slowed (a batch ends at the next one's arrival,
        // completions first) → added latency 0, the SLO (1,000 ms) is met.
        // k = 4: a batch runs at half speed or slower (n ≥ 4), so it is still running when the
        // next batch arrives 1 s later (n ≥ 8): every request on the instance executes more than
        // 2,000 ms, more than 1,000 ms added; the instance fills its 100 slots and the rest
        // cold-start on demand (App Runner's init: a 10-s median) → p99 added > 1,000: failed.
        let mut p = plan(&[], 0);
        let o = ServerlessOption {
            id: "ar".into(),
            platform: ServerlessPlatform::AwsAppRunner,
            memory_mb: Some(2048),
            provisioned_concurrency: crate::sim::schedule::ProvisionedSchedule::constant(1),
            provisioned_concurrency_text: "1".into(),
            instance_scope: Some(InstanceScope::Workload),
            ..p.scenario.serverless[0].clone()
        };
        for (k, meets) in [(4u64, false), (2, true)] {
            let records: Vec<Invocation> = (0..600 * k)
                .map(|i| Invocation {
                    start_ms: i / k * 1_000,
                    duration_us: 1_000_000,
                    init_duration_us: None,
                    billed_duration_ms: None,
                    cold_start: None,
                    response_bytes: None,
                })
                .collect();
            Arc::make_mut(&mut p.workload).functions[0].arrivals = Arrivals::Timestamps(records);
            Arc::make_mut(&mut p.workload).window_end_ms = 600_000;
            let out = run(&p, &o, &p.workload).unwrap();
            let e = evaluate(&p, &o, &out).unwrap();
            assert_eq!(e.meets_slo, meets, "k = {k}: {:?}", e.notes);
            let added_p99 = e.behaviour.as_ref().unwrap().added_latency_ms.p99;
            let on_minimum = &out.usage.functions[0].provisioned_duration_ms;
            if meets {
                assert_eq!(added_p99, 0.0);
                assert_eq!(on_minimum.iter().collect::<Vec<_>>(), vec![(1_000, 1_200)]);
            } else {
                assert!(added_p99 > 1_000.0, "{added_p99}");
                assert!(on_minimum.iter().all(|(ms, _)| ms > 2_000), "{on_minimum:?}");
                assert!(out.stats.cold_starts > 0);
            }
        }
    }

    #[test]
    fn snapstart_caches_one_version_per_service() {
        // a/f1, a/f2, b/g on Lambda at 512 MB with Python SnapStart: one cached version per
        // service — 3 per function (1,536 MB), 2 per app (1,024 MB), 1 for the workload (512 MB).
        let mut p = plan(&[None], 0);
        let f = p.workload.functions[0].clone();
        Arc::make_mut(&mut p.workload).functions = [("a", "f1"), ("a", "f2"), ("b", "g")]
            .into_iter()
            .map(|(app, function)| FunctionTrace {
                id: FunctionId {
                    owner: String::new(),
                    app: app.into(),
                    function: function.into(),
                },
                ..f.clone()
            })
            .collect();
        let table = p.catalog.get("aws-lambda").unwrap().clone();
        let mut opt = p.scenario.serverless[0].clone();
        opt.memory_mb = Some(512);
        opt.snapstart = Some(crate::cost::SnapStartRuntime::Python);
        for (scope, mb) in [
            (None, 1_536),
            (Some(InstanceScope::Function), 1_536),
            (Some(InstanceScope::App), 1_024),
            (Some(InstanceScope::Workload), 512),
        ] {
            opt.instance_scope = scope;
            let cached = opt.snapstart_for(services(&p, &table, &opt)).unwrap().cached_mb;
            assert_eq!(cached, mb, "{scope:?}");
        }
    }

    #[test]
    fn response_bytes_come_from_the_trace_where_it_records_them() {
        // Three invocations of 1,000, 2,000 and none (the scenario's 600): (1,000 + 2,000 + 600) /
        // 3 = 1,200 bytes per response.
        let p = plan(&[Some(1_000), Some(2_000), None], 600);
        assert_eq!(response_bytes(&p), (1_200, true));
        // No column: the scenario's.
        assert_eq!(response_bytes(&plan(&[None, None], 600)), (600, false));
        // Priced on AWS: 1M responses × 1,200 B = 1.2e9 B = 1.1176 GiB × $0.09 = $0.100583…,
        // with the trace named in the assumptions.
        let p = plan(&[Some(1_000), Some(2_000), None], 600);
        let t = p.catalog.get("aws-lambda").unwrap().clone();
        let b = egress(&p, &t, MS_PER_MONTH, 1_000_000).unwrap();
        assert_eq!(b.total().cents(), 10);
        assert!(b.assumptions.iter().any(|a| a.contains("the trace's response_bytes")));
    }
}
