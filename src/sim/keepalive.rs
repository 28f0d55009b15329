//! Keep-alive policies for the serverless engine, behind the [`KeepAlivePolicy`] trait: what an
//! instance does when it goes idle — stay warm for a fixed window (`fixed:10m`), the platform's
//! default (`provider`), unload at once (`none`), or the hybrid histogram policy of Shahrad et
//! al., "Serverless in the Wild" (USENIX ATC'20, §4.2), as described in
//! ../shared/reference/anchors.md §3.4 and implemented in dslab-faas `hybrid_histogram.rs`.
//!
//! Hybrid policy, per app: an idle-time histogram with 1-minute bins over a 4-hour range.
//! The idle time of an invocation is its arrival minus the end of the app's previous
//! execution. When the histogram is representative (CV of the bin counts ≥ 2), the instance is
//! unloaded after each execution and pre-warmed at the 5th percentile (head bin × 0.9), then
//! kept until the 99th percentile ((tail bin + 1) × 1.1). When it is not (CV < 2), the policy
//! keeps the instance for the whole range with no pre-warm. When half or more of the idle times
//! fall beyond the range, the paper forecasts the next idle time with ARIMA; here the forecast is
//! the last observed idle time (ARIMA(0,1,0), the random-walk model), with the paper's margins:
//! pre-warm at forecast × 0.85 and a window of forecast × 0.15 × 2.

use std::fmt;
use std::str::FromStr;

use crate::units::{MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND};

/// What an instance does after it goes idle at time `t`: unloaded until `t + prewarm_ms`,
/// then warm (loaded, idle) until `t + prewarm_ms + keep_alive_ms`, then evicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAliveDecision {
    /// Time unloaded before the pre-warm (0 = stay loaded).
    pub prewarm_ms: u64,
    /// Time kept warm after the pre-warm.
    pub keep_alive_ms: u64,
}

/// A keep-alive policy: one instance per simulated app/function.
pub trait KeepAlivePolicy: Send {
    /// Called at every arrival with the end of the app's previous execution (if any), so
    /// learning policies can record idle times.
    fn observe_arrival(&mut self, arrival_ms: u64, previous_end_ms: Option<u64>);
    /// Called when an instance goes idle at `now_ms`.
    fn on_idle(&mut self, now_ms: u64) -> KeepAliveDecision;
    /// The window of a policy that learns nothing and never pre-warms (`observe_arrival` does
    /// nothing, `on_idle` always keeps an instance warm this long): the engine then skips both
    /// calls. `None` for any other policy.
    fn fixed_window_ms(&self) -> Option<u64> {
        None
    }
}

/// The policy named on the command line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeepAliveSpec {
    /// Keep warm for a fixed window.
    Fixed {
        /// Window length.
        keep_alive_ms: u64,
    },
    /// The platform's default window.
    Provider,
    /// Evict as soon as idle.
    None,
    /// The hybrid histogram policy.
    Hybrid(HybridParams),
}

impl KeepAliveSpec {
    /// Builds the policy for one app, given the platform's default window.
    pub fn build(&self, provider_keep_alive_ms: u64) -> Box<dyn KeepAlivePolicy> {
        match *self {
            KeepAliveSpec::Fixed { keep_alive_ms } => Box::new(FixedKeepAlive { keep_alive_ms }),
            KeepAliveSpec::Provider => Box::new(FixedKeepAlive {
                keep_alive_ms: provider_keep_alive_ms,
            }),
            KeepAliveSpec::None => Box::new(FixedKeepAlive { keep_alive_ms: 0 }),
            KeepAliveSpec::Hybrid(p) => Box::new(HybridHistogram::new(p)),
        }
    }

    /// A label for reports, with the provider window resolved.
    pub fn label(&self, provider_keep_alive_ms: u64) -> String {
        match *self {
            KeepAliveSpec::Fixed { keep_alive_ms } => format!("fixed:{}", format_duration(keep_alive_ms)),
            KeepAliveSpec::Provider => format!("provider (fixed:{})", format_duration(provider_keep_alive_ms)),
            KeepAliveSpec::None => "none".into(),
            KeepAliveSpec::Hybrid(p) => format!(
                "hybrid (range {}, bin {}, head p{}, tail p{}, cv >= {}, oob < {})",
                format_duration(p.range_ms),
                format_duration(p.bin_ms),
                p.head_pct,
                p.tail_pct,
                p.cv_threshold,
                p.oob_threshold
            ),
        }
    }
}

