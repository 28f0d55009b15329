//! `cost` refuses, with exit 2 and the limit named, what the platform cannot run (issue 11):
//! an invocation longer than the platform's timeout, an instance type the table does not
//! list, a Fargate size that does not exist, a Flex memory size Flex does not offer, Lambda
//! ephemeral storage above 10,240 MB, a Cloud Functions 1st gen run above 540 s or 8,192 MB, a
//! Workers invocation above its CPU-time limit; and what each platform bills for fractional
//! durations and for Azure Consumption's observed memory. The scenario refuses the same.

use super::common::{input_error, json};

fn cost(args: &[&str]) -> String {
    input_error(&[&["cost", "--platform"][..], args].concat())
}

#[test]
fn an_invocation_beyond_the_timeout_is_refused() {
    let e = cost(&["aws-lambda", "--requests", "1000", "--duration-ms", "900001"]);
    assert!(
        e.contains("--duration-ms 900001: aws-lambda stops an invocation after 900,000 ms (its maximum timeout)"),
        "{e}"
    );
    assert_eq!(
        json(&[
            "cost",
            "--platform",
            "aws-lambda",
            "--requests",
            "1000",
            "--duration-ms",
            "900000",
            "--json"
        ])["complete"],
        true
    );
    let e = cost(&[
        "azure-functions-consumption",
        "--requests",
        "1",
        "--duration-ms",
        "600001",
    ]);
    assert!(
        e.contains("azure-functions-consumption stops an invocation after 600,000 ms"),
        "{e}"
    );
}

#[test]
fn instance_types_and_fargate_sizes_must_exist() {
    // Was: $0.00 with exit 0.
    let e = cost(&["aws-ec2:m7g.nonexistent"]);
    assert!(
        e.contains("aws-ec2 has no instance type 'm7g.nonexistent'") && e.contains("m7g.large"),
        "{e}"
    );
    let e = cost(&["azure-functions-premium:EP9"]);
    assert!(
        e.contains("no instance type 'EP9'; expected one of EP1, EP2, EP3"),
        "{e}"
    );
    let e = cost(&["aws-fargate", "--vcpu", "1", "--memory-mb", "1024"]);
    assert!(
        e.contains("Fargate has no 1-vCPU task with 1024 MB; expected one of 2, 3, 4"),
        "{e}"
    );
    let e = cost(&["aws-fargate", "--vcpu", "3", "--memory-mb", "8192"]);
    assert!(e.contains("Fargate has no 3-vCPU task"), "{e}");
    for (vcpu, mb) in [("0.25", "512"), ("8", "61440"), ("16", "122880")] {
        let v = json(&[
            "cost",
            "--platform",
            "aws-fargate",
            "--vcpu",
            vcpu,
            "--memory-mb",
            mb,
            "--json",
        ]);
        assert_eq!(v["complete"], true, "{vcpu} vCPU {mb} MB");
    }
}

#[test]
fn flex_memory_is_one_of_its_sizes() {
    let e = cost(&["azure-functions-flex", "--memory-mb", "1024"]);
    assert!(e.contains("expected 512, 2048 or 4096 MB"), "{e}");
}

fn cents(args: &[&str]) -> i64 {
    json(&[&["cost", "--platform"][..], args, &["--json"]].concat())["monthly_cost_cents"]
        .as_i64()
        .unwrap()
}

fn quantity(args: &[&str], line: &str) -> f64 {
    let v = json(&[&["cost", "--platform"][..], args, &["--json"]].concat());
    let l = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == line)
        .cloned();
    l.unwrap_or_else(|| panic!("no line '{line}' in {v}"))["quantity"]
        .as_f64()
        .unwrap()
}

#[test]
fn platform_limits_are_refused_with_the_limit_named() {
    let e = cost(&["aws-lambda", "--requests", "1", "--ephemeral-storage-mb", "10241"]);
    assert!(
        e.contains("--ephemeral-storage-mb: ephemeral storage 10,241 MB: aws-lambda configures 512 to 10,240 MB"),
        "{e}"
    );
    let e = cost(&["gcp-functions-gen1", "--requests", "1", "--duration-ms", "540001"]);
    assert!(
        e.contains(
            "--duration-ms 540001: gcp-functions-gen1 stops an invocation after 540,000 ms (its maximum timeout)"
        ),
        "{e}"
    );
    let e = cost(&["gcp-functions-gen1", "--memory-mb", "10240"]);
    assert!(
        e.contains("above gcp-functions-gen1's largest memory size of 8,192 MB"),
        "{e}"
    );
    let e = cost(&["cloudflare-workers", "--requests", "1", "--duration-ms", "300000.5"]);
    assert!(e.contains("after 300,000 ms (its CPU-time limit per invocation"), "{e}");
    for bad in ["0", "NaN", "inf", "86400001"] {
        let e = cost(&["aws-lambda", "--requests", "1", "--duration-ms", bad]);
        assert!(
            e.contains("expected the duration of each invocation in ms, above 0"),
            "{bad}: {e}"
        );
    }
    let e = cost(&["azure-functions-consumption", "--memory-mb", "1537"]);
    assert!(e.contains("bills observed memory of 1 to 1,536 MB"), "{e}");
}

