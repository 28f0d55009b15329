//! `faascost report --from report.json`: loads a report (schema-checked by `Report::load`) and
//! re-renders it without re-simulating — one format on stdout, or the files `analyze` writes into
//! a folder, byte for byte, written as one atomic set.

use anyhow::{bail, Context};
use std::io::Write;
use std::process::ExitCode;

use crate::cli::ReportArgs;
use crate::report::model::Report;
use crate::report::render::{files, Format, ANALYZE_FILES};
use crate::report::table::Width;
use crate::report::write::write_set;

/// Runs `report`.
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let report = Report::load(&args.from)?;
    match &args.out {
        None => {
            let format = match args.format.as_slice() {
                [] => Format::Table,
                [one] => *one,
                _ => bail!("--format takes one format when printing to stdout; add --out DIR to write several files"),
            };
            let text = format.render(&report, args.wide, Width::for_stdout(args.wide));
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .context("writing to stdout")?;
        }
        Some(dir) => {
            let formats: &[Format] = if args.format.is_empty() {
                &ANALYZE_FILES
            } else {
                &args.format
            };
            if let Some(t) = formats.iter().find(|f| f.file_name().is_none()) {
                bail!(
                    "--format {} prints to the terminal and has no file; drop it or drop --out",
                    t.name()
                );
            }
            let json_target = dir.join("report.json");
            if formats.contains(&Format::Json)
                && json_target
                    .canonicalize()
                    .ok()
                    .is_some_and(|t| args.from.canonicalize().ok() == Some(t))
            {
                bail!(
                    "{} is the report being read; re-render the other files in place with --format md,csv,html, \
                     or choose another --out",
                    json_target.display()
                );
            }
            let set: Vec<_> = files(&report, formats)
                .into_iter()
                .map(|(name, text)| (dir.join(name), text.into_bytes()))
                .collect();
            write_set(&set, std::slice::from_ref(&args.from))?;
            let names: Vec<String> = set.iter().map(|(p, _)| p.display().to_string()).collect();
            eprintln!("wrote {}", crate::report::sanitize::terminal(&names.join(", ")));
        }
    }
    Ok(ExitCode::SUCCESS)
}
