//! One pricing routine per billing model (`pricing::Model`): which quantities each platform
//! bills, with which per-invocation rule, and which grants apply. Sources per rule:
//! pricing-facts.md §1 (Lambda), §2 (front doors, logs), §3 (Azure), §4 (Cloud Run),
//! §5 (Cloudflare), §6 (instances, Fargate).

use super::breakdown::{CostBreakdown, CostLine};
use super::meter::{
    checked_cost, thousands, Meter, BYTES_PER_GB, MB_MS_PER_GB_S, MILLI_VCPU_MS_PER_VCPU_S, MS_PER_HOUR_U,
};
use super::{CloudRunBilling, CostError, CostOptions, FrontDoor};
use serde::Serialize;

use crate::pricing::{CommitmentTerm, Model, PriceTable, Rules};
use crate::units::Usd;
use crate::usage::{Arch, FunctionGroupUsage, InstanceUsage, MsHistogram, Usage};

/// Prices a deployment option's `usage` against `table` (a serverless model, `instances`
/// or `aws-fargate`). Front doors and logs are priced separately ([`price_front_door`],
/// [`price_logs`]) and can be appended with `CostBreakdown::extend`.
pub fn price_usage(usage: &Usage, table: &PriceTable, opts: &CostOptions) -> Result<CostBreakdown, CostError> {
    check_groups(usage, table)?;
    if opts.snapstart.is_some() {
        super::snapstart::check(usage, table)?;
    }
    let mut m = Meter::new(table, opts, usage.period_ms)?;
    match table.model {
        Model::AwsLambda => {
            lambda(&mut m, usage);
            if let Some(snap) = opts.snapstart {
                super::snapstart::price(&mut m, usage, snap);
            }
        }
        Model::AzureConsumption => azure_consumption(&mut m, usage),
        Model::AzureFlex => azure_flex(&mut m, usage),
        Model::GcpCloudRun => cloud_run(&mut m, usage),
        Model::AwsAppRunner => super::containers::app_runner(&mut m, usage)?,
        Model::AzureContainerApps => super::containers::container_apps(&mut m, usage)?,
        Model::CloudflareWorkers => cloudflare(&mut m, usage),
        Model::GcpFunctionsGen1 => gcf_gen1(&mut m, usage),
        Model::Instances => instances(&mut m, usage),
        Model::AwsFargate => super::fargate::fargate(&mut m, usage)?,
        Model::AwsApiGateway | Model::AwsAlb | Model::AwsCloudwatchLogs | Model::Network => {
            return Err(CostError::WrongModel {
                table: table.id.clone(),
                model: format!("{:?}", table.model),
                what: "function or instance usage (it prices a front door, logs or network lines)".to_string(),
            })
        }
    }
    let prices_instances = matches!(table.model, Model::Instances | Model::AwsFargate);
    if prices_instances && !usage.functions.is_empty() {
        m.assume(format!(
            "{}: function usage ignored (this table prices instances)",
            table.id
        ));
    }
    if !prices_instances && !usage.instances.is_empty() {
        m.assume(format!(
            "{}: instance usage ignored (this table prices functions)",
            table.id
        ));
    }
    m.finish()
}

/// Refuses function groups the platform cannot bill as configured: ephemeral storage outside
/// its range (Lambda 512–10,240 MB), memory above a CPU-by-memory table's largest size (Cloud
/// Functions 1st gen: never billed at a smaller tier).
fn check_groups(usage: &Usage, table: &PriceTable) -> Result<(), CostError> {
    let refuse = |problem: String| CostError::Limit { problem };
    for g in &usage.functions {
        if table.model == Model::AwsLambda {
            super::limits::check_ephemeral_storage(table, g.ephemeral_storage_mb).map_err(refuse)?;
        }
        if !table.rules.cpu_mhz_by_memory_mb.is_empty()
            || matches!(table.model, Model::AwsAppRunner | Model::AzureContainerApps)
        {
            super::limits::check_memory(table, g.memory_mb).map_err(refuse)?;
        }
        super::limits::check_provisioned(table, &g.provisioned_periods, usage.period_ms).map_err(refuse)?;
    }
    Ok(())
}

fn total_requests(usage: &Usage) -> u128 {
    usage.functions.iter().map(|g| g.requests as u128).sum()
}

/// Sum of `hist` under `rule`, in ms.
fn billed(hist: &MsHistogram, rule: impl Fn(u64) -> u64) -> u128 {
    hist.iter().map(|(ms, n)| rule(ms) as u128 * n as u128).sum()
}

/// Billed time of one Lambda function group, in ms: invocations on on-demand instances
/// (1 ms grain), INIT (capped per init, where billed) and invocations on provisioned instances.
struct LambdaMs {
    invoke_ms: u128,
    init_ms: u128,
    provisioned_ms: u128,
}

fn lambda_ms(g: &FunctionGroupUsage, rules: &Rules) -> LambdaMs {
    let grain = |d: u64| rules.rounded_to_grain_ms(d);
    // Invocations bill at least the minimum (1 ms: a 0 ms trace duration is not free);
    // INIT is only the grain (a 0 ms init is no init).
    let invoke_rule = |d: u64| rules.billed_duration_ms(d);
    let init_rule = |d: u64| {
        let capped = if rules.init_cap_ms > 0 {
            d.min(rules.init_cap_ms)
        } else {
            d
        };
        grain(capped)
    };
    LambdaMs {
        invoke_ms: billed(&g.on_demand_duration_ms, invoke_rule),
        init_ms: if rules.init_billed {
            billed(&g.init_duration_ms, init_rule)
        } else {
            0
        },
        provisioned_ms: billed(&g.provisioned_duration_ms, invoke_rule),
    }
}

/// Azure Consumption billed memory-time of one group, MB·ms: each execution at least the
/// minimum duration, memory rounded to the meter's grain within its bounds.
fn consumption_mb_ms(g: &FunctionGroupUsage, rules: &Rules) -> u128 {
    let mem = rules.billed_memory_mb(g.memory_mb) as u128;
    let all = merged(&[&g.on_demand_duration_ms, &g.provisioned_duration_ms]);
    mem * billed(&all, |d| rules.billed_duration_ms(d))
}

