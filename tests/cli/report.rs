//! `faascost report --from` (re-rendering without re-simulating, byte for byte), `faascost diff`
//! (per-option changes, gates and their exit codes 0/1/2, the GitHub job summary and
//! annotations), analyze's own gates, the 80-column table, and what text from a trace can and
//! cannot do on a terminal or in a pull-request comment.

use super::analyze::{batch_trace, scenario, trace, HEADER, LAMBDA};
use super::common::{faascost, input_error, REPORT_FILES};
use serde_json::Value;
use std::path::{Path, PathBuf};

const SERVERS: &str = "\n[[provisioned]]\nid = \"servers\"\nplatform = \"aws-ec2\"\ninstance_type = \"t3.medium\"\n\
                       strategy = \"static-peak\"\nmin_instances = 2\n";

/// Runs analyze on a small sparse trace (lambda wins over servers) into `dir/out`.
fn analyzed(dir: &Path) -> PathBuf {
    let t = trace(dir, "sparse.csv", "bursty", 0.05);
    let s = scenario(dir, &format!("{LAMBDA}{SERVERS}"));
    let out = dir.join("out");
    faascost()
        .arg("analyze")
        .arg(&t)
        .arg("--scenario")
        .arg(&s)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn report_from_reproduces_the_analyze_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyzed(dir.path());
    let again = dir.path().join("again");
    std::fs::create_dir(&again).unwrap();
    std::fs::write(again.join("keep.txt"), b"not ours").unwrap();
    faascost()
        .args(["report", "--from"])
        .arg(out.join("report.json"))
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    for name in REPORT_FILES {
        assert_eq!(read(&out.join(name)), read(&again.join(name)), "{name} differs");
    }
    assert_eq!(
        read(&again.join("keep.txt")),
        b"not ours",
        "--out never touches other files"
    );
    assert_eq!(
        std::fs::read_dir(&again).unwrap().count(),
        6,
        "no temporary left behind"
    );
    // One format on stdout is the same bytes as its file.
    let md = faascost()
        .args(["report", "--format", "md", "--from"])
        .arg(out.join("report.json"))
        .output()
        .unwrap();
    assert!(md.status.success());
    assert_eq!(md.stdout, read(&out.join("report.md")));
    // options.csv: one row per option, the winner marked, exact money.
    let csv = String::from_utf8(read(&out.join("options.csv"))).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("lambda,serverless,aws-lambda,"), "{csv}");
    let report: Value = serde_json::from_slice(&read(&out.join("report.json"))).unwrap();
    let monthly = report["options"][0]["monthly_cost_usd"].as_str().unwrap();
    let months = &report["verdict"]["horizon_months"];
    assert!(lines[1].contains(&format!(",true,{monthly},{months},")), "{csv}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("report.json")).unwrap().permissions().mode() & 0o777;
        assert_ne!(
            mode & 0o044,
            0,
            "readable by others as a plain create would be: {mode:o}"
        );
    }
}

#[test]
fn report_from_refuses_other_schemas_and_terminal_formats_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyzed(dir.path());
    let text = std::fs::read_to_string(out.join("report.json")).unwrap();
    let old = dir.path().join("old.json");
    std::fs::write(&old, text.replacen("\"schema_version\": 5", "\"schema_version\": 1", 1)).unwrap();
    let e = input_error(&["report", "--from", old.to_str().unwrap()]);
    assert!(
        e.contains("report schema_version 1 is not supported; this faascost reads schemas 2 to 5"),
        "{e}"
    );
    let from = out.join("report.json");
    let e = input_error(&[
        "report",
        "--from",
        from.to_str().unwrap(),
        "--format",
        "table",
        "--out",
        "x",
    ]);
    assert!(
        e.contains("--format table prints to the terminal and has no file"),
        "{e}"
    );
    // Re-rendering in place refuses to rewrite the report being read, and says how to do it.
    let e = input_error(&[
        "report",
        "--from",
        from.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        e.contains("is the report being read; re-render the other files in place with --format md,csv"),
        "{e}"
    );
    faascost()
        .args(["report", "--format", "md,csv", "--from"])
        .arg(&from)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let e = input_error(&["report", "--from", from.to_str().unwrap(), "--format", "pdf"]);
    assert!(
        e.contains("'pdf' is not a report format; use md, csv, functions-csv, html, table or json"),
        "{e}"
    );
}

/// A copy of `base` whose recommended option (lambda) costs `monthly` a month.
fn head_with(base: &Path, dir: &Path, name: &str, monthly: &str, viable: bool) -> PathBuf {
    let mut v: Value = serde_json::from_slice(&read(base)).unwrap();
    assert_eq!(v["verdict"]["cheapest_option"], "lambda", "{}", v["verdict"]);
    v["options"][0]["monthly_cost_usd"] = Value::String(monthly.into());
    if !viable {
        v["verdict"]["cheapest_option"] = Value::Null;
    }
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    p
}

