//! The instance scope a run deploys the functions at — one service per function, per app, or
//! one for the whole workload (`simulate --instance-scope`, the scenario's `instance_scope`):
//! cold starts and minimum instances counted by hand on a small trace of three functions in two
//! apps, the partitioned run of one workload unit, and the refusals.

use super::common::{input_error, json, stdout};
use std::path::{Path, PathBuf};

/// Three functions in two apps, one request of 1 s each at (seconds from the start):
/// a/f1 at 0 and 300, a/f2 at 60, b/g at 120 and 400. No two requests overlap; the longest gap
/// between two requests of any grouping is 300 s (a/f1), below a 10-minute keep-alive. The
/// start is a whole minute, so the window is [0, 420 s): up to the end of the last request's
/// minute.
fn trace(dir: &Path) -> PathBuf {
    let path = dir.join("three.csv");
    let t0 = 1_700_000_040u64;
    let rows = [
        (0, "a", "f1"),
        (60, "a", "f2"),
        (120, "b", "g"),
        (300, "a", "f1"),
        (400, "b", "g"),
    ];
    let mut text = String::from("timestamp,app,function,duration_ms\n");
    for (s, app, function) in rows {
        text.push_str(&format!("{},{app},{function},1000\n", t0 + s));
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn simulate(trace: &Path, platform: &str, scope: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "simulate",
        trace.to_str().unwrap(),
        "--platform",
        platform,
        "--memory-mb",
        "2048",
        "--instance-scope",
        scope,
        "--json",
        "--per-unit",
    ];
    args.extend_from_slice(extra);
    json(&args)
}

#[test]
fn lambda_cold_starts_per_function_app_and_workload() {
    // Lambda, one request per instance, keep-alive 10 minutes, init 500 ms. Every request finds
    // the instance its unit last used idle (no overlap, gaps ≤ 300 s):
    // - function: a/f1 cold at 0, warm at 300; a/f2 cold at 60; b/g cold at 120, warm at 400 → 3;
    // - app: a cold at 0, warm at 60 and 300; b cold at 120, warm at 400 → 2;
    // - workload: cold at 0, warm at every later request → 1.
    // An instance lives from its unit's first request to the window's end (420 s; the keep-alive
    // outlasts it), busy 1.5 s for a cold request (init + execution), else 1 s; idle otherwise:
    // - function: f1 0–420 s, idle 420 − 2.5 = 417.5; f2 60–420, 360 − 1.5 = 358.5; g 120–420,
    //   300 − 2.5 = 297.5 → 1,073.5 s idle; mean instances (420 + 360 + 300) / 420 = 2.5714;
    // - app: a 0–420, idle 420 − 3.5 = 416.5; b 120–420, 297.5 → 714 s; (420 + 300) / 420 = 1.7143;
    // - workload: one instance 0–420, idle 420 − 5.5 = 414.5 s; 420 / 420 = 1.
    let dir = tempfile::tempdir().unwrap();
    let trace = trace(dir.path());
    let extra = ["--keep-alive", "10m", "--cold-start-ms", "const:500"];
    for (scope, units, cold, idle_ms, instances) in [
        ("function", 3, 3, 1_073_500, 1080.0 / 420.0),
        ("app", 2, 2, 714_000, 720.0 / 420.0),
        ("workload", 1, 1, 414_500, 1.0),
    ] {
        let v = simulate(&trace, "aws-lambda", scope, &extra);
        assert_eq!(v["invocations"], 5, "{scope}");
        assert_eq!(v["period_ms"], 420_000, "{scope}");
        assert_eq!(v["units"], units, "{scope}");
        assert_eq!(v["cold_starts"], cold, "{scope}");
        assert_eq!(v["usage"]["functions"][0]["instance_idle_ms"], idle_ms, "{scope}");
        let mean = v["avg_instances"].as_f64().unwrap();
        assert!((mean - instances).abs() < 1e-9, "{scope}: {mean}");
        // Each cold start adds its 500-ms init to one request; billed INIT is 500 ms × cold starts.
        let init: u64 = v["usage"]["functions"][0]["init_duration_ms"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(ms, n)| ms.parse::<u64>().unwrap() * n.as_u64().unwrap())
                    .sum()
            })
            .unwrap_or_else(|| panic!("{scope}: {}", v["usage"]));
        assert_eq!(init, 500 * cold, "{scope}");
        let keys: Vec<&str> = v["units_detail"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["key"].as_str().unwrap())
            .collect();
        let expected: &[&str] = match scope {
            "function" => &["a/f1", "a/f2", "b/g"],
            "app" => &["a", "b"],
            _ => &["workload"],
        };
        assert_eq!(keys, expected, "{scope}");
        assert!(
            v["assumptions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a.as_str().unwrap().starts_with(&format!(
                    "instance scope: one service {}",
                    if scope == "workload" {
                        "for the whole workload"
                    } else if scope == "app" {
                        "per app"
                    } else {
                        "per function"
                    }
                ))),
            "{scope}: {}",
            v["assumptions"]
        );
    }
}

