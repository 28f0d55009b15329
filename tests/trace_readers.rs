//! End-to-end checks of the trace readers through `read_workload`: format detection,
//! dispatch, and the figures of the small fixtures in `tests/fixtures/traces/`
//! (hand-computed below; t0 = 2024-03-01T00:00:00Z = 1,709,251,200,000 ms).

use std::path::{Path, PathBuf};

use faascost::trace::{read_workload, Arrivals, FunctionId, Invocation, ReadOptions, TraceFormat, Trigger, Workload};

const T0: u64 = 1_709_251_200_000;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/traces")
        .join(name)
}

fn read(name: &str) -> Workload {
    read_workload(&[fixture(name)], &ReadOptions::default()).unwrap()
}

fn timed(w: &Workload, i: usize) -> &[Invocation] {
    match &w.functions[i].arrivals {
        Arrivals::Timestamps(v) => v,
        other => panic!("expected timestamps, got {other:?}"),
    }
}

#[test]
fn azure2021_fixture() {
    let w = read("azure2021-small.csv");
    assert_eq!(w.sources[0].format, "azure2021");
    assert_eq!(w.functions.len(), 3);
    assert_eq!(w.invocations(), 4);
    let f1 = &w.functions[0];
    assert_eq!(
        f1.id,
        FunctionId {
            owner: String::new(),
            app: "appA".into(),
            function: "f1".into()
        }
    );
    // 3.25 − 1.25 = 2.0 s; 10.5 − 0.5 = 10.0 s.
    let v = timed(&w, 0);
    assert_eq!((v[0].start_ms, v[0].duration_us), (2_000, 1_250_000));
    assert_eq!((v[1].start_ms, v[1].duration_us), (10_000, 500_000));
    assert_eq!(timed(&w, 1)[0].start_ms, 59_999); // 60.0 − 0.001
    assert_eq!(timed(&w, 2)[0].start_ms, 120_000); // 125.0004 − 5.0 = 120.0004 s → 120,000 ms
                                                   // Window: whole minutes from 0 to the end of g1 (120,000 + 5,000 ms → minute 3).
    assert_eq!((w.window_start_ms, w.window_end_ms), (0, 180_000));
}

#[test]
fn lambda_text_fixture() {
    let w = read("lambda-report.log");
    assert_eq!(w.functions.len(), 1);
    assert_eq!(w.functions[0].id, FunctionId::standalone("lambda-report"));
    let v = timed(&w, 0);
    // REPORT at t0+10.100 s, Duration 100.00 ms after a 250 ms init; at t0+60.050 s,
    // Duration 49.01 ms (ceil 50).
    assert_eq!(v[0].start_ms, T0 + 10_000 - 250);
    assert_eq!(v[0].init_duration_us, Some(250_000));
    assert_eq!(v[0].billed_duration_ms, Some(100));
    assert_eq!(v[1].start_ms, T0 + 60_000);
    assert_eq!(v[1].duration_us, 49_010);
    assert_eq!(v[1].cold_start, Some(false));
    assert_eq!(w.functions[0].memory.configured_mb, Some(512));
    assert_eq!(w.functions[0].memory.max_used_mb, Some(66));
    assert_eq!((w.window_start_ms, w.window_end_ms), (T0, T0 + 120_000));
}

