//! `faascost analyze` end to end on small generated traces whose winner is known: steady high
//! traffic (servers win), sparse traffic (serverless wins), base plus spikes (hybrid wins),
//! growth crossing the break-even, the unused-commitment rule, autoscaling lag, determinism
//! and safe report writing.

use super::common::{faascost, input_error};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Generates a one-function CSV trace with `faascost generate`.
pub fn trace(dir: &Path, name: &str, pattern: &str, rate_per_s: f64) -> PathBuf {
    let out = dir.join(name);
    faascost()
        .args([
            "generate",
            "--pattern",
            pattern,
            "--hours",
            "1",
            "--duration-ms",
            "const:200",
        ])
        .args([
            "--memory-mb",
            "1024",
            "--seed",
            "3",
            "--rate-per-s",
            &rate_per_s.to_string(),
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

pub const LAMBDA: &str = r#"
[[serverless]]
id = "lambda"
platform = "aws-lambda"
memory_mb = 1024
arch = "arm64"
"#;

pub const HEADER: &str = r#"schema_version = 1
seed = 7
front_door = "none"
log_bytes_per_invocation = 0
latency_slo_ms = 1500
"#;

pub fn scenario(dir: &Path, body: &str) -> PathBuf {
    let p = dir.join("faascost.toml");
    std::fs::write(&p, format!("{HEADER}{body}")).unwrap();
    p
}

/// `analyze TRACE --scenario SCENARIO --out OUT --json`, succeeding: its report.
pub fn analyze(trace: &Path, scenario: &Path, out: &Path) -> Value {
    let o = faascost()
        .arg("analyze")
        .arg(trace)
        .arg("--scenario")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("--json")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        !stderr.contains("fitting each of the"),
        "no stage spinner in a pipe: {stderr}"
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let written: Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(v, written, "stdout and report.json agree");
    assert!(out.join("report.md").is_file());
    assert!(out.join("options.csv").is_file());
    v
}

fn option<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["options"].as_array().unwrap().iter().find(|o| o["id"] == id).unwrap()
}

/// Option `id` of the scenario `body` with its region setting `key = region` (e.g.
/// `("gcp_region", "asia-southeast1")`), analyzed on `trace` in a folder of its own under `dir`.
fn option_in_region(dir: &Path, trace: &Path, (key, region): (&str, &str), body: &str, id: &str) -> Value {
    let sub = dir.join(region);
    std::fs::create_dir_all(&sub).unwrap();
    let s = scenario(&sub, &format!("{key} = \"{region}\"\n{body}"));
    option(&analyze(trace, &s, &sub.join("out")), id).clone()
}

/// A money amount of report.json (a decimal string) in dollars.
fn usd(v: &Value) -> f64 {
    v.as_str()
        .unwrap_or_else(|| panic!("money is a decimal string: {v}"))
        .parse()
        .unwrap()
}

fn monthly(r: &Value, id: &str) -> f64 {
    usd(&option(r, id)["monthly_cost_usd"])
}

fn horizon(r: &Value, id: &str) -> f64 {
    usd(&option(r, id)["horizon_cost_usd"])
}

fn cheapest(r: &Value) -> &Value {
    &r["verdict"]["cheapest_option"]
}

#[test]
fn steady_high_traffic_servers_win() {
    // 20 req/s × 200 ms = 4 Erlangs: Lambda bills 52.6 M requests and 10.5 M GB-s a month
    // (≈ $150 on arm64), two m7g.large ($126.44 with their public IPv4 addresses) carry it at
    // 60 % utilization.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 20.0);
    let s = scenario(
        dir.path(),
        &format!(
            "{LAMBDA}\n[[provisioned]]\nid = \"servers\"\nplatform = \"aws-ec2\"\ninstance_type = \"m7g.large\"\n\
             strategy = \"autoscale\"\nmin_instances = 2\n"
        ),
    );
    let r = analyze(&t, &s, &dir.path().join("out"));
    assert_eq!(cheapest(&r), "servers");
    assert!(monthly(&r, "servers") < monthly(&r, "lambda"));
    // Two m7g.large all month: 2 × 730 h × $0.0816 = $119.136, and each its public IPv4
    // address (public subnets): 2 × 730 h × $0.005 = $7.30 → $126.44.
    assert!(
        (monthly(&r, "servers") - 126.44).abs() < 0.01,
        "{}",
        monthly(&r, "servers")
    );
    assert_eq!(r["options"][1]["kind"], "provisioned");
    assert_eq!(r["options"][1]["instances"]["peak"], 2);
}

#[test]
fn sparse_traffic_serverless_wins() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "bursty", 0.02);
    let s = scenario(
        dir.path(),
        &format!(
            "{LAMBDA}\n[[provisioned]]\nid = \"servers\"\nplatform = \"aws-ec2\"\ninstance_type = \"t3.medium\"\n\
             strategy = \"static-peak\"\nmin_instances = 2\n\n[[provisioned]]\nid = \"cloud-run-containers\"\n\
             platform = \"gcp-cloud-run\"\ninstance_type = \"1vcpu-2gb\"\nstrategy = \"static-peak\"\nmin_instances = 2\n"
        ),
    );
    let r = analyze(&t, &s, &dir.path().join("out"));
    assert_eq!(cheapest(&r), "lambda");
    assert!(monthly(&r, "lambda") < 5.0, "{}", monthly(&r, "lambda"));
    // Two always-on Cloud Run containers (instance-based, 1 vCPU, 2 GiB):
    // 2 × 2,628,000 s × (1 × $0.000018 + 2 × $0.000002) = $115.632.
    assert!(
        (monthly(&r, "cloud-run-containers") - 115.63).abs() < 0.006,
        "{}",
        monthly(&r, "cloud-run-containers")
    );
    // A sparse function meets many cold starts; two servers idle all month: 2 × 730 × $0.0416
    // = $60.736, + 2 public IPv4 addresses × 730 h × $0.005 = $7.30 → $68.04.
    assert!(option(&r, "lambda")["cold_start_rate"].as_f64().unwrap() > 0.0);
    assert!((monthly(&r, "servers") - 68.04).abs() < 0.01);
}

const HYBRID: &str = r#"
[[provisioned]]
id = "static"
platform = "aws-ec2"
instance_type = "t3.medium"
strategy = "static-peak"
target_utilization = 0.6
min_instances = 2
commitment = "ri-standard-1yr-no-upfront"

[[provisioned]]
id = "autoscale"
platform = "aws-ec2"
instance_type = "t3.medium"
strategy = "autoscale"
target_utilization = 0.6
min_instances = 2

[[hybrid]]
id = "hybrid"
provisioned = "static"
serverless = "lambda"
"#;

