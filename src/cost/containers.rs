//! Serverless container platforms that bill instance (replica) time by state rather than
//! request time: AWS App Runner (memory of every instance while it exists, vCPU only while it
//! processes requests) and Azure Container Apps, Consumption plan (vCPU-s and GiB-s of every
//! running replica at the active rate, minimum replicas at the idle rate while the revision sits
//! at its minimum and they serve nothing; plus requests). Minimum instances are the usage's
//! provisioned periods; instances above them are the on-demand busy and idle time the
//! simulator replays. Sources: pricing/aws-app-runner.toml, pricing/azure-container-apps.toml.

use super::meter::{Meter, MB_MS_PER_GB_S, MILLI_VCPU_MS_PER_VCPU_S, MS_PER_HOUR_U};
use super::CostError;
use crate::usage::{FunctionGroupUsage, Usage};

/// Instance time of one function group on a container platform, ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ContainerMs {
    /// Minimum (provisioned) instances' time: Σ level × period.
    pub provisioned_ms: u128,
    /// Of it, the time they are active: the simulator's active time of the minimum instances
    /// (else, for aggregate usage, their requests' durations: an upper bound, requests
    /// overlapping on one instance counting once each), plus, where the platform bills every
    /// replica active while the revision is above its minimum, the most minimum instances ×
    /// the time instances above the minimum exist; at most `provisioned_ms`.
    pub provisioned_active_ms: u128,
    /// Instances above the minimum, processing requests (init included).
    pub on_demand_busy_ms: u128,
    /// Instances above the minimum, warm and idle until removed.
    pub on_demand_idle_ms: u128,
}

impl ContainerMs {
    /// The instance time of `g`. `above_minimum_all_active`: every replica bills the active
    /// rate while any instance above the minimum runs (Container Apps). Without the
    /// simulator's busy periods (aggregate usage from `cost`), the requests' durations and
    /// inits are taken as the busy time of instances above the minimum.
    pub fn of(g: &FunctionGroupUsage, above_minimum_all_active: bool) -> ContainerMs {
        let provisioned_ms = g.provisioned_instance_ms();
        let most_minimum = g.provisioned_periods.iter().map(|p| p.concurrency).max().unwrap_or(0) as u128;
        let on_demand_busy_ms = if g.instance_busy_ms.is_empty() {
            g.on_demand_duration_ms.sum_ms() as u128 + g.init_duration_ms.sum_ms() as u128
        } else {
            g.instance_busy_ms.sum_ms() as u128
        };
        let on_demand_idle_ms = g.instance_idle_ms as u128;
        let mut active = g
            .provisioned_busy_periods_ms
            .as_ref()
            .unwrap_or(&g.provisioned_duration_ms)
            .sum_ms() as u128;
        if above_minimum_all_active {
            active += most_minimum * (on_demand_busy_ms + on_demand_idle_ms);
        }
        ContainerMs {
            provisioned_ms,
            provisioned_active_ms: active.min(provisioned_ms),
            on_demand_busy_ms,
            on_demand_idle_ms,
        }
    }

    /// Every instance's time, ms.
    pub fn lifetime_ms(&self) -> u128 {
        self.provisioned_ms + self.on_demand_busy_ms + self.on_demand_idle_ms
    }
}

/// vCPUs of an instance of `memory_mb` in thousandths, where CPU is allocated per memory
/// (`memory_mb / mb_per_vcpu`, at most the table's largest).
/// How a minimum instance's active time was found, in words.
fn minimum_active_source(usage: &Usage) -> &'static str {
    if usage.functions.iter().any(|g| g.provisioned_busy_periods_ms.is_some()) {
        "its busy time as replayed (requests spread over the minimum instances)"
    } else {
        "its requests' time (an upper bound where requests overlap on it)"
    }
}

fn milli_vcpu(m: &Meter<'_>, memory_mb: u32) -> Result<u128, CostError> {
    let cpu = m
        .table
        .behaviour
        .as_ref()
        .and_then(|b| b.cpu)
        .ok_or_else(|| CostError::WrongModel {
            table: m.table.id.clone(),
            model: format!("{:?}", m.table.model),
            what: "instances without [behaviour] mb_per_vcpu and max_vcpu (the vCPUs of each memory size)".to_string(),
        })?;
    let milli = (memory_mb as u128 * 1_000).div_ceil(cpu.mb_per_vcpu as u128);
    Ok(milli.min((cpu.max_vcpu * 1_000.0).round() as u128))
}

