//! Reader for the generic per-invocation CSV (SPEC.md "Trace formats" 4), and the row
//! machinery the per-invocation readers share (Azure 2021, Lambda logs, generic CSV and
//! Parquet): value checks that name file, line and field, timestamp parsing, and the
//! `Collector` that groups invocation rows into functions.
//!
//! Columns (header-driven, any order, case-insensitive): `timestamp` — the invocation's
//! start, RFC 3339 (or `YYYY-MM-DD HH:MM:SS[.fff]`, read as UTC) or a number of epoch
//! seconds or milliseconds (a value ≥ 1e11 is milliseconds, else seconds; fractions allowed;
//! rounded to the nearest ms) — `function` and `duration_ms` (float) are required; `app`,
//! `owner`, `trigger`, `memory_mb`, `max_memory_used_mb`, `init_duration_ms`, `cold_start`
//! (true/false/1/0) and `response_bytes` are optional and may be empty in a row.
//! Rows are streamed with the `csv` crate (`ByteRecord`, our own length check).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use super::{
    Arrivals, DurationInfo, FunctionId, FunctionTrace, Input, Invocation, MemoryInfo, Parsed, RowErrors, SourceFile,
    TraceError, Trigger,
};
use crate::units::ms_f64_to_us;

/// The columns a generic trace must have.
pub(super) const REQUIRED_COLUMNS: [&str; 3] = ["timestamp", "function", "duration_ms"];
/// The columns a generic trace may have.
pub(super) const OPTIONAL_COLUMNS: [&str; 8] = [
    "app",
    "owner",
    "trigger",
    "memory_mb",
    "max_memory_used_mb",
    "init_duration_ms",
    "cold_start",
    "response_bytes",
];

/// A numeric value ≥ this is epoch milliseconds, below it epoch seconds (1e11 s is in
/// the year 5138, 1e11 ms in 1973).
const EPOCH_MS_THRESHOLD: f64 = 1e11;

/// Bytes examined for binary content before a text reader starts.
const SNIFF_BYTES: usize = 8 * 1024;

const TIMESTAMP_EXPECTED: &str = "an RFC 3339 time (2024-01-31T12:00:00.250Z) or epoch seconds/ms ≥ 0";

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// Refuses an empty or binary file before a text reader starts on it (from its head): empty,
/// a NUL byte, or a first line that is not UTF-8.
pub(super) fn refuse_empty_or_binary(input: &Input, hint: &str) -> Result<(), TraceError> {
    let path = input.path();
    let head = &input.head()[..input.head().len().min(SNIFF_BYTES)];
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(TraceError::file(path, "the file is empty", hint));
    }
    let line_of = |pos: usize| head[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
    if let Some(pos) = head.iter().position(|&b| b == 0) {
        return Err(TraceError::file(
            path,
            format!(
                "binary content (NUL byte) on line {} (byte {pos}), not text",
                line_of(pos)
            ),
            hint,
        ));
    }
    // Line 1 (a CSV header, a log line) must be text; later lines are checked field by field.
    let first_line = &head[..head.iter().position(|&b| b == b'\n').unwrap_or(head.len())];
    if let Err(e) = std::str::from_utf8(first_line) {
        // A multi-byte character cut at the sniff boundary is still text.
        if e.error_len().is_some() {
            let pos = e.valid_up_to();
            return Err(TraceError::file(
                path,
                format!("binary content (not UTF-8 text) on line {} (byte {pos})", line_of(pos)),
                hint,
            ));
        }
    }
    Ok(())
}

/// Opens a CSV reader on the rest of `input` that reports rows of any length (lengths are
/// checked per row).
pub(super) fn csv_reader(input: &mut Input) -> csv::Reader<&mut Input> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(input)
}

/// The header's column names, trimmed, without a byte-order mark.
pub(super) fn csv_headers<R: Read>(path: &Path, reader: &mut csv::Reader<R>) -> Result<Vec<String>, TraceError> {
    let h = reader.byte_headers().map_err(|e| csv_error(path, e))?;
    let mut out = Vec::with_capacity(h.len());
    for (i, c) in h.iter().enumerate() {
        let s = std::str::from_utf8(c).map_err(|_| {
            TraceError::field(
                path,
                h.position().map_or(1, |p| p.line()),
                &format!("column {}", i + 1),
                "the header is not UTF-8 text",
                "column names in UTF-8 (the file may be binary or damaged; re-export it as CSV)",
            )
        })?;
        out.push(s.trim().trim_start_matches('\u{feff}').trim_matches('"').to_string());
    }
    Ok(out)
}

/// A `csv` crate error as a trace error with the line it happened on.
pub(super) fn csv_error(path: &Path, e: csv::Error) -> TraceError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => TraceError::io(path, io),
        csv::ErrorKind::Utf8 { err, .. } => TraceError::field(
            path,
            line,
            &format!("field {}", err.field() + 1),
            "not UTF-8 text",
            "UTF-8 text (the file may be binary or damaged; re-export it as CSV)",
        ),
        _ => TraceError::row(path, line, message, "fix the row or pass --skip-bad-rows"),
    }
}

