//! AWS App Runner and Azure Container Apps (Consumption) end to end: `cost` bills pinned to the
//! cent against hand-computed figures, their limits refused with exit 2, and `analyze` with
//! scenario options on both platforms (a steady one-function trace whose bills are computed by
//! hand below).

use super::analyze::{analyze, scenario, trace};
use super::common::{input_error, json};
use serde_json::Value;

fn cost(args: &[&str]) -> Value {
    let mut all = vec!["cost", "--json"];
    all.extend_from_slice(args);
    json(&all)
}

#[test]
fn app_runner_cost_bills_provisioned_memory_and_active_vcpu() {
    // MinSize 1 (the default) at 2 GB: 2 GB × 730 h = 1,460 GB-hours × $0.007 = $10.22; 1M
    // requests × 200 ms = 200,000 s = 55.5556 h on 1 vCPU × $0.064 = $3.555556. $13.775556.
    let v = cost(&[
        "--platform",
        "aws-app-runner",
        "--memory-mb",
        "2048",
        "--requests",
        "1000000",
        "--duration-ms",
        "200",
    ]);
    assert_eq!(v["monthly_cost_usd"], "13.775556");
    // Three minimum instances all month, no request: 3 × 1,460 × $0.007 = $30.66.
    let v = cost(&[
        "--platform",
        "aws-app-runner",
        "--memory-mb",
        "2048",
        "--provisioned-concurrency",
        "3",
    ]);
    assert_eq!(v["monthly_cost_usd"], "30.660000");
}

#[test]
fn container_apps_cost_bills_active_and_idle_replicas() {
    // One minimum replica of 0.5 vCPU / 1 GiB all month (2,628,000 s); 3M requests × 200 ms =
    // 600,000 s active, 2,028,000 s idle. With the free grants: active vCPU 300,000 − 180,000 =
    // 120,000 × $0.000024 = $2.88; idle vCPU 1,014,000 × $0.000003 = $3.042; active memory
    // 600,000 − 360,000 = 240,000 × $0.000003 = $0.72; idle memory 2,028,000 × $0.000003 =
    // $6.084; requests 1M above the 2M free × $0.40 = $0.40. Total $13.126.
    let v = cost(&[
        "--platform",
        "azure-container-apps",
        "--memory-mb",
        "1024",
        "--requests",
        "3000000",
        "--duration-ms",
        "200",
        "--provisioned-concurrency",
        "1",
        "--free-tier",
    ]);
    assert_eq!(v["monthly_cost_usd"], "13.126000");
    // Scaled to zero between requests: 3M × 200 ms = 600,000 replica-seconds, all active:
    // 300,000 vCPU-s × $0.000024 = $7.20 + 600,000 GiB-s × $0.000003 = $1.80 + 3M × $0.40/M =
    // $1.20 → $10.20 (no free tier).
    let v = cost(&[
        "--platform",
        "azure-container-apps",
        "--memory-mb",
        "1024",
        "--requests",
        "3000000",
        "--duration-ms",
        "200",
    ]);
    assert_eq!(v["monthly_cost_usd"], "10.200000");
}

#[test]
fn container_platform_limits_are_refused_naming_the_limit() {
    let cases: [(&[&str], &str); 8] = [
        (
            &["cost", "--platform", "aws-app-runner", "--memory-mb", "3072"],
            "512, 1024, 2048, 4096 or 8192 MB",
        ),
        (
            &[
                "cost",
                "--platform",
                "aws-app-runner",
                "--memory-mb",
                "2048",
                "--provisioned-concurrency",
                "26",
            ],
            "keeps 1 to 25 minimum instances",
        ),
        // App Runner does not scale to zero: minimum instances for only part of the month.
        (
            &[
                "cost",
                "--platform",
                "aws-app-runner",
                "--memory-mb",
                "2048",
                "--hours",
                "100",
            ],
            "always keeps at least 1 provisioned instance",
        ),
        (
            &["cost", "--platform", "azure-container-apps", "--memory-mb", "768"],
            "512–8192 MB in 512 MB steps",
        ),
        (
            &[
                "cost",
                "--platform",
                "azure-container-apps",
                "--memory-mb",
                "1024",
                "--provisioned-concurrency",
                "1001",
            ],
            "keeps 0 to 1000 minimum instances",
        ),
        // simulate: App Runner's MaxSize is at most 25; Container Apps' default maxReplicas (10)
        // below its minimum replicas.
        (
            &[
                "simulate",
                "--platform",
                "aws-app-runner",
                "--synthetic-poisson",
                "1:100:60",
                "--max-instances",
                "26",
            ],
            "--max-instances: 26 instances: aws-app-runner scales a unit to at most 25",
        ),
        (
            &[
                "simulate",
                "--platform",
                "azure-container-apps",
                "--synthetic-poisson",
                "1:100:60",
                "--provisioned-concurrency",
                "20",
            ],
            "the platform's default max instances 10 is below the 20 provisioned (minimum) instances",
        ),
        // simulate: an explicit 0 minimum instances on App Runner.
        (
            &[
                "simulate",
                "--platform",
                "aws-app-runner",
                "--synthetic-poisson",
                "1:100:60",
                "--provisioned-concurrency",
                "0",
            ],
            "always keeps at least 1 provisioned instance",
        ),
    ];
    for (args, want) in cases {
        let e = input_error(args);
        assert!(e.contains(want), "{args:?}: {e}");
    }
}

