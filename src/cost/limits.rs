//! What a function platform lets one configure and run, checked before anything is priced:
//! memory (a range, a grid of sizes, or Azure Consumption's observed memory up to its
//! maximum), ephemeral storage (Lambda 512–10,240 MB) and the longest execution (the
//! `[behaviour]` timeout, else `rules.max_duration_ms`; on Cloudflare Workers the limit is on
//! CPU time). Each refusal names the platform, the limit and what is accepted; `cost`, the
//! scenario check and `simulate` share these rules.

use crate::pricing::{Model, PriceTable};
use crate::units::{group_thousands, MS_PER_MINUTE};
use crate::usage::ProvisionedPeriod;

/// Whether `table` bills observed memory (rounded up to its grain) rather than a configured
/// size: Azure Consumption, where any size up to the billed maximum is valid.
pub fn bills_observed_memory(table: &PriceTable) -> bool {
    table.rules.memory_grain_mb > 0 && table.rules.memory_maximum_mb > 0
}

/// Refuses a memory size `table`'s platform does not run: outside its range or off its step
/// (Container Apps: 512 MB steps), off its grid of sizes (Azure Flex: 512, 2,048 or 4,096 MB), above Azure Consumption's observed maximum, or
/// above the largest size of a CPU-by-memory table (Cloud Functions 1st gen: 8,192 MB).
pub fn check_memory(table: &PriceTable, memory_mb: u32) -> Result<(), String> {
    let rules = &table.rules;
    if bills_observed_memory(table) {
        return if (1..=rules.memory_maximum_mb).contains(&memory_mb) {
            Ok(())
        } else {
            Err(format!(
                "memory {memory_mb} MB: {} bills observed memory of 1 to {} MB (rounded up to {} MB); expected a \
                 size in that range",
                table.id,
                group_thousands(rules.memory_maximum_mb as u64),
                rules.memory_grain_mb
            ))
        };
    }
    if let Some(b) = &table.behaviour {
        if !b.memory.allows(memory_mb) {
            return Err(format!(
                "memory {memory_mb} MB is not configurable on {}; expected {}",
                table.id, b.memory
            ));
        }
    }
    if let Some((&largest_mb, _)) = rules.cpu_mhz_by_memory_mb.iter().next_back() {
        if memory_mb > largest_mb {
            return Err(format!(
                "memory {memory_mb} MB is above {}'s largest memory size of {} MB; expected at most {largest_mb} MB",
                table.id,
                group_thousands(largest_mb as u64)
            ));
        }
    }
    Ok(())
}

/// Refuses ephemeral storage above what `table`'s platform configures (Lambda: 10,240 MB; a
/// size below the 512 MB included bills as the included size). Tables without
/// `rules.storage_max_mb` take any size.
pub fn check_ephemeral_storage(table: &PriceTable, storage_mb: u32) -> Result<(), String> {
    let (lo, hi) = (table.rules.included_storage_mb, table.rules.storage_max_mb);
    if hi > 0 && storage_mb > hi {
        return Err(format!(
            "ephemeral storage {} MB: {} configures {} to {} MB; expected a size in that range",
            group_thousands(storage_mb as u64),
            table.id,
            group_thousands(lo as u64),
            group_thousands(hi as u64)
        ));
    }
    Ok(())
}

/// Refuses provisioned (minimum) instances `table`'s platform does not run: more than its
/// `provisioned_max` at any time (App Runner MinSize 25, Container Apps 1,000 minimum replicas),
/// or, where it always keeps some (`provisioned_min`: App Runner 1), fewer at any time of the
/// period of `period_ms` (the periods must cover it, to the minute).
pub fn check_provisioned(table: &PriceTable, periods: &[ProvisionedPeriod], period_ms: u64) -> Result<(), String> {
    let Some(b) = &table.behaviour else {
        return Ok(());
    };
    if let Some(max) = b.provisioned_max {
        if let Some(p) = periods.iter().find(|p| p.concurrency > max) {
            return Err(format!(
                "provisioned instances {}: {} keeps {} to {max} minimum instances per unit; expected at most {max}",
                p.concurrency, table.id, b.provisioned_min
            ));
        }
    }
    let min = b.provisioned_min;
    let covered_ms: u64 = periods.iter().map(|p| p.duration_ms).sum();
    let fewest = periods.iter().map(|p| p.concurrency).min().unwrap_or(0);
    if min > 0 && (fewest < min || covered_ms.saturating_add(MS_PER_MINUTE) < period_ms) {
        return Err(format!(
            "{} always keeps at least {min} provisioned instance(s) per unit (it does not scale to zero); expected \
             provisioned concurrency of {min} to {} at all times (simulate: --provisioned-concurrency; scenario: \
             provisioned_concurrency)",
            table.id,
            b.provisioned_max.map_or("any".to_string(), |m| m.to_string())
        ));
    }
    Ok(())
}

