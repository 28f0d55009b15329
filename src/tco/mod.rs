//! TCO comparison, the heart of `analyze`: every option of the scenario is simulated on the
//! same workload — serverless options by the event engine, provisioned ones by the fleet
//! model, hybrids by searching the committed base size — and billed with the price tables;
//! then each month of the horizon is priced with the traffic grown month by month.
//!
//! Growth: provisioned fleets are re-simulated (and re-sized) for each month's traffic;
//! serverless usage is scaled linearly from the simulated month (requests, executions and
//! cold starts grow with traffic; provisioned capacity does not), and tiers and free grants
//! are re-applied to each month's quantities. Hybrids keep their committed base and scale
//! the overflow by the growth of the load above the base.

pub mod hybrid;
pub mod lines;
pub mod provisioned;
pub mod serverless;

use anyhow::anyhow;
use std::collections::BTreeMap;

use crate::characterize::characterize;
use crate::config::{HybridOption, ProvisionedOption, Scenario, ServerlessOption};
use crate::cost::{CostBreakdown, CostOptions};
use crate::pricing::{Catalog, PriceTable};
use crate::report::model::{
    InputFile, Inputs, InstanceSummary, LatencySummary, OptionKind, OptionReport, PriceTableRef, Report,
    UtilizationSummary, REPORT_SCHEMA_VERSION,
};
use crate::sim::autoscale::instances_for;
use crate::sim::load::LoadProfile;
use crate::sim::SimOutput;
use crate::trace::Workload;
use lines::report_lines;

/// Everything an analysis needs: the checked scenario, the workload, the price tables.
pub struct Plan {
    /// The scenario.
    pub scenario: Scenario,
    /// Where the scenario came from (a path, or `embedded:…`).
    pub scenario_label: String,
    /// The workload read from the traces.
    pub workload: Workload,
    /// The trace files read, with their digests.
    pub trace_files: Vec<InputFile>,
    /// Price tables.
    pub catalog: Catalog,
}

impl Plan {
    /// Cost-engine options for pricing against `table`: the scenario's free-tier choice and
    /// the scenario's region of the table's provider.
    pub fn cost_options(&self, table: &PriceTable) -> CostOptions {
        let region = match table.provider.as_str() {
            "aws" => Some(self.scenario.region.clone()),
            "azure" => Some(self.scenario.azure_region.clone()),
            "gcp" => Some(self.scenario.gcp_region.clone()),
            _ => None,
        };
        CostOptions {
            free_tier: self.scenario.free_tier,
            region,
            ..CostOptions::default()
        }
    }

    /// Traffic multiple of each month of the horizon: (1 + growth)^month.
    pub fn month_multipliers(&self) -> Vec<f64> {
        (0..self.scenario.horizon_months)
            .map(|k| (1.0 + self.scenario.growth_per_month).powi(k as i32))
            .collect()
    }
}

/// What an option's evaluation produced, before it becomes a report entry.
struct Evaluated {
    report: OptionReport,
    breakdowns: Vec<CostBreakdown>,
    assumptions: Vec<String>,
}

fn usd(b: &CostBreakdown) -> f64 {
    b.total().to_f64_micro()
}

fn latency(p50: f64, p95: f64, p99: f64) -> LatencySummary {
    LatencySummary { p50, p95, p99 }
}

/// Runs the whole comparison.
pub fn analyze(plan: &Plan) -> anyhow::Result<Report> {
    let profile = characterize(&plan.workload);
    let mut evaluated = Vec::new();
    let mut serverless_runs: BTreeMap<String, SimOutput> = BTreeMap::new();
    for opt in &plan.scenario.serverless {
        let out = serverless::run(plan, opt, &plan.workload)?;
        evaluated.push(evaluate_serverless(plan, opt, &out)?);
        serverless_runs.insert(opt.id.clone(), out);
    }
    for opt in &plan.scenario.provisioned {
        evaluated.push(evaluate_provisioned(plan, opt)?);
    }
    for h in &plan.scenario.hybrid {
        let prov = plan.scenario.provisioned.iter().find(|p| p.id == h.provisioned);
        let sl = plan.scenario.serverless.iter().find(|s| s.id == h.serverless);
        let (Some(prov), Some(sl)) = (prov, sl) else {
            return Err(anyhow!("hybrid '{}' names an option that is not defined", h.id));
        };
        let full = serverless_runs
            .get(&sl.id)
            .ok_or_else(|| anyhow!("hybrid '{}': serverless option '{}' was not simulated", h.id, sl.id))?;
        evaluated.push(evaluate_hybrid(plan, h, prov, sl, full)?);
    }
    Ok(assemble(plan, profile, evaluated))
}

