//! An instance type's prices in a price table's other regions: validated from `regional.REGION`
//! entries, and the view of a type's prices in the region a bill asks for.

use serde::Serialize;
use std::collections::BTreeMap;
use toml::Spanned;

use super::raw::RawRegional;
use super::table::{validate_commitments, Ctx, InstancePrice};
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
        if !regions.iter().skip(1).any(|r| r == region) {
            cx.err_at(
                at,
                &key,
                format!(
                    "'{region}' is not one of the table's other regions ({}; the first region's prices are the \
                     instance's own fields)",
                    regions.join(", ")
                ),
                "a region listed in `regions` after the first",
            );
        }
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
        std::iter::once(home)
            .chain(self.regional.keys().map(String::as_str))
            .collect()
    }
}
