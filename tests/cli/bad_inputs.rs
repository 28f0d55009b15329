//! The bad-input corpus (`tests/fixtures/bad/`, one folder per format): each case pins what
//! `inspect` says — the file, the line, the field, what was expected or what to do — and its
//! exit code (2 for an input error, 0 for quirks that are read correctly: a byte-order mark,
//! CRLF line ends, rows out of time order). Huge lines are streamed into the reader (never
//! written to disk) and must be refused after the line cap, not read to the end.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use super::common::faascost;

const BAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad");

/// Runs `inspect --trace-format FORMAT FILE`; returns (exit code, stderr).
fn inspect(format: &str, file: &Path) -> (Option<i32>, String) {
    let out = faascost()
        .args(["inspect", "--json", "--trace-format", format])
        .arg(file)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
    (out.status.code(), stderr)
}

/// Checks every `(file, expected code, pieces of the message)` of one format's folder.
fn check(format: &str, dir: &str, cases: &[(&str, i32, &[&str])]) {
    let folder = PathBuf::from(BAD).join(dir);
    let mut listed: Vec<&str> = cases.iter().map(|c| c.0).collect();
    listed.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    on_disk.sort();
    assert_eq!(
        listed, on_disk,
        "every fixture of {dir}/ has a case, and every case a fixture"
    );
    for (name, code, pieces) in cases {
        let file = folder.join(name);
        let (got, stderr) = inspect(format, &file);
        assert_eq!(got, Some(*code), "{dir}/{name}: {stderr}");
        if *code == 2 {
            assert!(
                stderr.contains(&format!("{name}: ")),
                "{dir}/{name} names the file: {stderr}"
            );
        }
        for piece in *pieces {
            assert!(stderr.contains(piece), "{dir}/{name}: '{piece}' missing from: {stderr}");
        }
    }
}

#[test]
fn azure2019_corpus() {
    const P: &str = "invocations_per_function_md.anon.";
    let cases: &[(&str, i32, &[&str])] = &[
        (
            "empty.d01.csv",
            2,
            &["the file is empty", "an Azure 2019 day is three CSV files"],
        ),
        (
            "header-only.d01.csv",
            2,
            &["a header but no rows", "at least one function"],
        ),
        (
            "semicolons.d01.csv",
            2,
            &["missing column", "separated by ';', not commas"],
        ),
        ("bom.d01.csv", 0, &[]),
        ("crlf.d01.csv", 0, &[]),
        ("missing-column.d01.csv", 2, &["missing column", "'Trigger'"]),
        (
            "extra-field.d01.csv",
            2,
            &["line 2: 1445 field(s) where the header has 1444", "--skip-bad-rows"],
        ),
        // A 1,440-minute row with 1,439 values.
        (
            "short-row.d01.csv",
            2,
            &["line 2: 1443 field(s) where the header has 1444", "truncated"],
        ),
        (
            "non-numeric.d01.csv",
            2,
            &["line 2, field '1': 'x' is not a count", "expected a whole number"],
        ),
        ("negative.d01.csv", 2, &["line 2, field '1': '-3' is not a count"]),
        ("nan.d01.csv", 2, &["line 2, field '1': 'NaN' is not a count"]),
        ("inf.d01.csv", 2, &["line 2, field '1': 'inf' is not a count"]),
        (
            "gigantic-count.d01.csv",
            2,
            &["line 2, field '1': '99999999999999999999' is not a count"],
        ),
        (
            "duplicates.d01.csv",
            0,
            &["1 row(s) repeat a function", "remove the duplicates"],
        ),
        (
            "non-utf8.d01.csv",
            2,
            &["line 3, field 'HashApp': not UTF-8 text", "expected a hashed id"],
        ),
        (
            "minute-out-of-range.d01.csv",
            2,
            &["line 1, field '1441'", "minute columns numbered 1..1440"],
        ),
    ];
    let cases: Vec<(String, i32, &[&str])> = cases.iter().map(|(n, c, p)| (format!("{P}{n}"), *c, *p)).collect();
    let cases: Vec<(&str, i32, &[&str])> = cases.iter().map(|(n, c, p)| (n.as_str(), *c, *p)).collect();
    check("azure2019", "azure2019", &cases);
}

