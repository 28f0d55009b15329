//! `faascost tune` end to end: the CPU-bound fraction fitted from one function traced at three
//! sizes, a 20-minute batch refused on Lambda with the limit named, the 80-column table, usage
//! errors (exit 2), and the real Azure 2019 sample when it is present.

use serde_json::Value;
use std::path::Path;

use super::common::{faascost, input_error, json, real_dataset};

/// A generic CSV of `function` invoked every 10 s for an hour at `memory_mb`, each run `ms` long,
/// using `used_mb`.
fn write_trace(path: &Path, function: &str, memory_mb: u32, ms: f64, used_mb: u32) {
    let mut text = String::from("timestamp,function,duration_ms,app,memory_mb,max_memory_used_mb\n");
    for i in 0..360u64 {
        text += &format!(
            "{},{function},{ms:.3},batch,{memory_mb},{used_mb}\n",
            1_700_000_000_000 + i * 10_000
        );
    }
    std::fs::write(path, text).unwrap();
}

fn only_unit(v: &Value) -> &Value {
    let units = v["units"].as_array().unwrap();
    assert_eq!(units.len(), 1, "{v}");
    &units[0]
}

#[test]
fn a_function_traced_at_three_sizes_gets_its_cpu_bound_fraction_fitted() {
    // d(m) = 1000 × (0.6 × s(1024) / s(m) + 0.4) with s(m) = min(m / 1769, 1) on Lambda:
    // 512 MB → 1,600 ms, 1,024 MB → 1,000 ms, 1,769 MB → 747.33 ms. The fit recovers f = 0.6 at
    // the size of the first TRACE (512 MB: 0.6 × 2 / (0.6 × 2 + 0.4) = 0.75) within 0.01.
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<String> = [(512u32, 1600.0), (1024, 1000.0), (1769, 747.332)]
        .iter()
        .map(|&(mb, ms)| {
            let p = dir.path().join(format!("resize-{mb}.csv"));
            write_trace(&p, "resize", mb, ms, 300);
            p.display().to_string()
        })
        .collect();
    let mut args = vec!["tune", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let v = json(&args);
    let u = only_unit(&v);
    assert_eq!(u["cpu_bound"]["source"], "fitted", "{u}");
    assert_eq!(u["cpu_bound"]["points"].as_array().unwrap().len(), 3);
    let f = u["cpu_bound"]["fraction"].as_f64().unwrap();
    assert!((f - 0.75).abs() < 0.01, "{f}");
    // The replay mixes the three sizes; the current size (512 MB, the first TRACE's) is priced at
    // the fit's 1,600 ms.
    assert_eq!(u["current"]["memory_mb"], 512);
    let ms = u["current"]["mean_duration_ms"].as_f64().unwrap();
    assert!((ms / 1600.0 - 1.0).abs() < 0.01, "{ms}");
    // Floor: 300 MB used + 64 MB.
    assert_eq!(u["floor_mb"], 364);
    assert!(u["recommended"]["memory_mb"].as_u64().unwrap() >= 364);
    assert!(v["assumptions"][1].as_str().unwrap().contains("fitted for 1 unit"));
}

#[test]
fn a_20_minute_batch_is_never_recommended_for_lambda() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("batch.csv");
    write_trace(&p, "nightly", 1024, 1_200_000.0, 500);
    let path = p.display().to_string();
    let v = json(&["tune", "--json", &path]);
    let u = only_unit(&v);
    assert!(u["recommended"].is_null(), "{u}");
    let why = u["refusal"].as_str().unwrap();
    assert!(why.starts_with("timeout limit") && why.contains("900 s"), "{why}");
    // Sizes below the floor (500 MB used + 64) are refused for it, every other for the timeout.
    for c in u["curve"].as_array().unwrap() {
        let refused = c["refused"].as_str().unwrap();
        let want = if c["memory_mb"].as_u64().unwrap() < 564 {
            "below the memory floor of 564 MB"
        } else {
            "timeout limit"
        };
        assert!(refused.starts_with(want), "{c}");
    }
    let out = faascost().args(["tune", &path]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("not recommended on aws-lambda: timeout limit"), "{text}");
}

#[test]
fn the_table_fits_80_columns_and_names_current_and_recommended() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/traces/generic.csv");
    let out = faascost().args(["tune", fixture]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("  current ") && text.contains("  recommended "), "{text}");
    let table: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    for line in table {
        assert!(line.chars().count() <= 80, "{} columns: {line}", line.chars().count());
    }
}

#[test]
fn usage_errors_exit_2_and_say_what_is_expected() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/traces/generic.csv");
    let e = input_error(&["tune"]);
    assert!(e.contains("<TRACE>"), "{e}");
    let e = input_error(&["tune", fixture, "--cpu-bound-fraction", "1.5"]);
    assert!(e.contains("--cpu-bound-fraction 1.5 is out of range"), "{e}");
    let e = input_error(&["tune", fixture, "--vcpus-used", "0"]);
    assert!(e.contains("--vcpus-used 0 is out of range"), "{e}");
    let e = input_error(&["tune", fixture, "--strategy", "cheap"]);
    assert!(e.contains("cost") && e.contains("balanced"), "{e}");
    let e = input_error(&["tune", fixture, "--platform", "aws-ec2"]);
    assert!(e.contains("aws-lambda"), "{e}");
    let e = input_error(&["tune", "/nonexistent/trace.csv"]);
    assert!(e.contains("/nonexistent/trace.csv"), "{e}");
}

#[test]
fn real_azure_sample_every_function_gets_a_curve() {
    let Some(dir) = real_dataset("azure2019-sampled") else {
        return;
    };
    let v = json(&["tune", "--json", dir.to_str().unwrap()]);
    let units = v["units"].as_array().unwrap();
    assert!(units.len() > 100, "{}", units.len());
    let invocations: Vec<u64> = units.iter().map(|u| u["invocations"].as_u64().unwrap()).collect();
    assert!(invocations.windows(2).all(|w| w[0] >= w[1]), "busiest first");
    for u in units {
        // Lambda: 13 grid sizes (plus the observed size and the floor) for x86 and arm64.
        assert!(u["curve"].as_array().unwrap().len() >= 26, "{u}");
        assert!(u["current"]["monthly_cost_usd"].is_string());
    }
    // 64-character hashes are shortened: the table stays within 80 columns.
    let out = faascost().args(["tune", dir.to_str().unwrap()]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines().take_while(|l| !l.is_empty()) {
        assert!(line.chars().count() <= 80, "{line}");
    }
}

#[test]
fn speed_stops_at_one_vcpu_for_a_single_threaded_function() {
    // Fastest single-threaded size: 1,769 MB (one full vCPU), arm64 (as fast, cheaper). With 6
    // threads the fastest is 10,240 MB (5.79 vCPU): 1000 × (0.5 × 1024/10240 + 0.5) = 550 ms.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("api.csv");
    write_trace(&p, "api", 1024, 1000.0, 300);
    let path = p.display().to_string();
    let v = json(&["tune", "--json", "--strategy", "speed", &path]);
    assert_eq!(v["strategy"], "speed");
    let r = &only_unit(&v)["recommended"];
    assert_eq!(
        (r["memory_mb"].as_u64(), r["arch"].as_str()),
        (Some(1769), Some("arm64"))
    );
    let v = json(&["tune", "--json", "--strategy", "speed", "--vcpus-used", "6", &path]);
    let r = &only_unit(&v)["recommended"];
    assert_eq!(r["memory_mb"], 10240);
    let ms = r["mean_duration_ms"].as_f64().unwrap();
    assert!((ms - 550.0).abs() < 0.5, "{ms}");
}