fn evaluate_serverless(plan: &Plan, opt: &ServerlessOption, out: &SimOutput) -> anyhow::Result<Evaluated> {
    let (bill, notes) = serverless::price(plan, opt, &out.usage)?;
    let mut by_month = Vec::new();
    for (k, x) in plan.month_multipliers().into_iter().enumerate() {
        by_month.push(if k == 0 {
            usd(&bill)
        } else {
            usd(&serverless::price(plan, opt, &out.usage.scaled_traffic(x))?.0)
        });
    }
    let s = &out.stats;
    let added_p99 = s.overhead_ms.p99 as f64;
    let mut notes = notes;
    if s.throttles > 0 {
        notes.push(format!(
            "{} requests were throttled by the concurrency limit (not served, not billed): the option fails the SLO",
            s.throttles
        ));
    }
    let report = OptionReport {
        id: opt.id.clone(),
        kind: OptionKind::Serverless,
        platform: opt.platform.clone(),
        description: format!(
            "{} {} MB {}, keep-alive {}, provisioned concurrency {}",
            opt.platform,
            opt.memory_mb.map(|m| m.to_string()).unwrap_or_else(|| "trace".into()),
            opt.arch,
            s.keep_alive,
            opt.provisioned_concurrency
        ),
        monthly_cost_usd: usd(&bill),
        complete: bill.complete(),
        verified: bill.verified(),
        horizon_cost_usd: by_month.iter().sum(),
        monthly_cost_by_month_usd: by_month,
        cost_lines: report_lines(&bill),
        cold_start_rate: Some(s.cold_start_rate),
        latency_ms: latency(
            s.latency_ms.p50 as f64,
            s.latency_ms.p95 as f64,
            s.latency_ms.p99 as f64,
        ),
        added_latency_ms: latency(s.overhead_ms.p50 as f64, s.overhead_ms.p95 as f64, added_p99),
        meets_slo: added_p99 <= plan.scenario.latency_slo_ms && s.throttles == 0,
        peak_concurrency: Some(s.peak_concurrency as u64),
        throttles: Some(s.throttles),
        instances: None,
        utilization: None,
        slo_violation_minutes: None,
        notes,
    };
    let mut assumptions = out.assumptions.clone();
    assumptions.extend(bill.assumptions.iter().cloned());
    Ok(Evaluated {
        report,
        breakdowns: vec![bill],
        assumptions,
    })
}

