//! Writers for synthetic workloads: the Azure Functions 2019 layout (three CSV files per day,
//! upstream names and column schemas, per the AzurePublicDataset `AzureFunctionsDataset2019.md`
//! and `../shared/reference/trace-formats.md`) and the generic per-invocation CSV
//! (`timestamp,function,duration_ms,memory_mb`, sorted by time, epoch ms or RFC 3339).
//!
//! Every file is written to a hidden temporary file next to its destination (`.NAME.tmp`,
//! which directory readers skip) and renamed into place, so a failed run never leaves a
//! half-written trace; an existing file is replaced only with `--force`.
//!
//! Differences from upstream, on purpose: every function appears in every day's invocation and
//! duration files (upstream lists a function only on days it ran), so a function's zero rate
//! stays visible; the memory file's `SampleCount` is 12 samples (one per 5 s) for each minute in
//! which the app had an invocation (ASSUMPTION: upstream samples loaded apps; we call an app
//! loaded in the minutes it ran); the 0th and 100th duration percentiles (and Minimum, Maximum)
//! are the distribution's 0.1 % and 99.9 % quantiles.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rayon::prelude::*;

use super::{day_rng, SynthError, SynthWorkload};
use crate::units::MINUTES_PER_DAY;

/// Output format of `faascost generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Azure Functions 2019 layout: a directory with three files per day.
    Azure2019,
    /// Per-invocation CSV.
    Csv,
}

impl FromStr for OutputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "azure2019" => Ok(OutputFormat::Azure2019),
            "csv" => Ok(OutputFormat::Csv),
            _ => Err(format!("unknown output format '{s}'; expected azure2019 or csv")),
        }
    }
}

/// How CSV timestamps are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampStyle {
    /// Milliseconds since the Unix epoch.
    #[default]
    EpochMs,
    /// RFC 3339 in UTC with milliseconds, e.g. `2019-07-15T00:00:01.250Z`.
    Rfc3339,
}

impl FromStr for TimestampStyle {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "epoch-ms" => Ok(TimestampStyle::EpochMs),
            "rfc3339" => Ok(TimestampStyle::Rfc3339),
            _ => Err(format!("unknown timestamp style '{s}'; expected epoch-ms or rfc3339")),
        }
    }
}

/// Wall-clock time of the window start in CSV output: 2019-07-15T00:00:00Z, the day whose
/// durations and memory the paper characterizes (Figures 7 and 8).
pub const START_EPOCH_MS: u64 = 1_563_148_800_000;

/// Most invocations a CSV trace may hold (every row is kept in memory to sort by time).
pub const MAX_CSV_ROWS: u64 = 20_000_000;

/// Functions whose rows are computed in parallel before being written in order.
const CHUNK: usize = 512;

/// The three file names of day `day` (1-based), upstream style.
pub fn azure_file_names(day: u32) -> [String; 3] {
    [
        format!("invocations_per_function_md.anon.d{day:02}.csv"),
        format!("function_durations_percentiles.anon.d{day:02}.csv"),
        format!("app_memory_percentiles.anon.d{day:02}.csv"),
    ]
}

