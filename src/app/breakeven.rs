//! `faascost breakeven`: for a serverless platform at one duration and memory, the monthly
//! traffic at which each `--vs` server option becomes cheaper (`fit::breakeven`). The serverless
//! side is priced exactly as `faascost cost` prices it; the server side is its instance time
//! (commitment applied) for the instances the capacity rule needs. Text, or one JSON object.

use anyhow::{anyhow, bail};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

use super::cost::cost_breakdown;
use super::pricing::load_catalog;
use crate::cli::{BreakevenArgs, CloudRunBillingArg, CostArgs};
use crate::config::{Commitment, ProvisionedOption, Scenario, Strategy};
use crate::cost::CostOptions;
use crate::fit::breakeven::MAX_REQUESTS_PER_MONTH;
use crate::fit::breakeven::{find_break_even, instances_monthly, option_capacity, BreakEven, ServerCapacity};
use crate::money::Money;
use crate::platform::InstancePlatform;
use crate::units::group_thousands;

/// One server option's answer.
#[derive(Serialize)]
struct ServerAnswer {
    /// As given after --vs.
    option: String,
    /// The capacity rule and its figures.
    capacity: ServerCapacity,
    /// The capacity rule as a formula.
    capacity_rule: String,
    /// Where the request slots come from.
    slots_rule: String,
    /// Monthly cost of one instance (the least the option costs).
    one_instance_monthly_usd: Money,
    #[serde(flatten)]
    break_even: BreakEven,
    /// The break-even as a multiple of --requests.
    multiple_of_requests: Option<f64>,
}

/// The JSON of `breakeven --json`.
#[derive(Serialize)]
struct BreakevenJson<'a> {
    schema_version: u32,
    command: &'static str,
    platform: &'a str,
    duration_ms: u64,
    memory_mb: u32,
    requests_per_month: Option<u64>,
    servers: &'a [ServerAnswer],
    assumptions: &'a [String],
}

/// A `--vs PLATFORM:TYPE` as a provisioned option with the flags' sizing.
fn server_option(vs: &str, args: &BreakevenArgs) -> anyhow::Result<ProvisionedOption> {
    let (head, instance_type) = vs
        .split_once(':')
        .ok_or_else(|| anyhow!("--vs '{vs}' has no instance type; expected PLATFORM:TYPE, e.g. aws-ec2:m7g.large"))?;
    let platform: InstancePlatform = head.parse().map_err(|e| anyhow!("--vs '{vs}': {e}"))?;
    if platform == InstancePlatform::GcpCloudRun {
        bail!("--vs '{vs}': Cloud Run containers are billed per instance-second, not per instance; use aws-ec2, azure-vm, gcp-compute or aws-fargate");
    }
    Ok(ProvisionedOption {
        id: vs.to_string(),
        line: 0,
        platform,
        instance_type: instance_type.to_string(),
        strategy: Strategy::StaticPeak,
        target_utilization: args.target_utilization,
        min_instances: args.min_instances,
        max_instances: u32::MAX,
        spare_instances: 0,
        boot_delay_ms: 0,
        scale_in_cooldown_ms: 0,
        commitment: args.commitment.clone().map_or(Commitment::OnDemand, Commitment::Term),
        slots_per_vcpu: None,
        load_balancer: None,
        control_plane: None,
        nat_gateways: 0,
        nat_bytes_per_request: 0,
    })
}

