//! Trace ingestion: one reader per input format turns files into one normalized
//! [`Workload`] holding what the files say and nothing invented.
//!
//! Formats (see `../shared/reference/trace-formats.md` and SPEC.md): the Azure Functions
//! 2019 dataset (per-minute counts + duration and memory percentiles), the Azure 2021
//! invocation trace, AWS Lambda CloudWatch Logs (REPORT lines, text or JSON), and a generic
//! per-invocation CSV or Parquet file. The format is detected from each file's first bytes
//! and header, or forced with `--trace-format`. Each input is read once, start to end
//! (`input.rs`): detection looks at its buffered head, and its SHA-256 is taken on the way.
//!
//! Crate choice: the CSV formats are read with the `csv` crate, streaming record by
//! record, so an Azure 2019 day (tens of thousands of rows × 1,444 columns) becomes compact
//! per-function count vectors without a dense cell-by-cell copy (a polars DataFrame of it
//! holds every cell, and unpivoting it to long form is the costly step measured in
//! build-notes.md). Polars reads the Parquet variant of the generic format, where its
//! columnar reader is the right tool; DataFrames stop at this module's boundary.

mod azure2019;
mod azure2021;
mod dense_counts;
mod detect;
mod error;
mod generic;
mod input;
mod lambda_logs;
mod parquet;
mod parquet_footer;
mod poisson;
mod sparse_counts;
mod workload;

pub use dense_counts::{DenseCounts, DenseIter};
pub use detect::{detect_format, TraceFormat};
pub use error::{RowErrors, TraceError};
pub use input::{Digest, Input, CSV_LINE_LIMIT, HEAD_BYTES, LOG_LINE_LIMIT};
pub use poisson::{PoissonDraws, PoissonProcess};
pub use sparse_counts::{SparseCounts, SparseIter};
pub use workload::*;

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::units::MS_PER_MINUTE;

/// How to read traces.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Force this format instead of detecting it.
    pub format: Option<TraceFormat>,
    /// Skip bad rows with a counted warning instead of failing.
    pub skip_bad_rows: bool,
}

/// What one reader made of one file (or of one Azure 2019 day's files).
#[derive(Debug, Default)]
pub struct Parsed {
    /// Functions found.
    pub functions: Vec<FunctionTrace>,
    /// Observed window `[start, end)` in ms, when the file defines one (per-minute columns);
    /// `None` to derive it from the invocation timestamps.
    pub window_ms: Option<(u64, u64)>,
    /// Files read.
    pub sources: Vec<SourceFile>,
    /// Non-fatal problems.
    pub warnings: Vec<String>,
}

/// A real sample under `../shared/datasets/real/DIR/NAME`, or `None` with a printed notice
/// when this machine does not have it (tests only).
#[cfg(test)]
pub(crate) fn real_sample(dir: &str, name: &str) -> Option<PathBuf> {
    let p = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/datasets/real"))
        .join(dir)
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        println!("skipping: real sample {} is absent", p.display());
        None
    }
}

/// A window longer than this (days) is almost surely a clock mix-up, and is warned about.
const LONGEST_PLAUSIBLE_DAYS: f64 = 400.0;

/// File name endings read when a directory is given.
const TRACE_EXTENSIONS: [&str; 6] = ["csv", "parquet", "log", "txt", "jsonl", "json"];

/// Expands directories into their trace files (sorted, not recursive, hidden files skipped).
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TraceError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| TraceError::io(path, e))?;
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                    !name.starts_with('.') && TRACE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
                })
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(TraceError::file(
                    path,
                    "the directory holds no trace files",
                    format!("put .{} files in it or name the files", TRACE_EXTENSIONS.join(", .")),
                ));
            }
            out.extend(files);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// One input as it was read: path, format, size and SHA-256 (taken in the reading pass).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    /// Path as given (or found in a given directory).
    pub path: PathBuf,
    /// Format it was read as.
    pub format: TraceFormat,
    /// Bytes read.
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
}

/// Reads every trace file (directories are expanded) into one workload.
pub fn read_workload(paths: &[PathBuf], options: &ReadOptions) -> Result<Workload, TraceError> {
    read_all(paths, options, false).map(|(workload, _)| workload)
}