fn diff(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut cmd = faascost();
    cmd.arg("diff")
        .args(args)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    (
        o.status.code(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn diff_gates_decide_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyzed(dir.path());
    let base_path = out.join("report.json");
    let base: Value = serde_json::from_slice(&read(&base_path)).unwrap();
    let base_monthly: f64 = base["options"][0]["monthly_cost_usd"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // HEAD: lambda costs 10 % more (rounded to the micro-dollar).
    let head_monthly = format!("{:.6}", base_monthly * 1.1);
    let head = head_with(&base_path, dir.path(), "head.json", &head_monthly, true);
    let (b, h) = (base_path.to_str().unwrap(), head.to_str().unwrap());
    let increase = head_monthly.parse::<f64>().unwrap() - base_monthly;

    // No gate: 0, and the Markdown shows the change.
    let (code, md, _) = diff(&[b, h, "--format", "md"], &[]);
    assert_eq!(code, Some(0), "{md}");
    assert!(md.contains("No gate set."), "{md}");
    assert!(md.contains("| +10.0% |"), "{md}");
    assert!(md.contains("| servers | "), "{md}");

    // --max-increase-pct: 10 % is above 5 and within 15.
    assert_eq!(diff(&[b, h, "--max-increase-pct", "5"], &[]).0, Some(1));
    assert_eq!(diff(&[b, h, "--max-increase-pct", "15"], &[]).0, Some(0));
    // --max-increase-usd around the actual increase.
    let below = format!("{:.2}", increase * 0.5);
    let above = format!("{:.2}", increase * 2.0 + 0.01);
    assert_eq!(diff(&[b, h, "--max-increase-usd", &below], &[]).0, Some(1));
    assert_eq!(diff(&[b, h, "--max-increase-usd", &above], &[]).0, Some(0));
    // --max-monthly-usd on HEAD's recommended option.
    let under = format!("{:.2}", base_monthly);
    let over = format!("{:.2}", base_monthly * 2.0 + 1.0);
    let (code, text, err) = diff(&[b, h, "--max-monthly-usd", &under], &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(err.contains("gate failed: --max-monthly-usd"), "{err}");
    assert!(text.contains("gate fail: --max-monthly-usd"), "{text}");
    assert_eq!(diff(&[b, h, "--max-monthly-usd", &over], &[]).0, Some(0));
    // --require-slo fails when HEAD has no viable option; the cost gates are then skipped.
    let none = head_with(&base_path, dir.path(), "none.json", &head_monthly, false);
    let n = none.to_str().unwrap();
    assert_eq!(diff(&[b, n, "--require-slo"], &[]).0, Some(1));
    assert_eq!(diff(&[b, h, "--require-slo"], &[]).0, Some(0));
    let (code, json, _) = diff(&[b, n, "--max-increase-pct", "0", "--format", "json"], &[]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["gates"][0]["outcome"], "skip");
    assert_eq!(v["verdict_changed"], true);

    // Usage and input errors: 2.
    input_error(&["diff", b, "missing.json"]);
    input_error(&["diff", b, h, "--max-increase-pct", "ten"]);
    input_error(&["diff", b, h, "--max-monthly-usd", "1e3"]);
    let old = dir.path().join("old.json");
    std::fs::write(
        &old,
        std::fs::read_to_string(&base_path)
            .unwrap()
            .replacen("\"schema_version\": 5", "\"schema_version\": 6", 1),
    )
    .unwrap();
    let e = input_error(&["diff", old.to_str().unwrap(), h]);
    assert!(e.contains("schema_version 6 is not supported"), "{e}");
}

#[test]
fn diff_writes_the_job_summary_and_annotations_on_github_actions() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyzed(dir.path());
    let base_path = out.join("report.json");
    let head = head_with(&base_path, dir.path(), "head.json", "1000000.000000", true);
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let (code, json, err) = diff(
        &[
            base_path.to_str().unwrap(),
            head.to_str().unwrap(),
            "--max-monthly-usd",
            "$500",
            "--format",
            "json",
        ],
        &[
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ("GITHUB_ACTIONS", "true"),
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    let v: Value = serde_json::from_str(&json).expect("stdout stays pure JSON");
    assert_eq!(v["head"]["recommended_monthly_usd"], "1000000.000000");
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.starts_with("# earlier step\n## faascost cost diff\n\n**Gates: 1 failed**"),
        "{written}"
    );
    assert!(
        written.contains("| `--max-monthly-usd 500` | ❌ **fail** | the recommended option lambda costs $1,000,000.00 a month, above the budget of $500.00 |"),
        "{written}"
    );
    assert!(
        err.contains("::error title=faascost gate failed::--max-monthly-usd 500: the recommended option lambda costs $1,000,000.00"),
        "{err}"
    );
}

#[test]
fn analyze_gates_budget_and_slo() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "bursty", 0.05);
    let s = scenario(dir.path(), LAMBDA);
    let run = |extra: &[&str]| {
        let o = faascost()
            .arg("analyze")
            .arg(&t)
            .arg("--scenario")
            .arg(&s)
            .arg("--out")
            .arg(dir.path().join("out"))
            .args(extra)
            .output()
            .unwrap();
        (o.status.code(), String::from_utf8(o.stderr).unwrap())
    };
    let (code, err) = run(&["--max-monthly-usd", "0.001"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("gate failed: --max-monthly-usd 0.001: the recommended option lambda costs $"),
        "{err}"
    );
    assert!(
        dir.path().join("out/options.csv").is_file(),
        "reports are written before a gate fails"
    );
    assert_eq!(run(&["--max-monthly-usd", "100000", "--require-slo"]).0, Some(0));
    // A 1 ms SLO on the added latency cannot be met with cold starts: no option is viable.
    let strict = dir.path().join("strict.toml");
    std::fs::write(
        &strict,
        HEADER.replace("latency_slo_ms = 1500", "latency_slo_ms = 1") + LAMBDA,
    )
    .unwrap();
    let o = faascost()
        .arg("analyze")
        .arg(&t)
        .arg("--scenario")
        .arg(&strict)
        .arg("--out")
        .arg(dir.path().join("strict"))
        .arg("--require-slo")
        .arg("--max-monthly-usd")
        .arg("1")
        .output()
        .unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("gate failed: --require-slo: no option is viable"), "{err}");
    assert!(
        err.contains("gate skipped: --max-monthly-usd 1: no option is recommended"),
        "{err}"
    );
}

#[test]
fn the_summary_table_fits_80_columns_and_wide_shows_more() {
    let dir = tempfile::tempdir().unwrap();
    let t = trace(dir.path(), "sparse.csv", "bursty", 0.05);
    let s = scenario(dir.path(), &format!("{LAMBDA}{SERVERS}"));
    let run = |wide: bool| {
        let mut c = faascost();
        c.arg("analyze")
            .arg(&t)
            .arg("--scenario")
            .arg(&s)
            .arg("--out")
            .arg(dir.path().join("out"));
        if wide {
            c.arg("--wide");
        }
        let o = c.output().unwrap();
        assert!(o.status.success());
        String::from_utf8(o.stdout).unwrap()
    };
    let narrow = run(false);
    for line in narrow.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}\n{narrow}",
            line.chars().count()
        );
    }
    assert!(
        narrow.contains("p99 added") && narrow.contains("(cheapest)"),
        "{narrow}"
    );
    assert!(!narrow.contains("fleet"), "{narrow}");
    let wide = run(true);
    assert!(wide.contains("fleet") && wide.contains("≤ 2 × t3.medium"), "{wide}");
}

