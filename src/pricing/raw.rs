//! Raw serde mirror of a `pricing/*.toml` file: exactly what the file says, with spans so
//! that validation can point at a line. `deny_unknown_fields` everywhere: a typo is an error,
//! never a silently ignored price.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// One price-table file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    /// Schema version of the file (currently 1).
    pub schema_version: Spanned<i64>,
    /// Offering id, e.g. `aws-lambda`.
    pub id: Spanned<String>,
    /// Human name.
    pub name: String,
    /// Provider: aws, azure, gcp, cloudflare.
    pub provider: Spanned<String>,
    /// Billing model the engine applies (see `pricing::Model`).
    pub model: Spanned<String>,
    /// Currency code (only USD is supported).
    pub currency: Spanned<String>,
    /// Date the figures were read, YYYY-MM-DD.
    pub effective_date: Spanned<String>,
    /// Regions the figures apply to as written.
    pub regions: Spanned<Vec<String>>,
    /// Regions whose prices differ: priced only through each price's or instance type's
    /// `regional` entry (one without an entry there is not priced there).
    #[serde(default)]
    pub other_regions: Option<Spanned<Vec<String>>>,
    /// Free-text caveats shown with the table.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Billing rules (grains, minimums, caps).
    #[serde(default)]
    pub rules: Option<Spanned<RawRules>>,
    /// Unit prices by key.
    #[serde(default)]
    pub prices: BTreeMap<String, Spanned<RawPrice>>,
    /// Free grants and plan-included quantities by price key.
    #[serde(default)]
    pub free: BTreeMap<String, Spanned<RawFree>>,
    /// Hourly instance prices by instance type.
    #[serde(default)]
    pub instances: BTreeMap<String, Spanned<RawInstance>>,
    /// Non-price platform facts for the simulator.
    #[serde(default)]
    pub behaviour: Option<Spanned<RawBehaviour>>,
}

/// Billing rules as data.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    /// Per-invocation duration grain in ms (Lambda 1, Cloud Run 100).
    pub duration_grain_ms: Option<Spanned<i64>>,
    /// Per-invocation minimum billed duration in ms (Azure Consumption 100, Flex 1,000).
    pub minimum_duration_ms: Option<Spanned<i64>>,
    /// Memory is billed rounded up to this many MB (Azure Consumption 128).
    pub memory_grain_mb: Option<Spanned<i64>>,
    /// Minimum billed memory in MB.
    pub memory_minimum_mb: Option<Spanned<i64>>,
    /// Maximum billed memory in MB.
    pub memory_maximum_mb: Option<Spanned<i64>>,
    /// Whether INIT (cold start) time is billed as duration.
    pub init_billed: Option<bool>,
    /// Cap on billed INIT time per init, in ms.
    pub init_cap_ms: Option<Spanned<i64>>,
    /// Provisioned-concurrency periods are rounded up to this many ms (Lambda 5 min).
    pub provisioned_grain_ms: Option<Spanned<i64>>,
    /// Ephemeral storage included per function, in MB (Lambda 512).
    pub included_storage_mb: Option<Spanned<i64>>,
    /// Requests are metered in increments of this many KB (API Gateway HTTP API 512).
    pub request_metering_kb: Option<Spanned<i64>>,
    /// Minimum monthly charge of the plan, in USD (Cloudflare Workers Paid $5).
    pub minimum_monthly_usd: Option<Spanned<f64>>,
    /// Minimum billed time per instance launch, in ms (EC2 Linux 60 s).
    pub minimum_billed_ms: Option<Spanned<i64>>,
    /// Longest execution the platform runs, ms, where the table has no `[behaviour]` timeout
    /// (Cloud Functions 1st gen 540 s).
    pub max_duration_ms: Option<Spanned<i64>>,
    /// Largest configurable ephemeral storage, MB (Lambda 10,240).
    pub storage_max_mb: Option<Spanned<i64>>,
    /// CPU clock provisioned per memory size, MHz by MB (Cloud Functions 1st gen).
    #[serde(default)]
    pub cpu_mhz_by_memory_mb: BTreeMap<String, Spanned<i64>>,
    /// Where the rules come from.
    pub source: Option<Spanned<String>>,
    /// Whether the rules were read from a vendor page.
    #[serde(default)]
    pub verified: bool,
}

