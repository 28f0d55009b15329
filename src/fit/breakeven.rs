//! Break-even traffic: the smallest monthly request count at which a server option becomes
//! cheaper than a serverless one. Serverless cost is monotone in traffic but tiered; server
//! cost is a step function of the instances the traffic needs (plus, in `analyze` pairs, a load
//! balancer's small per-request part), `max(min, ceil(N × s /
//! (period × slots × u)))` (the provisioned model's capacity rule: request slots per instance
//! `floor(vCPU × slots_per_vCPU)`, at least 1, busy at the target utilization `u`, each request
//! holding a slot for its service time `s`). The crossing is found exactly: step by step over
//! instance counts, a binary search within the first step whose serverless cost at its top
//! exceeds the server's; where both costs grow linearly (serverless past its free grants, server
//! per instance) the steps that cannot hold the crossing are skipped, and past 64 steps with no
//! such rule the search gallops and bisects back (exact where the gap grows monotonically with
//! the instance count). Every cost comes from the cost engine through the caller's closures.

use anyhow::{anyhow, Context};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;

use crate::config::{Commitment, ProvisionedOption, ServerlessOption, Strategy};
use crate::cost::price_usage;
use crate::eval::provisioned::{fleet_spec_in, price_fleet};
use crate::eval::serverless::price;
use crate::eval::Plan;
use crate::money::Money;
use crate::pricing::{Catalog, PriceTable};
use crate::sim::provisioned::{Percentiles, ProvisionedOutcome};
use crate::units::MS_PER_MONTH;
use crate::usage::{InstanceUsage, Usage};

/// The most requests a month searched (10^15, the `cost` command's bound).
pub const MAX_REQUESTS_PER_MONTH: u64 = crate::cli::MAX_MONTHLY_COUNT;

/// How many requests a server fleet carries per instance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ServerCapacity {
    /// vCPUs per instance.
    pub vcpu: f64,
    /// Concurrent requests one vCPU serves.
    pub slots_per_vcpu: f64,
    /// Share of the slots busy at the sizing point (0–1].
    pub target_utilization: f64,
    /// Fewest instances, whatever the traffic (at least 1).
    pub min_instances: u32,
    /// Service time of one request on the server, ms.
    pub service_ms: f64,
    /// The period the requests arrive in, ms (a 730-hour month).
    pub period_ms: u64,
    /// What the fleet is sized for, as a multiple of the mean load: 1 for the mean (autoscaled,
    /// or the `breakeven` command), the busiest minute's ratio to the mean for a fleet sized
    /// for the peak.
    pub sizing_factor: f64,
    /// Instances on top for availability (N+1).
    pub spare_instances: u32,
}

impl ServerCapacity {
    /// Request slots of one instance: `floor(vCPU × slots_per_vCPU)`, at least 1.
    pub fn slots_per_instance(&self) -> f64 {
        (self.vcpu * self.slots_per_vcpu).floor().max(1.0)
    }

    /// Instances `requests` a period need: `max(min, ceil(requests × s × sizing / (period ×
    /// slots × u)) + spare)`, as the fleet model sizes a static fleet.
    pub fn instances(&self, requests: u64) -> u32 {
        let busy_ms = requests as f64 * self.service_ms * self.sizing_factor;
        let per_instance_ms = self.period_ms as f64 * self.slots_per_instance() * self.target_utilization;
        ((busy_ms / per_instance_ms).ceil() as u32)
            .saturating_add(self.spare_instances)
            .max(self.min_instances)
            .max(1)
    }

    /// The most requests `k` instances carry (`instances(n) ≤ k` for every `n` up to it; 0 when
    /// even no traffic needs more): a bisection over `0..=MAX_REQUESTS_PER_MONTH`, since
    /// `instances` never falls as traffic grows (a walk from the closed form's estimate could
    /// take 10¹⁵ steps where the instance count saturates).
    pub fn max_requests(&self, k: u32) -> u64 {
        if self.instances(0) > k {
            return 0;
        }
        let (mut fits, mut over) = (0u64, MAX_REQUESTS_PER_MONTH);
        if self.instances(over) <= k {
            return over;
        }
        while over - fits > 1 {
            let mid = fits + (over - fits) / 2;
            if self.instances(mid) <= k {
                fits = mid;
            } else {
                over = mid;
            }
        }
        fits
    }