/// Azure Flex billed time of one group, ms: (on-demand instance activity, always-ready
/// execution). Activity is the instances' busy periods when the simulator gives them, else
/// each on-demand execution; each period at least the minimum, then rounded to the grain.
fn flex_ms(g: &FunctionGroupUsage, rules: &Rules) -> (u128, u128) {
    let activity = if g.instance_busy_ms.is_empty() {
        &g.on_demand_duration_ms
    } else {
        &g.instance_busy_ms
    };
    (
        billed(activity, |d| rules.billed_duration_ms(d)),
        billed(&g.provisioned_duration_ms, |d| rules.billed_duration_ms(d)),
    )
}

/// Cloud Run billable instance time of one group (request-based), ms. Busy periods (from the
/// simulator) already hold the init that started them; per-request durations (aggregate
/// usage) do not, so init is added only then. Minimum (provisioned) instances bill their busy
/// periods where the simulator measured them, else their requests' time.
fn cloud_run_busy_ms(g: &FunctionGroupUsage, rules: &Rules) -> u128 {
    let grain = |d: u64| rules.rounded_to_grain_ms(d);
    if let Some(minimum) = &g.provisioned_busy_periods_ms {
        billed(&g.instance_busy_ms, grain) + billed(minimum, grain)
    } else if g.instance_busy_ms.is_empty() {
        billed(&merged(&[&g.on_demand_duration_ms, &g.provisioned_duration_ms]), grain)
            + billed(&g.init_duration_ms, grain)
    } else {
        billed(&g.instance_busy_ms, grain) + billed(&g.provisioned_duration_ms, grain)
    }
}

/// Cloud Functions 1st gen: (billed memory tier MB, its CPU clock MHz, billed compute ms).
fn gen1_ms(g: &FunctionGroupUsage, rules: &Rules) -> (u32, u64, u128) {
    let (mem, mhz) = rules
        .cpu_tier(g.memory_mb)
        .expect("check_groups refuses memory above the largest tier");
    let all = merged(&[&g.on_demand_duration_ms, &g.provisioned_duration_ms]);
    (mem, mhz, billed(&all, |d| rules.billed_duration_ms(d)))
}

/// Billed memory-time of a usage over its own period (not scaled to a month).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BilledGbSeconds {
    /// Execution GB-s: invocations (or instance activity periods) after the table's
    /// per-invocation rule, at the billed memory, on demand and on provisioned instances.
    pub execution_gb_seconds: f64,
    /// INIT GB-s billed on top of execution (Lambda); 0 where init is not billed or is
    /// already inside the billed instance time (Cloud Run, Flex).
    pub init_gb_seconds: f64,
}

/// The GB-s `table` bills for `usage` (over `usage.period_ms`), by the same per-group rules
/// the pricing routines apply. `None` for a model that does not bill memory-time
/// (Cloudflare Workers bills CPU time); an error for tables that price instances or front
/// doors.
pub fn billed_gb_seconds(usage: &Usage, table: &PriceTable) -> Result<Option<BilledGbSeconds>, CostError> {
    check_groups(usage, table)?;
    // (execution, init) MB·ms of one group under the table's rules.
    let group_mb_ms: fn(&FunctionGroupUsage, &Rules) -> (u128, u128) = match table.model {
        Model::AwsLambda => |g, rules| {
            let t = lambda_ms(g, rules);
            let mem = g.memory_mb as u128;
            (mem * (t.invoke_ms + t.provisioned_ms), mem * t.init_ms)
        },
        Model::AzureConsumption => |g, rules| (consumption_mb_ms(g, rules), 0),
        Model::AzureFlex => |g, rules| {
            let (on_demand_ms, always_ready_ms) = flex_ms(g, rules);
            (g.memory_mb as u128 * (on_demand_ms + always_ready_ms), 0)
        },
        Model::GcpCloudRun => |g, rules| (g.memory_mb as u128 * cloud_run_busy_ms(g, rules), 0),
        Model::AwsAppRunner | Model::AzureContainerApps => |g, _| {
            let t = super::containers::ContainerMs::of(g, false);
            (g.memory_mb as u128 * t.lifetime_ms(), 0)
        },
        Model::GcpFunctionsGen1 => |g, rules| {
            let (tier_mb, _, t) = gen1_ms(g, rules);
            (tier_mb as u128 * t, 0)
        },
        Model::CloudflareWorkers => return Ok(None),
        Model::AwsApiGateway
        | Model::AwsAlb
        | Model::AwsCloudwatchLogs
        | Model::AwsFargate
        | Model::Instances
        | Model::Network => {
            return Err(CostError::WrongModel {
                table: table.id.clone(),
                model: format!("{:?}", table.model),
                what: "billed GB-s of function usage".to_string(),
            })
        }
    };
    let (execution_mb_ms, init_mb_ms) = usage
        .functions
        .iter()
        .map(|g| group_mb_ms(g, &table.rules))
        .fold((0u128, 0u128), |(e, i), (ge, gi)| (e + ge, i + gi));
    let gb_s = |mb_ms: u128| mb_ms as f64 / MB_MS_PER_GB_S as f64;
    Ok(Some(BilledGbSeconds {
        execution_gb_seconds: gb_s(execution_mb_ms),
        init_gb_seconds: gb_s(init_mb_ms),
    }))
}

/// Lambda's quantities over the usage's period (provisioned concurrency already monthly):
/// MB·ms on demand (invoke + INIT) and of it free-tier eligible (functions without provisioned
/// concurrency), INIT, provisioned concurrency configured and served, storage above the
/// included size, requests eligible for the free tier. Per architecture: x86, arm64.
struct LambdaTotals {
    od: [u128; 2],
    od_eligible: [u128; 2],
    init_total: [u128; 2],
    pc_alloc: [u128; 2],
    pc_dur: [u128; 2],
    storage: u128,
    requests_eligible: u128,
}

