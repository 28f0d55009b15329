//! A provisioned option evaluated: the fleet model (`sim::provisioned`) on the workload's
//! per-minute load for each month of the horizon, then its bill — committed instances paid
//! for the whole month whether used or not, instance time above the commitment at on-demand
//! rates, the load balancer, the control plane and, when the scenario gives it, ops labour —
//! and the warnings a fleet raises (at its maximum size, capped by it, overloaded).

use anyhow::{anyhow, Context};

use super::ops::ops_line;
use super::{Behaviour, Costing, Evaluation, InstanceSummary, LatencySummary, OptionKind, Plan, UtilizationSummary};
use crate::config::{Commitment, ProvisionedOption, Strategy};
use crate::cost::network::{network_table_id, price_network_use, NetworkUse, ALB_PUBLIC_IPV4};
use crate::cost::{
    commitment_terms, parse_fargate_type, price_front_door, price_usage, CloudRunBilling, CostBreakdown, CostOptions,
    FrontDoor,
};
use crate::platform::InstancePlatform;
use crate::pricing::{Catalog, Model, PriceTable};
use crate::sim::autoscale::{Autoscaler, FixedFleet, StaticPeak, TargetTracking};
use crate::sim::load::{LoadProfile, ServiceModel};
use crate::sim::provisioned::{simulate, FleetSpec, ProvisionedOutcome};
use crate::units::{group_thousands, MS_PER_MINUTE};
use crate::usage::{FunctionGroupUsage, InstanceUsage, Usage};
use crate::warning::{Warning, WarningCode};

/// The network table an option's public addresses and NAT gateways are priced with (AWS
/// servers and tasks), if any.
fn network_table(opt: &ProvisionedOption) -> Option<String> {
    matches!(opt.platform, InstancePlatform::AwsEc2 | InstancePlatform::AwsFargate).then(|| network_table_id("aws"))
}

/// The price tables an option always bills beside its own: its load balancer's, its control
/// plane's and its network table.
pub fn side_tables(opt: &ProvisionedOption) -> Vec<String> {
    let mut ids: Vec<String> = [
        opt.load_balancer.map(|l| l.table_id()),
        opt.control_plane.map(|c| c.table_id()),
    ]
    .into_iter()
    .flatten()
    .map(str::to_string)
    .collect();
    ids.extend(network_table(opt));
    ids
}

