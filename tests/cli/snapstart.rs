//! Lambda SnapStart end to end: `cost --snapstart` and a scenario option's `snapstart` priced
//! by hand (snapshot cache all month, one restore per cold start for Python/.NET; nothing for
//! Java), and what AWS forbids with it refused with exit 2.

use super::analyze::{scenario, trace};
use super::common::{faascost, input_error, json};
use serde_json::Value;

/// `cost --json` of 1M × 100 ms at 1 GB with 10,000 cold starts of 200 ms, with SnapStart.
fn month_with_snapstart(runtime: &str) -> Value {
    json(&[
        "cost",
        "--json",
        "--platform",
        "aws-lambda",
        "--memory-mb",
        "1024",
        "--requests",
        "1000000",
        "--duration-ms",
        "100",
        "--cold-starts",
        "10000",
        "--init-duration-ms",
        "200",
        "--snapstart",
        runtime,
    ])
}

#[test]
fn cost_snapstart_python_adds_cache_and_restores() {
    // 1M × 100 ms at 1 GB: requests $0.20 + (100,000 + 10,000 × 0.2 s INIT) GB-s × $0.0000166667
    // = $1.7000034; cache 1 GB × 2,628,000 s × $0.0000015046 = $3.9540888; 10,000 restores × 1 GB
    // × $0.0001397998 = $1.397998. Total $7.2520902 → "7.252090".
    assert_eq!(month_with_snapstart("python")["monthly_cost_usd"], "7.252090");
    // Java: no SnapStart charge, the plain $1.900003.
    assert_eq!(month_with_snapstart("java")["monthly_cost_usd"], "1.900003");
}

#[test]
fn snapstart_refuses_what_aws_forbids() {
    let e = input_error(&[
        "cost",
        "--platform",
        "aws-lambda",
        "--snapstart",
        "python",
        "--provisioned-concurrency",
        "2",
    ]);
    assert!(
        e.contains("SnapStart cannot be used with provisioned concurrency"),
        "{e}"
    );
    let e = input_error(&[
        "cost",
        "--platform",
        "aws-lambda",
        "--snapstart",
        "dotnet",
        "--ephemeral-storage-mb",
        "1024",
    ]);
    assert!(e.contains("ephemeral storage above 512 MB"), "{e}");
    let e = input_error(&["cost", "--platform", "gcp-cloud-run", "--snapstart", "java"]);
    assert!(e.contains("SnapStart is a Lambda feature"), "{e}");
    let e = input_error(&["cost", "--platform", "aws-lambda", "--snapstart", "node"]);
    assert!(e.contains("expected java, python or dotnet"), "{e}");
    // The scenario names the file, line and option.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "t.csv", "steady-high", 1.0);
    for (body, want) in [
        (
            "memory_mb = 1024\nsnapstart = \"python\"\nprovisioned_concurrency = 1\n",
            "SnapStart cannot be used with provisioned concurrency",
        ),
        (
            "memory_mb = 1024\nsnapstart = \"java\"\nephemeral_storage_mb = 2048\n",
            "ephemeral storage above 512 MB",
        ),
        ("snapstart = \"python\"\n", "set memory_mb"),
        (
            "memory_mb = 1024\nsnapstart = \"ruby\"\n",
            "expected java, python or dotnet",
        ),
    ] {
        let s = scenario(
            dir.path(),
            &format!("\n[[serverless]]\nid = \"f\"\nplatform = \"aws-lambda\"\n{body}"),
        );
        let e = input_error(&["analyze", t.to_str().unwrap(), "--scenario", s.to_str().unwrap()]);
        assert!(e.contains("option 'f': snapstart") && e.contains(want), "{e}");
        assert!(
            e.contains("line 11") || e.contains("line 12") || e.contains("line 10"),
            "{e}"
        );
    }
}

fn option<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["options"].as_array().unwrap().iter().find(|o| o["id"] == id).unwrap()
}

fn line_cost(o: &Value, name: &str) -> Option<f64> {
    o["cost_lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .map(|l| l["cost_usd"].as_str().unwrap().parse().unwrap())
}

#[test]
fn a_scenario_option_enables_snapstart() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "bursty", 0.02);
    let s = scenario(
        dir.path(),
        "\n[[serverless]]\nid = \"plain\"\nplatform = \"aws-lambda\"\nmemory_mb = 1024\n\n[[serverless]]\n\
         id = \"python\"\nplatform = \"aws-lambda\"\nmemory_mb = 1024\nsnapstart = \"python\"\n\n[[serverless]]\n\
         id = \"java\"\nplatform = \"aws-lambda\"\nmemory_mb = 1024\nsnapstart = \"java\"\n",
    );
    let o = faascost()
        .arg("analyze")
        .arg(&t)
        .arg("--scenario")
        .arg(&s)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--json")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let (plain, python, java) = (option(&r, "plain"), option(&r, "python"), option(&r, "java"));
    // One function of 1 GB cached all month: 2,628,000 GB-s × $0.0000015046 = $3.9540888.
    assert_eq!(line_cost(python, "SnapStart cache"), Some(3.954089));
    // Every cold start restores 1 GB: the monthly restores × $0.0001397998 (the same replay
    // as the plain option: Python keeps its cold-start figure).
    assert_eq!(python["cold_start_rate"], plain["cold_start_rate"]);
    let requests = python["requests"].as_f64().unwrap();
    let restores = (requests * python["cold_start_rate"].as_f64().unwrap()).round();
    assert!(restores >= 1.0);
    // The window scaled to a 730-hour month, as the requests line shows it.
    let monthly_requests = python["cost_lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Requests")
        .map(|l| l["quantity"].as_f64().unwrap() * 1e6)
        .unwrap();
    let window_to_month = monthly_requests / requests;
    let restore = line_cost(python, "SnapStart restore").unwrap();
    assert!(
        (restore - restores * window_to_month * 0.0001397998).abs() < 0.0001,
        "{restore} vs {restores} restores"
    );
    // Java: no SnapStart line, and its cold starts are restores (java-snapstart, ~115 ms) rather
    // than the 225 ms Python init: a smaller added latency at p99.
    assert_eq!(line_cost(java, "SnapStart cache"), None);
    assert!(
        java["added_latency_ms"]["p99"].as_f64().unwrap() < plain["added_latency_ms"]["p99"].as_f64().unwrap(),
        "{} vs {}",
        java["added_latency_ms"],
        plain["added_latency_ms"]
    );
}
