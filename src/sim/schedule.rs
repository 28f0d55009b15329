//! Provisioned-concurrency schedules for the serverless engine: a constant level (`10`) or a
//! time-of-day schedule (`08:00-20:00=10,else=2`, ranges may wrap midnight), evaluated on the
//! trace clock modulo one day (UTC for epoch traces; minute 0 = 00:00 for Azure 2019 days).
//! Requests beyond the provisioned level spill over to on-demand instances (AWS Lambda pricing
//! page: "concurrency above the PC level is billed at on-demand rates", pricing-facts S12).

use std::str::FromStr;

use crate::units::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE};
use crate::usage::ProvisionedPeriod;

/// Provisioned concurrency over time, per function (or app).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProvisionedSchedule {
    /// `(from, to, level)` ranges in ms of the day; `from > to` wraps midnight. First match wins.
    pub ranges: Vec<(u64, u64, u32)>,
    /// Level outside every range (the whole day for a constant schedule).
    pub otherwise: u32,
}

impl ProvisionedSchedule {
    /// A constant level.
    pub fn constant(level: u32) -> Self {
        ProvisionedSchedule {
            ranges: Vec::new(),
            otherwise: level,
        }
    }

    /// Whether the level is 0 at all times.
    pub fn is_zero(&self) -> bool {
        self.otherwise == 0 && self.ranges.iter().all(|r| r.2 == 0)
    }

    /// The largest level at any time.
    pub fn max_level(&self) -> u32 {
        self.ranges.iter().map(|r| r.2).max().unwrap_or(0).max(self.otherwise)
    }

    /// The level at time `t_ms` on the trace clock.
    pub fn level_at(&self, t_ms: u64) -> u32 {
        if self.ranges.is_empty() {
            // A constant level (the engine asks at every request).
            return self.otherwise;
        }
        let tod = t_ms % MS_PER_DAY;
        for &(from, to, level) in &self.ranges {
            let inside = if from <= to {
                tod >= from && tod < to
            } else {
                tod >= from || tod < to
            };
            if inside {
                return level;
            }
        }
        self.otherwise
    }

    /// The first time after `t_ms` at which the level may change.
    fn next_boundary(&self, t_ms: u64) -> u64 {
        let tod = t_ms % MS_PER_DAY;
        let day_start = t_ms - tod;
        let next = self
            .ranges
            .iter()
            .flat_map(|r| [r.0, r.1])
            .filter(|&b| b > tod)
            .min()
            .unwrap_or(MS_PER_DAY);
        day_start + next
    }

    /// Constant-level periods with a non-zero level covering `[start_ms, end_ms)`.
    pub fn periods(&self, start_ms: u64, end_ms: u64) -> Vec<ProvisionedPeriod> {
        let mut out: Vec<ProvisionedPeriod> = Vec::new();
        let mut t = start_ms;
        let mut current: Option<(u32, u64)> = None; // (level, since)
        while t < end_ms {
            let level = self.level_at(t);
            let next = self.next_boundary(t).min(end_ms);
            match current {
                Some((l, _)) if l == level => {}
                Some((l, since)) => {
                    if l > 0 {
                        out.push(ProvisionedPeriod {
                            concurrency: l,
                            duration_ms: t - since,
                        });
                    }
                    current = Some((level, t));
                }
                None => current = Some((level, t)),
            }
            t = next;
        }
        if let Some((l, since)) = current {
            if l > 0 && end_ms > since {
                out.push(ProvisionedPeriod {
                    concurrency: l,
                    duration_ms: end_ms - since,
                });
            }
        }
        out
    }

    /// Provisioned instance-ms over `[start_ms, end_ms)` (∫ level dt).
    pub fn instance_ms(&self, start_ms: u64, end_ms: u64) -> u64 {
        self.periods(start_ms, end_ms)
            .iter()
            .map(|p| p.concurrency as u64 * p.duration_ms)
            .sum()
    }
}

fn parse_clock(text: &str) -> Result<u64, String> {
    let (h, m) = text
        .trim()
        .split_once(':')
        .ok_or_else(|| format!("'{text}' is not a HH:MM time"))?;
    let h: u64 = h.parse().map_err(|_| format!("'{text}' is not a HH:MM time"))?;
    let m: u64 = m.parse().map_err(|_| format!("'{text}' is not a HH:MM time"))?;
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(format!("'{text}' is not a time between 00:00 and 24:00"));
    }
    Ok(h * MS_PER_HOUR + m * MS_PER_MINUTE)
}