fn lambda_totals(m: &Meter<'_>, usage: &Usage) -> LambdaTotals {
    let rules = &m.table.rules;
    let mut od = [0u128; 2]; // MB-ms on-demand (invoke + init)
    let mut od_eligible = [0u128; 2]; // of which free-tier eligible (no PC on the function)
    let mut init_total = [0u128; 2];
    let mut pc_alloc = [0u128; 2];
    let mut pc_dur = [0u128; 2];
    let mut storage = 0u128; // MB-ms of storage above the included size
    let mut requests_eligible = 0u128;
    for g in &usage.functions {
        let a = if g.arch == Arch::Arm64 { 1 } else { 0 };
        let mem = g.memory_mb as u128;
        let has_pc = !g.provisioned_periods.is_empty();
        let LambdaMs {
            invoke_ms,
            init_ms,
            provisioned_ms: pc_ms,
        } = lambda_ms(g, rules);
        od[a] += mem * (invoke_ms + init_ms);
        init_total[a] += mem * init_ms;
        if !has_pc {
            od_eligible[a] += mem * (invoke_ms + init_ms);
            requests_eligible += g.requests as u128;
        }
        pc_dur[a] += mem * pc_ms;
        // AWS rounds each enablement up to the grain (5 min): a scheduled window inside the
        // period is rounded, then scaled to the month (a daily 12-minute window bills 15 minutes
        // a day). A period covering the whole usage period is always on: scaled first, then
        // rounded once (rounding a short simulated window and scaling would multiply it).
        for p in &g.provisioned_periods {
            let grain_ms = rules.provisioned_grain_ms as u128;
            let duration = p.duration_ms as u128;
            let rounded = if duration >= m.period_ms as u128 {
                m.monthly(duration).div_ceil(grain_ms) * grain_ms
            } else {
                m.monthly(duration.div_ceil(grain_ms) * grain_ms)
            };
            pc_alloc[a] += mem * p.concurrency as u128 * rounded;
        }
        let extra_mb = g.ephemeral_storage_mb.saturating_sub(rules.included_storage_mb) as u128;
        storage += extra_mb * (invoke_ms + init_ms + pc_ms);
    }
    LambdaTotals {
        od,
        od_eligible,
        init_total,
        pc_alloc,
        pc_dur,
        storage,
        requests_eligible,
    }
}

/// The monthly duration beyond the free grant of each architecture, MB·ms: (all on demand,
/// of it free), the one 400,000 GB-s pool x86 first.
fn lambda_duration_after_grant(m: &Meter<'_>, t: &LambdaTotals) -> [(u128, u128); 2] {
    let mut pool = m.free_base("duration-x86", MB_MS_PER_GB_S);
    [0, 1].map(|a| {
        let free = pool.min(m.monthly(t.od_eligible[a]));
        pool -= free;
        (m.monthly(t.od[a]), free)
    })
}

/// The monthly Lambda duration beyond the free grant that a Compute Savings Plan (`opts.commitment`)
/// sized to `usage` covers, MB·ms: the architectures with a rate under the term (0 without one).
pub fn lambda_plan_duration_mb_ms(usage: &Usage, table: &PriceTable, opts: &CostOptions) -> Result<u128, CostError> {
    let Some(term) = &opts.commitment else {
        return Ok(0);
    };
    let m = Meter::new(table, opts, usage.period_ms)?;
    let split = lambda_duration_after_grant(&m, &lambda_totals(&m, usage));
    Ok(["x86", "arm64"]
        .iter()
        .zip(split)
        .filter(|(name, _)| m.first_rate(&format!("duration-{name}-{term}")).is_some())
        .map(|(_, (q, free))| q - free)
        .sum())
}

/// AWS Lambda: requests; on-demand duration (invoke + INIT capped at 10 s) in GB-s tiered
/// per architecture; ephemeral storage above 512 MB per GB per second of duration;
/// provisioned concurrency (periods rounded up to 5 min) and its duration rate; free tier
/// (opt-in) only for functions without provisioned concurrency.
fn lambda(m: &mut Meter<'_>, usage: &Usage) {
    let rules = m.table.rules.clone();
    let t = lambda_totals(m, usage);
    let requests = m.monthly(total_requests(usage));
    let free_req = m.free_base("requests", 1).min(m.monthly(t.requests_eligible));
    m.charge("Requests", "requests", requests, 1, free_req);

    let split = lambda_duration_after_grant(m, &t);
    let commitment = m.opts.commitment.clone();
    // What is left of a plan bought for another month: one pool, drawn x86 first.
    let mut plan_left = m.opts.lambda_plan_mb_ms;
    for (a, name) in ["x86", "arm64"].iter().enumerate() {
        let (q, free) = split[a];
        match &commitment {
            None => m.charge_pooled(
                &format!("Duration {name}"),
                &format!("duration-{name}"),
                q,
                MB_MS_PER_GB_S,
                free,
                "duration-x86",
            ),
            Some(term) => lambda_plan_duration(m, name, term, (q, free), &mut plan_left),
        }
        if t.init_total[a] > 0 {
            m.assume(format!(
                "aws-lambda: duration {name} includes {:.3} GB-s of INIT (billed since 2025-08-01, capped at {} ms per init)",
                m.monthly(t.init_total[a]) as f64 / MB_MS_PER_GB_S as f64,
                rules.init_cap_ms
            ));
        }
        let [pc_key, pd_key] = super::provisioned_price_keys(name);
        // Configured provisioned concurrency is already monthly.
        m.charge(
            &format!("Provisioned concurrency {name}"),
            &pc_key,
            t.pc_alloc[a],
            MB_MS_PER_GB_S,
            0,
        );
        let pd = m.monthly(t.pc_dur[a]);
        m.charge(&format!("Provisioned duration {name}"), &pd_key, pd, MB_MS_PER_GB_S, 0);
    }
    if let (Some(term), Some(left)) = (&commitment, plan_left.filter(|&left| left > 0)) {
        lambda_plan_unused(m, term, left);
    }
    let st = m.monthly(t.storage);
    m.charge(
        "Ephemeral storage above 512 MB",
        "ephemeral-storage",
        st,
        MB_MS_PER_GB_S,
        0,
    );
    if st > 0 {
        m.assume("aws-lambda: ephemeral storage is (storage MB − 512)/1024 GB × duration seconds (not × memory GB-s)");
    }
    if m.opts.free_tier && usage.functions.iter().any(|g| !g.provisioned_periods.is_empty()) {
        m.assume("aws-lambda: the free tier is not applied to functions with provisioned concurrency");
    }
}

