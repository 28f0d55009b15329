//! `cost`'s bill lines beyond compute (issue 11): the permanent free grants apart from the
//! 12-month new-account offers, internet egress, ALB LCUs from request and response bytes,
//! Cloud Run instance-based billing and provisioned-concurrency windows. Figures by hand in
//! each test's comment.

use super::common::json;

fn bill(args: &[&str]) -> serde_json::Value {
    json(&[&["cost", "--platform"][..], args, &["--json"]].concat())
}

fn cents(v: &serde_json::Value) -> i64 {
    v["monthly_cost_cents"].as_i64().unwrap()
}

#[test]
fn the_api_gateway_grant_is_a_new_account_offer_off_by_default() {
    // 3M requests of 100 ms at 128 MB on Lambda with a REST API:
    // Lambda requests 3 × $0.20 = $0.60; duration 3e6 × 0.1 s × 0.125 GB = 37,500 GB-s ×
    // $0.0000166667 = $0.62500125; REST 3 × $3.50 = $10.50. Total $11.72500125 → 1,173 cents.
    let base = ["aws-lambda", "--requests", "3000000", "--front-door", "rest-api"];
    assert_eq!(cents(&bill(&base)), 1173);
    // --free-tier (permanent grants): Lambda's 1M requests and 400,000 GB-s are free → requests
    // 2 × $0.20 = $0.40, duration $0; the REST API still 3M → $10.50. Total $10.90.
    let v = bill(&[&base[..], &["--free-tier"]].concat());
    assert_eq!(cents(&v), 1090);
    let said = v["assumptions"].as_array().unwrap();
    assert!(said.iter().any(|a| a
        .as_str()
        .unwrap()
        .starts_with("12-month new-account offers not applied")));
    // --new-account-offers too: REST 2M × $3.50 = $7.00 → $7.40.
    assert_eq!(
        cents(&bill(&[&base[..], &["--free-tier", "--new-account-offers"]].concat())),
        740
    );
}

/// The bill of 10M requests on `platform` (its defaults: 100 ms at 128 MB) returning 100 KiB
/// each (`extra` appended), and its internet egress lines.
fn egress_bill(platform: &str, extra: &[&str]) -> (serde_json::Value, Vec<serde_json::Value>) {
    let args = [platform, "--requests", "10000000", "--response-bytes", "102400"];
    let v = bill(&[&args[..], extra].concat());
    let lines = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["name"].as_str().unwrap().starts_with("Internet egress"))
        .cloned()
        .collect();
    (v, lines)
}