#[test]
fn hybrid_beats_both_on_base_plus_spikes() {
    // A 5 req/s base with spikes (peak-to-mean 3.2 per minute): the committed servers that a
    // static fleet needs for the spikes idle most of the time, Lambda pays full price for the
    // base; one reserved t3.medium for the base and Lambda for the excess beats both.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "bursty.csv", "bursty", 5.0);
    let s = scenario(dir.path(), &format!("{LAMBDA}{HYBRID}"));
    let r = analyze(&t, &s, &dir.path().join("out"));
    assert_eq!(cheapest(&r), "hybrid");
    let h = monthly(&r, "hybrid");
    for other in ["lambda", "static", "autoscale"] {
        assert!(h < monthly(&r, other), "hybrid ${h} vs {other} ${}", monthly(&r, other));
    }
    let hybrid = option(&r, "hybrid");
    assert_eq!(hybrid["kind"], "hybrid");
    assert_eq!(hybrid["meets_slo"], true);
    let base = hybrid["instances"]["committed"].as_u64().unwrap();
    assert!(base >= 1, "{hybrid}");
    // The base is paid at the 1-year RI rate all month: base × 730 h × $0.0261.
    let committed: f64 = hybrid["cost_lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["name"].as_str().unwrap().contains("committed"))
        .map(|l| usd(&l["cost_usd"]))
        .sum();
    assert!((committed - base as f64 * 730.0 * 0.0261).abs() < 0.01, "{committed}");
}

#[test]
fn growth_crosses_the_break_even() {
    // 5 req/s costs $37.05 a month on Lambda arm64 (200 ms, 1 GB) and grows 10 % a month; two
    // t3.medium cost $60.74 + $7.30 of public IPv4 = $68.04 flat. 37.05 × 1.1^k > 68.04 first at
    // k = 7 (1.1^6.38 = 1.836).
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 5.0);
    let body = format!(
        "horizon_months = 12\ngrowth_per_month = 0.1\n{LAMBDA}\n[[provisioned]]\nid = \"servers\"\n\
         platform = \"aws-ec2\"\ninstance_type = \"t3.medium\"\nmin_instances = 2\n"
    );
    let s = scenario(dir.path(), &body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    let by_month: Vec<&str> = r["cheapest_by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(by_month.len(), 12);
    let switch = by_month.iter().position(|&id| id == "servers").unwrap();
    assert_eq!(switch, 7, "{by_month:?}");
    assert!(by_month[switch..].iter().all(|&id| id == "servers"));
    assert!(by_month[..switch].iter().all(|&id| id == "lambda"));
    let lambda = option(&r, "lambda")["monthly_cost_by_month_usd"]
        .as_array()
        .unwrap()
        .clone();
    let ratio = usd(&lambda[11]) / usd(&lambda[0]);
    assert!((ratio - 1.1f64.powi(11)).abs() < 0.01, "{ratio}");
}

#[test]
fn unused_commitment_is_still_paid() {
    // Four reserved t3.medium for a trickle of traffic: the autoscaler would run its minimum
    // of four anyway, and the commitment bills 4 × 730 h × $0.0261 = $76.212 however idle, and
    // their public IPv4 addresses 4 × 730 h × $0.005 = $14.60 → $90.81.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "poisson", 0.05);
    let body = "[[provisioned]]\nid = \"reserved\"\nplatform = \"aws-ec2\"\ninstance_type = \"t3.medium\"\n\
                strategy = \"autoscale\"\nmin_instances = 4\ncommitment = \"ri-standard-1yr-no-upfront\"\n";
    let s = scenario(dir.path(), body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    let o = option(&r, "reserved");
    assert!((usd(&o["monthly_cost_usd"]) - 90.81).abs() < 0.006, "{o}");
    assert_eq!(o["instances"]["committed"], 4);
    let line = &o["cost_lines"][0];
    assert!(line["name"].as_str().unwrap().contains("paid whether used or not"));
    assert_eq!(line["quantity"], 2920.0);
    assert!(o["utilization"]["mean"].as_f64().unwrap() < 0.01);
}

#[test]
fn a_lambda_option_under_a_compute_savings_plan_bills_its_duration_at_the_plan_s_rate() {
    // The same Lambda option twice, the second under the plan: the same GB-s, its duration at
    // $0.0000147 a GB-s instead of the first tier's $0.0000166667, its requests on demand.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "poisson", 2.0);
    let body = "[[serverless]]\nid = \"od\"\nplatform = \"aws-lambda\"\nmemory_mb = 1024\n\
                [[serverless]]\nid = \"sp\"\nplatform = \"aws-lambda\"\nmemory_mb = 1024\n\
                commitment = \"compute-sp-3yr-no-upfront\"\n";
    let r = analyze(&t, &scenario(dir.path(), body), &dir.path().join("out"));
    let line = |id: &str, name: &str| -> Value {
        option(&r, id)["cost_lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"].as_str().unwrap().starts_with(name))
            .unwrap_or_else(|| panic!("{id}: no line {name}: {r}"))
            .clone()
    };
    let (od, sp) = (
        line("od", "Duration x86"),
        line("sp", "Duration x86 (commitment compute-sp-3yr-no-upfront)"),
    );
    assert_eq!(od["quantity"], sp["quantity"]);
    assert_eq!(sp["unit_price_usd"], 0.0000147);
    assert_eq!(sp["verified"], false);
    let gb_s = sp["quantity"].as_f64().unwrap();
    assert!((usd(&sp["cost_usd"]) - gb_s * 0.0000147).abs() < 1e-5, "{sp}");
    assert!((usd(&od["cost_usd"]) - gb_s * 0.0000166667).abs() < 1e-5, "{od}");
    assert_eq!(line("od", "Requests")["cost_usd"], line("sp", "Requests")["cost_usd"]);
    assert!(option(&r, "sp")["description"]
        .as_str()
        .unwrap()
        .ends_with(", duration under the Compute Savings Plan compute-sp-3yr-no-upfront"));
    // What the plan does not cover is refused before the traces are read: arm64 (no rate), a
    // region without one, a platform with no commitment price, an empty term.
    let missing = dir.path().join("no-such-trace.csv");
    for (body, want) in [
        (
            "[[serverless]]\nid = \"l\"\nplatform = \"aws-lambda\"\narch = \"arm64\"\n\
             commitment = \"compute-sp-1yr-no-upfront\"\n",
            "option 'l': commitment 'compute-sp-1yr-no-upfront' is not a term of aws-lambda arm64 duration in price \
             table 'aws-lambda'; use on-demand",
        ),
        (
            "region = \"eu-west-1\"\n[[serverless]]\nid = \"l\"\nplatform = \"aws-lambda\"\n\
             commitment = \"compute-sp-1yr-no-upfront\"\n",
            "option 'l': commitment bills 'duration-x86-compute-sp-1yr-no-upfront', which price table 'aws-lambda' \
             has no rate for in eu-west-1 (it has in us-east-1)",
        ),
        (
            "[[serverless]]\nid = \"l\"\nplatform = \"aws-lambda\"\ncommitment = \"ri-standard-1yr-no-upfront\"\n",
            "use on-demand or compute-sp-1yr-no-upfront or compute-sp-3yr-no-upfront",
        ),
        (
            "[[serverless]]\nid = \"c\"\nplatform = \"gcp-cloud-run\"\ncommitment = \"compute-sp-1yr-no-upfront\"\n",
            "option 'c': commitment 'compute-sp-1yr-no-upfront' has no price: gcp-cloud-run has no commitment price in \
             the tables; use on-demand",
        ),
        (
            "[[serverless]]\nid = \"l\"\nplatform = \"aws-lambda\"\ncommitment = \"\"\n",
            "option 'l': commitment is empty",
        ),
    ] {
        let s = scenario(dir.path(), body);
        let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
        assert!(err.contains(want), "{body}: {err}");
    }
}

#[test]
fn a_lambda_plan_keeps_its_first_month_size_and_a_hybrid_s_excess_is_billed_on_demand() {
    // Traffic growing 10 % a month: the plan bought for the first month covers that month's
    // duration D at $0.0000147 a GB-s; month k's extra (1.1^k − 1) × D bills on demand at
    // $0.0000166667, so the plan saves D × (0.0000166667 − 0.0000147) every month, no more (a
    // plan re-sized each month would save 1.1^k times that).
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "poisson", 2.0);
    let body = "growth_per_month = 0.1\nhorizon_months = 3\n\
                [[serverless]]\nid = \"od\"\nplatform = \"aws-lambda\"\nmemory_mb = 1024\n\
                [[serverless]]\nid = \"sp\"\nplatform = \"aws-lambda\"\nmemory_mb = 1024\n\
                commitment = \"compute-sp-1yr-no-upfront\"\n";
    let r = analyze(&t, &scenario(dir.path(), body), &dir.path().join("out"));
    let months = |id: &str| -> Vec<f64> {
        option(&r, id)["monthly_cost_by_month_usd"]
            .as_array()
            .unwrap()
            .iter()
            .map(usd)
            .collect()
    };
    let (od, sp) = (months("od"), months("sp"));
    let gb_s = option(&r, "sp")["cost_lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Duration x86 (commitment compute-sp-1yr-no-upfront)")
        .unwrap()["quantity"]
        .as_f64()
        .unwrap();
    let saving = gb_s * (0.0000166667 - 0.0000147);
    assert_eq!(od.len(), 3);
    for k in 0..3 {
        assert!(
            ((od[k] - sp[k]) - saving).abs() < 2e-5,
            "month {k}: {} vs {saving}",
            od[k] - sp[k]
        );
    }
    assert!(od[2] > od[0] * 1.2, "{od:?}");
    let notes = option(&r, "sp")["notes"].to_string();
    assert!(
        notes.contains("sized to the first month's duration and stays that size"),
        "{notes}"
    );
    // Shrinking traffic: every month still pays the first month's plan, used or not.
    let shrinking = body.replace(
        "growth_per_month = 0.1\nhorizon_months = 3",
        "growth_per_month = -0.5\nhorizon_months = 24",
    );
    let r = analyze(&t, &scenario(dir.path(), &shrinking), &dir.path().join("out-shrinking"));
    let floor = gb_s * 0.0000147;
    let sp = option(&r, "sp")["monthly_cost_by_month_usd"]
        .as_array()
        .unwrap()
        .iter()
        .map(usd)
        .collect::<Vec<f64>>();
    assert!(
        sp.len() == 24 && sp.iter().all(|&m| m >= floor - 1e-6),
        "{sp:?} below {floor}"
    );
    // A first month within the free grant leaves the plan empty, and the option says so.
    let trickle = trace(dir.path(), "trickle.csv", "poisson", 0.05);
    let free = format!("free_tier = true\n{body}");
    let r = analyze(&trickle, &scenario(dir.path(), &free), &dir.path().join("out-free"));
    let notes = option(&r, "sp")["notes"].to_string();
    assert!(notes.contains("the compute-sp-1yr-no-upfront plan is empty"), "{notes}");
    // A hybrid whose excess goes to the plan's option bills that excess on demand, and says so.
    let body = format!(
        "[[serverless]]\nid = \"lambda\"\nplatform = \"aws-lambda\"\nmemory_mb = 1024\n\
         commitment = \"compute-sp-1yr-no-upfront\"\n{HYBRID}"
    );
    let t = trace(dir.path(), "bursty.csv", "bursty", 5.0);
    let r = analyze(&t, &scenario(dir.path(), &body), &dir.path().join("out-hybrid"));
    let hybrid = option(&r, "hybrid");
    let lines = hybrid["cost_lines"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l["name"].as_str().unwrap().starts_with("Duration x86 (first ")),
        "{hybrid}"
    );
    assert!(
        lines
            .iter()
            .all(|l| !l["name"].as_str().unwrap().contains("compute-sp")),
        "{hybrid}"
    );
    assert!(
        hybrid["notes"]
            .to_string()
            .contains("the excess on lambda is billed on demand, not under its compute-sp-1yr-no-upfront"),
        "{hybrid}"
    );
    let lambda = option(&r, "lambda");
    assert!(lambda["cost_lines"]
        .to_string()
        .contains("(commitment compute-sp-1yr-no-upfront)"));
}