/// Lambda duration of architecture `name` under a Compute Savings Plan (`term`), given its
/// monthly MB·ms `(all, of it free)`: the free grant first, then the plan's rate on what the
/// plan covers — all of it when the plan is sized to this usage (`plan_left` `None`), else up
/// to what is left of a plan bought for another month (`plan_left`, drawn x86 first; the
/// caller bills what stays unused), the rest on demand; "not priced" where the table has no
/// rate under the term for this architecture or in this region.
fn lambda_plan_duration(
    m: &mut Meter<'_>,
    name: &str,
    term: &str,
    (q, free): (u128, u128),
    plan_left: &mut Option<u128>,
) {
    if q == 0 {
        return;
    }
    let on_demand_key = format!("duration-{name}");
    let key = format!("{on_demand_key}-{term}");
    let label = format!("Duration {name} (commitment {term})");
    if !m.table.prices.contains_key(&key) {
        let why = super::unpriced_term(m.table, &[&on_demand_key], term, &format!("Lambda {name} duration"));
        m.not_priced(&label, "GB-s", q as f64 / MB_MS_PER_GB_S as f64, why);
        return;
    }
    let (Some(rate), Some(on_demand)) = (m.first_rate(&key), m.first_rate(&on_demand_key)) else {
        // No rate in this region: the whole duration is a "not priced" line saying so.
        m.charge_pooled(&label, &key, q, MB_MS_PER_GB_S, free, "duration-x86");
        return;
    };
    let billable = q - free;
    let covered = match plan_left {
        None => billable,
        Some(left) => {
            let covered = billable.min(*left);
            *left -= covered;
            covered
        }
    };
    m.charge_pooled(&label, &key, free + covered, MB_MS_PER_GB_S, free, "duration-x86");
    m.charge(
        &format!("Duration {name} on demand (the excess)"),
        &on_demand_key,
        billable - covered,
        MB_MS_PER_GB_S,
        0,
    );
    let years = match CommitmentTerm::parse(term) {
        Ok(t) => t.years,
        Err(e) => {
            m.assume(format!("aws-lambda: commitment {e}"));
            return;
        }
    };
    let share = 100.0 * rate.pico() as f64 / on_demand.pico().max(1) as f64;
    let sizing = match m.opts.lambda_plan_mb_ms {
        None => "this month's duration beyond the free grant".to_string(),
        Some(mb_ms) => format!(
            "the first month's duration beyond the free grant, {:.0} GB-s (a later month's excess bills on demand, \
             a shortfall is paid unused)",
            mb_ms as f64 / MB_MS_PER_GB_S as f64
        ),
    };
    let first_tier_gb_s = m.table.prices[&on_demand_key]
        .in_region(&m.region, &m.table.regions)
        .and_then(|p| p.tiers.first().and_then(|t| t.up_to));
    let tiers = match first_tier_gb_s {
        Some(edge) if billable > edge as u128 * MB_MS_PER_GB_S => format!(
            "; beyond {} GB-s a month on demand's lower tiers are not combined with the plan, whose rate is then \
             close to or above theirs: compare with on demand",
            thousands(edge as u128)
        ),
        _ => String::new(),
    };
    m.assume(format!(
        "aws-lambda: duration {name} under {term}, a Compute Savings Plan: {years}-year term, 0 % paid upfront, \
         ${} a GB-s (on demand ${} in the first tier, {share:.1} % of it); the plan is sized to {sizing}: its \
         hourly commitment is that duration at the plan's rate spread evenly over the hours (a plan sized to the \
         busiest hours would go partly unused in quiet ones, one sized to the quietest would leave the rest on \
         demand: not modelled); it pays off where the covered usage fills at least {share:.1} % of the \
         commitment; requests, provisioned concurrency and ephemeral storage stay on demand{tiers}",
        rate.to_f64(),
        on_demand.to_f64(),
    ));
}

/// The part of a Lambda plan bought for another month that this month's duration leaves
/// unused (`left` MB·ms): paid at the plan's rate of the first architecture that has one here.
fn lambda_plan_unused(m: &mut Meter<'_>, term: &str, left: u128) {
    let Some(name) = ["x86", "arm64"]
        .into_iter()
        .find(|a| m.first_rate(&format!("duration-{a}-{term}")).is_some())
    else {
        return;
    };
    m.charge(
        &format!("Duration {name} (commitment {term}): unused"),
        &format!("duration-{name}-{term}"),
        left,
        MB_MS_PER_GB_S,
        0,
    );
}

/// Azure Functions Consumption: executions + GB-s, each execution billed at least 100 ms
/// and 128 MB, memory rounded up to 128 MB (max 1,536 MB).
fn azure_consumption(m: &mut Meter<'_>, usage: &Usage) {
    let rules = m.table.rules.clone();
    let mbms: u128 = usage.functions.iter().map(|g| consumption_mb_ms(g, &rules)).sum();
    let req = m.monthly(total_requests(usage));
    m.charge_with_grant("Executions", "executions", req, 1);
    let q = m.monthly(mbms);
    m.charge_with_grant("Execution time", "execution-time", q, MB_MS_PER_GB_S);
    m.assume(format!(
        "{}: each execution billed at least {} ms and {} MB, memory rounded up to {} MB (max {} MB)",
        m.table.id, rules.minimum_duration_ms, rules.memory_minimum_mb, rules.memory_grain_mb, rules.memory_maximum_mb
    ));
}