/// Reads every trace file (directories are expanded) into one workload, each file once, and
/// lists the files read in the order given, with the size and SHA-256 of each.
pub fn read_workload_files(paths: &[PathBuf], options: &ReadOptions) -> Result<(Workload, Vec<ReadFile>), TraceError> {
    let (workload, read) = read_all(paths, options, true)?;
    let files = read
        .into_iter()
        .map(|(path, format, digest)| ReadFile {
            path,
            format,
            bytes: digest.bytes,
            sha256: digest.sha256.unwrap_or_default(),
        })
        .collect();
    Ok((workload, files))
}

/// One file read: its path, format and digest.
type FileRead = (PathBuf, TraceFormat, Digest);

/// Reads the traces, each once (hashing them when `hash`): the workload, and each file's path,
/// format and digest in the order given.
fn read_all(paths: &[PathBuf], options: &ReadOptions, hash: bool) -> Result<(Workload, Vec<FileRead>), TraceError> {
    let files = expand_paths(paths)?;
    let mut azure2019_inputs = Vec::new();
    let mut parsed = Vec::new();
    let mut read: Vec<(PathBuf, TraceFormat, Option<Digest>)> = Vec::with_capacity(files.len());
    // Lambda request ids seen across every log input: one invocation exported twice counts once.
    let mut request_ids = std::collections::HashSet::new();
    for path in &files {
        let mut input = Input::open(path, hash)?;
        let format = match options.format {
            Some(f) => f,
            None => detect_format(path, input.head())?,
        };
        let one = match format {
            TraceFormat::Azure2019 => {
                azure2019_inputs.push(input);
                read.push((path.clone(), format, None));
                continue;
            }
            TraceFormat::Azure2021 => azure2021::read(&mut input, options.skip_bad_rows)?,
            TraceFormat::LambdaLogs => lambda_logs::read_with(&mut input, options.skip_bad_rows, &mut request_ids)?,
            // `csv` also covers Parquet files, told apart by their magic number.
            TraceFormat::Csv if parquet::is_parquet(&input) => parquet::read(&mut input, options.skip_bad_rows)?,
            TraceFormat::Csv => generic::read(&mut input, options.skip_bad_rows)?,
        };
        parsed.push(one);
        read.push((path.clone(), format, Some(input.finish()?)));
    }
    if !azure2019_inputs.is_empty() {
        parsed.push(azure2019::read(&mut azure2019_inputs, options.skip_bad_rows)?);
    }
    let mut azure2019_digests = Vec::with_capacity(azure2019_inputs.len());
    for input in azure2019_inputs {
        azure2019_digests.push(input.finish()?);
    }
    // The Azure 2019 files were read together after the others, in the order they were met.
    let mut azure2019_digests = azure2019_digests.into_iter();
    let read_files = read
        .into_iter()
        .filter_map(|(path, format, digest)| Some((path, format, digest.or_else(|| azure2019_digests.next())?)))
        .collect();
    Ok((merge(parsed)?, read_files))
}

