//! Reader for AWS Lambda CloudWatch Logs: each invocation ends with a `REPORT` line
//! (AWS Lambda Developer Guide, "Lambda function logging"; `../shared/reference/trace-formats.md`).
//!
//! `REPORT RequestId: <id> Duration: X ms Billed Duration: Y ms Memory Size: M MB Max Memory
//! Used: U MB [Init Duration: I ms]` is parsed by its field names, so tabs, runs of spaces,
//! single spaces, a space before a tab and trailing separators all work. Other lines
//! (START, END, XRAY, the function's own output) are ignored; `Task timed out` lines and
//! `Status: timeout` are counted in a warning. Inputs, told apart by the first non-blank line:
//! (a) raw log text; (b) the same with a timestamp (ISO 8601 or epoch ms) before `REPORT`;
//! (c) CloudWatch event JSON lines `{"timestamp", "message", …}` or one
//! `aws logs filter-log-events` document `{"events": […]}` (or a JSON array of events);
//! (d) the JSON log format's `{"time", "type": "platform.report", "record": {"metrics": …}}`
//! events, as lines or inside an event's message; (e) a CloudWatch Logs Insights CSV
//! export with `@timestamp,@message` columns.
//!
//! The event time is when the REPORT was written, i.e. the end of the invocation, so the
//! request arrived at `start_ms = timestamp − ceil(Duration) − ceil(Init Duration)`: a cold
//! request waited for its init before it ran, and replaying it from its arrival lets the
//! simulator decide afresh whether it is cold.
//! With every REPORT timed the function gets `Arrivals::Timestamps`, else `Untimed`.
//! A log export does not name its function: the function is the file stem. Line numbers in
//! errors are the file's lines (for a JSON document, the line where it starts; the problem
//! names the event's index).

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Map, Value};

use super::generic::{
    check_len, csv_error, duration_us, epoch_number_to_ms, memory_mb, non_negative, number, parse_timestamp_ms,
    refuse_empty_or_binary, shorten, Collector, Row,
};
use super::{FunctionId, Input, Invocation, Parsed, RowErrors, SourceFile, TraceError, LOG_LINE_LIMIT};
use crate::units::us_to_ms_ceil;

const HINT: &str = "a Lambda log holds 'REPORT RequestId: … Duration: … ms … Memory Size: … MB' lines \
     (raw, CloudWatch JSON events, filter-log-events or Logs Insights exports, or platform.report \
     JSON events); force another format with --trace-format";

const MS: &str = "a duration in ms ≥ 0";
const MB: &str = "a memory size in MB ≥ 0";

/// The fields of one REPORT (text or JSON), still unchecked for units.
#[derive(Debug, Clone, PartialEq)]
struct Report {
    duration_ms: f64,
    billed_duration_ms: Option<f64>,
    memory_size_mb: f64,
    max_memory_used_mb: Option<f64>,
    init_duration_ms: Option<f64>,
    timed_out: bool,
    /// The request's id, when the record carries one (deduplication across inputs).
    request_id: Option<String>,
}

/// The field names of a text REPORT line (longest first, so `Billed Duration:` is not read
/// as `Duration:`).
const KEYS: [&[&str]; 10] = [
    &["Billed", "Restore", "Duration:"],
    &["Max", "Memory", "Used:"],
    &["Billed", "Duration:"],
    &["Memory", "Size:"],
    &["Init", "Duration:"],
    &["Restore", "Duration:"],
    &["Error", "Type:"],
    &["RequestId:"],
    &["Duration:"],
    &["Status:"],
];

/// The factor that turns a value in `unit` into ms (for `MS` fields) or MB (for `MB` fields);
/// no unit means the one Lambda writes. `None` for a unit Lambda and its extensions never emit.
fn unit_scale(expected: &str, unit: Option<&str>) -> Option<f64> {
    let u = unit.map(|u| u.trim_end_matches(',').to_ascii_lowercase());
    Some(match (expected == MB, u.as_deref()) {
        (_, None) => 1.0,
        (false, Some("ms")) => 1.0,
        (false, Some("s" | "sec")) => 1_000.0,
        (false, Some("us" | "µs" | "μs")) => 0.001,
        (true, Some("mb" | "mib")) => 1.0,
        (true, Some("gb" | "gib")) => 1_024.0,
        (true, Some("kb" | "kib")) => 1.0 / 1_024.0,
        _ => return None,
    })
}

/// Parses the text of a REPORT line (from `REPORT` on) by its field names.
fn parse_report_text(path: &Path, line: u64, text: &str) -> Result<Report, TraceError> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    // (key name, value token) pairs, first occurrence wins.
    // (key name, value token, unit token) triples, first occurrence wins.
    let mut found: Vec<(String, &str, Option<&str>)> = Vec::new();
    let starts_key = |t: &str| KEYS.iter().any(|k| k[0] == t);
    let mut i = 1; // tokens[0] is "REPORT"
    while i < tokens.len() {
        let key = KEYS
            .iter()
            .find(|k| tokens.get(i..i + k.len()).is_some_and(|t| t == **k));
        match key {
            Some(k) => {
                let name = k.join(" ").trim_end_matches(':').to_string();
                let value = tokens.get(i + k.len()).copied();
                let unit = tokens.get(i + k.len() + 1).copied().filter(|t| !starts_key(t));
                if let Some(v) = value {
                    if !found.iter().any(|(n, ..)| *n == name) {
                        found.push((name, v, unit));
                    }
                }
                i += k.len() + 1 + usize::from(unit.is_some());
            }
            None => i += 1,
        }
    }
    let get = |name: &str| found.iter().find(|(n, ..)| n == name).map(|(_, v, u)| (*v, *u));
    let read = |name: &str, expected: &str, (v, unit): (&str, Option<&str>)| -> Result<f64, TraceError> {
        let x = number(path, line, name, v, expected)?;
        let scale = unit_scale(expected, unit).ok_or_else(|| {
            let (problem, units) = if expected == MB {
                ("MB, GB or KB", "MB")
            } else {
                ("ms, s or us", "ms")
            };
            TraceError::field(
                path,
                line,
                name,
                format!("unit '{}' is not one of {problem}", shorten(unit.unwrap_or_default())),
                &format!("'{name}: <number> {units}' as Lambda writes it"),
            )
        })?;
        non_negative(path, line, name, x * scale, expected)
    };
    let required = |name: &str, expected: &str| -> Result<f64, TraceError> {
        let found = get(name).ok_or_else(|| {
            TraceError::field(
                path,
                line,
                name,
                "missing from the REPORT line (truncated?)",
                &format!("'{name}: <number> {}'", if expected == MB { "MB" } else { "ms" }),
            )
        })?;
        read(name, expected, found)
    };
    let optional = |name: &str, expected: &str| -> Result<Option<f64>, TraceError> {
        get(name).map(|found| read(name, expected, found)).transpose()
    };
    Ok(Report {
        duration_ms: required("Duration", MS)?,
        billed_duration_ms: optional("Billed Duration", MS)?,
        memory_size_mb: required("Memory Size", MB)?,
        max_memory_used_mb: optional("Max Memory Used", MB)?,
        init_duration_ms: optional("Init Duration", MS)?,
        timed_out: get("Status").is_some_and(|(s, _)| s.eq_ignore_ascii_case("timeout")),
        request_id: get("RequestId").map(|(v, _)| v.to_string()),
    })
}