impl fmt::Display for KeepAliveSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeepAliveSpec::Provider => f.write_str("provider"),
            other => f.write_str(&other.label(0)),
        }
    }
}

impl FromStr for KeepAliveSpec {
    type Err = String;
    /// `600s`, `10m`, `2h`, `1500ms`, `fixed:10m`, `none`, `provider`, `hybrid`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "none" => Ok(KeepAliveSpec::None),
            "provider" | "default" => Ok(KeepAliveSpec::Provider),
            "hybrid" => Ok(KeepAliveSpec::Hybrid(HybridParams::default())),
            _ => {
                let d = t.strip_prefix("fixed:").unwrap_or(&t);
                parse_duration_ms(d)
                    .map(|keep_alive_ms| KeepAliveSpec::Fixed { keep_alive_ms })
                    .map_err(|e| {
                        format!("keep-alive '{s}': {e}; expected e.g. 600s, 10m, fixed:10m, none, provider or hybrid")
                    })
            }
        }
    }
}

/// Parses `1500ms`, `600s`, `10m`, `2h` (a bare number is seconds).
pub fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, unit_ms) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, MS_PER_SECOND)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, MS_PER_MINUTE)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, MS_PER_HOUR)
    } else {
        (t, MS_PER_SECOND)
    };
    let v: f64 = num.trim().parse().map_err(|_| format!("'{text}' is not a duration"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(format!("'{text}' is not a non-negative duration"));
    }
    let ms = v * unit_ms as f64;
    // A year is far beyond any keep-alive; larger values would overflow time arithmetic.
    if ms > 365.0 * 24.0 * MS_PER_HOUR as f64 {
        return Err(format!(
            "'{text}' is longer than a year; give a keep-alive of at most 8760h"
        ));
    }
    Ok(ms.round() as u64)
}

/// Formats ms as the shortest exact unit (`10m`, `90s`, `1500ms`).
pub fn format_duration(ms: u64) -> String {
    if ms > 0 && ms.is_multiple_of(MS_PER_HOUR) {
        format!("{}h", ms / MS_PER_HOUR)
    } else if ms > 0 && ms.is_multiple_of(MS_PER_MINUTE) {
        format!("{}m", ms / MS_PER_MINUTE)
    } else if ms.is_multiple_of(MS_PER_SECOND) {
        format!("{}s", ms / MS_PER_SECOND)
    } else {
        format!("{ms}ms")
    }
}

/// A fixed keep-alive window (TTL); 0 evicts at once.
#[derive(Debug, Clone, Copy)]
pub struct FixedKeepAlive {
    /// Window length.
    pub keep_alive_ms: u64,
}

impl KeepAlivePolicy for FixedKeepAlive {
    fn observe_arrival(&mut self, _arrival_ms: u64, _previous_end_ms: Option<u64>) {}
    fn on_idle(&mut self, _now_ms: u64) -> KeepAliveDecision {
        KeepAliveDecision {
            prewarm_ms: 0,
            keep_alive_ms: self.keep_alive_ms,
        }
    }
    fn fixed_window_ms(&self) -> Option<u64> {
        Some(self.keep_alive_ms)
    }
}

/// Parameters of the hybrid histogram policy (defaults: the paper's and dslab's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HybridParams {
    /// Histogram range (4 hours).
    pub range_ms: u64,
    /// Bin width (1 minute).
    pub bin_ms: u64,
    /// Pre-warm percentile (5).
    pub head_pct: f64,
    /// Keep-alive percentile (99).
    pub tail_pct: f64,
    /// Representative when the CV of bin counts is at least this (2).
    pub cv_threshold: f64,
    /// Out-of-bound mode when this share of idle times exceeds the range (0.5).
    pub oob_threshold: f64,
    /// Histogram margin (10 %).
    pub hist_margin: f64,
    /// Forecast margin in out-of-bound mode (15 %).
    pub forecast_margin: f64,
}

