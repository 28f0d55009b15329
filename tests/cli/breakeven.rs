//! `faascost breakeven` end to end: the hand-computed crossing of Lambda against m7g.large, the
//! multiple of today's traffic, minimum instances, and usage errors (exit 2).

use super::common::{input_error, json};

const LAMBDA: [&str; 7] = [
    "breakeven",
    "--platform",
    "aws-lambda",
    "--duration-ms",
    "100",
    "--memory-mb",
    "1024",
];

#[test]
fn lambda_against_m7g_large_matches_the_hand_computation() {
    // Lambda x86 at 100 ms and 1,024 MB: $0.20/10^6 + 0.1 s × 1 GB × $0.0000166667 = $0.00000186667
    // a request. m7g.large: $0.0816 × 730 h = $59.568 a month; 4 request slots (2 vCPU × 1/0.5) at
    // 60 % carry 2,628,000,000 ms × 4 × 0.6 / 100 ms = 63,072,000 requests, so one instance:
    // $59.568 / $0.00000186667 = 31,911,372 requests a month, 3.19× today's 10 M.
    let mut args = LAMBDA.to_vec();
    args.extend(["--vs", "aws-ec2:m7g.large", "--requests", "10000000", "--json"]);
    let v = json(&args);
    let s = &v["servers"][0];
    let n = s["requests_per_month"].as_f64().unwrap();
    assert!((n / 31_911_372.0 - 1.0).abs() < 0.01, "{n}");
    assert_eq!(s["instances"], 1);
    assert_eq!(s["server_monthly_usd"], "59.568000");
    let m = s["multiple_of_requests"].as_f64().unwrap();
    assert!((m - 3.19).abs() < 0.01, "{m}");
    assert!(s["capacity_rule"]
        .as_str()
        .unwrap()
        .starts_with("instances = max(1, ceil("));
}

#[test]
fn a_fargate_task_under_its_savings_plan_against_lambda() {
    // x86:1vcpu-2gb under the 1-year Compute Savings Plan: 730 × $0.032384 + 1,460 × $0.003556 =
    // $28.83208 a month; 2 request slots (1 vCPU × 1/0.5) at 60 % carry 31,536,000 requests, so
    // one task: $28.83208 / $0.00000186667 = 15,445,730 requests a month, 1.54× today's 10 M.
    let mut args = LAMBDA.to_vec();
    args.extend([
        "--vs",
        "aws-fargate:x86:1vcpu-2gb",
        "--commitment",
        "compute-sp-1yr-no-upfront",
        "--requests",
        "10000000",
        "--json",
    ]);
    let v = json(&args);
    let s = &v["servers"][0];
    assert_eq!(s["server_monthly_usd"], "28.832080");
    assert_eq!(s["instances"], 1);
    let n = s["requests_per_month"].as_f64().unwrap();
    assert!((n / 15_445_730.0 - 1.0).abs() < 0.001, "{n}");
    // The plan is x86's: an arm64 task under it is refused, not priced on demand.
    let mut args = LAMBDA.to_vec();
    args.extend([
        "--vs",
        "aws-fargate:arm64:1vcpu-2gb",
        "--commitment",
        "compute-sp-1yr-no-upfront",
    ]);
    let err = input_error(&args);
    assert!(err.contains("is not a term of Fargate arm64"), "{err}");
}

#[test]
fn two_instances_at_least_double_the_crossing() {
    // Two m7g.large: $119.136 / $0.00000186667 = 63,822,745 requests, still within two
    // instances' 126,144,000.
    let mut args = LAMBDA.to_vec();
    args.extend(["--vs", "aws-ec2:m7g.large", "--min-instances", "2", "--json"]);
    let v = json(&args);
    let n = v["servers"][0]["requests_per_month"].as_f64().unwrap();
    assert!((n / 63_822_745.0 - 1.0).abs() < 0.01, "{n}");
    assert_eq!(v["servers"][0]["instances"], 2);
}

