//! The network lines of a real bill, from a provider's `network` price table (`aws-network`,
//! `azure-network`, `gcp-network`, `cloudflare-network`): internet egress of `requests ×
//! response_bytes` (tiered over the month, with the free grants of the free tier), NAT gateway
//! hours and data processed, public IPv4 address-hours. A provider with no network table (a
//! user's price folder without one) gets a "not priced" egress line, so the total says it is a
//! lower bound.

use super::breakdown::{CostBreakdown, CostLine};
use super::meter::{Meter, BYTES_PER_GB, MS_PER_HOUR_U};
use super::{CostError, CostOptions};
use crate::pricing::{Catalog, Model, PriceTable};
use crate::units::{group_thousands, MS_PER_MONTH};

/// The id of `provider`'s network price table.
pub fn network_table_id(provider: &str) -> String {
    format!("{provider}-network")
}

fn meter<'a>(table: &'a PriceTable, opts: &'a CostOptions, period_ms: u64) -> Result<Meter<'a>, CostError> {
    if table.model != Model::Network {
        return Err(CostError::WrongModel {
            table: table.id.clone(),
            model: format!("{:?}", table.model),
            what: "network lines".to_string(),
        });
    }
    Meter::new(table, opts, period_ms)
}

/// Internet egress of `requests` responses of `response_bytes` each over `period_ms`, priced
/// with `provider`'s network table in `catalog`; a "not priced" line when the provider has
/// none or it does not cover the region priced. Nothing when no byte leaves.
pub fn price_egress(
    catalog: &Catalog,
    provider: &str,
    period_ms: u64,
    requests: u128,
    response_bytes: u64,
    opts: &CostOptions,
) -> Result<CostBreakdown, CostError> {
    let Some(bytes) = requests.checked_mul(response_bytes as u128) else {
        return Err(CostError::Overflow {
            table: network_table_id(provider),
            what: format!("internet egress ({requests} responses of {response_bytes} bytes)"),
        });
    };
    if bytes == 0 {
        return Ok(CostBreakdown::default());
    }
    let id = network_table_id(provider);
    let table = catalog.tables.get(&id);
    // A provider without a network table, or one whose table does not cover the region priced:
    // a "not priced" line (the bill is then a lower bound), never a guess from another region.
    let why = match (table, &opts.region) {
        (None, _) => Some(format!(
            "no sourced internet egress price for {provider} (no {id} table)"
        )),
        (Some(t), Some(r)) if !t.covers(r) => Some(format!(
            "no sourced internet egress price for {provider} in {r} ({id} covers {})",
            t.all_regions().join(", ")
        )),
        _ => None,
    };
    let (Some(table), None) = (table, &why) else {
        // A month's worth, as the priced lines show.
        let gb = bytes as f64 / BYTES_PER_GB as f64 * MS_PER_MONTH as f64 / period_ms.max(1) as f64;
        return Ok(CostBreakdown {
            lines: vec![CostLine {
                offering: id,
                name: "Internet egress".to_string(),
                unit: "GB".to_string(),
                quantity: gb,
                unit_price_usd: None,
                cost: None,
                verified: false,
                source: String::new(),
                note: Some(format!("not priced: {}", why.unwrap_or_default())),
            }],
            ..CostBreakdown::default()
        });
    };
    let mut m = meter(table, opts, period_ms)?;
    let monthly = m.monthly(bytes);
    m.charge_with_grant("Internet egress", "internet-egress", monthly, BYTES_PER_GB);
    m.assume(format!(
        "{}: internet egress of {} bytes per response",
        table.id,
        group_thousands(response_bytes)
    ));
    m.finish()
}

/// Public IPv4 addresses of an internet-facing ALB: it spans at least two Availability Zones,
/// with one public address in each (billed like any other).
pub const ALB_PUBLIC_IPV4: u32 = 2;

/// What a server option's network costs beyond egress: NAT gateways (hours and the bytes they
/// process) and public IPv4 addresses (address-time).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NetworkUse {
    /// NAT gateways running all period.
    pub nat_gateways: u32,
    /// Bytes processed by the NAT gateways over the period.
    pub nat_bytes: u128,
    /// Public IPv4 address-time over the period, ms (addresses × ms each is held).
    pub public_ipv4_ms: u128,
}