/// Reads every data row of `reader`: checks its field count against the header and hands
/// `(line, record)` to `row`. A failing row goes through `errors` (fatal, or skipped and
/// counted under `--skip-bad-rows`). Returns the number of data rows met, bad ones included.
pub(super) fn for_each_row<R: Read>(
    path: &Path,
    reader: &mut csv::Reader<R>,
    header_len: usize,
    errors: &mut RowErrors,
    mut row: impl FnMut(u64, &csv::ByteRecord) -> Result<(), TraceError>,
) -> Result<u64, TraceError> {
    let mut record = csv::ByteRecord::new();
    let mut n_rows = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(n_rows),
            Ok(true) => {}
            Err(e) => {
                n_rows += 1;
                errors.handle(csv_error(path, e))?;
                continue;
            }
        }
        n_rows += 1;
        let line = record.position().map(|p| p.line()).unwrap_or(n_rows + 1);
        if let Err(e) = check_len(path, line, record.len(), header_len).and_then(|()| row(line, &record)) {
            errors.handle(e)?;
        }
    }
}

/// Checks a record has as many fields as the header.
pub(super) fn check_len(path: &Path, line: u64, got: usize, want: usize) -> Result<(), TraceError> {
    if got != want {
        return Err(TraceError::row(
            path,
            line,
            format!("{got} field(s) where the header has {want}"),
            "the row may be truncated or have stray commas; fix it or pass --skip-bad-rows",
        ));
    }
    Ok(())
}

/// When a header read as comma-separated is one column holding `;`, tab or `|`: a note that
/// the file uses another delimiter (else empty).
pub(super) fn delimiter_note(header: &[String]) -> String {
    let [only] = header else {
        return String::new();
    };
    match [';', '\t', '|'].into_iter().find(|d| only.contains(*d)) {
        Some(d) => format!(
            "; its columns are separated by {}, not commas: re-export it as comma-separated CSV",
            if d == '\t' {
                "tabs".to_string()
            } else {
                format!("'{d}'")
            }
        ),
        None => String::new(),
    }
}

/// The position of column `name` in `header` (case-insensitive).
pub(super) fn column(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h.eq_ignore_ascii_case(name))
}

/// At most 40 characters of `s`, for quoting bad input in a message.
pub(super) fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// A field's bytes as trimmed UTF-8 text.
pub(super) fn text_field<'a>(
    path: &Path,
    line: u64,
    field: &str,
    bytes: &'a [u8],
    expected: &str,
) -> Result<&'a str, TraceError> {
    std::str::from_utf8(bytes)
        .map(str::trim)
        .map_err(|_| TraceError::field(path, line, field, "not UTF-8 text", expected))
}

/// A non-empty id or name.
pub(super) fn id_text(path: &Path, line: u64, field: &str, s: &str) -> Result<String, TraceError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(TraceError::field(path, line, field, "empty", "a non-empty name or id"));
    }
    Ok(s.to_string())
}

/// Parses a finite number ≥ 0.
pub(super) fn number(path: &Path, line: u64, field: &str, s: &str, expected: &str) -> Result<f64, TraceError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(TraceError::field(path, line, field, "empty", expected));
    }
    let v: f64 = s
        .parse()
        .map_err(|_| TraceError::field(path, line, field, format!("'{}' is not a number", shorten(s)), expected))?;
    non_negative(path, line, field, v, expected)
}

/// Checks a number is finite and ≥ 0.
pub(super) fn non_negative(path: &Path, line: u64, field: &str, v: f64, expected: &str) -> Result<f64, TraceError> {
    if !v.is_finite() {
        return Err(TraceError::field(
            path,
            line,
            field,
            format!("{v} is not finite"),
            expected,
        ));
    }
    if v < 0.0 {
        return Err(TraceError::field(
            path,
            line,
            field,
            format!("{} is negative", number_text(v)),
            expected,
        ));
    }
    Ok(v)
}

/// A duration in ms (float) to whole µs, rounded to nearest.
pub(super) fn duration_us(path: &Path, line: u64, field: &str, duration_ms: f64) -> Result<u64, TraceError> {
    let v = non_negative(path, line, field, duration_ms, "a duration in ms ≥ 0")?;
    ms_f64_to_us(v).ok_or_else(|| {
        TraceError::field(
            path,
            line,
            field,
            format!("{} ms is too large", number_text(v)),
            "a duration in ms below 10^12",
        )
    })
}

/// A memory size in MB, rounded to the nearest MB.
pub(super) fn memory_mb(path: &Path, line: u64, field: &str, v: f64) -> Result<u32, TraceError> {
    const EXPECTED: &str = "a memory size in MB ≥ 0";
    let v = non_negative(path, line, field, v, EXPECTED)?.round();
    if v > u32::MAX as f64 {
        return Err(TraceError::field(
            path,
            line,
            field,
            format!("{} MB is too large", number_text(v)),
            EXPECTED,
        ));
    }
    Ok(v as u32)
}