#[test]
fn azure2021_corpus() {
    check(
        "azure2021",
        "azure2021",
        &[
            (
                "empty.csv",
                2,
                &["the file is empty", "app,func,end_timestamp,duration"],
            ),
            ("header-only.csv", 2, &["no invocation rows after the header"]),
            (
                "semicolons.csv",
                2,
                &["missing column(s) app, func", "separated by ';', not commas"],
            ),
            ("bom.csv", 0, &[]),
            ("crlf.csv", 0, &[]),
            ("missing-column.csv", 2, &["missing column(s) duration"]),
            ("extra-field.csv", 2, &["line 2: 5 field(s) where the header has 4"]),
            (
                "non-numeric.csv",
                2,
                &[
                    "line 2, field 'end_timestamp': 'ten' is not a number",
                    "expected seconds ≥ 0",
                ],
            ),
            ("negative.csv", 2, &["line 2, field 'duration': -0.2 is negative"]),
            ("nan.csv", 2, &["line 2, field 'end_timestamp': NaN is not finite"]),
            ("inf.csv", 2, &["line 2, field 'duration': inf is not finite"]),
            ("out-of-order.csv", 0, &[]),
            (
                "far-future.csv",
                2,
                &["line 2, field 'end_timestamp': 1e300 s (duration 0.2 s) is too large"],
            ),
            ("duplicates.csv", 0, &[]),
            (
                "non-utf8.csv",
                2,
                &["line 3, field 'func': not UTF-8 text", "expected a hashed function id"],
            ),
        ],
    );
}

#[test]
fn generic_csv_corpus() {
    check(
        "csv",
        "csv",
        &[
            (
                "empty.csv",
                2,
                &["the file is empty", "columns timestamp, function, duration_ms"],
            ),
            ("header-only.csv", 2, &["no invocation rows after the header"]),
            (
                "semicolons.csv",
                2,
                &["missing required column(s)", "separated by ';', not commas"],
            ),
            (
                "tabs.csv",
                2,
                &["missing required column(s)", "separated by tabs, not commas"],
            ),
            ("bom.csv", 0, &[]),
            ("crlf.csv", 0, &[]),
            (
                "missing-column.csv",
                2,
                &["missing required column(s) duration_ms (found: timestamp,function)"],
            ),
            ("extra-field.csv", 2, &["line 2: 4 field(s) where the header has 3"]),
            ("missing-field.csv", 2, &["line 2: 2 field(s) where the header has 3"]),
            (
                "non-numeric.csv",
                2,
                &[
                    "line 2, field 'duration_ms': 'twelve' is not a number",
                    "expected a duration in ms",
                ],
            ),
            ("negative.csv", 2, &["line 2, field 'duration_ms': -12 is negative"]),
            ("nan.csv", 2, &["line 2, field 'duration_ms': NaN is not finite"]),
            ("inf.csv", 2, &["line 2, field 'duration_ms': inf is not finite"]),
            ("out-of-order.csv", 0, &[]),
            (
                "far-future.csv",
                2,
                &[
                    "line 2, field 'timestamp': '9999-12-31T23:59:59Z' is after the year 2100",
                    "expected an RFC 3339 time",
                ],
            ),
            (
                "bad-timestamp.csv",
                2,
                &["line 2, field 'timestamp': 'yesterday' is not a time"],
            ),
            ("duplicates.csv", 0, &[]),
            (
                "gigantic-duration.csv",
                2,
                &["line 2, field 'duration_ms': 1e300 ms is too large", "below 10^12"],
            ),
            ("non-utf8.csv", 2, &["line 3, field 'function': not UTF-8 text"]),
        ],
    );
}

