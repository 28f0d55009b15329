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
            "azure-functions-consumption",
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

#[test]
fn old_platform_names_fail_with_the_ids() {
    faascost()
        .args(["simulate", "x.csv", "--platform", "azure-functions"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "aws-lambda, azure-functions-consumption, azure-functions-flex, gcp-cloud-run, cloudflare-workers",
        ));
}

/// One function, one call a minute for 10 minutes, each 1,000 ms, no keep-alive: ten cold
/// instances, each busy for its 200 ms init plus the call.
fn ten_calls(platform: &str, extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calls.csv");
    let rows: String = (0..10).map(|i| format!("2024-03-01T00:{i:02}:00Z,f,1000\n")).collect();
    std::fs::write(&path, format!("timestamp,function,duration_ms\n{rows}")).unwrap();
    let mut args = vec![
        "simulate",
        path.to_str().unwrap(),
        "--platform",
        platform,
        "--keep-alive",
        "none",
        "--cold-start-ms",
        "200",
        "--json",
    ];
    args.extend_from_slice(extra);
    json_of(&args).0
}

#[test]
fn flex_runs_and_bills_at_its_instance_memory() {
    // Flex default instance memory 2,048 MB. Busy periods 1,200 ms (≥ the 1,000 ms minimum, on
    // the 100 ms grain): 10 × 1.2 s × 2 GB = 24 GB-s billed.
    let v = ten_calls("azure-functions-flex", &[]);
    assert_eq!(v["usage"]["functions"][0]["memory_mb"], 2048);
    assert_eq!(v["billed_gb_seconds"], 24.0);
    assert_eq!(v["init_billed_gb_seconds"], 0.0);
    // 1,536 MB is not a Flex size: refused with the sizes there are (as `cost` and the
    // scenario refuse it; issue 11).
    let e = ten_calls_refused("azure-functions-flex", &["--memory-mb", "1536"]);
    assert!(
        e.contains(
            "--memory-mb: memory 1536 MB is not configurable on azure-functions-flex; expected 512, 2048 or 4096 MB"
        ),
        "{e}"
    );
}

#[test]
fn consumption_bills_observed_memory_rounded_up_and_refuses_above_its_maximum() {
    // Consumption bills observed memory rounded up to 128 MB: 100 MB runs and bills at 128 MB,
    // each execution 1,000 ms (above the 100 ms minimum): 10 × 1 s × 0.125 GB = 1.25 GB-s.
    let v = ten_calls("azure-functions-consumption", &["--memory-mb", "100"]);
    assert_eq!(v["usage"]["functions"][0]["memory_mb"], 128);
    assert_eq!(v["billed_gb_seconds"], 1.25);
    // 2,048 MB is above the 1,536 MB a Consumption instance has: refused.
    let e = ten_calls_refused("azure-functions-consumption", &["--memory-mb", "2048"]);
    assert!(e.contains("bills observed memory of 1 to 1,536 MB"), "{e}");
}

/// `ten_calls`' command, expected to exit 2; its stderr.
fn ten_calls_refused(platform: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calls.csv");
    std::fs::write(&path, "timestamp,function,duration_ms\n2024-03-01T00:00:00Z,f,1000\n").unwrap();
    let mut args = vec!["simulate", path.to_str().unwrap(), "--platform", platform];
    args.extend_from_slice(extra);
    super::common::input_error(&args)
}

#[test]
fn workers_bill_cpu_time_not_gb_seconds() {
    let v = ten_calls("cloudflare-workers", &[]);
    assert!(v["billed_gb_seconds"].is_null(), "{v}");
    assert_eq!(v["usage"]["functions"][0]["memory_mb"], 128);
}

#[test]
fn custom_price_tables_change_the_platform_facts() {
    // The same facts drive the replay and the bill: a --pricing DIR copy of the tables with
    // Lambda's default memory raised to 1,024 MB runs and bills at 1,024 MB.
    let dir = tempfile::tempdir().unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/pricing");
    for entry in std::fs::read_dir(shipped).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replace("default_memory_mb = 128\ndefault_keep_alive_ms = 600000\ndefault_runtime = \"python\"\nephemeral_storage_mb = 512", "default_memory_mb = 1024\ndefault_keep_alive_ms = 600000\ndefault_runtime = \"python\"\nephemeral_storage_mb = 512");
        std::fs::write(dir.path().join(path.file_name().unwrap()), text).unwrap();
    }
    let pricing = dir.path().to_str().unwrap();
    // 10 calls × (1,000 ms + 200 ms INIT) at 1 GB: 10 GB-s of execution, 2 GB-s of INIT.
    let v = ten_calls("aws-lambda", &["--pricing", pricing]);
    assert_eq!(v["usage"]["functions"][0]["memory_mb"], 1024);
    assert_eq!(v["billed_gb_seconds"], 10.0);
    assert_eq!(v["init_billed_gb_seconds"], 2.0);
    let v = ten_calls("aws-lambda", &[]);
    assert_eq!(v["usage"]["functions"][0]["memory_mb"], 128);
}

