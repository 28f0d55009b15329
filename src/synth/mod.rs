//! Synthetic traces (`faascost generate`): seeded, byte-reproducible workloads written in the
//! Azure Functions 2019 layout or as a per-invocation CSV, so that every later stage can be
//! exercised without the public datasets.
//!
//! Pipeline role: this module produces trace *files*, which the readers in [`crate::trace`] then
//! read like any other trace. It never feeds the simulator directly, so a synthetic trace goes
//! through the same parsing and validation as a real one.
//!
//! Pieces:
//! - [`DurationDist`]: the `--duration-ms` distribution (`const:N`, `exp:MEAN`,
//!   `lognormal:MEDIAN,P99`), with exact quantiles for the Azure durations file.
//! - [`patterns`]: the arrival models `poisson`, `diurnal`, `bursty`, `periodic`, `steady-high`
//!   (per-minute expected rates; Poisson counts per minute; exact timestamps for timers).
//! - [`azure_like`]: `--like azure2019`, a workload whose functions, apps, triggers, rates,
//!   durations and memory follow the published characterization of the Azure Functions
//!   workload (Shahrad et al., "Serverless in the Wild", USENIX ATC 2020); every target figure
//!   and every assumption is listed there with its source.
//! - [`write`]: the Azure 2019 writer (three files per day, upstream names and schemas) and
//!   the CSV writer (`timestamp,function,duration_ms,memory_mb`, sorted by time); files are
//!   written to a hidden temporary file and renamed into place.
//!
//! Determinism: one master `StdRng::seed_from_u64(seed)` plans the workload; each function
//! and day then draws from its own generator derived from (seed, function, day) with
//! SplitMix64, so output does not depend on iteration order or thread count. Floats are
//! written with fixed decimals and nothing is iterated from a hash map, so the same seed gives
//! byte-identical files (with the same `rand` version: `StdRng`'s stream may change across
//! `rand` major versions).

pub mod azure_like;
pub mod patterns;
pub mod write;

use std::str::FromStr;

use rand::rngs::StdRng;
use rand::SeedableRng;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::trace::{FunctionId, Trigger};
use crate::units::{MINUTES_PER_DAY, MS_PER_MINUTE};
pub use patterns::{ArrivalModel, Pattern};

/// An error in a generation request (bad flag value or combination) or in writing the output.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A flag value is out of range or malformed.
    #[error("--{flag}: {problem}; expected {expected}")]
    Flag {
        /// The flag, without dashes.
        flag: &'static str,
        /// What is wrong.
        problem: String,
        /// What the flag accepts.
        expected: String,
    },
    /// Writing an output file failed.
    #[error("{path}: cannot write: {source}")]
    Io {
        /// The file or directory being written.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The output already exists and `--force` was not given.
    #[error("{path} already exists; pass --force to replace it or choose another --out")]
    Exists {
        /// The existing path.
        path: String,
    },
    /// The output exists and is not a regular file (a device, a FIFO, a directory).
    #[error("{path} is not a regular file; generate writes only regular files: choose another --out")]
    NotAFile {
        /// The path.
        path: String,
    },
}

impl SynthError {
    fn flag(flag: &'static str, problem: impl Into<String>, expected: impl Into<String>) -> Self {
        SynthError::Flag {
            flag,
            problem: problem.into(),
            expected: expected.into(),
        }
    }
}

/// The z-score of the 99th percentile of a standard normal distribution.
pub const Z_P99: f64 = 2.326_347_874_040_841;
/// The z-score used for the 0th and 100th percentiles written to Azure-style files: the
/// 0.1 % and 99.9 % quantiles (a continuous distribution has no finite extremes; the choice is
/// ours, labelled, not the dataset's).
pub const Z_EXTREME: f64 = 3.090_232_306_167_813;

/// The standard normal quantile of `p` (0 < p < 1).
pub fn normal_quantile(p: f64) -> f64 {
    // Normal::new(0, 1) cannot fail.
    Normal::new(0.0, 1.0).map(|n| n.inverse_cdf(p)).unwrap_or(0.0)
}