/// One unit price, flat (`usd`) or tiered (`tiers`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrice {
    /// Unit of one priced quantity, e.g. `GB-s`, `request`, `hour`.
    pub unit: String,
    /// The price is for this many units (e.g. 1,000,000 requests).
    pub per: Option<Spanned<f64>>,
    /// Flat price in USD per `per` units.
    pub usd: Option<Spanned<f64>>,
    /// Tiers over the monthly quantity; the last has no `up_to`.
    pub tiers: Option<Vec<Spanned<RawTier>>>,
    /// URL or citation of the figure.
    pub source: Option<Spanned<String>>,
    /// Whether the figure was read from a vendor source (pricing-facts V).
    pub verified: Option<bool>,
    /// What the price covers.
    pub description: Option<String>,
    /// The rate in each of the table's `other_regions` (the fields above apply in its `regions`).
    #[serde(default)]
    pub regional: BTreeMap<String, Spanned<RawRegionalRate>>,
}

/// A price's rate in one of the table's other regions: flat or tiered like the price, in its
/// unit and `per`, with its own source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegionalRate {
    /// Flat price in USD per `per` units there.
    pub usd: Option<Spanned<f64>>,
    /// Tiers there.
    pub tiers: Option<Vec<Spanned<RawTier>>>,
    /// URL or citation of the figure.
    pub source: Option<Spanned<String>>,
    /// Whether read from a vendor source.
    pub verified: Option<bool>,
}

/// One price tier.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    /// Upper bound of the tier (cumulative monthly quantity, in units); absent on the last tier.
    pub up_to: Option<Spanned<f64>>,
    /// Price in USD per `per` units within the tier.
    pub usd: Spanned<f64>,
}

/// A free grant or plan-included quantity.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFree {
    /// Quantity per month, in the price's units.
    pub quantity: Spanned<f64>,
    /// `true`: part of the plan, always applied (Cloudflare's included requests);
    /// `false` (default): an opt-in free tier, applied only with `--free-tier`.
    #[serde(default)]
    pub included: bool,
    /// `true`: an offer to new accounts during their first 12 months (API Gateway's 1M calls),
    /// applied only with new-account offers on; `false` (default): a permanent grant.
    #[serde(default)]
    pub new_accounts_only: bool,
    /// `true`: in the table's `other_regions` the grant is worth its quantity at the price in
    /// the table's `regions` (Google's free tier is valued at Tier 1 prices), so there it covers
    /// quantity × home price / local price, both of the grant's own price key (a grant pooled
    /// with another key gets that ratio too); `false` (default): the same quantity everywhere.
    #[serde(default)]
    pub valued_at_home_price: bool,
    /// `true`: the grant applies in the table's `regions` only, not in its `other_regions`
    /// (Cloud Run's 1 GiB of egress is within North America); `false` (default): everywhere.
    #[serde(default)]
    pub home_regions_only: bool,
    /// URL or citation.
    pub source: Option<Spanned<String>>,
    /// Whether read from a vendor source.
    pub verified: Option<bool>,
    /// Caveat.
    pub note: Option<String>,
}

