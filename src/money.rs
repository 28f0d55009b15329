//! Money as reported and compared: whole micro-dollars (`Money`), written in JSON as a decimal string with
//! six places (`"1234.567890"`), so a report read back gives the same amounts and sums add
//! up exactly — an option's monthly cost is the sum of its lines, its horizon cost the sum of
//! its months. Arithmetic is checked: an amount beyond ±9.2 × 10¹² dollars is an error, never a
//! wrapped or saturated number.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use crate::units::Usd;

/// An amount of US dollars in whole micro-dollars.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// An amount too large for a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a cost of {what} is beyond ±$9.2 trillion, too large to report; check the quantities and prices that led to it"
)]
pub struct MoneyOverflow {
    /// What was being computed.
    pub what: String,
}

const MICRO_PER_USD: i64 = 1_000_000;

impl Money {
    /// Zero dollars.
    pub const ZERO: Money = Money(0);

    /// From whole micro-dollars.
    pub const fn from_micro(micro: i64) -> Self {
        Money(micro)
    }

    /// The amount in micro-dollars.
    pub const fn micro(self) -> i64 {
        self.0
    }

    /// An exact engine amount rounded half away from zero to the micro-dollar.
    pub fn from_usd(usd: Usd, what: &str) -> Result<Money, MoneyOverflow> {
        let per_micro = Usd::from_pico(1_000_000).pico();
        let p = usd.pico();
        let (q, r) = (p / per_micro, p % per_micro);
        let micro = if r.abs() * 2 >= per_micro { q + p.signum() } else { q };
        i64::try_from(micro)
            .map(Money)
            .map_err(|_| MoneyOverflow { what: what.into() })
    }

    /// `self + other`, or an error naming `what` on overflow.
    pub fn checked_add(self, other: Money, what: &str) -> Result<Money, MoneyOverflow> {
        self.0
            .checked_add(other.0)
            .map(Money)
            .ok_or_else(|| MoneyOverflow { what: what.into() })
    }

    /// The sum of `amounts`, or an error naming `what` on overflow.
    pub fn sum<'a>(amounts: impl IntoIterator<Item = &'a Money>, what: &str) -> Result<Money, MoneyOverflow> {
        amounts
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(*m, what))
    }

    /// `self − other` (differences of reported amounts cannot overflow in practice; checked anyway).
    pub fn checked_sub(self, other: Money, what: &str) -> Result<Money, MoneyOverflow> {
        self.0
            .checked_sub(other.0)
            .map(Money)
            .ok_or_else(|| MoneyOverflow { what: what.into() })
    }

    /// The amount times a whole number; overflow is an error naming `what`.
    pub fn checked_mul(self, factor: u64, what: &str) -> Result<Money, MoneyOverflow> {
        i64::try_from(factor)
            .ok()
            .and_then(|f| self.0.checked_mul(f))
            .map(Money)
            .ok_or_else(|| MoneyOverflow { what: what.into() })
    }

    /// The amount in dollars as a float, for ratios and charts only (never sum these).
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / MICRO_PER_USD as f64
    }

    /// Whole cents, rounded half away from zero.
    pub fn cents(self) -> i64 {
        let half = MICRO_PER_USD / 200;
        if self.0 >= 0 {
            (self.0 + half) / (MICRO_PER_USD / 100)
        } else {
            -((-self.0 + half) / (MICRO_PER_USD / 100))
        }
    }

    /// Parses the JSON form: an optional `-`, digits, and up to six decimals.
    pub fn parse(text: &str) -> Result<Money, String> {
        let bad = || format!("'{text}' is not an amount of dollars with at most 6 decimals (e.g. \"12.500000\")");
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty()
            || frac.len() > 6
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac_micro: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
        let micro = whole
            .checked_mul(MICRO_PER_USD)
            .and_then(|w| w.checked_add(frac_micro))
            .ok_or_else(bad)?;
        Ok(Money(if negative { -micro } else { micro }))
    }
}

impl fmt::Display for Money {
    /// The JSON form: dollars with six decimals, no separators (`-1234.500000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(
            f,
            "{sign}{}.{:06}",
            abs / MICRO_PER_USD as u64,
            abs % MICRO_PER_USD as u64
        )
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Money::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_form_round_trips() {
        for (micro, text) in [
            (0, "0.000000"),
            (12_500_000, "12.500000"),
            (-1_234_567_891, "-1234.567891"),
            (1, "0.000001"),
        ] {
            let m = Money::from_micro(micro);
            assert_eq!(m.to_string(), text);
            assert_eq!(Money::parse(text).unwrap(), m);
        }
        assert_eq!(Money::parse("3.5").unwrap().micro(), 3_500_000);
        assert_eq!(Money::parse("7").unwrap().micro(), 7_000_000);
        for bad in ["", "1.2345678", "1e3", "$5", "1,000.00", "--1", "9223372036854775807"] {
            assert!(Money::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn engine_amounts_round_once_to_the_micro_dollar() {
        // 9.000018 $ exactly; 0.5 micro-dollar rounds away from zero.
        assert_eq!(
            Money::from_usd(Usd::from_pico(9_000_018_000_000), "x").unwrap().micro(),
            9_000_018
        );
        assert_eq!(Money::from_usd(Usd::from_pico(500_000), "x").unwrap().micro(), 1);
        assert_eq!(Money::from_usd(Usd::from_pico(-500_000), "x").unwrap().micro(), -1);
        assert_eq!(Money::from_micro(12_345).cents(), 1);
        assert_eq!(Money::from_micro(-5_000).cents(), -1);
    }

    #[test]
    fn overflow_is_an_error() {
        let big = Money::from_micro(i64::MAX - 1);
        let e = big.checked_add(Money::from_micro(2), "the horizon").unwrap_err();
        assert!(e.to_string().contains("the horizon"), "{e}");
        assert!(Money::from_usd(Usd::from_pico(i128::MAX), "a line").is_err());
        assert_eq!(
            Money::sum(&[Money::from_micro(1), Money::from_micro(2)], "s")
                .unwrap()
                .micro(),
            3
        );
    }
}