/// A whole non-negative number (a byte count).
pub(super) fn whole(path: &Path, line: u64, field: &str, v: f64, expected: &str) -> Result<u64, TraceError> {
    let v = non_negative(path, line, field, v, expected)?;
    if v.fract() != 0.0 || v > 9.0e15 {
        return Err(TraceError::field(
            path,
            line,
            field,
            format!("{} is not a whole number below 9·10^15", number_text(v)),
            expected,
        ));
    }
    Ok(v as u64)
}

/// Parses `true/false/1/0/yes/no` (case-insensitive).
pub(super) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "t" | "y" => Some(true),
        "false" | "0" | "no" | "f" | "n" => Some(false),
        _ => None,
    }
}

/// 2100-01-01T00:00:00Z in epoch ms: a later trace time is a unit or clock mix-up.
const LATEST_EPOCH_MS: u64 = 4_102_444_800_000;

/// A number as quoted in a message: plain when short, in scientific notation when huge.
pub(super) fn number_text(v: f64) -> String {
    if v.abs() < 1.0e15 {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

/// A time after 2100 as a problem, else the time.
fn not_after_2100(ms: u64, shown: &str) -> Result<u64, String> {
    if ms > LATEST_EPOCH_MS {
        return Err(format!("{shown} is after the year 2100 (a clock mix-up?)"));
    }
    Ok(ms)
}

/// Epoch seconds or milliseconds (≥ 1e11 means ms) to epoch ms, rounded to nearest; a time
/// after 2100 is refused.
pub(super) fn epoch_number_to_ms(v: f64) -> Result<u64, String> {
    if !v.is_finite() {
        return Err(format!("{v} is not finite"));
    }
    if v < 0.0 {
        return Err(format!("{} is before 1970 (negative)", number_text(v)));
    }
    let ms = if v >= EPOCH_MS_THRESHOLD { v } else { v * 1000.0 };
    if ms > LATEST_EPOCH_MS as f64 {
        return Err(format!(
            "{} is after the year 2100 (epoch microseconds or nanoseconds, or a clock mix-up?)",
            number_text(v)
        ));
    }
    Ok(ms.round() as u64)
}

/// Parses a timestamp to epoch ms: a number (epoch seconds, or ms when ≥ 1e11), RFC 3339,
/// or `YYYY-MM-DD[T ]HH:MM:SS[.fff]` without an offset (read as UTC, as CloudWatch Logs
/// Insights exports it). Returns the problem when it is none of these.
pub(super) fn parse_timestamp_ms(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty".into());
    }
    if let Ok(v) = s.parse::<f64>() {
        return epoch_number_to_ms(v);
    }
    let ms = if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        t.timestamp_millis()
    } else {
        let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok());
        match naive {
            Some(t) => t.and_utc().timestamp_millis(),
            None => return Err(format!("'{}' is not a time", shorten(s))),
        }
    };
    let ms = u64::try_from(ms).map_err(|_| format!("'{}' is before 1970", shorten(s)))?;
    not_after_2100(ms, &format!("'{}'", shorten(s)))
}

// ---------------------------------------------------------------------------------------
// Collector: invocation rows → functions
// ---------------------------------------------------------------------------------------

/// One invocation row with the function attributes it carries.
#[derive(Debug, Clone)]
pub(super) struct Row {
    /// The function it belongs to.
    pub id: FunctionId,
    /// Trigger, when the row names one.
    pub trigger: Option<Trigger>,
    /// Configured memory, when the row gives it.
    pub memory_mb: Option<u32>,
    /// Memory used, when the row gives it.
    pub max_memory_used_mb: Option<u32>,
    /// The invocation.
    pub invocation: Invocation,
}

#[derive(Debug, Default)]
struct Acc {
    trigger: Option<Trigger>,
    other_triggers: BTreeSet<&'static str>,
    configured_mb: Option<u32>,
    memory_sizes: BTreeSet<u32>,
    max_used_mb: Option<u32>,
    invocations: Vec<Invocation>,
}

/// Groups invocation rows into functions, noting changes of trigger or memory size.
#[derive(Debug, Default)]
pub(super) struct Collector {
    functions: BTreeMap<FunctionId, Acc>,
    rows: u64,
}

impl Collector {
    /// Adds one row.
    pub(super) fn add(&mut self, row: Row) {
        self.rows += 1;
        let acc = self.functions.entry(row.id).or_default();
        if let Some(t) = row.trigger.filter(|t| *t != Trigger::Unknown) {
            match acc.trigger {
                None => acc.trigger = Some(t),
                Some(first) if first != t => {
                    acc.other_triggers.insert(t.name());
                }
                Some(_) => {}
            }
        }
        if let Some(m) = row.memory_mb {
            acc.configured_mb.get_or_insert(m);
            acc.memory_sizes.insert(m);
        }
        if let Some(u) = row.max_memory_used_mb {
            acc.max_used_mb = Some(acc.max_used_mb.map_or(u, |a| a.max(u)));
        }
        acc.invocations.push(row.invocation);
    }

