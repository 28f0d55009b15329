//! Bills pinned to the cent (and, where exact, to the pico-dollar) against hand-computed
//! figures and the providers' published worked examples. Each expected figure states its
//! derivation. Tolerance: exact equality of fixed-point amounts unless stated.

use super::*;
use crate::pricing::{Catalog, PriceTable};
use crate::units::{Usd, MS_PER_DAY, MS_PER_MONTH};
use crate::usage::{Arch, FunctionGroupUsage, InstanceUsage, ProvisionedPeriod, Usage};

fn catalog() -> Catalog {
    Catalog::embedded().expect("built-in tables are valid")
}

fn table(id: &str) -> PriceTable {
    catalog().tables.get(id).cloned().expect("table exists")
}

fn month(functions: Vec<FunctionGroupUsage>) -> Usage {
    Usage {
        period_ms: MS_PER_MONTH,
        functions,
        instances: vec![],
    }
}

fn free() -> CostOptions {
    CostOptions {
        free_tier: true,
        ..CostOptions::default()
    }
}

/// `dollars` as exact fixed point (for figures with ≤ 12 decimals).
fn usd(dollars: f64) -> Usd {
    Usd::from_f64(dollars).unwrap()
}

fn cents(b: &CostBreakdown) -> i128 {
    b.total().cents()
}

#[test]
fn lambda_pricing_page_mobile_backend_example() {
    // AWS Lambda pricing page, "Example 1: Mobile application backend" (us-east-1, x86, no free
    // tier): 3M requests × 120 ms × 1536 MB = 3e6 × 0.12 s × 1.5 GB = 540,000 GB-s.
    // Compute 540,000 × 0.0000166667 = $9.000018 → $9.00; requests 3 × $0.20 = $0.60; total $9.60.
    let u = month(vec![uniform_group(1536, Arch::X86, 3_000_000, 120)]);
    let b = price_usage(&u, &table("aws-lambda"), &CostOptions::default()).unwrap();
    assert_eq!(b.cost_of("Duration x86"), usd(9.000018));
    assert_eq!(b.cost_of("Requests"), usd(0.60));
    assert_eq!(cents(&b), 960);
    assert!(b.complete());
}

/// The Lambda table with the duration price the older AWS pricing page used ($0.00001667).
fn lambda_at_old_page_price() -> PriceTable {
    let mut t = table("aws-lambda");
    t.prices.get_mut("duration-x86").unwrap().tiers[0].usd = usd(0.00001667);
    t
}