fn merged(hists: &[&MsHistogram]) -> MsHistogram {
    MsHistogram::sum(hists.iter().copied())
}

/// Azure Functions Flex Consumption: on-demand executions + GB-s of instance activity
/// (at least 1,000 ms, then 100 ms steps) at the instance memory; always-ready baseline
/// (provisioned periods) and always-ready execution time; free grant on on-demand only.
fn azure_flex(m: &mut Meter<'_>, usage: &Usage) {
    let rules = m.table.rules.clone();
    let mut od = 0u128;
    let mut ar_base = 0u128;
    let mut ar_exec = 0u128;
    let mut od_requests = 0u128;
    for g in &usage.functions {
        let mem = g.memory_mb as u128;
        let (on_demand_ms, always_ready_ms) = flex_ms(g, &rules);
        od += mem * on_demand_ms;
        ar_exec += mem * always_ready_ms;
        for p in &g.provisioned_periods {
            ar_base += mem * p.concurrency as u128 * p.duration_ms as u128;
        }
        od_requests += g.requests.saturating_sub(g.provisioned_duration_ms.count()) as u128;
    }
    let req = m.monthly(total_requests(usage));
    let free = m.free_base("executions", 1).min(m.monthly(od_requests));
    m.charge("Executions", "executions", req, 1, free);
    let q = m.monthly(od);
    m.charge_with_grant("On-demand execution time", "execution-time", q, MB_MS_PER_GB_S);
    let q = m.monthly(ar_base);
    m.charge("Always-ready baseline", "always-ready-baseline", q, MB_MS_PER_GB_S, 0);
    let q = m.monthly(ar_exec);
    m.charge(
        "Always-ready execution time",
        "always-ready-execution-time",
        q,
        MB_MS_PER_GB_S,
        0,
    );
    m.assume(format!(
        "{}: on-demand activity (and always-ready execution, an assumption) billed at least {} ms then in {} ms steps, at the instance memory",
        m.table.id, rules.minimum_duration_ms, rules.duration_grain_ms
    ));
}

/// The idle time of a group's minimum (provisioned) instances the simulator replayed: their
/// time less their busy periods as billed (each rounded up to the grain), ms; 0 where it did
/// not measure them.
fn replayed_minimum_idle_ms(g: &FunctionGroupUsage, rules: &Rules) -> u128 {
    let grain = |d: u64| rules.rounded_to_grain_ms(d);
    g.provisioned_busy_periods_ms.as_ref().map_or(0, |busy| {
        g.provisioned_instance_ms().saturating_sub(billed(busy, grain))
    })
}

/// Google Cloud Run: request-based billing bills instance time serving requests plus
/// startup, each period rounded up to 100 ms, in vCPU-s and GiB-s, plus requests, plus idle
/// minimum instances at the idle rate; instance-based billing bills busy + startup + idle
/// time at the instance rates, no request fee.
fn cloud_run(m: &mut Meter<'_>, usage: &Usage) {
    let rules = m.table.rules.clone();
    let vcpu = m.opts.cloud_run_vcpu_milli as u128;
    let mut busy_ms_mem = 0u128; // MB-ms
    let mut busy_ms = 0u128;
    let mut idle_ms_mem = 0u128;
    let mut idle_ms = 0u128;
    let (mut min_idle_ms, mut min_idle_ms_mem) = (0u128, 0u128);
    let instance_based = m.opts.cloud_run_billing == CloudRunBilling::InstanceBased;
    for g in &usage.functions {
        let mem = g.memory_mb as u128;
        // Replayed minimum instances idle: at the idle rates by request-based billing, at the
        // instance rates (their whole lifetime) by instance-based billing.
        let replayed_idle = replayed_minimum_idle_ms(g, &rules);
        let (min_idle, idle) = if instance_based {
            (0, replayed_idle)
        } else {
            (replayed_idle, 0)
        };
        min_idle_ms += g.min_instances_idle_ms as u128 + min_idle;
        min_idle_ms_mem += mem * (g.min_instances_idle_ms as u128 + min_idle);
        let t = cloud_run_busy_ms(g, &rules);
        busy_ms += t;
        busy_ms_mem += mem * t;
        idle_ms += g.instance_idle_ms as u128 + idle;
        idle_ms_mem += mem * (g.instance_idle_ms as u128 + idle);
    }
    let id = m.table.id.clone();
    match m.opts.cloud_run_billing {
        CloudRunBilling::RequestBased => {
            let req = m.monthly(total_requests(usage));
            m.charge_with_grant("Requests", "requests", req, 1);
            let q = m.monthly(busy_ms * vcpu);
            m.charge_with_grant("CPU (request-based)", "request-cpu", q, MILLI_VCPU_MS_PER_VCPU_S);
            let q = m.monthly(busy_ms_mem);
            m.charge_with_grant("Memory (request-based)", "request-memory", q, MB_MS_PER_GB_S);
            m.assume(format!(
                "{id}: request-based billing; instance time per request (or busy period) and startup rounded up to {} ms; \
                 warm idle instances are not billed, except minimum instances at the idle rates",
                rules.duration_grain_ms
            ));
            if min_idle_ms > 0 {
                let q = m.monthly(min_idle_ms * vcpu);
                m.charge("Idle minimum instances CPU", "idle-cpu", q, MILLI_VCPU_MS_PER_VCPU_S, 0);
                let q = m.monthly(min_idle_ms_mem);
                m.charge("Idle minimum instances memory", "idle-memory", q, MB_MS_PER_GB_S, 0);
            }
        }
        CloudRunBilling::InstanceBased => {
            let q = m.monthly((busy_ms + idle_ms) * vcpu);
            m.charge_with_grant("CPU (instance-based)", "instance-cpu", q, MILLI_VCPU_MS_PER_VCPU_S);
            let q = m.monthly(busy_ms_mem + idle_ms_mem);
            m.charge_with_grant("Memory (instance-based)", "instance-memory", q, MB_MS_PER_GB_S);
            m.assume(format!(
                "{id}: instance-based billing (whole instance lifetime, no request fee)"
            ));
        }
    }
    m.assume(format!("{id}: {} vCPU per instance", vcpu as f64 / 1000.0));
}