    /// Invocation rows added.
    pub(super) fn rows(&self) -> u64 {
        self.rows
    }

    /// The functions (sorted by id) and warnings about changing attributes. With `timed`
    /// the invocations become sorted `Arrivals::Timestamps`, else `Arrivals::Untimed` in
    /// file order.
    pub(super) fn finish(self, path: &Path, timed: bool) -> (Vec<FunctionTrace>, Vec<String>) {
        let mut warnings = Vec::new();
        let mut functions = Vec::with_capacity(self.functions.len());
        for (id, mut acc) in self.functions {
            let name = display_id(&id);
            if let Some(first) = acc.trigger.filter(|_| !acc.other_triggers.is_empty()) {
                warnings.push(format!(
                    "{}: function {name} has rows with other triggers ({}); kept the first, {}",
                    path.display(),
                    acc.other_triggers.iter().copied().collect::<Vec<_>>().join(", "),
                    first.name()
                ));
            }
            if acc.memory_sizes.len() > 1 {
                let sizes: Vec<String> = acc.memory_sizes.iter().map(|m| m.to_string()).collect();
                warnings.push(format!(
                    "{}: function {name} changes memory size ({} MB); its configured memory is the first, {} MB — \
                     split the trace per size to price each",
                    path.display(),
                    sizes.join(", "),
                    acc.configured_mb.unwrap_or(0)
                ));
            }
            let arrivals = if timed {
                acc.invocations.sort();
                Arrivals::Timestamps(acc.invocations)
            } else {
                Arrivals::Untimed(acc.invocations)
            };
            functions.push(FunctionTrace {
                id,
                trigger: acc.trigger.unwrap_or(Trigger::Unknown),
                arrivals,
                duration: DurationInfo::Samples,
                memory: MemoryInfo {
                    configured_mb: acc.configured_mb,
                    max_used_mb: acc.max_used_mb,
                    allocated: None,
                },
            });
        }
        (functions, warnings)
    }
}

/// A short human name for a function id in messages.
fn display_id(id: &FunctionId) -> String {
    let short = |s: &str| s.chars().take(12).collect::<String>();
    if id.app == id.function && id.owner.is_empty() {
        format!("'{}'", shorten(&id.function))
    } else {
        format!("'{}' of app '{}'", short(&id.function), short(&id.app))
    }
}

// ---------------------------------------------------------------------------------------
// Generic rows (CSV and Parquet)
// ---------------------------------------------------------------------------------------

/// One cell of a generic trace, as the file typed it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Cell<'a> {
    /// Text (every CSV cell; Parquet strings).
    Text(&'a str),
    /// A number (Parquet numeric columns).
    Number(f64),
    /// A boolean (Parquet boolean columns).
    Bool(bool),
    /// A time already in epoch ms (Parquet Datetime/Date columns).
    EpochMs(i64),
}

/// Where each generic column is, by index into the source's columns.
#[derive(Debug, Clone, Copy)]
pub(super) struct GenericColumns {
    timestamp: usize,
    function: usize,
    duration_ms: usize,
    app: Option<usize>,
    owner: Option<usize>,
    trigger: Option<usize>,
    memory_mb: Option<usize>,
    max_memory_used_mb: Option<usize>,
    init_duration_ms: Option<usize>,
    cold_start: Option<usize>,
    response_bytes: Option<usize>,
}

impl GenericColumns {
    /// Finds the columns in `header`; a missing required column is a file error listing them.
    pub(super) fn find(path: &Path, header: &[String]) -> Result<Self, TraceError> {
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .iter()
            .copied()
            .filter(|c| column(header, c).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(TraceError::file(
                path,
                format!(
                    "missing required column(s) {} (found: {}){}",
                    missing.join(", "),
                    shorten(&header.join(",")),
                    delimiter_note(header)
                ),
                format!(
                    "a generic trace needs the columns {} (optional: {})",
                    REQUIRED_COLUMNS.join(", "),
                    OPTIONAL_COLUMNS.join(", ")
                ),
            ));
        }
        let c = |n: &str| column(header, n);
        Ok(GenericColumns {
            timestamp: c("timestamp").unwrap_or(0),
            function: c("function").unwrap_or(0),
            duration_ms: c("duration_ms").unwrap_or(0),
            app: c("app"),
            owner: c("owner"),
            trigger: c("trigger"),
            memory_mb: c("memory_mb"),
            max_memory_used_mb: c("max_memory_used_mb"),
            init_duration_ms: c("init_duration_ms"),
            cold_start: c("cold_start"),
            response_bytes: c("response_bytes"),
        })
    }
}