/// Runs `faascost breakeven`.
pub fn run(args: &BreakevenArgs) -> anyhow::Result<ExitCode> {
    let scenario = match &args.scenario {
        Some(p) => Scenario::load(p)?,
        None => Scenario::default_scenario(),
    };
    let f = args.cpu_bound_fraction.unwrap_or(scenario.cpu_bound_fraction);
    if !(f > 0.0 && f <= 1.0) {
        bail!(
            "--cpu-bound-fraction {f} is out of range; expected a share in (0, 1] (request slots per vCPU are 1 / F)"
        );
    }
    if !(args.target_utilization > 0.0 && args.target_utilization <= 1.0) {
        bail!(
            "--target-utilization {} is out of range; expected a share in (0, 1]",
            args.target_utilization
        );
    }
    let catalog = load_catalog(args.pricing.as_deref())?;
    let cost_args = |requests: u64| CostArgs {
        platform: args.platform.id().to_string(),
        requests,
        duration_ms: args.duration_ms as f64,
        memory_mb: args.memory_mb,
        arch: args.arch,
        free_tier: scenario.free_tier,
        new_account_offers: scenario.new_account_offers,
        region: None,
        front_door: None,
        payload_kb: 0,
        response_bytes: scenario.response_bytes,
        nat_gateways: 0,
        nat_gb: 0,
        public_ipv4: 0,
        log_bytes_per_invocation: None,
        provisioned_concurrency: 0,
        ephemeral_storage_mb: 512,
        cold_starts: 0,
        init_duration_ms: 0,
        snapstart: None,
        vcpu: 1.0,
        cloud_run_billing: CloudRunBillingArg::Request,
        min_instances: 0,
        instances: 1,
        hours: 730.0,
        commitment: None,
        pricing: None,
        json: false,
    };
    let serverless_table = catalog.get(args.platform.id()).map_err(|e| anyhow!(e))?;
    let region = |provider: &str| scenario.region_of(provider).map(str::to_string);
    let serverless = |n: u64| -> anyhow::Result<Money> {
        let mut a = cost_args(n);
        a.region = region(&serverless_table.provider);
        let bill = cost_breakdown(&a, &catalog)?;
        // A lower bound would move the break-even towards serverless: refuse it.
        if !bill.complete() {
            bail!(
                "the serverless bill of {} requests has lines that are not priced: {}",
                crate::units::group_thousands(n),
                bill.unpriced_reasons()
            );
        }
        Ok(Money::from_usd(bill.total(), "serverless cost")?)
    };
    // Validates the serverless flags (memory on the platform's grid) before any search.
    serverless(0)?;
    let mut answers = Vec::new();
    for vs in &args.vs {
        let opt = server_option(vs, args)?;
        let cap = option_capacity(&catalog, f, &opt, args.duration_ms as f64)?;
        let table = catalog.get(opt.platform.id()).map_err(|e| anyhow!(e))?;
        let opts = CostOptions {
            region: region(&table.provider),
            commitment: args.commitment.clone(),
            ..CostOptions::default()
        };
        let server = |k: u32, _: u64| instances_monthly(table, &opts, &opt.instance_type, k);
        let one = server(1, 0)?;
        let break_even = find_break_even(&cap, MAX_REQUESTS_PER_MONTH, serverless, server)?;
        answers.push(ServerAnswer {
            option: vs.clone(),
            capacity_rule: cap.rule(),
            slots_rule: cap.slots_rule(),
            capacity: cap,
            one_instance_monthly_usd: one,
            multiple_of_requests: match (args.requests, break_even.requests_per_month) {
                (Some(today), Some(n)) => Some(n as f64 / today as f64),
                _ => None,
            },
            break_even,
        });
    }
    let assumptions = vec![
        format!(
            "serverless: {} at {} ms and {} MB per request, priced as `faascost cost` prices it (request fees, \
             tiers{}); no cold starts, front door or logs",
            args.platform.id(),
            args.duration_ms,
            args.memory_mb,
            if scenario.free_tier {
                ", free tier"
            } else {
                "; free tier not applied"
            }
        ),
        format!(
            "servers: instance time only (730 h per instance, {}); no load balancer, storage or ops; each request \
             holds a request slot for {} ms (the serverless duration; the provisioned model's service time at 1 \
             vCPU); request slots per vCPU 1 / {f} (the CPU-bound fraction); traffic spread evenly over the month",
            args.commitment.as_deref().unwrap_or("on demand"),
            args.duration_ms
        ),
    ];
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        let doc = BreakevenJson {
            schema_version: 1,
            command: "breakeven",
            platform: args.platform.id(),
            duration_ms: args.duration_ms,
            memory_mb: args.memory_mb,
            requests_per_month: args.requests,
            servers: &answers,
            assumptions: &assumptions,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{} at {} ms and {} MB: from what traffic each server is cheaper",
        args.platform.id(),
        args.duration_ms,
        args.memory_mb
    )?;
    for a in &answers {
        writeln!(out, "  {}", a.option)?;
        match (a.break_even.requests_per_month, a.break_even.instances) {
            (Some(n), Some(k)) => {
                let multiple = a
                    .multiple_of_requests
                    .map(|m| format!(" ({m:.2}× today's)"))
                    .unwrap_or_default();
                writeln!(out, "    from {} requests a month{multiple}", group_thousands(n))?;
                writeln!(
                    out,
                    "    there: {k} instance{} {} a month, serverless {}",
                    if k == 1 { "" } else { "s" },
                    precise(a.break_even.server_monthly_usd.unwrap_or_default()),
                    precise(a.break_even.serverless_monthly_usd.unwrap_or_default())
                )?;
            }
            _ => writeln!(
                out,
                "    {}",
                a.break_even.no_crossing_reason.as_deref().unwrap_or("no crossing")
            )?,
        }
        writeln!(out, "    {}", a.capacity_rule)?;
        writeln!(out, "    {}", a.slots_rule)?;
    }
    writeln!(out, "\nassumptions:")?;
    for a in &assumptions {
        writeln!(out, "  - {a}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Dollars to the micro-dollar, where cents would hide the crossing: `$59.568002`.
fn precise(m: Money) -> String {
    format!("${m}")
}