/// Per-invocation execution time, in ms, as given by `--duration-ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DurationDist {
    /// Every invocation takes exactly this long (`const:N`).
    Const {
        /// Duration in ms.
        duration_ms: f64,
    },
    /// Exponentially distributed (`exp:MEAN`).
    Exp {
        /// Mean duration in ms.
        mean_ms: f64,
    },
    /// Log-normal, given by its median and 99th percentile (`lognormal:MEDIAN,P99`).
    LogNormal {
        /// Median in ms.
        median_ms: f64,
        /// Standard deviation of ln(duration).
        sigma: f64,
    },
}

impl DurationDist {
    /// A log-normal from its median and 99th percentile: σ = ln(p99 / median) / z₀.₉₉.
    pub fn lognormal_from_p99(median_ms: f64, p99_ms: f64) -> Self {
        DurationDist::LogNormal {
            median_ms,
            sigma: (p99_ms / median_ms).ln() / Z_P99,
        }
    }

    /// The mean duration in ms (log-normal: median·e^{σ²/2}).
    pub fn mean_ms(&self) -> f64 {
        match *self {
            DurationDist::Const { duration_ms } => duration_ms,
            DurationDist::Exp { mean_ms } => mean_ms,
            DurationDist::LogNormal { median_ms, sigma } => median_ms * (sigma * sigma / 2.0).exp(),
        }
    }

    /// The quantile at probability `p` in (0, 1), in ms.
    pub fn quantile_ms(&self, p: f64) -> f64 {
        match *self {
            DurationDist::Const { duration_ms } => duration_ms,
            DurationDist::Exp { mean_ms } => -mean_ms * (1.0 - p).ln(),
            DurationDist::LogNormal { median_ms, sigma } => median_ms * (sigma * normal_quantile(p)).exp(),
        }
    }

    /// Draws one duration in ms (inverse-CDF sampling, one uniform per draw).
    pub fn sample_ms(&self, rng: &mut StdRng) -> f64 {
        use rand::RngExt;
        match *self {
            DurationDist::Const { duration_ms } => duration_ms,
            _ => {
                // u in (0, 1): never exactly 0, so the quantile is finite.
                let u: f64 = rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12);
                self.quantile_ms(u)
            }
        }
    }
}

impl std::fmt::Display for DurationDist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            DurationDist::Const { duration_ms } => write!(f, "const:{duration_ms}"),
            DurationDist::Exp { mean_ms } => write!(f, "exp:{mean_ms}"),
            DurationDist::LogNormal { median_ms, sigma } => {
                write!(f, "lognormal:{median_ms},{}", median_ms * (sigma * Z_P99).exp())
            }
        }
    }
}

impl FromStr for DurationDist {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "const:N, exp:MEAN or lognormal:MEDIAN,P99 (milliseconds, > 0)";
        let number = |t: &str, what: &str| -> Result<f64, String> {
            let v: f64 = t
                .trim()
                .parse()
                .map_err(|_| format!("{what} '{t}' is not a number; expected {EXPECTED}"))?;
            if !v.is_finite() || v <= 0.0 || v > 900_000.0 {
                return Err(format!(
                    "{what} {v} is out of range; expected a duration in ms > 0 and ≤ 900000 (15 minutes)"
                ));
            }
            Ok(v)
        };
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("'{s}' has no distribution name; expected {EXPECTED}"))?;
        match kind.trim() {
            "const" => Ok(DurationDist::Const {
                duration_ms: number(rest, "duration")?,
            }),
            "exp" => Ok(DurationDist::Exp {
                mean_ms: number(rest, "mean")?,
            }),
            "lognormal" => {
                let (median, p99) = rest
                    .split_once(',')
                    .ok_or_else(|| format!("'{s}' needs a median and a p99; expected {EXPECTED}"))?;
                let (median, p99) = (number(median, "median")?, number(p99, "p99")?);
                if p99 <= median {
                    return Err(format!(
                        "p99 {p99} must be above the median {median}; expected lognormal:MEDIAN,P99 with P99 > MEDIAN"
                    ));
                }
                Ok(DurationDist::lognormal_from_p99(median, p99))
            }
            other => Err(format!("unknown distribution '{other}'; expected {EXPECTED}")),
        }
    }
}

