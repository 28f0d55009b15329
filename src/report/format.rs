//! Number formatting shared by every renderer: one place decides how counts, shares,
//! durations and money look, and unknown values print as `-`.

use crate::money::Money;

/// A share (0–1) as a percentage with one decimal, or `-`.
pub fn percent(share: Option<f64>) -> String {
    match share {
        Some(s) if s.is_finite() => format!("{:.1}%", s * 100.0),
        _ => "-".to_string(),
    }
}

/// A count with thousands separators.
pub fn count(n: u64) -> String {
    crate::units::group_thousands(n)
}

/// A measurement with 3 significant digits (fixed notation when it reads well), or `-`.
pub fn sig3(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let a = v.abs();
            if a == 0.0 {
                "0".to_string()
            } else if a >= 100.0 {
                format!("{v:.0}")
            } else if a >= 10.0 {
                format!("{v:.1}")
            } else if a >= 1.0 {
                format!("{v:.2}")
            } else if a >= 0.001 {
                format!("{v:.3}")
            } else {
                format!("{v:.2e}")
            }
        }
        _ => "-".to_string(),
    }
}

/// Money in USD with cents and thousands separators (`$1,234.56`).
pub fn usd(amount: Money) -> String {
    let cents = amount.cents();
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}${}.{:02}", count(abs / 100), abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(percent(Some(0.8123)), "81.2%");
        assert_eq!(percent(None), "-");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(999), "999");
        assert_eq!(sig3(Some(1234.56)), "1235");
        assert_eq!(sig3(Some(12.345)), "12.3");
        assert_eq!(sig3(Some(0.01234)), "0.012");
        assert_eq!(sig3(Some(0.0000123)), "1.23e-5");
        assert_eq!(sig3(None), "-");
        assert_eq!(usd(Money::from_micro(1_234_565_000)), "$1,234.57");
        assert_eq!(usd(Money::from_micro(4_000)), "$0.00");
        assert_eq!(usd(Money::from_micro(-2_500_000)), "-$2.50");
    }
}
