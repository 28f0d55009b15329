//! Reader for the Azure Functions invocation trace 2021 (Zhang et al., "Faster and Cheaper
//! Serverless Computing on Harvested Resources", SOSP 2021; format: AzurePublicDataset
//! `AzureFunctionsInvocationTrace2021.md`).
//!
//! One CSV `app,func,end_timestamp,duration`: hashed ids (func unique within its app), the
//! end time (seconds since the trace start, float) and the duration (seconds, float). Each
//! row becomes an `Invocation` with `start_ms = round((end − duration) · 1000)` and
//! `duration_us = round(duration · 10⁶)`, of function `(owner "", app, func)` with trigger
//! unknown. Rows are not in time order upstream, so each function's invocations are sorted.

use std::path::Path;

use super::generic::{
    column, csv_headers, csv_reader, delimiter_note, finish_parsed, for_each_row, id_text, number, number_text,
    refuse_empty_or_binary, text_field, Collector, Row,
};
use super::{FunctionId, Input, Invocation, Parsed, RowErrors, TraceError};

const HINT: &str = "an Azure 2021 trace is a CSV with the header app,func,end_timestamp,duration \
     (seconds); force another format with --trace-format";

/// Reads one Azure 2021 trace file.
pub(super) fn read(input: &mut Input, skip_bad_rows: bool) -> Result<Parsed, TraceError> {
    refuse_empty_or_binary(input, HINT)?;
    let path = &input.path().to_path_buf();
    let mut reader = csv_reader(input);
    let header = csv_headers(path, &mut reader)?;
    let names = ["app", "func", "end_timestamp", "duration"];
    let missing: Vec<&str> = names.iter().copied().filter(|n| column(&header, n).is_none()).collect();
    if !missing.is_empty() {
        return Err(TraceError::file(
            path,
            format!("missing column(s) {}{}", missing.join(", "), delimiter_note(&header)),
            HINT,
        ));
    }
    let idx = names.map(|n| column(&header, n).unwrap_or(0));
    let [app_i, func_i, end_i, dur_i] = idx;
    let mut errors = RowErrors::new(skip_bad_rows);
    let mut collector = Collector::default();
    let n_rows = for_each_row(path, &mut reader, header.len(), &mut errors, |line, record| {
        let field = |i: usize, name: &str, expected: &str| text_field(path, line, name, &record[i], expected);
        let app = id_text(path, line, "app", field(app_i, "app", "a hashed app id")?)?;
        let func = id_text(path, line, "func", field(func_i, "func", "a hashed function id")?)?;
        const SECONDS: &str = "seconds ≥ 0 (a float)";
        let end_s = number(
            path,
            line,
            "end_timestamp",
            field(end_i, "end_timestamp", SECONDS)?,
            SECONDS,
        )?;
        let dur_s = number(path, line, "duration", field(dur_i, "duration", SECONDS)?, SECONDS)?;
        collector.add(invocation_row(path, line, app, func, end_s, dur_s)?);
        Ok(())
    })?;
    finish_parsed(path, "azure2021", n_rows, collector, errors, HINT)
}

