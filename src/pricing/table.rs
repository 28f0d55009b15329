//! Validated price tables: `RawTable` (what the TOML says) → `PriceTable` (what the cost
//! engine may trust): prices non-negative and exact in pico-dollars, tiers in increasing
//! order, every figure with a source, dates real. The `[behaviour]` section (platform facts)
//! is validated in [`super::behaviour`]. Figures and sources: ../shared/reference/pricing-facts.md.

use serde::Serialize;
use std::collections::BTreeMap;
use toml::Spanned;

use super::behaviour::{validate_behaviour, Behaviour};
use super::error::{line_of, PricingError};
use super::raw::{RawFree, RawInstance, RawPrice, RawRules, RawTable, RawTier};
use super::regional::{own_figures_apply, validate_regional, validate_regional_rates, RegionalPrice, RegionalRate};
use crate::units::Usd;

/// The highest unit price a table may state: the dearest instance-hour is a few hundred
/// dollars, so a price above this is a typo, and pricing with it could only overflow.
pub const MAX_PRICE_USD: f64 = 1_000_000.0;

/// The billing model a table describes; the cost engine has one pricing routine per model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// AWS Lambda: requests, tiered GB-s per architecture, INIT, ephemeral storage, PC.
    AwsLambda,
    /// Amazon API Gateway REST and HTTP APIs.
    AwsApiGateway,
    /// Application Load Balancer: hours + LCU-hours.
    AwsAlb,
    /// CloudWatch Logs ingestion (tiered for Lambda logs) and storage.
    AwsCloudwatchLogs,
    /// AWS Fargate: vCPU-hours + GB-hours per architecture.
    AwsFargate,
    /// Azure Functions Consumption plan.
    AzureConsumption,
    /// Azure Functions Flex Consumption plan.
    AzureFlex,
    /// Google Cloud Run (services and Cloud Run functions).
    GcpCloudRun,
    /// AWS App Runner: memory of every provisioned instance, vCPU only while it serves requests.
    AwsAppRunner,
    /// Azure Container Apps, Consumption plan: replica vCPU-s and GiB-s at an active or idle
    /// rate, plus requests.
    AzureContainerApps,
    /// Cloudflare Workers Standard.
    CloudflareWorkers,
    /// Google Cloud Functions 1st gen: invocations, GB-s and GHz-s, 100 ms rounding.
    GcpFunctionsGen1,
    /// Hourly-priced instances (EC2, Azure VMs, GCE, Azure Functions Premium, EKS control plane).
    Instances,
    /// A provider's network lines: internet egress, NAT gateways, public IPv4 addresses.
    Network,
}

impl Model {
    fn parse(s: &str) -> Option<Model> {
        Some(match s {
            "aws-lambda" => Model::AwsLambda,
            "aws-api-gateway" => Model::AwsApiGateway,
            "aws-alb" => Model::AwsAlb,
            "aws-cloudwatch-logs" => Model::AwsCloudwatchLogs,
            "aws-fargate" => Model::AwsFargate,
            "azure-consumption" => Model::AzureConsumption,
            "azure-flex" => Model::AzureFlex,
            "gcp-cloud-run" => Model::GcpCloudRun,
            "aws-app-runner" => Model::AwsAppRunner,
            "azure-container-apps" => Model::AzureContainerApps,
            "cloudflare-workers" => Model::CloudflareWorkers,
            "gcp-functions-gen1" => Model::GcpFunctionsGen1,
            "instances" => Model::Instances,
            "network" => Model::Network,
            _ => return None,
        })
    }

    const NAMES: &'static str = "aws-lambda, aws-api-gateway, aws-alb, aws-cloudwatch-logs, aws-fargate, \
                                 azure-consumption, azure-flex, gcp-cloud-run, aws-app-runner, azure-container-apps, \
                                 gcp-functions-gen1, cloudflare-workers, instances, network";
}

