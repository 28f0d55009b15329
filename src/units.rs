//! Units shared by every stage: integer time in milliseconds and microseconds, memory in MB,
//! and the conversions between them. Conversions live only here, so that a GB is always
//! 1,024 MB (the providers' GB-second) and a minute always 60,000 ms.

/// Milliseconds in one second.
pub const MS_PER_SECOND: u64 = 1_000;
/// Milliseconds in one minute.
pub const MS_PER_MINUTE: u64 = 60_000;
/// Milliseconds in one hour.
pub const MS_PER_HOUR: u64 = 3_600_000;
/// Milliseconds in one day.
pub const MS_PER_DAY: u64 = 86_400_000;
/// Microseconds in one millisecond.
pub const US_PER_MS: u64 = 1_000;
/// Minutes in one day (the column count of an Azure 2019 invocation file).
pub const MINUTES_PER_DAY: u32 = 1_440;
/// Hours in the billing month used by the AWS calculator and infracost (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Milliseconds in that 730-hour billing month.
pub const MS_PER_MONTH: u64 = 730 * MS_PER_HOUR;
/// Megabytes in the gigabyte of a GB-second (AWS, Azure and Google all bill 1 GB = 1,024 MB).
pub const MB_PER_GB: f64 = 1_024.0;

/// Rounds a duration in microseconds up to whole milliseconds (the 1 ms billing grain).
pub fn us_to_ms_ceil(duration_us: u64) -> u64 {
    duration_us.div_ceil(US_PER_MS)
}

/// A duration in milliseconds given as a float (as traces write it) to whole microseconds,
/// rounded to nearest. Returns `None` for a negative, non-finite or absurdly large value.
pub fn ms_f64_to_us(duration_ms: f64) -> Option<u64> {
    if !duration_ms.is_finite() || !(0.0..=1.0e12).contains(&duration_ms) {
        return None;
    }
    Some((duration_ms * US_PER_MS as f64).round() as u64)
}

/// Memory in MB to GB (1 GB = 1,024 MB).
pub fn mb_to_gb(memory_mb: f64) -> f64 {
    memory_mb / MB_PER_GB
}

/// GB-seconds for `memory_mb` held for `duration_ms`.
pub fn gb_seconds(memory_mb: f64, duration_ms: u64) -> f64 {
    mb_to_gb(memory_mb) * duration_ms as f64 / MS_PER_SECOND as f64
}

/// Milliseconds to (fractional) minutes, for rates.
pub fn ms_to_minutes(duration_ms: u64) -> f64 {
    duration_ms as f64 / MS_PER_MINUTE as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_to_ms() {
        assert_eq!(us_to_ms_ceil(0), 0);
        assert_eq!(us_to_ms_ceil(1), 1);
        assert_eq!(us_to_ms_ceil(89_340), 90);
        assert_eq!(us_to_ms_ceil(89_000), 89);
    }

    #[test]
    fn float_ms_to_us() {
        assert_eq!(ms_f64_to_us(89.34), Some(89_340));
        assert_eq!(ms_f64_to_us(0.0), Some(0));
        assert_eq!(ms_f64_to_us(-1.0), None);
        assert_eq!(ms_f64_to_us(f64::NAN), None);
    }

    #[test]
    fn gb_seconds_of_lambda_example() {
        // 512 MB for 1 s = 0.5 GB-s.
        assert!((gb_seconds(512.0, 1_000) - 0.5).abs() < 1e-12);
        // 128 MB for 100 ms = 0.0125 GB-s.
        assert!((gb_seconds(128.0, 100) - 0.0125).abs() < 1e-12);
    }
}
