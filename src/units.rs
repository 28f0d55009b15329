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

/// Pico-dollars (10⁻¹² USD) in one dollar: the fixed-point grain of [`Usd`]. Every published
/// unit price in `pricing/*.toml` has at most 10 decimal places, so it is an exact integer here.
pub const PICO_PER_USD: i128 = 1_000_000_000_000;

/// An amount of money in US dollars, held as an integer count of pico-dollars so that sums
/// never drift: a bill is the exact sum of its lines, and rounding happens once, for display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd(i128);

impl Usd {
    /// Zero dollars.
    pub const ZERO: Usd = Usd(0);

    /// From a whole number of pico-dollars.
    pub const fn from_pico(pico: i128) -> Self {
        Usd(pico)
    }

    /// From a price written as a decimal number of dollars (as in a price table), rounded to
    /// the nearest pico-dollar. `None` when the value is not finite or out of range.
    pub fn from_f64(usd: f64) -> Option<Self> {
        if !usd.is_finite() || usd.abs() > 1.0e15 {
            return None;
        }
        Some(Usd((usd * PICO_PER_USD as f64).round() as i128))
    }

    /// The amount in pico-dollars.
    pub const fn pico(self) -> i128 {
        self.0
    }

    /// The amount in whole cents, rounded half away from zero (what a bill shows).
    pub fn cents(self) -> i128 {
        let per_cent = PICO_PER_USD / 100;
        if self.0 >= 0 {
            (self.0 + per_cent / 2) / per_cent
        } else {
            -((-self.0 + per_cent / 2) / per_cent)
        }
    }

    /// The amount rounded to micro-dollars, as a float for JSON output (exact decimal up to 6 places).
    pub fn to_f64_micro(self) -> f64 {
        let per_micro = PICO_PER_USD / 1_000_000;
        let micro = if self.0 >= 0 {
            (self.0 + per_micro / 2) / per_micro
        } else {
            -((-self.0 + per_micro / 2) / per_micro)
        };
        micro as f64 / 1.0e6
    }

    /// The amount as a float in dollars (statistics only; never sum these).
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / PICO_PER_USD as f64
    }

    /// `quantity × self / divisor`, rounded to the nearest pico-dollar: the cost of `quantity`
    /// base units when `self` is the price of `divisor` base units.
    pub fn mul_div(self, quantity: u128, divisor: u128) -> Usd {
        assert!(divisor > 0, "mul_div by zero");
        let q = quantity as i128;
        let d = divisor as i128;
        let num = self.0 * q;
        Usd((num + d / 2).div_euclid(d))
    }
}

/// A whole number with a comma every three digits (`1,234,567`): the one thousands separator
/// of every message and renderer.
pub fn group_thousands(n: impl Into<u128>) -> String {
    let digits = n.into().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl serde::Serialize for Usd {
    /// As a number of dollars (the price as written in a table; exact for ≤ 15 significant digits).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.to_f64())
    }
}

impl std::ops::Add for Usd {
    type Output = Usd;
    fn add(self, rhs: Usd) -> Usd {
        Usd(self.0 + rhs.0)
    }
}

impl std::ops::AddAssign for Usd {
    fn add_assign(&mut self, rhs: Usd) {
        self.0 += rhs.0;
    }
}

impl std::iter::Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        iter.fold(Usd::ZERO, |a, b| a + b)
    }
}

impl std::fmt::Display for Usd {
    /// Dollars with two decimals, e.g. `$1,234.57`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cents = self.cents();
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        write!(f, "{sign}${}.{:02}", group_thousands(abs / 100), abs % 100)
    }
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

    #[test]
    fn usd_is_exact_and_rounds_once() {
        // 0.0000166667 $/GB-s is 16,666,700 pico-dollars exactly.
        assert_eq!(Usd::from_f64(0.0000166667).unwrap().pico(), 16_666_700);
        assert_eq!(Usd::from_f64(0.0000000309).unwrap().pico(), 30_900);
        // 540,000 GB-s at 0.0000166667 = 9.000018 $ -> 900 cents.
        let c = Usd::from_f64(0.0000166667).unwrap().mul_div(540_000, 1);
        assert_eq!(c.pico(), 9_000_018_000_000);
        assert_eq!(c.cents(), 900);
        assert_eq!(c.to_f64_micro(), 9.000018);
        assert_eq!(Usd::from_pico(5_000_000_000).cents(), 1); // half a cent rounds up
        assert_eq!(format!("{}", Usd::from_f64(1234.567).unwrap()), "$1,234.57");
        assert_eq!(format!("{}", Usd::from_f64(-0.5).unwrap()), "-$0.50");
        let total: Usd = [Usd::from_pico(1), Usd::from_pico(2)].into_iter().sum();
        assert_eq!(total.pico(), 3);
    }
}
