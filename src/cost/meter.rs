//! The metering core shared by every model: scale a period's quantity to a 730-hour month,
//! apply a free grant to the first units, split across tiers by cumulative monthly quantity,
//! and price each piece exactly (`quantity × price / (base units per unit × per)`). The
//! arithmetic is checked: a quantity or a cost beyond [`MAX_MONTHLY_USD`] makes the
//! breakdown an error naming the line, never a wrapped total.

use super::breakdown::{CostBreakdown, CostLine, OfferingRef};
use super::{CostError, CostOptions};
use crate::pricing::PriceTable;
use crate::units::{Usd, MS_PER_MONTH, PICO_PER_USD};

/// The most one line, or one table's breakdown, may cost in a month: $10^18, beyond any bill
/// (and any reportable amount), and small enough that sums of breakdowns stay exact.
pub const MAX_MONTHLY_USD: i128 = 1_000_000_000_000_000_000;

/// `quantity × price / divisor`, rounded to the nearest pico-dollar: the cost of `quantity`
/// base units when `price` is that of `divisor` base units. `None` when it would exceed
/// [`MAX_MONTHLY_USD`] (or overflow on the way).
pub fn checked_cost(price: Usd, quantity: u128, divisor: u128) -> Option<Usd> {
    let q = i128::try_from(quantity).ok()?;
    let d = i128::try_from(divisor).ok().filter(|&d| d > 0)?;
    let pico = price.pico().checked_mul(q)?.checked_add(d / 2)?.div_euclid(d);
    (pico.abs() <= MAX_MONTHLY_USD * PICO_PER_USD).then_some(Usd::from_pico(pico))
}

/// ⌊`x` × `num` / `den`⌋ (`den` > 0) without an intermediate overflow; `u128::MAX` when the
/// result itself does not fit (a free quantity beyond any usage: every unit free, exactly).
fn mul_div_floor(x: u128, num: u128, den: u128) -> u128 {
    let (q, r) = (x / den, x % den);
    // Prices are at most MAX_PRICE_USD (10^18 pico-dollars), so r × num < den × num < 10^36
    // fits; r × num / den < num, so the sum overflows only when the result does.
    let part = r.checked_mul(num).map(|p| p / den);
    q.checked_mul(num)
        .zip(part)
        .and_then(|(a, b)| a.checked_add(b))
        .unwrap_or(u128::MAX)
}

/// Base units per priced unit.
pub const MB_MS_PER_GB_S: u128 = 1_024 * 1_000;
/// Milli-vCPU·ms per vCPU-second.
pub const MILLI_VCPU_MS_PER_VCPU_S: u128 = 1_000 * 1_000;
/// ms per hour.
pub const MS_PER_HOUR_U: u128 = 3_600_000;
/// Bytes per GB (2^30: AWS, Azure and Google bill binary GB).
pub const BYTES_PER_GB: u128 = 1 << 30;

/// Accumulates lines for one table.
pub struct Meter<'a> {
    pub table: &'a PriceTable,
    pub opts: &'a CostOptions,
    pub period_ms: u64,
    pub out: CostBreakdown,
    /// The region priced (the table's first unless the options name another it covers).
    pub region: String,
    /// The first line whose cost overflowed, in words; [`Meter::finish`] turns it into an error.
    pub overflow: Option<String>,
}