/// AWS App Runner: memory GB-hours of every instance while it exists (minimum instances all
/// the time, instances above them while they run) and vCPU-hours while instances process
/// requests. No request fee, no free tier.
pub(super) fn app_runner(m: &mut Meter<'_>, usage: &Usage) -> Result<(), CostError> {
    let (mut memory_mb_ms, mut vcpu_milli_ms) = (0u128, 0u128);
    let (mut provisioned_ms, mut active_ms) = (0u128, 0u128);
    for g in &usage.functions {
        let t = ContainerMs::of(g, false);
        memory_mb_ms += g.memory_mb as u128 * t.lifetime_ms();
        let active = t.provisioned_active_ms + t.on_demand_busy_ms;
        vcpu_milli_ms += milli_vcpu(m, g.memory_mb)? * active;
        provisioned_ms += t.provisioned_ms;
        active_ms += active;
    }
    let q = m.monthly(memory_mb_ms);
    m.charge(
        "Memory (provisioned and active instances)",
        "memory",
        q,
        1_024 * MS_PER_HOUR_U,
        0,
    );
    let q = m.monthly(vcpu_milli_ms);
    m.charge("vCPU (active instances)", "active-vcpu", q, 1_000 * MS_PER_HOUR_U, 0);
    let id = m.table.id.clone();
    m.assume(format!(
        "{id}: memory billed for every instance while it exists ({:.3} instance-hours of minimum instances), vCPU \
         only while instances process requests ({:.3} instance-hours); a minimum instance's active time is {}",
        m.monthly(provisioned_ms) as f64 / MS_PER_HOUR_U as f64,
        m.monthly(active_ms) as f64 / MS_PER_HOUR_U as f64,
        minimum_active_source(usage)
    ));
    m.assume(format!(
        "{id}: active time billed as simulated (no per-second rounding or minimum charge applied: none found in \
         the stored pricing pages, unverified); build and automatic-deployment fees not priced"
    ));
    Ok(())
}