/// Google Cloud Functions 1st gen: invocations; compute time rounded up to 100 ms per
/// invocation, billed as GB-s of the memory tier and GHz-s of the tier's CPU clock.
fn gcf_gen1(m: &mut Meter<'_>, usage: &Usage) {
    let rules = m.table.rules.clone();
    let mut mb_ms = 0u128;
    let mut mhz_ms = 0u128;
    for g in &usage.functions {
        let (mem, mhz, t) = gen1_ms(g, &rules);
        mb_ms += mem as u128 * t;
        mhz_ms += mhz as u128 * t;
    }
    let req = m.monthly(total_requests(usage));
    m.charge_with_grant("Invocations", "invocations", req, 1);
    let q = m.monthly(mb_ms);
    m.charge_with_grant("Compute memory", "memory", q, MB_MS_PER_GB_S);
    // GHz-s from MHz·ms: 1,000 MHz × 1,000 ms.
    let q = m.monthly(mhz_ms);
    m.charge_with_grant("Compute CPU", "cpu", q, 1_000_000);
    m.assume(format!(
        "{}: compute time rounded up to {} ms per invocation; memory billed at the next size tier with its CPU clock",
        m.table.id, rules.duration_grain_ms
    ));
}

/// Cloudflare Workers Standard: the Paid plan's monthly minimum, requests and CPU-ms
/// beyond the included quantities. Invocation duration is taken as CPU time (upper bound).
fn cloudflare(m: &mut Meter<'_>, usage: &Usage) {
    if let Some(min) = m.table.rules.minimum_monthly {
        m.fixed(
            "Workers Paid plan",
            min,
            "monthly plan charge; includes the requests and CPU time below",
        );
    }
    let req = m.monthly(total_requests(usage));
    m.charge_with_grant("Requests", "requests", req, 1);
    let cpu: u128 = usage
        .functions
        .iter()
        .map(|g| billed(&merged(&[&g.on_demand_duration_ms, &g.provisioned_duration_ms]), |d| d))
        .sum();
    let q = m.monthly(cpu);
    m.charge_with_grant("CPU time", "cpu-time", q, 1);
    m.assume(
        "cloudflare-workers: invocation duration used as CPU time (wall time is not billed; this is an upper bound)",
    );
}

/// Billed ms of one instance type: at least `minimum_billed_ms` per launch, and at least
/// `minimum_instances` for the whole period.
pub(super) fn instance_billed_ms(m: &Meter<'_>, instance_ms: u64, launches: u64, minimum_instances: u32) -> u128 {
    let min_launch = launches as u128 * m.table.rules.minimum_billed_ms as u128;
    let min_always = minimum_instances as u128 * m.period_ms as u128;
    (instance_ms as u128).max(min_launch).max(min_always)
}

/// Hourly instances (EC2, VMs, Azure Premium, EKS control plane): hours × on-demand or
/// commitment rate of the region priced; an unknown type, a type the table does not price in
/// that region, or an unknown commitment is a "not priced" line. On demand, a type with
/// sustained-use tiers (GCP N2) bills each quarter of each stacked instance's month at its
/// tier ([`sustained_use`]); a commitment states its term, upfront share and break-even
/// utilization.
fn instances(m: &mut Meter<'_>, usage: &Usage) {
    let commitment = m.opts.commitment.clone();
    for iu in &usage.instances {
        let label = format!("{} instance-hours", iu.instance_type);
        let table = m.table;
        let priced = table
            .instances
            .get(&iu.instance_type)
            .map(|ip| (ip, ip.in_region(&m.region, &table.regions)));
        let Some((_, Some(ip))) = priced else {
            let hours = m.monthly(iu.instance_ms as u128) as f64 / MS_PER_HOUR_U as f64;
            let why = match priced {
                None => format!("no instance type '{}' in this table", iu.instance_type),
                Some((ip, _)) => format!(
                    "no price for {} in {} in this table; priced in {}",
                    iu.instance_type,
                    m.region,
                    ip.priced_regions(&table.regions).join(", ")
                ),
            };
            m.not_priced(&label, "hours", hours, why);
            continue;
        };
        let ms = m.monthly(instance_billed_ms(m, iu.instance_ms, iu.launches, ip.minimum_instances));
        // A commitment is paid for every hour of its term, used or not: each instance (launch)
        // at least the whole period.
        let ms = match &commitment {
            Some(_) => ms.max(iu.launches as u128 * crate::units::MS_PER_MONTH as u128),
            None => ms,
        };
        let (rate, note) = match &commitment {
            None => (Some(ip.per_hour), "on-demand".to_string()),
            Some(c) => (ip.commitments.get(c).copied(), format!("commitment {c}")),
        };
        // A commitment line carries the commitment prices' own source and verification.
        let (source, verified) = match &commitment {
            None => (ip.source.clone(), ip.verified),
            Some(_) => (ip.commitments_source.clone(), ip.commitments_verified),
        };
        let Some(rate) = rate else {
            m.not_priced(
                &label,
                "hours",
                ms as f64 / MS_PER_HOUR_U as f64,
                format!(
                    "no '{}' commitment price for {} in {}; known there: {}",
                    commitment.as_deref().unwrap_or(""),
                    iu.instance_type,
                    m.region,
                    if ip.commitments.is_empty() {
                        "none".to_string()
                    } else {
                        ip.commitments.keys().cloned().collect::<Vec<_>>().join(", ")
                    }
                ),
            );
            continue;
        };
        let sizes = format!(
            "{} vCPU, {} GiB{}",
            ip.vcpu,
            ip.memory_gib,
            if ip.minimum_instances > 0 {
                format!("; at least {} instance(s) always billed", ip.minimum_instances)
            } else {
                String::new()
            }
        );
        // Sustained use (on demand only): each instance's month billed in quarters at the
        // type's tiers.
        if commitment.is_none() && !ip.sustained_use_tiers_bps.is_empty() {
            let billed = instance_billed_ms(m, iu.instance_ms, iu.launches, ip.minimum_instances);
            let tiers = ip.sustained_use_tiers_bps.clone();
            sustained_use(m, iu, billed, &tiers, rate, &label, (&source, verified, &sizes));
            continue;
        }
        let quantity = ms as f64 / MS_PER_HOUR_U as f64;
        let cost = m.line_cost(&label, quantity, "hours", rate, ms, MS_PER_HOUR_U);
        m.out.lines.push(CostLine {
            offering: m.table.id.clone(),
            name: label,
            unit: "hours".to_string(),
            quantity,
            unit_price_usd: Some(rate.to_f64()),
            cost,
            verified,
            source,
            note: Some(format!("{note}; {sizes}")),
        });
        if let Some(c) = &commitment {
            commitment_assumption(m, &iu.instance_type, c, rate, ip.per_hour);
        }
    }
    if m.table.rules.minimum_billed_ms > 0 {
        m.assume(format!(
            "{}: at least {} s billed per instance launch",
            m.table.id,
            m.table.rules.minimum_billed_ms / 1000
        ));
    }
}