/// Billing rules of an offering (absent rules take the neutral value: grain 1 ms, no minimum).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules {
    /// Per-invocation duration grain, ms (≥ 1).
    pub duration_grain_ms: u64,
    /// Per-invocation minimum billed duration, ms.
    pub minimum_duration_ms: u64,
    /// Memory billing grain, MB (0 = configured memory as is).
    pub memory_grain_mb: u32,
    /// Minimum billed memory, MB.
    pub memory_minimum_mb: u32,
    /// Maximum billed memory, MB (0 = none).
    pub memory_maximum_mb: u32,
    /// Whether INIT time is billed as duration.
    pub init_billed: bool,
    /// Cap on billed INIT per init, ms (0 = none).
    pub init_cap_ms: u64,
    /// Provisioned-concurrency period grain, ms (1 = none).
    pub provisioned_grain_ms: u64,
    /// Ephemeral storage included, MB.
    pub included_storage_mb: u32,
    /// Request metering increment, KB (0 = one request is one request).
    pub request_metering_kb: u32,
    /// Minimum monthly charge.
    pub minimum_monthly: Option<Usd>,
    /// Minimum billed time per instance launch, ms.
    pub minimum_billed_ms: u64,
    /// Longest execution, ms, for tables without a `[behaviour]` timeout (0 = none).
    pub max_duration_ms: u64,
    /// Largest configurable ephemeral storage, MB (0 = none).
    pub storage_max_mb: u32,
    /// CPU clock by memory size (MB → MHz), for Cloud Functions 1st gen.
    pub cpu_mhz_by_memory_mb: BTreeMap<u32, u64>,
    /// Source of the rules.
    pub source: Option<String>,
    /// Whether the rules are vendor-verified.
    pub verified: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            duration_grain_ms: 1,
            minimum_duration_ms: 0,
            memory_grain_mb: 0,
            memory_minimum_mb: 0,
            memory_maximum_mb: 0,
            init_billed: false,
            init_cap_ms: 0,
            provisioned_grain_ms: 1,
            included_storage_mb: 0,
            request_metering_kb: 0,
            minimum_monthly: None,
            minimum_billed_ms: 0,
            max_duration_ms: 0,
            storage_max_mb: 0,
            cpu_mhz_by_memory_mb: BTreeMap::new(),
            source: None,
            verified: false,
        }
    }
}

impl Rules {
    /// The memory size tier a configured `memory_mb` is billed at and its CPU clock in MHz:
    /// the smallest listed size ≥ `memory_mb`. `None` without a table, or above its largest
    /// size (a size the platform does not offer is never billed at a smaller tier).
    pub fn cpu_tier(&self, memory_mb: u32) -> Option<(u32, u64)> {
        self.cpu_mhz_by_memory_mb
            .range(memory_mb..)
            .next()
            .map(|(&m, &c)| (m, c))
    }

    /// Billed duration of one invocation of `duration_ms` under the grain and minimum.
    pub fn billed_duration_ms(&self, duration_ms: u64) -> u64 {
        self.rounded_to_grain_ms(duration_ms.max(self.minimum_duration_ms))
    }

    /// `duration_ms` rounded up to the duration grain (no minimum: an INIT, a busy period).
    pub fn rounded_to_grain_ms(&self, duration_ms: u64) -> u64 {
        duration_ms.div_ceil(self.duration_grain_ms) * self.duration_grain_ms
    }

    /// Billed memory for a configured (or observed) `memory_mb` under the grain, minimum and cap.
    pub fn billed_memory_mb(&self, memory_mb: u32) -> u32 {
        let mut m = memory_mb.max(self.memory_minimum_mb);
        if self.memory_grain_mb > 0 {
            m = m.div_ceil(self.memory_grain_mb) * self.memory_grain_mb;
        }
        if self.memory_maximum_mb > 0 {
            m = m.min(self.memory_maximum_mb);
        }
        m
    }
}

/// One price tier: the unit price applies to cumulative monthly quantity below `up_to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    /// Upper bound in units (whole units), `None` for the last tier.
    pub up_to: Option<u64>,
    /// Price of `per` units within this tier.
    pub usd: Usd,
}

/// A validated unit price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Price {
    /// Unit of one quantity, e.g. `GB-s`.
    pub unit: String,
    /// The price is for this many units.
    pub per: u64,
    /// Tiers (one tier for a flat price).
    pub tiers: Vec<Tier>,
    /// Source URL or citation.
    pub source: String,
    /// Vendor-verified (pricing-facts V) or not (X, U).
    pub verified: bool,
    /// What it covers.
    pub description: Option<String>,
    /// The rate in each of the table's `other_regions` that has one.
    pub regional: BTreeMap<String, RegionalRate>,
}

/// A free grant or plan-included quantity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FreeGrant {
    /// Monthly quantity in the price's units.
    pub quantity: u64,
    /// Part of the plan (always applied) rather than an opt-in free tier.
    pub included: bool,
    /// A 12-month offer to new accounts, not a permanent grant.
    pub new_accounts_only: bool,
    /// In the table's `other_regions`, worth its quantity at the home price (the first tier's
    /// price in the table's `regions`), not the same quantity.
    pub valued_at_home_price: bool,
    /// Applies in the table's `regions` only (none in its `other_regions`).
    pub home_regions_only: bool,
    /// Source.
    pub source: String,
    /// Vendor-verified.
    pub verified: bool,
    /// Caveat.
    pub note: Option<String>,
}

