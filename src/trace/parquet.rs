//! Reader for the generic per-invocation trace stored as Parquet (SPEC.md "Trace formats" 4):
//! the same columns as the generic CSV (`generic.rs`), read with polars' `ParquetReader`.
//!
//! `timestamp` may be an integer or float column (epoch seconds, or ms when ≥ 1e11), a
//! Datetime column (any unit and time zone; sub-ms parts are floored) or a string column
//! (RFC 3339). Numeric columns may be any integer or float type, `cold_start` a boolean,
//! number or string column, the id columns strings (numbers are printed). Each row is
//! checked exactly like a CSV row; errors name the 1-based data row as the "line" (a Parquet
//! file has no header line). The DataFrame stays inside this module: rows leave it as
//! `Invocation` records.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::{Column, DataFrame, DataType, ParquetReader, SerReader, TimeUnit};

use super::detect::PARQUET_MAGIC;
use super::generic::{finish_parsed, generic_row, Cell, Collector, GenericColumns, GENERIC_HINT};
use super::{Input, Parsed, RowErrors, TraceError};

/// Whether the input starts with the Parquet magic number.
pub(super) fn is_parquet(input: &Input) -> bool {
    input.head().starts_with(PARQUET_MAGIC)
}

/// One column's values, converted out of polars.
#[derive(Debug)]
enum Data {
    Text(Vec<Option<String>>),
    Number(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    EpochMs(Vec<Option<i64>>),
}

impl Data {
    fn cell(&self, row: usize) -> Option<Cell<'_>> {
        match self {
            Data::Text(v) => v
                .get(row)?
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Cell::Text),
            Data::Number(v) => v.get(row).copied().flatten().map(Cell::Number),
            Data::Bool(v) => v.get(row).copied().flatten().map(Cell::Bool),
            Data::EpochMs(v) => v.get(row).copied().flatten().map(Cell::EpochMs),
        }
    }
}

fn polars_error(path: &Path, e: polars::prelude::PolarsError) -> TraceError {
    TraceError::file(
        path,
        format!("not a readable Parquet file: {e}"),
        "re-export it, or give a CSV trace",
    )
}

/// Converts one polars column to plain values.
fn column_data(path: &Path, name: &str, col: &Column) -> Result<Data, TraceError> {
    let err = |e| polars_error(path, e);
    let dtype = col.dtype().clone();
    Ok(match dtype {
        DataType::String => Data::Text(col.str().map_err(err)?.iter().map(|o| o.map(str::to_string)).collect()),
        DataType::Boolean => Data::Bool(col.bool().map_err(err)?.iter().collect()),
        DataType::Datetime(unit, _) => {
            let per_ms: i64 = match unit {
                TimeUnit::Nanoseconds => 1_000_000,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Milliseconds => 1,
            };
            let physical = col.cast(&DataType::Int64).map_err(err)?;
            let values = physical.i64().map_err(err)?;
            Data::EpochMs(values.iter().map(|o| o.map(|v| v.div_euclid(per_ms))).collect())
        }
        dt if dt.is_primitive_numeric() => {
            let floats = col.cast(&DataType::Float64).map_err(err)?;
            Data::Number(floats.f64().map_err(err)?.iter().collect())
        }
        other => {
            return Err(TraceError::file(
                path,
                format!("column '{name}' has type {other}, which cannot be read as a trace field"),
                "store it as a string, number, boolean or (timestamp) Datetime column",
            ))
        }
    })
}

/// Reads the file with polars. polars-parquet panics on some malformed footers (fuzzing found
/// a Thrift field of the wrong type; `parquet_footer` now refuses those, but does not model
/// every struct, e.g. logical types): such a panic is caught and reported as an unreadable
/// file. The panic hook is silenced meanwhile, so no panic message reaches the user.
fn read_frame(path: &Path, bytes: Vec<u8>) -> Result<DataFrame, TraceError> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ParquetReader::new(Cursor::new(bytes)).finish()
    }));
    std::panic::set_hook(hook);
    match result {
        Ok(read) => read.map_err(|e| polars_error(path, e)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "malformed".to_string());
            Err(TraceError::file(
                path,
                format!("not a readable Parquet file: its metadata is malformed ({what})"),
                "the file is damaged or was not written by a Parquet writer; re-export it, or give a CSV trace",
            ))
        }
    }
}