/// Allocated memory of one app: the mean of its per-minute averages and the spread of
/// ln(per-minute average) around it (0 = constant).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppMemory {
    /// Mean allocated memory in MB.
    pub average_mb: f64,
    /// σ of a log-normal spread of the per-minute averages; percentiles are
    /// average·exp(σ·z − σ²/2), so their mean stays `average_mb`.
    pub spread_sigma: f64,
}

impl AppMemory {
    /// Percentiles 1, 5, 25, 50, 75, 95, 99, 100 (the last at z = 3.09) in MB, as the Azure
    /// 2019 memory file lists them.
    pub fn percentiles_mb(&self) -> [f64; 8] {
        let s = self.spread_sigma;
        let mut out = [0.0; 8];
        for (slot, p) in out.iter_mut().zip([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]) {
            *slot = self.average_mb * (s * normal_quantile(p) - s * s / 2.0).exp();
        }
        out[7] = self.average_mb * (s * Z_EXTREME - s * s / 2.0).exp();
        out
    }
}

/// One synthetic app: the unit of memory allocation on Azure.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthApp {
    /// Hashed owner id.
    pub owner: String,
    /// Hashed app id.
    pub app: String,
    /// Allocated memory.
    pub memory: AppMemory,
}

/// One synthetic function: who it is, how it is invoked and how long it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthFunction {
    /// Identity (owner and app hashes shared with its app).
    pub id: FunctionId,
    /// Index of its app in [`SynthWorkload::apps`].
    pub app_index: usize,
    /// Trigger group written to the invocations file.
    pub trigger: Trigger,
    /// Arrival model.
    pub arrivals: ArrivalModel,
    /// Per-invocation execution time.
    pub duration: DurationDist,
    /// Name used in the CSV format.
    pub csv_name: String,
    /// Memory written in the CSV format's `memory_mb` column.
    pub memory_mb: u32,
}

/// A planned synthetic workload: everything needed to write it, before any arrival is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthWorkload {
    /// The seed everything is derived from.
    pub seed: u64,
    /// Length of the window in minutes (whole days for `--days`).
    pub window_minutes: u32,
    /// Apps, in generation order.
    pub apps: Vec<SynthApp>,
    /// Functions, in generation order (grouped by app).
    pub functions: Vec<SynthFunction>,
}

impl SynthWorkload {
    /// Number of (possibly partial) days the window spans: one Azure file triple per day.
    pub fn days(&self) -> u32 {
        self.window_minutes.div_ceil(MINUTES_PER_DAY)
    }

    /// Minutes covered by day `day` (0-based).
    pub fn minutes_in_day(&self, day: u32) -> u32 {
        (self.window_minutes - day * MINUTES_PER_DAY).min(MINUTES_PER_DAY)
    }

    /// Window length in ms.
    pub fn window_ms(&self) -> u64 {
        self.window_minutes as u64 * MS_PER_MINUTE
    }

    /// Expected number of invocations over the window (sum of the functions' mean rates).
    pub fn expected_invocations(&self) -> f64 {
        self.functions
            .iter()
            .map(|f| f.arrivals.mean_rate_per_min(self.window_minutes) * self.window_minutes as f64)
            .sum()
    }
}

/// A generation request for one pattern (everything `faascost generate` takes except the
/// output). `--like azure2019` is planned by [`azure_like::plan`] instead.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSpec {
    /// Arrival pattern shared by all functions.
    pub pattern: Pattern,
    /// Number of functions (each its own app).
    pub functions: usize,
    /// Window in minutes.
    pub window_minutes: u32,
    /// Mean invocation rate of each function, per minute.
    pub rate_per_min: f64,
    /// Per-invocation duration.
    pub duration: DurationDist,
    /// Configured (and allocated) memory of every function.
    pub memory_mb: u32,
    /// Seed.
    pub seed: u64,
}

