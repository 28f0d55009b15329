//! `faascost cost` and `faascost pricing` end to end: JSON totals pinned to the cent,
//! not-priced lines, and validation errors with file:line:key and exit code 2.

use assert_cmd::Command;
use predicates::prelude::*;

use super::common::input_error;

fn faascost() -> Command {
    Command::cargo_bin("faascost").unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = faascost().args(args).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn lambda_mobile_backend_example_to_the_cent() {
    // AWS pricing page example: 3M × 120 ms × 1536 MB → $9.00 compute + $0.60 requests = $9.60.
    let v = json(&[
        "cost",
        "--platform",
        "aws-lambda",
        "--requests",
        "3000000",
        "--duration-ms",
        "120",
        "--memory-mb",
        "1536",
    ]);
    assert_eq!(v["monthly_cost_cents"], 960);
    // Exact money: a decimal string of micro-dollars, the sum of the lines.
    assert_eq!(v["monthly_cost_usd"], "9.600018");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["command"], "cost");
    let lines = v["lines"].as_array().unwrap();
    for key in ["name", "unit", "quantity", "unit_price_usd", "cost_usd"] {
        assert!(lines.iter().all(|l| l.get(key).is_some()), "missing {key}");
    }
    assert_eq!(v["offerings"][0]["effective_date"], "2026-11-22");
}

#[test]
fn lambda_with_front_door_logs_free_tier_and_pc() {
    // 3M × 1 s × 512 MB with the free tier: compute (1.5M − 0.4M) × 0.0000166667 = $18.33337;
    // requests $0.40. HTTP API 3M × $1.00/M = $3.00 (the API Gateway grant is a 12-month
    // new-account offer, not applied by --free-tier). Logs 3M × 1,000 B = 2.794 GB: (2.794 − 5
    // free) → $0; storage 2.794 GB × $0.03 = $0.0838. Total ≈ 18.33337 + 0.40 + 3.00 + 0.0838 =
    // $21.82.
    let v = json(&[
        "cost",
        "--platform",
        "aws-lambda",
        "--requests",
        "3000000",
        "--duration-ms",
        "1000",
        "--memory-mb",
        "512",
        "--free-tier",
        "--front-door",
        "http-api",
        "--log-bytes-per-invocation",
        "1000",
    ]);
    assert_eq!(v["monthly_cost_cents"], 2182);
    assert_eq!(v["offerings"].as_array().unwrap().len(), 3);
    // PC 10 all month at 1024 MB: 10 × 2,628,000 s = 26,280,000 GB-s × 0.0000041667 = $109.500876;
    // 1M × 100 ms served by PC: 100,000 GB-s × 0.0000097222 = $0.97222; requests $0.20 → $110.67.
    let v = json(&[
        "cost",
        "--platform",
        "aws-lambda",
        "--requests",
        "1000000",
        "--duration-ms",
        "100",
        "--memory-mb",
        "1024",
        "--provisioned-concurrency",
        "10",
    ]);
    assert_eq!(v["monthly_cost_cents"], 11067);
    assert_eq!(v["verified"], false, "PC x86 rates are not vendor-verified");
}

