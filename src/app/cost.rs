//! `faascost cost`: builds a one-month `Usage` from aggregate flags (requests per month,
//! duration, memory, provisioned concurrency, instances …), prices it with the cost engine
//! against the built-in or `--pricing DIR` tables, adds the front door and logs, and prints
//! a bill (text, or one JSON object with `monthly_cost_usd` and `lines` in the report's
//! conventions: exact money as decimal strings, typed warnings).

use anyhow::{anyhow, bail, Context};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

use super::pricing::load_catalog;
use crate::cli::{ArchArg, CloudRunBillingArg, CostArgs, FrontDoorArg, MAX_DURATION_MS};
use crate::cost::breakdown_thousands as thousands;
use crate::cost::network::{network_table_id, price_egress, price_network_use, NetworkUse, ALB_PUBLIC_IPV4};
use crate::cost::{
    fargate_size, has_commitment_prices, limits, price_front_door, price_logs, price_usage, uniform_group,
    CloudRunBilling, CostBreakdown, CostOptions, FrontDoor, OfferingRef, SnapStart,
};
use crate::eval::Costing;
use crate::money::Money;
use crate::platform::ServerlessPlatform;
use crate::pricing::{Catalog, Model, PriceTable};
use crate::report::model::ReportCostLine;
use crate::units::{MS_PER_HOUR, MS_PER_MONTH};
use crate::usage::{Arch, InstanceUsage, ProvisionedPeriod, Usage};
use crate::warning::{Warning, WarningCode};

/// What `--platform` names: a price table and, for instance platforms, an instance type.
#[derive(Debug, Clone, PartialEq)]
struct Platform {
    table_id: &'static str,
    instance_type: Option<String>,
}

/// Price tables `cost` can price besides the serverless platforms (`ServerlessPlatform`).
const OTHER_TABLES: [&str; 7] = [
    "gcp-functions-gen1",
    "azure-functions-premium",
    "aws-ec2",
    "aws-fargate",
    "aws-eks",
    "azure-vm",
    "gcp-compute",
];

fn parse_platform(s: &str) -> anyhow::Result<Platform> {
    let (head, tail) = match s.split_once(':') {
        Some((h, t)) => (h, Some(t.to_string())),
        None => (s, None),
    };
    let table_id = match head.parse::<ServerlessPlatform>() {
        Ok(p) => p.id(),
        Err(_) => OTHER_TABLES.iter().copied().find(|id| *id == head).ok_or_else(|| {
            let serverless: Vec<&str> = ServerlessPlatform::ALL.iter().map(|p| p.id()).collect();
            anyhow!(
                "--platform '{s}' is not known; expected one of {}, gcp-functions-gen1, azure-functions-premium:EP1, \
                 aws-ec2:TYPE, aws-fargate, aws-eks, azure-vm:TYPE, gcp-compute:TYPE",
                serverless.join(", ")
            )
        })?,
    };
    let needs_type = matches!(
        table_id,
        "aws-ec2" | "azure-vm" | "gcp-compute" | "azure-functions-premium"
    );
    if needs_type && tail.is_none() {
        bail!("--platform {head} needs an instance type, e.g. {head}:TYPE (see `faascost pricing show {table_id}`)");
    }
    if !needs_type && tail.is_some() && table_id != "aws-eks" {
        bail!("--platform {head} takes no ':TYPE' suffix");
    }
    let instance_type = if table_id == "aws-eks" {
        Some(tail.unwrap_or_else(|| "cluster".to_string()))
    } else {
        tail
    };
    Ok(Platform {
        table_id,
        instance_type,
    })
}

/// `--duration-ms` as the whole ms a bill starts from: a fraction is rounded up (every
/// platform's grain is 1 ms or a multiple of it, so rounding up to the ms first and then to the
/// grain bills what rounding straight to the grain does: 1.5 ms is 2 ms on Lambda, 100 ms on
/// Cloud Run). Refuses what is not a duration.
fn whole_ms(duration_ms: f64) -> anyhow::Result<u64> {
    if !(duration_ms.is_finite() && duration_ms > 0.0 && duration_ms <= MAX_DURATION_MS as f64) {
        bail!(
            "--duration-ms {duration_ms}: expected the duration of each invocation in ms, above 0 and at most \
             {MAX_DURATION_MS} (a day); fractions are billed per the platform's grain"
        );
    }
    Ok(duration_ms.ceil() as u64)
}