#[test]
fn gcp_servers_bill_the_sustained_use_tiers_on_their_stacked_instances() {
    // Two n2-standard-2 always on over the hour the trace spans stand for two instances all
    // month: each quarter of each instance's month (2 × 182.5 h) at 100 / 86.78 / 73.3 / 60 % of
    // $0.0971: 2 × 17.72075 × 3.2008 = $113.4411532 in four lines.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "poisson", 0.05);
    let body = "[[provisioned]]\nid = \"n2\"\nplatform = \"gcp-compute\"\ninstance_type = \"n2-standard-2\"\n\
                strategy = \"autoscale\"\nmin_instances = 2\n";
    let r = analyze(&t, &scenario(dir.path(), body), &dir.path().join("out"));
    let o = option(&r, "n2");
    let sud: Vec<&Value> = o["cost_lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["name"].as_str().unwrap().contains("sustained use"))
        .collect();
    assert_eq!(sud.len(), 4, "{o}");
    assert!(sud.iter().all(|l| l["quantity"] == 365.0), "{o}");
    let total: f64 = sud.iter().map(|l| usd(&l["cost_usd"])).sum();
    assert!((total - 113.4411532).abs() < 1e-6, "{total}");
    // Committed instances get none: a resource-based CUD bills its rate alone.
    let body = format!("{body}commitment = \"resource-cud-1yr-no-upfront\"\n");
    let r = analyze(&t, &scenario(dir.path(), &body), &dir.path().join("out-cud"));
    let o = option(&r, "n2");
    assert!(
        o["cost_lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| !l["name"].as_str().unwrap().contains("sustained use")),
        "{o}"
    );
}

#[test]
fn servers_in_eu_west_1_are_billed_at_that_region_s_rates() {
    // The same four reserved t3.medium in eu-west-1: 4 × 730 h × $0.0287 (its Standard RI there)
    // = $83.804, and 4 × 730 h × $0.005 of public IPv4 = $14.60 → $98.404.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "poisson", 0.05);
    let body = "region = \"eu-west-1\"\n[[provisioned]]\nid = \"reserved\"\nplatform = \"aws-ec2\"\n\
                instance_type = \"t3.medium\"\nstrategy = \"autoscale\"\nmin_instances = 4\n\
                commitment = \"ri-standard-1yr-no-upfront\"\n";
    let s = scenario(dir.path(), body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    let o = option(&r, "reserved");
    assert!((usd(&o["monthly_cost_usd"]) - 98.404).abs() < 1e-6, "{o}");
    assert_eq!(o["cost_lines"][0]["unit_price_usd"], 0.0287);
    // An ALB in front of them is billed at eu-west-1's $0.0252 an hour (730 h), with its two
    // public IPv4 addresses.
    let with_alb = format!("{body}load_balancer = \"aws-alb\"\n");
    let s = scenario(dir.path(), &with_alb);
    let r = analyze(&t, &s, &dir.path().join("out-alb"));
    let o = option(&r, "reserved");
    let lines = o["cost_lines"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l["unit_price_usd"] == 0.0252 && l["quantity"] == 730.0 && l["verified"] == false),
        "{o}"
    );
    // A control plane whose table does not cover eu-west-1 (EKS: us-east-1, ap-southeast-1) is
    // refused before the trace is read.
    let missing = dir.path().join("no-such-trace.csv");
    let s = scenario(dir.path(), &format!("{body}control_plane = \"aws-eks\"\n"));
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains("option 'reserved': price table 'aws-eks' has no region 'eu-west-1'"),
        "{err}"
    );
    // So are NAT gateways, which have no sourced rate there.
    let body = format!("{body}nat_gateways = 1\n");
    let s = scenario(dir.path(), &body);
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains(
            "option 'reserved': nat_gateways: price table 'aws-network' has no 'nat-gateway-hours' rate in eu-west-1 \
             (priced in us-east-1, ap-southeast-1)"
        ),
        "{err}"
    );
}