fn evaluate_provisioned(plan: &Plan, opt: &ProvisionedOption) -> anyhow::Result<Evaluated> {
    let service = provisioned::service_model(plan);
    let mut by_month = Vec::new();
    let mut first: Option<provisioned::FleetMonth> = None;
    let month0 = LoadProfile::from_workload(&plan.workload, &service)?;
    for x in plan.month_multipliers() {
        let load = month0.scaled(x);
        // The reservations bought for the first month stay for the whole horizon.
        let committed = first.as_ref().map(|m| m.committed);
        let month = provisioned::run_month(plan, opt, &load, None, committed)?;
        by_month.push(usd(&month.breakdown));
        if first.is_none() {
            first = Some(month);
        }
    }
    let month = first.ok_or_else(|| anyhow!("the horizon has no month"))?;
    let o = &month.outcome;
    let scaler = provisioned::autoscaler(opt).describe();
    let report = OptionReport {
        id: opt.id.clone(),
        kind: OptionKind::Provisioned,
        platform: opt.platform.clone(),
        description: format!("{} {} ({scaler}), {}", opt.platform, opt.instance_type, opt.commitment),
        monthly_cost_usd: usd(&month.breakdown),
        complete: month.breakdown.complete(),
        verified: month.breakdown.verified(),
        horizon_cost_usd: by_month.iter().sum(),
        monthly_cost_by_month_usd: by_month,
        cost_lines: report_lines(&month.breakdown),
        cold_start_rate: None,
        latency_ms: latency(o.latency_ms.p50, o.latency_ms.p95, o.latency_ms.p99),
        added_latency_ms: latency(o.queueing_ms.p50, o.queueing_ms.p95, o.queueing_ms.p99),
        meets_slo: o.queueing_ms.p99 <= plan.scenario.latency_slo_ms,
        peak_concurrency: None,
        throttles: None,
        instances: Some(InstanceSummary {
            instance_type: opt.instance_type.clone(),
            peak: o.peak_instances,
            mean: o.mean_instances,
            committed: month.committed,
        }),
        utilization: o.utilization.map(|u| UtilizationSummary {
            mean: u.mean,
            p95: u.p95,
        }),
        slo_violation_minutes: Some(o.slo_violation_minutes),
        notes: provisioned_notes(plan, opt, o, month.committed),
    };
    Ok(Evaluated {
        report,
        assumptions: month.breakdown.assumptions.clone(),
        breakdowns: vec![month.breakdown],
    })
}

/// Notes on a fleet: horizon rule, backlog, SLO-violation minutes, burstable CPU.
fn provisioned_notes(
    plan: &Plan,
    opt: &ProvisionedOption,
    o: &crate::sim::provisioned::ProvisionedOutcome,
    committed: u32,
) -> Vec<String> {
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
            "{} requests were still queued when the window closed (served after it)",
            crate::report::format::sig3(Some(o.backlog_at_end_requests))
        ));
    }
    notes.extend(burstable_note(&opt.instance_type, o));
    notes
}