/// Formats a whole number with thousands separators.
pub fn thousands(n: u128) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl<'a> Meter<'a> {
    pub fn new(table: &'a PriceTable, opts: &'a CostOptions, period_ms: u64) -> Result<Self, CostError> {
        if period_ms == 0 {
            return Err(CostError::EmptyPeriod);
        }
        let region = match &opts.region {
            None => table.regions[0].clone(),
            Some(r) if table.covers(r) => r.clone(),
            Some(r) => {
                return Err(CostError::Region {
                    table: table.id.clone(),
                    region: r.clone(),
                    available: table.all_regions().join(", "),
                })
            }
        };
        let mut out = CostBreakdown {
            offerings: vec![OfferingRef::of(table, &region)],
            ..CostBreakdown::default()
        };
        if period_ms != MS_PER_MONTH {
            out.assumptions.push(format!(
                "{}: quantities of a {:.3}-hour period scaled to a 730-hour month before tiers and free grants",
                table.id,
                period_ms as f64 / 3_600_000.0
            ));
        }
        Ok(Meter {
            table,
            opts,
            period_ms,
            out,
            region,
            overflow: None,
        })
    }

    /// A line without a price: quantity shown, cost `None` (the bill is then a lower bound).
    pub fn not_priced(&mut self, label: &str, unit: &str, quantity: f64, why: String) {
        self.out.lines.push(CostLine {
            offering: self.table.id.clone(),
            name: label.to_string(),
            unit: unit.to_string(),
            quantity,
            unit_price_usd: None,
            cost: None,
            verified: false,
            source: String::new(),
            note: Some(format!("not priced: {why}")),
        });
    }

    /// A period quantity scaled to the month (rounded half up).
    pub fn monthly(&self, quantity: u128) -> u128 {
        if self.period_ms == MS_PER_MONTH {
            return quantity;
        }
        let p = self.period_ms as u128;
        // A quantity too large to scale stays too large: its charge overflows and is reported.
        quantity
            .checked_mul(MS_PER_MONTH as u128)
            .map_or(u128::MAX, |q| q.saturating_add(p / 2) / p)
    }

    /// The cost of a line, or `None` with the overflow recorded (see [`checked_cost`]).
    pub fn line_cost(
        &mut self,
        name: &str,
        quantity: f64,
        unit: &str,
        price: Usd,
        base: u128,
        divisor: u128,
    ) -> Option<Usd> {
        let cost = checked_cost(price, base, divisor);
        if cost.is_none() && self.overflow.is_none() {
            self.overflow = Some(format!("'{name}' ({quantity:e} {unit} at ${} each)", price.to_f64()));
        }
        cost
    }

    /// Monthly free quantity of price `key` in base units: a plan-included quantity always, a
    /// permanent grant with the free tier on, a 12-month new-account offer with those offers on
    /// (none outside the table's `regions` for a grant of those only); else 0.
    pub fn free_base(&self, key: &str, base_per_unit: u128) -> u128 {
        let applies = |g: &crate::pricing::FreeGrant| {
            let here = !g.home_regions_only || self.table.own_figures_apply(&self.region);
            here && (g.included
                || if g.new_accounts_only {
                    self.opts.new_account_offers
                } else {
                    self.opts.free_tier
                })
        };
        match self.table.free.get(key) {
            Some(g) if applies(g) => {
                let base = g.quantity as u128 * base_per_unit;
                match self.home_valued(key) {
                    // Floor: never more free than the grant is worth.
                    Some((home, here)) => mul_div_floor(base, home.pico() as u128, here.pico() as u128),
                    None => base,
                }
            }
            _ => 0,
        }
    }

    /// For a grant of `key` worth its quantity at the home price (`valued_at_home_price`) in
    /// a region outside the table's `regions`: (home price, local price), each the first tier's
    /// (both positive, not equal); else `None` (the grant's quantity applies as it is).
    fn home_valued(&self, key: &str) -> Option<(Usd, Usd)> {
        let grant = self.table.free.get(key)?;
        let price = self.table.prices.get(key)?;
        let own = &self.table.regions;
        if !grant.valued_at_home_price || self.table.own_figures_apply(&self.region) {
            return None;
        }
        let here = price.in_region(&self.region, own)?.tiers.first()?.usd;
        let home = price.tiers.first()?.usd;
        (home.pico() > 0 && here.pico() > 0 && home != here).then_some((home, here))
    }

    /// The first tier's rate of price `key` in the meter's region, if it has one there.
    pub fn first_rate(&self, key: &str) -> Option<Usd> {
        let price = self.table.prices.get(key)?;
        let here = price.in_region(&self.region, &self.table.regions)?;
        here.tiers.first().map(|t| t.usd)
    }

    /// Charges `monthly_base` of price `key` less that price's own free grant (when one applies).
    pub fn charge_with_grant(&mut self, label: &str, key: &str, monthly_base: u128, base_per_unit: u128) {
        let free = self.free_base(key, base_per_unit);
        self.charge(label, key, monthly_base, base_per_unit, free);
    }

    pub fn assume(&mut self, text: impl Into<String>) {
        let t = text.into();
        if !self.out.assumptions.contains(&t) {
            self.out.assumptions.push(t);
        }
    }

    /// Prices `monthly_base` base units (already monthly) of price `key`, the first
    /// `free_base` of them free. Emits a free line, then one line per tier touched.
    pub fn charge(&mut self, label: &str, key: &str, monthly_base: u128, base_per_unit: u128, free_base: u128) {
        self.charge_pooled(label, key, monthly_base, base_per_unit, free_base, key);
    }

    /// As [`Meter::charge`], with the free quantity drawn from the grant of `grant_key` (a grant
    /// shared by several prices, e.g. Lambda's one pool for x86 and arm64 duration).
    pub fn charge_pooled(
        &mut self,
        label: &str,
        key: &str,
        monthly_base: u128,
        base_per_unit: u128,
        free_base: u128,
        grant_key: &str,
    ) {
        if monthly_base == 0 {
            return;
        }
        let quantity = monthly_base as f64 / base_per_unit as f64;
        let Some(price) = self.table.prices.get(key) else {
            let why = format!("table '{}' has no price '{key}'", self.table.id);
            self.not_priced(label, "", quantity, why);
            return;
        };
        let own = &self.table.regions;
        let Some(price) = price.in_region(&self.region, own) else {
            let why = format!(
                "table '{}' has no '{key}' rate in {} (priced in {})",
                self.table.id,
                self.region,
                price.priced_regions(own).join(", ")
            );
            self.not_priced(label, &price.unit, quantity, why);
            return;
        };
        let per = price.per as u128;
        let unit = if price.per == 1 {
            price.unit.clone()
        } else if price.per == 1_000_000 {
            format!("1M {}", price.unit)
        } else {
            format!("{} {}", thousands(per), price.unit)
        };
        let free = free_base.min(monthly_base);
        let divisor = base_per_unit.saturating_mul(per);
        let free_grant = self.table.free.get(grant_key);
        if free > 0 {
            let g = free_grant.expect("free_base > 0 only with a grant");
            let kind = if g.included {
                "included in plan"
            } else if g.new_accounts_only {
                "12-month new-account offer"
            } else {
                "free tier"
            };
            self.out.lines.push(CostLine {
                offering: self.table.id.clone(),
                name: format!("{label} ({kind})"),
                unit: unit.clone(),
                quantity: free as f64 / divisor as f64,
                unit_price_usd: Some(0.0),
                cost: Some(Usd::ZERO),
                verified: g.verified,
                source: g.source.clone(),
                note: Some(format!(
                    "{} {} per month{}{}",
                    thousands(g.quantity as u128),
                    price.unit,
                    self.home_valued(grant_key)
                        .map_or(String::new(), |(home, here)| format!(
                            ", valued at the {} price (${} against ${} here)",
                            self.table.regions.join("/"),
                            home.to_f64(),
                            here.to_f64()
                        )),
                    g.note.as_ref().map(|n| format!("; {n}")).unwrap_or_default()
                )),
            });
        }
        let tiered = price.tiers.len() > 1;
        let mut lower: u128 = 0;
        for (i, tier) in price.tiers.iter().enumerate() {
            let upper = tier
                .up_to
                .map_or(u128::MAX, |u| (u as u128).saturating_mul(base_per_unit));
            let lo = lower.max(free);
            let hi = upper.min(monthly_base);
            if hi > lo {
                let q = hi - lo;
                let name = if tiered {
                    let range = match tier.up_to {
                        Some(u) if i == 0 => format!("first {} {}", thousands(u as u128), price.unit),
                        Some(u) => format!(
                            "{}–{} {}",
                            thousands(lower / base_per_unit),
                            thousands(u as u128),
                            price.unit
                        ),
                        None => format!("over {} {}", thousands(lower / base_per_unit), price.unit),
                    };
                    format!("{label} ({range})")
                } else {
                    label.to_string()
                };
                let quantity = q as f64 / divisor as f64;
                let cost = self.line_cost(&name, quantity, &unit, tier.usd, q, divisor);
                self.out.lines.push(CostLine {
                    offering: self.table.id.clone(),
                    name,
                    unit: unit.clone(),
                    quantity,
                    unit_price_usd: Some(tier.usd.to_f64()),
                    cost,
                    verified: price.verified,
                    source: price.source.clone(),
                    note: None,
                });
            }
            if upper >= monthly_base {
                break;
            }
            lower = upper;
        }
    }

    /// A fixed monthly charge (e.g. a plan minimum).
    pub fn fixed(&mut self, label: &str, usd: Usd, note: &str) {
        let rules = &self.table.rules;
        self.out.lines.push(CostLine {
            offering: self.table.id.clone(),
            name: label.to_string(),
            unit: "month".to_string(),
            quantity: 1.0,
            unit_price_usd: Some(usd.to_f64()),
            cost: Some(usd),
            verified: rules.verified,
            source: rules.source.clone().unwrap_or_default(),
            note: Some(note.to_string()),
        });
    }

    /// The breakdown, or an error naming what overflowed: a line, or the table's total.
    pub fn finish(self) -> Result<CostBreakdown, CostError> {
        let overflow = |what: String| CostError::Overflow {
            table: self.table.id.clone(),
            what,
        };
        if let Some(what) = &self.overflow {
            return Err(overflow(what.clone()));
        }
        let total = self
            .out
            .lines
            .iter()
            .filter_map(|l| l.cost)
            .try_fold(0i128, |sum, c| sum.checked_add(c.pico()));
        match total {
            Some(t) if t.abs() <= MAX_MONTHLY_USD * PICO_PER_USD => Ok(self.out),
            _ => Err(overflow("the monthly total".to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mul_div_floor;

    #[test]
    fn mul_div_floor_is_exact_and_never_wraps() {
        // Cloud Run's 180,000 vCPU-s (milli-vCPU·ms) valued at $0.000024 against $0.0000336:
        // 1.8e11 × 24,000,000 / 33,600,000 = 1.8e11 × 5/7 = 128,571,428,571.43 → floor.
        assert_eq!(mul_div_floor(180_000_000_000, 24_000_000, 33_600_000), 128_571_428_571);
        assert_eq!(mul_div_floor(7, 3, 7), 3);
        assert_eq!(mul_div_floor(u128::MAX, 1, 1), u128::MAX);
        // x × num beyond u128 while the result fits: computed exactly, no intermediate wrap.
        let x = u128::MAX / 3;
        assert_eq!(mul_div_floor(x, 1_000_000_000_000, 2_000_000_000_000), x / 2);
        // A result beyond u128 is u128::MAX (more free than any usage), never a wrapped value.
        assert_eq!(mul_div_floor(u128::MAX / 2, 3, 1), u128::MAX);
    }
}