impl FromStr for ProvisionedSchedule {
    type Err = String;
    /// `N`, or comma-separated `HH:MM-HH:MM=N` ranges and an optional `else=N`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected = "expected N or a schedule like 08:00-20:00=10,else=2";
        let t = s.trim();
        if let Ok(n) = t.parse::<u32>() {
            return Ok(ProvisionedSchedule::constant(n));
        }
        let mut sched = ProvisionedSchedule::default();
        for part in t.split(',') {
            let (what, level) = part
                .split_once('=')
                .ok_or_else(|| format!("provisioned concurrency '{s}': '{part}' has no '='; {expected}"))?;
            let level: u32 = level
                .trim()
                .parse()
                .map_err(|_| format!("provisioned concurrency '{s}': '{level}' is not a whole number; {expected}"))?;
            if what.trim() == "else" {
                sched.otherwise = level;
                continue;
            }
            let (from, to) = what
                .split_once('-')
                .ok_or_else(|| format!("provisioned concurrency '{s}': '{what}' is not HH:MM-HH:MM; {expected}"))?;
            let (from, to) = (
                parse_clock(from).map_err(|e| format!("provisioned concurrency '{s}': {e}; {expected}"))?,
                parse_clock(to).map_err(|e| format!("provisioned concurrency '{s}': {e}; {expected}"))?,
            );
            // 24:00 stays the end of the day (`00:00-24:00` is the whole day, not empty).
            sched.ranges.push((from % MS_PER_DAY, to, level));
        }
        Ok(sched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_to_midnight_covers_the_rest_of_the_day() {
        let whole: ProvisionedSchedule = "00:00-24:00=10".parse().unwrap();
        assert_eq!(whole.level_at(0), 10);
        assert_eq!(whole.level_at(MS_PER_DAY - 1), 10);
        assert_eq!(whole.level_at(MS_PER_DAY + 5), 10);
        let evening: ProvisionedSchedule = "20:00-24:00=3,else=1".parse().unwrap();
        assert_eq!(evening.level_at(21 * 3_600_000), 3);
        assert_eq!(evening.level_at(3_600_000), 1);
    }

    #[test]
    fn parses_and_evaluates() {
        let s: ProvisionedSchedule = "08:00-20:00=10,else=2".parse().unwrap();
        assert_eq!(s.level_at(7 * MS_PER_HOUR), 2);
        assert_eq!(s.level_at(8 * MS_PER_HOUR), 10);
        assert_eq!(s.level_at(20 * MS_PER_HOUR - 1), 10);
        assert_eq!(s.level_at(MS_PER_DAY + 9 * MS_PER_HOUR), 10);
        let night: ProvisionedSchedule = "22:00-06:00=1".parse().unwrap();
        assert_eq!(night.level_at(23 * MS_PER_HOUR), 1);
        assert_eq!(night.level_at(5 * MS_PER_HOUR), 1);
        assert_eq!(night.level_at(12 * MS_PER_HOUR), 0);
        assert_eq!(
            "7".parse::<ProvisionedSchedule>().unwrap(),
            ProvisionedSchedule::constant(7)
        );
        assert!("08:00=3".parse::<ProvisionedSchedule>().is_err());
        assert!("25:00-26:00=3".parse::<ProvisionedSchedule>().is_err());
    }

    #[test]
    fn periods_over_two_days() {
        let s: ProvisionedSchedule = "08:00-20:00=10,else=2".parse().unwrap();
        let p = s.periods(0, 2 * MS_PER_DAY);
        let levels: Vec<(u32, u64)> = p.iter().map(|p| (p.concurrency, p.duration_ms / MS_PER_HOUR)).collect();
        // 0-8 h at 2, 8-20 h at 10, 20 h-next 8 h at 2 (12 h), 8-20 at 10, 20-24 at 2.
        assert_eq!(levels, vec![(2, 8), (10, 12), (2, 12), (10, 12), (2, 4)]);
        // ∫ level = 2·24 h + 10·24 h = 288 instance-hours.
        assert_eq!(s.instance_ms(0, 2 * MS_PER_DAY), 288 * MS_PER_HOUR);
        assert!(ProvisionedSchedule::constant(0).periods(0, MS_PER_DAY).is_empty());
    }
}
