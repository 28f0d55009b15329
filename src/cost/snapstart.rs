//! Lambda SnapStart: what AWS forbids with it (provisioned concurrency, ephemeral storage above
//! 512 MB; EFS is not modelled) and its two charges for Python and .NET — the snapshot cache,
//! per GB-s of each published version's memory for as long as the version is active (here the
//! whole period, one version per function), and the restores, per GB of memory each time an
//! execution environment is resumed from the snapshot (every cold start). Java: no charge.
//! Prices: pricing/aws-lambda.toml `snapstart-cache`, `snapstart-restore`.

use super::meter::{thousands, Meter, MB_MS_PER_GB_S};
use super::{CostError, SnapStart, SnapStartRuntime};
use crate::pricing::{Model, PriceTable};
use crate::usage::Usage;

/// Refuses SnapStart where AWS does: on another platform than Lambda, with provisioned
/// concurrency, or with ephemeral storage above 512 MB.
pub(super) fn check(usage: &Usage, table: &PriceTable) -> Result<(), CostError> {
    let refuse = |problem: String| Err(CostError::Limit { problem });
    if table.model != Model::AwsLambda {
        return refuse(format!(
            "SnapStart is a Lambda feature; {} has none: expected --platform aws-lambda",
            table.id
        ));
    }
    for g in &usage.functions {
        if !g.provisioned_periods.is_empty() {
            return refuse(
                "SnapStart cannot be used with provisioned concurrency (Lambda SnapStart limitations); expected \
                 provisioned concurrency 0 or SnapStart off"
                    .to_string(),
            );
        }
        if g.ephemeral_storage_mb > 512 {
            return refuse(format!(
                "SnapStart cannot be used with ephemeral storage above 512 MB (Lambda SnapStart limitations); \
                 expected at most 512 MB, not {}",
                thousands(g.ephemeral_storage_mb as u128)
            ));
        }
    }
    Ok(())
}

/// SnapStart's lines: none for Java; for Python and .NET the cache (`cached_mb` for the whole
/// period, scaled to the month) and one restore of each cold start's memory.
pub(super) fn price(m: &mut Meter<'_>, usage: &Usage, snap: SnapStart) {
    let id = m.table.id.clone();
    if snap.runtime == SnapStartRuntime::Java {
        m.assume(format!(
            "{id}: SnapStart for Java: no cache or restore charge; cold starts restore from the snapshot (the \
             java-snapstart figure), and their time is billed as INIT like any init"
        ));
        return;
    }
    let [cache_key, restore_key] = super::SNAPSTART_PRICE_KEYS;
    let cache_mb_ms = m.monthly(snap.cached_mb as u128 * usage.period_ms as u128);
    m.charge("SnapStart cache", cache_key, cache_mb_ms, MB_MS_PER_GB_S, 0);
    let (restores, restored_mb) = usage.functions.iter().fold((0u128, 0u128), |(n, mb), g| {
        let count = g.init_duration_ms.count() as u128;
        (n + count, mb + g.memory_mb as u128 * count)
    });
    let q = m.monthly(restored_mb);
    m.charge("SnapStart restore", restore_key, q, 1_024, 0);
    m.assume(format!(
        "{id}: SnapStart for {}: one published version per function, its snapshot cached all month ({} MB in all; \
         the 3-hour minimum per version does not bind, unverified); every cold start is a restore of the function's \
         memory ({} a month); the restore's time is billed as INIT like any init, with the runtime's own cold-start \
         figure (no published restore latency for Python or .NET)",
        snap.runtime.name(),
        thousands(snap.cached_mb as u128),
        thousands(m.monthly(restores))
    ));
}

#[cfg(test)]
mod tests {
    use super::super::{price_usage, uniform_group, CostOptions, SnapStart, SnapStartRuntime};
    use crate::pricing::{Catalog, PriceTable};
    use crate::units::{Usd, MS_PER_MONTH};
    use crate::usage::{Arch, ProvisionedPeriod, Usage};