/// Largest window accepted (14 days, the length of the Azure 2019 dataset) — a guard against
/// typos that would write gigabytes.
pub const MAX_WINDOW_MINUTES: u32 = 14 * MINUTES_PER_DAY;
/// Largest function count accepted.
pub const MAX_FUNCTIONS: usize = 1_000_000;

/// Checks the size flags shared by both planners.
pub fn check_size(functions: usize, window_minutes: u32) -> Result<(), SynthError> {
    if functions == 0 || functions > MAX_FUNCTIONS {
        return Err(SynthError::flag(
            "functions",
            format!("{functions} is out of range"),
            format!("1 to {MAX_FUNCTIONS}"),
        ));
    }
    if window_minutes == 0 || window_minutes > MAX_WINDOW_MINUTES {
        return Err(SynthError::flag(
            "days",
            format!("a window of {window_minutes} minutes is out of range"),
            "--days 1..14 or --hours 1..336",
        ));
    }
    Ok(())
}

/// Plans a single-pattern workload: `functions` functions, each its own app (trigger `timer`
/// for `periodic`, `http` otherwise — a labelled choice), all with the same rate, duration
/// distribution and memory.
pub fn plan_pattern(spec: &PatternSpec) -> Result<SynthWorkload, SynthError> {
    check_size(spec.functions, spec.window_minutes)?;
    if !(spec.rate_per_min.is_finite() && spec.rate_per_min > 0.0 && spec.rate_per_min <= 6.0e6) {
        return Err(SynthError::flag(
            "rate-per-s",
            format!("rate {} per minute is out of range", spec.rate_per_min),
            "a rate > 0 and ≤ 100000 per second",
        ));
    }
    if spec.pattern == Pattern::Periodic && spec.rate_per_min > MS_PER_MINUTE as f64 {
        return Err(SynthError::flag(
            "rate-per-s",
            format!(
                "a timer firing {} times a minute is faster than one per ms",
                spec.rate_per_min
            ),
            "at most 1000 per second for --pattern periodic",
        ));
    }
    if spec.memory_mb == 0 || spec.memory_mb > 32_768 {
        return Err(SynthError::flag(
            "memory-mb",
            format!("{} is out of range", spec.memory_mb),
            "1 to 32768 MB",
        ));
    }
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let mut apps = Vec::with_capacity(spec.functions);
    let mut functions = Vec::with_capacity(spec.functions);
    let width = digits(spec.functions);
    for i in 0..spec.functions {
        let owner = hash_id(spec.seed, 1, i as u64);
        let app = hash_id(spec.seed, 2, i as u64);
        let function = hash_id(spec.seed, 3, i as u64);
        let arrivals = ArrivalModel::new(spec.pattern, spec.rate_per_min, spec.window_minutes, &mut rng);
        apps.push(SynthApp {
            owner: owner.clone(),
            app: app.clone(),
            memory: AppMemory {
                average_mb: spec.memory_mb as f64,
                spread_sigma: 0.0,
            },
        });
        functions.push(SynthFunction {
            id: FunctionId { owner, app, function },
            app_index: i,
            trigger: if spec.pattern == Pattern::Periodic {
                Trigger::Timer
            } else {
                Trigger::Http
            },
            arrivals,
            duration: spec.duration,
            csv_name: format!("{}-{:0width$}", spec.pattern.name(), i),
            memory_mb: spec.memory_mb,
        });
    }
    Ok(SynthWorkload {
        seed: spec.seed,
        window_minutes: spec.window_minutes,
        apps,
        functions,
    })
}

/// Decimal digits needed to number `n` items from 0.
fn digits(n: usize) -> usize {
    (n.saturating_sub(1)).max(1).to_string().len()
}

/// SplitMix64: a fast, well-mixed 64-bit permutation (Steele, Lea & Flood 2014), used to
/// derive independent seeds and ids from (seed, stream, index).
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Mixes three words into one seed.
pub fn mix3(a: u64, b: u64, c: u64) -> u64 {
    splitmix64(splitmix64(splitmix64(a) ^ b) ^ c)
}