/// Price of one instance type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInstance {
    /// vCPUs.
    pub vcpu: Spanned<f64>,
    /// Memory in GiB.
    pub memory_gib: Spanned<f64>,
    /// Architecture: x86 or arm64.
    pub arch: Option<String>,
    /// On-demand price, USD per hour.
    pub usd_per_hour: Spanned<f64>,
    /// Commitment prices (reserved instances, savings plans), USD per hour, by term name.
    #[serde(default)]
    pub commitments: BTreeMap<String, Spanned<f64>>,
    /// Where the commitment prices come from, when not from `source` (with
    /// `commitments_verified`).
    pub commitments_source: Option<Spanned<String>>,
    /// Whether the commitment prices were read from a vendor source (with `commitments_source`).
    pub commitments_verified: Option<bool>,
    /// Sustained-use tiers of this type: the share of the on-demand price charged for each
    /// quarter of the month an instance runs (GCP N2: [1.0, 0.8678, 0.733, 0.6]; applied
    /// automatically, on demand only).
    pub sustained_use_tiers: Option<Spanned<Vec<f64>>>,
    /// Instances billed even when idle (Azure Premium: at least one).
    pub minimum_instances: Option<Spanned<i64>>,
    /// Prices in each of the table's `other_regions` (the fields above apply in its `regions`).
    #[serde(default)]
    pub regional: BTreeMap<String, Spanned<RawRegional>>,
    /// URL or citation.
    pub source: Option<Spanned<String>>,
    /// Whether read from a vendor source.
    pub verified: Option<bool>,
    /// Caveat.
    pub note: Option<String>,
}

/// An instance type's prices in one of the table's other regions: on demand and any
/// commitment terms, with one source for them all.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegional {
    /// On-demand price there, USD per hour.
    pub usd_per_hour: Spanned<f64>,
    /// Commitment prices there, USD per hour, by term name (a term not listed is not priced there).
    #[serde(default)]
    pub commitments: BTreeMap<String, Spanned<f64>>,
    /// URL or citation of these prices.
    pub source: Option<Spanned<String>>,
    /// Whether read from a vendor source.
    pub verified: Option<bool>,
}