/// Refuses a per-unit instance cap `table`'s platform does not take: none (`cap` 0) or above its
/// `max_instances_limit` (App Runner's MaxSize 25), or below the `provisioned` (minimum)
/// instances, which count toward it.
pub fn check_max_instances(table: &PriceTable, cap: u32, provisioned: u32) -> Result<(), String> {
    if let Some(limit) = table.behaviour.as_ref().and_then(|b| b.max_instances_limit) {
        if cap == 0 {
            return Err(format!(
                "0 (no cap): {} scales a unit to at most {limit} instances whatever is configured; expected 1 to \
                 {limit}",
                table.id
            ));
        }
        if cap > limit {
            return Err(format!(
                "{cap} instances: {} scales a unit to at most {limit}; expected 1 to {limit}",
                table.id
            ));
        }
    }
    if cap > 0 && provisioned > cap {
        return Err(format!(
            "{cap} instances is below the {provisioned} provisioned (minimum) instances, which count toward it; \
             expected at least {provisioned}"
        ));
    }
    Ok(())
}

/// The longest execution `table`'s platform runs, ms: its `[behaviour]` timeout, else
/// `rules.max_duration_ms`; `None` when the table states neither.
pub fn max_duration_ms(table: &PriceTable) -> Option<u64> {
    table
        .behaviour
        .as_ref()
        .and_then(|b| b.timeout_ms)
        .or((table.rules.max_duration_ms > 0).then_some(table.rules.max_duration_ms))
}