impl Default for HybridParams {
    fn default() -> Self {
        HybridParams {
            range_ms: 4 * MS_PER_HOUR,
            bin_ms: MS_PER_MINUTE,
            head_pct: 5.0,
            tail_pct: 99.0,
            cv_threshold: 2.0,
            oob_threshold: 0.5,
            hist_margin: 0.1,
            forecast_margin: 0.15,
        }
    }
}

/// The hybrid histogram policy's state for one app.
#[derive(Debug, Clone)]
pub struct HybridHistogram {
    params: HybridParams,
    bins: Vec<u64>,
    in_range: u64,
    out_of_range: u64,
    sum_sq: f64,
    last_idle_ms: Option<u64>,
}

impl HybridHistogram {
    /// An empty histogram.
    pub fn new(params: HybridParams) -> Self {
        let n = (params.range_ms / params.bin_ms.max(1)).max(2) as usize;
        HybridHistogram {
            params,
            bins: vec![0; n],
            in_range: 0,
            out_of_range: 0,
            sum_sq: 0.0,
            last_idle_ms: None,
        }
    }

    /// Records one idle time.
    pub fn record(&mut self, idle_ms: u64) {
        self.last_idle_ms = Some(idle_ms);
        let bin = (idle_ms / self.params.bin_ms) as usize;
        if bin < self.bins.len() {
            let c = self.bins[bin] as f64;
            self.sum_sq += 2.0 * c + 1.0;
            self.bins[bin] += 1;
            self.in_range += 1;
        } else {
            self.out_of_range += 1;
        }
    }

    /// Coefficient of variation of the bin counts (sample standard deviation / mean).
    pub fn cv(&self) -> f64 {
        let n = self.bins.len() as f64;
        if self.in_range == 0 {
            return 0.0;
        }
        let mean = self.in_range as f64 / n;
        let var = ((self.sum_sq - n * mean * mean) / (n - 1.0)).max(0.0);
        var.sqrt() / mean
    }

    /// Index of the first bin at which the cumulative share reaches `pct` %.
    pub fn percentile_bin(&self, pct: f64) -> usize {
        let mut acc = 0u64;
        for (i, &c) in self.bins.iter().enumerate() {
            acc += c;
            if acc as f64 / self.in_range as f64 >= pct / 100.0 {
                return i;
            }
        }
        self.bins.len() - 1
    }

    fn oob_rate(&self) -> f64 {
        let total = self.in_range + self.out_of_range;
        if total == 0 {
            0.0
        } else {
            self.out_of_range as f64 / total as f64
        }
    }
}

impl KeepAlivePolicy for HybridHistogram {
    fn observe_arrival(&mut self, arrival_ms: u64, previous_end_ms: Option<u64>) {
        if let Some(end) = previous_end_ms {
            self.record(arrival_ms.saturating_sub(end));
        }
    }