/// Price of one instance type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstancePrice {
    /// vCPUs.
    pub vcpu: f64,
    /// Memory, GiB.
    pub memory_gib: f64,
    /// Architecture, when stated.
    pub arch: Option<String>,
    /// On-demand USD per hour.
    pub per_hour: Usd,
    /// Commitment USD per hour by term name (`KIND-Nyr-no-upfront`, see [`CommitmentTerm`]).
    pub commitments: BTreeMap<String, Usd>,
    /// Source of the commitment prices (the instance's `source` unless the table names another).
    pub commitments_source: String,
    /// Commitment prices vendor-verified (the instance's `verified` unless stated apart).
    pub commitments_verified: bool,
    /// Sustained-use tiers: the share of the on-demand price charged for each quarter of the
    /// month an instance runs, in basis points (10,000 = the full price), non-increasing from
    /// 10,000; empty: no sustained-use discount.
    pub sustained_use_tiers_bps: Vec<u32>,
    /// Instances always billed.
    pub minimum_instances: u32,
    /// Prices (on demand and commitments) in each of the table's `other_regions` that has them.
    pub regional: BTreeMap<String, RegionalPrice>,
    /// Source.
    pub source: String,
    /// Vendor-verified.
    pub verified: bool,
    /// Caveat.
    pub note: Option<String>,
}

/// What a commitment term's name says: `KIND-Nyr-UPFRONT-upfront`, e.g.
/// `ri-standard-1yr-no-upfront` (a Standard Reserved Instance, 1-year term, nothing paid upfront).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitmentTerm {
    /// Term length, years (1 or 3).
    pub years: u32,
    /// Share of the term's price paid upfront, percent (no upfront: 0).
    pub upfront_percent: u32,
}

impl CommitmentTerm {
    /// Reads a term name. Only no-upfront terms are accepted: an hourly rate alone cannot say
    /// how much of a partial- or all-upfront term is paid at purchase (the upfront fees are not in
    /// the sources of the tables).
    pub fn parse(name: &str) -> Result<CommitmentTerm, String> {
        let expected = "KIND-1yr-no-upfront or KIND-3yr-no-upfront, e.g. ri-standard-1yr-no-upfront";
        let Some(rest) = name.strip_suffix("-no-upfront") else {
            return Err(format!(
                "'{name}' is not a no-upfront term (partial and all upfront need the upfront fee, which the table \
                 cannot state); expected {expected}"
            ));
        };
        let years = match rest.rsplit_once('-') {
            Some((kind, "1yr")) if !kind.is_empty() => 1,
            Some((kind, "3yr")) if !kind.is_empty() => 3,
            _ => return Err(format!("'{name}' names no 1yr or 3yr term; expected {expected}")),
        };
        Ok(CommitmentTerm {
            years,
            upfront_percent: 0,
        })
    }
}

/// A validated price table for one offering.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceTable {
    /// Offering id (file stem), e.g. `aws-lambda`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Provider.
    pub provider: String,
    /// Billing model.
    pub model: Model,
    /// Currency (USD).
    pub currency: String,
    /// YYYY-MM-DD.
    pub effective_date: String,
    /// Regions the figures apply to as written.
    pub regions: Vec<String>,
    /// Regions priced only through `regional` entries (see [`PriceTable::covers`]).
    pub other_regions: Vec<String>,
    /// Caveats.
    pub notes: Vec<String>,
    /// Billing rules.
    pub rules: Rules,
    /// Unit prices by key.
    pub prices: BTreeMap<String, Price>,
    /// Free grants by price key.
    pub free: BTreeMap<String, FreeGrant>,
    /// Instance prices by type.
    pub instances: BTreeMap<String, InstancePrice>,
    /// Platform facts (serverless offerings the simulator replays).
    pub behaviour: Option<Behaviour>,
    /// Where the table was loaded from (a path, or `embedded:<file>`).
    pub origin: String,
}

impl PriceTable {
    /// Whether the table prices `region` at all: one of its `regions` (or a `global` table), or
    /// one of its `other_regions`.
    pub fn covers(&self, region: &str) -> bool {
        self.own_figures_apply(region) || self.other_regions.iter().any(|r| r == region)
    }

    /// Whether the table's own figures (not a `regional` entry) apply in `region`.
    pub fn own_figures_apply(&self, region: &str) -> bool {
        own_figures_apply(region, &self.regions)
    }