fn cell_text(path: &Path, line: u64, field: &str, cell: Cell<'_>) -> Result<String, TraceError> {
    match cell {
        Cell::Text(s) => id_text(path, line, field, s),
        Cell::Number(v) => Ok(v.to_string()),
        Cell::Bool(b) => Ok(b.to_string()),
        Cell::EpochMs(v) => Ok(v.to_string()),
    }
}

fn cell_number(path: &Path, line: u64, field: &str, cell: Cell<'_>, expected: &str) -> Result<f64, TraceError> {
    match cell {
        Cell::Text(s) => number(path, line, field, s, expected),
        Cell::Number(v) => non_negative(path, line, field, v, expected),
        Cell::Bool(_) | Cell::EpochMs(_) => Err(TraceError::field(
            path,
            line,
            field,
            "holds a boolean or a time, not a number",
            expected,
        )),
    }
}

fn cell_timestamp_ms(path: &Path, line: u64, cell: Cell<'_>) -> Result<u64, TraceError> {
    let r = match cell {
        Cell::Text(s) => parse_timestamp_ms(s),
        Cell::Number(v) => epoch_number_to_ms(v),
        Cell::EpochMs(v) => u64::try_from(v)
            .map_err(|_| format!("{v} ms is before 1970"))
            .and_then(|ms| not_after_2100(ms, &format!("{ms} ms"))),
        Cell::Bool(_) => Err("a boolean is not a time".into()),
    };
    r.map_err(|problem| TraceError::field(path, line, "timestamp", problem, TIMESTAMP_EXPECTED))
}

fn cell_bool(path: &Path, line: u64, field: &str, cell: Cell<'_>) -> Result<bool, TraceError> {
    const EXPECTED: &str = "true, false, 1 or 0";
    match cell {
        Cell::Bool(b) => Ok(b),
        Cell::Text(s) => parse_bool(s).ok_or_else(|| {
            TraceError::field(
                path,
                line,
                field,
                format!("'{}' is not a boolean", shorten(s)),
                EXPECTED,
            )
        }),
        Cell::Number(v) if v == 0.0 || v == 1.0 => Ok(v == 1.0),
        Cell::Number(v) => Err(TraceError::field(
            path,
            line,
            field,
            format!("{v} is not 0 or 1"),
            EXPECTED,
        )),
        Cell::EpochMs(_) => Err(TraceError::field(path, line, field, "holds a time", EXPECTED)),
    }
}

/// Builds one generic row; `cell(i)` gives column `i`'s cell, `None` when null or empty.
pub(super) fn generic_row<'a>(
    path: &Path,
    line: u64,
    cols: &GenericColumns,
    cell: impl Fn(usize) -> Option<Cell<'a>>,
) -> Result<Row, TraceError> {
    let required = |i: usize, name: &str, expected: &str| {
        cell(i).ok_or_else(|| TraceError::field(path, line, name, "empty", expected))
    };
    let optional = |i: Option<usize>| i.and_then(&cell);
    let start_ms = cell_timestamp_ms(path, line, required(cols.timestamp, "timestamp", TIMESTAMP_EXPECTED)?)?;
    let function = cell_text(
        path,
        line,
        "function",
        required(cols.function, "function", "a function name")?,
    )?;
    let d_ms = cell_number(
        path,
        line,
        "duration_ms",
        required(cols.duration_ms, "duration_ms", "a duration in ms ≥ 0")?,
        "a duration in ms ≥ 0",
    )?;
    let duration = duration_us(path, line, "duration_ms", d_ms)?;
    let app = match optional(cols.app) {
        Some(c) => cell_text(path, line, "app", c)?,
        None => function.clone(),
    };
    let owner = match optional(cols.owner) {
        Some(c) => cell_text(path, line, "owner", c)?,
        None => String::new(),
    };
    let trigger = match optional(cols.trigger) {
        Some(c) => {
            let t = cell_text(path, line, "trigger", c)?;
            Some(Trigger::parse(&t).ok_or_else(|| {
                TraceError::field(
                    path,
                    line,
                    "trigger",
                    format!("unknown trigger '{}'", shorten(&t)),
                    "http, timer, event, queue, storage, orchestration, others or unknown",
                )
            })?)
        }
        None => None,
    };
    let mb = |i: Option<usize>, name: &str| -> Result<Option<u32>, TraceError> {
        match optional(i) {
            Some(c) => Ok(Some(memory_mb(
                path,
                line,
                name,
                cell_number(path, line, name, c, "a memory size in MB ≥ 0")?,
            )?)),
            None => Ok(None),
        }
    };
    let memory = mb(cols.memory_mb, "memory_mb")?;
    let max_used = mb(cols.max_memory_used_mb, "max_memory_used_mb")?;
    let init_duration_us = match optional(cols.init_duration_ms) {
        Some(c) => {
            let v = cell_number(path, line, "init_duration_ms", c, "a duration in ms ≥ 0")?;
            Some(duration_us(path, line, "init_duration_ms", v)?)
        }
        None => None,
    };
    let cold_start = match optional(cols.cold_start) {
        Some(c) => Some(cell_bool(path, line, "cold_start", c)?),
        None => None,
    };
    if cold_start == Some(false) && init_duration_us.is_some_and(|i| i > 0) {
        return Err(TraceError::field(
            path,
            line,
            "cold_start",
            "false, but init_duration_ms is given",
            "true when the row has an init duration (or leave init_duration_ms empty)",
        ));
    }
    let response_bytes = match optional(cols.response_bytes) {
        Some(c) => {
            const EXPECTED: &str = "a whole number of bytes ≥ 0";
            let v = cell_number(path, line, "response_bytes", c, EXPECTED)?;
            Some(whole(path, line, "response_bytes", v, EXPECTED)?)
        }
        None => None,
    };
    Ok(Row {
        id: FunctionId { owner, app, function },
        trigger,
        memory_mb: memory,
        max_memory_used_mb: max_used,
        invocation: Invocation {
            start_ms,
            duration_us: duration,
            init_duration_us,
            billed_duration_ms: None,
            cold_start,
            response_bytes,
        },
    })
}