    /// The rule as a formula: `instances = max(1, ceil(N × 100.0 ms / (730 h × 4 slots × 60%)))`.
    pub fn rule(&self) -> String {
        let sizing = if self.sizing_factor == 1.0 {
            String::new()
        } else {
            format!(" × {:.2} (peak/mean)", self.sizing_factor)
        };
        let spare = if self.spare_instances == 0 {
            String::new()
        } else {
            format!(" + {} spare", self.spare_instances)
        };
        format!(
            "instances = max({}, ceil(N × {:.1} ms{sizing} / ({:.0} h × {} slots × {:.0}%)){spare})",
            self.min_instances,
            self.service_ms,
            self.period_ms as f64 / 3_600_000.0,
            self.slots_per_instance(),
            self.target_utilization * 100.0
        )
    }

    /// Where the slots come from: `4 slots = floor(2 vCPU × 2.00 per vCPU)`.
    pub fn slots_rule(&self) -> String {
        format!(
            "{} slots = floor({} vCPU × {:.2} per vCPU), at least 1",
            self.slots_per_instance(),
            self.vcpu,
            self.slots_per_vcpu
        )
    }
}

/// Where (and whether) a server option becomes cheaper.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakEven {
    /// The smallest requests a month at which the server costs less (`None`: not up to
    /// `searched_up_to_requests`).
    pub requests_per_month: Option<u64>,
    /// Instances at that traffic.
    pub instances: Option<u32>,
    /// Serverless monthly cost there.
    pub serverless_monthly_usd: Option<Money>,
    /// Server monthly cost there.
    pub server_monthly_usd: Option<Money>,
    /// The largest traffic searched.
    pub searched_up_to_requests: u64,
    /// Why the search stopped without a crossing, when it did.
    pub no_crossing_reason: Option<String>,
}

/// How far two consecutive steps of the server cost may differ, in micro-dollars, and still
/// count as linear.
const LINEAR_TOLERANCE_MICRO: i64 = 4;

/// Instance steps walked one by one before galloping (when no rule lets the search skip).
const EXACT_STEPS: u32 = 64;

/// Instance steps looked at, at most, before giving up (each prices both sides).
const MAX_STEPS: u32 = 100_000;

/// The largest fleet the search prices: far beyond any real fleet, and far below where
/// `ServerCapacity::instances` would saturate at `u32::MAX`.
const MAX_INSTANCES: u32 = 100_000_000;

fn no_crossing(max_requests: u64, reason: String) -> BreakEven {
    BreakEven {
        requests_per_month: None,
        instances: None,
        serverless_monthly_usd: None,
        server_monthly_usd: None,
        searched_up_to_requests: max_requests,
        no_crossing_reason: Some(reason),
    }
}

