//! `faascost inspect` on hand-written Azure 2019 files with known figures, on bad input,
//! and on the real sample when present.

use super::common::{faascost, input_error, json, real_dataset};
use std::path::Path;

const INV_HEADER: &str = "HashOwner,HashApp,HashFunction,Trigger,1,2,3,4,5,6";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A 6-minute day with four functions in three apps; every figure is computable by hand.
fn known_day(dir: &Path) -> Vec<String> {
    let inv = format!(
        "{INV_HEADER}\n\
         o1,a1,f1,http,1,1,1,1,1,1\n\
         o1,a1,f2,timer,0,0,0,0,0,1\n\
         o1,a2,f3,queue,0,12,0,0,0,0\n\
         o2,a3,f4,http,0,0,0,0,0,0\n"
    );
    let dur = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,\
               percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,\
               percentile_Average_99,percentile_Average_100\n\
               o1,a1,f1,100,6,90.0,110.0,90,91,95,100,105,109,110\n\
               o1,a1,f2,300,1,300.0,300.0,300,300,300,300,300,300,300\n\
               o1,a2,f3,200,12,,,150,150,180,200,220,250,250\n";
    let mem = "HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,\
               AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,\
               AverageAllocatedMb_pct99,AverageAllocatedMb_pct100\n\
               o1,a1,100,128,100,110,120,128,130,140,150,160\n\
               o1,a2,100,256,200,210,220,256,260,270,280,300\n";
    vec![
        write(dir, "invocations_per_function_md.anon.d01.csv", &inv),
        write(dir, "function_durations_percentiles.anon.d01.csv", dur),
        write(dir, "app_memory_percentiles.anon.d01.csv", mem),
    ]
}

#[test]
fn figures_of_a_hand_computed_day() {
    let dir = tempfile::tempdir().unwrap();
    known_day(dir.path());
    let v = json(&["inspect", "--json", dir.path().to_str().unwrap()]);
    assert_eq!(v["functions"], 4);
    assert_eq!(v["apps"], 3);
    assert_eq!(v["owners"], 2);
    assert_eq!(v["invocations"], 19);
    assert_eq!(v["minutes"], 6);
    // Average rates per minute: f1 1, f2 1/6, f3 2, f4 0 → ≤ 1/min: f1, f2, f4.
    assert_eq!(v["functions_avg_rate_at_most_1_per_minute"], 0.75);
    // ≤ 1/hour means ≤ 0.1 invocations in 6 minutes: only f4.
    assert_eq!(v["functions_avg_rate_at_most_1_per_hour"], 0.25);
    // Apps: a1 = 7 (> 1/min), a2 = 12, a3 = 0.
    assert!((v["apps_avg_rate_at_most_1_per_minute"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(v["triggers"]["http"], 0.5);
    assert_eq!(v["triggers"]["timer"], 0.25);
    // Durations over the three functions with rows: 100, 200, 300 → median 200.
    assert_eq!(v["duration_ms"]["count"], 3);
    assert_eq!(v["duration_ms"]["p50"], 200.0);
    // Memory over the two apps with rows: 128, 256.
    assert_eq!(v["memory_mb"]["basis"], "allocated");
    assert_eq!(v["memory_mb"]["p50"], 192.0);
    // f1 invoked every minute: peak-to-mean 1, idle 0; f3: peak 12 over mean 2 = 6.
    assert_eq!(v["peak_to_mean"]["min"], 1.0);
    assert_eq!(v["peak_to_mean"]["max"], 6.0);
    // f1's gaps are all one minute → CV 0; f3's 12 invocations in one minute are evenly spaced → CV 0.
    assert_eq!(v["iat_cv"]["count"], 2);
    assert_eq!(v["iat_cv"]["share_cv_at_most_0_1"], 1.0);
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("1 function(s) of day 1 have no row in the durations file"),
        "{warnings}"
    );
}

#[test]
fn table_output_names_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    known_day(dir.path());
    faascost()
        .args(["inspect", dir.path().to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicates::str::contains("apps invoked ≤ 1/hour on average"))
        .stdout(predicates::str::contains("inter-arrival CV"));
}

#[test]
fn bad_azure2019_input_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, String, &[&str]); 7] = [
        (
            "non-numeric count",
            format!("{INV_HEADER}\no,a,f,http,1,2,x,4,5,6\n"),
            &["line 2", "field '3'", "'x' is not a count"],
        ),
        (
            "negative count",
            format!("{INV_HEADER}\no,a,f,http,1,-2,3,4,5,6\n"),
            &["line 2", "field '2'", "'-2' is not a count"],
        ),
        (
            "truncated line",
            format!("{INV_HEADER}\no,a,f,http,1,2,3,4,5,6\no,a,g,http,1,2\n"),
            &["line 3", "6 field(s) where the header has 10", "truncated"],
        ),
        (
            "missing column",
            "HashOwner,HashApp,HashFunction,1,2\no,a,f,1,2\n".to_string(),
            &["missing column", "'Trigger' (invocations)"],
        ),
        (
            "missing percentile column",
            "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum\no,a,f,1,1,1,1\n".to_string(),
            &["missing column 'percentile_Average_0'"],
        ),
        ("empty file", String::new(), &["the file is empty"]),
        (
            "unknown trigger",
            format!("{INV_HEADER}\no,a,f,webhook,1,2,3,4,5,6\n"),
            &["line 2", "field 'Trigger'", "unknown trigger 'webhook'"],
        ),
    ];
    for (i, (what, text, needles)) in cases.iter().enumerate() {
        let path = write(dir.path(), &format!("case{i}.csv"), text);
        let stderr = input_error(&["inspect", &path]);
        assert!(stderr.contains(&path), "{what}: {stderr}");
        for n in *needles {
            assert!(stderr.contains(n), "{what}: expected '{n}' in: {stderr}");
        }
    }
}

