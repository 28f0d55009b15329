//! `CostBreakdown`: the priced lines of one deployment option (name, unit, quantity, unit
//! price, cost), exact in fixed-point [`Usd`], with the offerings and assumptions they rest
//! on. A line whose price is missing has no cost (`None`): it is shown as "not priced",
//! never counted as 0.

use serde::{Serialize, Serializer};

use crate::pricing::PriceTable;
use crate::units::Usd;

fn opt_usd_micro<S: Serializer>(v: &Option<Usd>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(u) => s.serialize_f64(u.to_f64_micro()),
        None => s.serialize_none(),
    }
}

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostLine {
    /// Offering id of the price table, e.g. `aws-lambda`.
    pub offering: String,
    /// What is charged, e.g. `Duration x86 (first 6,000,000,000 GB-s)`.
    pub name: String,
    /// Unit of `quantity` and `unit_price_usd`, e.g. `GB-s`, `1M requests`.
    pub unit: String,
    /// Monthly quantity in `unit`.
    pub quantity: f64,
    /// Price of one `unit` (None when not priced).
    pub unit_price_usd: Option<f64>,
    /// Monthly cost, exact; None when not priced.
    #[serde(rename = "cost_usd", serialize_with = "opt_usd_micro")]
    pub cost: Option<Usd>,
    /// Whether the price is vendor-verified (false for pricing-facts X and U figures).
    pub verified: bool,
    /// Source of the price.
    pub source: String,
    /// Caveat (free grant, rounding rule applied, why not priced).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The offering a breakdown used, for provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferingRef {
    /// Table id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Region priced.
    pub region: String,
    /// Date the figures were read.
    pub effective_date: String,
    /// Where the table came from.
    pub origin: String,
    /// Whether every figure of the table that prices the region is vendor-verified
    /// ([`PriceTable::verified_in`]).
    pub fully_verified: bool,
}

impl OfferingRef {
    /// Provenance of `table` priced in `region`.
    pub fn of(table: &PriceTable, region: &str) -> Self {
        OfferingRef {
            id: table.id.clone(),
            name: table.name.clone(),
            region: region.to_string(),
            effective_date: table.effective_date.clone(),
            origin: table.origin.clone(),
            fully_verified: table.verified_in(region),
        }
    }
}

/// The monthly bill of one deployment option.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CostBreakdown {
    /// Price tables used.
    pub offerings: Vec<OfferingRef>,
    /// Lines, in the order the engine produced them.
    pub lines: Vec<CostLine>,
    /// Assumptions and rules applied (data, not prints).
    pub assumptions: Vec<String>,
}

impl CostBreakdown {
    /// Sum of the priced lines, exact.
    pub fn total(&self) -> Usd {
        self.lines.iter().filter_map(|l| l.cost).sum()
    }

    /// Lines that could not be priced.
    pub fn unpriced(&self) -> impl Iterator<Item = &CostLine> {
        self.lines.iter().filter(|l| l.cost.is_none())
    }

    /// Whether every line is priced.
    pub fn complete(&self) -> bool {
        self.lines.iter().all(|l| l.cost.is_some())
    }

    /// The lines without a price and why, in words ("" when the bill is complete).
    pub fn unpriced_reasons(&self) -> String {
        self.unpriced()
            .map(|l| match &l.note {
                Some(n) => format!("{} ({n})", l.name),
                None => l.name.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Whether every line's price is vendor-verified.
    pub fn verified(&self) -> bool {
        self.lines.iter().all(|l| l.verified)
    }

    /// Appends another breakdown (e.g. the front door or logs of the same option).
    pub fn extend(&mut self, other: CostBreakdown) {
        for o in other.offerings {
            if !self.offerings.contains(&o) {
                self.offerings.push(o);
            }
        }
        self.lines.extend(other.lines);
        for a in other.assumptions {
            if !self.assumptions.contains(&a) {
                self.assumptions.push(a);
            }
        }
    }

    /// Cost of lines whose name starts with `prefix` (for tests and summaries).
    pub fn cost_of(&self, prefix: &str) -> Usd {
        self.lines
            .iter()
            .filter(|l| l.name.starts_with(prefix))
            .filter_map(|l| l.cost)
            .sum()
    }
}