#[test]
fn values_that_would_hang_or_abort_are_refused_at_parse_time() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.csv");
    std::fs::write(&t, "timestamp,function,duration_ms\n2026-01-01T00:00:00Z,f,10\n").unwrap();
    let t = t.to_str().unwrap();
    for (flags, expect) in [
        (vec!["--threads", "100000"], "--threads <N>"),
        (vec!["--threads", "0"], "--threads <N>"),
        (vec!["--retry-throttled", "4294967295"], "--retry-throttled <N>"),
        (vec!["--retry-delay-ms", "0"], "--retry-delay-ms <MS>"),
        (vec!["--duration-ms", "18446744073709551615"], "--duration-ms <MS>"),
        (
            vec!["--cold-start-ms", "1e15"],
            "is not a number of ms from 0 to 600,000",
        ),
        (vec!["--cold-start-ms", "lognormal:200:40"], "sigma 40"),
    ] {
        let e = super::common::input_error(&[&["simulate", t, "--platform", "aws-lambda"], &flags[..]].concat());
        assert!(e.contains(expect), "{flags:?}: {e}");
    }
}

#[test]
fn requests_beyond_the_timeout_are_counted_and_warned_about() {
    // Azure 2019 minute counts with no durations file and a 1,000,000-ms fallback: each of the
    // 3 calls runs past Lambda's 900 s timeout, is cut there, counted, and warned about on stderr.
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("invocations_per_function_md.anon.d01.csv");
    let mut header = "HashOwner,HashApp,HashFunction,Trigger".to_string();
    let mut row = "o,a,f,http".to_string();
    for m in 1..=1440 {
        header.push_str(&format!(",{m}"));
        row.push_str(if m <= 3 { ",1" } else { ",0" });
    }
    std::fs::write(&trace, format!("{header}\n{row}\n")).unwrap();
    let out = faascost()
        .args(["simulate", "--platform", "aws-lambda", "--duration-ms", "1000000"])
        .arg(&trace)
        .assert()
        .success();
    out.stdout(predicate::str::contains("cut by the timeout             3"))
        .stderr(predicate::str::contains(
            "3 of 3 requests ran into aws-lambda's execution timeout of 900000 ms",
        ));
}

