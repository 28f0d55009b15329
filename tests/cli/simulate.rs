//! `faascost simulate` end to end: JSON keys, determinism across seeds and thread counts,
//! errors that name what to fix, and the real Azure 2019 sample when it is present.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn faascost() -> Command {
    Command::cargo_bin("faascost").unwrap()
}

fn json_of(args: &[&str]) -> (Value, Vec<u8>) {
    let out = faascost().args(args).assert().success().get_output().stdout.clone();
    (serde_json::from_slice(&out).unwrap(), out)
}

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/datasets/real/azure2019-sampled");

#[test]
fn json_has_the_issue_keys() {
    let (v, _) = json_of(&[
        "simulate",
        "--platform",
        "aws-lambda",
        "--synthetic-poisson",
        "0.9:1991:20000",
        "--cold-start-ms",
        "exp:253",
        "--keep-alive",
        "600s",
        "--json",
    ]);
    for key in [
        "invocations",
        "cold_starts",
        "cold_start_rate",
        "throttles",
        "avg_instances",
        "avg_busy_instances",
        "peak_concurrency",
        "idle_gb_seconds",
        "billed_gb_seconds",
    ] {
        assert!(v.get(key).is_some_and(Value::is_number), "missing {key}: {v}");
    }
    for p in ["p50", "p95", "p99", "p99_9"] {
        assert!(v["latency_ms"][p].is_u64(), "latency {p}");
    }
    // 0.9/s × 20,000 s ≈ 18,000 requests (± 4σ = 537); busy instances ≈ λ·E[S] = 0.9 × 1.991 s
    // plus the init share (≈ 0), within 5 %.
    let n = v["invocations"].as_f64().unwrap();
    assert!((n - 18_000.0).abs() < 537.0, "{n}");
    let busy = v["avg_busy_instances"].as_f64().unwrap();
    assert!((busy - 1.7919).abs() / 1.7919 < 0.05, "{busy}");
    assert_eq!(v["keep_alive"], "fixed:10m");
    assert!(v["usage"]["functions"][0]["memory_mb"] == 128);
}

#[test]
fn same_seed_same_bytes_other_seed_other_run() {
    let args = |seed: &'static str| {
        [
            "simulate",
            "--platform",
            "aws-lambda",
            "--synthetic-poisson",
            "2:300:3000",
            "--seed",
            seed,
            "--json",
        ]
    };
    let (_, a) = json_of(&args("1"));
    let (_, b) = json_of(&args("1"));
    let (_, c) = json_of(&args("2"));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn bad_flags_say_what_is_expected() {
    faascost()
        .args(["simulate", "x.csv", "--platform", "aws-lambda", "--keep-alive", "10x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fixed:10m"));
    faascost()
        .args([
            "simulate",
            "x.csv",
            "--platform",
            "aws-lambda",
            "--provisioned-concurrency",
            "8-20=3",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("08:00-20:00=10"));
    faascost()
        .args(["simulate", "x.csv", "--platform", "ibm-cloud"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("aws-lambda"));
    faascost()
        .args([
            "simulate",
            "x.csv",
            "--platform",
            "aws-lambda",
            "--cold-start-ms",
            "gamma:2",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lognormal:MEDIAN:SIGMA"));
}

#[test]
fn missing_durations_name_the_function_and_the_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invocations_per_function_md.anon.d01.csv");
    let header: Vec<String> = (1..=1440).map(|i| i.to_string()).collect();
    let mut row = vec!["0"; 1440];
    row[0] = "3";
    row[5] = "2";
    std::fs::write(
        &path,
        format!(
            "HashOwner,HashApp,HashFunction,Trigger,{}\nown,app,fun,http,{}\n",
            header.join(","),
            row.join(",")
        ),
    )
    .unwrap();
    faascost()
        .args(["simulate", path.to_str().unwrap(), "--platform", "aws-lambda"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("own/app/fun").and(predicate::str::contains("--duration-ms")));
    // With the fallback and no keep-alive, each of the 5 calls is cold.
    let (v, _) = json_of(&[
        "simulate",
        path.to_str().unwrap(),
        "--platform",
        "aws-lambda",
        "--duration-ms",
        "100",
        "--keep-alive",
        "none",
        "--per-unit",
        "--json",
    ]);
    assert_eq!(v["units_detail"][0]["key"], "own/app/fun");
    assert_eq!(v["units_detail"][0]["cold_starts"], 5);
    assert_eq!(v["invocations"], 5);
    assert_eq!(v["cold_starts"], 5);
    assert_eq!(v["idle_gb_seconds"], 0.0);
}

#[test]
fn real_azure_sample_is_thread_count_independent() {
    if !std::path::Path::new(REAL).exists() {
        eprintln!("skipping: {REAL} is absent");
        return;
    }
    let run = |threads: &'static str| {
        json_of(&[
            "simulate",
            REAL,
            "--platform",
            "azure-functions",
            "--keep-alive",
            "hybrid",
            "--threads",
            threads,
            "--json",
        ])
    };
    let (v, one) = run("1");
    let (_, two) = run("2");
    assert_eq!(one, two);
    // The sample's invocation file holds 567,403 invocations over 480 minutes.
    assert_eq!(v["invocations"], 567_403);
    assert!(v["period_ms"].as_u64().unwrap() >= 480 * 60_000);
}