/// The hint shown when a generic trace is empty or unreadable.
pub(super) const GENERIC_HINT: &str = "a generic trace is a CSV or Parquet file with columns timestamp, function, \
     duration_ms (optional: app, owner, trigger, memory_mb, max_memory_used_mb, init_duration_ms, cold_start, \
     response_bytes)";

/// Reads a generic per-invocation CSV file.
pub(super) fn read(input: &mut Input, skip_bad_rows: bool) -> Result<Parsed, TraceError> {
    refuse_empty_or_binary(input, GENERIC_HINT)?;
    let path = &input.path().to_path_buf();
    let mut reader = csv_reader(input);
    let header = csv_headers(path, &mut reader)?;
    let cols = GenericColumns::find(path, &header)?;
    let mut errors = RowErrors::new(skip_bad_rows);
    let mut collector = Collector::default();
    let n_rows = for_each_row(path, &mut reader, header.len(), &mut errors, |line, record| {
        for (i, bytes) in record.iter().enumerate() {
            text_field(path, line, &header[i], bytes, "UTF-8 text")?;
        }
        let row = generic_row(path, line, &cols, |i| {
            let s = std::str::from_utf8(record.get(i)?).ok()?.trim();
            (!s.is_empty()).then_some(Cell::Text(s))
        })?;
        collector.add(row);
        Ok(())
    })?;
    finish_parsed(path, "csv", n_rows, collector, errors, GENERIC_HINT)
}