/// A JSON number, or a string holding one.
fn json_number(
    path: &Path,
    line: u64,
    field: &str,
    v: Option<&Value>,
    expected: &str,
) -> Result<Option<f64>, TraceError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) => super::generic::non_negative(path, line, field, x, expected).map(Some),
            None => Err(TraceError::field(path, line, field, "not a number", expected)),
        },
        Some(Value::String(s)) => number(path, line, field, s, expected).map(Some),
        Some(other) => Err(TraceError::field(
            path,
            line,
            field,
            format!("'{}' is not a number", shorten(&other.to_string())),
            expected,
        )),
    }
}

/// Parses a JSON log format `platform.report` event.
fn parse_platform_report(path: &Path, line: u64, event: &Map<String, Value>) -> Result<Report, TraceError> {
    let record = event.get("record");
    let metrics = record.and_then(|r| r.get("metrics"));
    let metric = |name: &str| metrics.and_then(|m| m.get(name));
    let required = |name: &str, expected: &str| -> Result<f64, TraceError> {
        json_number(path, line, name, metric(name), expected)?.ok_or_else(|| {
            TraceError::field(
                path,
                line,
                name,
                "missing from record.metrics",
                &format!("a number ({expected})"),
            )
        })
    };
    let status = record.and_then(|r| r.get("status")).and_then(Value::as_str);
    Ok(Report {
        duration_ms: required("durationMs", MS)?,
        billed_duration_ms: json_number(path, line, "billedDurationMs", metric("billedDurationMs"), MS)?,
        memory_size_mb: required("memorySizeMB", MB)?,
        max_memory_used_mb: json_number(path, line, "maxMemoryUsedMB", metric("maxMemoryUsedMB"), MB)?,
        init_duration_ms: json_number(path, line, "initDurationMs", metric("initDurationMs"), MS)?,
        timed_out: status.is_some_and(|s| s.eq_ignore_ascii_case("timeout")),
        request_id: record
            .and_then(|r| r.get("requestId"))
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// An event's epoch-ms timestamp (`timestamp` or `@timestamp`: a number or a string).
fn event_timestamp(path: &Path, line: u64, event: &Map<String, Value>) -> Result<Option<u64>, TraceError> {
    let (name, v) = match (event.get("timestamp"), event.get("@timestamp")) {
        (Some(v), _) => ("timestamp", v),
        (None, Some(v)) => ("@timestamp", v),
        (None, None) => return Ok(None),
    };
    let r = match v {
        Value::Number(n) => n.as_f64().map_or(Err("not a number".to_string()), epoch_number_to_ms),
        Value::String(s) => parse_timestamp_ms(s),
        Value::Null => return Ok(None),
        other => Err(format!("'{}' is not a time", shorten(&other.to_string()))),
    };
    r.map(Some)
        .map_err(|p| TraceError::field(path, line, name, p, "epoch ms or an ISO 8601 time"))
}

/// Reading state for one file.
struct Reader<'p> {
    path: &'p Path,
    /// Request ids read so far in this run (every lambda-logs input).
    seen: &'p mut HashSet<String>,
    /// REPORTs skipped because their request id was read already.
    duplicates: u64,
    id: FunctionId,
    errors: RowErrors,
    collector: Collector,
    reports: u64,
    timed_reports: u64,
    timeout_lines: u64,
    timeout_statuses: u64,
}

impl Reader<'_> {
    /// Handles a unit's error: fails, or counts it under `--skip-bad-rows`.
    fn unit(&mut self, r: Result<(), TraceError>) -> Result<(), TraceError> {
        r.or_else(|e| self.errors.handle(e))
    }

    /// Adds one parsed REPORT ending at `end_ms` (when known).
    fn add(&mut self, line: u64, end_ms: Option<u64>, rep: Report, field_prefix: &str) -> Result<(), TraceError> {
        if let Some(id) = &rep.request_id {
            if !self.seen.insert(id.clone()) {
                // The same invocation exported twice (events.jsonl and messages.log of one
                // export, or overlapping exports): counted once.
                self.reports += 1;
                self.duplicates += 1;
                return Ok(());
            }
        }
        let path = self.path;
        let f = |name: &str| format!("{field_prefix}{name}");
        let (dur_name, init_name, mem_name, used_name) = if field_prefix.is_empty() {
            ("Duration", "Init Duration", "Memory Size", "Max Memory Used")
        } else {
            ("durationMs", "initDurationMs", "memorySizeMB", "maxMemoryUsedMB")
        };
        let duration = duration_us(path, line, &f(dur_name), rep.duration_ms)?;
        let init = rep
            .init_duration_ms
            .map(|v| duration_us(path, line, &f(init_name), v))
            .transpose()?;
        let memory = memory_mb(path, line, &f(mem_name), rep.memory_size_mb)?;
        let used = rep
            .max_memory_used_mb
            .map(|v| memory_mb(path, line, &f(used_name), v))
            .transpose()?;
        let start_ms = match end_ms {
            Some(end) => Some(
                end.checked_sub(us_to_ms_ceil(duration) + init.map(us_to_ms_ceil).unwrap_or(0))
                    .ok_or_else(|| {
                        TraceError::field(
                            path,
                            line,
                            "timestamp",
                            format!("{end} ms is earlier than the invocation's Duration and Init Duration"),
                            "the epoch time the REPORT was written",
                        )
                    })?,
            ),
            None => None,
        };
        self.reports += 1;
        if start_ms.is_some() {
            self.timed_reports += 1;
        }
        if rep.timed_out {
            self.timeout_statuses += 1;
        }
        self.collector.add(Row {
            id: self.id.clone(),
            trigger: None,
            memory_mb: Some(memory),
            max_memory_used_mb: used,
            invocation: Invocation {
                start_ms: start_ms.unwrap_or(0),
                duration_us: duration,
                init_duration_us: init,
                // Billed durations are whole ms; a fraction (never seen) is rounded up.
                billed_duration_ms: rep.billed_duration_ms.map(|b| b.ceil() as u64),
                cold_start: Some(init.is_some()),
                response_bytes: None,
            },
        });
        Ok(())
    }

    /// One line of log text; `event_ms` is the time of the event that carried it.
    fn text_line(&mut self, line: u64, text: &str, event_ms: Option<u64>) -> Result<(), TraceError> {
        if text.contains("Task timed out after") {
            self.timeout_lines += 1;
        }
        let Some(pos) = text.find("REPORT RequestId:") else {
            return Ok(());
        };
        let r = (|| {
            let prefix = text[..pos].trim();
            let end_ms = match (event_ms, prefix.split_whitespace().next()) {
                (Some(t), _) => Some(t),
                (None, Some(first)) => Some(parse_timestamp_ms(first).map_err(|p| {
                    TraceError::field(
                        self.path,
                        line,
                        "timestamp",
                        format!("{p} (text before REPORT)"),
                        "nothing, or an ISO 8601 time or epoch ms before 'REPORT'",
                    )
                })?),
                (None, None) => None,
            };
            let rep = parse_report_text(self.path, line, &text[pos..])?;
            self.add(line, end_ms, rep, "")
        })();
        self.unit(r)
    }

    /// A CloudWatch event's message: log text, or a JSON log format event.
    fn message(&mut self, line: u64, msg: &str, event_ms: Option<u64>) -> Result<(), TraceError> {
        if msg.trim_start().starts_with('{') {
            if let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(msg) {
                return self.json_object(line, &obj, event_ms);
            }
        }
        for l in msg.lines() {
            self.text_line(line, l, event_ms)?;
        }
        Ok(())
    }

    /// One JSON value: an event, a document of events, or an array of them.
    fn json_value(&mut self, line: u64, v: &Value, event_ms: Option<u64>) -> Result<(), TraceError> {
        match v {
            Value::Object(obj) => self.json_object(line, obj, event_ms),
            Value::Array(items) => self.events(line, items),
            _ => Ok(()),
        }
    }

    /// A list of events, each its own unit for `--skip-bad-rows`.
    fn events(&mut self, line: u64, items: &[Value]) -> Result<(), TraceError> {
        for (k, ev) in items.iter().enumerate() {
            let r = self.json_value(line, ev, None).map_err(|e| in_event(e, k));
            self.unit(r)?;
        }
        Ok(())
    }

    fn json_object(&mut self, line: u64, obj: &Map<String, Value>, event_ms: Option<u64>) -> Result<(), TraceError> {
        if let Some(Value::Array(items)) = obj.get("events") {
            return self.events(line, items);
        }
        if obj.get("type").and_then(Value::as_str) == Some("platform.report") {
            let r = (|| {
                let time = match obj.get("time").and_then(Value::as_str) {
                    Some(t) => Some(
                        parse_timestamp_ms(t)
                            .map_err(|p| TraceError::field(self.path, line, "time", p, "an ISO 8601 time"))?,
                    ),
                    None => event_ms,
                };
                let rep = parse_platform_report(self.path, line, obj)?;
                self.add(line, time, rep, "record.metrics.")
            })();
            return self.unit(r);
        }
        let msg = obj.get("message").or_else(|| obj.get("@message"));
        if let Some(Value::String(msg)) = msg {
            let ts = match event_timestamp(self.path, line, obj) {
                Ok(t) => t.or(event_ms),
                // A bad time matters only on an event that carries a REPORT.
                Err(e) if msg.contains("REPORT RequestId:") || msg.contains("platform.report") => {
                    return self.unit(Err(e))
                }
                Err(_) => None,
            };
            return self.message(line, msg, ts);
        }
        Ok(())
    }

    /// Raw text or JSON lines.
    fn lines(&mut self, text: &str) -> Result<u64, TraceError> {
        let mut n = 0u64;
        for (i, l) in text.lines().enumerate() {
            n += 1;
            let line = i as u64 + 1;
            let t = l.trim();
            if t.starts_with('{') {
                match serde_json::from_str::<Value>(t) {
                    Ok(v) => {
                        self.json_value(line, &v, None)?;
                        continue;
                    }
                    Err(e) if t.contains("REPORT RequestId:") || t.contains("platform.report") => {
                        let err = TraceError::row(
                            self.path,
                            line,
                            format!("a JSON log event that does not parse: {e}"),
                            "the line may be truncated; fix it or pass --skip-bad-rows",
                        );
                        self.unit(Err(err))?;
                        continue;
                    }
                    // The function's own output (e.g. a JSON dump spread over lines).
                    Err(_) => {}
                }
            }
            self.text_line(line, l, None)?;
        }
        Ok(n)
    }

    /// A CloudWatch Logs Insights CSV export (`@timestamp`, `@message`, …).
    fn insights_csv(&mut self, text: &str) -> Result<u64, TraceError> {
        let path = self.path;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let msg_i = header
            .iter()
            .position(|h| h == "@message")
            .ok_or_else(|| TraceError::file(path, "a Logs Insights export without an @message column", HINT))?;
        let ts_i = header.iter().position(|h| h == "@timestamp");
        let mut record = csv::StringRecord::new();
        let mut n = 0u64;
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    n += 1;
                    self.unit(Err(csv_error(path, e)))?;
                    continue;
                }
            }
            n += 1;
            let line = record.position().map(|p| p.line()).unwrap_or(n + 1);
            if let Err(e) = check_len(path, line, record.len(), header.len()) {
                self.unit(Err(e))?;
                continue;
            }
            let ts = match ts_i.map(|i| record[i].trim()).filter(|s| !s.is_empty()) {
                Some(s) => match parse_timestamp_ms(s) {
                    Ok(t) => Some(t),
                    Err(p) => {
                        let e = TraceError::field(path, line, "@timestamp", p, "an ISO 8601 time or epoch ms");
                        self.unit(Err(e))?;
                        continue;
                    }
                },
                None => None,
            };
            let msg = record[msg_i].to_string();
            self.message(line, &msg, ts)?;
        }
        Ok(n)
    }
}