#[test]
fn lambda_in_eu_west_1_is_billed_there_and_its_front_door_and_logs_must_be_priced_there() {
    // The header bills no front door and no logs: Lambda arm64 is priced at eu-west-1's
    // rates (a third-party copy, so unverified), its first duration tier $0.0000133334 a GB-s.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "poisson", 0.05);
    let s = scenario(dir.path(), &format!("region = \"eu-west-1\"\n{LAMBDA}"));
    let r = analyze(&t, &s, &dir.path().join("out"));
    let o = option(&r, "lambda");
    assert_eq!(o["complete"], true, "{o}");
    assert_eq!(o["verified"], false, "{o}");
    let lines = o["cost_lines"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l["unit_price_usd"] == 0.0000133334 && l["verified"] == false),
        "{o}"
    );
    // A front door or log ingestion whose table does not cover the region is refused before the
    // trace is read, naming the setting and what bills nothing instead: API Gateway covers
    // us-east-1 and eu-west-1, CloudWatch Logs us-east-1 and ap-southeast-1.
    let missing = dir.path().join("no-such-trace.csv");
    for (region, setting, want) in [
        (
            "ap-southeast-1",
            "front_door = \"http-api\"\nlog_bytes_per_invocation = 0\n",
            "line 7: option 'lambda': the scenario's front_door bills price table 'aws-api-gateway', which has no \
             region 'ap-southeast-1'; it covers us-east-1, eu-west-1: set front_door = \"function-url\" or \"none\"",
        ),
        (
            "eu-west-1",
            "front_door = \"function-url\"\nlog_bytes_per_invocation = 300\n",
            "line 7: option 'lambda': the scenario's log_bytes_per_invocation bills price table \
             'aws-cloudwatch-logs', which has no region 'eu-west-1'; it covers us-east-1, ap-southeast-1: set \
             log_bytes_per_invocation = 0",
        ),
    ] {
        let s = dir.path().join("eu.toml");
        std::fs::write(
            &s,
            format!("schema_version = 1\nregion = \"{region}\"\n{setting}{LAMBDA}"),
        )
        .unwrap();
        let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
        assert!(err.contains(want), "{err}");
    }
    // In eu-west-1 the HTTP API front door is priced at the region's $1.11 a million requests.
    let s = dir.path().join("http.toml");
    let header = HEADER.replace("front_door = \"none\"", "front_door = \"http-api\"");
    std::fs::write(&s, format!("{header}region = \"eu-west-1\"\n{LAMBDA}")).unwrap();
    let r = analyze(&t, &s, &dir.path().join("out-http"));
    let o = option(&r, "lambda");
    assert_eq!(o["complete"], true, "{o}");
    assert!(
        o["cost_lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["unit_price_usd"] == 1.11 && l["verified"] == false),
        "{o}"
    );
    // So is a setting of the option whose rate is missing there: arm64 provisioned concurrency,
    // SnapStart for Python (cache and restore). x86 provisioned concurrency has its rate: the
    // scenario passes and the missing trace is the error.
    for (setting, want) in [
        (
            "provisioned_concurrency = 2\n",
            "line 9: option 'lambda': provisioned_concurrency bills 'provisioned-concurrency-arm64', which price \
             table 'aws-lambda' has no rate for in eu-west-1 (it has in us-east-1)",
        ),
        (
            "snapstart = \"python\"\n",
            "line 9: option 'lambda': snapstart bills 'snapstart-cache', which price table 'aws-lambda' has no rate \
             for in eu-west-1 (it has in us-east-1)",
        ),
        ("provisioned_concurrency = 2\n", "no-such-trace.csv"),
    ] {
        let s = dir.path().join("eu.toml");
        let lambda = if want.ends_with(".csv") {
            LAMBDA.replace("arm64", "x86")
        } else {
            LAMBDA.to_string()
        };
        std::fs::write(&s, format!("{HEADER}region = \"eu-west-1\"\n{lambda}{setting}")).unwrap();
        let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
        assert!(err.contains(want), "{err}");
    }
}

#[test]
fn azure_consumption_in_the_scenario_s_azure_region_southeastasia() {
    // azure_region = "southeastasia" prices the Consumption option at that region's entries
    // (execution time $0.000016 a GB-s, executions $0.20 per 1M: unverified, a 2022 dump of
    // the Retail Prices API), the same rates as eastus: the bill equals eastus's to the cent.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "poisson", 0.05);
    let azure = "[[serverless]]\nid = \"azure\"\nplatform = \"azure-functions-consumption\"\nmemory_mb = 1024\n";
    let bill = |region: &str| option_in_region(dir.path(), &t, ("azure_region", region), azure, "azure");
    let (home, sea) = (bill("eastus"), bill("southeastasia"));
    assert_eq!(sea["complete"], true, "{sea}");
    assert_eq!(sea["verified"], false, "{sea}");
    assert_eq!(home["verified"], true, "{home}");
    assert_eq!(sea["monthly_cost_usd"], home["monthly_cost_usd"]);
    let lines = sea["cost_lines"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l["unit_price_usd"] == 0.000016 && l["verified"] == false),
        "{sea}"
    );
    // A region the table does not cover is refused before the trace is read.
    let missing = dir.path().join("no-such-trace.csv");
    let s = scenario(dir.path(), &format!("azure_region = \"northeurope\"\n{azure}"));
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains(
            "option 'azure': price table 'azure-functions-consumption' has no region 'northeurope'; \
             it covers eastus, westeurope, southeastasia"
        ),
        "{err}"
    );
}