#[test]
fn lambda_logs_corpus() {
    check(
        "lambda-logs",
        "lambda-logs",
        &[
            ("empty.log", 2, &["the file is empty", "REPORT RequestId:"]),
            (
                "no-reports.log",
                2,
                &["no REPORT lines or platform.report events found"],
            ),
            ("bom.log", 0, &[]),
            ("crlf.log", 0, &[]),
            (
                "non-numeric.log",
                2,
                &["line 1, field 'Duration': 'fast' is not a number"],
            ),
            ("negative.log", 2, &["line 1, field 'Duration': -5 is negative"]),
            ("nan.log", 2, &["line 1, field 'Duration': NaN is not finite"]),
            ("inf.log", 2, &["line 1, field 'Duration': inf is not finite"]),
            (
                "unknown-unit.log",
                2,
                &["line 1, field 'Duration': unit 'fortnights' is not one of ms, s or us"],
            ),
            (
                "gigantic-memory.log",
                2,
                &["line 1, field 'Memory Size': 1e20 MB is too large"],
            ),
            ("duplicates.log", 0, &["1 REPORT(s) repeat a RequestId", "counted once"]),
            (
                "non-utf8.log",
                2,
                &["line 2, field 'RequestId': not UTF-8 text (at column 20)"],
            ),
            (
                "far-future.jsonl",
                2,
                &["line 1, field 'timestamp': 1e17 is after the year 2100"],
            ),
            ("out-of-order.jsonl", 0, &[]),
        ],
    );
}

/// Writes a Parquet file of `columns` into `dir`.
fn parquet(dir: &Path, name: &str, columns: Vec<polars::prelude::Column>) -> PathBuf {
    use polars::prelude::{DataFrame, ParquetWriter};
    let mut df = DataFrame::new_infer_height(columns).unwrap();
    let p = dir.join(name);
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    p
}

#[test]
fn parquet_corpus() {
    check(
        "csv",
        "parquet",
        &[
            ("empty.parquet", 2, &["the file is empty"]),
            // The 25-byte file whose footer declares 2^31 schema elements (polars asked for 223 GB).
            (
                "crafted-223gb.parquet",
                2,
                &["not a readable Parquet file", "2147483647 elements", "re-export it"],
            ),
            (
                "truncated.parquet",
                2,
                &["not a readable Parquet file", "magic number (PAR1)"],
            ),
            // Found by fuzzing (trace_parquet): fields of another type than the format's made
            // polars-parquet panic ('thrift bool field') or ask for 55 GB (row groups declared a
            // bool, read as a list of 2^32 - 1 column chunks).
            (
                "fuzz-wrong-thrift-type.parquet",
                2,
                &["not a readable Parquet file: field 4 of File has Thrift type 1"],
            ),
            (
                "fuzz-row-groups-as-bool.parquet",
                2,
                &["not a readable Parquet file: field 4 of File has Thrift type 1"],
            ),
            // Found by fuzzing: a data page declaring -1 values made polars reserve 2^61 bytes
            // for its validity bitmap (abort); this one is a 3-row pyarrow file with that byte
            // changed. And the fuzzer's own input, whose first chunk is -128 bytes long.
            (
                "fuzz-page-negative-values.parquet",
                2,
                &["column chunk 1: a page at byte 42 declares -1 values, which a file of 1078 bytes cannot hold"],
            ),
            (
                "fuzz-chunk-negative-size.parquet",
                2,
                &["column chunk 1 declares its pages at byte 4, -128 bytes long, outside the file's 1085 bytes"],
            ),
        ],
    );
    use polars::prelude::{Column, NamedFrom, Series};
    let col = |name: &str, s: Series| Column::from(s.with_name(name.into()));
    let dir = tempfile::tempdir().unwrap();
    let ts = |v: &[i64]| col("timestamp", Series::new("".into(), v));
    let f = |n: usize| col("function", Series::new("".into(), vec!["f"; n]));
    let d = |v: &[f64]| col("duration_ms", Series::new("".into(), v));
    let cases: Vec<(PathBuf, i32, &[&str])> = vec![
        (
            parquet(dir.path(), "no-rows.parquet", vec![ts(&[]), f(0), d(&[])]),
            2,
            &["no invocation rows"],
        ),
        (
            parquet(dir.path(), "missing-column.parquet", vec![ts(&[1_709_251_200]), f(1)]),
            2,
            &["missing required column(s) duration_ms"],
        ),
        (
            parquet(
                dir.path(),
                "negative.parquet",
                vec![ts(&[1_709_251_200, 1_709_251_201]), f(2), d(&[1.0, -4.0])],
            ),
            2,
            &["line 2, field 'duration_ms': -4 is negative"],
        ),
        (
            parquet(
                dir.path(),
                "nan.parquet",
                vec![ts(&[1_709_251_200]), f(1), d(&[f64::NAN])],
            ),
            2,
            &["line 1, field 'duration_ms': NaN is not finite"],
        ),
        (
            parquet(
                dir.path(),
                "far-future.parquet",
                vec![ts(&[99_999_999_999_999_999]), f(1), d(&[1.0])],
            ),
            2,
            &["line 1, field 'timestamp': 1e17 is after the year 2100"],
        ),
        (
            parquet(
                dir.path(),
                "out-of-order.parquet",
                vec![ts(&[1_709_251_300, 1_709_251_200]), f(2), d(&[1.0, 2.0])],
            ),
            0,
            &[],
        ),
    ];
    for (file, code, pieces) in cases {
        let (got, stderr) = inspect("csv", &file);
        assert_eq!(got, Some(code), "{}: {stderr}", file.display());
        for piece in pieces {
            assert!(
                stderr.contains(piece),
                "{}: '{piece}' missing from: {stderr}",
                file.display()
            );
        }
    }
}