/// Names the event index in an error from inside a JSON document.
fn in_event(e: TraceError, k: usize) -> TraceError {
    match e {
        TraceError::Field {
            path,
            line,
            field,
            problem,
            expected,
        } => TraceError::Field {
            path,
            line,
            field,
            problem: format!("event #{} of the document: {problem}", k + 1),
            expected,
        },
        other => other,
    }
}

/// The first REPORT line holding bytes that are not UTF-8, as an error naming its line and
/// the field the bytes are in (other lines are not read, so their bytes do not matter).
fn report_not_utf8(path: &Path, bytes: &[u8]) -> Option<TraceError> {
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let Err(e) = std::str::from_utf8(line) else {
            continue;
        };
        let whole = String::from_utf8_lossy(line);
        if !whole.contains("REPORT") && !whole.contains("platform.report") {
            continue;
        }
        let before = String::from_utf8_lossy(&line[..e.valid_up_to()]);
        // The field is the name before the last ':' ahead of the bad bytes.
        let name = before.rfind(':').map_or("", |c| &before[..c]);
        let name = name
            .rsplit(['\t', '"', ',', '{'])
            .next()
            .unwrap_or("")
            .rsplit("  ")
            .next()
            .unwrap_or("")
            .trim()
            .trim_start_matches("REPORT ")
            .trim();
        let name = if name.is_empty() { "REPORT line" } else { name };
        return Some(TraceError::field(
            path,
            i as u64 + 1,
            name,
            format!("not UTF-8 text (at column {})", before.chars().count() + 1),
            "UTF-8 text, as CloudWatch Logs exports it: the file may be damaged",
        ));
    }
    None
}