    /// Every region the table prices, its `regions` first.
    pub fn all_regions(&self) -> Vec<&str> {
        self.regions
            .iter()
            .chain(&self.other_regions)
            .map(String::as_str)
            .collect()
    }

    /// Whether every figure that prices `region` is vendor-verified: the table's own figures
    /// where they apply there, else its entries for the region (a price without one is not
    /// priced there: its line says so) and the own price a grant is valued at
    /// (`valued_at_home_price`); the free grants (one for every region) wherever.
    pub fn verified_in(&self, region: &str) -> bool {
        let own = self.own_figures_apply(region);
        let price = |(key, p): (&String, &Price)| match own {
            true => p.verified,
            false => {
                let valued_at_own = self.free.get(key).is_some_and(|f| f.valued_at_home_price);
                p.regional.get(region).is_none_or(|r| r.verified) && (p.verified || !valued_at_own)
            }
        };
        let instance = |i: &InstancePrice| match own {
            true => i.verified && i.commitments_verified,
            false => i.regional.get(region).is_none_or(|r| r.verified),
        };
        self.prices.iter().all(price) && self.free.values().all(|f| f.verified) && self.instances.values().all(instance)
    }

    /// Whether every price, grant and instance figure in the table is vendor-verified.
    pub fn fully_verified(&self) -> bool {
        self.prices
            .values()
            .all(|p| p.verified && p.regional.values().all(|r| r.verified))
            && self.free.values().all(|f| f.verified)
            && self
                .instances
                .values()
                .all(|i| i.verified && i.commitments_verified && i.regional.values().all(|r| r.verified))
    }
}

/// Collects errors against one file's text.
pub(super) struct Ctx<'a> {
    path: &'a str,
    text: &'a str,
    pub(super) errors: Vec<PricingError>,
}

impl Ctx<'_> {
    pub(super) fn err<T>(&mut self, spanned: &Spanned<T>, key: &str, problem: impl Into<String>, expected: &str) {
        self.err_at(spanned.span().start, key, problem, expected);
    }

    pub(super) fn err_at(&mut self, offset: usize, key: &str, problem: impl Into<String>, expected: &str) {
        self.errors.push(PricingError::Invalid {
            path: self.path.to_string(),
            line: line_of(self.text, offset),
            key: key.to_string(),
            problem: problem.into(),
            expected: expected.to_string(),
        });
    }

    pub(super) fn non_negative_int(&mut self, v: &Option<Spanned<i64>>, key: &str) -> Option<u64> {
        let v = v.as_ref()?;
        if *v.get_ref() < 0 {
            self.err(v, key, format!("{} is negative", v.get_ref()), "a whole number ≥ 0");
            return None;
        }
        Some(*v.get_ref() as u64)
    }

    pub(super) fn small_int(&mut self, v: &Option<Spanned<i64>>, key: &str) -> Option<u32> {
        let n = self.non_negative_int(v, key)?;
        match u32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                let v = v.as_ref().expect("checked above");
                self.err(
                    v,
                    key,
                    format!("{n} is too large"),
                    "a whole number below 4,294,967,296",
                );
                None
            }
        }
    }

    /// A price in USD: finite, ≥ 0, at most [`MAX_PRICE_USD`], exact to the pico-dollar.
    pub(super) fn price_usd(&mut self, v: &Spanned<f64>, key: &str) -> Option<Usd> {
        let x = *v.get_ref();
        if !x.is_finite() || x < 0.0 {
            self.err(
                v,
                key,
                format!("price {x} is negative or not a number"),
                "a price in USD ≥ 0",
            );
            return None;
        }
        if x > MAX_PRICE_USD {
            self.err(
                v,
                key,
                format!("price {x} is above $1,000,000 per unit, beyond any serverless or server price (a typo?)"),
                "a price in USD up to 1,000,000 per unit",
            );
            return None;
        }
        let usd = Usd::from_f64(x);
        // A price must be exact in pico-dollars (≤ 12 decimal places).
        if let Some(u) = usd {
            if (u.to_f64() - x).abs() > 1e-13_f64.max(x * 1e-12) {
                self.err(
                    v,
                    key,
                    format!("price {x} has more than 12 decimal places"),
                    "a price exact to 10⁻¹² USD",
                );
            }
        }
        usd
    }

    pub(super) fn source(&mut self, s: &Option<Spanned<String>>, at: usize, key: &str) -> String {
        match s {
            Some(s) if !s.get_ref().trim().is_empty() => s.get_ref().clone(),
            Some(s) => {
                self.err(
                    s,
                    key,
                    "source is empty",
                    "a URL or citation of where the figure comes from",
                );
                String::new()
            }
            None => {
                self.err_at(at, key, "no source", "a `source` URL or citation for every figure");
                String::new()
            }
        }
    }

    pub(super) fn verified(&mut self, v: Option<bool>, at: usize, key: &str) -> bool {
        match v {
            Some(v) => v,
            None => {
                self.err_at(
                    at,
                    key,
                    "no `verified` flag",
                    "verified = true (read from a vendor source) or false",
                );
                false
            }
        }
    }

    fn whole_quantity(&mut self, v: &Spanned<f64>, key: &str) -> Option<u64> {
        let x = *v.get_ref();
        if !x.is_finite() || x < 0.0 || x.fract() != 0.0 || x > 1.0e18 {
            self.err(
                v,
                key,
                format!("{x} is not a whole non-negative quantity"),
                "a whole number of units ≥ 0",
            );
            return None;
        }
        Some(x as u64)
    }
}