/// Streams `head` then `fill` bytes up to `total` bytes into `inspect --trace-format FORMAT
/// /dev/stdin`; the reader must stop at the line cap with exit 2 long before the end.
fn streamed(format: &str, head: &[u8], fill: u8, total: usize) -> String {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("faascost"))
        .args(["inspect", "--trace-format", format, "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(head).unwrap();
    let chunk = vec![fill; 1 << 20];
    let mut written = head.len();
    while written < total {
        // The reader closes the pipe once it refuses the line: writing then fails.
        if stdin.write_all(&chunk).is_err() {
            break;
        }
        written += chunk.len();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{format}: {stderr}");
    assert!(written < total, "{format}: the whole {total} bytes were read");
    stderr
}

#[test]
fn a_huge_single_line_is_refused_at_the_cap_for_every_format() {
    const MB_200: usize = 200 << 20;
    for (format, head) in [
        ("csv", &b"timestamp,function,duration_ms\n2024-03-01T00:00:00Z,f,"[..]),
        ("azure2021", b"app,func,end_timestamp,duration\na,f,1,"),
        ("azure2019", b"HashOwner,HashApp,HashFunction,Trigger,1\no,a,f,http,"),
    ] {
        let e = streamed(format, head, b'7', MB_200);
        assert!(
            e.contains("/dev/stdin: line 2: longer than 1048576 bytes without a line end"),
            "{format}: {e}"
        );
    }
    // A log line may be a whole exported JSON document, so its cap is 64 MiB.
    let e = streamed("lambda-logs", b"REPORT RequestId: x Duration: 1", b'7', MB_200);
    assert!(e.contains("line 1: longer than 67108864 bytes"), "{e}");
}

#[test]
fn dev_zero_is_refused_not_read_forever() {
    for format in ["azure2019", "azure2021", "csv", "lambda-logs"] {
        let (code, e) = inspect(format, Path::new("/dev/zero"));
        assert_eq!(code, Some(2), "{format}: {e}");
        assert!(
            e.contains("/dev/zero: binary content (NUL byte) on line 1 (byte 0)"),
            "{format}: {e}"
        );
    }
}