/// The generator of function `function` on day `day` for `seed`.
pub fn day_rng(seed: u64, function: usize, day: u32) -> StdRng {
    StdRng::seed_from_u64(mix3(seed, 0x5eed_0000_0000_0000 | function as u64, day as u64))
}

/// A 64-hex-digit id (the shape of the dataset's HMAC-SHA256 hashes) for (seed, kind, index).
pub fn hash_id(seed: u64, kind: u64, index: u64) -> String {
    let mut s = String::with_capacity(64);
    let mut x = mix3(seed, kind, index);
    for _ in 0..4 {
        x = splitmix64(x);
        s.push_str(&format!("{x:016x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_specs_parse() {
        assert_eq!(
            "const:250".parse::<DurationDist>().unwrap(),
            DurationDist::Const { duration_ms: 250.0 }
        );
        assert_eq!(
            "exp:80".parse::<DurationDist>().unwrap(),
            DurationDist::Exp { mean_ms: 80.0 }
        );
        let DurationDist::LogNormal { median_ms, sigma } = "lognormal:100,1000".parse::<DurationDist>().unwrap() else {
            panic!("not a lognormal")
        };
        // σ = ln(10) / 2.3263 = 0.98979.
        assert_eq!(median_ms, 100.0);
        assert!((sigma - 0.989_79).abs() < 1e-4, "{sigma}");
        for bad in [
            "",
            "const",
            "const:-1",
            "exp:x",
            "lognormal:100",
            "lognormal:100,50",
            "gamma:1",
        ] {
            let e = bad.parse::<DurationDist>().unwrap_err();
            assert!(e.contains("expected"), "{bad}: {e}");
        }
    }

    #[test]
    fn duration_quantiles_match_hand_figures() {
        // exp: median = mean·ln 2 = 100·0.693147 = 69.3147 ms.
        let e = DurationDist::Exp { mean_ms: 100.0 };
        assert!((e.quantile_ms(0.5) - 69.3147).abs() < 1e-3);
        // lognormal median 100, p99 1000: p99 recovered, mean = 100·e^{0.989785²/2} = 100·e^{0.489837} = 163.205 ms.
        let l = DurationDist::lognormal_from_p99(100.0, 1000.0);
        assert!((l.quantile_ms(0.99) - 1000.0).abs() < 1e-6);
        assert!((l.quantile_ms(0.5) - 100.0).abs() < 1e-9);
        assert!((l.mean_ms() - 163.205).abs() < 0.01, "{}", l.mean_ms());
    }

    #[test]
    fn sampled_mean_matches_distribution_mean() {
        // 20,000 draws: the standard error of an exp(100) mean is 100/√20000 = 0.71 ms; 4σ ≈ 3 ms.
        let mut rng = StdRng::seed_from_u64(7);
        let e = DurationDist::Exp { mean_ms: 100.0 };
        let n = 20_000;
        let mean = (0..n).map(|_| e.sample_ms(&mut rng)).sum::<f64>() / n as f64;
        assert!((mean - 100.0).abs() < 3.0, "{mean}");
    }

    #[test]
    fn memory_percentiles_are_monotone_and_centred() {
        let m = AppMemory {
            average_mb: 140.0,
            spread_sigma: 0.07,
        };
        let p = m.percentiles_mb();
        assert!(p.windows(2).all(|w| w[0] < w[1]), "{p:?}");
        // Median = 140·e^{−0.00245} = 139.66; max = 140·e^{0.07·3.0902 − 0.00245} = 140·e^{0.21386} = 173.38.
        assert!((p[3] - 139.66).abs() < 0.01, "{}", p[3]);
        assert!((p[7] - 173.38).abs() < 0.01, "{}", p[7]);
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(hash_id(1, 2, 3), hash_id(1, 2, 3));
        assert_ne!(hash_id(1, 2, 3), hash_id(1, 2, 4));
        assert_ne!(hash_id(1, 2, 3), hash_id(2, 2, 3));
        assert_eq!(hash_id(1, 2, 3).len(), 64);
    }
}

#[cfg(test)]
mod roundtrip_tests;