/// Refuses NAT gateways (`nat_gateways > 0`) where the option's network table has no NAT rate
/// in `region` (the bill would have "not priced" NAT lines).
pub fn check_nat_in(catalog: &Catalog, opt: &ProvisionedOption, region: &str) -> anyhow::Result<()> {
    let (true, Some(id)) = (opt.nat_gateways > 0, network_table(opt)) else {
        return Ok(());
    };
    let Ok(net) = catalog.get(&id) else {
        return Ok(()); // a missing table is reported where it is needed
    };
    for key in ["nat-gateway-hours", "nat-gateway-data"] {
        if let Some(p) = net.prices.get(key) {
            if p.in_region(region, &net.regions).is_none() {
                return Err(anyhow!(
                    "option '{}': nat_gateways: price table '{}' has no '{key}' rate in {region} (priced in {}); set \
                     nat_gateways = 0 (servers in public subnets) or the scenario's region",
                    opt.id,
                    net.id,
                    p.priced_regions(&net.regions).join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// Refuses an instance option its table does not price in `region`: the type, or its
/// commitment term, has no price there (the bill would have a "not priced" line).
pub fn check_priced_in(table: &PriceTable, opt: &ProvisionedOption, region: &str) -> anyhow::Result<()> {
    let Some(ip) = table.instances.get(&opt.instance_type) else {
        return Ok(()); // an unknown type is `fleet_spec_in`'s error
    };
    let own = &table.regions;
    let Some(there) = ip.in_region(region, own) else {
        return Err(anyhow!(
            "option '{}': price table '{}' has no price for {} in {region}; it prices it in {}: set the scenario's \
             region or choose another type",
            opt.id,
            table.id,
            opt.instance_type,
            ip.priced_regions(own).join(", ")
        ));
    };
    match &opt.commitment {
        Commitment::Term(term) if !there.commitments.contains_key(term) => Err(anyhow!(
            "option '{}': commitment '{term}' has no price for {} in {region} in price table '{}'; use on-demand{}",
            opt.id,
            opt.instance_type,
            table.id,
            there.commitments.keys().map(|k| format!(" or {k}")).collect::<String>()
        )),
        _ => Ok(()),
    }
}

/// A container option on Cloud Run bills instance-based rates: each needs a rate in `region`
/// (the Tier 2 regions have request-based rates only), else the option is refused before the
/// traces are read rather than priced as a lower bound.
pub fn check_cloud_run_priced_in(table: &PriceTable, opt: &ProvisionedOption, region: &str) -> anyhow::Result<()> {
    check_rates_in(
        table,
        opt,
        region,
        &["instance-cpu", "instance-memory"],
        "instance-based rate",
        "choose another platform",
    )
}

/// A Fargate option bills its architecture's vCPU- and GB-hours (at its commitment term's
/// rates when it has one): each needs a rate in `region` (eu-west-1 prices x86 only,
/// ap-southeast-1 arm64 only, the Savings Plans us-east-1 only), else the option is refused
/// before the traces are read rather than priced as a lower bound.
pub fn check_fargate_priced_in(table: &PriceTable, opt: &ProvisionedOption, region: &str) -> anyhow::Result<()> {
    let (arch, _, _) = parse_fargate_type(&opt.instance_type).with_context(|| format!("option '{}'", opt.id))?;
    let arch = crate::config::arch_name(arch);
    let (vcpu, gb) = (format!("vcpu-hours-{arch}"), format!("gb-hours-{arch}"));
    check_rates_in(
        table,
        opt,
        region,
        &[&vcpu, &gb],
        "rate",
        "choose the other architecture",
    )?;
    match &opt.commitment {
        Commitment::Term(term) => check_rates_in(
            table,
            opt,
            region,
            &[&format!("{vcpu}-{term}"), &format!("{gb}-{term}")],
            "rate",
            "use commitment = \"on-demand\"",
        ),
        Commitment::OnDemand => Ok(()),
    }
}

/// Refuses `opt` where a price `keys` names has no rate in `region` (a key the table lacks is
/// billed "not priced", as `cost` does).
fn check_rates_in(
    table: &PriceTable,
    opt: &ProvisionedOption,
    region: &str,
    keys: &[&str],
    what: &str,
    instead: &str,
) -> anyhow::Result<()> {
    for &key in keys {
        let Some(price) = table.prices.get(key) else {
            continue;
        };
        if price.in_region(region, &table.regions).is_none() {
            return Err(anyhow!(
                "option '{}': price table '{}' has no {what} '{key}' in {region}; it has one in {}: set the \
                 scenario's region or {instead}",
                opt.id,
                table.id,
                price.priced_regions(&table.regions).join(", ")
            ));
        }
    }
    Ok(())
}

/// The fleet an option describes, from its price table's instance data.
pub fn fleet_spec(plan: &Plan, opt: &ProvisionedOption) -> anyhow::Result<FleetSpec> {
    fleet_spec_in(&plan.catalog, plan.scenario.cpu_bound_fraction, opt)
}

/// The fleet an option describes in `catalog`: the instance type must be in its price table
/// (and the commitment one of the type's terms).
pub fn fleet_spec_in(catalog: &Catalog, cpu_bound_fraction: f64, opt: &ProvisionedOption) -> anyhow::Result<FleetSpec> {
    let table = catalog
        .get(opt.platform.id())
        .map_err(|e| anyhow!("option '{}': {e}", opt.id))?;
    let (vcpu, memory_gb) = match table.model {
        Model::Instances => {
            let ip = table.instances.get(&opt.instance_type).ok_or_else(|| {
                anyhow!(
                    "option '{}': no instance type '{}' in price table '{}'; known: {}",
                    opt.id,
                    opt.instance_type,
                    table.id,
                    table.instances.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            })?;
            if let Commitment::Term(term) = &opt.commitment {
                // A term of the type in one of the table's regions; `check_priced_in` checks the
                // scenario's region.
                let priced_somewhere =
                    ip.commitments.contains_key(term) || ip.regional.values().any(|r| r.commitments.contains_key(term));
                if !priced_somewhere {
                    return Err(anyhow!(
                        "option '{}': commitment '{term}' is not a term of {} in price table '{}'; use on-demand{}",
                        opt.id,
                        opt.instance_type,
                        table.id,
                        ip.commitments.keys().map(|k| format!(" or {k}")).collect::<String>()
                    ));
                }
            }
            (ip.vcpu, ip.memory_gib)
        }
        Model::AwsFargate => {
            let (arch, cpu_milli, mem_mb) =
                parse_fargate_type(&opt.instance_type).with_context(|| format!("option '{}'", opt.id))?;
            if let Commitment::Term(term) = &opt.commitment {
                // A term of the architecture in one of the table's regions; `check_fargate_priced_in`
                // checks the scenario's region.
                let a = crate::config::arch_name(arch);
                let terms = commitment_terms(table, &[&format!("vcpu-hours-{a}"), &format!("gb-hours-{a}")]);
                if !terms.contains(term) {
                    return Err(anyhow!(
                        "option '{}': commitment '{term}' is not a term of Fargate {} in price table '{}'; use \
                         on-demand{}",
                        opt.id,
                        crate::config::arch_name(arch),
                        table.id,
                        terms.iter().map(|k| format!(" or {k}")).collect::<String>()
                    ));
                }
            }
            (cpu_milli as f64 / 1_000.0, mem_mb as f64 / 1_024.0)
        }
        Model::GcpCloudRun => {
            if opt.commitment != Commitment::OnDemand {
                return Err(anyhow!(
                    "option '{}': Cloud Run has no commitment price in the tables; use commitment = \"on-demand\"",
                    opt.id
                ));
            }
            cloud_run_size(&opt.instance_type).ok_or_else(|| {
                anyhow!(
                    "option '{}': Cloud Run instance size '{}' is not VCPUvcpu-MEMgb (e.g. 1vcpu-2gb)",
                    opt.id,
                    opt.instance_type
                )
            })?
        }
        _ => {
            return Err(anyhow!(
                "option '{}': price table '{}' does not price servers or containers",
                opt.id,
                table.id
            ))
        }
    };
    if vcpu <= 0.0 {
        return Err(anyhow!(
            "option '{}': instance type '{}' has no vCPU",
            opt.id,
            opt.instance_type
        ));
    }
    Ok(FleetSpec {
        instance_type: opt.instance_type.clone(),
        vcpu,
        memory_gb,
        slots_per_vcpu: opt.slots_per_vcpu.unwrap_or(1.0 / cpu_bound_fraction),
        boot_delay_ms: opt.boot_delay_ms,
    })
}

/// A Cloud Run instance size `VCPUvcpu-MEMgb` (e.g. `1vcpu-2gb`, `0.5vcpu-0.5gb`) as
/// (vCPU, GiB).
pub fn cloud_run_size(id: &str) -> Option<(f64, f64)> {
    let (cpu, mem) = id.split_once("vcpu-")?;
    let vcpu: f64 = cpu.parse().ok()?;
    let gib: f64 = mem.strip_suffix("gb")?.parse().ok()?;
    (vcpu > 0.0 && vcpu <= 8.0 && gib > 0.0 && gib <= 32.0).then_some((vcpu, gib))
}

/// How traced durations become server service times in this plan.
pub fn service_model(plan: &Plan) -> ServiceModel {
    ServiceModel {
        cpu_bound_fraction: plan.scenario.cpu_bound_fraction,
        trace_vcpu: 1.0,
        fallback_duration_ms: plan.scenario.fallback_duration_ms,
    }
}

/// The static-peak sizing of an option.
fn static_peak(opt: &ProvisionedOption) -> StaticPeak {
    StaticPeak {
        target_utilization: opt.target_utilization,
        spare_instances: opt.spare_instances,
        min_instances: opt.min_instances,
        max_instances: opt.max_instances,
    }
}

/// The sizing policy of an option.
pub fn autoscaler(opt: &ProvisionedOption) -> Box<dyn Autoscaler> {
    match opt.strategy {
        Strategy::StaticPeak => Box::new(static_peak(opt)),
        Strategy::Autoscale => Box::new(TargetTracking::new(
            opt.target_utilization,
            opt.min_instances,
            opt.max_instances,
            opt.scale_in_cooldown_ms.div_ceil(MS_PER_MINUTE) as usize,
        )),
    }
}

/// One simulated month of a provisioned option at a traffic multiple.
pub struct FleetMonth {
    /// What the fleet did.
    pub outcome: ProvisionedOutcome,
    /// Instances committed (paid all month).
    pub committed: u32,
    /// The bill.
    pub breakdown: CostBreakdown,
}

/// Runs the option's fleet on `load`, or a fixed fleet of `fixed` instances. `committed`
/// overrides the commitment (the reservations bought in the first month stay for the
/// horizon); `None` commits what the strategy implies for this month.
pub fn run_month(
    plan: &Plan,
    opt: &ProvisionedOption,
    load: &LoadProfile,
    fixed: Option<u32>,
    committed: Option<u32>,
) -> anyhow::Result<FleetMonth> {
    let fleet = fleet_spec(plan, opt)?;
    let mut scaler: Box<dyn Autoscaler> = match fixed {
        Some(n) => Box::new(FixedFleet { instances: n }),
        None => autoscaler(opt),
    };
    let outcome = simulate(load, &fleet, scaler.as_mut(), Some(plan.scenario.latency_slo_ms));
    let committed = match (&opt.commitment, committed, fixed, opt.strategy) {
        (Commitment::OnDemand, ..) => 0,
        (_, Some(c), ..) => c,
        (_, None, Some(n), _) => n,
        (_, None, None, Strategy::StaticPeak) => outcome.peak_instances,
        (_, None, None, Strategy::Autoscale) => opt.min_instances,
    };
    let requests: f64 = load.minutes.iter().map(|m| m.arrivals).sum();
    let breakdown = price_fleet(plan, opt, &outcome, committed, requests.round() as u64)?;
    Ok(FleetMonth {
        outcome,
        committed,
        breakdown,
    })
}

/// The bill of a fleet outcome.
pub fn price_fleet(
    plan: &Plan,
    opt: &ProvisionedOption,
    outcome: &ProvisionedOutcome,
    committed: u32,
    requests: u64,
) -> anyhow::Result<CostBreakdown> {
    let period_ms = plan.period_ms();
    let table = plan
        .catalog
        .get(opt.platform.id())
        .map_err(|e| anyhow!("option '{}': {e}", opt.id))?;
    let base = plan.cost_options(table);
    let mut bill = CostBreakdown::default();
    let fleet = FleetBill {
        opt,
        table,
        base: &base,
        period_ms,
        outcome,
    };
    bill.extend(if table.model == Model::GcpCloudRun {
        fleet.cloud_run()?
    } else {
        fleet.instances(committed)?
    });
    if let Some(lb) = opt.load_balancer {
        let lb = plan
            .catalog
            .get(lb.table_id())
            .map_err(|e| anyhow!("option '{}' load_balancer: {e}", opt.id))?;
        let usage = Usage {
            period_ms,
            functions: vec![FunctionGroupUsage {
                requests,
                ..FunctionGroupUsage::default()
            }],
            instances: vec![],
        };
        bill.extend(price_front_door(&usage, FrontDoor::Alb, lb, &plan.cost_options(lb))?);
    }
    if let Some(cp) = opt.control_plane {
        let cp = plan
            .catalog
            .get(cp.table_id())
            .map_err(|e| anyhow!("option '{}' control_plane: {e}", opt.id))?;
        let usage = Usage {
            period_ms,
            functions: vec![],
            instances: vec![InstanceUsage {
                instance_type: "cluster".into(),
                instance_ms: period_ms,
                launches: 1,
                stacked: Vec::new(),
            }],
        };
        bill.extend(price_usage(&usage, cp, &plan.cost_options(cp))?);
    }
    bill.extend(network_lines(plan, opt, table, outcome, committed, requests)?);
    if let Some(ops) = plan.scenario.ops {
        bill.lines.push(ops_line(
            outcome.mean_instances,
            ops.hours_per_server_per_month,
            ops.loaded_rate_usd_per_hour,
        ));
    }
    Ok(bill)
}

/// A fleet's network lines: internet egress of its responses (every provider), and on AWS the
/// NAT gateways of private subnets (hours and the bytes requests send out through them) and
/// public IPv4 addresses (each server in a public subnet, two per ALB).
fn network_lines(
    plan: &Plan,
    opt: &ProvisionedOption,
    table: &PriceTable,
    outcome: &ProvisionedOutcome,
    committed: u32,
    requests: u64,
) -> anyhow::Result<CostBreakdown> {
    let period_ms = plan.period_ms();
    let mut bill = super::serverless::egress(plan, table, period_ms, requests as u128)
        .with_context(|| format!("pricing option '{}' egress", opt.id))?;
    if let Some(net_id) = network_table(opt) {
        let net = plan
            .catalog
            .get(&net_id)
            .map_err(|e| anyhow!("option '{}' network: {e}", opt.id))?;
        // Servers in public subnets (no NAT gateway) each hold a public address while running;
        // committed instances run all period.
        let server_minutes: u128 = outcome
            .instances_per_minute
            .iter()
            .map(|&n| n.max(committed) as u128)
            .sum();
        let public_servers_ms = if opt.nat_gateways == 0 {
            server_minutes * MS_PER_MINUTE as u128
        } else {
            0
        };
        let alb_ms = if opt.load_balancer.is_some() {
            ALB_PUBLIC_IPV4 as u128 * period_ms as u128
        } else {
            0
        };
        let use_ = NetworkUse {
            nat_gateways: opt.nat_gateways,
            nat_bytes: requests as u128 * opt.nat_bytes_per_request as u128,
            public_ipv4_ms: public_servers_ms + alb_ms,
        };
        bill.extend(
            price_network_use(net, &plan.cost_options(net), period_ms, use_)
                .with_context(|| format!("pricing option '{}' network", opt.id))?,
        );
    }
    Ok(bill)
}

/// What pricing a fleet's instance time needs.
struct FleetBill<'a> {
    opt: &'a ProvisionedOption,
    table: &'a PriceTable,
    base: &'a CostOptions,
    period_ms: u64,
    outcome: &'a ProvisionedOutcome,
}

impl FleetBill<'_> {
    /// Containers on Cloud Run with instance-based billing: every instance-second is billed
    /// (vCPU-s and GiB-s), no request fee; the same fleet model sizes the instances.
    fn cloud_run(&self) -> anyhow::Result<CostBreakdown> {
        let (opt, table, base, period_ms, outcome) = (self.opt, self.table, self.base, self.period_ms, self.outcome);
        let (vcpu, gib) = cloud_run_size(&opt.instance_type)
            .ok_or_else(|| anyhow!("option '{}': bad Cloud Run size '{}'", opt.id, opt.instance_type))?;
        let instance_minutes: u64 = outcome.instances_per_minute.iter().map(|&n| n as u64).sum();
        let usage = Usage {
            period_ms,
            functions: vec![FunctionGroupUsage {
                memory_mb: (gib * 1_024.0).round() as u32,
                instance_idle_ms: instance_minutes * MS_PER_MINUTE,
                ..FunctionGroupUsage::default()
            }],
            instances: vec![],
        };
        let opts = CostOptions {
            cloud_run_billing: CloudRunBilling::InstanceBased,
            cloud_run_vcpu_milli: (vcpu * 1_000.0).round() as u32,
            ..base.clone()
        };
        price_usage(&usage, table, &opts).with_context(|| format!("pricing option '{}'", opt.id))
    }

    /// Instance time of an instance-priced fleet: committed instances all month at the commitment
    /// rate, instance time above them on demand.
    fn instances(&self, committed: u32) -> anyhow::Result<CostBreakdown> {
        let (opt, table, base, period_ms, outcome) = (self.opt, self.table, self.base, self.period_ms, self.outcome);
        let mut bill = CostBreakdown::default();
        if committed > 0 {
            let usage = Usage {
                period_ms,
                functions: vec![],
                instances: vec![InstanceUsage {
                    instance_type: opt.instance_type.clone(),
                    instance_ms: committed as u64 * period_ms,
                    launches: committed as u64,
                    stacked: Vec::new(),
                }],
            };
            let opts = CostOptions {
                commitment: Some(opt.commitment.to_string()),
                ..base.clone()
            };
            let mut b = price_usage(&usage, table, &opts).with_context(|| format!("pricing option '{}'", opt.id))?;
            let what = if table.model == Model::AwsFargate {
                "tasks"
            } else {
                "instances"
            };
            for l in &mut b.lines {
                l.name = format!("{} (committed: {committed} {what}, paid whether used or not)", l.name);
            }
            bill.extend(b);
        }
        let overflow_minutes: u64 = outcome
            .instances_per_minute
            .iter()
            .map(|&n| n.saturating_sub(committed) as u64)
            .sum();
        if overflow_minutes > 0 || committed == 0 {
            let usage = Usage {
                period_ms,
                functions: vec![],
                // Stacked from the counts above the committed ones: a sustained-use discount
                // is computed on the fewest instances running the longest.
                instances: vec![InstanceUsage::from_minutes(
                    &opt.instance_type,
                    &outcome.instances_per_minute,
                    committed,
                    outcome.usage.launches.saturating_sub(committed as u64).max(1),
                )],
            };
            bill.extend(price_usage(&usage, table, base).with_context(|| format!("pricing option '{}'", opt.id))?);
        }
        Ok(bill)
    }
}

/// Evaluates a provisioned option: each month of the horizon re-simulated at that month's
/// traffic (the reservations of the first month stay committed), the first month's bill and
/// behaviour, and the fleet's warnings.
pub fn evaluate(plan: &Plan, opt: &ProvisionedOption) -> anyhow::Result<Evaluation> {
    let service = service_model(plan);
    let fleet = fleet_spec(plan, opt)?;
    let slo_ms = plan.scenario.latency_slo_ms;
    let mut by_month = Vec::new();
    let mut first: Option<FleetMonth> = None;
    // The first month whose fleet misses the SLO or raises a warning, and its warnings.
    let mut trouble: Option<(usize, f64, Vec<Warning>)> = None;
    let mut meets_slo = true;
    let month0 = LoadProfile::from_workload(&plan.workload, &service)?;
    for (k, x) in plan.month_multipliers().into_iter().enumerate() {
        let load = month0.scaled(x);
        let committed = first.as_ref().map(|m| m.committed);
        let month = run_month(plan, opt, &load, None, committed)?;
        by_month.push(month.breakdown.total());
        let o = &month.outcome;
        meets_slo &= o.queueing_ms.p99 <= slo_ms;
        if trouble.is_none() {
            let wanted = (opt.strategy == Strategy::StaticPeak)
                .then(|| static_peak(opt).uncapped(&load, fleet.slots_per_instance()));
            let warnings = fleet_warnings(plan, opt, o, &fleet_summary(opt, o, month.committed), wanted);
            if !warnings.is_empty() || o.queueing_ms.p99 > slo_ms {
                trouble = Some((k, x, warnings));
            }
        }
        if first.is_none() {
            first = Some(month);
        }
    }
    let month = first.ok_or_else(|| anyhow!("the horizon has no month"))?;
    let o = &month.outcome;
    let scaler = autoscaler(opt).describe();
    let instances = fleet_summary(opt, o, month.committed);
    let mut notes = notes(plan, opt, o, month.committed);
    let warnings = match trouble {
        Some((0, _, warnings)) => warnings,
        Some((k, x, warnings)) => {
            notes.push(format!(
                "month {} of the horizon (traffic ×{x:.2}) is the first whose fleet misses the {slo_ms} ms SLO or \
                 strains: the option fails the SLO over the horizon",
                k + 1
            ));
            warnings
                .into_iter()
                .map(|w| Warning {
                    message: format!("from month {} (traffic ×{x:.2}): {}", k + 1, w.message),
                    ..w
                })
                .collect()
        }
        None => Vec::new(),
    };
    let requests = month0.minutes.iter().map(|m| m.arrivals).sum::<f64>().round() as u64;
    Ok(Evaluation {
        id: opt.id.clone(),
        kind: OptionKind::Provisioned,
        platform: opt.platform.id().to_string(),
        description: format!("{} {} ({scaler}), {}", opt.platform, opt.instance_type, opt.commitment),
        limits: Vec::new(),
        behaviour: Some(Behaviour {
            latency_ms: percentiles(&o.latency_ms),
            added_latency_ms: percentiles(&o.queueing_ms),
            requests,
            instances: Some(instances),
            utilization: utilization(o),
            slo_violation_minutes: Some(o.slo_violation_minutes),
            instances_by_minute: o.instances_per_minute.clone(),
            slots_per_instance: Some(fleet.slots_per_instance() as u32),
            added_latency_quantiles_ms: fleet_quantiles(&o.queueing_ms),
            ..Behaviour::default()
        }),
        meets_slo,
        notes,
        assumptions: month.breakdown.assumptions.clone(),
        costing: Some(Costing::new(&opt.id, month.breakdown, &by_month)?),
        warnings,
    })
}

/// The fleet model's percentiles as the evaluation's.
pub(super) fn percentiles(p: &crate::sim::provisioned::Percentiles) -> LatencySummary {
    LatencySummary {
        p50: p.p50,
        p95: p.p95,
        p99: p.p99,
    }
}

/// The quantiles the fleet model reports: p50, p95 and p99.
pub(super) fn fleet_quantiles(p: &crate::sim::provisioned::Percentiles) -> Vec<(f64, f64)> {
    vec![(0.5, p.p50), (0.95, p.p95), (0.99, p.p99)]
}

/// The fleet's utilization, with the minutes above 100 %.
pub(super) fn utilization(o: &ProvisionedOutcome) -> Option<UtilizationSummary> {
    o.utilization.map(|u| UtilizationSummary {
        mean: u.mean,
        p95: u.p95,
        overloaded_minutes: o.overloaded_minutes,
    })
}

/// The fleet's size over the window.
pub(super) fn fleet_summary(opt: &ProvisionedOption, o: &ProvisionedOutcome, committed: u32) -> InstanceSummary {
    InstanceSummary {
        instance_type: opt.instance_type.clone(),
        peak: o.peak_instances,
        mean: o.mean_instances,
        committed,
        max_instances: opt.max_instances,
        minutes_at_max: o
            .instances_per_minute
            .iter()
            .filter(|&&n| n >= opt.max_instances)
            .count() as u64,
    }
}

/// Warnings that change a decision: the fleet pinned at its maximum while requests queue, a
/// static-peak fleet capped by `max_instances`, offered load above capacity.
fn fleet_warnings(
    plan: &Plan,
    opt: &ProvisionedOption,
    o: &ProvisionedOutcome,
    fleet: &InstanceSummary,
    static_peak_wanted: Option<u32>,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let id = &opt.id;
    let p99_ms = group_thousands(o.queueing_ms.p99.round() as u64);
    if let Some(wanted) = static_peak_wanted.filter(|&w| w > opt.max_instances) {
        out.push(Warning::option(
            WarningCode::StaticPeakCapped,
            id,
            format!(
                "static-peak sizing wants {wanted} × {} for the peak minute, but max_instances is {}: the fleet stays \
                 at {} and the p99 added latency is {p99_ms} ms against the {} ms SLO",
                opt.instance_type, opt.max_instances, opt.max_instances, plan.scenario.latency_slo_ms
            ),
        ));
    } else if fleet.minutes_at_max > 0 && o.overloaded_minutes > 0 {
        out.push(Warning::option(
            WarningCode::FleetAtMax,
            id,
            format!(
                "the fleet sat at its maximum of {} instance(s) for {} minute(s) while demand exceeded it; the p99 added \
                 latency is {p99_ms} ms (SLO {} ms): raise max_instances or choose a larger instance type",
                opt.max_instances, fleet.minutes_at_max, plan.scenario.latency_slo_ms
            ),
        ));
    }
    if o.overloaded_minutes > 0 {
        out.push(Warning::option(
            WarningCode::Overloaded,
            id,
            format!(
                "offered load exceeded the ready capacity (utilization above 100 %) in {} of {} minutes; requests \
                 queued for up to {p99_ms} ms at p99",
                o.overloaded_minutes,
                group_thousands(o.instances_per_minute.len() as u64)
            ),
        ));
    }
    out
}

/// Notes on a fleet: horizon rule, backlog, SLO-violation minutes, burstable CPU.
fn notes(plan: &Plan, opt: &ProvisionedOption, o: &ProvisionedOutcome, committed: u32) -> Vec<String> {
    let mut notes = vec![format!(
        "the fleet is re-sized each month of the horizon for that month's traffic; the {committed} committed \
         instance(s) of the first month stay committed, instance time above them is on demand"
    )];
    if o.slo_violation_minutes > 0 {
        notes.push(format!(
            "{} minute(s) had a p99 wait above the {} ms SLO",
            o.slo_violation_minutes, plan.scenario.latency_slo_ms
        ));
    }
    if o.backlog_at_end_requests >= 1.0 {
        notes.push(format!(
            "{:.0} requests were still queued when the window closed (served after it)",
            o.backlog_at_end_requests
        ));
    }
    notes.extend(burstable_note(&opt.instance_type, o));
    notes
}

/// A note when a burstable type runs above its CPU baseline on average.
pub(super) fn burstable_note(instance_type: &str, o: &ProvisionedOutcome) -> Option<String> {
    let baseline = burstable_baseline(instance_type)?;
    let u = o.utilization?;
    (u.mean > baseline).then(|| {
        format!(
            "{instance_type} is burstable: its CPU baseline is {:.0}% per vCPU and the fleet averages {:.0}%; above \
             the baseline it spends CPU credits (unlimited mode bills surplus credits, standard mode throttles), \
             which is not modelled",
            baseline * 100.0,
            u.mean * 100.0
        )
    })
}

/// CPU baseline per vCPU of the burstable types in the price tables (AWS EC2 docs: t3.medium
/// and t4g.medium 20 %).
fn burstable_baseline(instance_type: &str) -> Option<f64> {
    match instance_type {
        "t3.medium" | "t4g.medium" => Some(0.20),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::MS_PER_DAY;

    /// The one `[[provisioned]]` option of a scenario written as `body`.
    fn option(body: &str) -> ProvisionedOption {
        let text = format!("schema_version = 1\n[[provisioned]]\n{body}");
        let scenario = crate::config::Scenario::parse("s.toml", &text, std::path::Path::new(".")).unwrap();
        scenario.provisioned[0].clone()
    }

    /// The instance bill of `opt`'s fleet over a day, `committed` instances committed: three
    /// instances for the first 6 hours, two after.
    fn day_bill(opt: &ProvisionedOption, committed: u32) -> CostBreakdown {
        let mut counts = vec![3u32; 360];
        counts.extend(vec![2u32; 1080]);
        let outcome = ProvisionedOutcome {
            usage: InstanceUsage {
                instance_type: opt.instance_type.clone(),
                launches: 3,
                ..InstanceUsage::default()
            },
            instances_per_minute: counts,
            utilization: None,
            queueing_ms: Default::default(),
            latency_ms: Default::default(),
            slo_violation_minutes: 0,
            peak_instances: 3,
            mean_instances: 2.25,
            backlog_at_end_requests: 0.0,
            overloaded_minutes: 0,
        };
        let catalog = crate::pricing::Catalog::embedded().unwrap();
        let bill = FleetBill {
            opt,
            table: catalog.get(opt.platform.id()).unwrap(),
            base: &CostOptions::default(),
            period_ms: MS_PER_DAY,
            outcome: &outcome,
        };
        bill.instances(committed).unwrap()
    }

    fn usd(x: f64) -> crate::units::Usd {
        crate::units::Usd::from_f64(x).unwrap()
    }

    #[test]
    fn a_fleet_s_on_demand_time_gets_the_sustained_use_tiers_on_its_stacked_instances() {
        // n2-standard-2 ($0.0971/h) over a day: three instances for the first 6 hours, two
        // after. Stacked, two run all day (a whole month each at this shape: 2 × 17.72075 ×
        // 3.2008 = $113.4411532) and one a quarter of it (182.5 h at 100 %: $17.72075):
        // $131.1619032. With one instance committed (resource CUD 1 yr, $0.061182 × 730 h =
        // $44.66286, no sustained use), the counts above it are 2 then 1: one instance all day
        // and one a quarter, $56.7205766 + $17.72075 on demand: $119.1041866 in all.
        let opt = option("id = \"n2\"\nplatform = \"gcp-compute\"\ninstance_type = \"n2-standard-2\"\n");
        assert_eq!(day_bill(&opt, 0).total(), usd(131.1619032));
        let committed = ProvisionedOption {
            commitment: Commitment::Term("resource-cud-1yr-no-upfront".into()),
            ..opt
        };
        assert_eq!(day_bill(&committed, 1).total(), usd(119.1041866));
    }

    #[test]
    fn a_fargate_fleet_s_committed_tasks_bill_the_savings_plan_and_the_rest_on_demand() {
        // x86:1vcpu-2gb tasks over a day: three for the first 6 hours, two after; two committed
        // under the 1-year Compute Savings Plan bill a whole month each: 1,460 vCPU-hours ×
        // $0.032384 + 2,920 GB-hours × $0.003556 = 47.28064 + 10.38352 = $57.66416; the third
        // runs a quarter of the day, 182.5 h of the month on demand: 182.5 × $0.04048 + 365 ×
        // $0.004445 = 7.3876 + 1.622425 = $9.010025. In all $66.674185.
        let opt = &option(
            "id = \"f\"\nplatform = \"aws-fargate\"\ninstance_type = \"x86:1vcpu-2gb\"\n\
             commitment = \"compute-sp-1yr-no-upfront\"\n",
        );
        let catalog = crate::pricing::Catalog::embedded().unwrap();
        let table = catalog.get("aws-fargate").unwrap();
        assert!(fleet_spec_in(&catalog, 1.0, opt).is_ok());
        let b = day_bill(opt, 2);
        assert_eq!(b.total(), usd(66.674185));
        assert!(b.complete(), "{:?}", b.lines);
        // A term Fargate has no price for is refused with the terms it has; a plan outside
        // us-east-1 is refused in the scenario's region.
        let ri = ProvisionedOption {
            commitment: Commitment::Term("ri-standard-1yr-no-upfront".into()),
            ..opt.clone()
        };
        let e = fleet_spec_in(&catalog, 1.0, &ri).unwrap_err().to_string();
        assert!(
            e.contains(
                "commitment 'ri-standard-1yr-no-upfront' is not a term of Fargate x86 in price table \
                        'aws-fargate'; use on-demand or compute-sp-1yr-no-upfront or compute-sp-3yr-no-upfront"
            ),
            "{e}"
        );
        let e = check_fargate_priced_in(table, opt, "eu-west-1")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "no rate 'vcpu-hours-x86-compute-sp-1yr-no-upfront' in eu-west-1; it has one in us-east-1: set the \
                 scenario's region or use commitment = \"on-demand\""
            ),
            "{e}"
        );
        assert!(check_fargate_priced_in(table, opt, "us-east-1").is_ok());
    }

    #[test]
    fn cloud_run_sizes() {
        assert_eq!(cloud_run_size("1vcpu-2gb"), Some((1.0, 2.0)));
        assert_eq!(cloud_run_size("0.5vcpu-0.5gb"), Some((0.5, 0.5)));
        assert_eq!(cloud_run_size("2vcpu"), None);
        assert_eq!(cloud_run_size("0vcpu-1gb"), None);
    }
}