/// Refuses an execution of `duration_ms` longer than the platform runs one (on Workers, the
/// duration is taken as CPU time, so the limit is the CPU-time limit).
pub fn check_duration(table: &PriceTable, duration_ms: f64) -> Result<(), String> {
    let Some(limit_ms) = max_duration_ms(table) else {
        return Ok(());
    };
    if duration_ms <= limit_ms as f64 {
        return Ok(());
    }
    let what = if table.model == Model::CloudflareWorkers {
        "its CPU-time limit per invocation; the duration is billed as CPU time"
    } else {
        "its maximum timeout"
    };
    Err(format!(
        "{} stops an invocation after {} ms ({what}); expected at most {limit_ms} ms",
        table.id,
        group_thousands(limit_ms)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::Catalog;

    fn table(id: &str) -> PriceTable {
        Catalog::embedded().unwrap().get(id).unwrap().clone()
    }

    #[test]
    fn flex_memory_is_one_of_three_sizes() {
        let t = table("azure-functions-flex");
        for ok in [512, 2_048, 4_096] {
            assert!(check_memory(&t, ok).is_ok(), "{ok}");
        }
        for bad in [128, 1_024, 1_536, 3_000, 8_192] {
            let e = check_memory(&t, bad).unwrap_err();
            assert!(e.contains("512, 2048 or 4096 MB"), "{e}");
        }
    }

    #[test]
    fn container_apps_memory_is_on_its_512_mb_steps_and_app_runner_on_its_sizes() {
        let t = table("azure-container-apps");
        for ok in [512, 1_024, 1_536, 8_192] {
            assert!(check_memory(&t, ok).is_ok(), "{ok}");
        }
        for bad in [256, 768, 1_000, 8_704] {
            let e = check_memory(&t, bad).unwrap_err();
            assert!(e.contains("512–8192 MB in 512 MB steps"), "{e}");
        }
        let t = table("aws-app-runner");
        assert!(check_memory(&t, 4_096).is_ok());
        assert!(check_memory(&t, 3_072).is_err() && check_memory(&t, 12_288).is_err());
    }

    #[test]
    fn provisioned_instances_within_the_platforms_bounds() {
        let p = |concurrency: u32, duration_ms: u64| ProvisionedPeriod {
            concurrency,
            duration_ms,
        };
        let hour = 3_600_000;
        let t = table("aws-app-runner");
        assert!(check_provisioned(&t, &[p(1, hour)], hour).is_ok());
        assert!(check_provisioned(&t, &[p(25, hour)], hour).is_ok());
        assert!(check_provisioned(&t, &[p(26, hour)], hour).is_err());
        // None, or none for half the period (a schedule at 0 overnight): App Runner never scales
        // to zero. Within a minute of the period counts as covering it.
        assert!(check_provisioned(&t, &[], hour).is_err());
        assert!(check_provisioned(&t, &[p(2, hour / 2)], hour).is_err());
        assert!(check_provisioned(&t, &[p(2, hour - 60_000)], hour).is_ok());
        let c = table("azure-container-apps");
        assert!(check_provisioned(&c, &[], hour).is_ok());
        assert!(check_provisioned(&c, &[p(1_000, hour)], hour).is_ok());
        assert!(check_provisioned(&c, &[p(1_001, hour)], hour).is_err());
        // Lambda states no bound.
        assert!(check_provisioned(&table("aws-lambda"), &[p(5_000, hour)], hour).is_ok());
    }

    #[test]
    fn instance_caps_within_the_platforms_bounds() {
        // App Runner's MaxSize: 1 to 25; Container Apps' maxReplicas to 1,000; Lambda states no
        // bound. The provisioned (minimum) instances count toward the cap.
        let ar = table("aws-app-runner");
        assert!(check_max_instances(&ar, 25, 1).is_ok());
        let e = check_max_instances(&ar, 26, 1).unwrap_err();
        assert!(
            e.contains("aws-app-runner scales a unit to at most 25; expected 1 to 25"),
            "{e}"
        );
        let e = check_max_instances(&ar, 3, 4).unwrap_err();
        assert!(
            e.contains("3 instances is below the 4 provisioned (minimum) instances"),
            "{e}"
        );
        let c = table("azure-container-apps");
        assert!(check_max_instances(&c, 1_000, 0).is_ok());
        assert!(check_max_instances(&c, 1_001, 0).is_err());
        assert!(check_max_instances(&table("aws-lambda"), 1_000_000, 0).is_ok());
        // No cap (0) where the platform always has one; fine where it has none.
        let e = check_max_instances(&ar, 0, 1).unwrap_err();
        assert!(
            e.contains("0 (no cap): aws-app-runner scales a unit to at most 25"),
            "{e}"
        );
        assert!(check_max_instances(&table("aws-lambda"), 0, 5).is_ok());
    }

    #[test]
    fn consumption_takes_observed_memory_up_to_1536_mb() {
        let t = table("azure-functions-consumption");
        for ok in [1, 100, 128, 200, 1_536] {
            assert!(check_memory(&t, ok).is_ok(), "{ok}");
        }
        let e = check_memory(&t, 1_537).unwrap_err();
        assert!(e.contains("observed memory of 1 to 1,536 MB"), "{e}");
        assert!(check_memory(&t, 0).is_err());
    }

    #[test]
    fn lambda_memory_range_and_storage_limit() {
        let t = table("aws-lambda");
        assert!(check_memory(&t, 128).is_ok() && check_memory(&t, 10_240).is_ok());
        assert!(check_memory(&t, 127).is_err() && check_memory(&t, 10_241).is_err());
        assert!(check_ephemeral_storage(&t, 512).is_ok() && check_ephemeral_storage(&t, 10_240).is_ok());
        let e = check_ephemeral_storage(&t, 10_241).unwrap_err();
        assert!(e.contains("512 to 10,240 MB"), "{e}");
        // Below the included 512 MB bills as 512 MB: nothing to refuse.
        assert!(check_ephemeral_storage(&t, 0).is_ok());
        // Other platforms configure no storage here.
        assert!(check_ephemeral_storage(&table("gcp-cloud-run"), 20_000).is_ok());
    }

    #[test]
    fn gen1_memory_and_540_s_timeout() {
        let t = table("gcp-functions-gen1");
        assert!(check_memory(&t, 8_192).is_ok());
        let e = check_memory(&t, 10_240).unwrap_err();
        assert!(e.contains("largest memory size of 8,192 MB"), "{e}");
        assert_eq!(max_duration_ms(&t), Some(540_000));
        assert!(check_duration(&t, 540_000.0).is_ok());
        let e = check_duration(&t, 540_000.5).unwrap_err();
        assert!(e.contains("540,000 ms (its maximum timeout)"), "{e}");
    }

    #[test]
    fn workers_limit_is_cpu_time() {
        let t = table("cloudflare-workers");
        assert!(check_duration(&t, 300_000.0).is_ok());
        let e = check_duration(&t, 300_001.0).unwrap_err();
        assert!(e.contains("CPU-time limit"), "{e}");
        // Lambda 900 s, Azure Consumption 10 min.
        assert!(check_duration(&table("aws-lambda"), 900_001.0).is_err());
        assert!(check_duration(&table("azure-functions-consumption"), 600_001.0).is_err());
    }
}
