//! Trace format names and detection from a file's first bytes: Parquet by its magic
//! number, Lambda logs by `REPORT RequestId:` or `platform.report`, the CSV formats by
//! their header line. Binary or empty files are refused here with a clear error.

use std::path::Path;
use std::str::FromStr;

use super::TraceError;

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TraceFormat {
    /// Azure Functions 2019: per-minute invocations, duration and memory percentiles.
    Azure2019,
    /// Azure Functions 2021: `app,func,end_timestamp,duration` in seconds.
    Azure2021,
    /// AWS Lambda CloudWatch Logs REPORT lines (text, JSON events, exports).
    LambdaLogs,
    /// Generic per-invocation CSV or Parquet.
    Csv,
}

impl TraceFormat {
    /// All formats, in the order help texts list them.
    pub const ALL: [TraceFormat; 4] = [
        TraceFormat::Azure2019,
        TraceFormat::Azure2021,
        TraceFormat::LambdaLogs,
        TraceFormat::Csv,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            TraceFormat::Azure2019 => "azure2019",
            TraceFormat::Azure2021 => "azure2021",
            TraceFormat::LambdaLogs => "lambda-logs",
            TraceFormat::Csv => "csv",
        }
    }
}

impl std::fmt::Display for TraceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TraceFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TraceFormat::ALL
            .into_iter()
            .find(|f| f.name() == s || (s == "parquet" && *f == TraceFormat::Csv))
            .ok_or_else(|| {
                let names: Vec<&str> = TraceFormat::ALL.iter().map(|f| f.name()).collect();
                format!("unknown trace format '{s}'; expected one of {}", names.join(", "))
            })
    }
}

/// Parquet files start (and end) with this magic number.
pub(crate) const PARQUET_MAGIC: &[u8] = b"PAR1";

/// Detects the format of `path` from its first bytes (`head`, see [`super::HEAD_BYTES`]).
pub fn detect_format(path: &Path, head: &[u8]) -> Result<TraceFormat, TraceError> {
    const FORMATS_HINT: &str = "give an Azure 2019/2021 CSV, Lambda CloudWatch logs, or a CSV/Parquet with \
         timestamp,function,duration_ms columns (or force one with --trace-format)";
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(TraceError::file(path, "the file is empty", FORMATS_HINT));
    }
    if head.starts_with(PARQUET_MAGIC) {
        return Ok(TraceFormat::Csv);
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut at the sniff boundary is still text.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
        Err(e) => {
            return Err(TraceError::file(
                path,
                format!("binary content (not UTF-8 text) at byte {}", e.valid_up_to()),
                FORMATS_HINT,
            ))
        }
    };
    if let Some(pos) = text.find('\0') {
        return Err(TraceError::file(
            path,
            format!("binary content (NUL byte) at byte {pos}"),
            FORMATS_HINT,
        ));
    }
    if text.contains("REPORT RequestId:") || text.contains("platform.report") {
        return Ok(TraceFormat::LambdaLogs);
    }
    let header = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let columns: Vec<&str> = header.split(',').map(|c| c.trim().trim_matches('"')).collect();
    let has = |name: &str| columns.contains(&name);
    if has("hashowner") && has("hashapp") {
        return Ok(TraceFormat::Azure2019);
    }
    if has("app") && has("func") && has("end_timestamp") && has("duration") {
        return Ok(TraceFormat::Azure2021);
    }
    if has("timestamp") && has("function") && has("duration_ms") {
        return Ok(TraceFormat::Csv);
    }
    Err(TraceError::file(
        path,
        format!(
            "cannot tell the trace format from the first line '{}'",
            truncate(&header, 120)
        ),
        FORMATS_HINT,
    ))
}

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max_chars).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(head: &[u8]) -> Result<TraceFormat, TraceError> {
        detect_format(Path::new("t.csv"), head)
    }

    #[test]
    fn detects_each_format() {
        assert_eq!(
            detect(b"HashOwner,HashApp,HashFunction,Trigger,1,2\n").unwrap(),
            TraceFormat::Azure2019
        );
        assert_eq!(
            detect(b"HashOwner,HashApp,HashFunction,Average,Count\n").unwrap(),
            TraceFormat::Azure2019
        );
        assert_eq!(
            detect(b"app,func,end_timestamp,duration\n").unwrap(),
            TraceFormat::Azure2021
        );
        assert_eq!(detect(b"timestamp,function,duration_ms\n").unwrap(), TraceFormat::Csv);
        assert_eq!(detect(b"PAR1\x15\x04").unwrap(), TraceFormat::Csv);
        assert_eq!(
            detect(b"START RequestId: x\nREPORT RequestId: x\tDuration: 1 ms").unwrap(),
            TraceFormat::LambdaLogs
        );
        assert_eq!(
            detect(br#"{"type":"platform.report","record":{}}"#).unwrap(),
            TraceFormat::LambdaLogs
        );
    }

    #[test]
    fn refuses_empty_binary_and_unknown() {
        let e = detect(b"  \n").unwrap_err().to_string();
        assert!(e.contains("t.csv") && e.contains("empty"), "{e}");
        let e = detect(b"\x89PNG\r\n\x1a\n\xff\xfe").unwrap_err().to_string();
        assert!(e.contains("binary"), "{e}");
        let e = detect(b"a,b\0,c").unwrap_err().to_string();
        assert!(e.contains("NUL"), "{e}");
        let e = detect(b"name,value\n1,2\n").unwrap_err().to_string();
        assert!(e.contains("cannot tell") && e.contains("--trace-format"), "{e}");
    }

    #[test]
    fn parses_names() {
        assert_eq!("lambda-logs".parse::<TraceFormat>().unwrap(), TraceFormat::LambdaLogs);
        assert_eq!("parquet".parse::<TraceFormat>().unwrap(), TraceFormat::Csv);
        assert!("xml".parse::<TraceFormat>().unwrap_err().contains("azure2019"));
    }
}