/// Checks a `YYYY-MM-DD` calendar date.
fn valid_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        parts[0].parse::<u32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (2000..=2100).contains(&y) && d >= 1 && d <= days
}

/// Parses and validates one price-table file. `path` is used in messages only.
pub fn parse_table(path: &str, text: &str) -> Result<PriceTable, Vec<PricingError>> {
    let raw: RawTable = toml::from_str(text).map_err(|e| {
        vec![PricingError::Toml {
            path: path.to_string(),
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(0),
            message: e.message().trim().to_string(),
        }]
    })?;
    let mut cx = Ctx {
        path,
        text,
        errors: Vec::new(),
    };
    let table = validate(&mut cx, raw, path);
    if cx.errors.is_empty() {
        Ok(table)
    } else {
        Err(cx.errors)
    }
}

fn validate(cx: &mut Ctx<'_>, raw: RawTable, path: &str) -> PriceTable {
    if *raw.schema_version.get_ref() != 1 {
        cx.err(
            &raw.schema_version,
            "schema_version",
            format!("version {} is not supported", raw.schema_version.get_ref()),
            "schema_version = 1",
        );
    }
    let id = raw.id.get_ref().clone();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        cx.err(
            &raw.id,
            "id",
            format!("'{id}' is not a valid id"),
            "lowercase letters, digits and '-'",
        );
    }
    let model = Model::parse(raw.model.get_ref()).unwrap_or_else(|| {
        cx.err(
            &raw.model,
            "model",
            format!("unknown model '{}'", raw.model.get_ref()),
            Model::NAMES,
        );
        Model::Instances
    });
    if raw.currency.get_ref() != "USD" {
        cx.err(
            &raw.currency,
            "currency",
            format!("'{}' is not supported", raw.currency.get_ref()),
            "\"USD\"",
        );
    }
    if !valid_date(raw.effective_date.get_ref()) {
        cx.err(
            &raw.effective_date,
            "effective_date",
            format!("'{}' is not a calendar date", raw.effective_date.get_ref()),
            "a date YYYY-MM-DD",
        );
    }
    if raw.regions.get_ref().is_empty() {
        cx.err(
            &raw.regions,
            "regions",
            "no region",
            "at least one region, e.g. [\"us-east-1\"]",
        );
    }
    let other_regions = raw
        .other_regions
        .as_ref()
        .map(|o| o.get_ref().clone())
        .unwrap_or_default();
    if let Some(o) = &raw.other_regions {
        let expected = "distinct region ids whose prices differ from the table's own, none in `regions`";
        let global = raw.regions.get_ref().iter().any(|r| r == "global");
        for (i, r) in o.get_ref().iter().enumerate() {
            let problem = if r.trim().is_empty() {
                "an empty region id".to_string()
            } else if global {
                format!("'{r}' beside a global table (its figures apply everywhere)")
            } else if raw.regions.get_ref().contains(r) {
                format!("'{r}' is also in regions")
            } else if o.get_ref()[..i].contains(r) {
                format!("'{r}' is listed twice")
            } else {
                continue;
            };
            cx.err(o, "other_regions", problem, expected);
        }
    }
    if raw.provider.get_ref().trim().is_empty() {
        cx.err(&raw.provider, "provider", "empty", "aws, azure, gcp or cloudflare");
    }

    let rules = raw.rules.as_ref().map(|r| validate_rules(cx, r)).unwrap_or_default();

    let mut prices = BTreeMap::new();
    for (key, p) in &raw.prices {
        if let Some(price) = validate_price(cx, key, p, &other_regions) {
            prices.insert(key.clone(), price);
        }
    }
    let mut free = BTreeMap::new();
    for (key, f) in &raw.free {
        if !raw.prices.contains_key(key) {
            cx.err(
                f,
                &format!("free.{key}"),
                "grant for a price key that does not exist",
                "a key of [prices]",
            );
        }
        if let Some(g) = validate_free(cx, key, f) {
            free.insert(key.clone(), g);
        }
    }
    let mut instances = BTreeMap::new();
    for (key, i) in &raw.instances {
        if let Some(inst) = validate_instance(cx, key, i, &other_regions) {
            instances.insert(key.clone(), inst);
        }
    }
    if prices.is_empty() && instances.is_empty() && cx.errors.is_empty() {
        cx.err(
            &raw.id,
            "prices",
            "the table has no prices and no instances",
            "at least one [prices.*] or [instances.*]",
        );
    }
    let behaviour = raw.behaviour.as_ref().and_then(|b| validate_behaviour(cx, b));

    PriceTable {
        id,
        name: raw.name,
        provider: raw.provider.into_inner(),
        model,
        currency: raw.currency.into_inner(),
        effective_date: raw.effective_date.into_inner(),
        regions: raw.regions.into_inner(),
        other_regions,
        notes: raw.notes,
        rules,
        prices,
        free,
        instances,
        behaviour,
        origin: path.to_string(),
    }
}

