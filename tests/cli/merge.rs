//! `simulate --partition K/N` and `merge`: the merge of every partition's partial prints the
//! unpartitioned run's output byte for byte (JSON and text, Lambda's per-function units and
//! Azure's apps, the fluid path); partials that cannot be merged exactly are refused. `analyze
//! --partition K/N --replays DIR` rounds and `analyze --replays DIR` give the single run's reports.

use super::common::{faascost, input_error, stdout, REPORT_FILES};
use std::path::{Path, PathBuf};

const DEFAULT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/default");

/// Runs `simulate ARGS --partition k/n` for every k into `dir`; returns the partials' paths
/// in reverse order (the merge takes them in any order).
fn partials(dir: &Path, args: &[&str], n: u32) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = (1..=n)
        .map(|k| {
            let path = dir.join(format!("p{k}.part"));
            let mut all = vec!["simulate"];
            all.extend_from_slice(args);
            let spec = format!("{k}/{n}");
            all.extend_from_slice(&["--partition", &spec, "--partial-out", path.to_str().unwrap()]);
            assert!(stdout(&all).is_empty(), "a partition prints nothing");
            path
        })
        .collect();
    paths.reverse();
    paths
}

/// What the unpartitioned `simulate ARGS` prints.
fn single_run(args: &[&str]) -> Vec<u8> {
    let mut all = vec!["simulate"];
    all.extend_from_slice(args);
    stdout(&all)
}

fn merged(paths: &[PathBuf]) -> Vec<u8> {
    let mut args = vec!["merge"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    stdout(&args)
}

#[test]
fn merged_partials_print_the_single_runs_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for (platform, n) in [("aws-lambda", 3), ("azure-functions-consumption", 2)] {
        let args = [
            DEFAULT,
            "--platform",
            platform,
            "--json",
            "--per-unit",
            "--per-minute",
            "--seed",
            "7",
        ];
        let expected = single_run(&args);
        let got = merged(&partials(dir.path(), &args, n));
        assert!(expected == got, "{platform}: the merge differs from the single run");
    }
    // Text output, and --out writes it into a folder.
    let args = [DEFAULT, "--platform", "gcp-cloud-run", "--threads", "1"];
    let paths = partials(dir.path(), &args, 2);
    let out = dir.path().join("out");
    faascost()
        .args(["merge", paths[0].to_str().unwrap(), paths[1].to_str().unwrap(), "--out"])
        .arg(&out)
        .assert()
        .success();
    let expected = stdout(&["simulate", DEFAULT, "--platform", "gcp-cloud-run"]);
    assert_eq!(std::fs::read(out.join("simulate.txt")).unwrap(), expected);
}

/// An Azure 2019 day of three minutes: `heavy` takes the fluid path (at least 1,000,000
/// invocations in a minute), `light` and `timer` are replayed.
fn fluid_day(dir: &Path) -> PathBuf {
    let day = dir.join("fluid-day");
    std::fs::create_dir_all(&day).unwrap();
    std::fs::write(
        day.join("invocations_per_function_md.anon.d01.csv"),
        "HashOwner,HashApp,HashFunction,Trigger,1,2,3\n\
         o1,a1,heavy,http,1000000,1200000,900000\n\
         o1,a1,light,http,40,0,25\n\
         o2,a2,timer,timer,1,1,1\n",
    )
    .unwrap();
    let durations = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,\
                     percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,\
                     percentile_Average_99,percentile_Average_100\n";
    std::fs::write(
        day.join("function_durations_percentiles.anon.d01.csv"),
        format!(
            "{durations}o1,a1,heavy,120,3100000,5,900,5,10,60,100,150,600,900\n\
             o1,a1,light,300,65,50,2000,50,60,150,250,400,1500,2000\n\
             o2,a2,timer,1000,3,900,1100,900,900,950,1000,1050,1100,1100\n"
        ),
    )
    .unwrap();
    day
}

