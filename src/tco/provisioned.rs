//! A provisioned option's month: the fleet model (`sim::provisioned`) on the workload's
//! per-minute load, then its bill — committed instances paid for the whole month whether used
//! or not, instance time above the commitment at on-demand rates, the load balancer, the
//! control plane and, when the scenario gives it, ops labour.

use anyhow::{anyhow, Context};

use super::lines::ops_line;
use super::Plan;
use crate::config::{ProvisionedOption, Strategy};
use crate::cost::{
    parse_fargate_type, price_front_door, price_usage, CloudRunBilling, CostBreakdown, CostOptions, FrontDoor,
};
use crate::pricing::{Model, PriceTable};
use crate::sim::autoscale::{Autoscaler, FixedFleet, StaticPeak, TargetTracking};
use crate::sim::load::{LoadProfile, ServiceModel};
use crate::sim::provisioned::{simulate, FleetSpec, ProvisionedOutcome};
use crate::units::MS_PER_MINUTE;
use crate::usage::{FunctionGroupUsage, InstanceUsage, Usage};

/// The fleet an option describes, from its price table's instance data.
pub fn fleet_spec(plan: &Plan, opt: &ProvisionedOption) -> anyhow::Result<FleetSpec> {
    let table = plan
        .catalog
        .get(&opt.platform)
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
            (ip.vcpu, ip.memory_gib)
        }
        Model::AwsFargate => {
            let (_, cpu_milli, mem_mb) =
                parse_fargate_type(&opt.instance_type).with_context(|| format!("option '{}'", opt.id))?;
            (cpu_milli as f64 / 1_000.0, mem_mb as f64 / 1_024.0)
        }
        Model::GcpCloudRun => {
            if opt.commitment != "on-demand" {
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
        slots_per_vcpu: opt.slots_per_vcpu.unwrap_or(1.0 / plan.scenario.cpu_bound_fraction),
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

/// The sizing policy of an option.
pub fn autoscaler(opt: &ProvisionedOption) -> Box<dyn Autoscaler> {
    match opt.strategy {
        Strategy::StaticPeak => Box::new(StaticPeak {
            target_utilization: opt.target_utilization,
            spare_instances: opt.spare_instances,
            min_instances: opt.min_instances,
        }),
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
    let committed = match (opt.commitment.as_str(), committed, fixed, opt.strategy) {
        ("on-demand", ..) => 0,
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
    let period_ms = plan.workload.window_ms().max(MS_PER_MINUTE);
    let table = plan
        .catalog
        .get(&opt.platform)
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
    if opt.load_balancer != "none" {
        let lb = plan
            .catalog
            .get(&opt.load_balancer)
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
    if opt.control_plane != "none" {
        let cp = plan
            .catalog
            .get(&opt.control_plane)
            .map_err(|e| anyhow!("option '{}' control_plane: {e}", opt.id))?;
        let usage = Usage {
            period_ms,
            functions: vec![],
            instances: vec![InstanceUsage {
                instance_type: "cluster".into(),
                instance_ms: period_ms,
                launches: 1,
            }],
        };
        bill.extend(price_usage(&usage, cp, &plan.cost_options(cp))?);
    }
    if let Some(ops) = plan.scenario.ops {
        bill.lines.push(ops_line(
            outcome.mean_instances,
            ops.hours_per_server_per_month,
            ops.loaded_rate_usd_per_hour,
        ));
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
                }],
            };
            let opts = CostOptions {
                commitment: Some(opt.commitment.clone()),
                ..base.clone()
            };
            let mut b = price_usage(&usage, table, &opts).with_context(|| format!("pricing option '{}'", opt.id))?;
            for l in &mut b.lines {
                l.name = format!(
                    "{} (committed: {committed} instances, paid whether used or not)",
                    l.name
                );
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
                instances: vec![InstanceUsage {
                    instance_type: opt.instance_type.clone(),
                    instance_ms: overflow_minutes * MS_PER_MINUTE,
                    launches: outcome.usage.launches.saturating_sub(committed as u64).max(1),
                }],
            };
            bill.extend(price_usage(&usage, table, base).with_context(|| format!("pricing option '{}'", opt.id))?);
        }
        Ok(bill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_run_sizes() {
        assert_eq!(cloud_run_size("1vcpu-2gb"), Some((1.0, 2.0)));
        assert_eq!(cloud_run_size("0.5vcpu-0.5gb"), Some((0.5, 0.5)));
        assert_eq!(cloud_run_size("2vcpu"), None);
        assert_eq!(cloud_run_size("0vcpu-1gb"), None);
    }
}
