//! Cost engine: `Usage` (quantities from a simulator or from aggregate flags) × a validated
//! `PriceTable` → [`CostBreakdown`]. Each platform's per-invocation rule is applied to the
//! duration histograms exactly (Lambda 1 ms; Cloud Run 100 ms; Azure Consumption 100 ms and
//! 128 MB minimums; Flex 1,000 ms then 100 ms), quantities are scaled to a 730-hour month,
//! and tiers and free grants apply to the account-wide monthly quantity, as the providers
//! bill. Money is fixed-point (`units::Usd`, pico-dollars): totals never drift. The one billing
//! engine: [`billed_gb_seconds`] reports the memory-time a table bills for a usage (what
//! `faascost simulate` shows) by the same per-group rules the pricing routines apply.
//! Rules and figures: ../shared/reference/pricing-facts.md; formulas: anchors.md §3.

pub mod breakdown;
mod containers;
mod fargate;
pub mod limits;
mod meter;
mod models;
pub mod network;
mod snapstart;

pub use breakdown::{CostBreakdown, CostLine, OfferingRef};
pub use fargate::{fargate_size, parse_fargate_type};
pub use meter::thousands as breakdown_thousands;
pub use models::{
    billed_gb_seconds, lambda_plan_duration_mb_ms, price_front_door, price_logs, price_usage, uniform_group,
    BilledGbSeconds,
};

use serde::Serialize;

/// Cloud Run billing setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloudRunBilling {
    /// Billed while requests are in flight, starting and shutting down (the default).
    #[default]
    RequestBased,
    /// Billed for the whole instance lifetime ("CPU always allocated").
    InstanceBased,
}

/// API front door in front of the functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FrontDoor {
    /// API Gateway REST API.
    RestApi,
    /// API Gateway HTTP API (512 KB metering).
    HttpApi,
    /// Lambda function URL (no charge).
    FunctionUrl,
    /// Application Load Balancer.
    Alb,
}

/// The price keys of SnapStart for the runtimes it charges (Python, .NET): the cache, then the
/// restores.
pub const SNAPSTART_PRICE_KEYS: [&str; 2] = ["snapstart-cache", "snapstart-restore"];

/// The price keys of Lambda's provisioned concurrency at an architecture (`x86`, `arm64`): the
/// concurrency configured, then the duration served on it.
pub fn provisioned_price_keys(arch: &str) -> [String; 2] {
    [
        format!("provisioned-concurrency-{arch}"),
        format!("provisioned-duration-{arch}"),
    ]
}

/// The commitment terms `table` prices for every one of `keys` (each as a `KEY-TERM` price, in
/// any region): Fargate's vCPU- and GB-hours of an architecture, Lambda's duration of one.
pub fn commitment_terms(table: &crate::pricing::PriceTable, keys: &[&str]) -> Vec<String> {
    let Some((first, rest)) = keys.split_first() else {
        return Vec::new();
    };
    let prefix = format!("{first}-");
    table
        .prices
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .filter(|term| rest.iter().all(|k| table.prices.contains_key(&format!("{k}-{term}"))))
        .map(str::to_string)
        .collect()
}

/// Why a commitment `term` bills nothing for `what` (the rates of `keys`): the terms `table` has
/// for them, "none" without one.
pub(crate) fn unpriced_term(table: &crate::pricing::PriceTable, keys: &[&str], term: &str, what: &str) -> String {
    let known = commitment_terms(table, keys);
    format!(
        "no '{term}' commitment price for {what} in this table; known: {}",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )
}

/// Whether `table` prices any commitment: an instance type's term (in any region), or a rate
/// under a term (`KEY-TERM`, every term a no-upfront one: Fargate's and Lambda's Compute
/// Savings Plans).
pub fn has_commitment_prices(table: &crate::pricing::PriceTable) -> bool {
    use crate::pricing::Model;
    // Only these billing models read a commitment (any other would bill on demand whatever it says).
    let reads_one = matches!(table.model, Model::Instances | Model::AwsFargate | Model::AwsLambda);
    let instance_terms = table
        .instances
        .values()
        .any(|i| !i.commitments.is_empty() || i.regional.values().any(|r| !r.commitments.is_empty()));
    reads_one && (instance_terms || table.prices.keys().any(|k| k.ends_with("-no-upfront")))
}

impl FrontDoor {
    /// The price table of a front door with a separate charge (a function URL has none: it
    /// bills only Lambda's own requests and duration, in every region).
    pub fn table_id(self) -> Option<&'static str> {
        match self {
            FrontDoor::RestApi | FrontDoor::HttpApi => Some("aws-api-gateway"),
            FrontDoor::Alb => Some("aws-alb"),
            FrontDoor::FunctionUrl => None,
        }
    }
}

/// The runtime of a Lambda function with SnapStart on (the runtimes SnapStart supports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapStartRuntime {
    /// Java 11+: no cache or restore charge.
    Java,
    /// Python 3.12+: cache and restore charges.
    Python,
    /// .NET 8+: cache and restore charges.
    Dotnet,
}

