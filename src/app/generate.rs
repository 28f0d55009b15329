//! `faascost generate`: checks the flags, plans a synthetic workload with [`crate::synth`]
//! (one pattern, or `--like azure2019`) and writes it as Azure 2019 files or a CSV trace.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cli::GenerateArgs;
use crate::synth::write::{estimated_bytes, write_azure2019, write_csv, CsvTarget, OutputFormat};
use crate::synth::{azure_like, plan_pattern, PatternSpec};
use crate::units::MINUTES_PER_DAY;

/// Runs `faascost generate`.
pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    if !(args.max_output_gb.is_finite() && args.max_output_gb > 0.0) {
        bail!(
            "--max-output-gb: {} is not a size; expected a positive number of GB",
            args.max_output_gb
        );
    }
    let window_minutes = match (args.days, args.hours) {
        (Some(d), _) => d.saturating_mul(MINUTES_PER_DAY),
        (None, Some(h)) => h.saturating_mul(60),
        (None, None) => MINUTES_PER_DAY,
    };
    let workload = match args.like.as_deref() {
        Some("azure2019") => azure_like::plan(args.functions, window_minutes, args.seed)?,
        Some(other) => bail!("--like: unknown dataset '{other}'; expected azure2019"),
        None => {
            let rate_per_min = match (args.rate_per_s, args.rate_per_min) {
                (Some(s), _) => s * 60.0,
                (None, Some(m)) => m,
                (None, None) => args.pattern.default_rate_per_min(),
            };
            plan_pattern(&PatternSpec {
                pattern: args.pattern,
                functions: args.functions,
                window_minutes,
                rate_per_min,
                duration: args.duration_ms,
                memory_mb: args.memory_mb,
                seed: args.seed,
            })?
        }
    };
    let estimate_bytes = estimated_bytes(&workload, args.format, args.timestamps);
    if estimate_bytes as f64 / 1e9 > args.max_output_gb {
        bail!(
            "--max-output-gb: the output would take about {:.3} GB ({estimate_bytes} bytes), more than the {} GB \
             allowed; lower --functions, --days or the rate, or raise --max-output-gb if the disk has room",
            estimate_bytes as f64 / 1e9,
            args.max_output_gb
        );
    }
    match args.format {
        OutputFormat::Azure2019 => {
            if args.out == Path::new("-") {
                bail!("--out -: azure2019 output is a directory of files; give a directory path");
            }
            let files = write_azure2019(&workload, &args.out, args.force)
                .with_context(|| format!("writing Azure 2019 files into '{}'", args.out.display()))?;
            eprintln!(
                "wrote {} functions in {} apps over {} minutes to {} ({} files)",
                workload.functions.len(),
                workload.apps.len(),
                workload.window_minutes,
                crate::report::sanitize::terminal(&args.out.display().to_string()),
                files.len()
            );
        }
        OutputFormat::Csv => {
            let target = if args.out == Path::new("-") {
                CsvTarget::Stdout
            } else {
                CsvTarget::File(args.out.clone())
            };
            let rows = write_csv(&workload, &target, args.timestamps, args.force)
                .with_context(|| format!("writing CSV trace '{}'", args.out.display()))?;
            if target != CsvTarget::Stdout {
                eprintln!(
                    "wrote {rows} invocations of {} functions over {} minutes to {}",
                    workload.functions.len(),
                    workload.window_minutes,
                    crate::report::sanitize::terminal(&args.out.display().to_string())
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    fn run(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
        let cli = Cli::try_parse_from(std::iter::once("faascost").chain(args.iter().copied()))?;
        let Command::Generate(g) = cli.command else {
            panic!("not generate")
        };
        super::run(&g)
    }

    #[test]
    fn csv_from_the_command_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("p.csv");
        let out_s = out.to_str().unwrap();
        // 2 timers every 10 s for one hour: 2 × 360 = 720 rows plus the header.
        run(&[
            "generate",
            "--pattern",
            "periodic",
            "--functions",
            "2",
            "--hours",
            "1",
            "--rate-per-s",
            "0.1",
            "--duration-ms",
            "const:20",
            "--out",
            out_s,
        ])
        .unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 721);
        // A second run without --force refuses to replace the file and names the fix.
        let e = run(&["generate", "--out", out_s]).unwrap_err();
        assert!(format!("{e:#}").contains("--force"), "{e:#}");
        run(&[
            "generate",
            "--hours",
            "1",
            "--rate-per-min",
            "1",
            "--force",
            "--out",
            out_s,
        ])
        .unwrap();
    }

    #[test]
    fn oversized_output_is_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("day");
        // 1,000 functions over a day take about 3.5 MB: more than 0.001 GB.
        let e = run(&[
            "generate",
            "--like",
            "azure2019",
            "--functions",
            "1000",
            "--format",
            "azure2019",
            "--max-output-gb",
            "0.001",
            "--out",
            out.to_str().unwrap(),
        ])
        .unwrap_err();
        assert!(format!("{e:#}").contains("--max-output-gb"), "{e:#}");
        assert!(!out.exists(), "nothing is written");
        let e = run(&["generate", "--max-output-gb", "0", "--out", out.to_str().unwrap()]).unwrap_err();
        assert!(format!("{e:#}").contains("positive"), "{e:#}");
    }

    #[test]
    fn azure_directory_from_the_command_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("day");
        run(&[
            "generate",
            "--like",
            "azure2019",
            "--functions",
            "40",
            "--hours",
            "2",
            "--format",
            "azure2019",
            "--out",
            out.to_str().unwrap(),
        ])
        .unwrap();
        let w = crate::trace::read_workload(&[out], &Default::default()).unwrap();
        assert_eq!(w.functions.len(), 40);
        assert_eq!(w.window_minutes(), 120);
    }

    #[test]
    fn bad_flags_are_refused_with_the_expected_values() {
        let cases: [(&[&str], &str); 6] = [
            (&["generate", "--rate-per-s=-1", "--out", "x.csv"], "a rate > 0"),
            (&["generate", "--days", "0", "--out", "x.csv"], "--days 1..14"),
            (&["generate", "--like", "aws", "--out", "x"], "expected azure2019"),
            (&["generate", "--format", "azure2019", "--out", "-"], "directory"),
            (
                &["generate", "--duration-ms", "lognormal:5", "--out", "x.csv"],
                "MEDIAN,P99",
            ),
            (
                &["generate", "--like", "azure2019", "--pattern", "bursty", "--out", "x"],
                "cannot be used",
            ),
        ];
        for (args, want) in cases {
            let e = format!("{:#}", run(args).unwrap_err());
            assert!(e.contains(want), "{args:?}: {e}");
        }
    }
}