fn validate_rules(cx: &mut Ctx<'_>, r: &Spanned<RawRules>) -> Rules {
    let at = r.span().start;
    let r = r.get_ref();
    let mut rules = Rules::default();
    if let Some(g) = cx.non_negative_int(&r.duration_grain_ms, "rules.duration_grain_ms") {
        if g == 0 {
            let v = r.duration_grain_ms.as_ref().expect("present");
            cx.err(v, "rules.duration_grain_ms", "grain is 0", "a grain ≥ 1 ms");
        } else {
            rules.duration_grain_ms = g;
        }
    }
    rules.minimum_duration_ms = cx
        .non_negative_int(&r.minimum_duration_ms, "rules.minimum_duration_ms")
        .unwrap_or(0);
    rules.memory_grain_mb = cx.small_int(&r.memory_grain_mb, "rules.memory_grain_mb").unwrap_or(0);
    rules.memory_minimum_mb = cx
        .small_int(&r.memory_minimum_mb, "rules.memory_minimum_mb")
        .unwrap_or(0);
    rules.memory_maximum_mb = cx
        .small_int(&r.memory_maximum_mb, "rules.memory_maximum_mb")
        .unwrap_or(0);
    rules.init_billed = r.init_billed.unwrap_or(false);
    rules.init_cap_ms = cx.non_negative_int(&r.init_cap_ms, "rules.init_cap_ms").unwrap_or(0);
    rules.provisioned_grain_ms = cx
        .non_negative_int(&r.provisioned_grain_ms, "rules.provisioned_grain_ms")
        .unwrap_or(1)
        .max(1);
    rules.included_storage_mb = cx
        .small_int(&r.included_storage_mb, "rules.included_storage_mb")
        .unwrap_or(0);
    rules.request_metering_kb = cx
        .small_int(&r.request_metering_kb, "rules.request_metering_kb")
        .unwrap_or(0);
    rules.minimum_monthly = r
        .minimum_monthly_usd
        .as_ref()
        .and_then(|v| cx.price_usd(v, "rules.minimum_monthly_usd"));
    rules.minimum_billed_ms = cx
        .non_negative_int(&r.minimum_billed_ms, "rules.minimum_billed_ms")
        .unwrap_or(0);
    rules.max_duration_ms = cx
        .non_negative_int(&r.max_duration_ms, "rules.max_duration_ms")
        .unwrap_or(0);
    rules.storage_max_mb = cx.small_int(&r.storage_max_mb, "rules.storage_max_mb").unwrap_or(0);
    for (mb, mhz) in &r.cpu_mhz_by_memory_mb {
        let key = format!("rules.cpu_mhz_by_memory_mb.{mb}");
        let Ok(mb_n) = mb.parse::<u32>() else {
            cx.err(
                mhz,
                &key,
                format!("'{mb}' is not a memory size"),
                "memory sizes in MB as keys, e.g. \"128\"",
            );
            continue;
        };
        if let Some(v) = cx.non_negative_int(&Some(mhz.clone()), &key) {
            rules.cpu_mhz_by_memory_mb.insert(mb_n, v);
        }
    }
    rules.source = Some(cx.source(&r.source, at, "rules.source"));
    rules.verified = r.verified;
    rules
}

