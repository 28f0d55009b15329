//! A serverless option's month: the event engine (`sim::simulate`) on the workload, then its
//! bill — the platform's own lines, the front door (API Gateway or ALB on AWS), and log
//! ingestion (CloudWatch Logs for Lambda).

use anyhow::{anyhow, Context};

use super::Plan;
use crate::config::ServerlessOption;
use crate::cost::{price_front_door, price_logs, price_usage, CostBreakdown, FrontDoor};
use crate::platform::ServerlessPlatform;
use crate::sim::keepalive::KeepAliveSpec;
use crate::sim::platform::PlatformModel;
use crate::sim::schedule::ProvisionedSchedule;
use crate::sim::{simulate, SimConfig, SimOutput};
use crate::trace::Workload;
use crate::usage::{Arch, Usage};

/// The simulator's platform for a price-table id.
pub fn platform_of(table_id: &str) -> Option<ServerlessPlatform> {
    table_id.parse().ok()
}

/// The simulation settings of an option.
pub fn sim_config(plan: &Plan, opt: &ServerlessOption) -> anyhow::Result<SimConfig> {
    let id = platform_of(&opt.platform).ok_or_else(|| {
        anyhow!(
            "option '{}': platform '{}' is not a serverless platform faascost simulates; use aws-lambda, \
             azure-functions-consumption, azure-functions-flex, gcp-cloud-run or cloudflare-workers",
            opt.id,
            opt.platform
        )
    })?;
    let mut cfg = SimConfig::new(PlatformModel::from_catalog(&plan.catalog, id)?);
    cfg.memory_mb = opt.memory_mb;
    cfg.arch = if opt.arch == "arm64" { Arch::Arm64 } else { Arch::X86 };
    cfg.keep_alive = opt
        .keep_alive
        .parse::<KeepAliveSpec>()
        .map_err(|e| anyhow!("option '{}': keep_alive: {e}", opt.id))?;
    cfg.provisioned = opt
        .provisioned_concurrency
        .parse::<ProvisionedSchedule>()
        .map_err(|e| anyhow!("option '{}': provisioned_concurrency: {e}", opt.id))?;
    cfg.per_instance_concurrency = opt.concurrency_per_instance;
    cfg.concurrency_limit = opt.concurrency_limit;
    cfg.fallback_duration_ms = plan.scenario.fallback_duration_ms.map(|d| d.round() as u64);
    cfg.cpu_bound_fraction = plan.scenario.cpu_bound_fraction;
    cfg.seed = plan.scenario.seed;
    Ok(cfg)
}

/// Simulates an option on `workload`. The usage is billed over the workload's window (the
/// period every option is scaled to a month from) with the option's ephemeral storage.
pub fn run(plan: &Plan, opt: &ServerlessOption, workload: &Workload) -> anyhow::Result<SimOutput> {
    let cfg = sim_config(plan, opt)?;
    let mut out = simulate(workload, &cfg).with_context(|| format!("simulating option '{}'", opt.id))?;
    out.usage.period_ms = plan.workload.window_ms().max(crate::units::MS_PER_MINUTE);
    for g in &mut out.usage.functions {
        g.ephemeral_storage_mb = opt.ephemeral_storage_mb;
    }
    Ok(out)
}

/// The bill of a serverless usage, with its front door and logs; notes say what is left out.
pub fn price(plan: &Plan, opt: &ServerlessOption, usage: &Usage) -> anyhow::Result<(CostBreakdown, Vec<String>)> {
    let table = plan
        .catalog
        .get(&opt.platform)
        .map_err(|e| anyhow!("option '{}': {e}", opt.id))?;
    let opts = plan.cost_options(table);
    let mut bill = price_usage(usage, table, &opts).with_context(|| format!("pricing option '{}'", opt.id))?;
    let mut notes = Vec::new();
    let on_aws = opt.platform == "aws-lambda";
    let door = match plan.scenario.front_door.as_str() {
        "rest-api" => Some((FrontDoor::RestApi, "aws-api-gateway")),
        "http-api" => Some((FrontDoor::HttpApi, "aws-api-gateway")),
        "alb" => Some((FrontDoor::Alb, "aws-alb")),
        _ => None,
    };
    match (on_aws, door) {
        (true, Some((door, table_id))) => {
            let t = plan.catalog.get(table_id).map_err(|e| anyhow!("front door: {e}"))?;
            bill.extend(price_front_door(usage, door, t, &plan.cost_options(t))?);
        }
        (true, None) => notes.push(format!("front door '{}': no separate charge", plan.scenario.front_door)),
        (false, _) => notes.push(format!(
            "front door: {}'s built-in HTTP endpoint (no separate charge); the scenario's '{}' applies to AWS only",
            opt.platform, plan.scenario.front_door
        )),
    }
    if plan.scenario.log_bytes_per_invocation > 0 {
        if on_aws {
            let t = plan
                .catalog
                .get("aws-cloudwatch-logs")
                .map_err(|e| anyhow!("logs: {e}"))?;
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