#[test]
fn other_platforms() {
    // Azure consumption, free grant: 3M × 1 s × 512 MB → $17.60 + $0.40 = $18.00.
    let v = json(&[
        "cost",
        "--platform",
        "azure-functions-consumption",
        "--requests",
        "3000000",
        "--duration-ms",
        "1000",
        "--memory-mb",
        "512",
        "--free-tier",
    ]);
    assert_eq!(v["monthly_cost_cents"], 1800);
    // EC2 m7g.large: 730 × $0.0816 = $59.568 → $59.57.
    assert_eq!(
        json(&["cost", "--platform", "aws-ec2:m7g.large"])["monthly_cost_cents"],
        5957
    );
    // Fargate 2 tasks × 0.5 vCPU × 1 GB × 730 h: 2 × (0.5 × 29.5504 + 1 × 3.24485) = $36.0401.
    let v = json(&[
        "cost",
        "--platform",
        "aws-fargate",
        "--vcpu",
        "0.5",
        "--memory-mb",
        "1024",
        "--instances",
        "2",
    ]);
    assert_eq!(v["monthly_cost_cents"], 3604);
    // Cloud Run: 10M × 200 ms, 512 MB, 1 vCPU, free tier → $48.48.
    let v = json(&[
        "cost",
        "--platform",
        "gcp-cloud-run",
        "--requests",
        "10000000",
        "--duration-ms",
        "200",
        "--memory-mb",
        "512",
        "--free-tier",
    ]);
    assert_eq!(v["monthly_cost_cents"], 4848);
    // Cloudflare: $5 plan + 40M × $0.30/M + 220M CPU-ms × $0.02/M = $21.40.
    let v = json(&[
        "cost",
        "--platform",
        "cloudflare-workers",
        "--requests",
        "50000000",
        "--duration-ms",
        "5",
    ]);
    assert_eq!(v["monthly_cost_cents"], 2140);
}