fn validate_price(cx: &mut Ctx<'_>, key: &str, p: &Spanned<RawPrice>, other_regions: &[String]) -> Option<Price> {
    let at = p.span().start;
    let name = format!("prices.{key}");
    let raw = p.get_ref();
    let per = match &raw.per {
        None => 1,
        Some(v) => match cx.whole_quantity(v, &format!("{name}.per")) {
            Some(0) => {
                cx.err(v, &format!("{name}.per"), "per is 0", "the price's quantity, ≥ 1");
                1
            }
            Some(n) => n,
            None => 1,
        },
    };
    let tiers = validate_tiers(cx, &name, at, &raw.usd, &raw.tiers);
    let regional = validate_regional_rates(cx, &name, &raw.regional, other_regions);
    let source = cx.source(&raw.source, at, &format!("{name}.source"));
    let verified = cx.verified(raw.verified, at, &format!("{name}.verified"));
    if tiers.is_empty() {
        return None;
    }
    Some(Price {
        unit: raw.unit.clone(),
        per,
        tiers,
        source,
        verified,
        description: raw.description.clone(),
        regional,
    })
}

/// A flat `usd` or `tiers` (increasing bounds, the last unbounded), as tiers; empty on an error.
pub(super) fn validate_tiers(
    cx: &mut Ctx<'_>,
    name: &str,
    at: usize,
    usd: &Option<Spanned<f64>>,
    raw_tiers: &Option<Vec<Spanned<RawTier>>>,
) -> Vec<Tier> {
    let mut tiers = Vec::new();
    match (usd, raw_tiers) {
        (Some(usd), None) => {
            if let Some(u) = cx.price_usd(usd, &format!("{name}.usd")) {
                tiers.push(Tier { up_to: None, usd: u });
            }
        }
        (None, Some(raw_tiers)) => {
            let mut last: Option<u64> = None;
            for (i, t) in raw_tiers.iter().enumerate() {
                let tkey = format!("{name}.tiers[{i}]");
                let usd = cx.price_usd(&t.get_ref().usd, &format!("{tkey}.usd"));
                let is_last = i + 1 == raw_tiers.len();
                let up_to = match &t.get_ref().up_to {
                    Some(u) => {
                        if is_last {
                            cx.err(
                                u,
                                &format!("{tkey}.up_to"),
                                "the last tier has an upper bound",
                                "no up_to on the last tier",
                            );
                        }
                        let v = cx.whole_quantity(u, &format!("{tkey}.up_to"));
                        if let (Some(v), Some(prev)) = (v, last) {
                            if v <= prev {
                                cx.err(
                                    u,
                                    &format!("{tkey}.up_to"),
                                    format!("tiers out of order: {v} is not above the previous bound {prev}"),
                                    "strictly increasing up_to bounds",
                                );
                            }
                        }
                        if v.is_some() {
                            last = v;
                        }
                        v
                    }
                    None => {
                        if !is_last {
                            cx.err(
                                t,
                                &format!("{tkey}.up_to"),
                                "a tier before the last has no upper bound",
                                "up_to on every tier but the last",
                            );
                        }
                        None
                    }
                };
                if let Some(u) = usd {
                    tiers.push(Tier { up_to, usd: u });
                }
            }
            if raw_tiers.is_empty() {
                cx.err_at(at, &format!("{name}.tiers"), "empty tier list", "at least one tier");
            }
        }
        (Some(usd), Some(_)) => {
            cx.err(
                usd,
                &format!("{name}.usd"),
                "both usd and tiers",
                "either a flat `usd` or `tiers`, not both",
            );
        }
        (None, None) => cx.err_at(at, name, "no price", "`usd = …` or `tiers = [...]`"),
    }
    tiers
}

fn validate_free(cx: &mut Ctx<'_>, key: &str, f: &Spanned<RawFree>) -> Option<FreeGrant> {
    let at = f.span().start;
    let name = format!("free.{key}");
    let raw = f.get_ref();
    let quantity = cx.whole_quantity(&raw.quantity, &format!("{name}.quantity"));
    let source = cx.source(&raw.source, at, &format!("{name}.source"));
    let verified = cx.verified(raw.verified, at, &format!("{name}.verified"));
    Some(FreeGrant {
        quantity: quantity?,
        included: raw.included,
        new_accounts_only: raw.new_accounts_only,
        valued_at_home_price: raw.valued_at_home_price,
        home_regions_only: raw.home_regions_only,
        source,
        verified,
        note: raw.note.clone(),
    })
}