/// A note when a burstable type runs above its CPU baseline on average.
fn burstable_note(instance_type: &str, o: &crate::sim::provisioned::ProvisionedOutcome) -> Option<String> {
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

/// How much the fixed base's work grows at traffic `x`: the load under capacity grows with
/// traffic until the base is full.
fn grown_base_factor(load: &LoadProfile, capacity_erlangs: f64, x: f64) -> f64 {
    let (mut now, mut then) = (0.0, 0.0);
    for m in &load.minutes {
        let a = m.erlangs();
        now += a.min(capacity_erlangs);
        then += (a * x).min(capacity_erlangs);
    }
    if now > 0.0 {
        then / now
    } else {
        x
    }
}

/// One hybrid candidate's month.
struct HybridMonth {
    base: u32,
    servers: provisioned::FleetMonth,
    overflow: Option<SimOutput>,
    overflow_bill: Option<CostBreakdown>,
    notes: Vec<String>,
    total_usd: f64,
    /// p99 of the latency added by queueing (servers) or cold starts (overflow).
    added_p99_ms: f64,
    /// Requests the overflow's concurrency limit refused.
    throttles: u64,
}

impl HybridMonth {
    /// Within the SLO and nothing throttled.
    fn meets_slo(&self, plan: &Plan) -> bool {
        self.added_p99_ms <= plan.scenario.latency_slo_ms && self.throttles == 0
    }
}

fn evaluate_hybrid(
    plan: &Plan,
    h: &HybridOption,
    prov: &ProvisionedOption,
    sl: &ServerlessOption,
    full: &SimOutput,
) -> anyhow::Result<Evaluated> {
    let service = provisioned::service_model(plan);
    let load = LoadProfile::from_workload(&plan.workload, &service)?;
    let fleet = provisioned::fleet_spec(plan, prov)?;
    let per_instance = fleet.slots_per_instance() * prov.target_utilization;
    let all_server = instances_for(load.peak_erlangs(), fleet.slots_per_instance(), prov.target_utilization);
    let mut months: BTreeMap<u32, HybridMonth> = BTreeMap::new();
    let seen = hybrid::search(all_server, |base| -> anyhow::Result<(bool, f64)> {
        let m = hybrid_month(plan, prov, sl, &load, base, per_instance, full)?;
        let score = (m.meets_slo(plan), m.total_usd);
        months.insert(base, m);
        Ok(score)
    })?;
    let tried: Vec<String> = seen
        .iter()
        .map(|(n, (meets, usd))| format!("{n}: ${usd:.2}{}", if *meets { "" } else { " (misses SLO)" }))
        .collect();
    let best = months
        .remove(&hybrid::best_of(&seen))
        .ok_or_else(|| anyhow!("hybrid '{}': no base size to try", h.id))?;
    // Horizon: the committed base stays; the servers carry the load up to it and the
    // overflow grows with the load above it.
    let capacity = best.base as f64 * per_instance;
    let fractions = hybrid::overflow_fractions(&load, capacity);
    let base_requests: f64 = load
        .minutes
        .iter()
        .zip(&fractions)
        .map(|(m, f)| m.arrivals * (1.0 - f))
        .sum();
    let overflow_work = |x: f64| -> f64 {
        load.minutes
            .iter()
            .map(|m| (m.erlangs() * x - capacity).max(0.0))
            .sum::<f64>()
    };
    let work0 = overflow_work(1.0);
    let total0: f64 = load.minutes.iter().map(|m| m.erlangs()).sum();
    let mut by_month = Vec::new();
    for (k, x) in plan.month_multipliers().into_iter().enumerate() {
        if k == 0 {
            by_month.push(best.total_usd);
            continue;
        }
        // Requests the servers take: their share of month 0, grown while below capacity (an
        // estimate from the month-0 share; the ALB's LCU-hours depend on it).
        let servers_usd = if best.base > 0 {
            let requests = base_requests * grown_base_factor(&load, capacity, x);
            usd(&provisioned::price_fleet(
                plan,
                prov,
                &best.servers.outcome,
                best.servers.committed,
                requests.round() as u64,
            )?)
        } else {
            0.0
        };
        let grown = overflow_work(x);
        let overflow_usage = match &best.overflow {
            Some(o) if work0 > 0.0 => Some(o.usage.scaled_traffic(grown / work0)),
            _ if grown > 0.0 && total0 > 0.0 => Some(full.usage.scaled_traffic(grown / total0)),
            _ => None,
        };
        let serverless_usd = match overflow_usage {
            Some(u) => usd(&serverless::price(plan, sl, &u)?.0),
            None => 0.0,
        };
        by_month.push(servers_usd + serverless_usd);
    }
    let mut bill = best.servers.breakdown.clone();
    if let Some(b) = &best.overflow_bill {
        bill.extend(b.clone());
    }
    let o = &best.servers.outcome;
    let served = o_requests(&load);
    let (cold, peak, throttles, sl_lat) = match &best.overflow {
        Some(out) => (
            out.stats.cold_starts,
            Some(out.stats.peak_concurrency as u64),
            Some(out.stats.throttles),
            Some((out.stats.latency_ms, out.stats.overhead_ms)),
        ),
        None => (0, Some(0), Some(0), None),
    };
    let (lat, added) = match sl_lat {
        Some((l, a)) => (
            latency(
                o.latency_ms.p50.max(l.p50 as f64),
                o.latency_ms.p95.max(l.p95 as f64),
                o.latency_ms.p99.max(l.p99 as f64),
            ),
            latency(
                o.queueing_ms.p50.max(a.p50 as f64),
                o.queueing_ms.p95.max(a.p95 as f64),
                best.added_p99_ms,
            ),
        ),
        None => (
            latency(o.latency_ms.p50, o.latency_ms.p95, o.latency_ms.p99),
            latency(o.queueing_ms.p50, o.queueing_ms.p95, o.queueing_ms.p99),
        ),
    };
    let mut notes = best.notes.clone();
    let why = if best.meets_slo(plan) {
        format!(
            "the cheapest that meets the p99 added-latency SLO of {} ms",
            plan.scenario.latency_slo_ms
        )
    } else {
        format!(
            "no size meets the SLO of {} ms, so the cheapest",
            plan.scenario.latency_slo_ms
        )
    };
    notes.push(format!(
        "base sizes tried (instances: monthly cost): {}; chosen {} — {why}",
        tried.join(", "),
        best.base
    ));
    notes.push(
        "the base has no spare or minimum for availability: the serverless part absorbs the load of a failed server"
            .into(),
    );
    if best.base > 0 {
        notes.extend(burstable_note(&prov.instance_type, &best.servers.outcome));
    }
    notes.push(
        "latency percentiles are the larger of the server part's and the serverless part's (an upper bound)".into(),
    );
    let report = OptionReport {
        id: h.id.clone(),
        kind: OptionKind::Hybrid,
        platform: format!("{}+{}", prov.platform, sl.platform),
        description: if prov.commitment == "on-demand" {
            format!(
                "{} × {} on demand for the base load, {} for the excess",
                best.base, prov.instance_type, sl.id
            )
        } else {
            format!(
                "{} × {} committed ({}) for the base load, {} for the excess",
                best.base, prov.instance_type, prov.commitment, sl.id
            )
        },
        monthly_cost_usd: best.total_usd,
        complete: bill.complete(),
        verified: bill.verified(),
        horizon_cost_usd: by_month.iter().sum(),
        monthly_cost_by_month_usd: by_month,
        cost_lines: report_lines(&bill),
        cold_start_rate: Some(if served > 0.0 { cold as f64 / served } else { 0.0 }),
        latency_ms: lat,
        added_latency_ms: added,
        meets_slo: best.meets_slo(plan),
        peak_concurrency: peak,
        throttles,
        instances: Some(InstanceSummary {
            instance_type: prov.instance_type.clone(),
            peak: o.peak_instances,
            mean: o.mean_instances,
            committed: best.servers.committed,
        }),
        utilization: o.utilization.map(|u| UtilizationSummary {
            mean: u.mean,
            p95: u.p95,
        }),
        slo_violation_minutes: Some(o.slo_violation_minutes),
        notes,
    };
    let mut assumptions = bill.assumptions.clone();
    if let Some(out) = &best.overflow {
        assumptions.extend(out.assumptions.iter().cloned());
    }
    Ok(Evaluated {
        report,
        breakdowns: vec![bill],
        assumptions,
    })
}

fn o_requests(load: &LoadProfile) -> f64 {
    load.minutes.iter().map(|m| m.arrivals).sum()
}

fn hybrid_month(
    plan: &Plan,
    prov: &ProvisionedOption,
    sl: &ServerlessOption,
    load: &LoadProfile,
    base: u32,
    per_instance_erlangs: f64,
    full: &SimOutput,
) -> anyhow::Result<HybridMonth> {
    let fractions = hybrid::overflow_fractions(load, base as f64 * per_instance_erlangs);
    let base_load = hybrid::base_load(load, &fractions);
    let mut servers = if base > 0 {
        provisioned::run_month(plan, prov, &base_load, Some(base), None)?
    } else {
        let outcome = crate::sim::provisioned::simulate(
            &base_load,
            &provisioned::fleet_spec(plan, prov)?,
            &mut crate::sim::autoscale::FixedFleet { instances: 0 },
            None,
        );
        provisioned::FleetMonth {
            outcome,
            committed: 0,
            breakdown: CostBreakdown::default(),
        }
    };
    if base == 0 {
        servers.outcome.instances_per_minute.iter_mut().for_each(|n| *n = 0);
        servers.outcome.peak_instances = 0;
        servers.outcome.mean_instances = 0.0;
    }
    let overflow_w = hybrid::overflow_workload(&plan.workload, &fractions);
    let mut notes = Vec::new();
    let (overflow, overflow_bill, p99_sl) = if overflow_w.invocations() > 0 {
        // With no servers everything overflows: that is the serverless option's own run.
        let out = if base == 0 {
            full.clone()
        } else {
            serverless::run(plan, sl, &overflow_w)?
        };
        let (bill, n) = serverless::price(plan, sl, &out.usage)?;
        notes = n;
        let p99 = out.stats.overhead_ms.p99 as f64;
        (Some(out), Some(bill), p99)
    } else {
        (None, None, 0.0)
    };
    let server_p99 = if base > 0 { servers.outcome.queueing_ms.p99 } else { 0.0 };
    let total_usd = usd(&servers.breakdown) + overflow_bill.as_ref().map(usd).unwrap_or(0.0);
    let throttles = overflow.as_ref().map(|o| o.stats.throttles).unwrap_or(0);
    Ok(HybridMonth {
        base,
        servers,
        overflow,
        overflow_bill,
        notes,
        total_usd,
        added_p99_ms: server_p99.max(p99_sl),
        throttles,
    })
}

/// Collects the options into the report: cheapest, assumptions, warnings, inputs.
fn assemble(plan: &Plan, profile: crate::characterize::WorkloadProfile, evaluated: Vec<Evaluated>) -> Report {
    let mut assumptions = plan.scenario.assumptions.clone();
    assumptions.push(format!(
        "servers: a traced duration runs (1 − f) + f × 1 times as long on a server vCPU with CPU-bound share f = {}; \
         request slots per vCPU default to 1/f",
        plan.scenario.cpu_bound_fraction
    ));
    assumptions.push(
        "servers: queueing per minute by Erlang C with the Allen–Cunneen correction, a fluid queue under overload; \
         latency percentiles = service percentile + waiting percentile (an upper bound)"
            .into(),
    );
    assumptions.push(format!(
        "growth: traffic × (1 + {})^month over {} months; serverless usage scales linearly from the simulated window, \
         fleets are re-simulated each month",
        plan.scenario.growth_per_month, plan.scenario.horizon_months
    ));
    let mut warnings = plan.workload.warnings.clone();
    let mut tables: BTreeMap<String, PriceTableRef> = BTreeMap::new();
    let mut options = Vec::new();
    for e in evaluated {
        for a in e.assumptions {
            // Option-specific figures carry the option's id; shared rules appear once.
            let a = format!("{}: {a}", e.report.id);
            if !assumptions.contains(&a) {
                assumptions.push(a);
            }
        }
        for b in &e.breakdowns {
            for o in &b.offerings {
                tables.entry(o.id.clone()).or_insert_with(|| PriceTableRef {
                    id: o.id.clone(),
                    region: o.region.clone(),
                    effective_date: o.effective_date.clone(),
                    origin: o.origin.clone(),
                    verified: o.fully_verified,
                });
            }
        }
        for l in &e.report.cost_lines {
            if l.cost_usd.is_none() {
                warnings.push(format!(
                    "option '{}': '{}' is not priced{}; its total is a lower bound",
                    e.report.id,
                    l.name,
                    l.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
                ));
            }
        }
        if !e.report.verified {
            warnings.push(format!(
                "option '{}' uses prices not read from a vendor source (marked unverified in its lines)",
                e.report.id
            ));
        }
        options.push(e.report);
    }
    let pick = |month: Option<usize>, only_slo: bool| {
        let cost = |o: &OptionReport| match month {
            Some(k) => o.monthly_cost_by_month_usd.get(k).copied().unwrap_or(f64::INFINITY),
            None => o.monthly_cost_usd,
        };
        options
            .iter()
            .filter(|o| o.complete && (!only_slo || o.meets_slo))
            .min_by(|a, b| cost(a).total_cmp(&cost(b)))
            .map(|o| o.id.clone())
    };
    let cheapest_option = pick(None, true).or_else(|| pick(None, false));
    let cheapest_by_month = (0..plan.scenario.horizon_months as usize)
        .map(|k| pick(Some(k), true).or_else(|| pick(Some(k), false)))
        .collect();
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: format!("faascost {}", env!("CARGO_PKG_VERSION")),
        seed: plan.scenario.seed,
        inputs: Inputs {
            scenario: plan.scenario_label.clone(),
            traces: plan.trace_files.clone(),
            price_tables: tables.into_values().collect(),
        },
        workload: profile,
        options,
        cheapest_option,
        cheapest_by_month,
        assumptions,
        warnings,
    }
}
