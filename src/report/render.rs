//! Output formats of a `Report` and the one place that dispatches them: `analyze` writes
//! `ANALYZE_FILES` and `faascost report --from report.json` re-renders any of them from the
//! loaded report, without re-simulating, byte for byte what `analyze` wrote.

use std::str::FromStr;

use super::model::Report;
use super::table::Width;

/// A rendering of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// report.json: the report itself.
    Json,
    /// report.md: for a pull-request comment or a job summary.
    Md,
    /// options.csv: one row per option, for spreadsheets.
    Csv,
    /// functions.csv: one row per function with its fit, for spreadsheets.
    FunctionsCsv,
    /// The terminal table (stdout only, no file).
    Table,
    /// report.html: one self-contained page with its charts inline.
    Html,
}

/// The files `analyze` writes, in this order.
pub const ANALYZE_FILES: [Format; 5] = [
    Format::Json,
    Format::Md,
    Format::Csv,
    Format::FunctionsCsv,
    Format::Html,
];

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "json" => Ok(Format::Json),
            "md" | "markdown" => Ok(Format::Md),
            "csv" => Ok(Format::Csv),
            "functions-csv" => Ok(Format::FunctionsCsv),
            "table" => Ok(Format::Table),
            "html" => Ok(Format::Html),
            other => Err(format!(
                "'{other}' is not a report format; use md, csv, functions-csv, html, table or json"
            )),
        }
    }
}

impl Format {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Md => "md",
            Format::Csv => "csv",
            Format::FunctionsCsv => "functions-csv",
            Format::Table => "table",
            Format::Html => "html",
        }
    }

    /// The file this format is written to in an output folder (`None`: terminal only).
    pub fn file_name(self) -> Option<&'static str> {
        match self {
            Format::Json => Some("report.json"),
            Format::Md => Some("report.md"),
            Format::Csv => Some("options.csv"),
            Format::FunctionsCsv => Some("functions.csv"),
            Format::Table => None,
            Format::Html => Some("report.html"),
        }
    }

    /// The report in this format. `width` and `wide` shape the table only.
    pub fn render(self, r: &Report, wide: bool, width: Width) -> String {
        match self {
            Format::Json => r.to_json(),
            Format::Md => super::markdown::render(r),
            Format::Csv => super::csv::options(r),
            Format::FunctionsCsv => super::csv::functions(r),
            Format::Table => super::table::options_summary(r, wide, width),
            Format::Html => super::html::render(r),
        }
    }
}

/// The files of `formats` for an output folder: (file name, contents).
pub fn files(r: &Report, formats: &[Format]) -> Vec<(&'static str, String)> {
    formats
        .iter()
        .filter_map(|f| f.file_name().map(|name| (name, f.render(r, false, Width::Unlimited))))
        .collect()
}