/// The smallest `n` in `lo..=hi` with `serverless(n) > server(k, n)`, given that it holds at
/// `hi` (the difference is monotone in traffic within a step).
fn first_above(
    lo: u64,
    hi: u64,
    k: u32,
    serverless: &mut impl FnMut(u64) -> anyhow::Result<Money>,
    server: &mut impl FnMut(u32, u64) -> anyhow::Result<Money>,
) -> anyhow::Result<u64> {
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if serverless(mid)? > server(k, mid)? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

/// Finds the smallest monthly traffic (up to `max_requests`) at which `server(instances,
/// requests)` is below `serverless(requests)`. Both closures return monthly costs from the cost
/// engine; the server's may grow with requests too (a load balancer's capacity units), more
/// slowly than the serverless cost, so that within a step the difference is monotone. The
/// first 64 steps are walked one by one (or skipped where a rule proves they hold no
/// crossing); past them, where no rule applies, the search gallops (strides 1, 2, 4, …) and
/// bisects a crossing back to its first step: exact where the cost gap grows monotonically
/// with the instance count.
pub fn find_break_even(
    cap: &ServerCapacity,
    max_requests: u64,
    mut serverless: impl FnMut(u64) -> anyhow::Result<Money>,
    mut server: impl FnMut(u32, u64) -> anyhow::Result<Money>,
) -> anyhow::Result<BreakEven> {
    if !(cap.service_ms > 0.0 && cap.target_utilization > 0.0 && cap.target_utilization <= 1.0 && cap.vcpu > 0.0) {
        return Err(anyhow!(
            "server capacity needs a service time > 0, vCPUs > 0 and a target utilization in (0, 1]"
        ));
    }
    let mut lo = 0u64;
    let mut steps = 0u32;
    // (k, gap at the top of step k, server cost of k) of the previous step, for skipping.
    let mut prev: Option<(u32, i64, Money)> = None;
    // The last step whose top has the server no cheaper, and the stride of the gallop.
    let mut last_below: Option<u32> = None;
    let mut stride = 1u32;
    let mut k = cap.instances(0);
    loop {
        let hi = cap.max_requests(k).min(max_requests);
        let server_usd = server(k, hi)?;
        let top = serverless(hi)?;
        if top > server_usd {
            // Jumped over steps (skip or gallop): the first step whose top has the server
            // cheaper lies after the last one seen without; bisect on the step.
            let (mut k, mut lo) = (k, lo);
            if let Some(mut below) = last_below.filter(|&b| b + 1 < k) {
                let mut above = k;
                while above - below > 1 {
                    let mid = below + (above - below) / 2;
                    let top_mid = cap.max_requests(mid).min(max_requests);
                    if serverless(top_mid)? > server(mid, top_mid)? {
                        above = mid;
                    } else {
                        below = mid;
                    }
                }
                k = above;
                lo = cap.max_requests(below).min(max_requests) + 1;
            }
            let hi = cap.max_requests(k).min(max_requests);
            let n = first_above(lo, hi, k, &mut serverless, &mut server)?;
            return Ok(BreakEven {
                requests_per_month: Some(n),
                instances: Some(cap.instances(n)),
                serverless_monthly_usd: Some(serverless(n)?),
                server_monthly_usd: Some(server(k, n)?),
                searched_up_to_requests: max_requests,
                no_crossing_reason: None,
            });
        }
        last_below = Some(k);
        if hi >= max_requests {
            return Ok(no_crossing(
                max_requests,
                format!(
                    "serverless stays cheaper up to {} requests a month",
                    crate::units::group_thousands(max_requests)
                ),
            ));
        }
        if k >= MAX_INSTANCES {
            return Ok(no_crossing(
                max_requests,
                format!(
                    "not found up to {} instances ({} requests a month)",
                    crate::units::group_thousands(u64::from(k)),
                    crate::units::group_thousands(hi)
                ),
            ));
        }
        steps += 1;
        if steps > MAX_STEPS {
            return Ok(no_crossing(
                max_requests,
                format!("not found within {MAX_STEPS} instance steps (up to {} instances)", k),
            ));
        }
        let gap = top.micro() - server_usd.micro(); // ≤ 0
        let mut next = k + 1;
        if let Some((pk, pgap, pserver)) = prev {
            // Past the free grants (serverless marginal cost then only falls with volume: tiers)
            // and with a server cost linear in instances, the gap grows by at most its last
            // increment per step, so no step before k + (−gap) / increment holds the crossing.
            // Linear up to a few micro-dollars: a load balancer's per-request part moves with
            // step widths that differ by a request or two.
            let server_step = server_usd.micro() - pserver.micro();
            let linear = pk + 1 == k
                && (server(k + 1, cap.max_requests(k + 1).min(max_requests))?.micro()
                    - server_usd.micro()
                    - server_step)
                    .abs()
                    <= LINEAR_TOLERANCE_MICRO;
            let marginal = serverless(lo)?.micro() - serverless(lo.saturating_sub(1))?.micro();
            // Step widths differ by a request or two: allow that much slack.
            let slack = 2 * (serverless(hi + 1)?.micro() - top.micro()).max(1);
            let increment = gap - pgap;
            if linear && marginal > 0 {
                if increment + slack <= 0 {
                    return Ok(no_crossing(
                        max_requests,
                        format!(
                            "never: from {k} instances on, each further instance costs at least as much as the \
                             serverless cost of the requests it carries, so the gap only widens"
                        ),
                    ));
                }
                let skip = (-gap) / (increment + slack);
                if skip > 2 {
                    next = k.saturating_add(u32::try_from(skip - 1).unwrap_or(u32::MAX));
                }
            }
        }
        if next == k + 1 && steps > EXACT_STEPS {
            // No rule lets us skip (free grants, a server cost that is not linear): gallop,
            // doubling the stride; a crossing found is bisected back to its first step.
            next = k.saturating_add(stride);
            stride = stride.saturating_mul(2);
        }
        let next = next.min(MAX_INSTANCES);
        prev = (next == k + 1).then_some((k, gap, server_usd));
        lo = if next == k + 1 {
            hi + 1
        } else {
            cap.max_requests(next - 1).min(max_requests) + 1
        };
        k = cap.instances(lo).max(next);
    }
}

/// Monthly cost of `k` instances of `instance_type` all month (with `commitment`), from its
/// price table.
pub fn instances_monthly(
    table: &PriceTable,
    opts: &crate::cost::CostOptions,
    instance_type: &str,
    k: u32,
) -> anyhow::Result<Money> {
    let usage = Usage {
        period_ms: MS_PER_MONTH,
        functions: vec![],
        instances: vec![InstanceUsage {
            instance_type: instance_type.to_string(),
            instance_ms: k as u64 * MS_PER_MONTH,
            launches: k as u64,
            stacked: Vec::new(),
        }],
    };
    let bill = price_usage(&usage, table, opts).with_context(|| format!("pricing {k} × {instance_type}"))?;
    if !bill.complete() {
        return Err(anyhow!(
            "{} cannot price {k} × '{instance_type}': {}",
            table.id,
            bill.unpriced_reasons()
        ));
    }
    Ok(Money::from_usd(bill.total(), "server cost")?)
}

/// The capacity of a provisioned option (its instance type's vCPUs from `catalog`, request
/// slots per vCPU its own or 1 / `cpu_bound_fraction`), for requests of `service_ms` each over a month.
pub fn option_capacity(
    catalog: &Catalog,
    cpu_bound_fraction: f64,
    opt: &ProvisionedOption,
    service_ms: f64,
) -> anyhow::Result<ServerCapacity> {
    let fleet = fleet_spec_in(catalog, cpu_bound_fraction, opt)?;
    Ok(ServerCapacity {
        vcpu: fleet.vcpu,
        slots_per_vcpu: fleet.slots_per_vcpu,
        target_utilization: opt.target_utilization,
        min_instances: opt.min_instances.max(1),
        service_ms,
        period_ms: MS_PER_MONTH,
        sizing_factor: 1.0,
        spare_instances: 0,
    })
}

/// Break-even of one (serverless, server) pair of an `analyze` run, on the run's own bills.
/// `usage` is the serverless option's simulated usage over the plan's window
/// (`eval::serverless::run`), scaled in traffic with `Usage::scaled_traffic` and priced by
/// `eval::serverless::price` (platform, front door, logs). The server side is
/// `eval::provisioned::price_fleet` for a fleet of k instances all window (committed when the
/// option has a commitment: instances, load balancer for the requests, control plane, ops),
/// k from the capacity rule for the usage's mean execution time as the service time; a
/// static-peak fleet is sized for `peak_to_mean` times the mean load, with its spares.
/// `known` memoizes the serverless option's monthly cost by requests a month (a pure function
/// of the usage and the plan): the searches of one serverless option's pairs ask for the same
/// traffic again and again (each step's neighbours, shared step tops), and each answer scales
/// and prices the whole usage.
pub fn pair_break_even(
    plan: &Plan,
    serverless: &ServerlessOption,
    usage: &Usage,
    provisioned: &ProvisionedOption,
    peak_to_mean: f64,
    known: &ServerlessCosts,
) -> anyhow::Result<(BreakEven, ServerCapacity)> {
    let requests: u64 = usage.functions.iter().map(|g| g.requests).sum();
    let executed_ms: u64 = usage
        .functions
        .iter()
        .map(|g| g.on_demand_duration_ms.sum_ms() + g.provisioned_duration_ms.sum_ms())
        .sum();
    if requests == 0 || usage.period_ms == 0 {
        return Err(anyhow!(
            "option '{}': the usage has no requests to scale",
            serverless.id
        ));
    }
    let to_month = MS_PER_MONTH as f64 / usage.period_ms as f64;
    let monthly_requests = requests as f64 * to_month;
    let mut cap = option_capacity(
        &plan.catalog,
        plan.scenario.cpu_bound_fraction,
        provisioned,
        executed_ms as f64 / requests as f64,
    )?;
    // As the option sizes its fleet: a static one for the busiest minute with its spares.
    if provisioned.strategy == Strategy::StaticPeak {
        cap.sizing_factor = peak_to_mean.max(1.0);
        cap.spare_instances = provisioned.spare_instances;
    }
    let serverless_usd = |n: u64| -> anyhow::Result<Money> {
        if let Some(&usd) = known
            .lock()
            .map_err(|_| anyhow!("a break-even search panicked"))?
            .get(&n)
        {
            return Ok(usd);
        }
        let (bill, _) = price(plan, serverless, &usage.scaled_traffic(n as f64 / monthly_requests))?;
        let usd = Money::from_usd(bill.total(), "serverless cost")?;
        known
            .lock()
            .map_err(|_| anyhow!("a break-even search panicked"))?
            .insert(n, usd);
        Ok(usd)
    };
    let minutes = plan.period_ms().div_ceil(crate::units::MS_PER_MINUTE) as usize;
    let server_usd = |k: u32, n: u64| -> anyhow::Result<Money> {
        let outcome = ProvisionedOutcome {
            usage: InstanceUsage {
                instance_type: provisioned.instance_type.clone(),
                instance_ms: k as u64 * plan.period_ms(),
                launches: k as u64,
                stacked: Vec::new(),
            },
            instances_per_minute: vec![k; minutes],
            utilization: None,
            queueing_ms: Percentiles::default(),
            latency_ms: Percentiles::default(),
            slo_violation_minutes: 0,
            peak_instances: k,
            mean_instances: k as f64,
            backlog_at_end_requests: 0.0,
            overloaded_minutes: 0,
        };
        let committed = match provisioned.commitment {
            Commitment::OnDemand => 0,
            Commitment::Term(_) => k,
        };
        let window_requests = (n as f64 / to_month).round() as u64;
        let bill = price_fleet(plan, provisioned, &outcome, committed, window_requests)?;
        Ok(Money::from_usd(bill.total(), "server cost")?)
    };
    Ok((
        find_break_even(&cap, MAX_REQUESTS_PER_MONTH, serverless_usd, server_usd)?,
        cap,
    ))
}

/// A serverless option's monthly cost by requests a month, shared by the searches of its pairs.
pub type ServerlessCosts = Mutex<HashMap<u64, Money>>;

/// Where a server option of the scenario becomes cheaper than a serverless one, in `analyze`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairBreakEven {
    /// The serverless option.
    pub serverless: String,
    /// The server option.
    pub provisioned: String,
    /// Today's requests a month (the traced window scaled to a 730-hour month).
    pub requests_per_month_today: u64,
    /// The smallest requests a month at which the server option costs less (null: none up to
    /// the searched traffic).
    pub requests_per_month: Option<u64>,
    /// That traffic as a multiple of today's.
    pub traffic_multiple: Option<f64>,
    /// Instances the server option runs there.
    pub instances: Option<u32>,
    /// Serverless monthly cost there.
    pub serverless_monthly_usd: Option<Money>,
    /// Server monthly cost there.
    pub server_monthly_usd: Option<Money>,
    /// The server option's capacity rule.
    pub capacity_rule: String,
    /// Why there is no crossing, when there is none.
    pub note: Option<String>,
}