#[test]
fn autoscaling_lag_queues_a_spike() {
    // 12 req/s with spikes above 7 Erlangs: one 4-slot instance at 90 % target with a 5-minute
    // boot cannot follow them — requests queue and minutes break the 1.5 s p99 SLO — while the
    // static fleet sized for the peak minute does not.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "bursty.csv", "bursty", 12.0);
    let body = "[[provisioned]]\nid = \"lagging\"\nplatform = \"aws-ec2\"\ninstance_type = \"t3.medium\"\n\
                strategy = \"autoscale\"\ntarget_utilization = 0.9\nmin_instances = 1\nboot_delay_s = 300\n\
                \n[[provisioned]]\nid = \"sized\"\nplatform = \"aws-ec2\"\ninstance_type = \"t3.medium\"\n\
                strategy = \"static-peak\"\nmin_instances = 1\n";
    let s = scenario(dir.path(), body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    let lagging = option(&r, "lagging");
    assert!(lagging["slo_violation_minutes"].as_u64().unwrap() > 0, "{lagging}");
    assert_eq!(lagging["meets_slo"], false);
    assert_eq!(option(&r, "sized")["slo_violation_minutes"], 0);
    // The lagging fleet is the cheaper one, and still never the headline.
    assert!(horizon(&r, "lagging") < horizon(&r, "sized"));
    assert_eq!(lagging["viable"], false);
    assert_eq!(cheapest(&r), "sized");
}

#[test]
fn same_inputs_and_seed_give_identical_reports() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "bursty.csv", "bursty", 1.0);
    let s = scenario(dir.path(), &format!("{LAMBDA}{HYBRID}"));
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    analyze(&t, &s, &a);
    analyze(&t, &s, &b);
    let ja = std::fs::read(a.join("report.json")).unwrap();
    assert_eq!(ja, std::fs::read(b.join("report.json")).unwrap());
    for name in ["report.md", "options.csv", "functions.csv", "report.html"] {
        assert_eq!(
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
            "{name}"
        );
    }
    let r: Value = serde_json::from_slice(&ja).unwrap();
    assert_eq!(r["schema_version"], 5);
    assert_eq!(r["seed"], 7);
    assert_eq!(r["inputs"]["traces"][0]["sha256"].as_str().unwrap().len(), 64);
    assert!(r["inputs"]["price_tables"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == "aws-lambda"));
    assert!(r["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a.as_str().unwrap().contains("ops labour")));
    // No wall-clock time unless SOURCE_DATE_EPOCH asks for one: 1,764,633,600 s is
    // 2025-12-02T00:00:00Z (20,424 days × 86,400 s).
    assert!(r.get("generated_at").is_none());
    let c = dir.path().join("c");
    let out = faascost()
        .env("SOURCE_DATE_EPOCH", "1764633600")
        .args(["analyze", "--monte-carlo", "0", "--scenario"])
        .arg(&s)
        .arg(&t)
        .arg("--out")
        .arg(&c)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rc: Value = serde_json::from_slice(&std::fs::read(c.join("report.json")).unwrap()).unwrap();
    assert_eq!(rc["generated_at"], "2025-12-02T00:00:00.000Z");
    let md = std::fs::read_to_string(c.join("report.md")).unwrap();
    assert!(md.contains("— generated 2025-12-02T00:00:00.000Z_"), "{md}");
    let out = faascost()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .args(["analyze", "--scenario"])
        .arg(&s)
        .arg(&t)
        .arg("--out")
        .arg(&c)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SOURCE_DATE_EPOCH 'yesterday' is not whole seconds"));
}

#[test]
fn the_default_scenario_compares_every_kind() {
    // The embedded default scenario (serverless on three clouds, EC2, Fargate, Cloud Run
    // containers, hybrid) on a
    // small trace: every option is simulated and priced.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "poisson.csv", "poisson", 0.5);
    let o = faascost()
        .arg("analyze")
        .arg(&t)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--json")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let kinds: Vec<&str> = r["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 9);
    for k in ["serverless", "provisioned", "hybrid"] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    assert_eq!(r["inputs"]["scenario"], "embedded:datasets/default/faascost.toml");
    assert!(cheapest(&r).is_string());
}

#[test]
fn reports_never_overwrite_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // A trace that happens to live where the report would go.
    let t = trace(&out, "report.json", "poisson", 0.1);
    let before = std::fs::read(&t).unwrap();
    let s = scenario(dir.path(), LAMBDA);
    let err = input_error(&[
        "analyze",
        t.to_str().unwrap(),
        "--scenario",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(err.contains("is an input of this run"), "{err}");
    assert_eq!(std::fs::read(&t).unwrap(), before);
}

#[test]
fn scenario_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "p.csv", "poisson", 0.1);
    let s = dir.path().join("bad.toml");
    std::fs::write(
        &s,
        "schema_version = 1\n[[serverless]]\nid = \"x\"\nplatform = \"aws-lambda\"\nmemory = 5\n",
    )
    .unwrap();
    let err = input_error(&["analyze", t.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(err.contains("bad.toml: line 5: unknown field `memory`"), "{err}");
}

#[test]
fn throttled_requests_fail_the_slo() {
    // 20 req/s × 200 ms is 4 requests in flight on average: an account limit of 2 refuses
    // many of them, so the option cannot be called SLO-compliant however cheap it looks.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 20.0);
    let body = format!("{LAMBDA}concurrency_limit = 2\n");
    let s = scenario(dir.path(), &body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    let o = option(&r, "lambda");
    assert!(o["throttles"].as_u64().unwrap() > 1_000, "{o}");
    assert_eq!(o["meets_slo"], false);
    assert!(o["notes"].to_string().contains("throttled"));
    let w = warnings(&r, "throttled");
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["option"], "lambda");
    // The only option fails the SLO: none is recommended, and the verdict says why.
    assert!(cheapest(&r).is_null());
    let headline = r["verdict"]["headline"].as_str().unwrap();
    assert!(headline.starts_with("No option meets"), "{headline}");
    assert!(headline.contains("lambda throttles requests"), "{headline}");
    assert_eq!(warnings(&r, "no-viable-option").len(), 1);
}

/// The warnings of report `r` with code `code`.
fn warnings<'a>(r: &'a Value, code: &str) -> Vec<&'a Value> {
    r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == code)
        .collect()
}