#[test]
fn usage_errors_exit_2_and_say_what_is_expected() {
    let e = input_error(&LAMBDA);
    assert!(e.contains("--vs"), "{e}");
    let mut args = LAMBDA.to_vec();
    args.extend(["--vs", "aws-ec2"]);
    assert!(input_error(&args).contains("expected PLATFORM:TYPE"));
    let mut args = LAMBDA.to_vec();
    args.extend(["--vs", "aws-lambda:big"]);
    assert!(input_error(&args).contains("unknown server or container platform 'aws-lambda'"));
    let mut args = LAMBDA.to_vec();
    args.extend(["--vs", "aws-ec2:m7g.huge"]);
    assert!(input_error(&args).contains("no instance type 'm7g.huge'"));
    let mut args = LAMBDA.to_vec();
    args.extend(["--vs", "aws-ec2:m7g.large", "--target-utilization", "0"]);
    assert!(input_error(&args).contains("--target-utilization 0 is out of range"));
    let e = input_error(&[
        "breakeven",
        "--platform",
        "aws-lambda",
        "--duration-ms",
        "100",
        "--memory-mb",
        "20000",
        "--vs",
        "aws-ec2:m7g.large",
    ]);
    assert!(e.contains("--memory-mb: memory 20000 MB is not configurable"), "{e}");
    let e = input_error(&[
        "breakeven",
        "--platform",
        "aws-lambda",
        "--duration-ms",
        "0",
        "--memory-mb",
        "128",
        "--vs",
        "aws-ec2:m7g.large",
    ]);
    assert!(e.contains("--duration-ms"), "{e}");
}

#[test]
fn a_lower_bound_is_never_a_break_even() {
    // With price tables lacking GCP's network table, Cloud Run is priced but its egress is not:
    // with response bytes the serverless bill is a lower bound, refused; a server type not
    // offered in the scenario's region (europe-west1) is refused too, naming where it is priced.
    let dir = tempfile::tempdir().unwrap();
    let scenario = |body: &str| {
        let p = dir.path().join("s.toml");
        let head = "schema_version = 1\ngcp_region = \"europe-west1\"\n";
        std::fs::write(
            &p,
            format!("{head}{body}[[serverless]]\nid = \"run\"\nplatform = \"gcp-cloud-run\"\n"),
        )
        .unwrap();
        p
    };
    let run = |vs: &str, s: &std::path::Path| {
        let args = [
            "breakeven",
            "--platform",
            "gcp-cloud-run",
            "--duration-ms",
            "100",
            "--memory-mb",
            "512",
            "--vs",
            vs,
            "--scenario",
            s.to_str().unwrap(),
        ];
        args.map(str::to_string)
    };
    let tables = dir.path().join("tables");
    std::fs::create_dir(&tables).unwrap();
    let builtin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing");
    for entry in std::fs::read_dir(builtin).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() != "gcp-network.toml" {
            std::fs::copy(&path, tables.join(path.file_name().unwrap())).unwrap();
        }
    }
    let with_bytes = scenario("response_bytes = 2048\n");
    let mut args = run("gcp-compute:e2-standard-2", &with_bytes).to_vec();
    args.extend(["--pricing".to_string(), tables.to_str().unwrap().to_string()]);
    let e = input_error(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        e.contains("has lines that are not priced: Internet egress")
            && e.contains("no sourced internet egress price for gcp (no gcp-network table)"),
        "{e}"
    );
    let plain = scenario("");
    let args = run("gcp-compute:t2a-standard-2", &plain);
    let e = input_error(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        e.contains("no price for t2a-standard-2 in europe-west1")
            && e.contains("priced in us-central1, asia-southeast1"),
        "{e}"
    );
    // Without response bytes it crosses at europe-west1's e2-standard-2: one instance
    // 730 × 0.07371546 = $53.8122858 a month.
    let mut args = run("gcp-compute:e2-standard-2", &plain).to_vec();
    args.push("--json".into());
    let v = json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(v["servers"][0]["server_monthly_usd"], "53.812286");
}