/// Prices `use_` over `period_ms` with a network table (`aws-network`).
pub fn price_network_use(
    table: &PriceTable,
    opts: &CostOptions,
    period_ms: u64,
    use_: NetworkUse,
) -> Result<CostBreakdown, CostError> {
    let mut m = meter(table, opts, period_ms)?;
    if use_.nat_gateways > 0 {
        let ms = m.monthly(use_.nat_gateways as u128 * period_ms as u128);
        m.charge("NAT gateway hours", "nat-gateway-hours", ms, MS_PER_HOUR_U, 0);
        let bytes = m.monthly(use_.nat_bytes);
        m.charge("NAT gateway data processed", "nat-gateway-data", bytes, BYTES_PER_GB, 0);
        m.assume(format!(
            "{}: {} NAT gateway(s) all month (servers in private subnets)",
            table.id, use_.nat_gateways
        ));
    }
    let ms = m.monthly(use_.public_ipv4_ms);
    m.charge("Public IPv4 address-hours", "public-ipv4-hours", ms, MS_PER_HOUR_U, 0);
    if ms > 0 {
        m.assume(format!(
            "{}: public IPv4 addresses billed per address-hour: {ALB_PUBLIC_IPV4} per ALB (one per Availability \
             Zone) and one per server in a public subnet",
            table.id
        ));
    }
    m.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{Usd, MS_PER_DAY};

    fn catalog() -> Catalog {
        Catalog::embedded().unwrap()
    }

    fn usd(x: f64) -> Usd {
        Usd::from_f64(x).unwrap()
    }

    const GB: u64 = 1 << 30;

    #[test]
    fn aws_egress_tiers_and_the_100_gb_free() {
        let c = catalog();
        let off = CostOptions::default();
        // 10M responses of 10 KiB = 100,000,000 KiB = 95.367 GiB × $0.09 = $8.583069…
        let b = price_egress(&c, "aws", MS_PER_MONTH, 10_000_000, 10_240, &off).unwrap();
        let gb = 10_000_000.0 * 10_240.0 / GB as f64;
        assert!((b.lines[0].quantity - gb).abs() < 1e-9);
        assert_eq!(b.total().cents(), 858);
        // With the free tier those 95.4 GB are inside the first 100 GB: $0.
        let free = CostOptions {
            free_tier: true,
            ..CostOptions::default()
        };
        assert_eq!(
            price_egress(&c, "aws", MS_PER_MONTH, 10_000_000, 10_240, &free)
                .unwrap()
                .total(),
            Usd::ZERO
        );
        // 20,000 GB: 10,240 × 0.09 + 9,760 × 0.085 = 921.60 + 829.60 = $1,751.20; with the free
        // tier the first 100 GB are free: 10,140 × 0.09 + 9,760 × 0.085 = $1,742.20.
        let b = price_egress(&c, "aws", MS_PER_MONTH, 20_000, GB, &off).unwrap();
        assert_eq!(b.total(), usd(1_751.20));
        let b = price_egress(&c, "aws", MS_PER_MONTH, 20_000, GB, &free).unwrap();
        assert_eq!(b.total(), usd(1_742.20));
    }

    #[test]
    fn azure_egress_tiers_and_the_100_gb_free() {
        let c = catalog();
        let free = CostOptions {
            free_tier: true,
            ..CostOptions::default()
        };
        // ResearchComputing's worked example: 500 GB out, the first 100 GB free, 400 × $0.087 =
        // $34.80; without the free tier 500 × 0.087 = $43.50.
        let b = price_egress(&c, "azure", MS_PER_MONTH, 500, GB, &free).unwrap();
        assert_eq!(b.total(), usd(34.80));
        assert!(b.complete() && !b.verified());
        let b = price_egress(&c, "azure", MS_PER_MONTH, 500, GB, &CostOptions::default()).unwrap();
        assert_eq!(b.total(), usd(43.50));
        // 200,000 GB: 10,240 × 0.087 + 40,960 × 0.083 + 102,400 × 0.07 + 46,400 × 0.05
        // = 890.88 + 3,399.68 + 7,168.00 + 2,320.00 = $13,778.56.
        let b = price_egress(&c, "azure", MS_PER_MONTH, 200_000, GB, &CostOptions::default()).unwrap();
        assert_eq!(b.total(), usd(13_778.56));
        // The same zone 1 rates in northeurope (Container Apps' third region): 500 × 0.087 = $43.50;
        // a zone 2 region (southeastasia) is not tabled: not priced, never zone 1's rate.
        let in_region = |r: &str| CostOptions {
            region: Some(r.to_string()),
            ..CostOptions::default()
        };
        let b = price_egress(&c, "azure", MS_PER_MONTH, 500, GB, &in_region("northeurope")).unwrap();
        assert_eq!(b.total(), usd(43.50));
        let b = price_egress(&c, "azure", MS_PER_MONTH, 500, GB, &in_region("southeastasia")).unwrap();
        assert!(!b.complete());
    }

    #[test]
    fn gcp_egress_premium_tier_and_the_1_gib_free() {
        let c = catalog();
        let free = CostOptions {
            free_tier: true,
            ..CostOptions::default()
        };
        // 500 GiB out: 500 × $0.12 = $60.00; with Cloud Run's 1 GiB free, 499 × 0.12 = $59.88.
        let b = price_egress(&c, "gcp", MS_PER_MONTH, 500, GB, &CostOptions::default()).unwrap();
        assert_eq!(b.total(), usd(60.00));
        assert!(b.complete() && !b.verified());
        let b = price_egress(&c, "gcp", MS_PER_MONTH, 500, GB, &free).unwrap();
        assert_eq!(b.total(), usd(59.88));
        // 20,000 GiB: 1,024 × 0.12 + 9,216 × 0.11 + 9,760 × 0.08
        // = 122.88 + 1,013.76 + 780.80 = $1,917.44.
        let b = price_egress(&c, "gcp", MS_PER_MONTH, 20_000, GB, &CostOptions::default()).unwrap();
        assert_eq!(b.total(), usd(1_917.44));
        // A week of 100 GiB is 100 × 730/168 = 434.52 GiB a month: × 0.12 = $52.14.
        let week_ms = 7 * MS_PER_DAY;
        let b = price_egress(&c, "gcp", week_ms, 100, GB, &CostOptions::default()).unwrap();
        assert_eq!(b.total().cents(), 5_214);
    }

    #[test]
    fn gcp_egress_in_europe_west1_and_asia_southeast1_without_the_north_american_free_gib() {
        let c = catalog();
        let in_region = |r: &str, free_tier: bool| CostOptions {
            region: Some(r.to_string()),
            free_tier,
            ..CostOptions::default()
        };
        // The Cloud Billing Catalog copy's worldwide rates there: 0.12 / 0.11 / 0.085 at 1 and
        // 10 TiB. 20,000 GiB: 1,024 × 0.12 + 9,216 × 0.11 + 9,760 × 0.085
        // = 122.88 + 1,013.76 + 829.60 = $1,966.24 (us-central1's last tier is 0.08: $1,917.44).
        for r in ["europe-west1", "asia-southeast1"] {
            let b = price_egress(&c, "gcp", MS_PER_MONTH, 20_000, GB, &in_region(r, false)).unwrap();
            assert_eq!(b.total(), usd(1_966.24), "{r}");
            assert_eq!(b.offerings[0].region, r);
            assert!(b.lines.iter().all(|l| l.source.contains("Cyclenerd")), "{r}");
            // Cloud Run's free GiB is within North America: none here, even with the free tier
            // (500 GiB × 0.12 = $60.00; in us-central1 499 × 0.12 = $59.88).
            let b = price_egress(&c, "gcp", MS_PER_MONTH, 500, GB, &in_region(r, true)).unwrap();
            assert_eq!(b.total(), usd(60.00), "{r}");
        }
        let b = price_egress(&c, "gcp", MS_PER_MONTH, 500, GB, &in_region("us-central1", true)).unwrap();
        assert_eq!(b.total(), usd(59.88));
    }

    #[test]
    fn cloudflare_egress_is_free_and_a_provider_without_a_table_is_not_priced() {
        let mut c = catalog();
        let b = price_egress(&c, "cloudflare", MS_PER_MONTH, 1_000, GB, &CostOptions::default()).unwrap();
        assert!(b.complete() && b.total() == Usd::ZERO && !b.lines.is_empty());
        // A catalog without GCP's network table (a user's `--pricing` folder): a "not priced"
        // line, never a silent $0.
        c.tables.remove("gcp-network");
        let b = price_egress(&c, "gcp", MS_PER_MONTH, 1_000, GB, &CostOptions::default()).unwrap();
        assert!(!b.complete());
        assert!(b.lines[0]
            .note
            .as_deref()
            .unwrap()
            .contains("no sourced internet egress price for gcp"));
        // A network table that does not cover the region priced: not priced there either (the
        // GCP table has no rate from us-east1).
        let c = catalog();
        let east = CostOptions {
            region: Some("us-east1".into()),
            ..CostOptions::default()
        };
        let b = price_egress(&c, "gcp", MS_PER_MONTH, 1_000, GB, &east).unwrap();
        assert!(!b.complete());
        let note = b.lines[0].note.as_deref().unwrap();
        assert!(
            note.contains(
                "no sourced internet egress price for gcp in us-east1 (gcp-network covers us-central1, europe-west1, asia-southeast1)"
            ),
            "{note}"
        );
        // Bytes beyond u128 are an overflow error, never a saturated quantity.
        let e = price_egress(&c, "gcp", MS_PER_MONTH, u128::MAX, 2, &CostOptions::default()).unwrap_err();
        assert!(matches!(e, CostError::Overflow { .. }), "{e}");
        // No bytes: no line.
        let b = price_egress(&c, "gcp", MS_PER_MONTH, 1_000, 0, &CostOptions::default()).unwrap();
        assert!(b.lines.is_empty());
    }

    #[test]
    fn nat_gateway_and_public_ipv4() {
        // 2 NAT gateways × 730 h × $0.045 = $65.70; 100 GB × $0.045 = $4.50; 3 addresses all
        // month: 2,190 h × $0.005 = $10.95. Total $81.15.
        let t = catalog().get("aws-network").unwrap().clone();
        let use_ = NetworkUse {
            nat_gateways: 2,
            nat_bytes: 100 * GB as u128,
            public_ipv4_ms: 3 * MS_PER_MONTH as u128,
        };
        let b = price_network_use(&t, &CostOptions::default(), MS_PER_MONTH, use_).unwrap();
        assert_eq!(b.cost_of("NAT gateway hours"), usd(65.70));
        assert_eq!(b.cost_of("NAT gateway data"), usd(4.50));
        assert_eq!(b.cost_of("Public IPv4"), usd(10.95));
        assert_eq!(b.total(), usd(81.15));
    }

    #[test]
    fn aws_network_in_eu_west_1_and_ap_southeast_1() {
        let c = catalog();
        let in_region = |r: &str| CostOptions {
            region: Some(r.to_string()),
            ..CostOptions::default()
        };
        // infracost's data-transfer golden per region. eu-west-1 has us-east-1's tiers:
        // 20,000 GB = 10,240 × 0.09 + 9,760 × 0.085 = 921.60 + 829.60 = $1,751.20.
        let b = price_egress(&c, "aws", MS_PER_MONTH, 20_000, GB, &in_region("eu-west-1")).unwrap();
        assert_eq!(b.total(), usd(1_751.20));
        assert_eq!(b.offerings[0].region, "eu-west-1");
        // ap-southeast-1: 20,000 GB = 10,240 × 0.12 + 9,760 × 0.085 = 1,228.80 + 829.60 = $2,058.40;
        // the golden's 157,000 GB = 1,228.80 + 40,960 × 0.085 + 102,400 × 0.082 + 3,400 × 0.08
        // = 1,228.80 + 3,481.60 + 8,396.80 + 272.00 = $13,379.20.
        let ap = in_region("ap-southeast-1");
        let b = price_egress(&c, "aws", MS_PER_MONTH, 20_000, GB, &ap).unwrap();
        assert_eq!(b.total(), usd(2_058.40));
        assert!(b.verified() && b.lines[0].source.contains("aws_data_transfer.ap-southeast-1"));
        let b = price_egress(&c, "aws", MS_PER_MONTH, 157_000, GB, &ap).unwrap();
        assert_eq!(b.total(), usd(13_379.20));
        // The NAT gateway has no sourced rate in eu-west-1: not priced, not us-east-1's $0.045;
        // public IPv4 is $0.005 in both: 3 addresses all month = 2,190 h × 0.005 = $10.95.
        let t = c.get("aws-network").unwrap();
        let use_ = NetworkUse {
            nat_gateways: 2,
            nat_bytes: 100 * GB as u128,
            public_ipv4_ms: 3 * MS_PER_MONTH as u128,
        };
        let b = price_network_use(t, &in_region("eu-west-1"), MS_PER_MONTH, use_).unwrap();
        assert!(!b.complete());
        let nat = b
            .lines
            .iter()
            .find(|l| l.name.starts_with("NAT gateway hours"))
            .unwrap();
        assert!(nat.cost.is_none());
        assert!(
            nat.note
                .as_deref()
                .unwrap()
                .contains("no 'nat-gateway-hours' rate in eu-west-1 (priced in us-east-1, ap-southeast-1)"),
            "{nat:?}"
        );
        assert_eq!(b.cost_of("Public IPv4"), usd(10.95));
        // ap-southeast-1 (copies of AWS's Price List, unverified): 2 NAT gateways × 730 h ×
        // $0.059 = $86.14; 100 GB × $0.059 = $5.90; the addresses $10.95. Total $102.99.
        let b = price_network_use(t, &ap, MS_PER_MONTH, use_).unwrap();
        assert_eq!(b.cost_of("NAT gateway hours"), usd(86.14));
        assert_eq!(b.cost_of("NAT gateway data"), usd(5.90));
        assert_eq!(b.total(), usd(102.99));
        assert!(b.complete() && !b.verified());
    }
}