/// Builds the one-month `Usage` the flags describe, and the assumptions made doing so.
fn build_usage(args: &CostArgs, platform: &Platform) -> anyhow::Result<(Usage, Vec<String>)> {
    let mut notes = Vec::new();
    let arch = match args.arch {
        ArchArg::X86 => Arch::X86,
        ArchArg::Arm64 => Arch::Arm64,
    };
    if !(args.hours.is_finite() && args.hours >= 0.0 && args.hours <= 744.0) {
        bail!(
            "--hours {} is out of range; expected hours per month between 0 and 744",
            args.hours
        );
    }
    let instance_ms = (args.hours * MS_PER_HOUR as f64).round() as u64 * args.instances as u64;
    let mut usage = Usage {
        period_ms: MS_PER_MONTH,
        ..Usage::default()
    };
    match platform.table_id {
        "aws-ec2" | "azure-vm" | "gcp-compute" | "azure-functions-premium" | "aws-eks" => {
            usage.instances.push(InstanceUsage {
                instance_type: platform.instance_type.clone().expect("checked in parse_platform"),
                instance_ms,
                launches: args.instances as u64,
                stacked: Vec::new(),
            });
            notes.push(format!(
                "{} instance(s) × {} hours per month",
                args.instances, args.hours
            ));
        }
        "aws-fargate" => {
            let a = if arch == Arch::Arm64 { "arm64" } else { "x86" };
            let id = format!("{a}:{}vcpu-{}gb", args.vcpu, args.memory_mb as f64 / 1024.0);
            usage.instances.push(InstanceUsage {
                instance_type: id.clone(),
                instance_ms,
                launches: args.instances as u64,
                stacked: Vec::new(),
            });
            notes.push(format!(
                "{} Fargate task(s) {id} × {} hours per month",
                args.instances, args.hours
            ));
        }
        "aws-app-runner" | "azure-container-apps" => {
            let duration_ms = whole_ms(args.duration_ms)?;
            let (g, more) = container_group(args, platform.table_id, arch, duration_ms)?;
            notes.extend(more);
            usage.functions.push(g);
        }
        _ => {
            let duration_ms = whole_ms(args.duration_ms)?;
            notes.push(format!(
                "{} requests per month of {} ms each at {} MB",
                thousands(args.requests as u128),
                args.duration_ms,
                args.memory_mb
            ));
            if duration_ms as f64 != args.duration_ms {
                notes.push(format!(
                    "--duration-ms {} rounded up to {duration_ms} ms: every platform bills whole milliseconds or a \
                     coarser grain, applied after",
                    args.duration_ms
                ));
            }
            let mut g = uniform_group(args.memory_mb, arch, 0, 0);
            g.requests = args.requests;
            g.ephemeral_storage_mb = args.ephemeral_storage_mb;
            let pc = args.provisioned_concurrency as u64;
            let mut on_demand = args.requests;
            if pc > 0 {
                // PC serves invocations back to back up to its capacity; the rest spills over.
                let capacity = pc * MS_PER_MONTH / duration_ms;
                let served = capacity.min(args.requests);
                on_demand = args.requests - served;
                g.provisioned_duration_ms.add(duration_ms, served);
                g.provisioned_periods.push(ProvisionedPeriod {
                    concurrency: args.provisioned_concurrency,
                    duration_ms: MS_PER_MONTH,
                });
                notes.push(format!(
                    "provisioned concurrency {pc} all month serves up to {} invocations back to back; \
                     {} served by it, {} spill over to on-demand",
                    thousands(capacity as u128),
                    thousands(served as u128),
                    thousands(on_demand as u128)
                ));
            }
            g.on_demand_duration_ms.add(duration_ms, on_demand);
            if args.cold_starts > 0 && args.init_duration_ms > 0 {
                g.init_duration_ms.add(args.init_duration_ms, args.cold_starts);
                notes.push(format!(
                    "{} cold starts of {} ms INIT",
                    thousands(args.cold_starts as u128),
                    args.init_duration_ms
                ));
            }
            if platform.table_id == "gcp-cloud-run" && args.cloud_run_billing == CloudRunBillingArg::Instance {
                // Instance-based billing bills the whole instance lifetime, not request time:
                // --instances × --hours, whatever the requests keep busy.
                if args.instances == 0 || instance_ms == 0 {
                    bail!(
                        "--cloud-run-billing instance bills instances for their lifetime; expected --instances ≥ 1 and \
                         --hours > 0"
                    );
                }
                g.instance_busy_ms
                    .add(instance_ms / args.instances as u64, args.instances as u64);
                notes.push(format!(
                    "Cloud Run instance-based billing: {} instance(s) × {} hours of lifetime billed, the requests served \
                     on them",
                    args.instances, args.hours
                ));
            }
            if platform.table_id == "gcp-cloud-run"
                && args.cloud_run_billing == CloudRunBillingArg::Request
                && args.min_instances > 0
            {
                // Minimum instances are kept for --hours; the time requests keep them busy (at
                // most the requests' own time) is billed at the active rates, the rest idle.
                let kept_ms = args.min_instances as u64 * (args.hours * MS_PER_HOUR as f64).round() as u64;
                let busy_ms = duration_ms.saturating_mul(args.requests);
                g.min_instances_idle_ms = kept_ms.saturating_sub(busy_ms);
                notes.push(format!(
                    "Cloud Run {} minimum instance(s) × {} hours: {:.3} instance-hours idle (their time less the requests' \
                     time) billed at the idle rates",
                    args.min_instances,
                    args.hours,
                    g.min_instances_idle_ms as f64 / MS_PER_HOUR as f64
                ));
            }
            usage.functions.push(g);
        }
    }
    Ok((usage, notes))
}