#[test]
fn lambda_older_pricing_page_examples_with_free_tier() {
    // Older AWS Lambda pricing page (stored copy at aws.amazon.com/lambda/pricing/, 100 ms era),
    // which priced duration at $0.00001667/GB-s and applied the free tier:
    // Example 1: 512 MB, 3M executions × 1 s: 3,000,000 s × 0.5 GB = 1,500,000 GB-s;
    // − 400,000 free = 1,100,000 × 0.00001667 = $18.337 → $18.34; requests (3M − 1M) × $0.20/M
    // = $0.40; total $18.737 → $18.74 (page: "$18.74 per month").
    let t = lambda_at_old_page_price();
    let b = price_usage(
        &month(vec![uniform_group(512, Arch::X86, 3_000_000, 1_000)]),
        &t,
        &free(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(18.737));
    assert_eq!(cents(&b), 1874);
    // Example 2: 128 MB, 30M executions × 200 ms: 6,000,000 s × 0.125 GB = 750,000 GB-s;
    // − 400,000 = 350,000 × 0.00001667 = $5.8345 → $5.83; requests 29M × $0.20/M = $5.80;
    // total $11.6345 → $11.63 (page: "$11.63 per month").
    let b = price_usage(
        &month(vec![uniform_group(128, Arch::X86, 30_000_000, 200)]),
        &t,
        &free(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(11.6345));
    assert_eq!(cents(&b), 1163);
    // Same Example 1 at today's $0.0000166667: 1,100,000 × 0.0000166667 = $18.33337 + $0.40.
    let b = price_usage(
        &month(vec![uniform_group(512, Arch::X86, 3_000_000, 1_000)]),
        &table("aws-lambda"),
        &free(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(18.73337));
    assert_eq!(cents(&b), 1873);
}

#[test]
fn lambda_free_tier_on_and_off() {
    // 2M requests × 100 ms × 1024 MB = 200,000 GB-s.
    // Off: 200,000 × 0.0000166667 = $3.33334; requests 2 × 0.20 = $0.40 → $3.73334.
    // On: compute covered (≤ 400,000); requests (2M − 1M) × 0.20/M = $0.20 → $0.20.
    let u = month(vec![uniform_group(1024, Arch::X86, 2_000_000, 100)]);
    let t = table("aws-lambda");
    let off = price_usage(&u, &t, &CostOptions::default()).unwrap();
    assert_eq!(off.total(), usd(3.73334));
    let on = price_usage(&u, &t, &free()).unwrap();
    assert_eq!(on.total(), usd(0.20));
    assert!(on
        .lines
        .iter()
        .any(|l| l.name == "Duration x86 (free tier)" && l.cost == Some(Usd::ZERO)));
}

#[test]
fn lambda_free_tier_is_one_pool_for_both_architectures() {
    // x86 300,000 GB-s and arm64 300,000 GB-s (1024 MB × 100 ms × 3M each). Pool 400,000:
    // x86 takes 300,000, arm64 the remaining 100,000 → arm64 billed 200,000 × 0.0000133334
    // = $2.66668. Requests 6M − 1M free = 5M × 0.20/M = $1.00. Total $3.66668 → $3.67.
    let u = month(vec![
        uniform_group(1024, Arch::X86, 3_000_000, 100),
        uniform_group(1024, Arch::Arm64, 3_000_000, 100),
    ]);
    let b = price_usage(&u, &table("aws-lambda"), &free()).unwrap();
    assert_eq!(b.cost_of("Duration x86"), Usd::ZERO);
    assert_eq!(b.cost_of("Duration arm64"), usd(2.66668));
    assert_eq!(b.total(), usd(3.66668));
    assert_eq!(cents(&b), 367);
}

#[test]
fn lambda_x86_tiers_crossed() {
    // 1e9 requests × 16 s × 1024 MB = 16e9 GB-s, crossing both x86 boundaries:
    // 6e9 × 0.0000166667 = 100,000.20; 9e9 × 0.000015 = 135,000.00; 1e9 × 0.0000133334 = 13,333.40;
    // duration $248,333.60; requests 1,000 × $0.20 = $200 → $248,533.60.
    let u = month(vec![uniform_group(1024, Arch::X86, 1_000_000_000, 16_000)]);
    let b = price_usage(&u, &table("aws-lambda"), &CostOptions::default()).unwrap();
    assert_eq!(b.cost_of("Duration x86 (first"), usd(100_000.20));
    assert_eq!(b.cost_of("Duration x86 (6,000,000,000–15,000,000,000"), usd(135_000.0));
    assert_eq!(b.cost_of("Duration x86 (over 15,000,000,000"), usd(13_333.40));
    assert_eq!(b.total(), usd(248_533.60));
    assert_eq!(b.lines.len(), 4);
}

#[test]
fn lambda_arm64_tiers_crossed_and_exact_boundary() {
    // 1e9 × 20 s × 1024 MB = 20e9 GB-s arm64: 7.5e9 × 0.0000133334 = 100,000.50;
    // 11.25e9 × 0.0000120001 = 135,001.125; 1.25e9 × 0.0000106667 = 13,333.375;
    // + requests $200 → $248,535.00.
    let u = month(vec![uniform_group(1024, Arch::Arm64, 1_000_000_000, 20_000)]);
    let b = price_usage(&u, &table("aws-lambda"), &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(248_535.0));
    // Exactly at the first x86 boundary: 6e9 GB-s stays in tier 1 (one duration line):
    // 6e9 × 0.0000166667 = $100,000.20; requests 375M × 0.20/M = $75.
    let u = month(vec![uniform_group(1024, Arch::X86, 375_000_000, 16_000)]);
    let b = price_usage(&u, &table("aws-lambda"), &CostOptions::default()).unwrap();
    assert_eq!(b.lines.iter().filter(|l| l.name.starts_with("Duration")).count(), 1);
    assert_eq!(b.total(), usd(100_075.20));
}

#[test]
fn lambda_per_invocation_rounding_uses_the_histogram_not_the_average() {
    // Two invocations of 1 ms and 2 ms at 1024 MB bill 3 ms, not 2 × ceil(1.5) = 4 ms.
    let mut g = uniform_group(1024, Arch::X86, 2, 1);
    g.on_demand_duration_ms = crate::usage::MsHistogram::new();
    g.on_demand_duration_ms.add(1, 1);
    g.on_demand_duration_ms.add(2, 1);
    let b = price_usage(&month(vec![g]), &table("aws-lambda"), &CostOptions::default()).unwrap();
    // 0.003 GB-s × 0.0000166667 $/GB-s = 5.00001e-8 $ = 50,000.1 pico → 50,000 pico.
    assert_eq!(b.cost_of("Duration x86").pico(), 50_000);
}

fn pc_group(requests_on_pc: u64, spill: u64, period_ms: u64) -> FunctionGroupUsage {
    let mut g = uniform_group(1024, Arch::X86, requests_on_pc + spill, 1_000);
    g.on_demand_duration_ms = crate::usage::MsHistogram::new();
    g.on_demand_duration_ms.add(1_000, spill);
    g.provisioned_duration_ms.add(1_000, requests_on_pc);
    g.provisioned_periods.push(ProvisionedPeriod {
        concurrency: 1_000,
        duration_ms: period_ms,
    });
    g
}

#[test]
fn lambda_provisioned_concurrency_example_and_spillover() {
    // AWS Lambda pricing page PC "Example 1" (the stored copy's excerpt stops after "1024 MB,
    // PC enabled for two hours, concurrency 1,000"; the 1.2M executions of 1 s each are as
    // recalled from the page, and every figure below is recomputed from the rates): PC 1,000 × 7,200 s × 1 GB = 7,200,000 GB-s × 0.0000041667 = $30.00024;
    // duration 1,200,000 GB-s × 0.0000097222 = $11.66664; requests 1.2 × $0.20 = $0.24;
    // total $41.90688 → $41.91.
    let t = table("aws-lambda");
    let b = price_usage(
        &month(vec![pc_group(1_200_000, 0, 7_200_000)]),
        &t,
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.cost_of("Provisioned concurrency x86"), usd(30.00024));
    assert_eq!(b.cost_of("Provisioned duration x86"), usd(11.66664));
    assert_eq!(cents(&b), 4191);
    // Spillover: 100,000 more executions beyond PC at on-demand rates:
    // 100,000 GB-s × 0.0000166667 = $1.66667; requests 1.3 × 0.20 = $0.26.
    // Free tier on changes nothing (not applied to a function with PC):
    // 30.00024 + 11.66664 + 1.66667 + 0.26 = $43.59355 → $43.59.
    let b = price_usage(&month(vec![pc_group(1_200_000, 100_000, 7_200_000)]), &t, &free()).unwrap();
    assert_eq!(b.cost_of("Duration x86"), usd(1.66667));
    assert_eq!(b.total(), usd(43.59355));
    assert_eq!(cents(&b), 4359);
    // 5-minute rounding: enabled 2 h + 1 ms bills 2 h 5 min = 7,500 s → 7,500,000 GB-s × 0.0000041667 = $31.25025.
    let b = price_usage(&month(vec![pc_group(0, 0, 7_200_001)]), &t, &CostOptions::default()).unwrap();
    assert_eq!(b.cost_of("Provisioned concurrency x86"), usd(31.25025));
}

#[test]
fn lambda_in_eu_west_1_and_ap_southeast_1() {
    // The regional entries (a copy of AWS's calculator price map): requests $0.20/M and the first
    // duration tiers as in us-east-1, so the mobile-backend example bills the same $9.60 there
    // (540,000 GB-s × 0.0000166667 = $9.000018 + $0.60).
    let t = table("aws-lambda");
    let lambda = |region: &str, u: &Usage| price_usage(u, &t, &in_region(region, CostOptions::default())).unwrap();
    let mobile = month(vec![uniform_group(1536, Arch::X86, 3_000_000, 120)]);
    for region in ["eu-west-1", "ap-southeast-1"] {
        let b = lambda(region, &mobile);
        assert_eq!(b.offerings[0].region, region);
        assert_eq!(b.cost_of("Duration x86"), usd(9.000018), "{region}");
        assert_eq!(cents(&b), 960, "{region}");
        assert!(b.complete(), "{region}");
    }
    // Tiers 2 and 3 (the blog's 10 % and 20 % on the same first tier): 7e9 GB-s on x86 =
    // 6e9 × 0.0000166667 + 1e9 × 0.000015 = 100,000.2 + 15,000 = $115,000.2; on arm64 2e10 GB-s
    // = 7.5e9 × 0.0000133334 + 1.125e10 × 0.0000120001 + 1.25e9 × 0.0000106667
    // = 100,000.5 + 135,001.125 + 13,333.375 = $248,335.
    // 7e9 GB-s: 1,000,000 requests × 700 s at 10,240 MB; 2e10: 2,500,000 × 800 s.
    let x86 = month(vec![uniform_group(10_240, Arch::X86, 1_000_000, 700_000)]);
    let arm = month(vec![uniform_group(10_240, Arch::Arm64, 2_500_000, 800_000)]);
    assert_eq!(lambda("eu-west-1", &x86).cost_of("Duration x86"), usd(115_000.2));
    assert_eq!(lambda("ap-southeast-1", &arm).cost_of("Duration arm64"), usd(248_335.0));
    // The free tier is account-wide, the same quantities in every region: 3M requests of 120 ms
    // at 1,536 MB less 1M requests and 400,000 GB-s = 2 × $0.20 + 140,000 × 0.0000166667 =
    // $0.40 + $2.333338 = $2.733338 → $2.73 in eu-west-1 as in us-east-1.
    let b = price_usage(&mobile, &t, &in_region("eu-west-1", free())).unwrap();
    assert_eq!(b.total(), usd(2.733338));
    // Provisioned concurrency (x86), the PC example of
    // `lambda_provisioned_concurrency_example_and_spillover`: 7,200,000 GB-s of PC and 1,200,000
    // GB-s of duration on it, 1.2M requests ($0.24).
    //   eu-west-1: 7,200,000 × 0.0000046460 = $33.4512; 1,200,000 × 0.0000108407 = $13.00884;
    //              total $46.70004 → $46.70.
    //   ap-southeast-1: 7,200,000 × 0.0000051991 = $37.43352; 1,200,000 × 0.0000121313 =
    //              $14.55756; total $52.23108 → $52.23.
    let pc = month(vec![pc_group(1_200_000, 0, 7_200_000)]);
    let b = lambda("eu-west-1", &pc);
    assert_eq!(b.cost_of("Provisioned concurrency x86"), usd(33.4512));
    assert_eq!(b.cost_of("Provisioned duration x86"), usd(13.00884));
    assert_eq!(b.total(), usd(46.70004));
    let b = lambda("ap-southeast-1", &pc);
    assert_eq!(b.total(), usd(52.23108));
    assert_eq!(cents(&b), 5223);
    // arm64 provisioned concurrency has no sourced rate there: not priced, the total a lower
    // bound (in us-east-1 it is priced).
    let mut arm_pc = pc_group(1_200_000, 0, 7_200_000);
    arm_pc.arch = Arch::Arm64;
    assert!(!lambda("eu-west-1", &month(vec![arm_pc.clone()])).complete());
    assert!(price_usage(&month(vec![arm_pc]), &t, &CostOptions::default())
        .unwrap()
        .complete());
    // Ephemeral storage, 9.5 GB above the included 512 MB × 1,000,000 s = 9,500,000 GB-s:
    // eu-west-1 × 0.0000000340 = $0.323; ap-southeast-1 × 0.0000000370 = $0.3515.
    let mut g = uniform_group(2048, Arch::X86, 1_000_000, 1_000);
    g.ephemeral_storage_mb = 10_240;
    let storage = month(vec![g]);
    assert_eq!(lambda("eu-west-1", &storage).cost_of("Ephemeral storage"), usd(0.323));
    assert_eq!(
        lambda("ap-southeast-1", &storage).cost_of("Ephemeral storage"),
        usd(0.3515)
    );
}

#[test]
fn lambda_init_billing_capped_at_ten_seconds() {
    // 1M × 100 ms × 1024 MB = 100,000 GB-s invoke; 10,000 cold starts of 12 s INIT, billed
    // 10 s each (cap) = 100,000 GB-s; plus 1,000 inits of 500 ms = 500 GB-s.
    // Duration 200,500 × 0.0000166667 = $3.34167335; requests $0.20 → $3.54167335 → $3.54.
    let mut g = uniform_group(1024, Arch::X86, 1_000_000, 100);
    g.init_duration_ms.add(12_000, 10_000);
    g.init_duration_ms.add(500, 1_000);
    let b = price_usage(&month(vec![g.clone()]), &table("aws-lambda"), &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(3.54167335));
    assert!(b.assumptions.iter().any(|a| a.contains("INIT")));
    // With INIT not billed (a table for the pre-2025-08-01 rule): 100,000 GB-s → $1.66667 + $0.20.
    let mut t = table("aws-lambda");
    t.rules.init_billed = false;
    let b = price_usage(&month(vec![g]), &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(1.86667));
}

#[test]
fn lambda_ephemeral_storage_is_per_second_not_per_gb_second() {
    // 10,240 MB storage, 2,048 MB memory, 1M × 1 s: extra (10,240 − 512)/1024 = 9.5 GB ×
    // 1,000,000 s = 9,500,000 GB-s × 0.0000000309 = $0.29355. (infracost's formula would
    // multiply by memory GB-s, 2,000,000, giving 19,000,000 GB-s = $0.5871.)
    let mut g = uniform_group(2048, Arch::X86, 1_000_000, 1_000);
    g.ephemeral_storage_mb = 10_240;
    let b = price_usage(&month(vec![g]), &table("aws-lambda"), &CostOptions::default()).unwrap();
    assert_eq!(b.cost_of("Ephemeral storage"), usd(0.29355));
    // 512 MB (the included size) adds no line.
    let g = uniform_group(2048, Arch::X86, 1_000_000, 1_000);
    let b = price_usage(&month(vec![g]), &table("aws-lambda"), &CostOptions::default()).unwrap();
    assert!(!b.lines.iter().any(|l| l.name.starts_with("Ephemeral")));
}

#[test]
fn tiers_and_free_grants_apply_to_the_monthly_quantity() {
    // One simulated day: 200,000 × 100 ms × 1024 MB = 20,000 GB-s. A 730-hour month is
    // 30.41666… days → 608,333.33 GB-s (608,333,333,333 MB-ms / 1,024,000 exactly rounded);
    // the 400,000 GB-s grant applies once to the month: 208,333.33 GB-s × 0.0000166667 = $3.4722…
    // Requests: 6,083,333 (rounded) − 1,000,000 = 5,083,333 × $0.20/M = $1.0166666.
    let u = Usage {
        period_ms: MS_PER_DAY,
        functions: vec![uniform_group(1024, Arch::X86, 200_000, 100)],
        instances: vec![],
    };
    let b = price_usage(&u, &table("aws-lambda"), &free()).unwrap();
    assert_eq!(cents(&b), 347 + 102);
    let gbs: f64 = b
        .lines
        .iter()
        .filter(|l| l.name == "Duration x86 (first 6,000,000,000 GB-s)")
        .map(|l| l.quantity)
        .sum();
    assert!((gbs - 208_333.333).abs() < 0.01, "{gbs}");
    assert!(b.assumptions.iter().any(|a| a.contains("scaled to a 730-hour month")));
}

#[test]
fn missing_price_is_not_priced_never_zero() {
    let mut t = table("aws-lambda");
    t.prices.remove("provisioned-duration-x86");
    let b = price_usage(&month(vec![pc_group(1_000, 0, 3_600_000)]), &t, &CostOptions::default()).unwrap();
    let line = b.lines.iter().find(|l| l.name == "Provisioned duration x86").unwrap();
    assert_eq!(line.cost, None);
    assert!(line.note.as_ref().unwrap().contains("not priced"));
    assert!(!b.complete());
    assert_eq!(b.unpriced().count(), 1);
}

#[test]
fn azure_consumption_examples_and_minimums() {
    let t = table("azure-functions-consumption");
    // The long-standing Azure pricing-page example (the stored copy renders figures client-side,
    // so this is recomputed from its meter rules): 3M executions × 1 s × 512 MB = 1,500,000 GB-s;
    // − 400,000 free = 1,100,000 × $0.000016 = $17.60; executions (3M − 1M) × $0.20/M = $0.40;
    // total $18.00.
    let b = price_usage(
        &month(vec![uniform_group(512, Arch::X86, 3_000_000, 1_000)]),
        &t,
        &free(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(18.0));
    // modal.com's worked example (Azure pricing guide, 2025-05-22): 3M × 1 s × 1.5 GB =
    // 4,500,000 GB-s − 400,000 = 4,100,000 × 0.000016 = $65.60 + $0.40 = $66.00.
    let b = price_usage(
        &month(vec![uniform_group(1536, Arch::X86, 3_000_000, 1_000)]),
        &t,
        &free(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(66.0));
    // Minimums: 1M × 30 ms at 100 MB bills 100 ms and 128 MB each: 1M × 0.1 s × 0.125 GB
    // = 12,500 GB-s × 0.000016 = $0.20; executions $0.20 (no free tier) → $0.40.
    let b = price_usage(
        &month(vec![uniform_group(100, Arch::X86, 1_000_000, 30)]),
        &t,
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(0.40));
    // Memory rounded up to 128 MB: 129 MB bills 256 MB; 1,600 MB is capped at 1,536 MB.
    // 1M × 1 s × 0.25 GB = 250,000 GB-s × 0.000016 = $4.00 (+ $0.20).
    let b = price_usage(
        &month(vec![uniform_group(129, Arch::X86, 1_000_000, 1_000)]),
        &t,
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(4.20));
    // 1M × 1 s × 1.5 GB = 1,500,000 GB-s × 0.000016 = $24.00 (+ $0.20).
    let b = price_usage(
        &month(vec![uniform_group(1600, Arch::X86, 1_000_000, 1_000)]),
        &t,
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(24.20));
}

#[test]
fn azure_flex_minimum_one_second_then_100_ms() {
    let t = table("azure-functions-flex");
    // 1M × 250 ms at 2,048 MB: each billed 1,000 ms → 2,000,000 GB-s × 0.000026 = $52.00;
    // executions 1M × $0.40/M = $0.40 → $52.40.
    let b = price_usage(
        &month(vec![uniform_group(2048, Arch::X86, 1_000_000, 250)]),
        &t,
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(52.40));
    // Free grant (on-demand): (2,000,000 − 100,000) × 0.000026 = $49.40; (1M − 250k) × 0.40/M = $0.30.
    let b = price_usage(
        &month(vec![uniform_group(2048, Arch::X86, 1_000_000, 250)]),
        &t,
        &free(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(49.70));
    // 1,050 ms rounds up to 1,100 ms: 1M × 1.1 s × 2 GB = 2,200,000 GB-s × 0.000026 = $57.20 + $0.40.
    let b = price_usage(
        &month(vec![uniform_group(2048, Arch::X86, 1_000_000, 1_050)]),
        &t,
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(57.60));
}

#[test]
fn azure_consumption_in_westeurope_and_southeastasia() {
    // The regional entries (a Retail Prices API dump dated 2022-06-06): execution time read there,
    // $0.000016 a GB-s as in eastus; executions $0.20 per 1M, inferred from the global meter's
    // rows in other regions. 5M executions × 200 ms at 256 MB, no free tier:
    //   execution time 5,000,000 × 0.2 s × 0.25 GB = 250,000 GB-s × $0.000016 = $4.00;
    //   executions 5 × $0.20 = $1.00; total $5.00 in each region (as in eastus).
    let t = table("azure-functions-consumption");
    let usage = month(vec![uniform_group(256, Arch::X86, 5_000_000, 200)]);
    for region in ["westeurope", "southeastasia"] {
        let b = price_usage(&usage, &t, &in_region(region, CostOptions::default())).unwrap();
        assert_eq!(b.offerings[0].region, region);
        assert_eq!(b.cost_of("Execution time"), usd(4.00), "{region}");
        assert_eq!(b.cost_of("Executions"), usd(1.00), "{region}");
        assert_eq!(b.total(), usd(5.00), "{region}");
        assert!(b.complete(), "{region}");
        // Both figures are unverified there, with their own sources (the executions rate says
        // it is inferred); in eastus the same bill's lines are the verified vendor figures.
        let line = |name: &str| b.lines.iter().find(|l| l.name == name).unwrap();
        let (time, execs) = (line("Execution time"), line("Executions"));
        assert!(!time.verified && time.source.contains("page685.json"), "{region}");
        assert!(!execs.verified && execs.source.starts_with("INFERRED"), "{region}");
        // The table's provenance in the region: not fully verified there.
        assert!(!b.offerings[0].fully_verified, "{region}");
    }
    let b = price_usage(&usage, &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(5.00));
    assert!(b.verified());
    // In eastus every figure that prices it is verified (the table's regional ones are not, so
    // the table as a whole is not).
    assert!(b.offerings[0].fully_verified && !t.fully_verified());
    assert!(t.verified_in("eastus") && !t.verified_in("westeurope") && !t.verified_in("southeastasia"));
    // The free grant is one per subscription, the same quantities in every region (not valued at
    // a home price): 3M × 1 s × 512 MB = 1,500,000 GB-s − 400,000 = 1,100,000 × $0.000016 =
    // $17.60; executions (3M − 1M) × $0.20/M = $0.40; total $18.00, as in eastus.
    let example = month(vec![uniform_group(512, Arch::X86, 3_000_000, 1_000)]);
    for region in ["westeurope", "southeastasia"] {
        let b = price_usage(&example, &t, &in_region(region, free())).unwrap();
        assert_eq!(b.total(), usd(18.0), "{region}");
        let grant = b.lines.iter().find(|l| l.name == "Execution time (free tier)").unwrap();
        assert_eq!(grant.quantity, 400_000.0, "{region}");
    }
    // A region the table does not cover is refused, naming the three it does.
    let e = price_usage(&usage, &t, &in_region("northeurope", CostOptions::default())).unwrap_err();
    assert!(
        e.to_string().contains("it covers: eastus, westeurope, southeastasia"),
        "{e}"
    );
}

#[test]
fn cloud_run_request_based_and_instance_based() {
    let t = table("gcp-cloud-run");
    // 10M requests × 200 ms, 512 MiB, 1 vCPU, free tier on:
    // CPU 2,000,000 vCPU-s − 180,000 = 1,820,000 × 0.000024 = $43.68;
    // memory 1,000,000 GiB-s − 360,000 = 640,000 × 0.0000025 = $1.60;
    // requests 10M − 2M = 8M × $0.40/M = $3.20; total $48.48.
    // (cloudwebschool's calculator page shows $39.36 + $2.05 for this case: it swaps the CPU and
    // memory free tiers; the rule on cloud.google.com/run/pricing is 180,000 vCPU-s, 360,000 GiB-s.)
    let b = price_usage(
        &month(vec![uniform_group(512, Arch::X86, 10_000_000, 200)]),
        &t,
        &free(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(48.48));
    // 100 ms rounding per request: 1M × 201 ms bills 300 ms: 300,000 vCPU-s × 0.000024 = $7.20;
    // 150,000 GiB-s × 0.0000025 = $0.375; requests $0.40 → $7.975 → $7.98.
    let b = price_usage(
        &month(vec![uniform_group(512, Arch::X86, 1_000_000, 201)]),
        &t,
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(7.975));
    assert_eq!(cents(&b), 798);
    // Instance-based: one 1 vCPU / 512 MiB instance idle all month (2,628,000 s):
    // CPU 2,628,000 × 0.000018 = $47.304; memory 1,314,000 GiB-s × 0.000002 = $2.628 → $49.932.
    let mut g = uniform_group(512, Arch::X86, 0, 0);
    g.instance_idle_ms = MS_PER_MONTH;
    let opts = CostOptions {
        cloud_run_billing: CloudRunBilling::InstanceBased,
        ..CostOptions::default()
    };
    let b = price_usage(&month(vec![g.clone()]), &t, &opts).unwrap();
    assert_eq!(b.total(), usd(49.932));
    assert_eq!(cents(&b), 4993);
    // Request-based billing does not charge warm idle instances (no min-instances): $0.
    let b = price_usage(&month(vec![g]), &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(0.0));
}

#[test]
fn cloud_run_and_gcf_tier_1_in_europe_west1() {
    // europe-west1 is a Tier 1 region like us-central1 (the vendor's locations pages): the
    // same $48.48 for 10M × 200 ms at 512 MiB with the free tier (see above), and GCF 1st gen's
    // $7.20 for 10M × 300 ms at 128 MB; a region the table does not cover is an error naming
    // the regions covered, never another region's price.
    let run = table("gcp-cloud-run");
    let usage = month(vec![uniform_group(512, Arch::X86, 10_000_000, 200)]);
    let b = price_usage(&usage, &run, &in_region("europe-west1", free())).unwrap();
    assert_eq!(b.total(), usd(48.48));
    assert_eq!(b.offerings[0].region, "europe-west1");
    let e = price_usage(&usage, &run, &in_region("us-east1", free())).unwrap_err();
    assert!(
        e.to_string()
            .contains("it covers: us-central1, europe-west1, asia-southeast1"),
        "{e}"
    );
    let gcf = month(vec![uniform_group(128, Arch::X86, 10_000_000, 300)]);
    let b = price_usage(&gcf, &table("gcp-functions-gen1"), &in_region("europe-west1", free())).unwrap();
    assert_eq!(b.total(), usd(7.20));
}

fn in_region(region: &str, opts: CostOptions) -> CostOptions {
    CostOptions {
        region: Some(region.to_string()),
        ..opts
    }
}

#[test]
fn cloud_run_tier_2_in_asia_southeast1_with_the_free_tier_at_tier_1_value() {
    // asia-southeast1 is Tier 2 (Firebase CLI's pricing.ts): $0.0000336 a vCPU-s, $0.0000035 a
    // GiB-s, $0.40 per 1M requests. 10M requests × 200 ms at 512 MiB, 1 vCPU, no free tier:
    // CPU 2,000,000 vCPU-s × 0.0000336 = $67.20; memory 1,000,000 GiB-s × 0.0000035 = $3.50;
    // requests 10 × $0.40 = $4.00; total $74.70.
    let run = table("gcp-cloud-run");
    let usage = month(vec![uniform_group(512, Arch::X86, 10_000_000, 200)]);
    let b = price_usage(&usage, &run, &in_region("asia-southeast1", CostOptions::default())).unwrap();
    assert_eq!(b.total(), usd(74.70));
    assert_eq!(b.offerings[0].region, "asia-southeast1");
    // The free tier is worth its quantity at Tier 1 prices: 180,000 vCPU-s × $0.000024 = $4.32
    // covers 128,571.43 Tier 2 vCPU-s (5/7 of the quantity), 360,000 GiB-s × $0.0000025 = $0.90
    // covers 257,142.86 GiB-s; requests cost the same in both tiers (2M free). CPU $67.20 −
    // $4.32 = $62.88, memory $3.50 − $0.90 = $2.60, requests 8 × $0.40 = $3.20: $68.68 (the
    // free quantities are floored to whole base units: within $10^-10 of it).
    let b = price_usage(&usage, &run, &in_region("asia-southeast1", free())).unwrap();
    assert!((b.total().to_f64() - 68.68).abs() < 1e-10, "{}", b.total().to_f64());
    assert_eq!(cents(&b), 6868);
    let cpu_free = b
        .lines
        .iter()
        .find(|l| l.name == "CPU (request-based) (free tier)")
        .unwrap();
    assert!(
        (cpu_free.quantity - 128_571.428_571).abs() < 1e-3,
        "{}",
        cpu_free.quantity
    );
    let note = cpu_free.note.as_deref().unwrap();
    assert!(
        note.contains("valued at the us-central1/europe-west1 price ($0.000024 against $0.0000336 here)"),
        "{note}"
    );
    let requests_free = b.lines.iter().find(|l| l.name == "Requests (free tier)").unwrap();
    assert_eq!(requests_free.quantity, 2.0);
    // Instance-based billing has no sourced Tier 2 rate: not priced, never Tier 1's.
    let opts = CostOptions {
        cloud_run_billing: CloudRunBilling::InstanceBased,
        ..in_region("asia-southeast1", CostOptions::default())
    };
    let b = price_usage(&usage, &run, &opts).unwrap();
    assert!(!b.complete());
    assert!(b.lines.iter().all(|l| l.cost.is_none()), "{:?}", b.lines);
}

#[test]
fn cloudflare_workers_plan_included_quantities() {
    // 50M requests × 5 ms CPU: plan $5; requests 40M beyond 10M × $0.30/M = $12.00;
    // CPU 250M ms − 30M = 220M × $0.02/M = $4.40; total $21.40. Included quantities apply
    // without --free-tier.
    let b = price_usage(
        &month(vec![uniform_group(128, Arch::X86, 50_000_000, 5)]),
        &table("cloudflare-workers"),
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(21.40));
    // A global table's figures hold in any region asked for: the same $21.40 in eu-west-1.
    let eu = CostOptions {
        region: Some("eu-west-1".into()),
        ..CostOptions::default()
    };
    let b = price_usage(
        &month(vec![uniform_group(128, Arch::X86, 50_000_000, 5)]),
        &table("cloudflare-workers"),
        &eu,
    )
    .unwrap();
    assert!(b.complete());
    assert_eq!(b.total(), usd(21.40));
}

/// A 730-hour month of one `instance_type` instance priced by `table` in `region`, on demand or
/// at commitment `term`.
fn regional_bill(table: &PriceTable, instance_type: &str, region: &str, term: Option<&str>) -> CostBreakdown {
    let opts = CostOptions {
        commitment: term.map(str::to_string),
        ..CostOptions::default()
    };
    price_usage(&instance_month(instance_type), table, &in_region(region, opts)).unwrap()
}

/// Each `(type, region, USD, cents)` a month on demand by `table`: that total in that region,
/// from an unverified source naming `source`.
fn assert_regional_on_demand(table: &PriceTable, source: &str, cases: &[(&str, &str, f64, i128)]) {
    for &(t, region, want, cents_want) in cases {
        let b = regional_bill(table, t, region, None);
        assert_eq!(b.total(), usd(want), "{t} {region}");
        assert_eq!(cents(&b), cents_want, "{t} {region}");
        assert_eq!(b.offerings[0].region, region);
        assert!(
            !b.lines[0].verified && b.lines[0].source.contains(source),
            "{t} {region}"
        );
    }
}

fn instance_month(instance_type: &str) -> Usage {
    Usage {
        period_ms: MS_PER_MONTH,
        functions: vec![],
        instances: vec![InstanceUsage {
            instance_type: instance_type.to_string(),
            instance_ms: MS_PER_MONTH,
            launches: 1,
            stacked: vec![],
        }],
    }
}

#[test]
fn instances_on_demand_commitments_and_minimums() {
    let ec2 = table("aws-ec2");
    // m7g.large 730 h × $0.0816 = $59.568 → $59.57 (pricing-facts §6a).
    let b = price_usage(&instance_month("m7g.large"), &ec2, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(59.568));
    // t3.medium Standard RI 1 yr no upfront: 730 × 0.0261 = $19.053 → $19.05 (infracost golden: $19.05).
    let ri = CostOptions {
        commitment: Some("ri-standard-1yr-no-upfront".to_string()),
        ..CostOptions::default()
    };
    let b = price_usage(&instance_month("t3.medium"), &ec2, &ri).unwrap();
    assert_eq!(cents(&b), 1905);
    // No ri-standard price for m7g.large (only its Compute Savings Plan) → not priced, not $0.
    let b = price_usage(&instance_month("m7g.large"), &ec2, &ri).unwrap();
    assert!(!b.complete());
    assert_eq!(b.total(), Usd::ZERO);
    // 60 s minimum per launch: 10 launches of 10 s bill 600 s = 1/6 h × $0.0416 = $0.006933….
    let u = Usage {
        period_ms: MS_PER_MONTH,
        functions: vec![],
        instances: vec![InstanceUsage {
            instance_type: "t3.medium".to_string(),
            instance_ms: 100_000,
            launches: 10,
            stacked: vec![],
        }],
    };
    let b = price_usage(&u, &ec2, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), Usd::from_f64(0.0416).unwrap().mul_div(600_000, 3_600_000));
    // Azure Premium EP1 bills at least one instance all month: 730 × 0.21605 = $157.7165 → $157.72.
    let mut u = instance_month("EP1");
    u.instances[0].instance_ms = 0;
    let b = price_usage(&u, &table("azure-functions-premium"), &CostOptions::default()).unwrap();
    assert_eq!(cents(&b), 15772);
    // EKS control plane 730 × $0.10 = $73.00.
    let b = price_usage(&instance_month("cluster"), &table("aws-eks"), &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(73.0));
    // Unknown type → not priced.
    let b = price_usage(&instance_month("z9.huge"), &ec2, &CostOptions::default()).unwrap();
    assert!(b.lines[0].note.as_ref().unwrap().contains("no instance type"));
}

#[test]
fn fargate_vcpu_and_memory_hours() {
    // x86 1 vCPU, 2 GB, 730 h: 730 × 0.04048 = $29.5504; 2 × 730 × 0.004445 = $6.4897 → $36.0401.
    let b = price_usage(
        &instance_month("x86:1vcpu-2gb"),
        &table("aws-fargate"),
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(36.0401));
    assert!(parse_fargate_type("x86-1vcpu").is_err());
    // Sizes Fargate does not offer are refused as `cost --vcpu/--memory-mb` refuses them:
    // 1 vCPU with 128 MB priced below the smallest real task before.
    let e = parse_fargate_type("x86:1vcpu-0.125gb").unwrap_err().to_string();
    assert!(e.contains("Fargate has no 1-vCPU task with 128 MB"), "{e}");
    assert!(parse_fargate_type("arm64:3vcpu-8gb").is_err());
    assert!(parse_fargate_type("x86:16vcpu-36gb").is_err());
    assert!(parse_fargate_type("x86:16vcpu-40gb").is_ok());
    assert!(parse_fargate_type("sparc:1vcpu-2gb").is_err());
    assert_eq!(
        parse_fargate_type("arm64:0.25vcpu-0.5gb").unwrap(),
        (Arch::Arm64, 250, 512)
    );
}

#[test]
fn api_gateway_tiers_and_512_kb_metering() {
    let t = table("aws-api-gateway");
    let reqs = |n: u64| month(vec![uniform_group(128, Arch::X86, n, 1)]);
    // REST 1e9 requests: 333M × $3.50 = $1,165.50; 667M × $2.80 = $1,867.60 → $3,033.10.
    let b = price_front_door(&reqs(1_000_000_000), FrontDoor::RestApi, &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(3_033.10));
    // HTTP 400M: 300 × $1.00 + 100 × $0.90 = $390.00.
    let b = price_front_door(&reqs(400_000_000), FrontDoor::HttpApi, &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(390.0));
    // 513 KB payloads meter as 2 requests each: 800M → 300 × 1.00 + 500 × 0.90 = $750.00.
    let big = CostOptions {
        payload_kb: 513,
        ..CostOptions::default()
    };
    let b = price_front_door(&reqs(400_000_000), FrontDoor::HttpApi, &t, &big).unwrap();
    assert_eq!(b.total(), usd(750.0));
    // The API Gateway grant is a 12-month new-account offer, not a permanent grant: the free
    // tier alone leaves 3M REST × $3.50 = $10.50; with new-account offers 3M − 1M = 2M × $3.50
    // = $7.00, shown as such.
    let b = price_front_door(&reqs(3_000_000), FrontDoor::RestApi, &t, &free()).unwrap();
    assert_eq!(b.total(), usd(10.5));
    let offers = CostOptions {
        new_account_offers: true,
        ..CostOptions::default()
    };
    let b = price_front_door(&reqs(3_000_000), FrontDoor::RestApi, &t, &offers).unwrap();
    assert_eq!(b.total(), usd(7.0));
    assert!(b
        .lines
        .iter()
        .any(|l| l.name == "REST API requests (12-month new-account offer)"));
    // Function URL: no separate charge, so no line (and nothing "not priced").
    let b = price_front_door(&reqs(3_000_000), FrontDoor::FunctionUrl, &t, &CostOptions::default()).unwrap();
    assert!(b.complete() && b.lines.is_empty());
    assert_eq!(b.total(), Usd::ZERO);
}

#[test]
fn alb_hours_and_lcus() {
    // 730 h × $0.0225 = $16.425 (exact; a bill shows $16.43 rounding half up — infracost prints
    // $16.42 from a float product). 65.7M requests = 25 new connections/s on average = 1 LCU;
    // 730 LCU-h × $0.008 = $5.84. Total $22.265.
    let u = month(vec![uniform_group(128, Arch::X86, 65_700_000, 1)]);
    let b = price_front_door(&u, FrontDoor::Alb, &table("aws-alb"), &CostOptions::default()).unwrap();
    assert_eq!(b.cost_of("ALB hours"), usd(16.425));
    assert_eq!(b.cost_of("ALB LCU-hours"), usd(5.84));
}

#[test]
fn cloudwatch_logs_tiers() {
    // 61,440 GB of Lambda logs: 10,240 × 0.50 + 20,480 × 0.25 + 20,480 × 0.10 + 10,240 × 0.05
    // = 5,120 + 5,120 + 2,048 + 512 = $12,800 ingestion; storage 61,440 × $0.03 = $1,843.20.
    // (duckbill's 60 TB → $12,500 is the same tiers with 1 TB = 1,000 GB.)
    let u = month(vec![uniform_group(128, Arch::X86, 61_440, 1)]);
    let b = price_logs(&u, 1 << 30, &table("aws-cloudwatch-logs"), &CostOptions::default()).unwrap();
    assert_eq!(b.cost_of("Log ingestion"), usd(12_800.0));
    assert_eq!(b.cost_of("Log storage"), usd(1_843.20));
}

#[test]
fn aws_side_tables_in_eu_west_1_and_ap_southeast_1() {
    // Copies of AWS's Price List (third-party, so every line unverified).
    let reqs = |n: u64| month(vec![uniform_group(128, Arch::X86, n, 1)]);
    let door = |n: u64, door: FrontDoor, region: &str| {
        price_front_door(
            &reqs(n),
            door,
            &table("aws-api-gateway"),
            &in_region(region, CostOptions::default()),
        )
        .unwrap()
    };
    // API Gateway in eu-west-1. REST 400M = 333 × $3.50 + 67 × $3.19 = 1,165.50 + 213.73 =
    // $1,379.23; 25e9 crosses every tier: 333 × 3.50 + 667 × 3.19 + 19,000 × 2.71 + 5,000 ×
    // 1.72 = 1,165.50 + 2,127.73 + 51,490 + 8,600 = $63,383.23. HTTP 400M = 300 × $1.11 + 100 ×
    // $1.00 = $433.00.
    let b = door(400_000_000, FrontDoor::RestApi, "eu-west-1");
    assert_eq!(b.total(), usd(1_379.23));
    assert!(b.complete() && !b.verified());
    assert_eq!(b.offerings[0].region, "eu-west-1");
    assert_eq!(
        door(25_000_000_000, FrontDoor::RestApi, "eu-west-1").total(),
        usd(63_383.23)
    );
    assert_eq!(door(400_000_000, FrontDoor::HttpApi, "eu-west-1").total(), usd(433.0));
    // The ALB in both regions: 730 h × $0.0252 = $18.396; 65.7M requests = 1 LCU all month =
    // 730 LCU-h × $0.008 = $5.84.
    for region in ["eu-west-1", "ap-southeast-1"] {
        let u = reqs(65_700_000);
        let b = price_front_door(
            &u,
            FrontDoor::Alb,
            &table("aws-alb"),
            &in_region(region, CostOptions::default()),
        )
        .unwrap();
        assert_eq!(b.cost_of("ALB hours"), usd(18.396), "{region}");
        assert_eq!(b.cost_of("ALB LCU-hours"), usd(5.84), "{region}");
        assert!(!b.verified(), "{region}");
    }
    // CloudWatch Logs in ap-southeast-1, 61,440 GB: 10,240 × 0.70 + 20,480 × 0.35 + 20,480 ×
    // 0.14 + 10,240 × 0.07 = 7,168 + 7,168 + 2,867.20 + 716.80 = $17,920; storage 61,440 × $0.03
    // = $1,843.20.
    let u = month(vec![uniform_group(128, Arch::X86, 61_440, 1)]);
    let ap = in_region("ap-southeast-1", CostOptions::default());
    let b = price_logs(&u, 1 << 30, &table("aws-cloudwatch-logs"), &ap).unwrap();
    assert_eq!(b.cost_of("Log ingestion"), usd(17_920.0));
    assert_eq!(b.cost_of("Log storage"), usd(1_843.20));
    // The EKS control plane in ap-southeast-1: 730 h × $0.10 = $73.00; extended support has no
    // rate there (not priced).
    let b = regional_bill(&table("aws-eks"), "cluster", "ap-southeast-1", None);
    assert_eq!(b.total(), usd(73.0));
    assert!(b.complete() && !b.verified());
    assert!(!regional_bill(&table("aws-eks"), "cluster-extended-support", "ap-southeast-1", None).complete());
    // Fargate, 1 vCPU and 2 GB for 730 h: eu-west-1 x86 as us-east-1, 730 × 0.04048 + 1,460 ×
    // 0.004445 = 29.5504 + 6.4897 = $36.0401; ap-southeast-1 arm64 730 × 0.04045 + 1,460 ×
    // 0.00442 = 29.5285 + 6.4532 = $35.9817; the other architecture has no rate there.
    let fargate = table("aws-fargate");
    for (t, region, want) in [
        ("x86:1vcpu-2gb", "eu-west-1", 36.0401),
        ("arm64:1vcpu-2gb", "ap-southeast-1", 35.9817),
    ] {
        let b = regional_bill(&fargate, t, region, None);
        assert_eq!(b.total(), usd(want), "{t} {region}");
        assert!(b.complete() && !b.verified(), "{t} {region}");
    }
    assert!(!regional_bill(&fargate, "arm64:1vcpu-2gb", "eu-west-1", None).complete());
    assert!(!regional_bill(&fargate, "x86:1vcpu-2gb", "ap-southeast-1", None).complete());
}

#[test]
fn m7i_reservations_in_three_regions_and_an_m7g_compute_savings_plan() {
    // Third-party extracts of AWS's offer files (unverified), 730 h a month:
    //   m7i.large Standard RI, no upfront: us-east-1 0.06668 → $48.6764, 0.04572 → $33.3756;
    //   eu-west-1 0.07432 → $54.2536, 0.05096 → $37.2008; ap-southeast-1 0.08335 → $60.8455,
    //   0.05715 → $41.7195.
    //   m7g.large Compute Savings Plan, no upfront, us-east-1: 0.0599 → $43.727, 0.0414 → $30.222;
    //   it pays off above 0.0599 / 0.0816 = 73.4 % of the hours.
    let ec2 = table("aws-ec2");
    for (t, region, term, want) in [
        ("m7i.large", "us-east-1", "ri-standard-1yr-no-upfront", 48.6764),
        ("m7i.large", "us-east-1", "ri-standard-3yr-no-upfront", 33.3756),
        ("m7i.large", "eu-west-1", "ri-standard-1yr-no-upfront", 54.2536),
        ("m7i.large", "eu-west-1", "ri-standard-3yr-no-upfront", 37.2008),
        ("m7i.large", "ap-southeast-1", "ri-standard-1yr-no-upfront", 60.8455),
        ("m7i.large", "ap-southeast-1", "ri-standard-3yr-no-upfront", 41.7195),
        ("m7g.large", "us-east-1", "compute-sp-1yr-no-upfront", 43.727),
        ("m7g.large", "us-east-1", "compute-sp-3yr-no-upfront", 30.222),
    ] {
        let b = regional_bill(&ec2, t, region, Some(term));
        assert_eq!(b.total(), usd(want), "{t} {region} {term}");
        assert!(b.complete() && !b.verified(), "{t} {region} {term}");
    }
    let b = regional_bill(&ec2, "m7g.large", "us-east-1", Some("compute-sp-1yr-no-upfront"));
    assert!(
        b.assumptions.iter().any(|a| a.contains("at least 73.4 % of the hours")),
        "{:?}",
        b.assumptions
    );
    assert!(
        b.assumptions.iter().any(|a| a
            .contains("Compute Savings Plan of $0.0599 an hour for each committed m7g.large")
            && a.contains("not modelled")),
        "{:?}",
        b.assumptions
    );
    // A commitment is paid for every hour: two instances committed for a month but used 300 h
    // each bill 2 × 730 h × $0.0599 = $87.454, not 600 h × $0.0599 = $35.94 (below on demand's
    // 600 × $0.0816 = $48.96 although 300 h is under the 73.4 % break-even).
    let part = Usage {
        period_ms: MS_PER_MONTH,
        functions: vec![],
        instances: vec![InstanceUsage {
            instance_type: "m7g.large".into(),
            instance_ms: 2 * 300 * 3_600_000,
            launches: 2,
            stacked: vec![],
        }],
    };
    let opts = CostOptions {
        commitment: Some("compute-sp-1yr-no-upfront".into()),
        ..CostOptions::default()
    };
    assert_eq!(price_usage(&part, &ec2, &opts).unwrap().total(), usd(87.454));
    // No plan is sourced for m7g.large outside us-east-1, nor a reservation for it anywhere.
    assert!(!regional_bill(&ec2, "m7g.large", "eu-west-1", Some("compute-sp-1yr-no-upfront")).complete());
    assert!(!regional_bill(&ec2, "m7g.large", "us-east-1", Some("ri-standard-1yr-no-upfront")).complete());
}

#[test]
fn fargate_compute_savings_plan_in_us_east_1() {
    // A third-party extract of AWS's Savings Plans offer file (unverified), x86 in us-east-1,
    // no upfront: vCPU-hour 0.032384 / 0.022264, GB-hour 0.003556 / 0.00244475 for 1 / 3 years
    // (0.80 / 0.55 of on demand's 0.04048 / 0.004445).
    //   One x86:1vcpu-2gb task, 730 h: 1 yr 730 × 0.032384 + 1,460 × 0.003556 = 23.64032 +
    //   5.19176 = $28.83208; 3 yr 730 × 0.022264 + 1,460 × 0.00244475 = 16.25272 + 3.569335 =
    //   $19.822055 (on demand 29.5504 + 6.4897 = $36.0401). A task-hour: 0.039496 of 0.04937,
    //   break-even 80.0 %; 0.0271535, 55.0 %.
    let fargate = table("aws-fargate");
    let tasks = |task: &str, count: u64, hours: u64| Usage {
        period_ms: MS_PER_MONTH,
        functions: vec![],
        instances: vec![InstanceUsage {
            instance_type: task.into(),
            instance_ms: count * hours * 3_600_000,
            launches: count,
            stacked: vec![],
        }],
    };
    let bill = |usage: &Usage, region: &str, term: Option<&str>| {
        let opts = CostOptions {
            region: Some(region.into()),
            commitment: term.map(str::to_string),
            ..CostOptions::default()
        };
        price_usage(usage, &fargate, &opts).unwrap()
    };
    let one = tasks("x86:1vcpu-2gb", 1, 730);
    assert_eq!(bill(&one, "us-east-1", None).total(), usd(36.0401));
    for (term, want, break_even) in [
        ("compute-sp-1yr-no-upfront", 28.83208, "$0.039496 an hour for every hour of the term (on demand $0.04937): it pays off when the Fargate task x86:1vcpu-2gb would run at least 80.0 % of the hours"),
        ("compute-sp-3yr-no-upfront", 19.822055, "$0.0271535 an hour for every hour of the term (on demand $0.04937): it pays off when the Fargate task x86:1vcpu-2gb would run at least 55.0 % of the hours"),
    ] {
        let b = bill(&one, "us-east-1", Some(term));
        assert_eq!(b.total(), usd(want), "{term}");
        assert!(b.complete() && !b.verified(), "{term}");
        assert!(b.assumptions.iter().any(|a| a.contains(break_even)), "{term}: {:?}", b.assumptions);
        assert!(b.lines.iter().all(|l| l.name.ends_with(&format!("(commitment {term})"))), "{:?}", b.lines);
    }
    // Paid for every hour: two x86:2vcpu-4gb tasks committed for 3 years but run 300 h each bill
    // 2 × 730 h: 2,920 vCPU-hours × 0.022264 + 5,840 GB-hours × 0.00244475 = 65.01088 +
    // 14.27734 = $79.28822 (on demand for the 600 h used: 1,200 × 0.04048 + 2,400 × 0.004445 =
    // $59.244: 300 h is below the 55 % break-even).
    let part = tasks("x86:2vcpu-4gb", 2, 300);
    assert_eq!(
        bill(&part, "us-east-1", Some("compute-sp-3yr-no-upfront")).total(),
        usd(79.28822)
    );
    assert_eq!(bill(&part, "us-east-1", None).total(), usd(59.244));
    // No plan is sourced outside us-east-1, for arm64, or as a reservation: "not priced" lines
    // naming the terms there are.
    let arm = tasks("arm64:1vcpu-2gb", 1, 730);
    for (usage, region, term, why) in [
        (
            &one,
            "eu-west-1",
            "compute-sp-1yr-no-upfront",
            "in eu-west-1 (priced in us-east-1)",
        ),
        (
            &arm,
            "us-east-1",
            "compute-sp-1yr-no-upfront",
            "for Fargate arm64 in this table; known: none",
        ),
        (
            &one,
            "us-east-1",
            "ri-standard-1yr-no-upfront",
            "known: compute-sp-1yr-no-upfront, compute-sp-3yr-no-upfront",
        ),
    ] {
        let b = bill(usage, region, Some(term));
        assert!(!b.complete(), "{region} {term}");
        assert!(
            b.lines
                .iter()
                .all(|l| l.note.as_deref().is_some_and(|n| n.contains(why))),
            "{:?}",
            b.lines
        );
    }
}

#[test]
fn lambda_compute_savings_plan_on_x86_duration_in_us_east_1() {
    // A third-party extract of AWS's Savings Plans offer file (unverified): Lambda-GB-Second,
    // no upfront, $0.0000147 a GB-s for 1 and 3 years (0.882 of the first tier's 0.0000166667).
    // 10M requests × 200 ms × 1,024 MB = 2,000,000 GB-s: × 0.0000147 = $29.40 (on demand
    // $33.3334), requests 10 × $0.20 = $2.00 on demand: $31.40. With the free tier the 400,000
    // free GB-s come off first: 1,600,000 × 0.0000147 = $23.52, requests 9 × $0.20 = $1.80:
    // $25.32.
    let lambda = table("aws-lambda");
    let u = month(vec![uniform_group(1024, Arch::X86, 10_000_000, 200)]);
    let opts = |term: &str, free_tier: bool| CostOptions {
        commitment: Some(term.into()),
        free_tier,
        ..CostOptions::default()
    };
    for term in ["compute-sp-1yr-no-upfront", "compute-sp-3yr-no-upfront"] {
        let b = price_usage(&u, &lambda, &opts(term, false)).unwrap();
        assert_eq!(b.cost_of(&format!("Duration x86 (commitment {term})")), usd(29.40));
        assert_eq!(b.total(), usd(31.40), "{term}");
        assert!(b.complete() && !b.verified(), "{term}");
        assert!(
            b.assumptions.iter().any(|a| a
                .contains("$0.0000147 a GB-s (on demand $0.0000166667 in the first tier, 88.2 % of it)")
                && a.contains("requests, provisioned concurrency and ephemeral storage stay on demand")),
            "{:?}",
            b.assumptions
        );
        assert_eq!(price_usage(&u, &lambda, &opts(term, true)).unwrap().total(), usd(25.32));
    }
    assert_eq!(
        price_usage(&u, &lambda, &CostOptions::default()).unwrap().total(),
        usd(35.3334)
    );
    // No plan rate for arm64 or outside us-east-1, nor a reservation: duration not priced.
    let arm = month(vec![uniform_group(1024, Arch::Arm64, 10_000_000, 200)]);
    let b = price_usage(&arm, &lambda, &opts("compute-sp-1yr-no-upfront", false)).unwrap();
    assert!(!b.complete());
    assert!(b.lines.iter().any(|l| l
        .note
        .as_deref()
        .is_some_and(|n| n.contains("for Lambda arm64 duration in this table; known: none"))));
    let eu = CostOptions {
        region: Some("eu-west-1".into()),
        ..opts("compute-sp-1yr-no-upfront", false)
    };
    assert!(!price_usage(&u, &lambda, &eu).unwrap().complete());
    let b = price_usage(&u, &lambda, &opts("ri-standard-1yr-no-upfront", false)).unwrap();
    assert!(b.lines.iter().any(|l| l
        .note
        .as_deref()
        .is_some_and(|n| n.contains("known: compute-sp-1yr-no-upfront, compute-sp-3yr-no-upfront"))));
    // Provisioned concurrency stays on demand beside the plan (the pricing page's PC example:
    // $30.00024 + $11.66664), its spillover's 100,000 GB-s at the plan's rate: $1.47; an unpriced
    // term leaves the provisioned lines priced.
    let pc = month(vec![pc_group(1_200_000, 100_000, 7_200_000)]);
    for (term, spill) in [
        ("compute-sp-1yr-no-upfront", Some(1.47)),
        ("ri-standard-1yr-no-upfront", None),
    ] {
        let b = price_usage(&pc, &lambda, &opts(term, false)).unwrap();
        assert_eq!(b.cost_of("Provisioned concurrency x86"), usd(30.00024), "{term}");
        assert_eq!(b.cost_of("Provisioned duration x86"), usd(11.66664), "{term}");
        assert_eq!(b.complete(), spill.is_some(), "{term}");
        if let Some(spill) = spill {
            assert_eq!(b.cost_of(&format!("Duration x86 (commitment {term})")), usd(spill));
        }
    }
    // A plan bought for another month (the first of a horizon) keeps its size: sized to
    // 1,000,000 GB-s, this month's 2,000,000 bill 1,000,000 × 0.0000147 = $14.70 under it and
    // 1,000,000 × 0.0000166667 = $16.6667 on demand beyond it: $33.3667 with the requests.
    // Sized to 3,000,000: the 2,000,000 used $29.40 and 1,000,000 unused $14.70: $46.10.
    let gb_s = meter::MB_MS_PER_GB_S;
    let sized = |plan_gb_s: u128| CostOptions {
        lambda_plan_mb_ms: Some(plan_gb_s * gb_s),
        ..opts("compute-sp-1yr-no-upfront", false)
    };
    let b = price_usage(&u, &lambda, &sized(1_000_000)).unwrap();
    assert_eq!(
        b.cost_of("Duration x86 (commitment compute-sp-1yr-no-upfront)"),
        usd(14.70)
    );
    assert_eq!(b.cost_of("Duration x86 on demand (the excess)"), usd(16.6667));
    assert_eq!(b.total(), usd(33.3667));
    let b = price_usage(&u, &lambda, &sized(3_000_000)).unwrap();
    assert_eq!(
        b.cost_of("Duration x86 (commitment compute-sp-1yr-no-upfront): unused"),
        usd(14.70)
    );
    assert_eq!(b.total(), usd(46.10));
    assert!(b
        .assumptions
        .iter()
        .any(|a| a.contains("the first month's duration beyond the free grant, 3000000 GB-s")));
    // A month with no duration at all still pays the plan: 1,000,000 GB-s unused, $14.70. Where
    // the plan has no rate (eu-west-1) the duration is "not priced", never on demand in silence.
    let idle = month(vec![uniform_group(1024, Arch::X86, 0, 200)]);
    assert_eq!(
        price_usage(&idle, &lambda, &sized(1_000_000)).unwrap().total(),
        usd(14.70)
    );
    let eu = CostOptions {
        region: Some("eu-west-1".into()),
        ..sized(1_000_000)
    };
    let b = price_usage(&u, &lambda, &eu).unwrap();
    assert!(!b.complete(), "{:?}", b.lines);
    assert!(
        b.lines.iter().all(|l| !l.name.contains("on demand (the excess)")),
        "{:?}",
        b.lines
    );
    // The size a plan takes from a usage: its duration beyond the free grant.
    let size = |o: &CostOptions| lambda_plan_duration_mb_ms(&u, &lambda, o).unwrap();
    assert_eq!(size(&opts("compute-sp-1yr-no-upfront", false)), 2_000_000 * gb_s);
    assert_eq!(size(&opts("compute-sp-1yr-no-upfront", true)), 1_600_000 * gb_s);
    assert_eq!(size(&CostOptions::default()), 0);
}

#[test]
fn errors_for_region_period_and_model() {
    let t = table("aws-lambda");
    let opts = CostOptions {
        region: Some("us-west-2".to_string()),
        ..CostOptions::default()
    };
    let e = price_usage(&month(vec![]), &t, &opts).unwrap_err();
    assert!(e.to_string().contains("us-east-1") && e.to_string().contains("ap-southeast-1"));
    let e = price_usage(&Usage::default(), &t, &CostOptions::default()).unwrap_err();
    assert_eq!(e, CostError::EmptyPeriod);
    assert!(price_usage(&month(vec![]), &table("aws-alb"), &CostOptions::default()).is_err());
}

#[test]
fn largest_bill_has_no_drift() {
    // 1e12 GB-s-scale bill: summing 1,000 identical groups equals pricing their sum exactly.
    let one = month(vec![uniform_group(10_240, Arch::X86, 10_000_000, 900_000)]);
    let many = month(
        (0..1_000)
            .map(|_| uniform_group(10_240, Arch::X86, 10_000, 900_000))
            .collect(),
    );
    let t = table("aws-lambda");
    let a = price_usage(&one, &t, &CostOptions::default()).unwrap();
    let b = price_usage(&many, &t, &CostOptions::default()).unwrap();
    assert_eq!(a.total(), b.total());
    // 9e7 GB-s × 1e3 … = 90,000,000,000 GB-s: 6e9 × 0.0000166667 + 9e9 × 0.000015 + 75e9 × 0.0000133334
    // = 100,000.2 + 135,000 + 1,000,005 = $1,235,005.20 duration + $2.00 requests.
    assert_eq!(a.total(), usd(1_235_007.20));
}

#[test]
fn cloud_functions_gen1_100_ms_and_ghz_seconds() {
    let t = table("gcp-functions-gen1");
    // 10M × 300 ms at 128 MB (200 MHz), free tier: invocations (10M − 2M) × $0.40/M = $3.20;
    // GB-s 10M × 0.3 s × 0.125 GB = 375,000 ≤ 400,000 free → $0; GHz-s 10M × 0.3 × 0.2 =
    // 600,000 − 200,000 = 400,000 × $0.00001 = $4.00; total $7.20.
    let b = price_usage(
        &month(vec![uniform_group(128, Arch::X86, 10_000_000, 300)]),
        &t,
        &free(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(7.20));
    // 260 ms bills 300 ms (page text); 200 MB bills the 256 MB tier at 400 MHz. 1M invocations,
    // no free tier: 1M × 0.3 s × 0.25 GB = 75,000 GB-s × $0.0000025 = $0.1875;
    // 1M × 0.3 × 0.4 = 120,000 GHz-s × $0.00001 = $1.20; invocations $0.40 → $1.7875 → $1.79.
    let b = price_usage(
        &month(vec![uniform_group(200, Arch::X86, 1_000_000, 260)]),
        &t,
        &CostOptions::default(),
    )
    .unwrap();
    assert_eq!(b.total(), usd(1.7875));
    assert_eq!(cents(&b), 179);
}

#[test]
fn cloud_functions_gen1_tier_2_in_asia_southeast1_with_the_free_tier_at_tier_1_value() {
    // asia-southeast1 is Tier 2 (the 1st gen locations page; rates from Firebase CLI's
    // pricing.ts): $0.0000035 a GB-s, $0.000014 a GHz-s, $0.40 per 1M invocations.
    // 10M invocations × 300 ms at 128 MB (200 MHz), no free tier:
    //   memory 10,000,000 × 0.3 s × 0.125 GB = 375,000 GB-s × $0.0000035 = $1.3125;
    //   CPU 10,000,000 × 0.3 s × 0.2 GHz = 600,000 GHz-s × $0.000014 = $8.40;
    //   invocations 10 × $0.40 = $4.00; total $13.7125 → $13.71
    //   (Tier 1: $0.9375 + $6.00 + $4.00 = $10.9375).
    let t = table("gcp-functions-gen1");
    let usage = month(vec![uniform_group(128, Arch::X86, 10_000_000, 300)]);
    let b = price_usage(&usage, &t, &in_region("asia-southeast1", CostOptions::default())).unwrap();
    assert_eq!(b.offerings[0].region, "asia-southeast1");
    assert_eq!(b.cost_of("Compute memory"), usd(1.3125));
    assert_eq!(b.cost_of("Compute CPU"), usd(8.40));
    assert_eq!(b.cost_of("Invocations"), usd(4.00));
    assert_eq!(b.total(), usd(13.7125));
    assert_eq!(cents(&b), 1371);
    assert!(b.complete() && !b.verified());
    assert!(b.lines.iter().all(|l| l.source.contains("firebase/firebase-tools")));
    let tier1 = price_usage(&usage, &t, &CostOptions::default()).unwrap();
    assert_eq!(tier1.total(), usd(10.9375));
    // The free tier is worth its quantity at Tier 1 prices: 400,000 GB-s × $0.0000025 = $1.00
    // covers 285,714.29 Tier 2 GB-s (5/7 of the quantity), 200,000 GHz-s × $0.00001 = $2.00
    // covers 142,857.14 GHz-s; invocations cost the same in both tiers (2M free). Memory
    // $1.3125 − $1.00 = $0.3125, CPU $8.40 − $2.00 = $6.40, invocations 8 × $0.40 = $3.20:
    // $9.9125 → $9.91 (the free quantities are floored to whole base units: within $10^-10 of it).
    let b = price_usage(&usage, &t, &in_region("asia-southeast1", free())).unwrap();
    assert!((b.total().to_f64() - 9.9125).abs() < 1e-10, "{}", b.total().to_f64());
    assert_eq!(cents(&b), 991);
    let free_line = |name: &str| b.lines.iter().find(|l| l.name == name).unwrap();
    let memory = free_line("Compute memory (free tier)");
    assert!((memory.quantity - 285_714.285_714).abs() < 1e-3, "{}", memory.quantity);
    let note = memory.note.as_deref().unwrap();
    assert!(
        note.contains("valued at the us-central1/europe-west1 price ($0.0000025 against $0.0000035 here)"),
        "{note}"
    );
    let cpu = free_line("Compute CPU (free tier)");
    assert!((cpu.quantity - 142_857.142_857).abs() < 1e-3, "{}", cpu.quantity);
    assert_eq!(free_line("Invocations (free tier)").quantity, 2.0);
}

#[test]
fn provisioned_rounding_applies_after_scaling_to_the_month() {
    // PC = 1 at 1,024 MB over a 1-minute window: scaled to the month it is 730 h exactly
    // (2,628,000 GB-s × $0.0000041667 = $10.95); rounding the minute up to 5 minutes first
    // would have billed five times that.
    let g = FunctionGroupUsage {
        memory_mb: 1_024,
        provisioned_periods: vec![crate::usage::ProvisionedPeriod {
            concurrency: 1,
            duration_ms: 60_000,
        }],
        ..FunctionGroupUsage::default()
    };
    let u = Usage {
        period_ms: 60_000,
        functions: vec![g],
        instances: vec![],
    };
    let b = price_usage(&u, &table("aws-lambda"), &CostOptions::default()).unwrap();
    let line = b
        .lines
        .iter()
        .find(|l| l.name == "Provisioned concurrency x86")
        .unwrap();
    assert!((line.quantity - 2_628_000.0).abs() < 1e-6, "{}", line.quantity);
    assert_eq!(line.cost.unwrap().cents(), 1_095);
}

#[test]
fn cloud_run_busy_periods_hold_their_init_and_provisioned_requests_count() {
    // A simulated busy period of 1,484 ms (250 ms init + 1,234 ms) bills 1,500 ms, not 1,500 +
    // 300 ms of init again; two 1,000 ms requests on provisioned instances bill 2,000 ms:
    // 3.5 vCPU-s at 1 vCPU.
    let mut g = uniform_group(512, Arch::X86, 0, 0);
    g.instance_busy_ms.add(1_484, 1);
    g.init_duration_ms.add(250, 1);
    g.provisioned_duration_ms.add(1_000, 2);
    let b = price_usage(&month(vec![g]), &table("gcp-cloud-run"), &CostOptions::default()).unwrap();
    let cpu = b
        .lines
        .iter()
        .find(|l| l.name.starts_with("CPU (request-based)"))
        .unwrap();
    assert!((cpu.quantity - 3.5).abs() < 1e-9, "{}", cpu.quantity);
}

#[test]
fn replayed_cloud_run_minimum_instances_bill_busy_periods_active_and_the_rest_idle() {
    // One minimum instance kept all month (2,628,000 s), its requests (2 × 1,000 ms and
    // 3 × 1,000 ms, overlapping) replayed as busy periods of 1,250 and 1,480 ms: active 1,300
    // + 1,500 ms = 2.8 vCPU-s (not the requests' 5 s), 0.5 GiB × 2.8 = 1.4 GiB-s; idle the
    // rest, 2,628,000 − 2.8 = 2,627,997.2 s (the rounding billed once, as active time) × 1 vCPU
    // × $0.0000025 = $6.569993 CPU and × 0.5 GiB × $0.0000025 = $3.2849965 memory. Without the
    // replayed periods (aggregate usage) the requests' time stands for the busy time and no
    // idle time is known.
    let mut g = uniform_group(512, Arch::X86, 0, 0);
    g.provisioned_duration_ms.add(1_000, 5);
    g.provisioned_periods.push(ProvisionedPeriod {
        concurrency: 1,
        duration_ms: MS_PER_MONTH,
    });
    let mut periods = crate::usage::MsHistogram::new();
    periods.add(1_250, 1);
    periods.add(1_480, 1);
    g.provisioned_busy_periods_ms = Some(periods);
    let b = price_usage(
        &month(vec![g.clone()]),
        &table("gcp-cloud-run"),
        &CostOptions::default(),
    )
    .unwrap();
    let line = |name: &str| b.lines.iter().find(|l| l.name == name).unwrap().clone();
    assert!((line("CPU (request-based)").quantity - 2.8).abs() < 1e-9);
    assert!((line("Memory (request-based)").quantity - 1.4).abs() < 1e-9);
    assert_eq!(
        b.cost_of("Idle minimum instances CPU"),
        Usd::from_f64(6.569993).unwrap()
    );
    assert_eq!(
        b.cost_of("Idle minimum instances memory"),
        Usd::from_f64(3.2849965).unwrap()
    );
    // Instance-based billing bills the minimum instance's whole month at the instance rates:
    // 2.8 s busy + 2,627,997.2 s idle = 2,628,000 vCPU-s.
    let instance_based = CostOptions {
        cloud_run_billing: CloudRunBilling::InstanceBased,
        ..CostOptions::default()
    };
    let b = price_usage(&month(vec![g.clone()]), &table("gcp-cloud-run"), &instance_based).unwrap();
    let cpu = b.lines.iter().find(|l| l.name == "CPU (instance-based)").unwrap();
    assert!((cpu.quantity - 2_628_000.0).abs() < 1e-6, "{}", cpu.quantity);
    g.provisioned_busy_periods_ms = None;
    let b = price_usage(&month(vec![g]), &table("gcp-cloud-run"), &CostOptions::default()).unwrap();
    assert!(
        (b.lines
            .iter()
            .find(|l| l.name == "CPU (request-based)")
            .unwrap()
            .quantity
            - 5.0)
            .abs()
            < 1e-9
    );
    assert!(b.lines.iter().all(|l| !l.name.starts_with("Idle minimum")));
}

/// A group of `memory_mb` with the given on-demand durations, init durations and instance busy
/// periods (one event each), as the simulator hands them over.
fn sim_group(memory_mb: u32, durations_ms: &[u64], inits_ms: &[u64], busy_ms: &[u64]) -> FunctionGroupUsage {
    let mut g = FunctionGroupUsage {
        memory_mb,
        requests: durations_ms.len() as u64,
        ..FunctionGroupUsage::default()
    };
    durations_ms.iter().for_each(|&d| g.on_demand_duration_ms.add(d, 1));
    inits_ms.iter().for_each(|&d| g.init_duration_ms.add(d, 1));
    busy_ms.iter().for_each(|&d| g.instance_busy_ms.add(d, 1));
    g
}

fn billed(id: &str, g: FunctionGroupUsage) -> Option<BilledGbSeconds> {
    let usage = Usage {
        period_ms: 60_000,
        functions: vec![g],
        instances: vec![],
    };
    billed_gb_seconds(&usage, &table(id)).unwrap()
}

#[test]
fn billed_gb_seconds_follow_each_tables_rules() {
    // Three calls of 1,234 ms with 250 ms inits, one instance busy period each (1,484 ms), 512 MB.
    let g = || sim_group(512, &[1_234, 1_234, 1_234], &[250, 250, 250], &[1_484, 1_484, 1_484]);
    // Lambda: 1 ms grain per call, INIT billed on top: 3 × 1.234 s × 0.5 GB = 1.851 GB-s and
    // 3 × 0.25 s × 0.5 GB = 0.375 GB-s.
    let b = billed("aws-lambda", g()).unwrap();
    assert!((b.execution_gb_seconds - 1.851).abs() < 1e-12, "{b:?}");
    assert!((b.init_gb_seconds - 0.375).abs() < 1e-12, "{b:?}");
    // Cloud Run: each busy period (init included) rounded up to 100 ms: 3 × 1.5 s × 0.5 GB.
    let b = billed("gcp-cloud-run", g()).unwrap();
    assert!((b.execution_gb_seconds - 2.25).abs() < 1e-12, "{b:?}");
    assert_eq!(b.init_gb_seconds, 0.0);
    // Azure Consumption: per execution, 1 ms grain, min 100 ms: 3 × 1.234 s × 0.5 GB; a 30 ms
    // call is billed 100 ms and 100 MB is billed as 128 MB: 0.1 s × 0.125 GB = 0.0125 GB-s.
    let b = billed("azure-functions-consumption", g()).unwrap();
    assert!((b.execution_gb_seconds - 1.851).abs() < 1e-12, "{b:?}");
    let b = billed("azure-functions-consumption", sim_group(100, &[30], &[], &[30])).unwrap();
    assert!((b.execution_gb_seconds - 0.0125).abs() < 1e-12, "{b:?}");
    // Azure Flex: per instance activity period, min 1,000 ms then 100 ms: 1,484 → 1,500 ms;
    // a 300 ms period is billed 1,000 ms. At 2,048 MB: (1.5 + 1.0) s × 2 GB = 5 GB-s.
    let b = billed(
        "azure-functions-flex",
        sim_group(2048, &[1_234, 50], &[250, 250], &[1_484, 300]),
    )
    .unwrap();
    assert!((b.execution_gb_seconds - 5.0).abs() < 1e-12, "{b:?}");
    // Workers bill CPU time, not memory-time; instance tables cannot bill function usage.
    assert_eq!(billed("cloudflare-workers", g()), None);
    let usage = Usage {
        period_ms: 60_000,
        functions: vec![g()],
        instances: vec![],
    };
    assert!(billed_gb_seconds(&usage, &table("aws-ec2")).is_err());
}

#[test]
fn billed_gb_seconds_are_the_bills_gb_s_lines() {
    // Over a 730-hour month (no scaling), the quantity shown by `simulate` is the quantity
    // on the bill: Flex's on-demand execution-time line and Lambda's duration line.
    let flex = month(vec![sim_group(2048, &[1_234, 50], &[250, 250], &[1_484, 300])]);
    let b = price_usage(&flex, &table("azure-functions-flex"), &CostOptions::default()).unwrap();
    let line = b.lines.iter().find(|l| l.name == "On-demand execution time").unwrap();
    let gb_s = billed_gb_seconds(&flex, &table("azure-functions-flex"))
        .unwrap()
        .unwrap();
    assert!((line.quantity - gb_s.execution_gb_seconds).abs() < 1e-12);
    let lambda = month(vec![sim_group(512, &[1_234, 1_234], &[250, 250], &[1_484, 1_484])]);
    let b = price_usage(&lambda, &table("aws-lambda"), &CostOptions::default()).unwrap();
    let line = b.lines.iter().find(|l| l.name.starts_with("Duration x86")).unwrap();
    let gb_s = billed_gb_seconds(&lambda, &table("aws-lambda")).unwrap().unwrap();
    assert!((line.quantity - (gb_s.execution_gb_seconds + gb_s.init_gb_seconds)).abs() < 1e-12);
}

#[test]
fn a_cost_beyond_any_bill_is_an_error_naming_the_line_not_a_wrapped_total() {
    // The highest price a table may state, on the largest usage the flags allow.
    let mut t = table("aws-lambda");
    t.prices.get_mut("requests").unwrap().tiers[0].usd = usd(1_000_000.0);
    let u = month(vec![uniform_group(128, Arch::X86, 10_000_000_000_000_000_000, 1)]);
    let e = price_usage(&u, &t, &CostOptions::default()).unwrap_err().to_string();
    assert!(
        e.contains("aws-lambda") && e.contains("'Requests'") && e.contains("beyond"),
        "{e}"
    );
    // A cost just within the bound is priced exactly.
    let u = month(vec![uniform_group(128, Arch::X86, 1_000_000_000_000, 1)]);
    let b = price_usage(&u, &t, &CostOptions::default()).unwrap();
    assert_eq!(
        b.cost_of("Requests"),
        Usd::from_pico(1_000_000_000_000 * crate::units::PICO_PER_USD)
    );
}

#[test]
fn checked_cost_rounds_like_the_engine_and_refuses_overflow() {
    use super::meter::{checked_cost, MAX_MONTHLY_USD};
    assert_eq!(checked_cost(usd(0.2), 3_000_000, 1_000_000), Some(usd(0.6)));
    assert_eq!(checked_cost(Usd::from_pico(1), 1, 2), Some(Usd::from_pico(1)));
    assert_eq!(checked_cost(Usd::from_pico(1), 1, 3), Some(Usd::ZERO));
    assert_eq!(checked_cost(usd(1.0), u128::MAX, 1), None);
    assert_eq!(checked_cost(usd(1.0), (MAX_MONTHLY_USD + 1) as u128, 1), None);
    assert_eq!(
        checked_cost(usd(1.0), MAX_MONTHLY_USD as u128, 1),
        Some(Usd::from_pico(MAX_MONTHLY_USD * crate::units::PICO_PER_USD))
    );
    assert_eq!(checked_cost(usd(1.0), 1, 0), None);
}

#[test]
fn lambda_bills_at_least_1_ms_per_invocation() {
    // A trace's 0 ms invocation was billed 0 GB-s; Lambda bills duration rounded up to 1 ms:
    // 1,000,000 × 0 ms → 1 ms each × 1 GB = 1,000 GB-s × $0.0000166667 = $0.0166667.
    // INIT is not given the minimum: a 0 ms init is no init (still 0).
    let mut g = uniform_group(1024, Arch::X86, 1_000_000, 0);
    g.init_duration_ms.add(0, 10);
    let b = price_usage(&month(vec![g]), &table("aws-lambda"), &CostOptions::default()).unwrap();
    assert_eq!(b.cost_of("Duration x86"), usd(0.0166667));
    assert!(!b.assumptions.iter().any(|a| a.contains("INIT")), "{:?}", b.assumptions);
}

#[test]
fn gen1_memory_above_8_gb_is_refused_not_billed_at_the_8_gb_tier() {
    // Was: 10,240 MB billed as the 8,192 MB tier. 1st gen offers no size above 8 GB.
    let u = month(vec![uniform_group(10_240, Arch::X86, 1, 100)]);
    let e = price_usage(&u, &table("gcp-functions-gen1"), &CostOptions::default()).unwrap_err();
    assert!(e.to_string().contains("largest memory size of 8,192 MB"), "{e}");
    assert!(billed_gb_seconds(&u, &table("gcp-functions-gen1")).is_err());
    // 3,000 MB bills at the 4,096 MB tier (4.8 GHz): 1 × 0.1 s × 4 GB = 0.4 GB-s.
    let u = month(vec![uniform_group(3_000, Arch::X86, 1, 100)]);
    let b = billed_gb_seconds(&u, &table("gcp-functions-gen1")).unwrap().unwrap();
    assert_eq!(b.execution_gb_seconds, 0.4);
}

#[test]
fn lambda_ephemeral_storage_above_10_gb_is_refused() {
    let mut g = uniform_group(1024, Arch::X86, 1, 100);
    g.ephemeral_storage_mb = 10_241;
    let e = price_usage(&month(vec![g]), &table("aws-lambda"), &CostOptions::default()).unwrap_err();
    assert!(e.to_string().contains("aws-lambda configures 512 to 10,240 MB"), "{e}");
}

#[test]
fn gcp_n2_sustained_use_tiers_by_quarter_of_each_instance_s_month() {
    // n2-standard-2 $0.0971/h; each quarter of an instance's month (182.5 h, $17.72075 at the
    // base rate) at 100 / 86.78 / 73.3 / 60 %: a full month 17.72075 × 3.2008 = $56.7205766
    // → $56.72 (not 730 × 0.0971 = $70.883). Two instances all month: $113.4411532.
    let u = |n: u64, hours: u64| Usage {
        period_ms: MS_PER_MONTH,
        functions: vec![],
        instances: vec![InstanceUsage {
            instance_type: "n2-standard-2".into(),
            instance_ms: n * hours * 3_600_000,
            launches: n,
            stacked: vec![],
        }],
    };
    let t = table("gcp-compute");
    let b = price_usage(&u(1, 730), &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(56.7205766));
    assert_eq!(cents(&b), 5672);
    assert_eq!(b.lines.len(), 4);
    assert_eq!(b.lines[1].unit_price_usd, Some(0.08426338));
    assert!(b.lines[3].name.contains("beyond 75 % of each instance's month"));
    let b = price_usage(&u(2, 730), &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(113.4411532));
    // Part of the month, 500 h each: 182.5 h at 100 % + 182.5 h at 86.78 % + 135 h at 73.3 % =
    // 17.72075 + 15.37806685 + 9.6085305 = $42.70734735 an instance; three: $128.12204205.
    let b = price_usage(&u(3, 500), &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(128.12204205));
    assert_eq!(b.lines.len(), 3, "no time beyond 75 % of the month");
    assert!(b.assumptions.iter().any(|a| a.contains("a full month is 19.98 % less")));
    // A fleet over one day, stacked from its per-minute counts: three instances for the first
    // 6 hours, two after. Two run all day (a whole month each at this shape: $113.4411532) and the
    // third a quarter of it (182.5 h at 100 %: $17.72075): $131.1619032. Unstacked (three
    // launches sharing the time equally, 18 h of 24 each, three quarters of a month) it would be
    // 3 × 17.72075 × (1 + 0.8678 + 0.733) = $138.2643798: stacking gives the larger discount.
    let mut counts = vec![3u32; 360];
    counts.extend(vec![2u32; 1080]);
    let day = Usage {
        period_ms: MS_PER_DAY,
        functions: vec![],
        instances: vec![InstanceUsage::from_minutes("n2-standard-2", &counts, 0, 3)],
    };
    assert_eq!(day.instances[0].stacked, vec![(MS_PER_DAY, 2), (MS_PER_DAY / 4, 1)]);
    assert_eq!(day.instances[0].instance_ms, 9 * MS_PER_DAY / 4);
    let b = price_usage(&day, &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(131.1619032));
    let mut unstacked = day.clone();
    unstacked.instances[0].stacked.clear();
    let b = price_usage(&unstacked, &t, &CostOptions::default()).unwrap();
    assert_eq!(b.total(), usd(138.2643798));
    // E2 has no sustained-use discount: 730 × 0.06701142 = $48.9183366.
    let mut e2 = u(1, 730);
    e2.instances[0].instance_type = "e2-standard-2".into();
    assert_eq!(
        price_usage(&e2, &t, &CostOptions::default()).unwrap().total(),
        usd(48.9183366)
    );
}

#[test]
fn a_commitment_states_its_term_upfront_share_and_break_even() {
    // t3.medium Standard RI 1 yr no upfront $0.0261/h vs $0.0416 on demand: 730 h = $19.053 →
    // $19.05 (infracost instance_test golden: $19.05); break-even 0.0261 / 0.0416 = 62.74 %.
    let u = Usage {
        period_ms: MS_PER_MONTH,
        functions: vec![],
        instances: vec![InstanceUsage {
            instance_type: "t3.medium".into(),
            instance_ms: MS_PER_MONTH,
            launches: 1,
            stacked: vec![],
        }],
    };
    let opts = CostOptions {
        commitment: Some("ri-standard-1yr-no-upfront".into()),
        ..CostOptions::default()
    };
    let b = price_usage(&u, &table("aws-ec2"), &opts).unwrap();
    assert_eq!(cents(&b), 1905);
    let said = b.assumptions.iter().find(|a| a.contains("break-even")).unwrap();
    assert!(
        said.contains("1-year term, 0 % paid upfront") && said.contains("at least 62.7 % of the hours"),
        "{said}"
    );
}

#[test]
fn provisioned_windows_inside_the_period_are_rounded_each() {
    // A daily 12-minute window of PC = 1 at 1,024 MB, simulated over one day: AWS rounds each
    // enablement up to 5 minutes, so each day bills 15 minutes: 15 min × (730 h / 24 h) =
    // 456.25 min = 27,375 s → 27,375 GB-s × $0.0000041667 = $0.1140634125 (was 365 min: the
    // 12 minutes scaled first, then rounded).
    let g = FunctionGroupUsage {
        memory_mb: 1_024,
        provisioned_periods: vec![crate::usage::ProvisionedPeriod {
            concurrency: 1,
            duration_ms: 12 * 60_000,
        }],
        ..FunctionGroupUsage::default()
    };
    let u = Usage {
        period_ms: MS_PER_DAY,
        functions: vec![g],
        instances: vec![],
    };
    let b = price_usage(&u, &table("aws-lambda"), &CostOptions::default()).unwrap();
    let line = b
        .lines
        .iter()
        .find(|l| l.name == "Provisioned concurrency x86")
        .unwrap();
    assert!((line.quantity - 27_375.0).abs() < 1e-6, "{}", line.quantity);
    assert_eq!(line.cost, Some(usd(0.1140634125)));
}

#[test]
fn ec2_families_users_compare_at_large_and_xlarge() {
    // 730 h on demand at the AWS Pricing API's us-east-1 rates (Karpenter's generated table):
    // t4g.large 0.0672 → $49.056; t4g.xlarge 0.1344 → $98.112; m7g.xlarge 0.1632 → $119.136;
    // m7i.large 0.1008 → $73.584; c7g.xlarge 0.145 → $105.85; c7i.large 0.08925 → $65.1525;
    // c7i.xlarge 0.1785 → $130.305; r7g.large 0.1071 → $78.183; r7g.xlarge 0.2142 → $156.366.
    let t = table("aws-ec2");
    for (id, dollars) in [
        ("t4g.large", 49.056),
        ("t4g.xlarge", 98.112),
        ("m7g.xlarge", 119.136),
        ("m7i.large", 73.584),
        ("c7g.xlarge", 105.85),
        ("c7i.large", 65.1525),
        ("c7i.xlarge", 130.305),
        ("r7g.large", 78.183),
        ("r7g.xlarge", 156.366),
    ] {
        let u = Usage {
            period_ms: MS_PER_MONTH,
            functions: vec![],
            instances: vec![InstanceUsage {
                instance_type: id.into(),
                instance_ms: MS_PER_MONTH,
                launches: 1,
                stacked: vec![],
            }],
        };
        let b = price_usage(&u, &t, &CostOptions::default()).unwrap();
        assert_eq!(b.total(), usd(dollars), "{id}");
        assert!(b.verified(), "{id}");
    }
}

#[test]
fn third_party_reserved_instance_rates_bill_unverified_lines() {
    let ec2 = table("aws-ec2");
    let bill = |t: &str, term: &str| {
        let opts = CostOptions {
            commitment: Some(term.to_string()),
            ..CostOptions::default()
        };
        price_usage(&instance_month(t), &ec2, &opts).unwrap()
    };
    // Standard RI no upfront, us-east-1, 730 h a month: a third-party extract of AWS's offer
    // files (DrilaZz/cloud-pricing-simulator @b7db8d12, 4–5 decimals); t4g.xlarge's a copy
    // rounded to $0.001 (vantage-sh/ec2instances.info @136b6119):
    //   m6i.large 1 yr  730 × 0.0635 = $46.355    break-even 0.0635 / 0.096 = 66.1 %
    //   m6i.large 3 yr  730 × 0.04355 = $31.7915
    //   c6i.large 1 yr  730 × 0.05623 = $41.0479;  3 yr 730 × 0.03742 = $27.3166
    //   t4g.medium 1 yr 730 × 0.0211 = $15.403;    3 yr 730 × 0.0145 = $10.585
    //   t4g.large 1 yr  730 × 0.0421 = $30.733;    3 yr 730 × 0.029 = $21.17
    //   t4g.xlarge 1 yr 730 × 0.084 = $61.32;      3 yr 730 × 0.058 = $42.34
    for (t, term, want, cited) in [
        ("m6i.large", "ri-standard-1yr-no-upfront", 46.355, "DrilaZz"),
        ("m6i.large", "ri-standard-3yr-no-upfront", 31.7915, "DrilaZz"),
        ("c6i.large", "ri-standard-1yr-no-upfront", 41.0479, "DrilaZz"),
        ("c6i.large", "ri-standard-3yr-no-upfront", 27.3166, "DrilaZz"),
        ("t4g.medium", "ri-standard-1yr-no-upfront", 15.403, "DrilaZz"),
        ("t4g.medium", "ri-standard-3yr-no-upfront", 10.585, "DrilaZz"),
        ("t4g.large", "ri-standard-1yr-no-upfront", 30.733, "DrilaZz"),
        ("t4g.large", "ri-standard-3yr-no-upfront", 21.17, "DrilaZz"),
        ("t4g.xlarge", "ri-standard-1yr-no-upfront", 61.32, "ec2instances.info"),
        ("t4g.xlarge", "ri-standard-3yr-no-upfront", 42.34, "ec2instances.info"),
    ] {
        let b = bill(t, term);
        assert_eq!(b.total(), usd(want), "{t} {term}");
        // The rate is a third party's: the line says so, and cites it, not the on-demand source.
        assert!(!b.lines[0].verified, "{t} {term}");
        assert!(b.lines[0].source.contains(cited), "{t} {term}");
    }
    let said = bill("m6i.large", "ri-standard-1yr-no-upfront")
        .assumptions
        .into_iter()
        .find(|a| a.contains("break-even"))
        .unwrap();
    assert!(said.contains("at least 66.1 % of the hours"), "{said}");
    // On demand the same types stay verified (the Pricing API via Karpenter):
    // m6i.large 730 × 0.096 = $70.08.
    let b = price_usage(&instance_month("m6i.large"), &ec2, &CostOptions::default()).unwrap();
    assert_eq!(cents(&b), 7008);
    assert!(b.lines[0].verified);
    // t3.medium's vendor-generated commitment stays verified.
    assert!(bill("t3.medium", "ri-standard-1yr-no-upfront").lines[0].verified);
    // No sourced Convertible rate for m6i.large: not priced, not $0.
    let b = bill("m6i.large", "ri-convertible-1yr-no-upfront");
    assert!(!b.complete());
}

#[test]
fn azure_d2s_v5_reservations_bill_every_hour_at_the_reserved_rate() {
    // cloudecon.com (2023): 1-year reservation $495.99 a year → $0.05661986/h; 730 h =
    // $41.3325 (= $495.99 / 12) → $41.33; break-even 0.05661986 / 0.096 = 58.98 % → 59.0 %.
    // 3-year $958.96 → $0.03649011/h; 730 h = $26.6378 (= $958.96 / 36) → $26.64.
    let vm = table("azure-vm");
    let bill = |term: &str| {
        let opts = CostOptions {
            commitment: Some(term.to_string()),
            ..CostOptions::default()
        };
        price_usage(&instance_month("Standard_D2s_v5"), &vm, &opts).unwrap()
    };
    let b = bill("reservation-1yr-no-upfront");
    assert_eq!(cents(&b), 4133);
    assert!(!b.lines[0].verified && b.lines[0].source.contains("cloudecon"));
    assert!(b.assumptions.iter().any(|a| a.contains("at least 59.0 % of the hours")));
    assert_eq!(cents(&bill("reservation-3yr-no-upfront")), 2664);
    // Pay-as-you-go stays 730 × $0.096 = $70.08.
    let b = price_usage(&instance_month("Standard_D2s_v5"), &vm, &CostOptions::default()).unwrap();
    assert_eq!(cents(&b), 7008);
}

#[test]
fn gcp_flexible_cuds_replace_the_sustained_use_discount() {
    // Compute flexible CUD 28 % (1 yr) / 46 % (3 yr) off on demand (archera, March 2026), 730 h:
    //   n2-standard-2 1 yr 0.0971 × 0.72 = 0.069912 → 730 × = $51.03576 → $51.04
    //   n2-standard-2 3 yr 0.0971 × 0.54 = 0.052434 → 730 × = $38.27682 → $38.28
    //   e2-standard-2 1 yr 0.06701142 × 0.72 = 0.0482482224 → 730 × = $35.2212 → $35.22
    //   e2-standard-2 3 yr 0.06701142 × 0.54 = 0.0361861668 → 730 × = $26.4159 → $26.42
    // A committed n2 gets no sustained-use discount on top (on demand it is $56.72 for the month).
    let gce = table("gcp-compute");
    for (t, term, want_cents) in [
        ("n2-standard-2", "flex-cud-1yr-no-upfront", 5104),
        ("n2-standard-2", "flex-cud-3yr-no-upfront", 3828),
        ("e2-standard-2", "flex-cud-1yr-no-upfront", 3522),
        ("e2-standard-2", "flex-cud-3yr-no-upfront", 2642),
    ] {
        let opts = CostOptions {
            commitment: Some(term.to_string()),
            ..CostOptions::default()
        };
        let b = price_usage(&instance_month(t), &gce, &opts).unwrap();
        assert_eq!(cents(&b), want_cents, "{t} {term}");
        assert_eq!(
            b.lines.len(),
            1,
            "{t} {term}: no sustained-use line beside a commitment"
        );
        assert!(
            !b.lines[0].verified && b.lines[0].source.contains("archera"),
            "{t} {term}"
        );
    }
    let b = price_usage(&instance_month("n2-standard-2"), &gce, &CostOptions::default()).unwrap();
    assert_eq!(cents(&b), 5672);
}

#[test]
fn azure_b_series_and_d4s_v5_on_demand() {
    // eastus Linux pay-as-you-go, 730 h: B2s 730 × 0.0416 = $30.368 → $30.37; B2ms 730 × 0.0832
    // = $60.736 → $60.74; B4ms 730 × 0.1664 = $121.472 → $121.47; D4s_v5 730 × 0.192 = $140.16.
    let vm = table("azure-vm");
    for (t, want, cents_want) in [
        ("Standard_B2s", 30.368, 3037),
        ("Standard_B2ms", 60.736, 6074),
        ("Standard_B4ms", 121.472, 12147),
        ("Standard_D4s_v5", 140.16, 14016),
    ] {
        let b = price_usage(&instance_month(t), &vm, &CostOptions::default()).unwrap();
        assert_eq!(b.total(), usd(want), "{t}");
        assert_eq!(cents(&b), cents_want, "{t}");
        assert!(!b.lines[0].verified, "{t}");
    }
    // No reservation rate for them: not priced, not $0.
    let opts = CostOptions {
        commitment: Some("reservation-1yr-no-upfront".into()),
        ..CostOptions::default()
    };
    let b = price_usage(&instance_month("Standard_B2s"), &vm, &opts).unwrap();
    assert!(!b.complete() && b.total() == Usd::ZERO);
}

#[test]
fn azure_vms_in_westeurope_and_southeastasia() {
    // Microsoft's Karpenter provider's generated rates (2023-12-18), Linux pay-as-you-go, 730 h:
    //   D2s_v5 westeurope 730 × 0.115 = $83.95; B2s southeastasia 730 × 0.0528 = $38.544 →
    //   $38.54; B4ms westeurope 730 × 0.192 = $140.16; D4s_v5 southeastasia 730 × 0.24 = $175.20.
    let vm = table("azure-vm");
    let bill = |t: &str, region: &str, term: Option<&str>| regional_bill(&vm, t, region, term);
    assert_regional_on_demand(
        &vm,
        "karpenter-provider-azure",
        &[
            ("Standard_D2s_v5", "westeurope", 83.95, 8395),
            ("Standard_B2s", "southeastasia", 38.544, 3854),
            ("Standard_B4ms", "westeurope", 140.16, 14016),
            ("Standard_D4s_v5", "southeastasia", 175.20, 17520),
        ],
    );
    // D2s_v5's reservation is tabled in eastus only: not priced in westeurope, not $0.
    assert!(!bill("Standard_D2s_v5", "westeurope", Some("reservation-1yr-no-upfront")).complete());
    assert!(bill("Standard_D2s_v5", "eastus", Some("reservation-1yr-no-upfront")).complete());
}

#[test]
fn ec2_in_eu_west_1_and_ap_southeast_1() {
    // A third-party extract of AWS's offer files (DrilaZz/cloud-pricing-simulator @b7db8d12),
    // per-region Linux rates, 730 h:
    //   m6i.large eu-west-1 on demand 730 × 0.107 = $78.11; Standard RI 1 yr 730 × 0.07078 =
    //   $51.6694, break-even 0.07078 / 0.107 = 66.1 %
    //   t4g.medium ap-southeast-1 Standard RI 3 yr 730 × 0.018 = $13.14
    //   c6i.large ap-southeast-1 on demand 730 × 0.098 = $71.54; eu-west-1 730 × 0.0912 = $66.576
    //   t3.medium eu-west-1 on demand 730 × 0.0456 = $33.288; ap-southeast-1 Standard RI 1 yr
    //   730 × 0.0332 = $24.236
    let ec2 = table("aws-ec2");
    let bill = |t: &str, region: &str, term: Option<&str>| regional_bill(&ec2, t, region, term);
    let b = bill("m6i.large", "eu-west-1", None);
    assert_eq!(b.total(), usd(78.11));
    assert!(!b.lines[0].verified && b.lines[0].source.contains("m6i.large eu-west-1 ondemand 0.107"));
    let b = bill("m6i.large", "eu-west-1", Some("ri-standard-1yr-no-upfront"));
    assert_eq!(b.total(), usd(51.6694));
    assert!(b.assumptions.iter().any(|a| a.contains("at least 66.1 % of the hours")));
    assert_eq!(
        bill("t4g.medium", "ap-southeast-1", Some("ri-standard-3yr-no-upfront")).total(),
        usd(13.14)
    );
    assert_eq!(bill("c6i.large", "ap-southeast-1", None).total(), usd(71.54));
    assert_eq!(bill("c6i.large", "eu-west-1", None).total(), usd(66.576));
    assert_eq!(bill("t3.medium", "eu-west-1", None).total(), usd(33.288));
    assert_eq!(
        bill("t3.medium", "ap-southeast-1", Some("ri-standard-1yr-no-upfront")).total(),
        usd(24.236)
    );
    // The 7th-generation types from skypilot-catalog's copy of the AWS Pricing API, 730 h:
    //   m7g.large eu-west-1 730 × 0.091 = $66.43; c7i.xlarge eu-west-1 730 × 0.19152 = $139.8096
    //   → $139.81; r7g.large ap-southeast-1 730 × 0.1292 = $94.316 → $94.32; m7i.xlarge
    //   ap-southeast-1 730 × 0.252 = $183.96.
    assert_regional_on_demand(
        &ec2,
        "skypilot-catalog",
        &[
            ("m7g.large", "eu-west-1", 66.43, 6643),
            ("c7i.xlarge", "eu-west-1", 139.8096, 13981),
            ("r7g.large", "ap-southeast-1", 94.316, 9432),
            ("m7i.xlarge", "ap-southeast-1", 183.96, 18396),
        ],
    );
    // No sourced rate: m7g's commitments outside us-east-1, t3.medium's Convertible RI there.
    assert!(!bill("m7g.large", "eu-west-1", Some("ri-standard-1yr-no-upfront")).complete());
    assert!(!bill("t3.medium", "ap-southeast-1", Some("ri-convertible-1yr-no-upfront")).complete());
    // us-east-1 keeps the vendor-generated rate: 730 × 0.096 = $70.08, verified.
    let b = bill("m6i.large", "us-east-1", None);
    assert_eq!(b.total(), usd(70.08));
    assert!(b.lines[0].verified);
}

#[test]
fn gcp_compute_in_europe_west1_and_asia_southeast1() {
    // The billing catalog copy's regional rates, 730 h:
    //   e2-standard-2 europe-west1 on demand 730 × 0.07371546 = $53.8122858 → $53.81 (its 'month')
    //   n2-standard-2 europe-west1 full month with the sustained-use tiers:
    //     182.5 × 0.106834 = $19.497205 a quarter, × 3.2008 = $62.406653764 → $62.41
    //   n2-standard-4 asia-southeast1 3-yr resource CUD 730 × 0.107824 = $78.71152 → $78.71
    //   t2a-standard-2 asia-southeast1 730 × 0.09496 = $69.3208 → $69.32
    let gce = table("gcp-compute");
    let bill = |t: &str, region: &str, term: Option<&str>| regional_bill(&gce, t, region, term);
    let b = bill("e2-standard-2", "europe-west1", None);
    assert_eq!(b.total(), usd(53.8122858));
    assert_eq!(b.offerings[0].region, "europe-west1");
    assert!(!b.lines[0].verified && b.lines[0].source.contains("europe-west1"));
    assert_eq!(bill("n2-standard-2", "europe-west1", None).total(), usd(62.406653764));
    let b = bill("n2-standard-4", "asia-southeast1", Some("resource-cud-3yr-no-upfront"));
    assert_eq!(b.total(), usd(78.71152));
    assert_eq!(b.lines.len(), 1, "no sustained-use line beside a commitment");
    assert_eq!(bill("t2a-standard-2", "asia-southeast1", None).total(), usd(69.3208));
    // T2A is not offered in europe-west1: not priced, not us-central1's $56.21.
    let b = bill("t2a-standard-2", "europe-west1", None);
    assert!(!b.complete());
    assert_eq!(b.total(), Usd::ZERO);
    let why = b.lines[0].note.clone().unwrap();
    assert!(
        why.contains("no price for t2a-standard-2 in europe-west1") && why.contains("us-central1, asia-southeast1"),
        "{why}"
    );
    // Flexible CUDs are tabled for us-central1 only.
    assert!(!bill("e2-standard-2", "europe-west1", Some("flex-cud-1yr-no-upfront")).complete());
    // e2-standard-4: us-central1 730 × 0.13402284 = $97.8366732 (the catalog's 'month'); 1-yr
    // resource CUD 730 × 0.084434372 = $61.63709156; europe-west1 3-yr 730 × 0.066343904 =
    // $48.43104992.
    assert_eq!(bill("e2-standard-4", "us-central1", None).total(), usd(97.8366732));
    let t = "resource-cud-1yr-no-upfront";
    assert_eq!(bill("e2-standard-4", "us-central1", Some(t)).total(), usd(61.63709156));
    let t = "resource-cud-3yr-no-upfront";
    assert_eq!(bill("e2-standard-4", "europe-west1", Some(t)).total(), usd(48.43104992));
    // us-central1 stays the type's own price: 730 × 0.06701142 = $48.9183366.
    assert_eq!(bill("e2-standard-2", "us-central1", None).total(), usd(48.9183366));
    // A region the table does not cover is an error, not a guess.
    let opts = CostOptions {
        region: Some("us-east1".into()),
        ..CostOptions::default()
    };
    let e = price_usage(&instance_month("e2-standard-2"), &gce, &opts).unwrap_err();
    assert!(
        e.to_string().contains("us-central1, europe-west1, asia-southeast1"),
        "{e}"
    );
}

#[test]
fn gcp_resource_cuds_and_tau_t2a() {
    // Resource-based CUDs, the billing catalog's 730 h with the commitment (Cyclenerd pricing.yml):
    //   e2-standard-2 1 yr 730 × 0.042217186 = $30.81854578 → $30.82; 3 yr 730 × 0.030155134 = $22.01324782 → $22.01
    //   n2-standard-2 1 yr 730 × 0.061182 = $44.66286 → $44.66; 3 yr 730 × 0.043706 = $31.90538 → $31.91
    //   n2-standard-4 1 yr 730 × 0.122364 = $89.32572 → $89.33; 3 yr 730 × 0.087412 = $63.81076 → $63.81
    // No sustained-use discount on top (the line is the commitment's alone).
    let gce = table("gcp-compute");
    let bill = |t: &str, term: Option<&str>| {
        let opts = CostOptions {
            commitment: term.map(str::to_string),
            ..CostOptions::default()
        };
        price_usage(&instance_month(t), &gce, &opts).unwrap()
    };
    for (t, term, want) in [
        ("e2-standard-2", "resource-cud-1yr-no-upfront", 30.81854578),
        ("e2-standard-2", "resource-cud-3yr-no-upfront", 22.01324782),
        ("n2-standard-2", "resource-cud-1yr-no-upfront", 44.66286),
        ("n2-standard-2", "resource-cud-3yr-no-upfront", 31.90538),
        ("n2-standard-4", "resource-cud-1yr-no-upfront", 89.32572),
        ("n2-standard-4", "resource-cud-3yr-no-upfront", 63.81076),
    ] {
        let b = bill(t, Some(term));
        assert_eq!(b.total(), usd(want), "{t} {term}");
        assert_eq!(
            b.lines.len(),
            1,
            "{t} {term}: no sustained-use line beside a commitment"
        );
        assert!(
            !b.lines[0].verified && b.lines[0].source.contains("Cyclenerd"),
            "{t} {term}"
        );
    }
    assert_eq!(cents(&bill("e2-standard-2", Some("resource-cud-1yr-no-upfront"))), 3082);
    assert_eq!(cents(&bill("n2-standard-2", Some("resource-cud-3yr-no-upfront"))), 3191);
    // Break-even: 0.042217186 / 0.06701142 = 63.0 % of the hours; 3 yr 0.030155134 / 0.06701142 = 45.0 %.
    let said = |t: &str, term: &str| {
        bill(t, Some(term))
            .assumptions
            .into_iter()
            .find(|a| a.contains("break-even"))
            .unwrap()
    };
    let s = said("e2-standard-2", "resource-cud-1yr-no-upfront");
    assert!(s.contains("at least 63.0 % of the hours"), "{s}");
    let s = said("e2-standard-2", "resource-cud-3yr-no-upfront");
    assert!(
        s.contains("at least 45.0 % of the hours") && s.contains("3-year term"),
        "{s}"
    );
    // n2-standard-4 on demand all month with the sustained-use tiers: 730 × 0.194236 × 0.8002 =
    // $113.462182456 → $113.46, the catalog copy's own 'month'.
    let b = bill("n2-standard-4", None);
    assert_eq!(b.total(), usd(113.462182456));
    assert_eq!(cents(&b), 11346);
    // Tau T2A (Arm): no sustained-use discount, 730 × 0.077 = $56.21 and 730 × 0.154 = $112.42;
    // no committed-use rate: not priced, not $0.
    assert_eq!(bill("t2a-standard-2", None).total(), usd(56.21));
    assert_eq!(bill("t2a-standard-4", None).total(), usd(112.42));
    let b = bill("t2a-standard-2", Some("resource-cud-1yr-no-upfront"));
    assert!(!b.complete());
    assert_eq!(b.total(), Usd::ZERO);
}