/// A function named with a terminal escape, a mention, HTML, a URL and a bidi override, running
/// past Lambda's timeout so that the warnings name it.
#[test]
fn text_from_a_trace_is_inert_on_the_terminal_and_in_report_md() {
    let dir = tempfile::tempdir().unwrap();
    let name = "evil\u{1b}]0;owned\u{7}\u{1b}[2J @everyone <script>x</script> https://evil.example \u{202E}fdp.exe";
    let t = batch_trace(dir.path(), "batch.csv", 3, 1_200_000, 1_024);
    let text = std::fs::read_to_string(&t)
        .unwrap()
        .replace("nightly-batch", &format!("\"{name}\""));
    std::fs::write(&t, text).unwrap();
    let s = scenario(dir.path(), LAMBDA);
    let o = faascost()
        .arg("analyze")
        .arg(&t)
        .arg("--scenario")
        .arg(&s)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(o.stderr).unwrap();
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("warning: [limit-exceeded]"), "{stderr}");
    assert!(stderr.contains("evil\\u{1b}]0;owned\\u{7}\\u{1b}[2J"), "{stderr}");
    for out in [&stdout, &stderr] {
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n' || c == '\u{202E}'),
            "{out:?}"
        );
    }
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(
        md.contains("@\u{200D}everyone &lt;script&gt;x&lt;/script&gt; https\\[:\\]//evil.example \\\\u{202e}fdp.exe"),
        "{md}"
    );
    for bad in ["@everyone", "<script>", "https://", "\u{1b}", "\u{202E}", "\u{7}"] {
        assert!(!md.contains(bad), "{bad:?} in report.md");
    }
    // Errors that quote an input are sanitized too.
    let e = input_error(&["analyze", "--scenario", "missing\u{1b}[31m.toml"]);
    assert!(e.contains("missing\\u{1b}[31m.toml") && !e.contains('\u{1b}'), "{e}");
}

/// The README's copy of the workflow is the workflow.
#[test]
fn the_readme_workflow_is_the_committed_workflow() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workflow = std::fs::read_to_string(root.join(".github/workflows/cost-report.yml")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme.find("```yaml\n").expect("a yaml block in the README") + 8;
    let end = start + readme[start..].find("```\n").unwrap();
    assert_eq!(&readme[start..end], workflow);
}