    fn lambda() -> PriceTable {
        Catalog::embedded().unwrap().get("aws-lambda").unwrap().clone()
    }

    fn snap(runtime: SnapStartRuntime, cached_mb: u64) -> CostOptions {
        CostOptions {
            snapstart: Some(SnapStart { runtime, cached_mb }),
            ..CostOptions::default()
        }
    }

    /// 1M requests of 100 ms at 1,024 MB with 10,000 cold starts of 200 ms, for a month.
    fn month() -> Usage {
        let mut g = uniform_group(1_024, Arch::X86, 1_000_000, 100);
        g.init_duration_ms.add(200, 10_000);
        Usage {
            period_ms: MS_PER_MONTH,
            functions: vec![g],
            instances: vec![],
        }
    }

    #[test]
    fn python_pays_the_cache_all_month_and_a_restore_per_cold_start() {
        // Cache: 1 GB × 2,628,000 s = 2,628,000 GB-s × $0.0000015046 = $3.9540888. Restores:
        // 10,000 × 1 GB × $0.0001397998 = $1.397998. On top of the plain bill.
        let plain = price_usage(&month(), &lambda(), &CostOptions::default()).unwrap();
        let b = price_usage(&month(), &lambda(), &snap(SnapStartRuntime::Python, 1_024)).unwrap();
        assert_eq!(b.cost_of("SnapStart cache"), Usd::from_f64(3.9540888).unwrap());
        assert_eq!(b.cost_of("SnapStart restore"), Usd::from_f64(1.397998).unwrap());
        assert_eq!(b.total(), plain.total() + Usd::from_f64(5.3520868).unwrap());
        // .NET the same; Java nothing more than the plain bill.
        let d = price_usage(&month(), &lambda(), &snap(SnapStartRuntime::Dotnet, 1_024)).unwrap();
        assert_eq!(d.total(), b.total());
        let j = price_usage(&month(), &lambda(), &snap(SnapStartRuntime::Java, 1_024)).unwrap();
        assert_eq!(j.total(), plain.total());
        assert!(j.assumptions.iter().any(|a| a.contains("no cache or restore charge")));
    }

    #[test]
    fn a_one_hour_window_caches_for_the_whole_month() {
        // The same traffic seen for an hour is scaled by 730: the cache 2 versions × 512 MB for
        // the month = 1 GB × 2,628,000 s → $3.9540888 again; 100 restores of 512 MB in the hour
        // → 73,000 × 0.5 GB × $0.0001397998 = $5.1026927.
        let mut g = uniform_group(512, Arch::X86, 1_000, 100);
        g.init_duration_ms.add(200, 100);
        let u = Usage {
            period_ms: 3_600_000,
            functions: vec![g],
            instances: vec![],
        };
        let b = price_usage(&u, &lambda(), &snap(SnapStartRuntime::Python, 1_024)).unwrap();
        assert_eq!(b.cost_of("SnapStart cache"), Usd::from_f64(3.9540888).unwrap());
        assert_eq!(b.cost_of("SnapStart restore"), Usd::from_f64(5.1026927).unwrap());
    }

    #[test]
    fn forbidden_combinations_are_refused() {
        let opts = snap(SnapStartRuntime::Java, 1_024);
        let mut u = month();
        u.functions[0].provisioned_periods.push(ProvisionedPeriod {
            concurrency: 1,
            duration_ms: MS_PER_MONTH,
        });
        let e = price_usage(&u, &lambda(), &opts).unwrap_err().to_string();
        assert!(e.contains("provisioned concurrency"), "{e}");
        let mut u = month();
        u.functions[0].ephemeral_storage_mb = 513;
        let e = price_usage(&u, &lambda(), &opts).unwrap_err().to_string();
        assert!(e.contains("ephemeral storage above 512 MB"), "{e}");
        let run = Catalog::embedded().unwrap().get("gcp-cloud-run").unwrap().clone();
        let e = price_usage(&month(), &run, &opts).unwrap_err().to_string();
        assert!(e.contains("SnapStart is a Lambda feature"), "{e}");
    }
}