#[test]
fn app_runner_keeps_one_minimum_instance_per_service() {
    // App Runner keeps MinSize 1 provisioned instance per service (unit), which serves every
    // request here (none overlap, 100 requests per instance allowed): no cold start, and on
    // average exactly as many instances as units over the period — 3, 2 and 1.
    let dir = tempfile::tempdir().unwrap();
    let trace = trace(dir.path());
    for (scope, units) in [("function", 3.0), ("app", 2.0), ("workload", 1.0)] {
        let v = simulate(&trace, "aws-app-runner", scope, &[]);
        assert_eq!(v["cold_starts"], 0, "{scope}");
        assert_eq!(v["avg_instances"].as_f64().unwrap(), units, "{scope}");
    }
}

#[test]
fn requests_sharing_a_minimum_instance_share_its_cpu() {
    // App Runner at 2 GB (1 vCPU, 100 requests per instance), a/f1, a/f2 and b/g each called
    // once at the same second for 1 s. Each service's one minimum instance takes its requests;
    // n in flight on it each run max(1, n·f) times slower than alone (f the CPU-bound share):
    // - function: one request per instance, 1,000 ms each, nothing added;
    // - app: a's two share one instance → 2,000 ms each at f = 1 (1,000 added), b/g 1,000;
    // - workload: all three on one → 3,000 ms each at f = 1 (2,000 added); at f = 0.5 each
    //   runs at 1/1.5 → 1,500 ms (500 added).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("together.csv");
    let mut text = String::from("timestamp,app,function,duration_ms\n");
    for (app, function) in [("a", "f1"), ("a", "f2"), ("b", "g")] {
        text.push_str(&format!("1700000040,{app},{function},1000\n"));
    }
    std::fs::write(&path, text).unwrap();
    for (scope, f, durations, added) in [
        ("function", "1", vec![("1000", 3)], 0),
        ("app", "1", vec![("1000", 1), ("2000", 2)], 1_000),
        ("workload", "1", vec![("3000", 3)], 2_000),
        ("workload", "0.5", vec![("1500", 3)], 500),
    ] {
        let v = simulate(&path, "aws-app-runner", scope, &["--cpu-bound-fraction", f]);
        assert_eq!(v["cold_starts"], 0, "{scope}");
        let on_minimum = &v["usage"]["functions"][0]["provisioned_duration_ms"];
        let expected: serde_json::Map<String, serde_json::Value> =
            durations.iter().map(|&(ms, n)| (ms.to_string(), n.into())).collect();
        assert_eq!(on_minimum, &serde_json::Value::Object(expected), "{scope} f = {f}");
        assert_eq!(v["overhead_ms"]["max"], added, "{scope} f = {f}");
        assert_eq!(v["latency_ms"]["max"], 1_000 + added, "{scope} f = {f}");
    }
}