/// Break-even traffic of every (simulated serverless option, server option) pair of an
/// evaluated plan, in the scenario's order. Serverless options that break a platform limit have
/// no usage to scale and are left out.
pub fn analyze_pairs(plan: &Plan, evals: &[crate::eval::Evaluation]) -> anyhow::Result<Vec<PairBreakEven>> {
    // The workload's busiest minute over its mean, measured once for every static-peak pair.
    let peak_to_mean = crate::fit::features::of_workload(&plan.workload)
        .peak_to_mean
        .unwrap_or(1.0);
    // Each simulated serverless option with its usage, today's requests a month and its costs
    // found so far (shared by its pairs).
    let mut sides = Vec::new();
    for s in &plan.scenario.serverless {
        let Some(usage) = evals
            .iter()
            .find(|e| e.id == s.id)
            .and_then(|e| e.behaviour.as_ref())
            .and_then(|b| b.serverless_usage.as_ref())
        else {
            continue;
        };
        let requests: u64 = usage.functions.iter().map(|g| g.requests).sum();
        if requests == 0 || usage.period_ms == 0 {
            continue;
        }
        let today = (requests as f64 * MS_PER_MONTH as f64 / usage.period_ms as f64).round() as u64;
        sides.push((s, usage, today, ServerlessCosts::default()));
    }
    // The pairs are searched in parallel and collected in the scenario's order: each search is
    // exact and its costs a pure function of the traffic, so the result does not depend on the
    // thread count or on which search priced a traffic first.
    let pairs: Vec<_> = sides
        .iter()
        .flat_map(|side| plan.scenario.provisioned.iter().map(move |p| (side, p)))
        .collect();
    pairs
        .par_iter()
        .map(|&(&(s, usage, today, ref known), p)| {
            let (b, cap) = pair_break_even(plan, s, usage, p, peak_to_mean, known)?;
            Ok(PairBreakEven {
                serverless: s.id.clone(),
                provisioned: p.id.clone(),
                requests_per_month_today: today,
                requests_per_month: b.requests_per_month,
                traffic_multiple: b.requests_per_month.map(|n| n as f64 / today.max(1) as f64),
                instances: b.instances,
                serverless_monthly_usd: b.serverless_monthly_usd,
                server_monthly_usd: b.server_monthly_usd,
                capacity_rule: cap.rule(),
                note: b.no_crossing_reason,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::{uniform_group, CostOptions};
    use crate::usage::Arch;

    /// 500 requests per instance over the period: 1 vCPU, 1 slot, 100 % utilization, 1 s each,
    /// a 500 s period.
    fn small(min_instances: u32) -> ServerCapacity {
        ServerCapacity {
            vcpu: 1.0,
            slots_per_vcpu: 1.0,
            target_utilization: 1.0,
            min_instances,
            service_ms: 1000.0,
            period_ms: 500_000,
            sizing_factor: 1.0,
            spare_instances: 0,
        }
    }

    fn micro(m: i64) -> anyhow::Result<Money> {
        Ok(Money::from_micro(m))
    }

    /// A server cost that is not quite linear (a few micro-dollars of noise per step) and a
    /// serverless cost that never catches up: no rule can skip, so the search gallops. It must
    /// answer "no crossing" after a few hundred prices, not walk 100,000 steps (it took minutes
    /// in `analyze` before): 1 µ$ a request, 500 requests an instance, against 1,000 µ$ an
    /// instance. With a crossing far out, the gallop bisects back to what a one-by-one walk
    /// gives.
    #[test]
    fn a_search_no_rule_can_skip_gallops_and_stays_exact() {
        let calls = std::cell::Cell::new(0u64);
        let noise = |k: u32| i64::from(k % 7);
        let never = find_break_even(
            &small(1),
            1_000_000_000,
            |n| {
                calls.set(calls.get() + 1);
                micro(n as i64)
            },
            |k, _| {
                calls.set(calls.get() + 1);
                micro(1_000 * i64::from(k) + noise(k))
            },
        )
        .unwrap();
        assert!(never.requests_per_month.is_none(), "{never:?}");
        assert!(calls.get() < 2_000, "{} prices", calls.get());
        // Far out: serverless 2.2 µ$ a request (1,100 per full instance) against 1,000 µ$ an
        // instance plus 50,000 fixed: the gap closes by about 100 µ$ a step, past the 64 steps
        // walked one by one.
        let serverless = |n: u64| micro((2 * n + n / 5) as i64);
        let server = |k: u32, _n: u64| micro(1_000 * i64::from(k) + 50_000 + noise(k));
        let found = find_break_even(&small(1), 1_000_000_000, serverless, server).unwrap();
        let cap = small(1);
        let walked = (1..)
            .map(|k: u32| (k, cap.max_requests(k)))
            .find(|&(k, hi)| serverless(hi).unwrap() > server(k, hi).unwrap())
            .map(|(k, hi)| {
                let lo = cap.max_requests(k - 1) + 1;
                (lo..=hi)
                    .find(|&n| serverless(n).unwrap() > server(k, n).unwrap())
                    .unwrap()
            });
        assert_eq!(found.requests_per_month, walked);
    }

    /// Found on a generated 1,000-function day: the gallop doubled the fleet past 2³² (the
    /// instance count saturated at u32::MAX), and `max_requests` then walked request by request
    /// from 2.1 × 10¹² towards 10¹⁵ — `analyze` ran for half an hour. With 500 requests an
    /// instance and a serverless cost that never catches up, the search stops at the
    /// 100,000,000-instance cap (5 × 10¹⁰ requests) after a bounded number of prices.
    #[test]
    fn a_gallop_stops_at_the_instance_cap_instead_of_saturating() {
        let calls = std::cell::Cell::new(0u64);
        let never = find_break_even(
            &small(1),
            MAX_REQUESTS_PER_MONTH,
            |_| {
                calls.set(calls.get() + 1);
                micro(0)
            },
            |k, _| {
                calls.set(calls.get() + 1);
                micro(1_000 * i64::from(k) + i64::from(k % 7))
            },
        )
        .unwrap();
        assert_eq!(never.requests_per_month, None);
        let reason = never.no_crossing_reason.unwrap();
        assert!(
            reason.contains("100,000,000 instances (50,000,000,000 requests a month)"),
            "{reason}"
        );
        assert!(calls.get() < 2_000, "{} prices", calls.get());
        // The bisection agrees with the closed form at step edges, and at the top.
        let cap = small(1);
        assert_eq!(cap.max_requests(100_000_000), 50_000_000_000);
        assert_eq!(cap.instances(50_000_000_001), 100_000_001);
        assert_eq!(cap.max_requests(0), 0);
        assert_eq!(small(3).max_requests(2), 0);
    }

    #[test]
    fn the_capacity_rule_steps() {
        let c = small(1);
        assert_eq!((c.instances(0), c.instances(500), c.instances(501)), (1, 1, 2));
        assert_eq!((c.max_requests(1), c.max_requests(3)), (500, 1500));
        // m7g.large at f = 0.5: 2 vCPU × 2 slots = 4 slots; at 60 %, 100 ms requests:
        // 2,628,000,000 ms × 4 × 0.6 / 100 ms = 63,072,000 requests per instance.
        let m7g = ServerCapacity {
            vcpu: 2.0,
            slots_per_vcpu: 2.0,
            target_utilization: 0.6,
            min_instances: 1,
            service_ms: 100.0,
            period_ms: MS_PER_MONTH,
            sizing_factor: 1.0,
            spare_instances: 0,
        };
        assert_eq!(m7g.max_requests(1), 63_072_000);
        assert_eq!(m7g.instances(63_072_001), 2);
        // Sized for a peak twice the mean with one spare: one sized instance carries half,
        // 31,536,000 requests (2.628e9 ms × 4 slots × 0.6 / (100 ms × 2)); one more needs a
        // second, plus the spare.
        let peak = ServerCapacity {
            sizing_factor: 2.0,
            spare_instances: 1,
            ..m7g
        };
        assert_eq!(peak.instances(0), 1);
        assert_eq!(peak.max_requests(2), 31_536_000);
        assert_eq!(peak.instances(31_536_001), 3);
        assert!(
            peak.rule().contains("× 2.00 (peak/mean)") && peak.rule().ends_with("+ 1 spare)"),
            "{}",
            peak.rule()
        );
        assert_eq!(
            m7g.rule(),
            "instances = max(1, ceil(N × 100.0 ms / (730 h × 4 slots × 60%)))"
        );
        assert_eq!(m7g.slots_rule(), "4 slots = floor(2 vCPU × 2.00 per vCPU), at least 1");
    }

    #[test]
    fn the_crossing_is_exact_within_a_step() {
        // Serverless 3 µ$ a request, a server 1,000 µ$ an instance of 500 requests: 3 × 333 = 999
        // ≤ 1,000 < 3 × 334 = 1,002, so the crossing is 334 requests on 1 instance.
        let b = find_break_even(
            &small(1),
            10_000,
            |n| micro(3 * n as i64),
            |k, _| micro(1000 * k as i64),
        )
        .unwrap();
        assert_eq!((b.requests_per_month, b.instances), (Some(334), Some(1)));
        // Three instances at least: 3,000 µ$ until 1,500 requests; 3 × 1,001 = 3,003 > 3,000.
        let b = find_break_even(
            &small(3),
            10_000,
            |n| micro(3 * n as i64),
            |k, _| micro(1000 * k as i64),
        )
        .unwrap();
        assert_eq!((b.requests_per_month, b.instances), (Some(1001), Some(3)));
        // Serverless cheaper per request than a full instance (1 µ$ vs 2 µ$): never, and said why.
        let b = find_break_even(
            &small(1),
            10u64.pow(15),
            |n| micro(n as i64),
            |k, _| micro(1000 * k as i64),
        )
        .unwrap();
        assert_eq!(b.requests_per_month, None);
        assert!(b.no_crossing_reason.unwrap().starts_with("never"));
    }

    #[test]
    fn skipped_steps_never_skip_the_crossing() {
        // A server 999,000 µ$ an instance of 500 requests (1,998 µ$ a request) against serverless
        // at 2,000 µ$ a request after a first step's free 400 requests: the gap closes by 1,000 µ$
        // per step: at the top of step k serverless is 2,000 × (500k − 400) = 10^6 k − 800,000 µ$,
        // above 999,000 k from k = 801; within it 2,000 × (N − 400) > 800,199,000 from N = 400,500.
        // Also checked against a plain scan of every request.
        let serverless = |n: u64| micro(2000 * n.saturating_sub(400) as i64);
        let server = |k: u32, _: u64| micro(999_000 * k as i64);
        let b = find_break_even(&small(1), 10_000_000, serverless, server).unwrap();
        let n = b.requests_per_month.unwrap();
        let cap = small(1);
        let cheaper = |n: u64| serverless(n).unwrap() > server(cap.instances(n), n).unwrap();
        assert!(cheaper(n));
        let first = (0..n).find(|&m| cheaper(m));
        assert_eq!(first, None, "a crossing before {n}");
        assert_eq!((n, b.instances), (400_500, Some(801)));
    }

    #[test]
    fn lambda_against_m7g_large_by_hand() {
        // Lambda x86, 100 ms at 1,024 MB: $0.20 / 10^6 + 0.1 s × 1 GB × $0.0000166667 =
        // $0.00000186667 a request. m7g.large on demand: $0.0816 × 730 h = $59.568 a month,
        // carrying 63,072,000 requests (see above), so one instance suffices and the crossing is
        // $59.568 / $0.00000186667 = 31,911,372 requests a month (within 1 %).
        let catalog = Catalog::embedded().unwrap();
        let lambda = catalog.get("aws-lambda").unwrap();
        let ec2 = catalog.get("aws-ec2").unwrap();
        let opts = CostOptions::default();
        let cap = ServerCapacity {
            vcpu: 2.0,
            slots_per_vcpu: 2.0,
            target_utilization: 0.6,
            min_instances: 1,
            service_ms: 100.0,
            period_ms: MS_PER_MONTH,
            sizing_factor: 1.0,
            spare_instances: 0,
        };
        let serverless = |n: u64| {
            let usage = Usage {
                period_ms: MS_PER_MONTH,
                functions: vec![uniform_group(1024, Arch::X86, n, 100)],
                instances: vec![],
            };
            Ok(Money::from_usd(price_usage(&usage, lambda, &opts)?.total(), "t")?)
        };
        let server = |k: u32, _: u64| instances_monthly(ec2, &opts, "m7g.large", k);
        let b = find_break_even(&cap, MAX_REQUESTS_PER_MONTH, serverless, server).unwrap();
        let n = b.requests_per_month.unwrap() as f64;
        assert!((n / 31_911_372.0 - 1.0).abs() < 0.01, "{n}");
        assert_eq!(b.instances, Some(1));
        assert_eq!(b.server_monthly_usd, Some(Money::from_micro(59_568_000)));
    }

    #[test]
    fn an_analyze_pair_uses_the_runs_own_bills() {
        // The default scenario (HTTP API front door, 300 log bytes per request, no free tier)
        // with its lambda-x86 option at 100 ms and 1,024 MB, against ec2-m7g-autoscale
        // (m7g.large on demand, at least 2, 60 %, f 0.5, behind an ALB). By hand, per request:
        // Lambda $0.20/10^6 + 0.1 s × 1 GB × $0.0000166667 = $0.00000186667; HTTP API $1.00/10^6;
        // logs 300 B / 2^30 × ($0.50 ingestion + $0.03 storage) = $0.00000014808; together
        // $0.00000301475. Two instances: 2 × $0.0816 × 730 = $119.136, ALB $0.0225 × 730 =
        // $16.425, public IPv4 addresses (2 servers in public subnets + 2 of the ALB) 4 × 730 h ×
        // $0.005 = $14.60, LCU-hours N / 25 per s × 730 h / 2,628,000 s = N / 90,000 at $0.008 =
        // $0.0000000888889 N. Crossing: $150.161 / ($0.00000301475 − $0.0000000888889) =
        // 51,322,000 requests a month (two instances carry 126,144,000).
        let scenario = crate::config::Scenario::default_scenario();
        let server = scenario
            .provisioned
            .iter()
            .find(|p| p.id == "ec2-m7g-autoscale")
            .unwrap()
            .clone();
        let lambda = scenario
            .serverless
            .iter()
            .find(|p| p.id == "lambda-x86")
            .unwrap()
            .clone();
        let plan = Plan {
            scenario,
            scenario_label: "test".into(),
            workload: crate::trace::Workload {
                functions: vec![],
                window_start_ms: 0,
                window_end_ms: MS_PER_MONTH,
                sources: vec![],
                warnings: vec![],
            }
            .into(),
            trace_files: vec![],
            catalog: Catalog::embedded().unwrap(),
            what_if: crate::eval::WhatIf::default(),
            replays: None,
        };
        let usage = Usage {
            period_ms: MS_PER_MONTH,
            functions: vec![uniform_group(1024, Arch::X86, 10_000_000, 100)],
            instances: vec![],
        };
        let (b, cap) = pair_break_even(&plan, &lambda, &usage, &server, 1.0, &ServerlessCosts::default()).unwrap();
        assert_eq!(
            (cap.min_instances, cap.slots_per_instance(), cap.service_ms),
            (2, 4.0, 100.0)
        );
        let n = b.requests_per_month.unwrap() as f64;
        assert!((n / 51_322_000.0 - 1.0).abs() < 0.01, "{n}");
        assert_eq!(b.instances, Some(2));
        let server_usd = b.server_monthly_usd.unwrap().to_f64();
        assert!(
            (server_usd - (150.161 + n / 90_000.0 * 0.008)).abs() < 0.01,
            "{server_usd}"
        );
    }
}