#[test]
fn binary_garbage_and_other_formats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("garbage.csv");
    std::fs::write(&bin, [0x89u8, b'P', b'N', b'G', 0, 0xff, 0xfe, 0x00, 0x12]).unwrap();
    let stderr = input_error(&["inspect", bin.to_str().unwrap()]);
    assert!(stderr.contains("binary content"), "{stderr}");
    let other = write(dir.path(), "other.csv", "name,age\nbob,3\n");
    let stderr = input_error(&["inspect", &other]);
    assert!(stderr.contains("cannot tell the trace format"), "{stderr}");
    let forced = input_error(&["inspect", "--trace-format", "azure2019", &other]);
    assert!(forced.contains("missing column"), "{forced}");
    let missing = input_error(&["inspect", "/nonexistent/trace.csv"]);
    assert!(missing.contains("/nonexistent/trace.csv"), "{missing}");
}

#[test]
fn skip_bad_rows_counts_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "inv.csv",
        &format!("{INV_HEADER}\no,a,f,http,1,1,1,1,1,1\no,a,g,http,1,x,1\no,a,h,http,0,0,0,0,0,2\n"),
    );
    input_error(&["inspect", &path]);
    let v = json(&["inspect", "--json", "--skip-bad-rows", &path]);
    assert_eq!(v["functions"], 2);
    assert_eq!(v["invocations"], 8);
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("skipped 1 bad row(s)"), "{warnings}");
}

#[test]
fn real_azure2019_sample() {
    let Some(dir) = real_dataset("azure2019-sampled") else {
        return;
    };
    let v = json(&["inspect", "--json", dir.to_str().unwrap()]);
    // Figures from the sample's SOURCE.md (computed there with pandas).
    assert_eq!(v["functions"], 250);
    assert_eq!(v["apps"], 246);
    assert_eq!(v["invocations"], 567_403);
    assert_eq!(v["minutes"], 480);
    assert_eq!(v["functions_avg_rate_at_most_1_per_minute"], 0.864);
    assert_eq!(v["functions_avg_rate_at_most_1_per_hour"], 0.316);
    assert!((v["apps_avg_rate_at_most_1_per_minute"].as_f64().unwrap() - 0.862).abs() < 0.001);
    assert!((v["apps_avg_rate_at_most_1_per_hour"].as_f64().unwrap() - 0.305).abs() < 0.001);
    assert_eq!(v["triggers"]["timer"], 0.504);
    // Median of Average over the 241 rows with Average > 0 is 658 ms.
    assert_eq!(v["duration_ms"]["count"], 241);
    assert_eq!(v["duration_ms"]["p50"], 658.0);
}

#[test]
fn help_explains_flags() {
    faascost()
        .args(["inspect", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("--skip-bad-rows"))
        .stdout(predicates::str::contains("--trace-format"));
}

/// Generates a one-day CSV trace of `pattern` with `faascost generate`.
fn generated(dir: &Path, pattern: &str, rate_per_min: &str) -> String {
    let out = dir.join(format!("{pattern}.csv"));
    faascost()
        .args(["generate", "--pattern", pattern, "--functions", "2", "--days", "1"])
        .args([
            "--rate-per-min",
            rate_per_min,
            "--duration-ms",
            "const:250",
            "--seed",
            "9",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out.to_str().unwrap().to_string()
}

#[test]
fn generated_traces_have_their_known_statistics() {
    let dir = tempfile::tempdir().unwrap();
    // A timer every 2 minutes (0.5/min) for a day: exactly 720 calls per function, constant
    // gaps (CV 0), every other minute idle, each function ≤ 1/min but > 1/hour.
    let v = json(&["inspect", "--json", &generated(dir.path(), "periodic", "0.5")]);
    assert_eq!(v["functions"], 2);
    assert_eq!(v["invocations"], 1_440);
    assert_eq!(v["functions_avg_rate_at_most_1_per_minute"], 1.0);
    assert_eq!(v["functions_avg_rate_at_most_1_per_hour"], 0.0);
    assert!(v["iat_cv"]["max"].as_f64().unwrap() < 0.01, "{}", v["iat_cv"]);
    assert!((v["idle_minutes_fraction"]["p50"].as_f64().unwrap() - 0.5).abs() < 0.01);
    assert_eq!(v["duration_ms"]["p50"], 250.0);
    // Poisson at 6/min: inter-arrival times are exponential, so CV ≈ 1 (±0.1 over 8,640 gaps),
    // and the day's total is within 4σ of 2 × 8,640 (σ = √17,280 = 131).
    let v = json(&["inspect", "--json", &generated(dir.path(), "poisson", "6")]);
    let total = v["invocations"].as_f64().unwrap();
    assert!((total - 17_280.0).abs() < 4.0 * 131.5, "{total}");
    let cv = v["iat_cv"]["p50"].as_f64().unwrap();
    assert!((cv - 1.0).abs() < 0.1, "{cv}");
    assert_eq!(v["iat_cv"]["basis"], "timestamps");
}