#[test]
fn the_fluid_path_merges_exactly_and_refuses_a_shared_limit() {
    let dir = tempfile::tempdir().unwrap();
    let day = fluid_day(dir.path());
    let day = day.to_str().unwrap();
    let args = [
        day,
        "--platform",
        "aws-lambda",
        "--keep-alive",
        "fixed:10m",
        "--memory-mb",
        "512",
        "--concurrency-limit",
        "0",
        "--json",
        "--per-unit",
    ];
    let expected = single_run(&args);
    assert!(String::from_utf8_lossy(&expected).contains("fluid path: 1 unit(s)"));
    assert!(merged(&partials(dir.path(), &args, 2)) == expected);
    // With an account limit the fluid units share it with the replayed ones: refused.
    let err = input_error(&[
        "simulate",
        day,
        "--platform",
        "aws-lambda",
        "--keep-alive",
        "fixed:10m",
        "--memory-mb",
        "512",
        "--partition",
        "1/2",
        "--partial-out",
        dir.path().join("x.part").to_str().unwrap(),
    ]);
    assert!(
        err.contains("fluid path") && err.contains("--concurrency-limit 0"),
        "{err}"
    );
    assert!(!dir.path().join("x.part").exists(), "nothing is written on a refusal");
}

#[test]
fn a_limit_that_binds_within_or_across_partitions_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let part = |k: u32, limit: &str| -> Result<PathBuf, String> {
        let path = dir.path().join(format!("l{limit}-{k}.part"));
        let out = faascost()
            .args([
                "simulate",
                DEFAULT,
                "--platform",
                "aws-lambda",
                "--concurrency-limit",
                limit,
            ])
            .args(["--partition", &format!("{k}/2"), "--partial-out"])
            .arg(&path)
            .output()
            .unwrap();
        match out.status.code() {
            Some(0) => Ok(path),
            _ => Err(String::from_utf8_lossy(&out.stderr).to_string()),
        }
    };
    // The bundled day peaks at 52 in flight on Lambda (single run, no limit); at a limit of 10 a
    // partition alone exceeds it.
    let err = part(1, "10").unwrap_err();
    assert!(err.contains("binds within this partition alone"), "{err}");
    // At 45 each partition alone stays within it, together they reach 52.
    let (a, b) = (part(1, "45").unwrap(), part(2, "45").unwrap());
    let err = input_error(&["merge", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(
        err.contains("reach 52 requests in flight") && err.contains("limit of 45"),
        "{err}"
    );
}

#[test]
fn partials_of_another_run_or_an_incomplete_set_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base = [DEFAULT, "--platform", "aws-lambda", "--concurrency-limit", "0"];
    let first = partials(&dir.path().join("a"), &base, 3);
    let s = |p: &PathBuf| p.to_str().unwrap().to_string();
    // Two of three.
    let err = input_error(&["merge", &s(&first[0]), &s(&first[1])]);
    assert!(err.contains("where 2 partial(s) were given"), "{err}");
    // One partition twice.
    let err = input_error(&["merge", &s(&first[0]), &s(&first[0]), &s(&first[1])]);
    assert!(err.contains("given twice"), "{err}");
    // Another seed: another command line.
    let mut other = base.to_vec();
    other.extend_from_slice(&["--seed", "9"]);
    let second = partials(&dir.path().join("b"), &other, 3);
    let err = input_error(&["merge", &s(&first[0]), &s(&first[1]), &s(&second[2])]);
    assert!(err.contains("another command line"), "{err}");
    // Not a partial; a damaged one.
    let err = input_error(&["merge", concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")]);
    assert!(err.contains("not a partial result"), "{err}");
    let mut bytes = std::fs::read(&first[0]).unwrap();
    bytes.truncate(bytes.len() / 2);
    let cut = dir.path().join("cut.part");
    std::fs::write(&cut, &bytes).unwrap();
    let err = input_error(&["merge", &s(&cut), &s(&first[1]), &s(&first[2])]);
    assert!(err.contains("cut.part"), "{err}");
    // --partition needs --partial-out; the output is never a device or an input.
    input_error(&["simulate", DEFAULT, "--platform", "aws-lambda", "--partition", "1/2"]);
    let err = input_error(&[
        "simulate",
        DEFAULT,
        "--platform",
        "aws-lambda",
        "--partition",
        "1/2",
        "--partial-out",
        "/dev/null",
    ]);
    assert!(err.contains("not a regular file"), "{err}");
}

/// `analyze ARGS --replays STORE --partition k/n` for every k: the JSON line each prints (and
/// no report written).
fn analyze_partitions(args: &[&str], store: &Path, n: u32) -> Vec<serde_json::Value> {
    let out = store.with_extension("no-reports");
    (1..=n)
        .map(|k| {
            let spec = format!("{k}/{n}");
            let mut all = vec!["analyze"];
            all.extend_from_slice(args);
            all.extend_from_slice(&["--replays", store.to_str().unwrap(), "--partition", &spec]);
            all.extend_from_slice(&["--out", out.to_str().unwrap()]);
            let line: serde_json::Value = serde_json::from_slice(&stdout(&all)).expect("one JSON line");
            assert_eq!(line["partition"], spec);
            assert!(!out.exists(), "a partition writes no report");
            line
        })
        .collect()
}

/// What a report run said of its replay store: `(replays merged, replayed here)`.
fn store_counts(stderr: &str) -> (u64, u64) {
    let counts = stderr
        .split_once("replay store: ")
        .and_then(|(_, rest)| rest.split_once(" whole-workload replays merged from their partials, "))
        .and_then(|(merged, rest)| Some((merged.parse().ok()?, rest.split_once(" replayed here")?.0.parse().ok()?)));
    counts.unwrap_or_else(|| panic!("no replay store counts: {stderr}"))
}

/// Asserts that the report folders `a` and `b` hold the same five files, byte for byte.
fn assert_same_reports(a: &Path, b: &Path) {
    for name in REPORT_FILES {
        assert!(
            std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap(),
            "{name} differs"
        );
    }
}

/// 30 generated Azure-like functions over 6 hours in `dir/g30`.
fn azure_like_6h(dir: &Path) -> PathBuf {
    let trace = dir.join("g30");
    faascost()
        .args([
            "generate",
            "--like",
            "azure2019",
            "--functions",
            "30",
            "--hours",
            "6",
            "--seed",
            "5",
        ])
        .args(["--format", "azure2019", "--out"])
        .arg(&trace)
        .assert()
        .success();
    trace
}

#[test]
fn analyze_partitions_through_a_replay_store_give_the_single_runs_reports() {
    // 30 generated functions over 6 hours on the embedded scenario (serverless on three clouds,
    // servers, containers, a hybrid), 2 Monte Carlo runs: three partitions write one partial
    // of every whole-workload replay in one round, and `analyze --replays` merges what it needs
    // (none replayed again) into the single run's five files, byte for byte.
    let dir = tempfile::tempdir().unwrap();
    let trace = azure_like_6h(dir.path());
    let (single, merged, store) = (
        dir.path().join("single"),
        dir.path().join("merged"),
        dir.path().join("store"),
    );
    let args = [trace.to_str().unwrap(), "--monte-carlo", "2"];
    let mut all = vec!["analyze"];
    all.extend_from_slice(&args);
    all.extend_from_slice(&["--out", single.to_str().unwrap()]);
    stdout(&all);
    let round = analyze_partitions(&args, &store, 3);
    let written = round[0]["partials_written"].as_u64().unwrap();
    assert!(written >= 10, "{round:?}");
    for line in &round {
        assert_eq!(
            line["partials_written"], written,
            "every partition meets the same replays: {round:?}"
        );
        assert_eq!(line["replays_merged"], 0);
    }
    let out = faascost()
        .args(["analyze", args[0], args[1], args[2], "--replays"])
        .arg(&store)
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The round also swept the keep-alive of the serverless options the report does not chart.
    let (merged_here, replayed) = store_counts(&stderr);
    assert_eq!(replayed, 0, "every replay merged, none replayed: {stderr}");
    assert!((10..=written).contains(&merged_here), "{merged_here} of {written}");
    assert_same_reports(&single, &merged);
    // A second round writes nothing: every replay is merged.
    let again = analyze_partitions(&args, &store, 3);
    assert_eq!(again[1]["partials_written"], 0);
    assert!(again[1]["replays_merged"].as_u64().unwrap() >= written, "{again:?}");
    // Another seed is another replay of every option: an unpartitioned run with the store
    // replays them and keeps each as its one partition, the next run merges them all; both
    // write the run without a store's reports.
    let seed8 = |store: Option<&Path>, out: &str| -> String {
        let mut cmd = faascost();
        cmd.args(["analyze", args[0], "--monte-carlo", "0", "--seed", "8", "--out"])
            .arg(dir.path().join(out));
        if let Some(store) = store {
            cmd.arg("--replays").arg(store);
        }
        let done = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr).to_string();
        assert!(done.status.success(), "{stderr}");
        stderr
    };
    seed8(None, "plain");
    let first = seed8(Some(&store), "kept");
    let (none, kept) = store_counts(&first);
    assert_eq!(none, 0, "none merged, every one replayed: {first}");
    assert!(kept >= 4, "{first}");
    let second = seed8(Some(&store), "reused");
    assert_eq!(store_counts(&second), (kept, 0), "{second}");
    let plain = dir.path().join("plain");
    assert_same_reports(&plain, &dir.path().join("kept"));
    assert_same_reports(&plain, &dir.path().join("reused"));
    // Partitions merge what an unpartitioned run kept (its one partition of one) instead of
    // replaying their share; only the keep-alive trade-offs it did not chart are new.
    for line in analyze_partitions(&[args[0], "--monte-carlo", "0", "--seed", "8"], &store, 2) {
        assert!(line["replays_merged"].as_u64().unwrap() >= kept, "{line}");
    }
    // --partition needs the store.
    let err = input_error(&["analyze", args[0], "--partition", "1/2"]);
    assert!(err.contains("--replays"), "{err}");
}

#[test]
fn a_replay_the_account_limit_couples_is_left_to_the_report_run() {
    // Lambda with an account limit of 1 on 30 generated functions (2 in flight at the peak):
    // the limit binds, so no Lambda replay can be partitioned. The round goes on (a partition
    // where it binds notes it and stands in with its units unlimited), Cloud Run's replays are
    // partitioned as usual, and the report run replays Lambda's whole: the single run's files,
    // byte for byte. A rerun finds the marker and replays them whole at once, with no note.
    let dir = tempfile::tempdir().unwrap();
    let trace = azure_like_6h(dir.path());
    let scenario = dir.path().join("limit.toml");
    std::fs::write(
        &scenario,
        "schema_version = 1\nseed = 7\n\
         [[serverless]]\nid = \"lambda\"\nplatform = \"aws-lambda\"\nmemory_mb = 1024\nconcurrency_limit = 1\n\
         [[serverless]]\nid = \"run\"\nplatform = \"gcp-cloud-run\"\nmemory_mb = 1024\n",
    )
    .unwrap();
    let store = dir.path().join("store");
    let args = [
        trace.to_str().unwrap(),
        "--scenario",
        scenario.to_str().unwrap(),
        "--monte-carlo",
        "0",
    ];
    let run = |extra: &[&str]| -> (Vec<u8>, String) {
        let out = faascost().arg("analyze").args(args).args(extra).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{stderr}");
        (out.stdout, stderr)
    };
    let single = dir.path().join("single");
    let (stdout, _) = run(&["--out", single.to_str().unwrap(), "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let lambda = report["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "lambda")
        .unwrap();
    assert!(lambda["throttles"].as_u64().unwrap() > 0, "the limit binds: {lambda}");
    let mut notes = String::new();
    for k in ["1/2", "2/2"] {
        let (stdout, stderr) = run(&["--replays", store.to_str().unwrap(), "--partition", k]);
        let line: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
        assert!(line["partials_written"].as_u64().unwrap() > 0, "{line}");
        notes.push_str(&stderr);
    }
    // The partition where the limit binds says so.
    assert!(notes.contains("replayed whole by the report run"), "{notes}");
    let merged = dir.path().join("merged");
    let (_, stderr) = run(&["--replays", store.to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    let replayed_here = |stderr: &str| store_counts(stderr).1;
    assert!(replayed_here(&stderr) > 0, "{stderr}");
    assert_same_reports(&single, &merged);
    let again = dir.path().join("again");
    let (_, rerun) = run(&["--replays", store.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    assert_eq!(replayed_here(&rerun), replayed_here(&stderr), "{rerun}");
    assert!(!rerun.contains("note: replay store"), "{rerun}");
    assert!(std::fs::read(single.join("report.json")).unwrap() == std::fs::read(again.join("report.json")).unwrap());
}