#[test]
fn the_verdict_ranks_the_horizon_not_the_first_month() {
    // 5 req/s × 200 ms on Lambda arm64 costs $37.05 in month 1 and grows 10 % a month:
    // 37.05 × (1.1^36 − 1) / 0.1 ≈ $11,083 over 36 months. Two t3.medium cost $60.74 in month 1
    // and are re-sized as traffic grows (2.4 Erlangs per instance at 60 %), far less in total.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 5.0);
    let body = format!(
        "horizon_months = 36\ngrowth_per_month = 0.1\n{LAMBDA}\n[[provisioned]]\nid = \"servers\"\n\
         platform = \"aws-ec2\"\ninstance_type = \"t3.medium\"\nmin_instances = 2\n"
    );
    let s = scenario(dir.path(), &body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    assert!(monthly(&r, "lambda") < monthly(&r, "servers"));
    assert_eq!(r["cheapest_by_month"][0], "lambda");
    assert!(horizon(&r, "servers") < horizon(&r, "lambda"));
    assert!(
        (horizon(&r, "lambda") - 11_083.0).abs() < 20.0,
        "{}",
        horizon(&r, "lambda")
    );
    assert_eq!(cheapest(&r), "servers");
    assert_eq!(r["verdict"]["runner_up"], "lambda");
    let saving = usd(&r["verdict"]["saving_vs_runner_up_usd"]);
    assert!((saving - (horizon(&r, "lambda") - horizon(&r, "servers"))).abs() < 1e-6);
    let headline = r["verdict"]["headline"].as_str().unwrap();
    assert!(
        headline.starts_with("servers is the cheapest option over 36 months"),
        "{headline}"
    );
    assert!(r["cheapest_changes"][0]["month"].as_u64().unwrap() > 1);
}

#[test]
fn later_months_that_fail_keep_an_option_from_the_headline() {
    // 5 req/s growing 50 % a month for 12 months (×86 by the end): a fleet capped at 3
    // m7g.large and a Lambda limited to 5 concurrent requests both look fine in month 1.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 5.0);
    let body = format!(
        "horizon_months = 12\ngrowth_per_month = 0.5\n{LAMBDA}concurrency_limit = 5\n\n[[provisioned]]\n\
         id = \"capped\"\nplatform = \"aws-ec2\"\ninstance_type = \"m7g.large\"\nmin_instances = 2\n\
         max_instances = 3\n\n[[provisioned]]\nid = \"roomy\"\nplatform = \"aws-ec2\"\n\
         instance_type = \"m7g.large\"\nmin_instances = 2\n"
    );
    let s = scenario(dir.path(), &body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    let lambda = option(&r, "lambda");
    assert_eq!(lambda["throttles"], 0, "month 1 throttles nothing: {lambda}");
    assert_eq!(lambda["meets_slo"], false);
    let w = warnings(&r, "throttled");
    assert!(w[0]["message"].as_str().unwrap().starts_with("from month "), "{w:?}");
    let capped = option(&r, "capped");
    assert_eq!(capped["meets_slo"], false, "{capped}");
    assert!(
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["option"] == "capped" && w["message"].as_str().unwrap().starts_with("from month ")),
        "{}",
        r["warnings"]
    );
    assert_eq!(cheapest(&r), "roomy", "{}", r["verdict"]);
}

#[test]
fn a_unit_growing_past_its_instance_cap_fails_the_slo_from_that_month() {
    // 5 req/s of 200 ms (1 in flight, a peak of 2) growing 50 % a month: Lambda with reserved
    // concurrency 8 (max_instances at one request per instance) refuses nothing in month 1, but
    // its busiest unit's peak passes 8 in month 5 (×5.06: about 10).
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 5.0);
    let body = format!("horizon_months = 12\ngrowth_per_month = 0.5\n{LAMBDA}max_instances = 8\n");
    let s = scenario(dir.path(), &body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    let lambda = option(&r, "lambda");
    assert_eq!(lambda["throttles"], 0, "month 1 throttles nothing: {lambda}");
    assert_eq!(lambda["meets_slo"], false);
    let w = warnings(&r, "throttled");
    let m = w[0]["message"].as_str().unwrap();
    assert!(
        m.starts_with("from month ") && m.contains("above the 8 its instance cap serves"),
        "{w:?}"
    );
}

#[test]
fn cloud_run_minimum_instances_bill_their_idle_time() {
    // 5 req/s of 200 ms (1 in flight) on Cloud Run with 2 minimum instances: they are kept all
    // month (2 × 2,628,000 s) and busy about half of it at most (one request at a time spread
    // over two), so more than 2,628,000 vCPU-s are billed at the idle rate; before, the
    // replayed minimum instances' idle time was not billed at all.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 5.0);
    let body = "[[serverless]]\nid = \"cr\"\nplatform = \"gcp-cloud-run\"\nprovisioned_concurrency = 2\n\n\
                [[serverless]]\nid = \"cr0\"\nplatform = \"gcp-cloud-run\"\n";
    let s = scenario(dir.path(), body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    let idle = option(&r, "cr")["cost_lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Idle minimum instances CPU")
        .unwrap_or_else(|| panic!("{}", option(&r, "cr")))["quantity"]
        .as_f64()
        .unwrap();
    assert!((2_628_000.0..5_256_000.0).contains(&idle), "{idle}");
    assert!(usd(&option(&r, "cr")["monthly_cost_usd"]) > usd(&option(&r, "cr0")["monthly_cost_usd"]) + 6.5);
}

#[test]
fn money_in_the_report_adds_up_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "bursty.csv", "bursty", 2.0);
    let s = scenario(
        dir.path(),
        &format!("horizon_months = 24\ngrowth_per_month = 0.03\n{LAMBDA}{HYBRID}"),
    );
    let r = analyze(&t, &s, &dir.path().join("out"));
    let micro = |v: &Value| -> i64 {
        let text = v.as_str().unwrap();
        let (whole, frac) = text.split_once('.').unwrap();
        assert_eq!(frac.len(), 6, "{text}");
        whole.parse::<i64>().unwrap() * 1_000_000 + frac.parse::<i64>().unwrap()
    };
    for o in r["options"].as_array().unwrap() {
        let lines: i64 = o["cost_lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| micro(&l["cost_usd"]))
            .sum();
        assert_eq!(lines, micro(&o["monthly_cost_usd"]), "{}", o["id"]);
        let months = o["monthly_cost_by_month_usd"].as_array().unwrap();
        assert_eq!(months.len(), 24);
        assert_eq!(micro(&months[0]), micro(&o["monthly_cost_usd"]));
        let sum: i64 = months.iter().map(micro).sum();
        assert_eq!(sum, micro(&o["horizon_cost_usd"]), "{}", o["id"]);
    }
}

/// Writes a generic CSV of `jobs` hourly invocations of `duration_ms` at `memory_mb`.
pub fn batch_trace(dir: &Path, name: &str, jobs: u32, duration_ms: u64, memory_mb: u32) -> PathBuf {
    let mut text = String::from("timestamp,function,duration_ms,memory_mb\n");
    for h in 0..jobs {
        text.push_str(&format!(
            "2026-01-01T{:02}:00:00Z,nightly-batch,{duration_ms},{memory_mb}\n",
            h % 24
        ));
    }
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn jobs_beyond_a_platforms_limits_never_headline_it() {
    // 20-minute, 2 GB batch jobs every hour: beyond Lambda's 900 s and Azure Consumption's
    // 10-minute timeouts. Those options are reported as unable to run and never priced;
    // Cloud Run (60-minute timeout, 32 GiB) wins even though Lambda would look cheaper.
    let dir = tempfile::tempdir().unwrap();
    let t = batch_trace(dir.path(), "batch.csv", 24, 1_200_000, 2_048);
    let body = format!(
        "{LAMBDA}\n[[serverless]]\nid = \"azure\"\nplatform = \"azure-functions-consumption\"\n\
         \n[[serverless]]\nid = \"cloud-run\"\nplatform = \"gcp-cloud-run\"\n"
    );
    // Hourly jobs all start cold: hold the options to a 5 s p99 added latency.
    let s = dir.path().join("batch.toml");
    std::fs::write(
        &s,
        HEADER.replace("latency_slo_ms = 1500", "latency_slo_ms = 5000") + &body,
    )
    .unwrap();
    let r = analyze(&t, &s, &dir.path().join("out"));
    for id in ["lambda", "azure"] {
        let o = option(&r, id);
        assert_eq!(o["feasible"], false, "{o}");
        assert!(
            o["monthly_cost_usd"].is_null() && o["horizon_cost_usd"].is_null(),
            "{o}"
        );
        assert_eq!(o["limits"][0]["limit"], "timeout");
        assert_eq!(o["limits"][0]["invocations"], 24);
        assert_eq!(o["limits"][0]["share_of_invocations"], 1.0);
    }
    assert_eq!(option(&r, "lambda")["limits"][0]["platform_limit"], 900_000.0);
    assert_eq!(cheapest(&r), "cloud-run", "{}", r["verdict"]);
    // Azure Consumption also tops out at 1,536 MB: two limits, two warnings.
    assert_eq!(option(&r, "azure")["limits"][1]["limit"], "memory");
    let w = warnings(&r, "limit-exceeded");
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(
        w[0]["message"].as_str().unwrap().contains("timeout of aws-lambda"),
        "{w:?}"
    );
    // 12 GB jobs break Lambda's 10,240 MB maximum whatever memory the option configures.
    let t = batch_trace(dir.path(), "big.csv", 24, 60_000, 12_288);
    let r = analyze(&t, &s, &dir.path().join("out2"));
    let lambda = option(&r, "lambda");
    assert_eq!(lambda["feasible"], false);
    assert_eq!(lambda["limits"][0]["limit"], "memory");
    assert_eq!(lambda["limits"][0]["worst"], 12_288.0);
    assert_eq!(cheapest(&r), "cloud-run", "{}", r["verdict"]);
}

#[test]
fn a_short_window_warns_with_its_scale_factor() {
    // 120 Azure 2021 rows over 12 minutes: every monthly cost is the window × 3,650.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("app,func,end_timestamp,duration\n");
    for i in 0..120 {
        text.push_str(&format!("a1,f1,{}.5,0.2\n", i * 6));
    }
    let t = dir.path().join("azure2021.csv");
    std::fs::write(&t, text).unwrap();
    let s = scenario(dir.path(), LAMBDA);
    let o = faascost()
        .arg("analyze")
        .arg(&t)
        .args(["--scenario", s.to_str().unwrap(), "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("warning: [short-window] the trace covers 12 minutes"),
        "{stderr}"
    );
    assert!(stderr.contains("×3,650"), "{stderr}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(!stdout.contains("warning"), "warnings stay off stdout: {stdout}");
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    let warning_at = md.find("`short-window`").unwrap();
    assert!(
        warning_at < md.find("| option |").unwrap(),
        "warnings come before the table"
    );
    // --fail-on-warning turns the warning into exit code 1, after writing the reports.
    std::fs::remove_dir_all(dir.path().join("out")).unwrap();
    let o = faascost()
        .arg("analyze")
        .arg(&t)
        .args(["--scenario", s.to_str().unwrap(), "--fail-on-warning", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("gate failed: --fail-on-warning"));
    assert!(dir.path().join("out/report.json").is_file());
}

#[test]
fn static_peak_respects_max_instances() {
    // 30 req/s × 200 ms = 6 Erlangs; a t3.medium has 2 vCPU × 2 slots: 6 / (4 × 0.6) → 3
    // instances, + 1 spare = 4. With max_instances = 1 its 4 slots are overloaded.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 30.0);
    let body = "[[provisioned]]\nid = \"capped\"\nplatform = \"aws-ec2\"\ninstance_type = \"t3.medium\"\n\
                strategy = \"static-peak\"\nmin_instances = 1\nmax_instances = 1\n";
    let s = scenario(dir.path(), body);
    let r = analyze(&t, &s, &dir.path().join("out"));
    let o = option(&r, "capped");
    assert_eq!(o["instances"]["peak"], 1, "{o}");
    assert_eq!(o["instances"]["max_instances"], 1);
    assert_eq!(o["meets_slo"], false);
    let w = warnings(&r, "static-peak-capped");
    assert_eq!(w.len(), 1, "{r}");
    let m = w[0]["message"].as_str().unwrap();
    assert!(m.starts_with("static-peak sizing wants 4 × t3.medium"), "{m}");
    assert!(m.contains("max_instances is 1"), "{m}");
}

#[test]
fn a_scenario_typo_fails_before_any_trace_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path(), &format!("{LAMBDA}keep_alive = \"fixd:10m\"\n"));
    let missing = dir.path().join("no-such-trace.csv");
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains("faascost.toml: line 12: option 'lambda': keep_alive"),
        "{err}"
    );
    assert!(!err.contains("no-such-trace"), "the trace is not read: {err}");
    // Checks against the price tables also come before the traces.
    let s = scenario(dir.path(), &LAMBDA.replace("memory_mb = 1024", "memory_mb = 12288"));
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains("option 'lambda': memory_mb: memory 12288 MB is not configurable on aws-lambda"),
        "{err}"
    );
    let body = "[[provisioned]]\nid = \"p\"\nplatform = \"aws-ec2\"\ninstance_type = \"m7g.large\"\n\
                commitment = \"ri-5yr\"\n";
    let s = scenario(dir.path(), body);
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains("option 'p': commitment 'ri-5yr' is not a term of m7g.large"),
        "{err}"
    );
    // A type (or a term) the table does not price in the scenario's region: refused before the
    // traces, where the bill would have a "not priced" line (T2A is not offered in europe-west1;
    // the flexible CUDs are tabled for us-central1 only).
    let body = "gcp_region = \"europe-west1\"\n[[provisioned]]\nid = \"arm\"\nplatform = \"gcp-compute\"\n\
                instance_type = \"t2a-standard-2\"\n";
    let s = scenario(dir.path(), body);
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains("option 'arm': price table 'gcp-compute' has no price for t2a-standard-2 in europe-west1; it prices it in us-central1, asia-southeast1"),
        "{err}"
    );
    let body = "gcp_region = \"europe-west1\"\n[[provisioned]]\nid = \"e2\"\nplatform = \"gcp-compute\"\n\
                instance_type = \"e2-standard-2\"\ncommitment = \"flex-cud-1yr-no-upfront\"\n";
    let s = scenario(dir.path(), body);
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains(
            "option 'e2': commitment 'flex-cud-1yr-no-upfront' has no price for e2-standard-2 in europe-west1"
        ) && err.contains("use on-demand or resource-cud-1yr-no-upfront or resource-cud-3yr-no-upfront"),
        "{err}"
    );
    // Containers on Cloud Run bill instance-based rates, which the Tier 2 asia-southeast1 lacks:
    // refused before the traces (its request-based serverless option is priced there).
    let body = "gcp_region = \"asia-southeast1\"\n[[provisioned]]\nid = \"crc\"\nplatform = \"gcp-cloud-run\"\n\
                instance_type = \"1vcpu-2gb\"\nstrategy = \"autoscale\"\n";
    let s = scenario(dir.path(), body);
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains(
            "option 'crc': price table 'gcp-cloud-run' has no instance-based rate 'instance-cpu' in asia-southeast1; \
             it has one in us-central1, europe-west1"
        ),
        "{err}"
    );
    // A Fargate size that does not exist, by the same rule as `cost --vcpu/--memory-mb`.
    let body = "[[provisioned]]\nid = \"f\"\nplatform = \"aws-fargate\"\ninstance_type = \"x86:1vcpu-0.125gb\"\n";
    let s = scenario(dir.path(), body);
    let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
    assert!(
        err.contains("faascost.toml: line ") && err.contains("Fargate has no 1-vCPU task with 128 MB"),
        "{err}"
    );
    // Fargate's rates by architecture: ap-southeast-1 prices arm64 only and eu-west-1 x86 only,
    // so the other architecture is refused before the traces; a priced one passes and the
    // missing trace is the error.
    for (region, arch, want) in [
        (
            "ap-southeast-1",
            "x86",
            "option 'f': price table 'aws-fargate' has no rate 'vcpu-hours-x86' in ap-southeast-1; it has one in \
             us-east-1, eu-west-1: set the scenario's region or choose the other architecture",
        ),
        (
            "eu-west-1",
            "arm64",
            "option 'f': price table 'aws-fargate' has no rate 'vcpu-hours-arm64' in eu-west-1; it has one in \
             us-east-1, ap-southeast-1",
        ),
        ("ap-southeast-1", "arm64", "no-such-trace"),
        ("eu-west-1", "x86", "no-such-trace"),
    ] {
        let body = format!(
            "region = \"{region}\"\n[[provisioned]]\nid = \"f\"\nplatform = \"aws-fargate\"\n\
             instance_type = \"{arch}:1vcpu-2gb\"\n"
        );
        let s = scenario(dir.path(), &body);
        let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
        assert!(err.contains(want), "{region} {arch}: {err}");
    }
    // Fargate's Compute Savings Plan is tabled for x86 in us-east-1 only: another region, the
    // other architecture or a reservation term is refused before the traces.
    for (region, arch, term, want) in [
        ("us-east-1", "x86", "compute-sp-1yr-no-upfront", "no-such-trace"),
        (
            "eu-west-1",
            "x86",
            "compute-sp-1yr-no-upfront",
            "option 'f': price table 'aws-fargate' has no rate 'vcpu-hours-x86-compute-sp-1yr-no-upfront' in \
             eu-west-1; it has one in us-east-1",
        ),
        (
            "us-east-1",
            "arm64",
            "compute-sp-3yr-no-upfront",
            "option 'f': commitment 'compute-sp-3yr-no-upfront' is not a term of Fargate arm64 in price table \
             'aws-fargate'; use on-demand",
        ),
        (
            "us-east-1",
            "x86",
            "ri-standard-1yr-no-upfront",
            "use on-demand or compute-sp-1yr-no-upfront or compute-sp-3yr-no-upfront",
        ),
    ] {
        let body = format!(
            "region = \"{region}\"\n[[provisioned]]\nid = \"f\"\nplatform = \"aws-fargate\"\n\
             instance_type = \"{arch}:1vcpu-2gb\"\ncommitment = \"{term}\"\n"
        );
        let s = scenario(dir.path(), &body);
        let err = input_error(&["analyze", missing.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
        assert!(err.contains(want), "{region} {arch} {term}: {err}");
    }
}

#[test]
fn the_committed_example_reports_are_what_analyze_writes() {
    // `reports/` is made by `faascost analyze` on the bundled data from the repository root:
    // the same command must reproduce every file byte for byte (regenerate them when a change
    // moves a number, and say why in the commit).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let o = faascost()
        .current_dir(root)
        .arg("analyze")
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let names = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    let committed = root.join("reports");
    assert_eq!(names(&committed), names(out.path()));
    for name in names(&committed) {
        let want = std::fs::read(committed.join(&name)).unwrap();
        let got = std::fs::read(out.path().join(&name)).unwrap();
        assert!(
            want == got,
            "reports/{name} is stale: run `cargo run --release -- analyze` from the repository root"
        );
    }
}

#[test]
fn analyze_reports_ranges_with_the_monte_carlo_runs_asked_for() {
    // Sparse traffic: Lambda wins by far, so the verdict holds across the range.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "poisson", 0.05);
    let s = scenario(
        dir.path(),
        &format!(
            "{LAMBDA}\n[[provisioned]]\nid = \"servers\"\nplatform = \"aws-ec2\"\ninstance_type = \"m7g.large\"\n\
             strategy = \"autoscale\"\nmin_instances = 2\n"
        ),
    );
    let run_with = |runs: &str, more: &[&str]| -> Value {
        let out = dir.path().join(format!("out-{runs}{}", more.len()));
        let o = faascost()
            .arg("analyze")
            .arg(&t)
            .arg("--scenario")
            .arg(&s)
            .arg("--out")
            .arg(&out)
            .args(["--json", "--monte-carlo", runs])
            .args(more)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let run = |runs: &str| run_with(runs, &[]);
    let r = run("3");
    // One replay at a time: the same report, ranges and keep-alive series included.
    assert_eq!(run_with("3", &["--low-memory"]), r);
    assert!(
        r["series"]["keep_alive"]["points"]
            .as_array()
            .is_some_and(|p| p.len() > 1),
        "{}",
        r["series"]
    );
    let g = &r["ranges"];
    assert_eq!(g["winner"], "lambda");
    assert_eq!(g["holds"], true, "{g}");
    assert_eq!(g["monte_carlo_seeds"].as_array().unwrap().len(), 3);
    let lambda = &g["options"][0];
    let (p10, p90) = (usd(&lambda["horizon_usd"]["p10"]), usd(&lambda["horizon_usd"]["p90"]));
    assert!(p10 <= p90 && p90 > 0.0, "{lambda}");
    assert_eq!(lambda["monte_carlo_wins"], 3);
    let inputs: Vec<&str> = g["sensitivity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["input"].as_str().unwrap())
        .collect();
    assert_eq!(inputs.len(), 5, "{inputs:?}");
    let none = run("0");
    assert_eq!(none["ranges"]["monte_carlo_runs"], 0);
    assert!(none["ranges"]["options"][0]["horizon_usd"].is_null());
    assert_eq!(none["ranges"]["sensitivity"], g["sensitivity"]);
}

/// On a terminal (a pseudo-terminal from util-linux `script`; skipped with a notice where it is
/// absent) `analyze` names the stage it is in after the options' evaluation, most of a large
/// run; in a pipe it draws nothing (the `analyze` helper above checks that in every test).
#[test]
fn a_terminal_sees_each_stage_named() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` (a pseudo-terminal) is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let command = format!(
        "'{}' analyze --out '{}'",
        assert_cmd::cargo::cargo_bin("faascost").display(),
        out.display()
    );
    let o = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{shown}");
    for stage in [
        "fitting each of the 200 functions alone on every option",
        "ranges: the low and high cases and 5 Monte Carlo runs",
    ] {
        assert!(shown.contains(stage), "'{stage}' not shown: {shown}");
    }
    assert!(out.join("report.json").is_file());
}

#[test]
fn cloud_run_in_tier_2_asia_southeast1_bills_the_same_replay_at_tier_2_rates() {
    // The same trace and seed replay the same way in any region; only the prices differ:
    // Tier 2's CPU and memory rates are 1.4 times Tier 1's ($0.0000336 / $0.000024,
    // $0.0000035 / $0.0000025), its request fee the same ($0.40 per 1M).
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "p.csv", "poisson", 2.0);
    let run = "[[serverless]]\nid = \"run\"\nplatform = \"gcp-cloud-run\"\nmemory_mb = 1024\n";
    let bill = |region: &str| {
        let o = option_in_region(dir.path(), &t, ("gcp_region", region), run, "run");
        assert_eq!(o["complete"], true, "{region}: {o}");
        o
    };
    let (tier1, tier2) = (bill("us-central1"), bill("asia-southeast1"));
    let line = |o: &Value, name: &str| {
        let l = o["cost_lines"].as_array().unwrap().iter().find(|l| l["name"] == name);
        usd(&l.unwrap_or_else(|| panic!("no line {name}: {o}"))["cost_usd"])
    };
    for name in ["CPU (request-based)", "Memory (request-based)"] {
        let (a, b) = (line(&tier1, name), line(&tier2, name));
        assert!(a > 0.0 && (b - 1.4 * a).abs() < 1e-5, "{name}: {a} → {b}");
    }
    assert_eq!(line(&tier1, "Requests"), line(&tier2, "Requests"));
    assert!(usd(&tier2["monthly_cost_usd"]) > usd(&tier1["monthly_cost_usd"]));
}