/// Reads a generic per-invocation Parquet file.
pub(super) fn read(input: &mut Input, skip_bad_rows: bool) -> Result<Parsed, TraceError> {
    let path = &input.path().to_path_buf();
    input.set_line_limit(None);
    let bytes = input.read_rest()?;
    super::parquet_footer::check(&bytes).map_err(|problem| {
        TraceError::file(
            path,
            format!("not a readable Parquet file: {problem}"),
            "the file is truncated, damaged or not Parquet; re-export it, or give a CSV trace",
        )
    })?;
    let df = read_frame(path, bytes)?;
    let header: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
    let cols = GenericColumns::find(path, &header)?;
    // Convert only the columns the trace uses; others stay unread.
    let mut data: Vec<Option<Data>> = Vec::with_capacity(header.len());
    for name in &header {
        let used = super::generic::REQUIRED_COLUMNS
            .iter()
            .chain(super::generic::OPTIONAL_COLUMNS.iter())
            .any(|c| c.eq_ignore_ascii_case(name));
        data.push(if used {
            let col = df.column(name).map_err(|e| polars_error(path, e))?;
            Some(column_data(path, name, col)?)
        } else {
            None
        });
    }
    let height = df.height();
    drop(df);
    let mut errors = RowErrors::new(skip_bad_rows);
    let mut collector = Collector::default();
    for row in 0..height {
        let line = row as u64 + 1;
        let r = generic_row(path, line, &cols, |i| data.get(i)?.as_ref()?.cell(row));
        match r {
            Ok(r) => collector.add(r),
            Err(e) => errors.handle(e)?,
        }
    }
    finish_parsed(path, "parquet", height as u64, collector, errors, GENERIC_HINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path, skip_bad_rows: bool) -> Result<Parsed, TraceError> {
        super::read(&mut Input::open(path, false)?, skip_bad_rows)
    }
    use crate::trace::{Arrivals, FunctionId, Trigger};
    use polars::prelude::{NamedFrom, ParquetWriter, Series};

    fn write_parquet(dir: &tempfile::TempDir, name: &str, columns: Vec<Column>) -> std::path::PathBuf {
        let mut df = DataFrame::new_infer_height(columns).unwrap();
        let p = dir.path().join(name);
        let f = std::fs::File::create(&p).unwrap();
        ParquetWriter::new(f).finish(&mut df).unwrap();
        p
    }

    macro_rules! col {
        ($name:expr, $values:expr) => {
            Column::from(Series::new($name.into(), $values))
        };
    }

    #[test]
    fn reads_typed_columns() {
        let dir = tempfile::tempdir().unwrap();
        // Datetime in µs: 2024-01-31T00:00:00.250999Z → 1706659200250 ms (floored).
        let ts = Series::new("timestamp".into(), &[1_706_659_200_250_999i64, 1_706_659_200_000_000])
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .unwrap();
        let p = write_parquet(
            &dir,
            "t.parquet",
            vec![
                Column::from(ts),
                col!("function", &["f", "g"][..]),
                col!("duration_ms", &[12.5f64, 3.0][..]),
                col!("memory_mb", &[256i32, 128][..]),
                Column::from(Series::new("init_duration_ms".into(), &[Some(100.25f64), None])),
                col!("cold_start", &[true, false][..]),
                Column::from(Series::new("response_bytes".into(), &[Some(1024u64), None])),
                col!("trigger", &["http", "queue"][..]),
                col!("ignored", &[1i64, 2][..]),
            ],
        );
        assert!(is_parquet(&Input::open(&p, false).unwrap()));
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.sources[0].format, "parquet");
        assert_eq!(parsed.sources[0].rows, 2);
        let f = &parsed.functions[0];
        assert_eq!(f.id, FunctionId::standalone("f"));
        assert_eq!(f.trigger, Trigger::Http);
        assert_eq!(f.memory.configured_mb, Some(256));
        let Arrivals::Timestamps(v) = &f.arrivals else {
            panic!("timed")
        };
        assert_eq!(v[0].start_ms, 1_706_659_200_250);
        assert_eq!(v[0].duration_us, 12_500);
        assert_eq!(v[0].init_duration_us, Some(100_250));
        assert_eq!(v[0].cold_start, Some(true));
        assert_eq!(v[0].response_bytes, Some(1024));
        let g = parsed.functions[1].arrivals.records().unwrap()[0];
        assert_eq!(
            (g.start_ms, g.init_duration_us, g.response_bytes),
            (1_706_659_200_000, None, None)
        );
        assert_eq!(g.cold_start, Some(false));
    }

    #[test]
    fn integer_and_string_timestamps() {
        let dir = tempfile::tempdir().unwrap();
        // Epoch seconds and ms in one Int64 column; the ≥ 1e11 rule decides each value.
        let p = write_parquet(
            &dir,
            "i.parquet",
            vec![
                col!("timestamp", &[1_706_659_200i64, 1_706_659_200_500][..]),
                col!("function", &["f", "f"][..]),
                col!("duration_ms", &[1i64, 2][..]),
            ],
        );
        let parsed = read(&p, false).unwrap();
        let v = parsed.functions[0].arrivals.records().unwrap();
        assert_eq!((v[0].start_ms, v[1].start_ms), (1_706_659_200_000, 1_706_659_200_500));
        assert_eq!((v[0].duration_us, v[1].duration_us), (1_000, 2_000));
        let p = write_parquet(
            &dir,
            "s.parquet",
            vec![
                col!("timestamp", &["2024-01-31T00:00:00.5+01:00"][..]),
                col!("function", &["f"][..]),
                col!("duration_ms", &[1.0f64][..]),
            ],
        );
        let parsed = read(&p, false).unwrap();
        assert_eq!(
            parsed.functions[0].arrivals.records().unwrap()[0].start_ms,
            1_706_659_200_500 - 3_600_000
        );
    }

    #[test]
    fn bad_values_and_skip() {
        let dir = tempfile::tempdir().unwrap();
        let p = write_parquet(
            &dir,
            "b.parquet",
            vec![
                col!("timestamp", &[1i64, 2, 3][..]),
                Column::from(Series::new("function".into(), &[Some("f"), None, Some("f")])),
                col!("duration_ms", &[1.0f64, 2.0, -3.0][..]),
            ],
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("b.parquet: line 2, field 'function': empty"), "{e}");
        let parsed = read(&p, true).unwrap();
        assert_eq!(parsed.functions[0].arrivals.invocations(), 1);
        assert!(
            parsed.warnings[0].contains("skipped 2 bad row(s)"),
            "{:?}",
            parsed.warnings
        );
        assert!(parsed
            .warnings
            .iter()
            .any(|w| w.contains("line 3, field 'duration_ms': -3 is negative")));
        // A non-numeric string duration.
        let p = write_parquet(
            &dir,
            "s.parquet",
            vec![
                col!("timestamp", &[1i64][..]),
                col!("function", &["f"][..]),
                col!("duration_ms", &["slow"][..]),
            ],
        );
        assert!(read(&p, false)
            .unwrap_err()
            .to_string()
            .contains("field 'duration_ms': 'slow' is not a number"));
    }

    #[test]
    fn missing_column_empty_and_damaged_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = write_parquet(
            &dir,
            "m.parquet",
            vec![col!("timestamp", &[1i64][..]), col!("function", &["f"][..])],
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("missing required column(s) duration_ms"), "{e}");
        let p = write_parquet(
            &dir,
            "e.parquet",
            vec![
                col!("timestamp", &[0i64; 0][..]),
                col!("function", &[""; 0][..]),
                col!("duration_ms", &[0f64; 0][..]),
            ],
        );
        assert!(read(&p, false).unwrap_err().to_string().contains("no invocation rows"));
        // The magic number followed by garbage.
        let p = dir.path().join("d.parquet");
        std::fs::write(&p, b"PAR1\x00\x01garbage-not-parquet").unwrap();
        assert!(is_parquet(&Input::open(&p, false).unwrap()));
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("d.parquet: not a readable Parquet file"), "{e}");
    }
}