/// One row's invocation from its end time and duration in seconds (both checked ≥ 0).
fn invocation_row(
    path: &Path,
    line: u64,
    app: String,
    func: String,
    end_s: f64,
    dur_s: f64,
) -> Result<Row, TraceError> {
    let start_ms = ((end_s - dur_s) * 1000.0).round();
    if start_ms < 0.0 {
        return Err(TraceError::field(
            path,
            line,
            "duration",
            format!(
                "{} s is longer than end_timestamp {} s, so the invocation would start before 0",
                number_text(dur_s),
                number_text(end_s)
            ),
            "a duration ≤ end_timestamp",
        ));
    }
    if start_ms > 1.0e15 || dur_s > 1.0e9 {
        return Err(TraceError::field(
            path,
            line,
            "end_timestamp",
            format!(
                "{} s (duration {} s) is too large",
                number_text(end_s),
                number_text(dur_s)
            ),
            "seconds since the trace start",
        ));
    }
    Ok(Row {
        id: FunctionId {
            owner: String::new(),
            app,
            function: func,
        },
        trigger: None,
        memory_mb: None,
        max_memory_used_mb: None,
        invocation: Invocation {
            start_ms: start_ms as u64,
            duration_us: (dur_s * 1.0e6).round() as u64,
            init_duration_us: None,
            billed_duration_ms: None,
            cold_start: None,
            response_bytes: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path, skip_bad_rows: bool) -> Result<Parsed, TraceError> {
        super::read(&mut Input::open(path, false)?, skip_bad_rows)
    }
    use crate::trace::{Arrivals, DurationInfo, Trigger};
    use std::io::Write;

    fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().write_all(content).unwrap();
        p
    }

    const HEADER: &str = "app,func,end_timestamp,duration\n";

    #[test]
    fn start_is_end_minus_duration_and_rows_are_sorted() {
        let dir = tempfile::tempdir().unwrap();
        // The README sample's quirk: 5241.57 before 5219.52 (unsorted).
        let p = write(
            &dir,
            "t.csv",
            format!(
                "{HEADER}a1,f1,5241.570,0.134\nb2,g2,57.15786004066467,57.154\na1,f1,5219.52,0.013\na1,f2,1.0005,0\n"
            )
            .as_bytes(),
        );
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.sources[0].format, "azure2021");
        assert_eq!(parsed.sources[0].rows, 4);
        assert_eq!(parsed.window_ms, None);
        assert_eq!(parsed.functions.len(), 3);
        let f = &parsed.functions[0];
        assert_eq!(
            f.id,
            FunctionId {
                owner: String::new(),
                app: "a1".into(),
                function: "f1".into()
            }
        );
        assert_eq!(f.trigger, Trigger::Unknown);
        assert_eq!(f.duration, DurationInfo::Samples);
        let Arrivals::Timestamps(v) = &f.arrivals else {
            panic!("timed")
        };
        // (5219.52 − 0.013) s = 5,219,507 ms; (5241.57 − 0.134) s = 5,241,436 ms.
        assert_eq!((v[0].start_ms, v[0].duration_us), (5_219_507, 13_000));
        assert_eq!((v[1].start_ms, v[1].duration_us), (5_241_436, 134_000));
        // 1.0005 s − 0 → 1,000.5 ms rounds to 1,001 (half away from zero), duration 0.
        let f2 = &parsed.functions[1];
        assert_eq!(f2.arrivals.records().unwrap()[0].start_ms, 1_001);
        assert_eq!(f2.arrivals.records().unwrap()[0].duration_us, 0);
        // 57.15786 − 57.154 = 0.00386 s → 4 ms.
        let g = &parsed.functions[2];
        assert_eq!(g.arrivals.records().unwrap()[0].start_ms, 4);
        assert_eq!(g.arrivals.records().unwrap()[0].duration_us, 57_154_000);
    }

    #[test]
    fn bad_rows_are_field_errors() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("a,f,10,-1\n", "line 3, field 'duration': -1 is negative"),
            ("a,f,ten,1\n", "line 3, field 'end_timestamp': 'ten' is not a number"),
            (
                "a,f,1,2\n",
                "line 3, field 'duration': 2 s is longer than end_timestamp 1 s",
            ),
            ("a,f,1\n", "line 3: 3 field(s) where the header has 4"),
            (",f,1,0.5\n", "line 3, field 'app': empty"),
            ("a,f,,0.5\n", "line 3, field 'end_timestamp': empty"),
            ("a,f,-3,0\n", "line 3, field 'end_timestamp': -3 is negative"),
        ];
        for (row, want) in cases {
            let p = write(&dir, "bad.csv", format!("{HEADER}a,f,5,1\n{row}").as_bytes());
            let e = read(&p, false).unwrap_err().to_string();
            assert!(e.contains("bad.csv") && e.contains(want), "{e} (want {want})");
        }
    }

    #[test]
    fn skip_bad_rows_counts_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "t.csv",
            format!("{HEADER}a,f,5,1\na,f,x,1\na,f\na,f,9,1\n").as_bytes(),
        );
        let parsed = read(&p, true).unwrap();
        assert_eq!(parsed.functions[0].arrivals.invocations(), 2);
        assert!(
            parsed.warnings[0].contains("skipped 2 bad row(s)"),
            "{:?}",
            parsed.warnings
        );
    }

    #[test]
    fn empty_binary_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = read(&write(&dir, "e.csv", b"\n\n"), false).unwrap_err().to_string();
        assert!(e.contains("e.csv: the file is empty"), "{e}");
        let e = read(&write(&dir, "h.csv", HEADER.as_bytes()), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no invocation rows"), "{e}");
        let e = read(&write(&dir, "b.csv", &[0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00]), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("binary content"), "{e}");
        let e = read(&write(&dir, "g.csv", b"timestamp,function,duration_ms\n1,f,1\n"), false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("missing column(s) app, func, end_timestamp, duration"),
            "{e}"
        );
        let e = read(
            &write(
                &dir,
                "l.log",
                b"REPORT RequestId: x\tDuration: 1 ms\tMemory Size: 128 MB\n",
            ),
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("missing column(s)"), "{e}");
    }

    #[test]
    fn real_first_rows_sample() {
        let Some(p) = crate::trace::real_sample("azure2021", "first-rows-001-120.csv") else {
            return;
        };
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.sources[0].rows, 120);
        assert_eq!(parsed.functions.len(), 30);
        let apps: std::collections::BTreeSet<&str> = parsed.functions.iter().map(|f| f.id.app.as_str()).collect();
        assert_eq!(apps.len(), 12);
        let total: u64 = parsed.functions.iter().map(|f| f.arrivals.invocations()).sum();
        assert_eq!(total, 120);
        // SOURCE.md: 4 rows with duration 0.000; max duration 405 s; every start ≥ 1 ms.
        let all: Vec<&Invocation> = parsed
            .functions
            .iter()
            .flat_map(|f| f.arrivals.records().unwrap())
            .collect();
        assert_eq!(all.iter().filter(|i| i.duration_us == 0).count(), 4);
        let max_s = all.iter().map(|i| i.duration_us).max().unwrap() as f64 / 1e6;
        assert!((max_s - 405.0).abs() < 1.0, "max duration {max_s} s");
        assert!(all.iter().all(|i| i.start_ms >= 1));
        for f in &parsed.functions {
            let v = f.arrivals.records().unwrap();
            assert!(v.windows(2).all(|w| w[0].start_ms <= w[1].start_ms));
        }
        // The function of app 734272c0… runs up to 16 overlapping executions.
        let busiest = parsed
            .functions
            .iter()
            .filter(|f| f.id.app.starts_with("734272c0") && f.id.function.starts_with("556ccf87"))
            .map(|f| {
                let v = f.arrivals.records().unwrap();
                let mut events: Vec<(u64, i32)> = v
                    .iter()
                    .flat_map(|i| [(i.start_ms * 1000, 1), (i.start_ms * 1000 + i.duration_us, -1)])
                    .collect();
                events.sort_by_key(|&(t, d)| (t, d));
                let (mut cur, mut max) = (0, 0);
                for (_, d) in events {
                    cur += d;
                    max = max.max(cur);
                }
                max
            })
            .next()
            .unwrap();
        assert_eq!(busiest, 16);
    }

    #[test]
    fn real_readme_sample() {
        let Some(p) = crate::trace::real_sample("azure2021", "readme-sample.csv") else {
            return;
        };
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.sources[0].rows, 6);
        let total: u64 = parsed.functions.iter().map(|f| f.arrivals.invocations()).sum();
        assert_eq!(total, 6);
    }
}