/// The one function group of a container platform (App Runner, Container Apps): minimum
/// instances (`--provisioned-concurrency`, App Runner at least its MinSize default of 1) kept
/// `--hours`, serving every request (their time is the minimum instances' active time); with no
/// minimum instance (Container Apps), each request's time is replica time. Scale-out above the
/// minimum and the replicas' cool-down after their last request are the simulator's.
fn container_group(
    args: &CostArgs,
    table_id: &str,
    arch: Arch,
    duration_ms: u64,
) -> anyhow::Result<(crate::usage::FunctionGroupUsage, Vec<String>)> {
    let mut notes = Vec::new();
    let mut minimum = args.provisioned_concurrency;
    if table_id == "aws-app-runner" && minimum == 0 {
        minimum = 1;
        notes.push(
            "App Runner MinSize 1 (its default; --provisioned-concurrency sets the minimum instances): the service \
             never scales to zero"
                .to_string(),
        );
    }
    let mut g = uniform_group(args.memory_mb, arch, 0, 0);
    g.requests = args.requests;
    if minimum > 0 {
        let kept_ms = (args.hours * MS_PER_HOUR as f64).round() as u64;
        g.provisioned_periods.push(ProvisionedPeriod {
            concurrency: minimum,
            duration_ms: kept_ms,
        });
        g.provisioned_duration_ms.add(duration_ms, args.requests);
        notes.push(format!(
            "{minimum} minimum instance(s) × {} hours, serving every request (scale-out above them is not modelled \
             here: use `faascost simulate`)",
            args.hours
        ));
    } else {
        g.on_demand_duration_ms.add(duration_ms, args.requests);
        if args.cold_starts > 0 && args.init_duration_ms > 0 {
            g.init_duration_ms.add(args.init_duration_ms, args.cold_starts);
        }
        notes.push(
            "no minimum replica: each request's time (and any --cold-starts × --init-duration-ms) is replica time; the \
             replicas' cool-down after their last request is not counted here (use `faascost simulate`)"
                .to_string(),
        );
    }
    Ok((g, notes))
}

/// The JSON of `cost --json`, with the report's conventions: a schema version, exact money
/// (decimal strings of micro-dollars; the total is the sum of the lines), typed warnings.
#[derive(Serialize)]
struct CostJson<'a> {
    schema_version: u32,
    command: &'static str,
    platform: &'a str,
    /// Sum of the priced lines.
    monthly_cost_usd: Money,
    /// The same in whole cents (what a bill shows).
    monthly_cost_cents: i64,
    complete: bool,
    verified: bool,
    lines: Vec<ReportCostLine>,
    offerings: &'a [OfferingRef],
    assumptions: &'a [String],
    warnings: Vec<Warning>,
}

