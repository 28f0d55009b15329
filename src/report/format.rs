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

/// A quantity in fixed notation with thousands separators: whole numbers from 100 up, one
/// decimal from 10, then 3 significant digits, never scientific notation (`9,758,260`,
/// `12.8`, `0.195`, `0.0000123`), or `-`.
pub fn quantity(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let a = v.abs();
            let decimals = if a == 0.0 || a >= 100.0 {
                0
            } else if a >= 10.0 {
                1
            } else {
                // 3 significant digits: the first one sits at 10^floor(log10 a).
                (2 - a.log10().floor() as i32).clamp(2, 15) as usize
            };
            group(&format!("{v:.decimals$}"))
        }
        _ => "-".to_string(),
    }
}

/// A unit price as the price table writes it, in fixed notation with at least 2 and up to 15
/// decimals and thousands separators (`$0.0000166667`, `$0.0816`, `$0.20`, `$1,200.00`).
pub fn unit_price(price: f64) -> String {
    if !price.is_finite() {
        return "-".to_string();
    }
    let a = price.abs();
    // Six significant digits after the first, so table figures such as 0.0000166667 stay whole.
    let decimals = if a == 0.0 {
        2
    } else {
        (5 - a.log10().floor() as i32).clamp(2, 15) as usize
    };
    let mut text = format!("{a:.decimals$}");
    if let Some(dot) = text.find('.') {
        let keep = (dot + 3).max(text.trim_end_matches('0').len());
        text.truncate(keep);
    }
    let sign = if price < 0.0 { "-" } else { "" };
    format!("{sign}${}", group(&text))
}

/// A fixed-notation number with thousands separators in its whole part.
fn group(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text),
    };
    let (whole, frac) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    let grouped = match whole.parse::<u128>() {
        Ok(n) => crate::units::group_thousands(n),
        Err(_) => whole.to_string(),
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Money in USD with cents and thousands separators (`$1,234.56`).
pub fn usd(amount: Money) -> String {
    let cents = amount.cents();
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}${}.{:02}", count(abs / 100), abs % 100)
}

/// An option's load facts shared by the renderers, in words: throttled requests, minutes
/// above the SLO, fleet utilization, peak concurrency (each only when the report has it).
pub fn load_facts(o: &super::model::OptionReport) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(t) = o.throttles.filter(|&t| t > 0) {
        facts.push(format!("{} requests throttled", count(t)));
    }
    if let Some(v) = o.slo_violation_minutes.filter(|&v| v > 0) {
        facts.push(format!("{} minutes with p99 wait above the SLO", count(v)));
    }
    if let Some(u) = &o.utilization {
        facts.push(format!(
            "utilization mean {} (p95 {})",
            percent(Some(u.mean)),
            percent(Some(u.p95))
        ));
    }
    if let Some(p) = o.peak_concurrency {
        facts.push(format!("peak concurrency {}", count(p)));
    }
    facts
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
        assert_eq!(quantity(Some(9_758_260.4)), "9,758,260");
        assert_eq!(quantity(Some(12.84)), "12.8");
        assert_eq!(quantity(Some(0.1948)), "0.195");
        assert_eq!(quantity(Some(0.0000123)), "0.0000123");
        assert_eq!(quantity(Some(3.0)), "3.00");
        assert_eq!(quantity(Some(0.0)), "0");
        assert_eq!(quantity(None), "-");
        assert_eq!(unit_price(0.0000166667), "$0.0000166667");
        assert_eq!(unit_price(0.0816), "$0.0816");
        assert_eq!(unit_price(0.2), "$0.20");
        assert_eq!(unit_price(0.0000025), "$0.0000025");
        assert_eq!(unit_price(1200.0), "$1,200.00");
        assert_eq!(unit_price(0.0), "$0.00");
    }
}