/// GCP's sustained-use discount on `iu`'s on-demand time: its instances, stacked so the fewest
/// run the longest (usage pools by region, so the k-th runs the time at least k ran;
/// [`InstanceUsage::stacked`]), each bill every quarter of their month at that quarter's
/// share of `rate` (`tiers_bps`), time beyond three quarters at the last share. A window
/// other than a month stands for a 730-hour month of the same shape: an instance running a
/// share of the window runs that share of the month. Time a minimum bills beyond the instances' own
/// (`billed_ms`, of the window) is billed at the full rate. `(source, verified, sizes)`
/// describe the lines.
fn sustained_use(
    m: &mut Meter<'_>,
    iu: &InstanceUsage,
    billed_ms: u128,
    tiers_bps: &[u32],
    rate: Usd,
    label: &str,
    (source, verified, sizes): (&str, bool, &str),
) {
    let period = m.period_ms as u128;
    // Each quarter's instance time in ms × 4 (a quarter of the window is period / 4 ms).
    let mut quarters4 = [0u128; 4];
    let mut add = |ms: u128, instances: u128| {
        for (q, sum) in quarters4.iter_mut().enumerate() {
            let from = q as u128 * period;
            let span = if q == 3 { u128::MAX } else { period };
            *sum = sum.saturating_add((4 * ms).saturating_sub(from).min(span).saturating_mul(instances));
        }
    };
    // Without stacked times, `launches` instances share the time: `rest` of them one ms longer.
    let runs = if iu.stacked.is_empty() {
        let n = iu.launches.max(1);
        vec![
            (iu.instance_ms / n + 1, iu.instance_ms % n),
            (iu.instance_ms / n, n - iu.instance_ms % n),
        ]
    } else {
        iu.stacked.clone()
    };
    runs.iter().for_each(|&(ms, n)| add(ms as u128, n as u128));
    let own: u128 = runs.iter().map(|&(ms, n)| ms as u128 * n as u128).sum();
    quarters4[0] += 4 * billed_ms.saturating_sub(own);
    let shares: Vec<String> = tiers_bps.iter().map(|&b| format!("{}", b as f64 / 100.0)).collect();
    let full_month_off = 100.0 - tiers_bps.iter().map(|&b| b as f64).sum::<f64>() / 4.0 / 100.0;
    for (q, (&share_bps, &time4)) in tiers_bps.iter().zip(&quarters4).enumerate() {
        if time4 == 0 && !(q == 0 && quarters4.iter().all(|&t| t == 0)) {
            continue;
        }
        let monthly4 = m.monthly(time4);
        let quantity = monthly4 as f64 / 4.0 / MS_PER_HOUR_U as f64;
        let name = if q == 3 {
            format!("{label} (sustained use: beyond 75 % of each instance's month)")
        } else {
            format!(
                "{label} (sustained use: {}–{} % of each instance's month)",
                25 * q,
                25 * (q + 1)
            )
        };
        let cost = m.line_cost(
            &name,
            quantity,
            "hours",
            rate,
            monthly4.saturating_mul(share_bps as u128),
            4 * MS_PER_HOUR_U * 10_000,
        );
        m.out.lines.push(CostLine {
            offering: m.table.id.clone(),
            name,
            unit: "hours".to_string(),
            quantity,
            unit_price_usd: checked_cost(rate, share_bps as u128, 10_000).map(|d| d.to_f64()),
            cost,
            verified,
            source: source.to_string(),
            note: Some(format!(
                "on demand at {} % of the base rate (sustained-use discount); {sizes}",
                share_bps as f64 / 100.0
            )),
        });
    }
    let window = if m.period_ms != crate::units::MS_PER_MONTH {
        "; the window stands for a month of its shape (an instance running a share of it runs that share of \
         the month, 730 h)"
    } else {
        ""
    };
    m.assume(format!(
        "{}: {} on demand bills each quarter of an instance's month at {} % of the base rate (sustained-use \
         discount, automatic): a full month is {:.2} % less; the instances are stacked so the fewest run the \
         longest (usage pools by region){window}; Google gives it to self-serve (online) billing accounts only",
        m.table.id,
        iu.instance_type,
        shares.join(" / "),
        full_month_off
    ));
}

