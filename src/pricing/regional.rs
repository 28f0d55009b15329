//! Prices in a price table's other regions: an instance type's (on demand and commitments) and
//! a unit price's (flat or tiered), validated from `regional.REGION` entries, and the view of
//! either in the region a bill asks for.

use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use toml::Spanned;

use super::raw::{RawRegional, RawRegionalRate};
use super::table::{validate_commitments, validate_tiers, Ctx, InstancePrice, Price, Tier};
use crate::units::Usd;

/// An instance type's prices in one of its table's `other_regions`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionalPrice {
    /// On-demand USD per hour.
    pub per_hour: Usd,
    /// Commitment USD per hour by term name (a term not listed is not priced in this region).
    pub commitments: BTreeMap<String, Usd>,
    /// Source of these prices.
    pub source: String,
    /// Vendor-verified.
    pub verified: bool,
}

/// A unit price's rate in one of its table's `other_regions` (same unit and `per`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionalRate {
    /// Tiers (one for a flat price).
    pub tiers: Vec<Tier>,
    /// Source of the rate.
    pub source: String,
    /// Vendor-verified.
    pub verified: bool,
}

/// The fields every `regional` entry has beside its prices.
trait RawEntry {
    fn source(&self) -> &Option<Spanned<String>>;
    fn verified(&self) -> Option<bool>;
}

impl RawEntry for RawRegional {
    fn source(&self) -> &Option<Spanned<String>> {
        &self.source
    }
    fn verified(&self) -> Option<bool> {
        self.verified
    }
}

impl RawEntry for RawRegionalRate {
    fn source(&self) -> &Option<Spanned<String>> {
        &self.source
    }
    fn verified(&self) -> Option<bool> {
        self.verified
    }
}

/// Validates `name`'s `regional` entries: each region one of the table's `other_regions` (in
/// its `regions` the entry's own fields apply), with a source and a verified flag; `prices`
/// validates the rest of an entry (given its key, offset, source and flag) into its value.
fn validate_entries<R: RawEntry, T>(
    cx: &mut Ctx<'_>,
    name: &str,
    raw: &BTreeMap<String, Spanned<R>>,
    other_regions: &[String],
    mut prices: impl FnMut(&mut Ctx<'_>, &str, usize, &R, String, bool) -> Option<T>,
) -> BTreeMap<String, T> {
    let mut out = BTreeMap::new();
    for (region, entry) in raw {
        let (key, at, e) = (format!("{name}.regional.{region}"), entry.span().start, entry.get_ref());
        if !other_regions.iter().any(|r| r == region) {
            let listed = if other_regions.is_empty() {
                "none".to_string()
            } else {
                other_regions.join(", ")
            };
            cx.err_at(
                at,
                &key,
                format!("'{region}' is not one of the table's other regions ({listed}; in its `regions` the entry's own fields apply)"),
                "a region listed in the table's `other_regions`",
            );
        }
        let source = cx.source(e.source(), at, &format!("{key}.source"));
        let verified = cx.verified(e.verified(), at, &format!("{key}.verified"));
        if let Some(value) = prices(cx, &key, at, e, source, verified) {
            out.insert(region.clone(), value);
        }
    }
    out
}

/// Validates a unit price's `regional` entries (`name` is `prices.KEY`): a flat `usd` or
/// `tiers` each, besides the checks of every entry.
pub(super) fn validate_regional_rates(
    cx: &mut Ctx<'_>,
    name: &str,
    raw: &BTreeMap<String, Spanned<RawRegionalRate>>,
    other_regions: &[String],
) -> BTreeMap<String, RegionalRate> {
    validate_entries(cx, name, raw, other_regions, |cx, key, at, e, source, verified| {
        let tiers = validate_tiers(cx, key, at, &e.usd, &e.tiers);
        (!tiers.is_empty()).then_some(RegionalRate {
            tiers,
            source,
            verified,
        })
    })
}

/// Validates an instance type's `regional` entries (`name` is `instances.TYPE`): an on-demand
/// price and valid commitment terms each, besides the checks of every entry.
pub(super) fn validate_regional(
    cx: &mut Ctx<'_>,
    name: &str,
    raw: &BTreeMap<String, Spanned<RawRegional>>,
    other_regions: &[String],
) -> BTreeMap<String, RegionalPrice> {
    validate_entries(cx, name, raw, other_regions, |cx, key, _, e, source, verified| {
        let per_hour = cx.price_usd(&e.usd_per_hour, &format!("{key}.usd_per_hour"));
        let commitments = validate_commitments(cx, key, &e.commitments);
        Some(RegionalPrice {
            per_hour: per_hour?,
            commitments,
            source,
            verified,
        })
    })
}

/// Whether a table's own figures apply in `region`: one of its `regions`, or any region for a
/// `global` table.
pub(super) fn own_figures_apply(region: &str, regions: &[String]) -> bool {
    regions.iter().any(|r| r == region || r == "global")
}

/// `own` where the table's own figures apply in `region`, else the view `build` makes of its
/// `regional` entry there, else `None`: the one rule of both kinds of price.
fn in_region_of<'a, T: Clone, R>(
    own: &'a T,
    region: &str,
    regions: &[String],
    regional: &BTreeMap<String, R>,
    build: impl FnOnce(&R) -> T,
) -> Option<Cow<'a, T>> {
    if own_figures_apply(region, regions) {
        return Some(Cow::Borrowed(own));
    }
    regional.get(region).map(|r| Cow::Owned(build(r)))
}

/// A table's `regions`, then the regions of a `regional` map.
fn priced_regions<'a, V>(regions: &'a [String], regional: &'a BTreeMap<String, V>) -> Vec<&'a str> {
    regions.iter().chain(regional.keys()).map(String::as_str).collect()
}

impl InstancePrice {
    /// This type's prices in `region` of a table whose own figures apply in `regions`: its own
    /// there, its `regional` entry in another region (on demand and commitments from that
    /// entry's source; sizes and discount rules are the type's), `None` where it has none.
    pub fn in_region(&self, region: &str, regions: &[String]) -> Option<Cow<'_, InstancePrice>> {
        in_region_of(self, region, regions, &self.regional, |r| InstancePrice {
            per_hour: r.per_hour,
            commitments: r.commitments.clone(),
            commitments_source: r.source.clone(),
            commitments_verified: r.verified,
            source: r.source.clone(),
            verified: r.verified,
            regional: BTreeMap::new(),
            ..self.clone()
        })
    }

    /// The regions this type is priced in, the table's `regions` first.
    pub fn priced_regions<'a>(&'a self, regions: &'a [String]) -> Vec<&'a str> {
        priced_regions(regions, &self.regional)
    }
}

impl Price {
    /// This price in `region` of a table whose own figures apply in `regions`: its own there,
    /// its `regional` rate in another region (tiers, source and flag of that entry), `None`
    /// where it has none.
    pub fn in_region(&self, region: &str, regions: &[String]) -> Option<Cow<'_, Price>> {
        in_region_of(self, region, regions, &self.regional, |r| Price {
            tiers: r.tiers.clone(),
            source: r.source.clone(),
            verified: r.verified,
            regional: BTreeMap::new(),
            ..self.clone()
        })
    }

    /// The regions this price has a rate in, the table's `regions` first.
    pub fn priced_regions<'a>(&'a self, regions: &'a [String]) -> Vec<&'a str> {
        priced_regions(regions, &self.regional)
    }
}