/// Merges the parsed files: functions with equal ids are combined, and the window covers all.
fn merge(parsed: Vec<Parsed>) -> Result<Workload, TraceError> {
    let mut by_id: BTreeMap<FunctionId, FunctionTrace> = BTreeMap::new();
    // One file set whose functions come in strictly increasing id order (an Azure 2019
    // read) is taken as it is: there is nothing to combine.
    let mut in_order: Option<Vec<FunctionTrace>> = None;
    let single = parsed.len() == 1;
    let mut sources = Vec::new();
    let mut warnings = Vec::new();
    let mut window: Option<(u64, u64)> = None;
    let mut widen = |w: (u64, u64)| {
        window = Some(match window {
            None => w,
            Some((s, e)) => (s.min(w.0), e.max(w.1)),
        });
    };
    for p in parsed {
        // Named when a minute's counts overflow (only Azure 2019 files have per-minute counts,
        // and they are read together: their own reading meets any overflow first).
        let last_path = p.sources.last().map(|s| s.path.clone()).unwrap_or_default();
        sources.extend(p.sources);
        warnings.extend(p.warnings);
        let explicit = p.window_ms;
        if let Some(w) = explicit {
            widen(w);
        }
        if explicit.is_none() {
            for f in &p.functions {
                if let Some(w) = timestamp_window(&f.arrivals) {
                    widen(w);
                }
            }
        }
        if single && p.functions.is_sorted_by(|a, b| a.id < b.id) {
            in_order = Some(p.functions);
            continue;
        }
        for mut f in p.functions {
            // The map owns the id (moved, not cloned); the trace takes it back below.
            match by_id.entry(std::mem::take(&mut f.id)) {
                std::collections::btree_map::Entry::Occupied(existing) => {
                    let into = existing.into_mut();
                    merge_function(into, f).map_err(|o| minute_overflow(Path::new(&last_path), &into.id, o))?;
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(f);
                }
            }
        }
    }
    let mut functions =
        in_order.unwrap_or_else(|| by_id.into_iter().map(|(id, f)| FunctionTrace { id, ..f }).collect());
    // Kept for the whole replay: without the room the merges grew.
    functions.par_iter_mut().for_each(|f| f.arrivals.shrink_to_fit());
    let (start, end) = window.unwrap_or((0, MS_PER_MINUTE));
    let span_days = (end - start) as f64 / crate::units::MS_PER_DAY as f64;
    if span_days > LONGEST_PLAUSIBLE_DAYS {
        warnings.push(format!(
            "the traces span {span_days:.0} days: files on different clocks (Azure 2021 counts seconds from the \
             trace start, logs use epoch time) or a bad timestamp (e.g. 0); rates and monthly costs are averaged \
             over that whole span — check the timestamps"
        ));
    }
    Ok(Workload {
        functions,
        window_start_ms: start,
        window_end_ms: end,
        sources,
        warnings,
    })
}

/// The error of a minute of `id` whose counts, added from several rows or files (the last in
/// `path`), a per-minute count cannot hold.
pub(crate) fn minute_overflow(path: &Path, id: &FunctionId, o: MinuteOverflow) -> TraceError {
    TraceError::file(
        path,
        format!(
            "function '{}' of app '{}': minute {} (day {}, column {}) adds up to {} invocations across the rows \
             and files that list it, more than a per-minute count holds (4,294,967,295)",
            id.function,
            id.app,
            o.minute,
            o.minute / 1440 + 1,
            o.minute % 1440 + 1,
            crate::cost::breakdown_thousands(u128::from(o.invocations))
        ),
        "check for rows or files given twice (the same day read twice adds its counts again); a function this \
         busy can be split into several functions",
    )
}

/// The whole minutes that hold a function's timestamped invocations (start to end).
fn timestamp_window(arrivals: &Arrivals) -> Option<(u64, u64)> {
    let Arrivals::Timestamps(v) = arrivals else {
        return None;
    };
    let first = v.iter().map(|i| i.start_ms).min()?;
    let last_end = v
        .iter()
        .map(|i| i.start_ms + crate::units::us_to_ms_ceil(i.duration_us))
        .max()?;
    let start = first / MS_PER_MINUTE * MS_PER_MINUTE;
    let end = (last_end.div_ceil(MS_PER_MINUTE) * MS_PER_MINUTE).max(start + MS_PER_MINUTE);
    Some((start, end))
}

/// Combines a second appearance of a function (another file or day) into the first; fails
/// where their per-minute counts add up beyond what a count holds.
fn merge_function(into: &mut FunctionTrace, other: FunctionTrace) -> Result<(), MinuteOverflow> {
    if into.trigger == Trigger::Unknown {
        into.trigger = other.trigger;
    }
    let arrivals = std::mem::replace(&mut into.arrivals, Arrivals::Untimed(Vec::new()));
    into.arrivals = merge_arrivals(arrivals, other.arrivals)?;
    into.duration = match (
        std::mem::replace(&mut into.duration, DurationInfo::Unknown),
        other.duration,
    ) {
        (DurationInfo::Percentiles(a), DurationInfo::Percentiles(b)) => {
            DurationInfo::Percentiles(azure2019::combine_percentiles(&a, &b))
        }
        (DurationInfo::Unknown, d) | (d, DurationInfo::Unknown) => d,
        (DurationInfo::Samples, _) | (_, DurationInfo::Samples) => DurationInfo::Samples,
    };
    let m = other.memory;
    into.memory.configured_mb = into.memory.configured_mb.or(m.configured_mb);
    into.memory.max_used_mb = match (into.memory.max_used_mb, m.max_used_mb) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    into.memory.allocated = into.memory.allocated.or(m.allocated);
    Ok(())
}