#[test]
fn lambda_json_fixtures() {
    let w = read("lambda-events.jsonl");
    let v = timed(&w, 0);
    // Newest first in the file: REPORT at t0+30 s (1000.40 ms → 1,001) and t0+5 s (2.50 → 3,
    // after an init of 120 ms).
    assert_eq!(v[0].start_ms, T0 + 4_997 - 120);
    assert_eq!(v[0].init_duration_us, Some(120_000));
    assert_eq!(v[1].start_ms, T0 + 28_999);
    assert_eq!(v.iter().map(|i| i.billed_duration_ms.unwrap()).sum::<u64>(), 1_004);

    let w = read("lambda-platform-report.jsonl");
    let v = timed(&w, 0);
    // REPORT at 0.5 s after 200 ms of duration and 150.5 (→ 151) ms of init.
    assert_eq!((v[0].start_ms, v[1].start_ms), (T0 + 300 - 151, T0 + 42_000));
    assert_eq!(v[0].init_duration_us, Some(150_500));
    assert!(
        w.warnings.iter().any(|m| m.contains("status timeout")),
        "{:?}",
        w.warnings
    );

    let w = read("lambda-insights.csv");
    assert_eq!(w.sources[0].format, "lambda-logs (Logs Insights CSV)");
    let v = timed(&w, 0);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].start_ms, T0 + 19_990);
    assert_eq!(w.functions[0].memory.configured_mb, Some(1024));
}

#[test]
fn generic_csv_fixture() {
    let w = read("generic.csv");
    assert_eq!(w.sources[0].format, "csv");
    // Sorted by id: app "report" before app "shop".
    let checkout = &w.functions[1];
    assert_eq!(checkout.id.app, "shop");
    assert_eq!(checkout.trigger, Trigger::Http);
    let v = timed(&w, 1);
    assert_eq!((v[0].start_ms, v[0].duration_us), (T0, 120_500));
    assert_eq!(
        (v[0].init_duration_us, v[0].cold_start, v[0].response_bytes),
        (Some(300_000), Some(true), Some(512))
    );
    assert_eq!(v[1].start_ms, T0 + 30_250);
    assert_eq!(checkout.memory.max_used_mb, Some(110));
    let report = &w.functions[0];
    assert_eq!(report.id, FunctionId::standalone("report"));
    assert_eq!(report.trigger, Trigger::Timer);
    assert_eq!(timed(&w, 0)[0].start_ms, T0 + 60_000); // epoch seconds 1709251260
}

#[test]
fn whole_fixture_directory() {
    let w = read_workload(&[fixture("")], &ReadOptions::default()).unwrap();
    assert_eq!(w.sources.len(), 6);
    assert_eq!(w.functions.len(), 9);
    assert_eq!(w.invocations(), 4 + 2 + 2 + 2 + 1 + 3);
}

#[test]
fn forced_format_mismatch_is_a_clear_error() {
    let forced = |name: &str, format| {
        read_workload(
            &[fixture(name)],
            &ReadOptions {
                format: Some(format),
                skip_bad_rows: false,
            },
        )
        .unwrap_err()
        .to_string()
    };
    let e = forced("azure2021-small.csv", TraceFormat::LambdaLogs);
    assert!(e.contains("azure2021-small.csv: no REPORT lines"), "{e}");
    let e = forced("azure2021-small.csv", TraceFormat::Csv);
    assert!(
        e.contains("missing required column(s) timestamp, function, duration_ms"),
        "{e}"
    );
    let e = forced("lambda-report.log", TraceFormat::Azure2021);
    assert!(
        e.contains("missing column(s) app, func, end_timestamp, duration"),
        "{e}"
    );
    let e = forced("generic.csv", TraceFormat::Azure2021);
    assert!(e.contains("generic.csv") && e.contains("missing column(s)"), "{e}");
}

#[test]
fn parquet_is_detected_and_read() {
    use polars::prelude::{Column, DataFrame, NamedFrom, ParquetWriter, Series};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calls.parquet");
    let mut df = DataFrame::new_infer_height(vec![
        Column::from(Series::new("timestamp".into(), &[T0 as i64 + 500, T0 as i64])),
        Column::from(Series::new("function".into(), &["api", "api"])),
        Column::from(Series::new("duration_ms".into(), &[10.25f64, 20.0])),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let w = read_workload(&[path], &ReadOptions::default()).unwrap();
    assert_eq!(w.sources[0].format, "parquet");
    let v = timed(&w, 0);
    assert_eq!((v[0].start_ms, v[0].duration_us), (T0, 20_000));
    assert_eq!((v[1].start_ms, v[1].duration_us), (T0 + 500, 10_250));
}