impl<'a> CostJson<'a> {
    fn new(platform: &'a str, bill: &'a CostBreakdown) -> anyhow::Result<Self> {
        let costing = Costing::new(platform, bill.clone(), &[])?;
        let lines = crate::report::build::lines(&costing);
        let warnings = bill
            .unpriced()
            .map(|l| {
                Warning::run(
                    WarningCode::Unpriced,
                    format!("'{}' is not priced; the total is a lower bound", l.name),
                )
            })
            .collect();
        Ok(CostJson {
            schema_version: 1,
            command: "cost",
            platform,
            monthly_cost_usd: costing.monthly(),
            monthly_cost_cents: costing.monthly().cents(),
            complete: bill.complete(),
            verified: bill.verified(),
            lines,
            offerings: &bill.offerings,
            assumptions: &bill.assumptions,
            warnings,
        })
    }
}

/// Refuses what the platform cannot run, naming the limit (as `analyze` does): an invocation
/// longer than its timeout, an instance type its table does not list, a Fargate size that
/// does not exist.
fn check_limits(args: &CostArgs, platform: &Platform, table: &PriceTable) -> anyhow::Result<()> {
    match platform.table_id {
        "aws-ec2" | "azure-vm" | "gcp-compute" | "azure-functions-premium" => {
            let name = platform.instance_type.as_deref().unwrap_or("");
            if !table.instances.contains_key(name) {
                let known: Vec<&str> = table.instances.keys().map(String::as_str).collect();
                bail!(
                    "--platform {}:{name}: {} has no instance type '{name}'; expected one of {} (see `faascost \
                     pricing show {}`)",
                    table.id,
                    table.id,
                    shorten_list(&known, 12),
                    table.id
                );
            }
        }
        "aws-fargate" => fargate_size(args.vcpu, args.memory_mb).map_err(|e| anyhow!("--vcpu/--memory-mb: {e}"))?,
        _ => {
            limits::check_memory(table, args.memory_mb).map_err(|e| anyhow!("--memory-mb: {e}"))?;
            if table.model == Model::AwsLambda {
                limits::check_ephemeral_storage(table, args.ephemeral_storage_mb)
                    .map_err(|e| anyhow!("--ephemeral-storage-mb: {e}"))?;
            }
            whole_ms(args.duration_ms)?;
            if args.requests > 0 {
                limits::check_duration(table, args.duration_ms)
                    .map_err(|e| anyhow!("--duration-ms {}: {e}", args.duration_ms))?;
            }
        }
    }
    Ok(())
}

/// The first `n` names of `names`, then how many more.
fn shorten_list(names: &[&str], n: usize) -> String {
    let mut out = names.iter().take(n).copied().collect::<Vec<_>>().join(", ");
    if names.len() > n {
        out.push_str(&format!(" … ({} in all)", names.len()));
    }
    out
}