/// Azure Container Apps, Consumption plan: requests; every replica's vCPU-s and GiB-s at the
/// active rate, except minimum replicas while the revision is at its minimum and they serve
/// nothing (idle rate). One free grant per meter pair, drawn by active usage first.
pub(super) fn container_apps(m: &mut Meter<'_>, usage: &Usage) -> Result<(), CostError> {
    let (mut active_vcpu, mut active_mem, mut idle_vcpu, mut idle_mem) = (0u128, 0u128, 0u128, 0u128);
    for g in &usage.functions {
        let t = ContainerMs::of(g, true);
        let active = t.provisioned_active_ms + t.on_demand_busy_ms + t.on_demand_idle_ms;
        let idle = t.provisioned_ms - t.provisioned_active_ms;
        let milli = milli_vcpu(m, g.memory_mb)?;
        let mem = g.memory_mb as u128;
        active_vcpu += milli * active;
        active_mem += mem * active;
        idle_vcpu += milli * idle;
        idle_mem += mem * idle;
    }
    let requests: u128 = usage.functions.iter().map(|g| g.requests as u128).sum();
    let q = m.monthly(requests);
    m.charge_with_grant("Requests", "requests", q, 1);
    let mut pool = m.free_base("active-vcpu", MILLI_VCPU_MS_PER_VCPU_S);
    for (label, key, q) in [
        ("vCPU (active replicas)", "active-vcpu", m.monthly(active_vcpu)),
        ("vCPU (idle minimum replicas)", "idle-vcpu", m.monthly(idle_vcpu)),
    ] {
        let free = pool.min(q);
        pool -= free;
        m.charge_pooled(label, key, q, MILLI_VCPU_MS_PER_VCPU_S, free, "active-vcpu");
    }
    let mut pool = m.free_base("active-memory", MB_MS_PER_GB_S);
    for (label, key, q) in [
        ("Memory (active replicas)", "active-memory", m.monthly(active_mem)),
        ("Memory (idle minimum replicas)", "idle-memory", m.monthly(idle_mem)),
    ] {
        let free = pool.min(q);
        pool -= free;
        m.charge_pooled(label, key, q, MB_MS_PER_GB_S, free, "active-memory");
    }
    let id = m.table.id.clone();
    m.assume(format!(
        "{id}: every running replica billed at the active rate, except minimum replicas while the revision is at its \
         minimum and they serve no request (idle rate); a minimum replica's active time is {}, plus the time \
         replicas above the minimum run (an upper bound: where a minimum replica is busy while replicas above the \
         minimum run, that time counts twice), at most its own time",
        minimum_active_source(usage)
    ));
    m.assume(format!(
        "{id}: vCPUs = memory / 2 GiB (the Consumption plan's allocation pairs); replica time billed as simulated, \
         to the ms"
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{billed_gb_seconds, price_usage, CostOptions};
    use crate::pricing::{Catalog, PriceTable};
    use crate::units::{Usd, MS_PER_HOUR, MS_PER_MONTH};
    use crate::usage::{FunctionGroupUsage, ProvisionedPeriod, Usage};

    fn table(id: &str) -> PriceTable {
        Catalog::embedded().unwrap().get(id).unwrap().clone()
    }

    fn usd(dollars: f64) -> Usd {
        Usd::from_f64(dollars).unwrap()
    }

    /// One hour as the simulator reports it: 1 minimum instance all hour serving 3,600 requests
    /// of 500 ms (1,800 s), and instances above it busy 600 s (1,200 requests of 500 ms) and idle
    /// 300 s before removal.
    fn hour(memory_mb: u32) -> Usage {
        let mut g = FunctionGroupUsage {
            memory_mb,
            requests: 4_800,
            instance_idle_ms: 300_000,
            ..FunctionGroupUsage::default()
        };
        g.provisioned_periods.push(ProvisionedPeriod {
            concurrency: 1,
            duration_ms: MS_PER_HOUR,
        });
        g.provisioned_duration_ms.add(500, 3_600);
        g.on_demand_duration_ms.add(500, 1_200);
        g.instance_busy_ms.add(600_000, 1);
        Usage {
            period_ms: MS_PER_HOUR,
            functions: vec![g],
            instances: vec![],
        }
    }

    #[test]
    fn app_runner_bills_memory_of_every_instance_and_vcpu_while_active() {
        // 2,048 MB = 1 vCPU. Instance time 3,600 + 600 + 300 s = 4,500 s = 1.25 h an hour; × 2 GB
        // × 730 = 1,825 GB-hours × $0.007 = $12.775. Active: min(1,800 s of requests, 3,600 s) on
        // the minimum instance + 600 s busy above it = 2,400 s = 2/3 h an hour × 730 = 486.667
        // vCPU-hours × $0.064 = $31.146667. Total $43.921667.
        let b = price_usage(&hour(2_048), &table("aws-app-runner"), &CostOptions::default()).unwrap();
        assert_eq!(b.cost_of("Memory (provisioned and active instances)"), usd(12.775));
        assert_eq!(b.cost_of("vCPU (active instances)").cents(), 3_115);
        assert_eq!(b.total().cents(), 4_392);
        // Its GB-s: 4,500 s × 2 GB = 9,000 GB-s (not scaled to a month).
        let gb = billed_gb_seconds(&hour(2_048), &table("aws-app-runner"))
            .unwrap()
            .unwrap();
        assert_eq!((gb.execution_gb_seconds, gb.init_gb_seconds), (9_000.0, 0.0));
    }

    #[test]
    fn a_table_s_own_prices_hold_in_every_region_it_lists() {
        // App Runner lists four regions and Container Apps three, each at the same prices: the
        // same bills there as in the first ($43.921667 and $43.7781 above), never "not priced".
        for (id, regions, cents) in [
            ("aws-app-runner", &["us-east-2", "us-west-2", "eu-west-1"][..], 4_392),
            ("azure-container-apps", &["centralus", "northeurope"][..], 4_378),
        ] {
            let t = table(id);
            for r in regions {
                let opts = CostOptions {
                    region: Some(r.to_string()),
                    ..CostOptions::default()
                };
                let b = price_usage(&hour(if id == "aws-app-runner" { 2_048 } else { 1_024 }), &t, &opts).unwrap();
                assert!(b.complete(), "{id} in {r}");
                assert_eq!(b.total().cents(), cents, "{id} in {r}");
                assert_eq!(b.offerings[0].region, *r);
            }
        }
    }

    #[test]
    fn the_simulators_active_time_of_minimum_instances_replaces_their_requests_time() {
        // As above, but the replay measured the minimum instance active 1,200 s of the hour (its
        // 1,800 s of requests overlapping): active 1,200 + 600 = 1,800 s = 0.5 h an hour × 730
        // = 365 vCPU-hours × $0.064 = $23.36 (was $31.15); memory unchanged.
        let mut u = hour(2_048);
        let mut periods = crate::usage::MsHistogram::new();
        periods.add(600_000, 2);
        u.functions[0].provisioned_busy_periods_ms = Some(periods);
        let b = price_usage(&u, &table("aws-app-runner"), &CostOptions::default()).unwrap();
        assert_eq!(b.cost_of("vCPU (active instances)"), usd(23.36));
        assert_eq!(b.cost_of("Memory (provisioned and active instances)"), usd(12.775));
        // Traffic × 4 scales it linearly, capped at the instance's 3,600 s: 3,600 + 2,400 s.
        let grown = u.scaled_traffic(4.0);
        assert_eq!(
            grown.functions[0]
                .provisioned_busy_periods_ms
                .as_ref()
                .map(|h| h.sum_ms()),
            Some(4_800_000)
        );
        let b = price_usage(&grown, &table("aws-app-runner"), &CostOptions::default()).unwrap();
        assert_eq!(
            b.cost_of("vCPU (active instances)"),
            usd(6_000.0 / 3_600.0 * 730.0 * 0.064)
        );
    }

    #[test]
    fn app_runner_needs_a_provisioned_instance_and_a_size_it_offers() {
        let t = table("aws-app-runner");
        let mut u = hour(2_048);
        u.functions[0].provisioned_periods.clear();
        let e = price_usage(&u, &t, &CostOptions::default()).unwrap_err().to_string();
        assert!(e.contains("always keeps at least 1 provisioned instance"), "{e}");
        u.functions[0].provisioned_periods.push(ProvisionedPeriod {
            concurrency: 26,
            duration_ms: MS_PER_HOUR,
        });
        let e = price_usage(&u, &t, &CostOptions::default()).unwrap_err().to_string();
        assert!(e.contains("keeps 1 to 25 minimum instances"), "{e}");
        // 3 GB exists on App Runner only with 1 vCPU, not at 2 GB per vCPU: not offered here.
        let e = price_usage(&hour(3_072), &t, &CostOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("512, 1024, 2048, 4096 or 8192 MB"), "{e}");
    }

    #[test]
    fn container_apps_active_idle_and_requests() {
        // 1,024 MB = 0.5 vCPU, 1 GiB, one minimum replica. Its active time: min(1,800 s of its
        // requests + 1 × 900 s that replicas above the minimum run, 3,600 s) = 2,700 s; idle 900 s.
        // Active replica time 2,700 + 600 + 300 = 3,600 s an hour × 730 = 2,628,000 s:
        // vCPU 1,314,000 vCPU-s × $0.000024 = $31.536, memory 2,628,000 GiB-s × $0.000003 = $7.884.
        // Idle 900 × 730 = 657,000 s: vCPU 328,500 × $0.000003 = $0.9855, memory 657,000 ×
        // $0.000003 = $1.971. Requests 4,800 × 730 = 3,504,000 × $0.40/M = $1.4016.
        // Total $43.7781.
        let t = table("azure-container-apps");
        let b = price_usage(&hour(1_024), &t, &CostOptions::default()).unwrap();
        assert_eq!(b.cost_of("vCPU (active replicas)"), usd(31.536));
        assert_eq!(b.cost_of("Memory (active replicas)"), usd(7.884));
        assert_eq!(b.cost_of("vCPU (idle minimum replicas)"), usd(0.9855));
        assert_eq!(b.cost_of("Memory (idle minimum replicas)"), usd(1.971));
        assert_eq!(b.cost_of("Requests"), usd(1.4016));
        assert_eq!(b.total(), usd(43.7781));
        // Free grants (180,000 vCPU-s, 360,000 GiB-s, 2M requests) come off the active lines:
        // (1,314,000 − 180,000) × $0.000024 = $27.216; (2,628,000 − 360,000) × $0.000003 = $6.804;
        // 1,504,000 × $0.40/M = $0.6016; idle unchanged. Total $37.5781.
        let free = CostOptions {
            free_tier: true,
            ..CostOptions::default()
        };
        let b = price_usage(&hour(1_024), &t, &free).unwrap();
        assert_eq!(b.cost_of("vCPU (active replicas)"), usd(27.216));
        assert_eq!(b.total(), usd(37.5781));
    }

    #[test]
    fn container_apps_idle_minimum_replica_takes_the_free_grant_left() {
        // A 0.25 vCPU / 0.5 GiB minimum replica all month serving nothing: idle 2,628,000 s.
        // vCPU 657,000 − 180,000 free = 477,000 × $0.000003 = $1.431; memory 1,314,000 − 360,000
        // = 954,000 × $0.000003 = $2.862; total $4.293. (A 30-day month, 2,592,000 s, gives the
        // $1.40 + $2.81 a public repository derives from the Retail Prices API meters.)
        let mut g = FunctionGroupUsage {
            memory_mb: 512,
            ..FunctionGroupUsage::default()
        };
        g.provisioned_periods.push(ProvisionedPeriod {
            concurrency: 1,
            duration_ms: MS_PER_MONTH,
        });
        let u = Usage {
            period_ms: MS_PER_MONTH,
            functions: vec![g],
            instances: vec![],
        };
        let free = CostOptions {
            free_tier: true,
            ..CostOptions::default()
        };
        let b = price_usage(&u, &table("azure-container-apps"), &free).unwrap();
        assert_eq!(b.cost_of("vCPU (idle minimum replicas)"), usd(1.431));
        assert_eq!(b.cost_of("Memory (idle minimum replicas)"), usd(2.862));
        assert_eq!(b.total(), usd(4.293));
        // Scaled to zero with no minimum: nothing at all.
        let none = Usage {
            period_ms: MS_PER_MONTH,
            functions: vec![FunctionGroupUsage {
                memory_mb: 512,
                ..FunctionGroupUsage::default()
            }],
            instances: vec![],
        };
        let b = price_usage(&none, &table("azure-container-apps"), &free).unwrap();
        assert_eq!(b.total(), Usd::ZERO);
    }

    #[test]
    fn container_apps_without_a_minimum_bill_every_replica_second_active() {
        // No minimum replica: busy 600 s + idle (cool-down) 300 s, all active, at 2,048 MB = 1 vCPU,
        // 2 GiB: 900 × 730 = 657,000 vCPU-s × $0.000024 = $15.768, 1,314,000 GiB-s × $0.000003 =
        // $3.942; 1,200 requests × 730 = 876,000 × $0.40/M = $0.3504. Total $20.0604.
        let mut u = hour(2_048);
        let g = &mut u.functions[0];
        g.provisioned_periods.clear();
        g.provisioned_duration_ms = Default::default();
        g.requests = 1_200;
        let b = price_usage(&u, &table("azure-container-apps"), &CostOptions::default()).unwrap();
        assert_eq!(b.cost_of("vCPU (active replicas)"), usd(15.768));
        assert_eq!(b.cost_of("Memory (active replicas)"), usd(3.942));
        assert_eq!(b.total(), usd(20.0604));
        // 1,001 minimum replicas: above the 1,000 a revision may keep.
        u.functions[0].provisioned_periods.push(ProvisionedPeriod {
            concurrency: 1_001,
            duration_ms: MS_PER_HOUR,
        });
        let e = price_usage(&u, &table("azure-container-apps"), &CostOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("keeps 0 to 1000 minimum instances"), "{e}");
    }
}