/// Writes `w` as Azure 2019 files into directory `dir` (created if needed); returns the files.
pub fn write_azure2019(w: &SynthWorkload, dir: &Path, force: bool) -> Result<Vec<PathBuf>, SynthError> {
    if dir.is_file() {
        return Err(SynthError::Flag {
            flag: "out",
            problem: format!("{} is a file", dir.display()),
            expected: "a directory for --format azure2019 (one file triple per day)".into(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let mut written = Vec::new();
    for day in 0..w.days() {
        let names = azure_file_names(day + 1);
        let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
        for p in &paths {
            check_absent(p, force)?;
        }
        let minutes = w.minutes_in_day(day);
        let mut totals = vec![0u64; w.functions.len()];
        let mut active = vec![vec![false; minutes as usize]; w.apps.len()];
        write_atomic(&paths[0], |out| {
            write!(out, "HashOwner,HashApp,HashFunction,Trigger")?;
            for m in 1..=minutes {
                write!(out, ",{m}")?;
            }
            writeln!(out)?;
            for (chunk_index, chunk) in w.functions.chunks(CHUNK).enumerate() {
                let rows: Vec<(String, Vec<u32>)> = chunk
                    .par_iter()
                    .enumerate()
                    .map(|(k, f)| {
                        let i = chunk_index * CHUNK + k;
                        let mut rng = day_rng(w.seed, i, day);
                        let counts = f
                            .arrivals
                            .arrivals(day * MINUTES_PER_DAY, minutes, false, &mut rng)
                            .counts;
                        let mut row = String::with_capacity(200 + counts.len() * 2);
                        row.push_str(&format!(
                            "{},{},{},{}",
                            f.id.owner,
                            f.id.app,
                            f.id.function,
                            f.trigger.name()
                        ));
                        for c in &counts {
                            row.push(',');
                            row.push_str(&c.to_string());
                        }
                        row.push('\n');
                        (row, counts)
                    })
                    .collect();
                for (k, (row, counts)) in rows.into_iter().enumerate() {
                    let f = &w.functions[chunk_index * CHUNK + k];
                    out.write_all(row.as_bytes())?;
                    totals[chunk_index * CHUNK + k] = counts.iter().map(|&c| c as u64).sum();
                    for (slot, &c) in active[f.app_index].iter_mut().zip(&counts) {
                        *slot |= c > 0;
                    }
                }
            }
            Ok(())
        })?;
        write_atomic(&paths[1], |out| {
            writeln!(
                out,
                "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,\
                 percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,\
                 percentile_Average_99,percentile_Average_100"
            )?;
            for (f, total) in w.functions.iter().zip(&totals) {
                let d = &f.duration;
                let q: Vec<f64> = [0.001, 0.01, 0.25, 0.5, 0.75, 0.99, 0.999]
                    .iter()
                    .map(|&p| d.quantile_ms(p))
                    .collect();
                writeln!(
                    out,
                    "{},{},{},{:.3},{},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3}",
                    f.id.owner,
                    f.id.app,
                    f.id.function,
                    d.mean_ms(),
                    total,
                    q[0],
                    q[6],
                    q[0],
                    q[1],
                    q[2],
                    q[3],
                    q[4],
                    q[5],
                    q[6]
                )?;
            }
            Ok(())
        })?;
        write_atomic(&paths[2], |out| {
            writeln!(
                out,
                "HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,\
                 AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,\
                 AverageAllocatedMb_pct99,AverageAllocatedMb_pct100"
            )?;
            for (app, minutes_on) in w.apps.iter().zip(&active) {
                let samples = 12 * minutes_on.iter().filter(|&&a| a).count();
                let p = app.memory.percentiles_mb();
                writeln!(
                    out,
                    "{},{},{},{:.2},{:.2},{:.2},{:.2},{:.2},{:.2},{:.2},{:.2},{:.2}",
                    app.owner, app.app, samples, app.memory.average_mb, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
                )?;
            }
            Ok(())
        })?;
        written.extend(paths);
    }
    Ok(written)
}

/// Decimal digits of `n`.
fn digits(n: u64) -> u64 {
    n.checked_ilog10().map_or(1, |d| d as u64 + 1)
}

/// The bytes `w` would take in `format`, estimated before anything is drawn: exact for names,
/// headers and column counts, with each per-minute count or CSV duration taken at the digits of
/// its function's mean (heavy-tailed minutes write a few more). Used to refuse oversized output
/// before writing.
pub fn estimated_bytes(w: &SynthWorkload, format: OutputFormat, style: TimestampStyle) -> u64 {
    match format {
        OutputFormat::Azure2019 => (0..w.days())
            .map(|day| {
                let minutes = w.minutes_in_day(day) as u64;
                let header = 38 + (1..=minutes).map(|m| 1 + digits(m)).sum::<u64>() + 1;
                let invocations: u64 = w
                    .functions
                    .iter()
                    .map(|f| {
                        let ids = (f.id.owner.len() + f.id.app.len() + f.id.function.len()) as u64;
                        let mean = f.arrivals.mean_rate_per_min(w.window_minutes).round() as u64;
                        ids + f.trigger.name().len() as u64 + 4 + minutes * (1 + digits(mean))
                    })
                    .sum();
                // Durations: three ids and eleven numbers of about ten characters; memory: two
                // ids and ten numbers.
                let durations: u64 = w
                    .functions
                    .iter()
                    .map(|f| (f.id.owner.len() + f.id.app.len() + f.id.function.len()) as u64 + 14 + 110)
                    .sum();
                let memory: u64 = w
                    .apps
                    .iter()
                    .map(|a| (a.owner.len() + a.app.len()) as u64 + 12 + 90)
                    .sum();
                header + invocations + durations + memory + 500
            })
            .sum(),
        OutputFormat::Csv => {
            let stamp = match style {
                TimestampStyle::EpochMs => digits(START_EPOCH_MS + w.window_ms()),
                TimestampStyle::Rfc3339 => 24,
            };
            let rows: f64 = w
                .functions
                .iter()
                .map(|f| {
                    let n = f.arrivals.mean_rate_per_min(w.window_minutes) * w.window_minutes as f64;
                    let duration = digits(f.duration.mean_ms() as u64) + 4;
                    let row = stamp + f.csv_name.len() as u64 + duration + digits(f.memory_mb as u64) + 4;
                    n * row as f64
                })
                .sum();
            41 + rows.round() as u64
        }
    }
}

/// Where CSV output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvTarget {
    /// A file (written atomically).
    File(PathBuf),
    /// Standard output (`--out -`).
    Stdout,
}

/// Writes `w` as a per-invocation CSV sorted by time (ties by function order); returns the
/// number of invocations written.
pub fn write_csv(w: &SynthWorkload, target: &CsvTarget, style: TimestampStyle, force: bool) -> Result<u64, SynthError> {
    let expected = w.expected_invocations();
    if expected > MAX_CSV_ROWS as f64 {
        return Err(SynthError::Flag {
            flag: "format",
            problem: format!("about {expected:.0} invocations would be written one row each"),
            expected: format!(
                "at most {MAX_CSV_ROWS} rows in csv: lower the rate, functions or window, or use --format azure2019 \
                 (per-minute counts)"
            ),
        });
    }
    let rows = csv_rows(w);
    let body = |out: &mut dyn Write| -> std::io::Result<()> {
        writeln!(out, "timestamp,function,duration_ms,memory_mb")?;
        for &(t, i, duration_ms) in &rows {
            let f = &w.functions[i];
            let ts = START_EPOCH_MS + t;
            match style {
                TimestampStyle::EpochMs => write!(out, "{ts}")?,
                TimestampStyle::Rfc3339 => out.write_all(rfc3339_ms(ts).as_bytes())?,
            }
            writeln!(out, ",{},{duration_ms:.3},{}", f.csv_name, f.memory_mb)?;
        }
        out.flush()
    };
    match target {
        CsvTarget::Stdout => {
            let stdout = std::io::stdout();
            let mut lock = BufWriter::new(stdout.lock());
            body(&mut lock).map_err(|e| io_err(Path::new("<stdout>"), e))?;
        }
        CsvTarget::File(path) => {
            check_absent(path, force)?;
            write_atomic(path, |out| body(out))?;
        }
    }
    Ok(rows.len() as u64)
}

/// Every invocation as (ms from window start, function index, duration ms), sorted.
fn csv_rows(w: &SynthWorkload) -> Vec<(u64, usize, f64)> {
    let per_function: Vec<Vec<(u64, usize, f64)>> = w
        .functions
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let mut rows = Vec::new();
            for day in 0..w.days() {
                let mut rng = day_rng(w.seed, i, day);
                let a = f
                    .arrivals
                    .arrivals(day * MINUTES_PER_DAY, w.minutes_in_day(day), true, &mut rng);
                for t in a.times.unwrap_or_default() {
                    rows.push((t, i, f.duration.sample_ms(&mut rng)));
                }
            }
            rows
        })
        .collect();
    let mut rows: Vec<(u64, usize, f64)> = per_function.into_iter().flatten().collect();
    rows.sort_by_key(|a| (a.0, a.1));
    rows
}

/// Formats epoch milliseconds as RFC 3339 UTC with milliseconds.
pub fn rfc3339_ms(epoch_ms: u64) -> String {
    let secs = epoch_ms / 1_000;
    let (days, day_secs) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        day_secs / 3_600,
        day_secs / 60 % 60,
        day_secs % 60,
        epoch_ms % 1_000
    )
}

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y, m, d)
}