/// Prices the flags' usage against `catalog`.
pub fn cost_breakdown(args: &CostArgs, catalog: &Catalog) -> anyhow::Result<CostBreakdown> {
    let platform = parse_platform(&args.platform)?;
    let table = catalog.get(platform.table_id).map_err(|e| anyhow!(e))?;
    if !(args.vcpu.is_finite() && args.vcpu > 0.0 && args.vcpu <= 64.0) {
        bail!(
            "--vcpu {} is out of range; expected vCPUs per instance in (0, 64]",
            args.vcpu
        );
    }
    let opts = CostOptions {
        free_tier: args.free_tier,
        new_account_offers: args.new_account_offers,
        region: args.region.clone(),
        cloud_run_billing: match args.cloud_run_billing {
            CloudRunBillingArg::Request => CloudRunBilling::RequestBased,
            CloudRunBillingArg::Instance => CloudRunBilling::InstanceBased,
        },
        cloud_run_vcpu_milli: (args.vcpu * 1000.0).round() as u32,
        commitment: args.commitment.clone(),
        lambda_plan_mb_ms: None,
        payload_kb: args.payload_kb,
        response_bytes: args.response_bytes,
        // One function, one published version, cached at its memory.
        snapstart: args.snapstart.map(|runtime| SnapStart {
            runtime,
            cached_mb: args.memory_mb as u64,
        }),
    };
    check_limits(args, &platform, table)?;
    if args.commitment.is_some() && !has_commitment_prices(table) {
        bail!(
            "--commitment prices reserved instances and savings plans of servers, Fargate tasks and Lambda \
             duration; {} has no commitment price in the tables (its bill is on demand): drop --commitment",
            table.id
        );
    }
    if args.min_instances > 0
        && !(platform.table_id == "gcp-cloud-run" && args.cloud_run_billing == CloudRunBillingArg::Request)
    {
        bail!(
            "--min-instances prices Cloud Run's idle minimum instances under request-based billing; use it with \
             --platform gcp-cloud-run (instance-based billing bills --instances × --hours whole)"
        );
    }
    if (args.front_door.is_some() || args.log_bytes_per_invocation.is_some()) && platform.table_id != "aws-lambda" {
        bail!("--front-door and --log-bytes-per-invocation price AWS front doors and CloudWatch Logs; use them with --platform aws-lambda");
    }
    let (usage, notes) = build_usage(args, &platform)?;
    let mut bill = price_usage(&usage, table, &opts)?;
    let door = args.front_door.map(|door| match door {
        FrontDoorArg::RestApi => FrontDoor::RestApi,
        FrontDoorArg::HttpApi => FrontDoor::HttpApi,
        FrontDoorArg::FunctionUrl => FrontDoor::FunctionUrl,
        FrontDoorArg::Alb => FrontDoor::Alb,
    });
    match door.map(|d| (d, d.table_id())) {
        // As in `analyze`: no line, and no front-door table needed in the region.
        Some((_, None)) => bill
            .assumptions
            .push("front door 'function-url': no separate charge (Lambda's requests and duration only)".into()),
        Some((door, Some(id))) => {
            let t = catalog.get(id).map_err(|e| anyhow!(e))?;
            // In the platform's region, like every line: a table without it is an error, never
            // another region's rates.
            let bill_door = price_front_door(&usage, door, t, &opts).map_err(|e| {
                anyhow!("--front-door: {e}: use --front-door function-url (no separate charge) or leave it out")
            })?;
            bill.extend(bill_door);
        }
        None => {}
    }
    if let Some(bytes) = args.log_bytes_per_invocation {
        let t = catalog.get("aws-cloudwatch-logs").map_err(|e| anyhow!(e))?;
        let logs = price_logs(&usage, bytes, t, &opts)
            .map_err(|e| anyhow!("--log-bytes-per-invocation: {e}: leave it out to bill no log ingestion"))?;
        bill.extend(logs);
    }
    bill.extend(price_egress(
        catalog,
        &table.provider,
        MS_PER_MONTH,
        args.requests as u128,
        args.response_bytes,
        &opts,
    )?);
    let alb = args.front_door == Some(FrontDoorArg::Alb);
    if args.nat_gateways > 0 || args.nat_gb > 0 || args.public_ipv4 > 0 || alb {
        if table.provider != "aws" {
            bail!("--nat-gateways, --nat-gb and --public-ipv4 price AWS network lines; use them with an AWS platform");
        }
        let net = catalog.get(&network_table_id("aws")).map_err(|e| anyhow!(e))?;
        let addresses = args.public_ipv4 as u128 + if alb { ALB_PUBLIC_IPV4 as u128 } else { 0 };
        let use_ = NetworkUse {
            nat_gateways: args.nat_gateways,
            nat_bytes: args.nat_gb as u128 * (1u128 << 30),
            public_ipv4_ms: addresses * MS_PER_MONTH as u128,
        };
        // In the platform's region: a network table without it is an error, not another
        // region's rates.
        bill.extend(price_network_use(net, &opts, MS_PER_MONTH, use_)?);
    }
    bill.assumptions.splice(0..0, notes);
    bill.assumptions.push(if args.free_tier {
        "permanent free grants applied (opt-in)".to_string()
    } else {
        "permanent free grants not applied (use --free-tier)".to_string()
    });
    bill.assumptions.push(if args.new_account_offers {
        "12-month new-account offers applied (API Gateway's 1M calls a month; new accounts only)".to_string()
    } else {
        "12-month new-account offers not applied (use --new-account-offers for an account in its first year)"
            .to_string()
    });
    Ok(bill)
}