/// Reads one log file; a REPORT whose request id is in `seen` (read from an earlier file of
/// the run, or earlier in this one) is skipped and counted in a warning.
pub(super) fn read_with(
    input: &mut Input,
    skip_bad_rows: bool,
    seen: &mut HashSet<String>,
) -> Result<Parsed, TraceError> {
    refuse_empty_or_binary(input, HINT)?;
    input.set_line_limit(Some(LOG_LINE_LIMIT));
    let path = &input.path().to_path_buf();
    let bytes = input.read_rest()?;
    if std::str::from_utf8(&bytes).is_err() {
        if let Some(e) = report_not_utf8(path, &bytes) {
            return Err(e);
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "lambda".to_string());
    let mut r = Reader {
        path,
        seen,
        duplicates: 0,
        id: FunctionId::standalone(&stem),
        errors: RowErrors::new(skip_bad_rows),
        collector: Collector::default(),
        reports: 0,
        timed_reports: 0,
        timeout_lines: 0,
        timeout_statuses: 0,
    };
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    let lower = first.to_ascii_lowercase();
    let mut doc_error = None;
    let (kind, rows) = if lower.contains("@message") && !first.starts_with('{') {
        ("lambda-logs (Logs Insights CSV)", r.insights_csv(text)?)
    } else if first.starts_with('[') || (first.starts_with('{') && serde_json::from_str::<Value>(first).is_err()) {
        // One JSON document spread over lines (filter-log-events output, an event array).
        let start_line = text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0) as u64 + 1;
        match serde_json::from_str::<Value>(text) {
            Ok(doc) => {
                r.json_value(start_line, &doc, None)?;
                let events = match &doc {
                    Value::Array(a) => a.len(),
                    Value::Object(o) => o.get("events").and_then(Value::as_array).map_or(1, Vec::len),
                    _ => 0,
                };
                ("lambda-logs (JSON document)", events as u64)
            }
            Err(e) => {
                // Not one document after all (e.g. a log starting with the function's
                // multi-line JSON output): read it line by line.
                doc_error = Some(e.to_string());
                ("lambda-logs", r.lines(text)?)
            }
        }
    } else {
        let kind = if first.starts_with('{') {
            "lambda-logs (JSON lines)"
        } else {
            "lambda-logs"
        };
        (kind, r.lines(text)?)
    };
    if r.reports == 0 {
        let mut problem = if r.errors.skipped() > 0 {
            format!("all {} REPORT record(s) were bad and skipped", r.errors.skipped())
        } else {
            "no REPORT lines or platform.report events found".to_string()
        };
        if let Some(e) = doc_error {
            problem.push_str(&format!(" (it starts like a JSON document but does not parse: {e})"));
        }
        return Err(TraceError::file(path, problem, HINT));
    }
    let timed = r.timed_reports == r.reports;
    let mut warnings = r.errors.into_warnings(path);
    if r.timed_reports > 0 && !timed {
        warnings.push(format!(
            "{}: only {} of {} REPORT lines have a timestamp, so none are placed in time (untimed); give every \
             line a timestamp to replay them",
            path.display(),
            r.timed_reports,
            r.reports
        ));
    }
    if r.timeout_lines > 0 || r.timeout_statuses > 0 {
        warnings.push(format!(
            "{}: timeouts seen ({} 'Task timed out' line(s), {} REPORT(s) with status timeout); their durations \
             are the timeout and are kept as logged",
            path.display(),
            r.timeout_lines,
            r.timeout_statuses
        ));
    }
    if r.duplicates > 0 {
        warnings.push(format!(
            "{}: {} REPORT(s) repeat a RequestId already read (from another input or earlier in this one); each \
             invocation is counted once",
            path.display(),
            r.duplicates
        ));
    }
    let (functions, more) = r.collector.finish(path, timed);
    warnings.extend(more);
    Ok(Parsed {
        functions,
        window_ms: None,
        sources: vec![SourceFile {
            path: path.display().to_string(),
            format: kind.to_string(),
            rows,
        }],
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path, skip_bad_rows: bool) -> Result<Parsed, TraceError> {
        read_with(&mut Input::open(path, false)?, skip_bad_rows, &mut HashSet::new())
    }
    use crate::trace::{Arrivals, DurationInfo};
    use std::io::Write;

    fn write(dir: &tempfile::TempDir, name: &str, content: &str) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p)
            .unwrap()
            .write_all(content.as_bytes())
            .unwrap();
        p
    }

    fn records(p: &Parsed) -> &[Invocation] {
        p.functions[0].arrivals.records().unwrap()
    }

    const TAB: &str = "REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 12.34 ms\tBilled Duration: 100 ms \tMemory Size: 128 MB\tMax Memory Used: 18 MB\t";
    const SPACES: &str = "REPORT RequestId: 57f231fb  Duration: 79.67 ms      Billed Duration: 80 ms         Memory Size: 128 MB     Max Memory Used: 73 MB  Init Duration: 130.49 ms   ";

    #[test]
    fn parses_report_variants() {
        let p = Path::new("f.log");
        let r = parse_report_text(p, 1, TAB).unwrap();
        assert_eq!(r.duration_ms, 12.34);
        assert_eq!(r.billed_duration_ms, Some(100.0));
        assert_eq!(r.memory_size_mb, 128.0);
        assert_eq!(r.max_memory_used_mb, Some(18.0));
        assert_eq!(r.init_duration_ms, None);
        let r = parse_report_text(p, 1, SPACES).unwrap();
        assert_eq!((r.duration_ms, r.init_duration_ms), (79.67, Some(130.49)));
        // Single spaces between fields (the Developer Guide's best-practices line).
        let r = parse_report_text(
            p,
            1,
            "REPORT RequestId: x Duration: 1.5 ms Billed Duration: 100 ms Memory Size: 256 MB Max Memory Used: 9 MB",
        )
        .unwrap();
        assert_eq!(
            (r.duration_ms, r.billed_duration_ms, r.memory_size_mb),
            (1.5, Some(100.0), 256.0)
        );
        // SnapStart fields and a timeout status do not confuse Duration / Billed Duration.
        let r = parse_report_text(
            p,
            1,
            "REPORT RequestId: x\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\t\
             Max Memory Used: 20 MB\tRestore Duration: 300.1 ms\tBilled Restore Duration: 120 ms\tStatus: timeout",
        )
        .unwrap();
        assert_eq!((r.duration_ms, r.billed_duration_ms), (3000.0, Some(3000.0)));
        assert!(r.timed_out);
    }

    #[test]
    fn report_field_errors() {
        let p = Path::new("f.log");
        let e = parse_report_text(p, 4, "REPORT RequestId: x\tDuration: abc ms\tMemory Size: 128 MB")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("f.log: line 4, field 'Duration': 'abc' is not a number"),
            "{e}"
        );
        let e = parse_report_text(
            p,
            4,
            "REPORT RequestId: x\tDuration: 5 ms\tBilled Duration: 5 ms\tMemory Si",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("field 'Memory Size': missing"), "{e}");
        let e = parse_report_text(p, 4, "REPORT RequestId: x\tBilled Duration: 5 ms\tMemory Size: 128 MB")
            .unwrap_err()
            .to_string();
        assert!(e.contains("field 'Duration': missing"), "{e}");
        let e = parse_report_text(p, 4, "REPORT RequestId: x\tDuration: -5 ms\tMemory Size: 128 MB")
            .unwrap_err()
            .to_string();
        assert!(e.contains("field 'Duration': -5 is negative"), "{e}");
        let e = parse_report_text(p, 4, "REPORT RequestId: x\tDuration: 5 ms\tMemory Size: lots MB")
            .unwrap_err()
            .to_string();
        assert!(e.contains("field 'Memory Size': 'lots' is not a number"), "{e}");
    }

    #[test]
    fn units_other_than_ms_and_mb_are_converted_or_refused() {
        let p = Path::new("f.log");
        let r = parse_report_text(
            p,
            1,
            "REPORT RequestId: x Duration: 5 s Billed Duration: 5000 ms Memory Size: 1 GB Max Memory Used: 512 MB",
        )
        .unwrap();
        assert_eq!(r.duration_ms, 5_000.0);
        assert_eq!(r.memory_size_mb, 1_024.0);
        assert_eq!(r.max_memory_used_mb, Some(512.0));
        let r = parse_report_text(p, 1, "REPORT RequestId: x Duration: 2500 us Memory Size: 128 MB").unwrap();
        assert_eq!(r.duration_ms, 2.5);
        let e = parse_report_text(p, 7, "REPORT RequestId: x Duration: 5 fortnights Memory Size: 128 MB")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("f.log: line 7, field 'Duration': unit 'fortnights' is not one of ms, s or us"),
            "{e}"
        );
        let e = parse_report_text(p, 7, "REPORT RequestId: x Duration: 5 ms Memory Size: 1 TB")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("field 'Memory Size': unit 'TB' is not one of MB, GB or KB"),
            "{e}"
        );
    }

    #[test]
    fn raw_text_is_untimed() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "my-func.log",
            &format!(
                "START RequestId: a Version: $LATEST\nhello REPORT-ish output\nEND RequestId: a\n{TAB}\n\
                 XRAY TraceId: 1-5e645f3e SegmentId: 1 Sampled: true\n{SPACES}\n\
                 2020-01-01T00:00:00.000Z b Task timed out after 3.00 seconds\n"
            ),
        );
        let parsed = read(&p, false).unwrap();
        let f = &parsed.functions[0];
        assert_eq!(f.id, FunctionId::standalone("my-func"));
        assert_eq!(f.duration, DurationInfo::Samples);
        assert_eq!(f.memory.configured_mb, Some(128));
        assert_eq!(f.memory.max_used_mb, Some(73));
        let Arrivals::Untimed(v) = &f.arrivals else {
            panic!("untimed expected")
        };
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].duration_us, 12_340);
        assert_eq!(v[0].billed_duration_ms, Some(100));
        assert_eq!(v[0].cold_start, Some(false));
        assert_eq!(v[1].init_duration_us, Some(130_490));
        assert_eq!(v[1].cold_start, Some(true));
        assert_eq!(parsed.sources[0].rows, 7);
        assert!(
            parsed.warnings.iter().any(|w| w.contains("1 'Task timed out' line(s)")),
            "{:?}",
            parsed.warnings
        );
    }

    #[test]
    fn leading_timestamps_give_start_times() {
        let dir = tempfile::tempdir().unwrap();
        // End 12:45:35.624Z, Duration 12.34 ms → ceil 13 ms → start 12:45:35.611Z.
        let p = write(
            &dir,
            "f.log",
            &format!("2019-06-19T12:45:35.624Z {TAB}\n1560948335700\t{SPACES}\n"),
        );
        let parsed = read(&p, false).unwrap();
        let Arrivals::Timestamps(v) = &parsed.functions[0].arrivals else {
            panic!("timed expected")
        };
        // Sorted by arrival: the second line's request arrived first, ceil(79.67) + ceil(130.49)
        // of init before its REPORT.
        assert_eq!(v[0].start_ms, 1_560_948_335_700 - 80 - 131);
        assert_eq!(v[1].start_ms, 1_560_948_335_624 - 13);
        // `aws logs tail` output: time, log stream, then the message.
        let p = write(
            &dir,
            "tail.log",
            &format!("2019-06-19T12:45:35.624000+00:00 2019/06/19/[$LATEST]c3ad {TAB}\n"),
        );
        assert_eq!(records(&read(&p, false).unwrap())[0].start_ms, 1_560_948_335_624 - 13);
        // A mix of timed and untimed lines: untimed, with a warning.
        let p = write(&dir, "g.log", &format!("2019-06-19T12:45:35.624Z {TAB}\n{SPACES}\n"));
        let parsed = read(&p, false).unwrap();
        assert!(matches!(parsed.functions[0].arrivals, Arrivals::Untimed(_)));
        assert!(parsed.warnings.iter().any(|w| w.contains("only 1 of 2")));
        // Unreadable text before REPORT.
        let p = write(&dir, "h.log", &format!("yesterday {TAB}\n"));
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("h.log: line 1, field 'timestamp'"), "{e}");
        // A REPORT written before its own duration could have started.
        let p = write(&dir, "i.log", &format!("0.005 {TAB}\n"));
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("field 'timestamp'") && e.contains("earlier"), "{e}");
    }

    #[test]
    fn cloudwatch_json_lines_and_documents() {
        let dir = tempfile::tempdir().unwrap();
        let ev = |ts: u64, msg: &str| {
            serde_json::json!({"logStreamName": "2019/06/19/[$LATEST]c3", "timestamp": ts, "message": msg,
                "ingestionTime": ts + 10, "eventId": "1"})
            .to_string()
        };
        let lines = [
            ev(1_560_948_335_625, &format!("{TAB}\n")),
            ev(1_560_948_335_624, "END RequestId: a\n"),
            ev(1_560_948_300_000, &format!("{SPACES}\n")),
        ]
        .join("\n");
        let p = write(&dir, "events.jsonl", &lines);
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.sources[0].format, "lambda-logs (JSON lines)");
        let v = records(&parsed);
        // Newest first in the file; sorted by start here.
        assert_eq!(v[0].start_ms, 1_560_948_300_000 - 80 - 131);
        assert_eq!(v[1].start_ms, 1_560_948_335_625 - 13);
        // The same events as a filter-log-events document, pretty-printed.
        let doc = format!(
            "{{\n  \"events\": [\n{}\n  ],\n  \"searchedLogStreams\": []\n}}\n",
            [ev(1_560_948_335_625, TAB), ev(1_560_948_300_000, SPACES)].join(",\n")
        );
        let p = write(&dir, "export.json", &doc);
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.sources[0].format, "lambda-logs (JSON document)");
        assert_eq!(parsed.sources[0].rows, 2);
        assert_eq!(records(&parsed)[1].start_ms, 1_560_948_335_612);
        // A bad event in a document names its index.
        let doc = format!(
            "{{\"events\": [\n{},\n{}]}}",
            ev(1_560_948_335_625, TAB),
            ev(7, "REPORT RequestId: y\tDuration: x ms\tMemory Size: 1 MB")
        );
        let p = write(&dir, "bad.json", &doc);
        let e = read(&p, false).unwrap_err().to_string();
        assert!(
            e.contains("event #2 of the document") && e.contains("'Duration'"),
            "{e}"
        );
        let parsed = read(&p, true).unwrap();
        assert_eq!(records(&parsed).len(), 1);
        assert!(parsed.warnings[0].contains("skipped 1 bad row(s)"));
        // A bad time on a REPORT event is an error; on another event it does not matter.
        let bad_time = |msg: &str| serde_json::json!({"timestamp": "noon", "message": msg}).to_string();
        let p = write(
            &dir,
            "t1.jsonl",
            &format!("{}\n{}", bad_time("START RequestId: a"), ev(1_560_948_335_625, TAB)),
        );
        assert_eq!(records(&read(&p, false).unwrap()).len(), 1);
        let p = write(&dir, "t2.jsonl", &bad_time(TAB));
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("line 1, field 'timestamp': 'noon' is not a time"), "{e}");
        // A truncated JSON line.
        let p = write(
            &dir,
            "trunc.jsonl",
            &format!(
                "{}\n{{\"timestamp\": 1, \"message\": \"REPORT RequestId: z",
                ev(1_560_948_335_625, TAB)
            ),
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("does not parse"), "{e}");
        assert_eq!(records(&read(&p, true).unwrap()).len(), 1);
    }

    #[test]
    fn json_platform_report_events() {
        let dir = tempfile::tempdir().unwrap();
        let content = [
            r#"{"time":"2024-02-01T10:00:00.500Z","type":"platform.start","record":{"requestId":"a"}}"#,
            r#"{"time":"2024-02-01T10:00:01.000Z","type":"platform.report","record":{"requestId":"a","metrics":{"durationMs":450.2,"billedDurationMs":451,"memorySizeMB":1024,"maxMemoryUsedMB":70,"initDurationMs":300.01},"status":"success"}}"#,
            r#"{"time":"2024-02-01T10:00:05.000Z","type":"platform.report","record":{"requestId":"b","metrics":{"durationMs":3000,"billedDurationMs":3000,"memorySizeMB":1024,"maxMemoryUsedMB":90},"status":"timeout"}}"#,
            r#"{"timestamp":"2024-02-01T10:00:06Z","level":"INFO","message":"app output"}"#,
        ]
        .join("\n");
        let p = write(&dir, "api.jsonl", &content);
        let parsed = read(&p, false).unwrap();
        let v = records(&parsed);
        assert_eq!(v.len(), 2);
        // 10:00:01.000 − ceil(450.2) − ceil(300.01) = 451 + 301 ms.
        let t0 = 1_706_781_601_000u64;
        assert_eq!(v[0].start_ms, t0 - 451 - 301);
        assert_eq!(v[0].init_duration_us, Some(300_010));
        assert_eq!(v[0].billed_duration_ms, Some(451));
        assert_eq!(v[1].start_ms, t0 + 4_000 - 3_000);
        assert_eq!(parsed.functions[0].memory.configured_mb, Some(1024));
        assert_eq!(parsed.functions[0].memory.max_used_mb, Some(90));
        assert!(parsed
            .warnings
            .iter()
            .any(|w| w.contains("1 REPORT(s) with status timeout")));
        // Missing and non-numeric metrics.
        let p = write(
            &dir,
            "bad.jsonl",
            r#"{"time":"2024-02-01T10:00:01Z","type":"platform.report","record":{"metrics":{"durationMs":"fast","memorySizeMB":128}}}"#,
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("line 1, field 'durationMs': 'fast' is not a number"), "{e}");
        let p = write(
            &dir,
            "bad2.jsonl",
            r#"{"time":"2024-02-01T10:00:01Z","type":"platform.report","record":{"metrics":{"durationMs":5}}}"#,
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("field 'memorySizeMB': missing"), "{e}");
        // A platform.report inside a CloudWatch event message.
        let inner = r#"{"time":"2024-02-01T10:00:01.000Z","type":"platform.report","record":{"metrics":{"durationMs":1,"memorySizeMB":128}}}"#;
        let p = write(
            &dir,
            "wrapped.jsonl",
            &serde_json::json!({"timestamp": 1_706_781_601_000u64, "message": inner}).to_string(),
        );
        assert_eq!(records(&read(&p, false).unwrap())[0].start_ms, t0 - 1);
    }

    #[test]
    fn logs_insights_csv() {
        let dir = tempfile::tempdir().unwrap();
        let content = format!(
            "@timestamp,@message,@logStream\n\
             2024-02-01 10:00:01.000,\"{TAB}\",2024/02/01/[$LATEST]ab\n\
             2024-02-01 10:00:02.000,\"END RequestId: x\",2024/02/01/[$LATEST]ab\n\
             2024-02-01 10:00:03.000,\"{SPACES}\",2024/02/01/[$LATEST]ab\n"
        );
        let p = write(&dir, "insights.csv", &content);
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.sources[0].format, "lambda-logs (Logs Insights CSV)");
        assert_eq!(parsed.sources[0].rows, 3);
        let v = records(&parsed);
        assert_eq!(v[0].start_ms, 1_706_781_601_000 - 13);
        assert_eq!(v[1].start_ms, 1_706_781_603_000 - 80 - 131);
        let bad = "@timestamp,@message\nnoon,\"REPORT RequestId: x Duration: 1 ms Memory Size: 1 MB\"\n";
        let e = read(&write(&dir, "bad.csv", bad), false).unwrap_err().to_string();
        assert!(e.contains("line 2, field '@timestamp'"), "{e}");
    }

    #[test]
    fn memory_size_change_is_warned() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "f.log",
            "REPORT RequestId: a Duration: 1 ms Memory Size: 128 MB Max Memory Used: 60 MB\n\
             REPORT RequestId: b Duration: 1 ms Memory Size: 512 MB Max Memory Used: 70 MB\n",
        );
        let parsed = read(&p, false).unwrap();
        assert_eq!(parsed.functions[0].memory.configured_mb, Some(128));
        assert_eq!(parsed.functions[0].memory.max_used_mb, Some(70));
        assert!(
            parsed.warnings.iter().any(|w| w.contains("128, 512 MB")),
            "{:?}",
            parsed.warnings
        );
    }

    #[test]
    fn skip_bad_rows_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            "f.log",
            &format!("{TAB}\nREPORT RequestId: b\tDuration: 1 ms\tBilled\n{SPACES}\n"),
        );
        let e = read(&p, false).unwrap_err().to_string();
        assert!(e.contains("line 2, field 'Memory Size'"), "{e}");
        let parsed = read(&p, true).unwrap();
        assert_eq!(records(&parsed).len(), 2);
        assert!(parsed.warnings[0].contains("skipped 1 bad row(s)"));
        let p = write(&dir, "bad.log", "REPORT RequestId: b\tDuration: 1 ms\n");
        assert!(read(&p, true)
            .unwrap_err()
            .to_string()
            .contains("all 1 REPORT record(s) were bad"));
        // Empty, binary, an Azure 2021 CSV and a truncated JSON document.
        let e = read(&write(&dir, "e.log", " \n"), false).unwrap_err().to_string();
        assert!(e.contains("the file is empty"), "{e}");
        let bin = dir.path().join("b.log");
        std::fs::write(&bin, [0u8, 159, 146, 150, 0xff]).unwrap();
        assert!(read(&bin, false).unwrap_err().to_string().contains("binary content"));
        let e = read(
            &write(&dir, "az.csv", "app,func,end_timestamp,duration\na,f,1.5,0.5\n"),
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("az.csv: no REPORT lines"), "{e}");
        let e = read(&write(&dir, "t.json", "{\"events\": [{\"timestamp\": 1"), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not parse"), "{e}");
    }

    #[test]
    fn never_panics_on_odd_input() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = [
            "REPORT RequestId:",
            "REPORT RequestId: Duration:",
            "é😀 REPORT RequestId: x Duration: 1 ms Memory Size: 1 MB",
            "{\"events\": 5}\nREPORT RequestId: x Duration: 1e400 ms Memory Size: 1 MB",
            "[1, \"a\", null, {\"message\": 5}]",
            "{\"type\":\"platform.report\",\"record\":7}",
            "{\"type\":\"platform.report\",\"time\":\"x\",\"record\":{\"metrics\":{\"durationMs\":1e300,\"memorySizeMB\":1e300}}}",
            "@timestamp,@message\n\"unterminated",
        ];
        for input in inputs {
            let p = write(&dir, "odd.log", input);
            let _ = read(&p, false);
            let _ = read(&p, true);
        }
    }

    #[test]
    fn real_awsdocs_snippets() {
        let Some(p) = crate::trace::real_sample("lambda-awsdocs-snippets", "report-snippets.log") else {
            return;
        };
        let parsed = read(&p, false).unwrap();
        let v = records(&parsed);
        assert!(matches!(parsed.functions[0].arrivals, Arrivals::Untimed(_)));
        assert_eq!(v.len(), 7);
        assert_eq!(v.iter().filter(|i| i.init_duration_us.is_some()).count(), 5);
        let billed: u64 = v.iter().map(|i| i.billed_duration_ms.unwrap()).sum();
        assert_eq!(billed, 5_612);
        // Billed GB-s 1.3015 (SOURCE.md): Σ billed_s × memory_GB over the lines.
        let gb_s: f64 = v
            .iter()
            .zip([128u32, 256, 128, 128, 512, 128, 128])
            .map(|(i, mb)| crate::units::gb_seconds(mb as f64, i.billed_duration_ms.unwrap()))
            .sum();
        assert!((gb_s - 1.3015).abs() < 0.0001, "{gb_s}");
        let max_d = v.iter().map(|i| i.duration_us).max().unwrap();
        assert_eq!(max_d, 4_157_160);
        assert!(parsed.warnings.iter().any(|w| w.contains("128, 256, 512 MB")));
    }

    #[test]
    fn real_cloudwatch_2019() {
        let Some(events) = crate::trace::real_sample("lambda-cloudwatch-2019", "events.jsonl") else {
            return;
        };
        let parsed = read(&events, false).unwrap();
        let f = &parsed.functions[0];
        let Arrivals::Timestamps(v) = &f.arrivals else {
            panic!("timed expected")
        };
        assert_eq!(v.len(), 28);
        assert_eq!(v.iter().map(|i| i.billed_duration_ms.unwrap()).sum::<u64>(), 861_300);
        // Old 100 ms billing: billed = ceil(Duration / 100 ms) × 100 ms on every line.
        assert!(v
            .iter()
            .all(|i| i.billed_duration_ms.unwrap() == i.duration_us.div_ceil(100_000) * 100));
        assert_eq!(f.memory.configured_mb, Some(128));
        assert_eq!(f.memory.max_used_mb, Some(111));
        assert_eq!(parsed.sources[0].rows, 155);
        // The last REPORT was written at 1560948335625 with Duration 89.34 ms → start − 90.
        assert_eq!(v.last().unwrap().start_ms, 1_560_948_335_625 - 90);
        assert!(v.windows(2).all(|w| w[0].start_ms <= w[1].start_ms));
        // The raw messages: the same 28 REPORTs, untimed.
        if let Some(messages) = crate::trace::real_sample("lambda-cloudwatch-2019", "messages.log") {
            let parsed = read(&messages, false).unwrap();
            let v = records(&parsed);
            assert!(matches!(parsed.functions[0].arrivals, Arrivals::Untimed(_)));
            assert_eq!(v.len(), 28);
            assert_eq!(v.iter().map(|i| i.billed_duration_ms.unwrap()).sum::<u64>(), 861_300);
            // Both files of the export together: the same 28 invocations, counted once.
            let w = crate::trace::read_workload(&[events.clone(), messages], &crate::trace::ReadOptions::default())
                .unwrap();
            assert_eq!(w.invocations(), 28);
            assert!(
                w.warnings
                    .iter()
                    .any(|m| m.contains("28 REPORT(s) repeat a RequestId already read")),
                "{:?}",
                w.warnings
            );
        }
    }

    #[test]
    fn a_request_id_seen_twice_is_counted_once() {
        let dir = tempfile::tempdir().unwrap();
        let line = |id: &str| {
            format!("REPORT RequestId: {id}\tDuration: 10.00 ms\tBilled Duration: 10 ms\tMemory Size: 128 MB\n")
        };
        let p = write(&dir, "a.log", &format!("{}{}{}", line("r1"), line("r2"), line("r1")));
        let parsed = read(&p, false).unwrap();
        assert_eq!(records(&parsed).len(), 2);
        assert!(parsed
            .warnings
            .iter()
            .any(|w| w.contains("1 REPORT(s) repeat a RequestId")));
    }
}