fn io_err(path: &Path, source: std::io::Error) -> SynthError {
    SynthError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn check_absent(path: &Path, force: bool) -> Result<(), SynthError> {
    // Never replace a device node, a FIFO or a directory, even with --force.
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_file() {
            return Err(SynthError::NotAFile {
                path: path.display().to_string(),
            });
        }
    }
    if path.exists() && !force {
        return Err(SynthError::Exists {
            path: path.display().to_string(),
        });
    }
    Ok(())
}

/// Writes `path` through a hidden temporary file in the same directory, renamed on success
/// ([`crate::atomic`]).
fn write_atomic(path: &Path, body: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> Result<(), SynthError> {
    let result = (|| {
        let (file, tmp) = crate::atomic::temporary_beside(path)?.into_parts();
        let mut out = BufWriter::with_capacity(1 << 20, file);
        body(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        tmp.persist(path).map_err(|e| e.error)
    })();
    result.map_err(|e| io_err(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_of_known_instants() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(START_EPOCH_MS), "2019-07-15T00:00:00.000Z");
        // 2020-02-29T23:59:59.999Z = 1583020799999 ms (a leap day).
        assert_eq!(rfc3339_ms(1_583_020_799_999), "2020-02-29T23:59:59.999Z");
    }

    #[test]
    fn oversized_csv_is_refused_before_generating() {
        // 1,000/s for 6 h = 21.6 M rows > 20 M.
        let w = crate::synth::plan_pattern(&crate::synth::PatternSpec {
            pattern: crate::synth::Pattern::SteadyHigh,
            functions: 1,
            window_minutes: 360,
            rate_per_min: 60_000.0,
            duration: crate::synth::DurationDist::Const { duration_ms: 1.0 },
            memory_mb: 128,
            seed: 1,
        })
        .unwrap();
        assert!((w.expected_invocations() - 21_600_000.0).abs() < 1.0);
        let e = write_csv(&w, &CsvTarget::Stdout, TimestampStyle::EpochMs, false).unwrap_err();
        assert!(e.to_string().contains("--format azure2019"), "{e}");
    }

    #[test]
    fn size_estimate_is_within_a_quarter_of_the_written_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let like = crate::synth::azure_like::plan(300, 2 * MINUTES_PER_DAY, 3).unwrap();
        let files = write_azure2019(&like, &dir.path().join("az"), false).unwrap();
        let written: u64 = files.iter().map(|p| std::fs::metadata(p).unwrap().len()).sum();
        let est = estimated_bytes(&like, OutputFormat::Azure2019, TimestampStyle::EpochMs);
        assert!((est as f64 / written as f64 - 1.0).abs() < 0.25, "{est} vs {written}");
        let poisson = crate::synth::plan_pattern(&crate::synth::PatternSpec {
            pattern: crate::synth::Pattern::Poisson,
            functions: 3,
            window_minutes: 120,
            rate_per_min: 30.0,
            duration: crate::synth::DurationDist::Const { duration_ms: 250.0 },
            memory_mb: 512,
            seed: 2,
        })
        .unwrap();
        for style in [TimestampStyle::EpochMs, TimestampStyle::Rfc3339] {
            let path = dir.path().join(format!("p-{}.csv", style as u8));
            write_csv(&poisson, &CsvTarget::File(path.clone()), style, false).unwrap();
            let written = std::fs::metadata(&path).unwrap().len();
            let est = estimated_bytes(&poisson, OutputFormat::Csv, style);
            assert!((est as f64 / written as f64 - 1.0).abs() < 0.25, "{est} vs {written}");
        }
    }

    #[test]
    fn file_names_follow_upstream() {
        assert_eq!(
            azure_file_names(3),
            [
                "invocations_per_function_md.anon.d03.csv".to_string(),
                "function_durations_percentiles.anon.d03.csv".to_string(),
                "app_memory_percentiles.anon.d03.csv".to_string(),
            ]
        );
    }

    #[test]
    fn atomic_write_refuses_to_clobber_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, "keep").unwrap();
        let e = check_absent(&p, false).unwrap_err().to_string();
        assert!(e.contains("--force"), "{e}");
        // Not even --force replaces a device node or a directory.
        let e = check_absent(Path::new("/dev/null"), true).unwrap_err().to_string();
        assert!(e.contains("/dev/null is not a regular file"), "{e}");
        assert!(check_absent(dir.path(), true).is_err());
        write_atomic(&p, |o| o.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