/// A monthly cost within $0.0001 of the figure computed by hand (the replay rounds each
/// completion on a shared CPU to the ms: 1–2 ms of active time apart).
fn assert_close(reported: String, by_hand: f64) {
    let usd: f64 = reported.parse().unwrap();
    assert!((usd - by_hand).abs() < 1e-4, "{reported} against {by_hand} by hand");
}

fn monthly(r: &Value, id: &str) -> String {
    r["options"].as_array().unwrap().iter().find(|o| o["id"] == id).unwrap()["monthly_cost_usd"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn analyze_prices_app_runner_and_container_apps_options() {
    // 20 requests/s of 200 ms for an hour (4 in flight), the window scaled to a 730-hour month.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 20.0);
    let s = scenario(
        dir.path(),
        "cpu_bound_fraction = 0.01\n\n[[serverless]]\nid = \"app-runner\"\nplatform = \"aws-app-runner\"\n\
         memory_mb = 2048\n\n[[serverless]]\nid = \"container-apps\"\nplatform = \"azure-container-apps\"\n\
         memory_mb = 2048\nprovisioned_concurrency = 2\n",
    );
    let r = analyze(&t, &s, &dir.path().join("out"));
    // App Runner, MinSize 1 (the scenario default) at 1 vCPU / 2 GB; the 4 requests in flight fit
    // its 100 slots, so it is never idle and never scales out: memory 2 GB × 730 h × $0.007 =
    // $10.22; vCPU min(request time, instance time) = 730 h × $0.064 = $46.72. $56.94.
    // The window is 61 minutes (the trace's hour and its last minute, empty) scaled to the
    // month: × 2,628,000 s / 3,660 s = 718.0328. Requests arrive every 50 ms from 0 to
    // 3,599,950 ms and run 200 ms: 4 in flight.
    // App Runner, MinSize 1 (the scenario default) at 1 vCPU / 2 GB; the 4 requests fit its 100
    // slots, so it never scales out: memory 2 GB × 730 h × $0.007 = $10.22; vCPU while the
    // instance serves requests, 0 to 3,600,150 ms: 3,600.15 s × 718.0328 = 718.0627 h × $0.064
    // = $45.9560. $56.1760 (before the simulator measured the minimum instance's active time,
    // its requests' time capped at its lifetime billed the empty minute too: $56.94).
    assert_close(monthly(&r, "app-runner"), 56.176013);
    // Container Apps, 2 minimum replicas of 1 vCPU / 2 GiB; requests go to the least loaded, so
    // each serves every other one: active 0 to 3,600,100 and 50 to 3,600,150 ms, 7,200.2 s,
    // idle the other 119.8 s of their 7,320. vCPU 7,200.2 × 718.0328 × $0.000024 + 119.8 ×
    // 718.0328 × $0.000003 = $124.3376; memory 7,320 replica-s × 2 GiB × 718.0328 × $0.000003
    // = $31.536; the window's 72,000 requests scaled to the month (51,698,361) ×
    // $0.40/M = $20.679344. $176.5529 (was $178.36 with both replicas billed active all along).
    assert_close(monthly(&r, "container-apps"), 176.552917);
}

#[test]
fn a_container_app_at_its_max_replicas_refuses_requests_and_fails_the_slo() {
    // The steady trace keeps 4 requests in flight; one request per replica and maxReplicas 2
    // refuse about half of them (an Erlang loss system of 2 slots at ~4 erlangs blocks
    // B(2, 4) = 8 / 13 = 62 %), so the option fails the SLO and says why. At the platform's
    // largest cap (1,000) nothing is refused; no cap at all (0) is refused, as is a cap above
    // App Runner's 25, at the scenario line.
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "steady.csv", "steady-high", 20.0);
    let run = |cap: u32| -> Value {
        let s = scenario(
            dir.path(),
            &format!(
                "cpu_bound_fraction = 0.01\n\n[[serverless]]\nid = \"aca\"\nplatform = \"azure-container-apps\"\n\
                 memory_mb = 2048\nconcurrency_per_instance = 1\nmax_instances = {cap}\n"
            ),
        );
        analyze(&t, &s, &dir.path().join(format!("out{cap}")))
    };
    let option = |r: &Value| r["options"].as_array().unwrap()[0].clone();
    let capped = run(2);
    let o = option(&capped);
    let throttles = o["throttles"].as_u64().unwrap();
    let requests = 72_000.0;
    let blocked = throttles as f64 / requests;
    assert!((0.5..0.7).contains(&blocked), "blocked {blocked}");
    assert_eq!(o["meets_slo"], false);
    let text = capped.to_string();
    assert!(
        text.contains("the concurrency limit or the instance cap refused"),
        "{text}"
    );
    assert!(text.contains("at most 2 instances per unit (as configured"), "{text}");
    let free = run(1_000);
    assert_eq!(option(&free)["throttles"].as_u64(), Some(0));
    let refused = |option: &str| {
        let s = scenario(dir.path(), &format!("[[serverless]]\n{option}"));
        input_error(&["analyze", t.to_str().unwrap(), "--scenario", s.to_str().unwrap()])
    };
    let e = refused("id = \"aca\"\nplatform = \"azure-container-apps\"\nmax_instances = 0\n");
    assert!(
        e.contains("max_instances: 0 (no cap): azure-container-apps scales a unit to at most 1000"),
        "{e}"
    );
    let e = refused("id = \"ar\"\nplatform = \"aws-app-runner\"\nmax_instances = 26\n");
    assert!(
        e.contains("option 'ar': max_instances: 26 instances: aws-app-runner scales a unit to at most 25"),
        "{e}"
    );
}