/// The arrivals of two appearances of one function, combined.
fn merge_arrivals(a: Arrivals, b: Arrivals) -> Result<Arrivals, MinuteOverflow> {
    Ok(match (a, b) {
        // A Poisson process combines as the timestamps it draws.
        (Arrivals::Poisson(p), b) => merge_arrivals(p.to_timestamps(), b)?,
        (a, Arrivals::Poisson(p)) => merge_arrivals(a, p.to_timestamps())?,
        (Arrivals::Timestamps(mut a), Arrivals::Timestamps(b)) => {
            a.extend(b);
            a.sort();
            Arrivals::Timestamps(a)
        }
        (Arrivals::PerMinute(mut a), Arrivals::PerMinute(b)) => {
            a.merge(&b)?;
            Arrivals::PerMinute(a)
        }
        (Arrivals::Untimed(mut a), Arrivals::Untimed(b) | Arrivals::Timestamps(b))
        | (Arrivals::Timestamps(mut a), Arrivals::Untimed(b)) => {
            a.extend(b);
            Arrivals::Untimed(a)
        }
        // Per-minute counts and per-invocation records of one function do not mix:
        // keep the richer per-invocation records.
        (Arrivals::PerMinute(_), records) | (records, Arrivals::PerMinute(_)) => records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `function`'s calls at `(minute, count)`, held with room for 64 more minutes.
    fn traced(function: &str, busy: &[(u32, u32)]) -> FunctionTrace {
        let mut counts = DenseCounts::Byte(Vec::with_capacity(busy.len() + 64));
        let first = busy[0].0;
        for &(m, c) in busy {
            counts.push_after_zeros((m - first) as usize - counts.len(), c);
        }
        FunctionTrace {
            id: FunctionId {
                owner: "o".into(),
                app: "a".into(),
                function: function.into(),
            },
            trigger: Trigger::Http,
            arrivals: Arrivals::PerMinute(MinuteCounts::Dense {
                first_minute: first,
                counts,
            }),
            duration: DurationInfo::Unknown,
            memory: MemoryInfo::default(),
        }
    }

    fn parsed(functions: Vec<FunctionTrace>) -> Parsed {
        Parsed {
            functions,
            window_ms: Some((0, 2 * crate::units::MS_PER_DAY)),
            ..Parsed::default()
        }
    }

    /// A function's name, busy minutes, and whether its counts keep room.
    type Held = (String, Vec<(u32, u32)>, bool);

    /// What each function holds.
    fn held(w: &Workload) -> Vec<Held> {
        w.functions
            .iter()
            .map(|f| {
                let Arrivals::PerMinute(c) = &f.arrivals else { panic!() };
                let (capacity, len) = c.capacity_and_len();
                (f.id.function.clone(), c.nonzero().collect(), capacity > len)
            })
            .collect()
    }

    #[test]
    fn one_set_in_id_order_is_taken_as_it_is_and_others_are_combined() {
        // In strict id order (an Azure 2019 read): the same functions, their room released.
        let w = merge(vec![parsed(vec![
            traced("a", &[(0, 1), (2, 3)]),
            traced("b", &[(5, 2)]),
        ])])
        .unwrap();
        assert_eq!(
            held(&w),
            [
                ("a".to_string(), vec![(0, 1), (2, 3)], false),
                ("b".to_string(), vec![(5, 2)], false)
            ]
        );
        assert_eq!((w.window_start_ms, w.window_end_ms), (0, 2 * crate::units::MS_PER_DAY));
        // Out of order, with a function listed twice: combined and sorted.
        let w = merge(vec![parsed(vec![
            traced("b", &[(5, 2)]),
            traced("a", &[(0, 1)]),
            traced("a", &[(0, 4), (1440, 6)]),
        ])])
        .unwrap();
        assert_eq!(
            held(&w),
            [
                ("a".to_string(), vec![(0, 5), (1440, 6)], false),
                ("b".to_string(), vec![(5, 2)], false)
            ]
        );
        // Two sets, each in order: combined.
        let w = merge(vec![
            parsed(vec![traced("a", &[(0, 1)])]),
            parsed(vec![traced("a", &[(1, 1)])]),
        ])
        .unwrap();
        assert_eq!(held(&w), [("a".to_string(), vec![(0, 1), (1, 1)], false)]);
    }
}
