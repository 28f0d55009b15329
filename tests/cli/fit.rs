//! `faascost fit`: the whole workload's and each function's recommendation with reasons, as a
//! table or JSON, and its usage errors.

use super::analyze::{scenario, trace, LAMBDA};
use super::common::{faascost, input_error};
use serde_json::Value;

const SERVERS: &str = "\n[[provisioned]]\nid = \"servers\"\nplatform = \"aws-ec2\"\ninstance_type = \"t3.medium\"\n\
                       strategy = \"static-peak\"\nmin_instances = 2\n";

/// A sparse trace (one request every 20 s for an hour): serverless, with the cost ratio and the
/// server's idle capacity among the reasons, in the table and in JSON.
#[test]
fn fit_explains_a_sparse_function_in_a_table_and_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "poisson", 0.05);
    let s = scenario(dir.path(), &format!("{LAMBDA}{SERVERS}"));
    let out = faascost()
        .arg("fit")
        .arg(&t)
        .arg("--scenario")
        .arg(&s)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Whole workload: serverless on lambda."), "{text}");
    assert!(text.contains("Per function (1 in all): 1 serverless."), "{text}");
    assert!(
        text.lines().all(|l| l.chars().count() <= 80),
        "wider than 80 columns:\n{text}"
    );
    let out = faascost()
        .arg("fit")
        .arg(&t)
        .arg("--scenario")
        .arg(&s)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["overall"]["verdict"], "serverless");
    assert_eq!(r["overall"]["functions_by_verdict"]["serverless"], 1);
    let f = &r["functions"][0];
    assert_eq!(
        (f["verdict"].as_str(), f["option"].as_str()),
        (Some("serverless"), Some("lambda"))
    );
    let features: Vec<&str> = f["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["feature"].as_str().unwrap())
        .collect();
    for want in ["cost_ratio", "server_utilization", "duty_cycle", "cold_start_share"] {
        assert!(features.contains(&want), "{want} missing from {features:?}");
    }
    let ratio = f["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["feature"] == "cost_ratio")
        .unwrap();
    assert!(ratio["value"].as_f64().unwrap() < 1.0 && ratio["favours"] == "serverless");
}

#[test]
fn fit_refuses_a_missing_scenario_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "poisson", 0.05);
    let e = input_error(&["fit", t.to_str().unwrap(), "--scenario", "no-such.toml"]);
    assert!(e.contains("no-such.toml"), "{e}");
}