fn validate_instance(
    cx: &mut Ctx<'_>,
    key: &str,
    i: &Spanned<RawInstance>,
    other_regions: &[String],
) -> Option<InstancePrice> {
    let at = i.span().start;
    let name = format!("instances.{key}");
    let raw = i.get_ref();
    for (v, k) in [(&raw.vcpu, "vcpu"), (&raw.memory_gib, "memory_gib")] {
        if !v.get_ref().is_finite() || *v.get_ref() < 0.0 {
            cx.err(
                v,
                &format!("{name}.{k}"),
                format!("{} is negative", v.get_ref()),
                "a size ≥ 0",
            );
        }
    }
    let per_hour = cx.price_usd(&raw.usd_per_hour, &format!("{name}.usd_per_hour"));
    let commitments = validate_commitments(cx, &name, &raw.commitments);
    let regional = validate_regional(cx, &name, &raw.regional, other_regions);
    let sustained_use_tiers_bps = match &raw.sustained_use_tiers {
        None => Vec::new(),
        Some(v) => {
            let bps: Vec<f64> = v.get_ref().iter().map(|share| share * 10_000.0).collect();
            let whole = bps
                .iter()
                .all(|b| (0.0..=10_000.0).contains(b) && (b - b.round()).abs() < 1e-6);
            let rounded: Vec<u32> = bps.iter().map(|b| b.round() as u32).collect();
            // From the full price down, above 0, and a discount somewhere (else leave the key out).
            let ordered = rounded.first() == Some(&10_000)
                && rounded.windows(2).all(|w| w[1] <= w[0])
                && rounded.iter().all(|&b| b > 0)
                && rounded.last() < Some(&10_000);
            if rounded.len() != 4 || !whole || !ordered {
                cx.err(
                    v,
                    &format!("{name}.sustained_use_tiers"),
                    format!(
                        "{:?} is not four shares of the price between 0 and 1, the first 1, none higher than the \
                         one before and the last below 1",
                        v.get_ref()
                    ),
                    "the share charged in each quarter of the month, such as [1.0, 0.8678, 0.733, 0.6]",
                );
                Vec::new()
            } else {
                rounded
            }
        }
    };
    if let Some(a) = &raw.arch {
        if a != "x86" && a != "arm64" {
            cx.err_at(
                at,
                &format!("{name}.arch"),
                format!("'{a}' is not an architecture"),
                "\"x86\" or \"arm64\"",
            );
        }
    }
    let minimum_instances = cx
        .small_int(&raw.minimum_instances, &format!("{name}.minimum_instances"))
        .unwrap_or(0);
    let source = cx.source(&raw.source, at, &format!("{name}.source"));
    let verified = cx.verified(raw.verified, at, &format!("{name}.verified"));
    let (commitments_source, commitments_verified) = match (&raw.commitments_source, raw.commitments_verified) {
        (None, None) => (source.clone(), verified),
        (s, v) => {
            if raw.commitments.is_empty() {
                cx.err_at(
                    at,
                    &format!("{name}.commitments_source"),
                    "a commitments source without commitment prices",
                    "`commitments = { TERM = USD_PER_HOUR }` beside it, or no commitments_source",
                );
            }
            (
                cx.source(s, at, &format!("{name}.commitments_source")),
                cx.verified(v, at, &format!("{name}.commitments_verified")),
            )
        }
    };
    Some(InstancePrice {
        vcpu: *raw.vcpu.get_ref(),
        memory_gib: *raw.memory_gib.get_ref(),
        arch: raw.arch.clone(),
        per_hour: per_hour?,
        commitments,
        commitments_source,
        commitments_verified,
        sustained_use_tiers_bps,
        minimum_instances,
        regional,
        source,
        verified,
        note: raw.note.clone(),
    })
}

/// Validates `name`'s commitment prices: each term name `KIND-Nyr-no-upfront`, each price exact.
pub(super) fn validate_commitments(
    cx: &mut Ctx<'_>,
    name: &str,
    raw: &BTreeMap<String, Spanned<f64>>,
) -> BTreeMap<String, Usd> {
    let mut commitments = BTreeMap::new();
    for (term, v) in raw {
        let key = format!("{name}.commitments.{term}");
        if let Err(e) = CommitmentTerm::parse(term) {
            cx.err(v, &key, e, "a term name KIND-Nyr-no-upfront");
        }
        if let Some(u) = cx.price_usd(v, &key) {
            commitments.insert(term.clone(), u);
        }
    }
    commitments
}