#[test]
fn internet_egress_per_provider() {
    // 10M Lambda requests of 100 ms at 128 MB returning 100 KiB each: 10,000,000 × 102,400 B =
    // 953.674 GiB × $0.09 = $85.830688…; with --free-tier the first 100 GB are free: 853.674 ×
    // $0.09 = $76.830688….
    let (_, lines) = egress_bill("aws-lambda", &[]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(line["name"], "Internet egress (first 10,240 GB)");
    assert_eq!(line["unit"], "GB");
    assert!(
        (line["quantity"].as_f64().unwrap() - 953.674_316_406_25).abs() < 1e-9,
        "{line}"
    );
    assert_eq!(line["cost_usd"], "85.830688");
    let (_, free) = egress_bill("aws-lambda", &["--free-tier"]);
    assert_eq!(free.len(), 2, "{free:?}");
    assert_eq!(free[1]["cost_usd"], "76.830688");
    // Cloudflare Workers: egress is not billed, a priced $0 line.
    let (v, lines) = egress_bill("cloudflare-workers", &[]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["name"], "Internet egress");
    assert_eq!(lines[0]["cost_usd"], "0.000000");
    assert_eq!(v["complete"], true);
    // Cloud Run: Premium Tier egress, 10M × 100 KiB = 1,024,000,000 KiB = 953.674316 GiB ×
    // $0.12 = $114.440918 (the first tier, to 1,024 GiB).
    let (v, lines) = egress_bill("gcp-cloud-run", &[]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["name"], "Internet egress (first 1,024 GB)");
    assert_eq!(lines[0]["cost_usd"], "114.440918");
    assert_eq!(v["complete"], true);
}

#[test]
fn nat_gateway_public_ipv4_and_alb_response_bytes() {
    // An EC2 t3.medium all month (730 × $0.0416 = $30.368) in a private subnet with 2 NAT
    // gateways (2 × 730 h × $0.045 = $65.70) processing 100 GB ($4.50), and 1 public IPv4
    // (730 × $0.005 = $3.65): $104.218 → 10,422 cents.
    let v = bill(&[
        "aws-ec2:t3.medium",
        "--nat-gateways",
        "2",
        "--nat-gb",
        "100",
        "--public-ipv4",
        "1",
    ]);
    assert_eq!(cents(&v), 10_422);
    // ALB front door on Lambda: 65.7M requests of 1 ms at 128 MB; processed bytes now count the
    // responses: 65.7M × 1 MiB = 64,160.16 GB a month = 87.89 GB/h ÷ 0.4 = 219.72 LCU (above
    // the 1 LCU of new connections): 730 h × 219.7266 LCU × $0.008 = $1,283.20; and the ALB's 2
    // public IPv4 addresses: 1,460 h × $0.005 = $7.30.
    let v = bill(&[
        "aws-lambda",
        "--requests",
        "65700000",
        "--duration-ms",
        "1",
        "--front-door",
        "alb",
        "--response-bytes",
        "1048576",
    ]);
    let cost = |name: &str| {
        v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .unwrap()["cost_usd"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(cost("Public IPv4 address-hours"), "7.300000");
    let lcu: f64 = cost("ALB LCU-hours").parse().unwrap();
    assert!((lcu - 1_283.203_125).abs() < 0.01, "{lcu}");
    // NAT and IPv4 flags are AWS's.
    let e = super::common::input_error(&["cost", "--platform", "gcp-cloud-run", "--nat-gateways", "1"]);
    assert!(e.contains("price AWS network lines"), "{e}");
}

#[test]
fn cloud_run_instance_based_billing_bills_the_instance_lifetime() {
    // 1M requests of 100 ms at 512 MB, 1 vCPU. Request-based: 100,000 vCPU-s × $0.000024 =
    // $2.40, 50,000 GiB-s × $0.0000025 = $0.125, 1M requests × $0.40 = $0.40 → $2.925 → 293
    // cents. Instance-based bills the instance's whole lifetime (was only the request time,
    // $1.90): 1 instance × 730 h = 2,628,000 vCPU-s × $0.000018 = $47.304 and 1,314,000 GiB-s ×
    // $0.000002 = $2.628 → $49.932 → 4,993 cents. Two instances for 100 hours: 720,000 vCPU-s ×
    // $0.000018 = $12.96 + 360,000 GiB-s × $0.000002 = $0.72 → $13.68.
    let args = ["gcp-cloud-run", "--requests", "1000000", "--memory-mb", "512"];
    assert_eq!(cents(&bill(&args)), 293);
    let instance = [&args[..], &["--cloud-run-billing", "instance"]].concat();
    assert_eq!(cents(&bill(&instance)), 4_993);
    let two = [&instance[..], &["--instances", "2", "--hours", "100"]].concat();
    assert_eq!(cents(&bill(&two)), 1_368);
}

#[test]
fn cloud_run_minimum_instances_bill_their_idle_time_at_the_idle_rates() {
    // 1M requests of 100 ms at 512 MB, request-based ($2.925), one minimum instance all month:
    // 2,628,000 s kept less 100,000 s of requests = 2,528,000 s idle: CPU 2,528,000 vCPU-s ×
    // $0.0000025 = $6.32, memory 1,264,000 GiB-s × $0.0000025 = $3.16. Total $12.405 → 1,241
    // cents (half up).
    let v = bill(&[
        "gcp-cloud-run",
        "--requests",
        "1000000",
        "--memory-mb",
        "512",
        "--min-instances",
        "1",
    ]);
    assert_eq!(cents(&v), 1_241);
    let e = super::common::input_error(&["cost", "--platform", "aws-lambda", "--min-instances", "1"]);
    assert!(e.contains("--min-instances prices Cloud Run"), "{e}");
}