#[test]
fn app_runner_bills_one_minimum_instance_per_service_in_analyze() {
    // The 420-s window scaled to a 730-hour month (×6,257.14). Memory: one 2-GB minimum instance
    // per service all month, 2 × 730 = 1,460 GB-hours × $0.007 = $10.22 each. vCPU: 5 requests
    // of 1 s active, 5 s × 6,257.14 = 31,285.7 s = 8.690476 vCPU-hours × $0.064 = $0.556190,
    // whatever the scope. Function: 3 × $10.22 + $0.556190 = $31.216190; app: 2 × … = $20.996190;
    // workload: $10.776190.
    let dir = tempfile::tempdir().unwrap();
    let trace = trace(dir.path());
    let scenario = dir.path().join("faascost.toml");
    let mut body = String::from("schema_version = 1\n");
    for scope in ["function", "app", "workload"] {
        body.push_str(&format!(
            "[[serverless]]\nid = \"{scope}\"\nplatform = \"aws-app-runner\"\nmemory_mb = 2048\ninstance_scope = \"{scope}\"\n"
        ));
    }
    std::fs::write(&scenario, body).unwrap();
    let out = dir.path().join("out");
    let v = json(&[
        "analyze",
        trace.to_str().unwrap(),
        "--scenario",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--monte-carlo",
        "0",
        "--json",
    ]);
    let option = |id: &str| {
        v["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == id)
            .unwrap()
            .clone()
    };
    for (scope, monthly, words) in [
        ("function", "31.216190", "one service per function"),
        ("app", "20.996190", "one service per app"),
        ("workload", "10.776190", "one service for the whole workload"),
    ] {
        let o = option(scope);
        assert_eq!(o["monthly_cost_usd"], monthly, "{scope}");
        assert!(
            o["description"]
                .as_str()
                .unwrap()
                .ends_with(&format!("provisioned concurrency 1 per service, {words}")),
            "{scope}: {}",
            o["description"]
        );
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("- workload: instance scope: one service for the whole workload (1 unit(s) replayed)"));
}

#[test]
fn a_workload_run_is_one_unit_in_any_partition() {
    // Partitions deal units: a workload-scope run has one, so one partition holds it and the
    // other is empty; the merge prints the single run's bytes.
    let dir = tempfile::tempdir().unwrap();
    let trace = trace(dir.path());
    let base = [
        "simulate",
        trace.to_str().unwrap(),
        "--platform",
        "aws-lambda",
        "--memory-mb",
        "1024",
        "--instance-scope",
        "workload",
        "--concurrency-limit",
        "0",
        "--json",
        "--per-unit",
    ];
    let expected = stdout(&base);
    let mut parts = Vec::new();
    for k in 1..=2 {
        let path = dir.path().join(format!("p{k}.part"));
        let spec = format!("{k}/2");
        let mut args = base.to_vec();
        args.extend_from_slice(&["--partition", &spec, "--partial-out", path.to_str().unwrap()]);
        assert!(stdout(&args).is_empty());
        parts.push(path);
    }
    let merged = stdout(&["merge", parts[0].to_str().unwrap(), parts[1].to_str().unwrap()]);
    assert!(merged == expected, "the merge differs from the single run");
}

#[test]
fn bad_scopes_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let trace = trace(dir.path());
    let t = trace.to_str().unwrap();
    // One service for everything has no memory in the trace: it must be given.
    let e = input_error(&[
        "simulate",
        t,
        "--platform",
        "aws-lambda",
        "--instance-scope",
        "workload",
    ]);
    assert!(e.contains("give --memory-mb"), "{e}");
    let e = input_error(&["simulate", t, "--platform", "aws-lambda", "--instance-scope", "service"]);
    assert!(e.contains("'service'") && e.contains("workload"), "{e}");
    // In a scenario: the file, the line and the field.
    let scenario = dir.path().join("faascost.toml");
    let write = |body: &str| {
        std::fs::write(
            &scenario,
            format!("schema_version = 1\n[[serverless]]\nid = \"ar\"\nplatform = \"aws-app-runner\"\n{body}"),
        )
        .unwrap()
    };
    let analyze = || {
        input_error(&[
            "analyze",
            t,
            "--scenario",
            scenario.to_str().unwrap(),
            "--out",
            dir.path().join("out").to_str().unwrap(),
        ])
    };
    write("memory_mb = 2048\ninstance_scope = \"region\"\n");
    let e = analyze();
    assert!(
        e.contains("faascost.toml: line 6: option 'ar': instance_scope: unknown instance scope 'region'"),
        "{e}"
    );
    write("instance_scope = \"workload\"\n");
    let e = analyze();
    assert!(
        e.contains("line 5: option 'ar': instance_scope \"workload\"") && e.contains("set memory_mb"),
        "{e}"
    );
    // Nothing was written.
    assert!(!dir.path().join("out").exists());
}