impl SnapStartRuntime {
    /// The name as written in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            SnapStartRuntime::Java => "java",
            SnapStartRuntime::Python => "python",
            SnapStartRuntime::Dotnet => "dotnet",
        }
    }

    /// The runtime whose cold-start figure the simulator draws: Java restores from its
    /// snapshot (`java-snapstart`); Python and .NET keep their own figure (no published
    /// restore latency).
    pub fn sim_runtime(self) -> &'static str {
        match self {
            SnapStartRuntime::Java => "java-snapstart",
            SnapStartRuntime::Python => "python",
            SnapStartRuntime::Dotnet => "dotnet",
        }
    }
}

impl std::str::FromStr for SnapStartRuntime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "java" => Ok(SnapStartRuntime::Java),
            "python" => Ok(SnapStartRuntime::Python),
            "dotnet" => Ok(SnapStartRuntime::Dotnet),
            _ => Err(format!(
                "SnapStart runtime '{s}' is not supported; expected java, python or dotnet (Lambda SnapStart supports \
                 Java 11+, Python 3.12+ and .NET 8+)"
            )),
        }
    }
}

/// Lambda SnapStart on the priced functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SnapStart {
    /// Their runtime.
    pub runtime: SnapStartRuntime,
    /// Memory of the published versions whose snapshots are cached, MB summed over versions
    /// (one version per function: a function of 1,024 MB caches 1,024 MB).
    pub cached_mb: u64,
}

/// Choices that are not in the `Usage` and not in the price table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostOptions {
    /// Apply the permanent free grants (plan-included quantities always apply).
    pub free_tier: bool,
    /// Apply the 12-month offers to new accounts (API Gateway's 1M calls a month).
    pub new_account_offers: bool,
    /// Region to price (one the table covers: its `regions` or `other_regions`); `None` = the
    /// table's first.
    pub region: Option<String>,
    /// Cloud Run billing setting.
    pub cloud_run_billing: CloudRunBilling,
    /// vCPUs per Cloud Run instance, in thousandths (1,000 = 1 vCPU).
    pub cloud_run_vcpu_milli: u32,
    /// Commitment term to price at: a key of an instance's `commitments`, or the term of a
    /// Compute Savings Plan's prices (`KEY-TERM`: Fargate's vCPU- and GB-hours, Lambda's duration).
    pub commitment: Option<String>,
    /// Under a Lambda Compute Savings Plan: the monthly duration beyond the free grant, MB·ms,
    /// that the plan was sized to when it was bought for another usage (the first month of a
    /// horizon); `None`: sized to this usage.
    pub lambda_plan_mb_ms: Option<u128>,
    /// Request payload per request in KB, for API Gateway metering and ALB processed bytes.
    pub payload_kb: u32,
    /// Response bytes per request, for ALB processed bytes (internet egress is priced with
    /// [`network::price_egress`]).
    pub response_bytes: u64,
    /// Lambda SnapStart (`None`: off).
    pub snapstart: Option<SnapStart>,
}

impl Default for CostOptions {
    fn default() -> Self {
        CostOptions {
            free_tier: false,
            new_account_offers: false,
            region: None,
            cloud_run_billing: CloudRunBilling::RequestBased,
            cloud_run_vcpu_milli: 1_000,
            commitment: None,
            lambda_plan_mb_ms: None,
            payload_kb: 0,
            response_bytes: 0,
            snapstart: None,
        }
    }
}

/// Why a usage could not be priced against a table at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CostError {
    /// The region is not in the table.
    #[error("price table '{table}' has no region '{region}'; it covers: {available}")]
    Region {
        /// Table id.
        table: String,
        /// Requested region.
        region: String,
        /// Regions the table has.
        available: String,
    },
    /// The usage has a zero-length period.
    #[error("usage period is 0 ms; expected the length of the simulated or stated period")]
    EmptyPeriod,
    /// The table's model cannot price this kind of usage.
    #[error("price table '{table}' ({model}) cannot price {what}")]
    WrongModel {
        /// Table id.
        table: String,
        /// Its model.
        model: String,
        /// What was asked.
        what: String,
    },
    /// A quantity or cost too large to price (a price or a usage far beyond any real bill).
    #[error(
        "price table '{table}': the cost of {what} is beyond $1,000,000,000,000,000,000 a month, too large to \
         price; check the quantities and the prices that led to it"
    )]
    Overflow {
        /// Table id.
        table: String,
        /// What overflowed: a line, or the total.
        what: String,
    },
    /// A function configured beyond what the platform offers (memory, ephemeral storage).
    #[error("{problem}")]
    Limit {
        /// The refusal, naming the platform, the limit and what is accepted.
        problem: String,
    },
    /// An instance type id that cannot be read.
    #[error("instance type '{instance_type}': {problem}; expected {expected}")]
    InstanceType {
        /// The id.
        instance_type: String,
        /// What is wrong.
        problem: String,
        /// Expected form.
        expected: String,
    },
}

#[cfg(test)]
mod tests;