/// Turns a collector into a `Parsed` (timed), refusing a file with no usable rows.
pub(super) fn finish_parsed(
    path: &Path,
    format: &str,
    n_rows: u64,
    collector: Collector,
    errors: RowErrors,
    hint: &str,
) -> Result<Parsed, TraceError> {
    if collector.rows() == 0 {
        let problem = if errors.skipped() > 0 {
            format!("all {} row(s) were bad and skipped", errors.skipped())
        } else {
            "no invocation rows after the header".to_string()
        };
        return Err(TraceError::file(path, problem, hint));
    }
    let (functions, mut warnings) = collector.finish(path, true);
    warnings.splice(0..0, errors.into_warnings(path));
    Ok(Parsed {
        functions,
        window_ms: None,
        sources: vec![SourceFile {
            path: path.display().to_string(),
            format: format.to_string(),
            rows: n_rows,
        }],
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path, skip_bad_rows: bool) -> Result<Parsed, TraceError> {
        super::read(&mut Input::open(path, false)?, skip_bad_rows)
    }
    use std::io::Write;

    fn write(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().write_all(content).unwrap();
        p
    }

    fn err(path: &Path, skip: bool) -> String {
        read(path, skip).unwrap_err().to_string()
    }

    #[test]
    fn timestamps_in_every_form() {
        // RFC 3339 with Z and with an offset; naive (UTC); epoch s and ms.
        assert_eq!(parse_timestamp_ms("2019-06-19T12:45:35.624Z"), Ok(1_560_948_335_624));
        assert_eq!(
            parse_timestamp_ms("2019-06-19T14:45:35.624+02:00"),
            Ok(1_560_948_335_624)
        );
        assert_eq!(parse_timestamp_ms("2019-06-19 12:45:35.624"), Ok(1_560_948_335_624));
        assert_eq!(parse_timestamp_ms("2019-06-19 12:45:35.624Z"), Ok(1_560_948_335_624));
        assert_eq!(
            parse_timestamp_ms("2019-06-19T12:45:35.624123+00:00"),
            Ok(1_560_948_335_624)
        );
        assert_eq!(parse_timestamp_ms("2019-06-19T12:45:35"), Ok(1_560_948_335_000));
        assert_eq!(parse_timestamp_ms("1560948335.624"), Ok(1_560_948_335_624));
        assert_eq!(parse_timestamp_ms("1560948335624"), Ok(1_560_948_335_624));
        assert_eq!(parse_timestamp_ms("0"), Ok(0));
        // 99,999,999,999 is below the threshold: seconds (×1000), in the year 5138, so refused;
        // the last second of 2099 is read as seconds.
        assert!(parse_timestamp_ms("99999999999")
            .unwrap_err()
            .contains("after the year 2100"));
        assert_eq!(parse_timestamp_ms("4102444799"), Ok(4_102_444_799_000));
        // Epoch microseconds are past 2100 read as ms; so is a date written in 9999.
        assert!(parse_timestamp_ms("1709251200000000")
            .unwrap_err()
            .contains("microseconds"));
        assert!(parse_timestamp_ms("9999-12-31T23:59:59Z")
            .unwrap_err()
            .contains("after the year 2100"));
        // 1e11 exactly is ms.
        assert_eq!(parse_timestamp_ms("100000000000"), Ok(100_000_000_000));
        assert!(parse_timestamp_ms("-5").unwrap_err().contains("negative"));
        assert!(parse_timestamp_ms("yesterday").unwrap_err().contains("not a time"));
        assert!(parse_timestamp_ms("1969-12-31T23:59:59Z").unwrap_err().contains("1970"));
        assert!(parse_timestamp_ms("").is_err());
    }

    #[test]
    fn reads_rows_with_all_columns() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "t.csv",
            b"timestamp,function,duration_ms,app,owner,trigger,memory_mb,max_memory_used_mb,init_duration_ms,cold_start,response_bytes\n\
              2024-01-31T00:00:01.500Z,resize,12.3456,img,acme,http,512,80,250.5,true,2048\n\
              1706659200,resize,7,img,acme,http,512,95,,false,\n\
              1706659202250,thumb,0.0004,,,queue,,,,,\n",
        );
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.sources[0].rows, 3);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(parsed.functions.len(), 2);
        // Sorted by id: owner "" (thumb) before "acme" (resize).
        let resize = &parsed.functions[1];
        assert_eq!(
            resize.id,
            FunctionId {
                owner: "acme".into(),
                app: "img".into(),
                function: "resize".into()
            }
        );
        assert_eq!(resize.trigger, Trigger::Http);
        assert_eq!(resize.memory.configured_mb, Some(512));
        assert_eq!(resize.memory.max_used_mb, Some(95));
        let Arrivals::Timestamps(v) = &resize.arrivals else {
            panic!("timed")
        };
        // 1706659200 s = 2024-01-31T00:00:00Z, sorted before the 00:00:01.5 row.
        assert_eq!(v[0].start_ms, 1_706_659_200_000);
        assert_eq!(v[0].duration_us, 7_000);
        assert_eq!(v[0].cold_start, Some(false));
        assert_eq!(v[0].init_duration_us, None);
        assert_eq!(v[1].start_ms, 1_706_659_201_500);
        assert_eq!(v[1].duration_us, 12_346); // 12.3456 ms → 12,345.6 µs → 12,346
        assert_eq!(v[1].init_duration_us, Some(250_500));
        assert_eq!(v[1].cold_start, Some(true));
        assert_eq!(v[1].response_bytes, Some(2048));
        let thumb = &parsed.functions[0];
        assert_eq!(thumb.id, FunctionId::standalone("thumb"));
        assert_eq!(thumb.trigger, Trigger::Queue);
        assert_eq!(thumb.arrivals.records().unwrap()[0].start_ms, 1_706_659_202_250);
        assert_eq!(thumb.arrivals.records().unwrap()[0].duration_us, 0); // 0.4 µs rounds to 0
        assert_eq!(thumb.duration, DurationInfo::Samples);
    }

    #[test]
    fn warns_when_memory_or_trigger_changes() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "t.csv",
            b"function,timestamp,duration_ms,memory_mb,trigger\nf,1,1,128,http\nf,2,1,256,timer\nf,3,1,128,\n",
        );
        let parsed = read(&p, false).unwrap();
        let f = &parsed.functions[0];
        assert_eq!(f.memory.configured_mb, Some(128));
        assert_eq!(f.trigger, Trigger::Http);
        assert_eq!(parsed.warnings.len(), 2, "{:?}", parsed.warnings);
        assert!(parsed.warnings.iter().any(|w| w.contains("128, 256 MB")));
        assert!(parsed.warnings.iter().any(|w| w.contains("timer")));
    }

    #[test]
    fn missing_column_lists_required_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "t.csv", b"timestamp,function\n1,f\n");
        let e = err(&p, false);
        assert!(
            e.contains("t.csv") && e.contains("missing required column(s) duration_ms"),
            "{e}"
        );
        assert!(e.contains("timestamp, function, duration_ms"), "{e}");
    }

    #[test]
    fn bad_values_name_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&[u8], &str); 9] = [
            (b"1,f,abc\n", "line 3, field 'duration_ms': 'abc' is not a number"),
            (b"1,f,-2.5\n", "line 3, field 'duration_ms': -2.5 is negative"),
            (b"soon,f,1\n", "line 3, field 'timestamp': 'soon' is not a time"),
            (b"1,,1\n", "line 3, field 'function': empty"),
            (b"1,f\n", "line 3: 2 field(s) where the header has 3"),
            (b"1,f,1,extra\n", "line 3: 4 field(s) where the header has 3"),
            (b"-1,f,1\n", "line 3, field 'timestamp'"),
            (b"1,f,NaN\n", "field 'duration_ms': NaN is not finite"),
            (b"1,f,inf\n", "field 'duration_ms': inf is not finite"),
        ];
        for (row, want) in cases {
            let mut content = b"timestamp,function,duration_ms\n0,ok,1\n".to_vec();
            content.extend_from_slice(row);
            let p = write(&dir, "bad.csv", &content);
            let e = err(&p, false);
            assert!(e.contains("bad.csv") && e.contains(want), "{e} (want {want})");
        }
        let p = write(
            &dir,
            "opt.csv",
            b"timestamp,function,duration_ms,cold_start,response_bytes,trigger,memory_mb\n\
              1,f,1,maybe,,,\n",
        );
        assert!(err(&p, false).contains("field 'cold_start': 'maybe' is not a boolean"));
        let p = write(
            &dir,
            "opt.csv",
            b"timestamp,function,duration_ms,response_bytes\n1,f,1,12.5\n",
        );
        assert!(err(&p, false).contains("field 'response_bytes': 12.5 is not a whole number"));
        let p = write(&dir, "opt.csv", b"timestamp,function,duration_ms,trigger\n1,f,1,cron\n");
        assert!(err(&p, false).contains("field 'trigger': unknown trigger 'cron'"));
        let p = write(
            &dir,
            "opt.csv",
            b"timestamp,function,duration_ms,memory_mb\n1,f,1,-128\n",
        );
        assert!(err(&p, false).contains("field 'memory_mb': -128 is negative"));
        let p = write(
            &dir,
            "opt.csv",
            b"timestamp,function,duration_ms,init_duration_ms,cold_start\n1,f,1,100,false\n",
        );
        assert!(err(&p, false).contains("field 'cold_start': false, but init_duration_ms"));
    }

    #[test]
    fn skip_bad_rows_counts_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "t.csv",
            b"timestamp,function,duration_ms\n1,f,1\n2,f,x\n3,f\n4,f,4\n5,,1\n",
        );
        assert!(err(&p, false).contains("line 3, field 'duration_ms'"));
        let parsed = read(&p, true).unwrap();
        assert_eq!(parsed.functions[0].arrivals.invocations(), 2);
        assert_eq!(parsed.sources[0].rows, 5);
        assert!(
            parsed.warnings[0].contains("skipped 3 bad row(s)"),
            "{:?}",
            parsed.warnings
        );
        assert!(parsed.warnings[1].contains("line 3"), "{:?}", parsed.warnings);
        // All rows bad: a file error even when skipping.
        let p = write(&dir, "allbad.csv", b"timestamp,function,duration_ms\n1,f,x\n");
        assert!(err(&p, true).contains("all 1 row(s) were bad"));
    }

    #[test]
    fn empty_binary_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, "e.csv", b"");
        assert!(err(&p, false).contains("the file is empty"));
        let p = write(&dir, "h.csv", b"timestamp,function,duration_ms\n");
        assert!(err(&p, false).contains("no invocation rows after the header"));
        let p = write(&dir, "b.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe");
        assert!(err(&p, false).contains("binary content"));
        let p = write(&dir, "b2.csv", b"\xff\xfe\xfd,\xfa\n");
        assert!(err(&p, false).contains("binary content"));
        // An Azure 2021 file forced as csv.
        let p = write(&dir, "az.csv", b"app,func,end_timestamp,duration\na,f,1.5,0.5\n");
        let e = err(&p, false);
        assert!(
            e.contains("missing required column(s) timestamp, function, duration_ms"),
            "{e}"
        );
        // A Lambda log forced as csv.
        let p = write(
            &dir,
            "l.csv",
            b"REPORT RequestId: x\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\n",
        );
        assert!(err(&p, false).contains("missing required column(s)"));
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let inputs: [&[u8]; 6] = [
            b"timestamp,function,duration_ms\n\"unterminated,f,1\n",
            b"timestamp,function,duration_ms\n1,\xc3\xa9\xe2\x82,1\n",
            b"timestamp,function,duration_ms\n,,\n",
            b"timestamp,function,duration_ms\n1e400,f,1\n",
            b"timestamp,function,duration_ms\n1,f,1e400\n",
            "timestamp,function,duration_ms\n1,λ-ünïcode-😀-name-that-is-very-long-indeed-more-than-forty,1\n"
                .as_bytes(),
        ];
        for input in inputs {
            let p = write(&dir, "odd.csv", input);
            let _ = read(&p, false);
            let _ = read(&p, true);
        }
    }
}