    fn on_idle(&mut self, _now_ms: u64) -> KeepAliveDecision {
        let p = self.params;
        if self.oob_rate() >= p.oob_threshold {
            // ARIMA replaced by the random-walk forecast: the last idle time.
            let forecast = self.last_idle_ms.unwrap_or(p.range_ms) as f64;
            return KeepAliveDecision {
                prewarm_ms: (forecast * (1.0 - p.forecast_margin)) as u64,
                keep_alive_ms: (forecast * p.forecast_margin * 2.0).ceil() as u64,
            };
        }
        if self.cv() < p.cv_threshold {
            return KeepAliveDecision {
                prewarm_ms: 0,
                keep_alive_ms: p.range_ms,
            };
        }
        let head = self.percentile_bin(p.head_pct) as f64;
        let tail = self.percentile_bin(p.tail_pct) as f64;
        let prewarm = (head * p.bin_ms as f64 * (1.0 - p.hist_margin)).round() as u64;
        let end = ((tail + 1.0) * p.bin_ms as f64 * (1.0 + p.hist_margin)).round() as u64;
        KeepAliveDecision {
            prewarm_ms: prewarm,
            keep_alive_ms: end.saturating_sub(prewarm),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_keep_alive_is_refused() {
        assert!(parse_duration_ms("1e17s").unwrap_err().contains("longer than a year"));
        assert_eq!(parse_duration_ms("8760h").unwrap(), 365 * 24 * 3_600_000);
    }

    #[test]
    fn parses_policies() {
        let ten = KeepAliveSpec::Fixed { keep_alive_ms: 600_000 };
        assert_eq!("600s".parse::<KeepAliveSpec>().unwrap(), ten);
        assert_eq!("10m".parse::<KeepAliveSpec>().unwrap(), ten);
        assert_eq!("fixed:10m".parse::<KeepAliveSpec>().unwrap(), ten);
        assert_eq!(
            "fixed:1500ms".parse::<KeepAliveSpec>().unwrap(),
            KeepAliveSpec::Fixed { keep_alive_ms: 1500 }
        );
        assert_eq!("none".parse::<KeepAliveSpec>().unwrap(), KeepAliveSpec::None);
        assert_eq!("provider".parse::<KeepAliveSpec>().unwrap(), KeepAliveSpec::Provider);
        assert!(matches!(
            "hybrid".parse::<KeepAliveSpec>().unwrap(),
            KeepAliveSpec::Hybrid(_)
        ));
        let err = "ten minutes".parse::<KeepAliveSpec>().unwrap_err();
        assert!(err.contains("expected"), "{err}");
        assert_eq!(format_duration(600_000), "10m");
        assert_eq!(format_duration(7_200_000), "2h");
    }

    #[test]
    fn fixed_and_none() {
        let mut f = KeepAliveSpec::Provider.build(1_200_000);
        assert_eq!(f.on_idle(5).keep_alive_ms, 1_200_000);
        let mut n = KeepAliveSpec::None.build(1_200_000);
        assert_eq!(
            n.on_idle(5),
            KeepAliveDecision {
                prewarm_ms: 0,
                keep_alive_ms: 0
            }
        );
    }

    #[test]
    fn hybrid_uncertain_keeps_whole_range() {
        let mut h = HybridHistogram::new(HybridParams::default());
        // No data: CV 0 < 2 → keep for the 4-hour range, no pre-warm.
        assert_eq!(
            h.on_idle(0),
            KeepAliveDecision {
                prewarm_ms: 0,
                keep_alive_ms: 4 * MS_PER_HOUR
            }
        );
    }

    #[test]
    fn hybrid_periodic_app_prewarms_before_the_next_call() {
        // An app idle for exactly 30.5 minutes between calls: all counts in bin 30.
        let mut h = HybridHistogram::new(HybridParams::default());
        for i in 0..20u64 {
            h.observe_arrival(i * 10_000_000 + 1_830_000, Some(i * 10_000_000));
        }
        // 240 bins, one holds 20: mean 1/12, sample sd = sqrt((400 - 240/144)/239) = 1.2910 → CV 15.49.
        assert!((h.cv() - 15.4919).abs() < 1e-3, "{}", h.cv());
        let d = h.on_idle(0);
        // Head = tail = bin 30: pre-warm 30 × 60 s × 0.9 = 1,620 s; end (31 × 60 s) × 1.1 = 2,046 s.
        assert_eq!(d.prewarm_ms, 1_620_000);
        assert_eq!(d.keep_alive_ms, 2_046_000 - 1_620_000);
    }

    #[test]
    fn hybrid_out_of_bound_uses_last_idle_time() {
        let mut h = HybridHistogram::new(HybridParams::default());
        h.observe_arrival(5 * MS_PER_HOUR, Some(0));
        let d = h.on_idle(0);
        // Forecast 5 h: pre-warm 0.85 × 5 h = 15,300 s; window 0.3 × 5 h = 5,400 s.
        assert_eq!(d.prewarm_ms, 15_300_000);
        assert_eq!(d.keep_alive_ms, 5_400_000);
    }
}