#[test]
fn missing_commitment_price_is_null_not_zero() {
    let v = json(&[
        "cost",
        "--platform",
        "aws-ec2:m7g.large",
        "--commitment",
        "ri-standard-1yr-no-upfront",
    ]);
    assert_eq!(v["complete"], false);
    assert!(v["lines"][0]["cost_usd"].is_null());
    faascost()
        .args([
            "cost",
            "--platform",
            "aws-ec2:m7g.large",
            "--commitment",
            "ri-standard-1yr-no-upfront",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("not priced"));
}

#[test]
fn fargate_and_lambda_savings_plans_are_priced_and_a_commitment_elsewhere_refused() {
    // x86:1vcpu-2gb under the 3-year Compute Savings Plan in us-east-1: 730 × $0.022264 +
    // 1,460 × $0.00244475 = 16.25272 + 3.569335 = $19.822055 → $19.82; break-even 0.0271535 /
    // 0.04937 = 55.0 % of the hours.
    let v = json(&[
        "cost",
        "--platform",
        "aws-fargate",
        "--vcpu",
        "1",
        "--memory-mb",
        "2048",
        "--hours",
        "730",
        "--commitment",
        "compute-sp-3yr-no-upfront",
    ]);
    assert_eq!(v["monthly_cost_cents"], 1982);
    assert_eq!(v["complete"], true);
    assert_eq!(v["verified"], false);
    assert!(
        v["assumptions"].to_string().contains("at least 55.0 % of the hours"),
        "{v}"
    );
    // Lambda's x86 duration under the 1-year plan: 10M × 200 ms × 1 GB = 2,000,000 GB-s ×
    // $0.0000147 = $29.40, requests $2.00 on demand: $31.40.
    let v = json(&[
        "cost",
        "--platform",
        "aws-lambda",
        "--requests",
        "10000000",
        "--duration-ms",
        "200",
        "--memory-mb",
        "1024",
        "--commitment",
        "compute-sp-1yr-no-upfront",
    ]);
    assert_eq!(v["monthly_cost_cents"], 3140);
    assert_eq!(v["complete"], true);
    // A platform with no commitment price in the tables is refused, not billed on demand
    // under a commitment's name.
    for platform in [
        "azure-functions-consumption",
        "gcp-cloud-run",
        "cloudflare-workers",
        "aws-eks",
    ] {
        let err = input_error(&[
            "cost",
            "--platform",
            platform,
            "--commitment",
            "compute-sp-1yr-no-upfront",
        ]);
        assert!(
            err.contains(&format!("{platform} has no commitment price in the tables"))
                && err.contains("drop --commitment"),
            "{platform}: {err}"
        );
    }
}

#[test]
fn third_party_reserved_instance_rate_is_priced_and_flagged_unverified() {
    // c6i.large Standard RI 3 yr no upfront $0.03742/h (a third-party extract of AWS's offer
    // files): 730 h × 0.03742 = $27.3166 → $27.32; break-even 0.03742 / 0.085 = 44.0 % of the
    // hours.
    let v = json(&[
        "cost",
        "--platform",
        "aws-ec2:c6i.large",
        "--commitment",
        "ri-standard-3yr-no-upfront",
    ]);
    assert_eq!(v["monthly_cost_cents"], 2732);
    assert_eq!(v["complete"], true);
    assert_eq!(v["verified"], false);
    assert_eq!(v["lines"][0]["verified"], false);
    let said = v["assumptions"].to_string();
    assert!(
        said.contains("3-year term, 0 % paid upfront") && said.contains("at least 44.0 %"),
        "{said}"
    );
}

#[test]
fn gcp_resource_cud_is_priced_from_the_billing_catalog_copy() {
    // n2-standard-2 1-year resource-based CUD: the catalog's $44.66286 for 730 h → $0.061182/h;
    // 730 h × 0.061182 = $44.66286 → $44.66; break-even 0.061182 / 0.0971 = 63.0 % of the hours.
    let v = json(&[
        "cost",
        "--platform",
        "gcp-compute:n2-standard-2",
        "--commitment",
        "resource-cud-1yr-no-upfront",
    ]);
    assert_eq!(v["monthly_cost_cents"], 4466);
    assert_eq!(v["complete"], true);
    assert_eq!(v["lines"][0]["verified"], false);
    let said = v["assumptions"].to_string();
    assert!(
        said.contains("1-year term, 0 % paid upfront") && said.contains("at least 63.0 %"),
        "{said}"
    );
    // Tau T2A has no committed-use rate: not priced, not $0; on demand 730 × 0.077 = $56.21.
    let v = json(&[
        "cost",
        "--platform",
        "gcp-compute:t2a-standard-2",
        "--commitment",
        "resource-cud-1yr-no-upfront",
    ]);
    assert_eq!(v["complete"], false);
    let v = json(&["cost", "--platform", "gcp-compute:t2a-standard-2"]);
    assert_eq!(v["monthly_cost_cents"], 5621);
    // europe-west1's own rates: 730 × 0.067302 = $49.13046 → $49.13, break-even
    // 0.067302 / 0.106834 = 63.0 %; T2A is not offered there (not priced, and said why).
    let v = json(&[
        "cost",
        "--platform",
        "gcp-compute:n2-standard-2",
        "--region",
        "europe-west1",
        "--commitment",
        "resource-cud-1yr-no-upfront",
    ]);
    assert_eq!(v["monthly_cost_cents"], 4913);
    assert!(v["assumptions"].to_string().contains("(on demand $0.106834)"), "{v}");
    let v = json(&[
        "cost",
        "--platform",
        "gcp-compute:t2a-standard-2",
        "--region",
        "europe-west1",
    ]);
    assert_eq!(v["complete"], false);
    assert!(
        v["lines"][0]["note"]
            .to_string()
            .contains("priced in us-central1, asia-southeast1"),
        "{v}"
    );
}

#[test]
fn network_lines_are_priced_in_the_platform_s_region() {
    // m6i.large in eu-west-1 with a NAT gateway and two public addresses: the NAT has no
    // eu-west-1 rate (not priced, never us-east-1's $0.045); the addresses are 2 × 730 h ×
    // $0.005 = $7.30; the instance 730 × $0.107 = $78.11.
    let v = json(&[
        "cost",
        "--platform",
        "aws-ec2:m6i.large",
        "--region",
        "eu-west-1",
        "--nat-gateways",
        "1",
        "--public-ipv4",
        "2",
    ]);
    assert_eq!(v["complete"], false);
    let lines = v["lines"].as_array().unwrap();
    let line = |prefix: &str| {
        lines
            .iter()
            .find(|l| l["name"].as_str().unwrap().starts_with(prefix))
            .unwrap()
    };
    assert!(line("NAT gateway hours")["cost_usd"].is_null());
    assert!(line("NAT gateway hours")["note"]
        .as_str()
        .unwrap()
        .contains("in eu-west-1"));
    assert_eq!(line("Public IPv4")["cost_usd"], "7.300000");
    assert_eq!(line("m6i.large")["cost_usd"], "78.110000");
}

#[test]
fn azure_egress_is_priced_after_the_free_100_gb() {
    // 500 responses of 1 GiB = 500 GB out of eastus; with the free tier the first 100 GB are
    // free and 400 × $0.087 = $34.80 (ResearchComputing's worked example); the 500 × 100 ms at
    // 128 MB fall inside the free executions and GB-s. Without the free tier: 500 × 0.087 =
    // $43.50 of egress, + 500 executions × $0.20/1M = $0.0001 and 500 × 0.1 s × 0.125 GB
    // × $0.000016 = $0.0001: $43.5002 → 4350 cents.
    let args = |free: bool| {
        let mut a = vec![
            "cost",
            "--platform",
            "azure-functions-consumption",
            "--requests",
            "500",
            "--duration-ms",
            "100",
            "--response-bytes",
            "1073741824",
        ];
        if free {
            a.push("--free-tier");
        }
        json(&a)
    };
    let v = args(true);
    assert_eq!(v["monthly_cost_cents"], 3480);
    assert_eq!(v["complete"], true);
    assert_eq!(v["verified"], false);
    assert_eq!(args(false)["monthly_cost_cents"], 4350);
}

#[test]
fn text_output_and_bad_input() {
    faascost()
        .args([
            "cost",
            "--platform",
            "aws-lambda",
            "--requests",
            "1000",
            "--duration-ms",
            "10",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Total per month").and(predicate::str::contains("assumptions:")));
    faascost()
        .args(["cost", "--platform", "heroku"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("aws-lambda"));
    let e = uncovered_region_error("aws-lambda", "us-west-2");
    assert!(e.contains("us-east-1") && e.contains("eu-west-1"), "{e}");
}

/// The exit-2 message of `cost` on `platform` in a `region` its table does not cover.
fn uncovered_region_error(platform: &str, region: &str) -> String {
    super::common::input_error(&["cost", "--platform", platform, "--region", region, "--requests", "1"])
}

/// `cost --platform PLATFORM --region REGION --requests N --duration-ms MS --memory-mb MB --json`.
fn in_region(platform: &str, region: &str, requests: &str, ms: &str, mb: &str) -> serde_json::Value {
    json(&[
        "cost",
        "--platform",
        platform,
        "--region",
        region,
        "--requests",
        requests,
        "--duration-ms",
        ms,
        "--memory-mb",
        mb,
    ])
}

#[test]
fn azure_consumption_priced_in_westeurope_and_southeastasia_with_region() {
    // 5M × 200 ms at 256 MB: 250,000 GB-s × $0.000016 = $4.00 + 5 × $0.20 = $1.00 → $5.00,
    // as in eastus, at the regional entries' (unverified) rates.
    for region in ["westeurope", "southeastasia"] {
        let v = in_region("azure-functions-consumption", region, "5000000", "200", "256");
        assert_eq!(v["monthly_cost_cents"], 500, "{region}");
        assert_eq!(v["complete"], true, "{region}");
        assert_eq!(v["verified"], false, "{region}");
        assert_eq!(v["offerings"][0]["region"], region);
    }
    // A region the table does not cover is refused, naming the ones it does.
    let e = uncovered_region_error("azure-functions-consumption", "northeurope");
    assert!(e.contains("eastus, westeurope, southeastasia"), "{e}");
}

#[test]
fn gcf_gen1_priced_in_tier_2_asia_southeast1_with_region() {
    // 10M × 300 ms at 128 MB (200 MHz): 375,000 GB-s × $0.0000035 = $1.3125 + 600,000 GHz-s ×
    // $0.000014 = $8.40 + 10 × $0.40 = $4.00 → $13.7125 → $13.71 (Tier 1: $10.9375 → $10.94).
    let v = in_region("gcp-functions-gen1", "asia-southeast1", "10000000", "300", "128");
    assert_eq!(v["monthly_cost_cents"], 1371);
    assert_eq!(v["complete"], true);
    assert_eq!(v["verified"], false);
    assert_eq!(v["offerings"][0]["region"], "asia-southeast1");
    let v = in_region("gcp-functions-gen1", "us-central1", "10000000", "300", "128");
    assert_eq!(v["monthly_cost_cents"], 1094);
    let e = uncovered_region_error("gcp-functions-gen1", "us-east1");
    assert!(e.contains("us-central1, europe-west1, asia-southeast1"), "{e}");
}

#[test]
fn lambda_side_lines_are_priced_in_the_region_asked_for_or_refused() {
    const EU_LAMBDA: [&str; 7] = [
        "cost",
        "--platform",
        "aws-lambda",
        "--region",
        "eu-west-1",
        "--requests",
        "1000",
    ];
    // eu-west-1: CloudWatch Logs has no rate there, so asking for it is an error naming the flag
    // (never us-east-1's rates); a function URL has no line of its own.
    faascost()
        .args(EU_LAMBDA)
        .args(["--log-bytes-per-invocation", "300"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--log-bytes-per-invocation: price table 'aws-cloudwatch-logs' has no region 'eu-west-1'; it covers: \
             us-east-1, ap-southeast-1",
        ));
    // The HTTP API and the ALB are priced there at the region's rates ($1.11 a million requests;
    // 730 ALB-hours × $0.0252 = $18.396), in ap-southeast-1 the logs ($0.70 a GB), and API
    // Gateway, which does not cover ap-southeast-1, is refused there.
    faascost()
        .args(EU_LAMBDA)
        .args(["--front-door", "http-api"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1M requests × $1.11"));
    faascost()
        .args(EU_LAMBDA)
        .args(["--front-door", "alb"])
        .assert()
        .success()
        .stdout(predicate::str::contains("× $0.0252").and(predicate::str::contains("$18.40")));
    let ap = |more: &[&str]| {
        faascost()
            .args([
                "cost",
                "--platform",
                "aws-lambda",
                "--region",
                "ap-southeast-1",
                "--requests",
                "1000",
            ])
            .args(more)
            .assert()
    };
    ap(&["--log-bytes-per-invocation", "300"])
        .success()
        .stdout(predicate::str::contains("× $0.70"));
    ap(&["--front-door", "rest-api"])
        .code(2)
        .stderr(predicate::str::contains(
        "--front-door: price table 'aws-api-gateway' has no region 'ap-southeast-1'; it covers: us-east-1, eu-west-1",
    ));
    faascost()
        .args(EU_LAMBDA)
        .args(["--front-door", "function-url"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("front door 'function-url': no separate charge")
                .and(predicate::str::contains("aws-api-gateway").not()),
        );
    // In us-east-1 the HTTP API is billed: 1M requests × $1.00.
    faascost()
        .args([
            "cost",
            "--platform",
            "aws-lambda",
            "--requests",
            "1000000",
            "--front-door",
            "http-api",
        ])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"HTTP API requests[^\n]* 1 1M requests × \$1\.00 +\$1\.00\n").unwrap());
}

#[test]
fn works_from_any_directory_with_embedded_tables() {
    let dir = tempfile::tempdir().unwrap();
    faascost()
        .current_dir(dir.path())
        .args(["pricing", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("aws-lambda").and(predicate::str::contains("gcp-cloud-run")));
    faascost()
        .args(["pricing", "show", "aws-lambda"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0.0000166667").and(predicate::str::contains("[unverified]")));
    // A grant's regional scope is shown: Cloud Run's free tier valued at Tier 1 prices
    // elsewhere, its free egress GiB within North America only.
    faascost()
        .args(["pricing", "show", "gcp-cloud-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "request-cpu: 180000 (permanent grant, --free-tier; elsewhere worth this quantity at the \
             us-central1/europe-west1 price)",
        ));
    faascost()
        .args(["pricing", "show", "gcp-network"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "internet-egress: 1 (permanent grant, --free-tier; in us-central1 only)",
        ));
    faascost().args(["pricing", "validate"]).assert().success();
}

#[test]
fn validate_reports_file_line_key_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/pricing/aws-alb.toml")).unwrap();
    std::fs::write(
        dir.path().join("aws-alb.toml"),
        good.replace("usd = 0.008", "usd = -0.008"),
    )
    .unwrap();
    let line = good.lines().position(|l| l == "usd = 0.008").unwrap() + 1;
    faascost()
        .args(["pricing", "validate"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "aws-alb.toml:{line}: key 'prices.lcu-hours.usd'"
        )));
}

#[test]
fn user_pricing_directory_replaces_built_in_tables() {
    // A negotiated Lambda table: duration at $0.00001 → 540,000 GB-s = $5.40 + $0.60 requests.
    let dir = tempfile::tempdir().unwrap();
    let lambda = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/pricing/aws-lambda.toml")).unwrap();
    std::fs::write(
        dir.path().join("aws-lambda.toml"),
        lambda.replace(
            "{ up_to = 6000000000, usd = 0.0000166667 }",
            "{ up_to = 6000000000, usd = 0.00001 }",
        ),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let v = json(&[
        "cost",
        "--platform",
        "aws-lambda",
        "--requests",
        "3000000",
        "--duration-ms",
        "120",
        "--memory-mb",
        "1536",
        "--pricing",
        d,
    ]);
    assert_eq!(v["monthly_cost_cents"], 600);
    assert!(v["offerings"][0]["origin"].as_str().unwrap().contains(d));
}

#[test]
fn memory_outside_the_platform_range_is_rejected() {
    // Lambda memory is 128–10,240 MB (the table's [behaviour]); Azure Consumption bills observed memory up to 1,536 MB.
    faascost()
        .args([
            "cost",
            "--platform",
            "aws-lambda",
            "--requests",
            "1",
            "--memory-mb",
            "20000",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("128–10240 MB"));
    faascost()
        .args([
            "cost",
            "--platform",
            "azure-functions-consumption",
            "--requests",
            "1",
            "--memory-mb",
            "2048",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bills observed memory of 1 to 1,536 MB"));
    // Flex runs only at its grid of instance sizes.
    faascost()
        .args(["cost", "--platform", "azure-functions-flex", "--memory-mb", "1024"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("512, 2048 or 4096 MB"));
    // Old names are not aliases: the error lists the ids.
    faascost()
        .args(["cost", "--platform", "azure-functions"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "azure-functions-consumption, azure-functions-flex",
        ));
    faascost()
        .args(["cost", "--platform", "gcp-cloud-run", "--front-door", "alb"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("aws-lambda"));
}

#[test]
fn absurd_quantities_are_refused_never_wrapped() {
    // Was: a negative line (−$1,717,989,478.40) with exit 0.
    let e = input_error(&[
        "cost",
        "--platform",
        "aws-lambda",
        "--requests",
        "18446744073709551615",
        "--log-bytes-per-invocation",
        "18446744073709551615",
    ]);
    assert!(
        e.contains("--requests <N>") && e.contains("is not in 0..=1000000000000000"),
        "{e}"
    );
    // The largest accepted figures (Lambda's 900 s timeout) price without overflow in the text bill, and the JSON's
    // exact money refuses what it cannot hold instead of wrapping.
    let big = [
        "cost",
        "--platform",
        "aws-lambda",
        "--requests",
        "1000000000000000",
        "--duration-ms",
        "900000",
        "--memory-mb",
        "10240",
        "--log-bytes-per-invocation",
        "1073741824",
    ];
    faascost().args(big).assert().success();
    let e = input_error(&[&big[..], &["--json"]].concat());
    assert!(e.contains("beyond ±$9.2 trillion"), "{e}");
}