/// Platform facts of a serverless offering: the one home of what the simulator replays
/// (instance scope, concurrency, memory options, CPU per memory, keep-alive, cold starts)
/// and of its limits. Billing facts (grains, minimums, INIT billing) are in [`RawRules`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBehaviour {
    /// Which requests share instances: `function` or `app`.
    pub instance_scope: Spanned<String>,
    /// Default concurrent requests per instance.
    pub per_instance_concurrency_default: Spanned<i64>,
    /// Largest configurable concurrent requests per instance.
    pub per_instance_concurrency_max: Spanned<i64>,
    /// Default account (or subscription) concurrency limit; absent = none.
    pub account_concurrency_limit: Option<Spanned<i64>>,
    /// MB of memory per full vCPU, where CPU scales with memory (with `max_vcpu`).
    pub mb_per_vcpu: Option<Spanned<i64>>,
    /// Largest vCPU share, where CPU scales with memory (with `mb_per_vcpu`).
    pub max_vcpu: Option<Spanned<f64>>,
    /// vCPUs of an instance where CPU does not scale with memory (Cloud Run's default 1).
    pub instance_vcpu: Option<Spanned<f64>>,
    /// Whether the platform stops sending requests to an instance whose CPU is full (absent = no).
    pub cpu_aware_routing: Option<bool>,
    /// Smallest configurable memory, MB (a range: with `memory_max_mb`).
    pub memory_min_mb: Option<Spanned<i64>>,
    /// Largest configurable memory, MB.
    pub memory_max_mb: Option<Spanned<i64>>,
    /// Memory step of a range, MB (default 1).
    pub memory_step_mb: Option<Spanned<i64>>,
    /// The only configurable memory sizes, MB (instead of a range).
    pub memory_sizes_mb: Option<Spanned<Vec<i64>>>,
    /// Memory used when neither the user nor the trace gives one, MB.
    pub default_memory_mb: Spanned<i64>,
    /// The provider's keep-alive of an idle instance, ms.
    pub default_keep_alive_ms: Spanned<i64>,
    /// Runtime whose cold-start figure applies when none is named.
    pub default_runtime: Spanned<String>,
    /// Ephemeral storage configured by default, MB (absent = 0).
    pub ephemeral_storage_mb: Option<Spanned<i64>>,
    /// Maximum timeout, ms.
    pub timeout_ms: Option<Spanned<i64>>,
    /// Largest request payload of a synchronous invocation, bytes.
    pub max_request_bytes: Option<Spanned<i64>>,
    /// Largest response payload of a synchronous invocation, bytes.
    pub max_response_bytes: Option<Spanned<i64>>,
    /// Fewest provisioned (always running) instances a unit keeps (App Runner: MinSize ≥ 1);
    /// absent = 0.
    pub provisioned_min: Option<Spanned<i64>>,
    /// Most provisioned (minimum) instances a unit may be configured with (App Runner 25,
    /// Container Apps 300); absent = no limit.
    pub provisioned_max: Option<Spanned<i64>>,
    /// Most instances a unit scales out to unless configured otherwise (App Runner's MaxSize
    /// default 25, Container Apps' maxReplicas default 10); absent = no per-unit cap.
    pub max_instances_default: Option<Spanned<i64>>,
    /// Most instances a unit may be configured to scale out to (App Runner 25); absent = any.
    pub max_instances_limit: Option<Spanned<i64>>,
    /// Cold-start (init) latency distribution by runtime.
    pub cold_start: BTreeMap<String, Spanned<RawColdStart>>,
    /// How the init latency changes with memory, where CPU scales with memory.
    pub cold_start_memory: Option<Spanned<RawColdStartMemory>>,
    /// Longest init before the platform abandons it and runs it again with the first
    /// invocation (Lambda: 10 s), ms.
    pub init_limit_ms: Option<Spanned<i64>>,
    /// Instance activity continues across gaps shorter than this, ms (Azure Flex bills an
    /// instance's activity periods with a 1-s minimum).
    pub activity_merge_ms: Option<Spanned<i64>>,
    /// Sources of single facts, by fact name (`memory`, `default_keep_alive_ms` …).
    #[serde(default)]
    pub sources: BTreeMap<String, Spanned<RawFactSource>>,
    /// URL or citation of these facts.
    pub source: Option<Spanned<String>>,
    /// Whether read from vendor sources.
    pub verified: Option<bool>,
    /// Caveats.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Cold-start latency distribution of one runtime, in ms.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColdStart {
    /// `constant` (ms), `exponential` (mean_ms), `lognormal` (median_ms, sigma) or
    /// `uniform` (min_ms, max_ms).
    pub distribution: Spanned<String>,
    /// Constant init duration.
    pub ms: Option<Spanned<f64>>,
    /// Mean of an exponential.
    pub mean_ms: Option<Spanned<f64>>,
    /// Median of a lognormal.
    pub median_ms: Option<Spanned<f64>>,
    /// Standard deviation of ln(duration) of a lognormal.
    pub sigma: Option<Spanned<f64>>,
    /// Lower bound of a uniform.
    pub min_ms: Option<Spanned<f64>>,
    /// Upper bound of a uniform.
    pub max_ms: Option<Spanned<f64>>,
    /// URL or citation, and how the figure was derived.
    pub source: Option<Spanned<String>>,
    /// Whether read from a vendor source.
    pub verified: Option<bool>,
}

/// Init latency against memory: the runtime figures hold at `reference_mb`; the share
/// `cpu_share` of an init scales with the CPU (at most one vCPU: an init runs single-threaded).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawColdStartMemory {
    /// Memory at which the `[behaviour.cold_start.*]` figures hold, MB.
    pub reference_mb: Spanned<i64>,
    /// Share of an init that scales with the CPU, 0 to 1.
    pub cpu_share: Spanned<f64>,
    /// URL or citation, and how the figure was derived.
    pub source: Option<Spanned<String>>,
    /// Whether read from a vendor source.
    pub verified: Option<bool>,
}

/// Where one platform fact comes from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFactSource {
    /// URL or citation, and what it says.
    pub source: Option<Spanned<String>>,
    /// Whether read from a vendor source.
    pub verified: Option<bool>,
}