/// States a commitment's term, the share paid upfront and its break-even utilization: the
/// committed rate is paid for every hour of the term, so it beats on demand when the instance
/// would otherwise run at least `rate / on-demand rate` of the hours.
pub(super) fn commitment_assumption(m: &mut Meter<'_>, instance_type: &str, term: &str, rate: Usd, on_demand: Usd) {
    let others = if m.table.model == Model::AwsFargate {
        "other task sizes and regions, EC2, Lambda"
    } else {
        "other EC2 types and regions, Fargate, Lambda"
    };
    let text = match CommitmentTerm::parse(term) {
        Ok(t) => format!(
            "{}: {instance_type} commitment {term}: {}-year term, {} % paid upfront, ${} an hour for every hour of the \
             term (on demand ${}): it pays off when the {instance_type} would run at least {:.1} % of the hours \
             (break-even utilization)",
            m.table.id,
            t.years,
            t.upfront_percent,
            rate.to_f64(),
            on_demand.to_f64(),
            100.0 * rate.pico() as f64 / on_demand.pico().max(1) as f64
        ),
        Err(e) => format!("{}: {instance_type} commitment {e}", m.table.id),
    };
    m.assume(text);
    if term.starts_with("compute-sp-") {
        m.assume(format!(
            "{}: {term} is a Compute Savings Plan of ${} an hour for each committed {instance_type}: priced as \
             sized to what is committed and paid every hour like a reservation; its cover of other usage \
             ({others}) is not modelled",
            m.table.id,
            rate.to_f64()
        ));
    }
}

/// Prices the front door in front of `usage`'s requests: API Gateway REST or HTTP API
/// (HTTP metered in 512 KB increments of `opts.payload_kb`), a function URL (no charge: no line),
/// or an ALB (730 hours + LCU-hours from average new connections and processed bytes).
pub fn price_front_door(
    usage: &Usage,
    door: FrontDoor,
    table: &PriceTable,
    opts: &CostOptions,
) -> Result<CostBreakdown, CostError> {
    let expected = match door {
        FrontDoor::Alb => Model::AwsAlb,
        _ => Model::AwsApiGateway,
    };
    if table.model != expected {
        return Err(CostError::WrongModel {
            table: table.id.clone(),
            model: format!("{:?}", table.model),
            what: format!("front door {door:?}"),
        });
    }
    let mut m = Meter::new(table, opts, usage.period_ms)?;
    let requests = m.monthly(total_requests(usage));
    match door {
        FrontDoor::RestApi => {
            m.charge_with_grant("REST API requests", "rest-requests", requests, 1);
        }
        FrontDoor::HttpApi => {
            let inc = table.rules.request_metering_kb.max(1) as u128;
            let units = (opts.payload_kb as u128).div_ceil(inc).max(1);
            let free = m.free_base("http-requests", 1);
            m.charge("HTTP API requests", "http-requests", requests * units, 1, free);
            if units > 1 {
                m.assume(format!(
                    "aws-api-gateway: a {} KB request is metered as {units} requests ({inc} KB increments)",
                    opts.payload_kb
                ));
            }
        }
        // No separate charge: no line ([`FrontDoor::table_id`]).
        FrontDoor::FunctionUrl => {}
        FrontDoor::Alb => {
            let hours_ms = MS_PER_HOUR_U * 730;
            m.charge("ALB hours", "alb-hours", hours_ms, MS_PER_HOUR_U, 0);
            // Average LCUs: new connections (one per request) / 25 per s; processed GB/h / 0.4
            // (Lambda targets; 1 GB/h for EC2/IP targets): request and response bytes.
            let secs = 730.0 * 3600.0;
            let conn_lcu = requests as f64 / secs / 25.0;
            let bytes_per_request = opts.payload_kb as f64 * 1024.0 + opts.response_bytes as f64;
            let gb = requests as f64 * bytes_per_request / BYTES_PER_GB as f64;
            let bytes_lcu = gb / 730.0 / 0.4;
            let lcu = conn_lcu.max(bytes_lcu);
            // Micro-LCU-hours, rounded up.
            let micro_lcu_h = (lcu * 730.0 * 1.0e6).ceil() as u128;
            m.charge("ALB LCU-hours", "lcu-hours", micro_lcu_h, 1_000_000, 0);
            m.assume(format!(
                "aws-alb: one ALB for 730 hours; {:.4} average LCU (new connections {:.4}, processed bytes {:.4} from {} \
                 request and {} response bytes per request; one connection per request)",
                lcu,
                conn_lcu,
                bytes_lcu,
                opts.payload_kb as u64 * 1024,
                opts.response_bytes
            ));
        }
    }
    m.finish()
}

/// Prices CloudWatch Logs for `bytes_per_invocation` of log output per request: ingestion
/// (tiered for Lambda logs) and one month of storage of that volume.
pub fn price_logs(
    usage: &Usage,
    bytes_per_invocation: u64,
    table: &PriceTable,
    opts: &CostOptions,
) -> Result<CostBreakdown, CostError> {
    if table.model != Model::AwsCloudwatchLogs {
        return Err(CostError::WrongModel {
            table: table.id.clone(),
            model: format!("{:?}", table.model),
            what: "log volume".to_string(),
        });
    }
    let mut m = Meter::new(table, opts, usage.period_ms)?;
    let bytes = m.monthly(total_requests(usage) * bytes_per_invocation as u128);
    m.charge_with_grant("Log ingestion", "lambda-ingestion", bytes, BYTES_PER_GB);
    m.charge("Log storage (one month)", "storage", bytes, BYTES_PER_GB, 0);
    m.assume(format!(
        "aws-cloudwatch-logs: {} bytes of logs per invocation; storage priced for one month of this month's volume",
        thousands(bytes_per_invocation as u128)
    ));
    m.finish()
}

/// Builds a `FunctionGroupUsage` of `requests` invocations of `duration_ms` each (used by
/// `faascost cost` and tests).
pub fn uniform_group(memory_mb: u32, arch: Arch, requests: u64, duration_ms: u64) -> FunctionGroupUsage {
    let mut g = FunctionGroupUsage {
        memory_mb,
        arch,
        ephemeral_storage_mb: 512,
        requests,
        ..FunctionGroupUsage::default()
    };
    g.on_demand_duration_ms.add(duration_ms, requests);
    g
}
