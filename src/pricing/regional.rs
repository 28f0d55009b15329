//! Prices in a price table's other regions: an instance type's (on demand and commitments) and
//! a unit price's (flat or tiered), validated from `regional.REGION` entries, and the view of
//! either in the region a bill asks for.

use serde::Serialize;
use std::collections::BTreeMap;
use toml::Spanned;

use super::raw::{RawRegional, RawRegionalRate};
use super::table::{validate_commitments, validate_tiers, Ctx, InstancePrice, Price, Tier};
use crate::units::Usd;

/// An instance type's prices in one region other than its table's first.
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

/// A unit price's rate in one region other than its table's first (same unit and `per`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionalRate {
    /// Tiers (one for a flat price).
    pub tiers: Vec<Tier>,
    /// Source of the rate.
    pub source: String,
    /// Vendor-verified.
    pub verified: bool,
}

/// Refuses a `regional` key that is not one of the table's regions after the first.
fn check_other_region(cx: &mut Ctx<'_>, key: &str, at: usize, region: &str, regions: &[String]) {
    if !regions.iter().skip(1).any(|r| r == region) {
        cx.err_at(
            at,
            key,
            format!(
                "'{region}' is not one of the table's other regions ({}; the first region's prices are the \
                 entry's own fields)",
                regions.join(", ")
            ),
            "a region listed in `regions` after the first",
        );
    }
}

/// Validates a unit price's `regional` entries (`name` is `prices.KEY`): each a region of the
/// table after the first, a flat `usd` or `tiers`, a source and a verified flag.
pub(super) fn validate_regional_rates(
    cx: &mut Ctx<'_>,
    name: &str,
    raw: &BTreeMap<String, Spanned<RawRegionalRate>>,
    regions: &[String],
) -> BTreeMap<String, RegionalRate> {
    let mut out = BTreeMap::new();
    for (region, entry) in raw {
        let key = format!("{name}.regional.{region}");
        let at = entry.span().start;
        check_other_region(cx, &key, at, region, regions);
        let e = entry.get_ref();
        let tiers = validate_tiers(cx, &key, at, &e.usd, &e.tiers);
        let source = cx.source(&e.source, at, &format!("{key}.source"));
        let verified = cx.verified(e.verified, at, &format!("{key}.verified"));
        if !tiers.is_empty() {
            out.insert(
                region.clone(),
                RegionalRate {
                    tiers,
                    source,
                    verified,
                },
            );
        }
    }
    out
}

/// Validates `name`'s `regional` entries: each region must be one of the table's `regions`
/// other than the first (whose prices are the instance's own fields), with a price, valid
/// commitment terms, a source and a verified flag.
pub(super) fn validate_regional(
    cx: &mut Ctx<'_>,
    name: &str,
    raw: &BTreeMap<String, Spanned<RawRegional>>,
    regions: &[String],
) -> BTreeMap<String, RegionalPrice> {
    let mut out = BTreeMap::new();
    for (region, entry) in raw {
        let key = format!("{name}.regional.{region}");
        let at = entry.span().start;
        check_other_region(cx, &key, at, region, regions);
        let e = entry.get_ref();
        let per_hour = cx.price_usd(&e.usd_per_hour, &format!("{key}.usd_per_hour"));
        let commitments = validate_commitments(cx, &key, &e.commitments);
        let source = cx.source(&e.source, at, &format!("{key}.source"));
        let verified = cx.verified(e.verified, at, &format!("{key}.verified"));
        if let Some(per_hour) = per_hour {
            out.insert(
                region.clone(),
                RegionalPrice {
                    per_hour,
                    commitments,
                    source,
                    verified,
                },
            );
        }
    }
    out
}

impl InstancePrice {
    /// This type's prices in `region` of a table whose first region is `home`: its own in
    /// `home`, its `regional` entry elsewhere (on demand and commitments from that entry's
    /// source; sizes and discount rules are the type's), `None` where the table has no price.
    pub fn in_region(&self, region: &str, home: &str) -> Option<InstancePrice> {
        if region == home {
            return Some(self.clone());
        }
        let r = self.regional.get(region)?;
        Some(InstancePrice {
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

    /// The regions this type is priced in, `home` first.
    pub fn priced_regions<'a>(&'a self, home: &'a str) -> Vec<&'a str> {
        priced_regions(home, &self.regional)
    }
}

/// `home`, then the regions of a `regional` map.
fn priced_regions<'a, V>(home: &'a str, regional: &'a BTreeMap<String, V>) -> Vec<&'a str> {
    std::iter::once(home)
        .chain(regional.keys().map(String::as_str))
        .collect()
}

impl Price {
    /// This price in `region` of a table whose first region is `home`: its own in `home`, its
    /// `regional` rate elsewhere (tiers, source and flag of that entry), `None` where the table
    /// has no rate.
    pub fn in_region(&self, region: &str, home: &str) -> Option<Price> {
        if region == home {
            return Some(self.clone());
        }
        let r = self.regional.get(region)?;
        Some(Price {
            tiers: r.tiers.clone(),
            source: r.source.clone(),
            verified: r.verified,
            regional: BTreeMap::new(),
            ..self.clone()
        })
    }

    /// The regions this price has a rate in, `home` first.
    pub fn priced_regions<'a>(&'a self, home: &'a str) -> Vec<&'a str> {
        priced_regions(home, &self.regional)
    }
}
