//! Trace input errors: each names the file, the line and the field, says what was wrong
//! and what was expected, so the user can fix the file. `RowErrors` turns row errors into
//! counted warnings under `--skip-bad-rows`.

use std::path::Path;

/// An error reading a trace.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read the file: {source}")]
    Io {
        /// File path.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// One field of one row is wrong.
    #[error("{path}: line {line}, field '{field}': {problem}; expected {expected}")]
    Field {
        /// File path.
        path: String,
        /// 1-based line number.
        line: u64,
        /// Column or field name.
        field: String,
        /// What is wrong.
        problem: String,
        /// What the field must hold.
        expected: String,
    },
    /// A row as a whole is wrong (wrong number of fields, truncated).
    #[error("{path}: line {line}: {problem}; {hint}")]
    Row {
        /// File path.
        path: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        problem: String,
        /// What to do.
        hint: String,
    },
    /// A line is longer than any trace line, so reading stops there (not skippable).
    #[error(
        "{path}: line {line}: longer than {limit} bytes without a line end; expected text lines of a trace (a \
         row is far shorter): check that the file is a trace of this format and not binary or damaged"
    )]
    LineTooLong {
        /// File path.
        path: String,
        /// 1-based line number.
        line: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file as a whole is wrong (empty, unknown format, missing column).
    #[error("{path}: {problem}; {hint}")]
    File {
        /// File path.
        path: String,
        /// What is wrong.
        problem: String,
        /// What to do.
        hint: String,
    },
}

impl TraceError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        if let Some(long) = source
            .get_ref()
            .and_then(|e| e.downcast_ref::<super::input::LineTooLong>())
        {
            return TraceError::LineTooLong {
                path: path.display().to_string(),
                line: long.line,
                limit: long.limit,
            };
        }
        TraceError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// A field error.
    pub fn field(path: &Path, line: u64, field: &str, problem: impl Into<String>, expected: &str) -> Self {
        TraceError::Field {
            path: path.display().to_string(),
            line,
            field: field.to_string(),
            problem: problem.into(),
            expected: expected.to_string(),
        }
    }

    /// A whole-row error.
    pub fn row(path: &Path, line: u64, problem: impl Into<String>, hint: &str) -> Self {
        TraceError::Row {
            path: path.display().to_string(),
            line,
            problem: problem.into(),
            hint: hint.to_string(),
        }
    }

    /// A whole-file error.
    pub fn file(path: &Path, problem: impl Into<String>, hint: impl Into<String>) -> Self {
        TraceError::File {
            path: path.display().to_string(),
            problem: problem.into(),
            hint: hint.into(),
        }
    }

    /// The same error at another line (for rows parsed in blocks and placed afterwards).
    pub fn at_line(mut self, file_line: u64) -> Self {
        if let TraceError::Field { line, .. } | TraceError::Row { line, .. } = &mut self {
            *line = file_line;
        }
        self
    }

    /// Whether this error concerns a single row, which `--skip-bad-rows` may skip.
    pub fn is_row_error(&self) -> bool {
        matches!(self, TraceError::Field { .. } | TraceError::Row { .. })
    }
}

/// How many skipped-row messages a reader keeps word for word; the rest are only counted.
const KEPT_MESSAGES: usize = 5;

/// Collects row errors: fails on the first unless skipping, then counts them.
#[derive(Debug, Default)]
pub struct RowErrors {
    skip_bad_rows: bool,
    skipped: u64,
    messages: Vec<String>,
}

impl RowErrors {
    /// A collector that fails fast (`skip_bad_rows = false`) or skips and counts.
    pub fn new(skip_bad_rows: bool) -> Self {
        RowErrors {
            skip_bad_rows,
            ..Default::default()
        }
    }

    /// Handles one error: returns it when it must stop the read, else records it.
    pub fn handle(&mut self, err: TraceError) -> Result<(), TraceError> {
        if !self.skip_bad_rows || !err.is_row_error() {
            return Err(err);
        }
        self.skipped += 1;
        if self.messages.len() < KEPT_MESSAGES {
            self.messages.push(err.to_string());
        }
        Ok(())
    }

    /// Rows skipped so far.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The warnings to carry in the workload: the first messages and a count.
    pub fn into_warnings(self, path: &Path) -> Vec<String> {
        if self.skipped == 0 {
            return Vec::new();
        }
        let mut out = vec![format!(
            "{}: skipped {} bad row(s) (--skip-bad-rows); fix the file to include them",
            path.display(),
            self.skipped
        )];
        out.extend(self.messages.into_iter().map(|m| format!("skipped: {m}")));
        out
    }
}