#[test]
fn fluid_from_puts_the_busiest_units_on_the_fluid_path_and_keeps_the_bill() {
    // The bundled day's busiest function holds 1,421 calls in its busiest minute, the next 41:
    // from 1,000 that one unit is approximated per minute; by default (1,000,000) and with
    // `off` none is. Its billed GB-s are the exact expectation where the replay's are one draw:
    // the whole bill agrees within 1 %, the requests exactly.
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/default");
    let run = |extra: &[&str]| {
        let mut args = vec!["simulate", data, "--platform", "aws-lambda", "--json"];
        args.extend_from_slice(extra);
        json_of(&args).0
    };
    let fluid_said = |v: &Value| {
        v["assumptions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|a| a.starts_with("fluid path"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (default, off, from) = (run(&[]), run(&["--fluid-from", "off"]), run(&["--fluid-from", "1000"]));
    assert!(fluid_said(&default).is_empty() && fluid_said(&off).is_empty());
    assert_eq!(default["billed_gb_seconds"], off["billed_gb_seconds"]);
    let said = fluid_said(&from);
    assert!(
        said[0].starts_with("fluid path: 1 unit(s) with at least 1000 invocations"),
        "{said:?}"
    );
    assert!(
        said[1].starts_with("fluid path from 1000 invocations in a minute, below its default"),
        "{said:?}"
    );
    assert_eq!(from["invocations"], default["invocations"]);
    let (a, b) = (
        from["billed_gb_seconds"].as_f64().unwrap(),
        default["billed_gb_seconds"].as_f64().unwrap(),
    );
    assert!((a / b - 1.0).abs() < 0.01, "{a} vs {b}");
    assert_ne!(a, b);
    for bad in ["0", "1.5", "many"] {
        faascost()
            .args(["simulate", data, "--platform", "aws-lambda", "--fluid-from", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("a count of invocations in one minute ≥ 1"));
    }
}

#[test]
fn shorter_windows_are_read_off_one_replay_and_refused_where_they_cannot_be() {
    // Cloud Run (two requests an instance by CPU: the general engine path) on the bundled day,
    // 0-ms inits: the 1- and 10-minute windows read off a 60-minute replay equal a replay at
    // each (cold-start share, idle memory-time, added-latency percentiles); the text lists them.
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/default");
    let run = |keep_alive: &str, more: &[&str]| {
        let args = [
            &[
                "simulate",
                data,
                "--platform",
                "gcp-cloud-run",
                "--memory-mb",
                "1024",
                "--cold-start-ms",
                "0",
                "--keep-alive",
                keep_alive,
            ][..],
            more,
        ]
        .concat();
        faascost().args(&args).assert().success().get_output().stdout.clone()
    };
    let v: Value = serde_json::from_slice(&run("60m", &["--shorter-windows", "10m,1m,10m", "--json"])).unwrap();
    let windows = v["shorter_windows"].as_array().unwrap();
    assert_eq!(windows.len(), 2, "ascending, distinct: {windows:?}");
    let said = v["assumptions"].as_array().unwrap().iter().filter_map(Value::as_str);
    assert_eq!(
        said.filter(|a| a.contains("1m, 10m read off this replay")).count(),
        1,
        "{v}"
    );
    for (w, keep_alive) in windows.iter().zip(["1m", "10m"]) {
        let replay: Value = serde_json::from_slice(&run(keep_alive, &["--json"])).unwrap();
        assert_eq!(w["keep_alive_ms"], if keep_alive == "1m" { 60_000 } else { 600_000 });
        assert_eq!(w["cold_start_rate"], replay["cold_start_rate"], "{keep_alive}");
        assert_eq!(w["idle_gb_seconds"], replay["idle_gb_seconds"], "{keep_alive}");
        assert_eq!(w["overhead_ms"], replay["overhead_ms"], "{keep_alive}");
        assert!(replay["cold_starts"].as_u64().unwrap() > 0);
    }
    assert!(windows[0]["cold_start_rate"].as_f64() > windows[1]["cold_start_rate"].as_f64());
    let text = String::from_utf8(run("60m", &["--shorter-windows", "1m,10m"])).unwrap();
    assert!(
        text.contains("Shorter keep-alive windows, read off this replay"),
        "{text}"
    );
    assert!(text.contains("        1m") && text.contains("       10m"), "{text}");
    assert!(text.contains("        1h") && text.contains("(replayed)"), "{text}");
    // Refused with exit 2, naming what to give: a window longer than the replay's, a keep-alive
    // that is no fixed window, retries, a platform that merges activity periods.
    let refused = |more: &[&str]| super::common::input_error(&[&["simulate", data], more].concat());
    let e = refused(&[
        "--platform",
        "aws-lambda",
        "--keep-alive",
        "10m",
        "--shorter-windows",
        "30m",
    ]);
    assert!(
        e.contains("30m is longer than the keep-alive's 10m; give --keep-alive 30m or longer"),
        "{e}"
    );
    let e = refused(&[
        "--platform",
        "aws-lambda",
        "--keep-alive",
        "hybrid",
        "--shorter-windows",
        "1m",
    ]);
    assert!(
        e.contains("with a fixed keep-alive above 0, and --keep-alive is hybrid"),
        "{e}"
    );
    let e = refused(&[
        "--platform",
        "aws-lambda",
        "--keep-alive",
        "0s",
        "--shorter-windows",
        "1m",
    ]);
    assert!(
        e.contains("with a fixed keep-alive above 0, and --keep-alive is"),
        "{e}"
    );
    let e = refused(&[
        "--platform",
        "aws-lambda",
        "--retry-throttled",
        "2",
        "--shorter-windows",
        "1m",
    ]);
    assert!(e.contains("where no request is retried"), "{e}");
    let e = refused(&[
        "--platform",
        "azure-functions-flex",
        "--memory-mb",
        "2048",
        "--keep-alive",
        "10m",
        "--shorter-windows",
        "1m",
    ]);
    assert!(
        e.contains("azure-functions-flex merges an instance's activity periods"),
        "{e}"
    );
    let e = refused(&["--platform", "aws-lambda", "--shorter-windows", "0s"]);
    assert!(e.contains("'0s' is no window"), "{e}");
    // Windows after a space: the second is taken as a trace path, and said to be a window.
    let e = refused(&["--platform", "aws-lambda", "--shorter-windows", "1m", "5m"]);
    assert!(
        e.contains("'5m' is no trace file but reads as a window") && e.contains("--shorter-windows 1m,5m"),
        "{e}"
    );
}