#[test]
fn fractional_durations_bill_per_each_platforms_grain() {
    // Lambda, 1 ms grain: 1,000,000 × 1.5 ms → 2 ms × 1 GB = 2,000 GB-s.
    let lambda = [
        "aws-lambda",
        "--requests",
        "1000000",
        "--memory-mb",
        "1024",
        "--duration-ms",
        "1.5",
    ];
    assert_eq!(quantity(&lambda, "Duration x86 (first 6,000,000,000 GB-s)"), 2_000.0);
    // 0.2 ms bills the 1 ms minimum: 1,000,000 × 1 ms × 1 GB = 1,000 GB-s.
    let lambda = [
        "aws-lambda",
        "--requests",
        "1000000",
        "--memory-mb",
        "1024",
        "--duration-ms",
        "0.2",
    ];
    assert_eq!(quantity(&lambda, "Duration x86 (first 6,000,000,000 GB-s)"), 1_000.0);
    // Cloud Run, 100 ms grain: 100.5 ms → 200 ms; 1,000,000 × 0.2 s × 1 vCPU = 200,000 vCPU-s.
    let run = [
        "gcp-cloud-run",
        "--requests",
        "1000000",
        "--memory-mb",
        "512",
        "--duration-ms",
        "100.5",
    ];
    assert_eq!(quantity(&run, "CPU (request-based)"), 200_000.0);
    // Azure Consumption, 100 ms minimum then 1 ms: 150.5 ms → 151 ms; × 128 MB:
    // 1,000,000 × 0.151 s × 0.125 GB = 18,875 GB-s.
    let azure = [
        "azure-functions-consumption",
        "--requests",
        "1000000",
        "--memory-mb",
        "128",
        "--duration-ms",
        "150.5",
    ];
    assert_eq!(quantity(&azure, "Execution time"), 18_875.0);
}

#[test]
fn consumption_bills_observed_memory_rounded_up_to_128_mb() {
    // 100 MB observed bills as 128 MB: 1,000,000 × 1 s × 0.125 GB = 125,000 GB-s × $0.000016 =
    // $2.00, + 1M executions × $0.20 = $2.20 (was refused: below the 128 MB configurable minimum).
    let args = [
        "azure-functions-consumption",
        "--requests",
        "1000000",
        "--memory-mb",
        "100",
        "--duration-ms",
        "1000",
    ];
    assert_eq!(quantity(&args, "Execution time"), 125_000.0);
    assert_eq!(cents(&args), 220);
    // 129 MB rounds up to 256 MB: 1,000,000 × 1 s × 0.25 GB = 250,000 GB-s = $4.00 + $0.20.
    let args = [
        "azure-functions-consumption",
        "--requests",
        "1000000",
        "--memory-mb",
        "129",
        "--duration-ms",
        "1000",
    ];
    assert_eq!(cents(&args), 420);
}

/// A scenario of one option `body` in `dir`; `analyze` on a missing trace must fail on the
/// scenario alone (exit 2), before any trace is read.
fn scenario_refusal(body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("faascost.toml");
    std::fs::write(&s, format!("schema_version = 1\n{body}")).unwrap();
    let missing = dir.path().join("no-such-trace.csv");
    input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()])
}

#[test]
fn the_scenario_refuses_the_same_limits() {
    let e = scenario_refusal("[[serverless]]\nid = \"flex\"\nplatform = \"azure-functions-flex\"\nmemory_mb = 1024\n");
    assert!(
        e.contains("line 3: option 'flex': memory_mb: memory 1024 MB is not configurable on azure-functions-flex; expected 512, 2048 or 4096 MB"),
        "{e}"
    );
    let e = scenario_refusal("[[serverless]]\nid = \"l\"\nplatform = \"aws-lambda\"\nephemeral_storage_mb = 20480\n");
    assert!(
        e.contains(
            "option 'l': ephemeral_storage_mb: ephemeral storage 20,480 MB: aws-lambda configures 512 to 10,240 MB"
        ),
        "{e}"
    );
    assert!(!e.contains("no-such-trace"), "{e}");
}