/// Runs `faascost cost`.
pub fn run(args: &CostArgs) -> anyhow::Result<ExitCode> {
    let catalog = load_catalog(args.pricing.as_deref())?;
    let bill = cost_breakdown(args, &catalog)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&CostJson::new(&args.platform, &bill)?)?
        )?;
    } else {
        render(&mut out, &args.platform, &bill).context("writing to stdout")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn fmt_qty(q: f64) -> String {
    if q == q.trunc() && q.abs() < 1e15 {
        thousands(q as u128)
    } else if q.abs() >= 1000.0 {
        format!("{q:.1}")
    } else {
        format!("{q:.4}")
    }
}

/// A unit price with at least two decimals ($0.20, $1.00) and all significant ones ($0.0000166667).
fn fmt_price(p: f64) -> String {
    let plain = format!("{p}");
    let decimals = plain.split_once('.').map(|(_, d)| d.len()).unwrap_or(0);
    if decimals < 2 {
        format!("${p:.2}")
    } else {
        format!("${plain}")
    }
}

fn render(out: &mut impl Write, platform: &str, bill: &CostBreakdown) -> std::io::Result<()> {
    for o in &bill.offerings {
        writeln!(
            out,
            "{} — {} ({}, prices of {}{})",
            o.id,
            o.name,
            o.region,
            o.effective_date,
            if o.fully_verified {
                ""
            } else {
                "; some figures unverified"
            }
        )?;
    }
    writeln!(out)?;
    let width = bill
        .lines
        .iter()
        .map(|l| l.name.chars().count())
        .max()
        .unwrap_or(10)
        .max(10);
    for l in &bill.lines {
        let price = match l.unit_price_usd {
            Some(p) => format!("{} {} × {}", fmt_qty(l.quantity), l.unit, fmt_price(p)),
            None => format!("{} {}", fmt_qty(l.quantity), l.unit),
        };
        let cost = match l.cost {
            Some(c) => c.to_string(),
            None => "not priced".to_string(),
        };
        let flag = if l.verified || l.cost.is_none() { "" } else { " *" };
        writeln!(out, "  {:<width$}  {:<48} {:>12}{flag}", l.name, price, cost)?;
        if let (Some(n), None) = (&l.note, l.cost) {
            writeln!(out, "  {:<width$}  ({n})", "")?;
        }
    }
    let total = bill.total();
    writeln!(
        out,
        "  {:<width$}  {:<48} {:>12}",
        "Total per month",
        platform,
        total.to_string()
    )?;
    if !bill.complete() {
        writeln!(out, "  (some lines are not priced: the total is a lower bound)")?;
    }
    if bill.lines.iter().any(|l| !l.verified && l.cost.is_some()) {
        writeln!(
            out,
            "  * price not verified against a vendor page (see `faascost pricing show`)"
        )?;
    }
    writeln!(out, "\nassumptions:")?;
    for a in &bill.assumptions {
        writeln!(out, "  - {a}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_parse() {
        assert_eq!(parse_platform("aws-lambda").unwrap().table_id, "aws-lambda");
        let p = parse_platform("aws-ec2:m7g.large").unwrap();
        assert_eq!((p.table_id, p.instance_type.as_deref()), ("aws-ec2", Some("m7g.large")));
        assert_eq!(
            parse_platform("aws-eks").unwrap().instance_type.as_deref(),
            Some("cluster")
        );
        assert!(parse_platform("aws-ec2").is_err());
        assert!(parse_platform("aws-lambda:x").is_err());
        assert!(parse_platform("heroku").unwrap_err().to_string().contains("aws-lambda"));
        // Old names are gone: one id per platform, its price table's.
        let e = parse_platform("azure-functions").unwrap_err().to_string();
        assert!(
            e.contains("azure-functions-consumption") && e.contains("azure-functions-flex"),
            "{e}"
        );
        assert_eq!(
            parse_platform("azure-functions-flex").unwrap().table_id,
            "azure-functions-flex"
        );
    }
}
