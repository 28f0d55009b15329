//! The `Report`: everything one `analyze` run found, in one versioned, serializable value.
//! Renderers read only this. Serialized maps are ordered and options keep the scenario's
//! order, so the same inputs and seed give byte-identical JSON.

use serde::Serialize;

use crate::characterize::WorkloadProfile;

/// Version of the report schema; bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// One analyze run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Report schema version.
    pub schema_version: u32,
    /// Tool and version that wrote it.
    pub tool: String,
    /// Seed of every random draw.
    pub seed: u64,
    /// What went in.
    pub inputs: Inputs,
    /// The workload's characterization.
    pub workload: WorkloadProfile,
    /// Every option compared, in the scenario's order.
    pub options: Vec<OptionReport>,
    /// Id of the option with the lowest monthly cost among those fully priced that meet the SLO
    /// (or, when none meets it, among all fully priced options).
    pub cheapest_option: Option<String>,
    /// The cheapest option (same rule) in each month of the horizon, as traffic grows: where
    /// it changes, growth crosses a break-even.
    pub cheapest_by_month: Vec<Option<String>>,
    /// Every default and modelling assumption applied.
    pub assumptions: Vec<String>,
    /// Caveats: unpriced lines, unverified prices, input problems.
    pub warnings: Vec<String>,
}

/// The inputs of a run, for provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputs {
    /// Scenario file (`embedded:…` for the built-in one).
    pub scenario: String,
    /// Trace files with their digests.
    pub traces: Vec<InputFile>,
    /// Price tables used.
    pub price_tables: Vec<PriceTableRef>,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputFile {
    /// Path as given.
    pub path: String,
    /// Format read.
    pub format: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// One price table used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceTableRef {
    /// Table id.
    pub id: String,
    /// Region priced.
    pub region: String,
    /// Date its figures were read.
    pub effective_date: String,
    /// Where it was loaded from.
    pub origin: String,
    /// Whether every figure is vendor-verified.
    pub verified: bool,
}

/// Kind of a deployment option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionKind {
    /// Functions on a serverless platform.
    Serverless,
    /// A fleet of servers or containers.
    Provisioned,
    /// Servers for the base load, functions for the excess.
    Hybrid,
}

/// One priced line of an option's monthly bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportCostLine {
    /// Price-table id (or `ops`, `commitment`).
    pub offering: String,
    /// What is charged.
    pub name: String,
    /// Unit of quantity and unit price.
    pub unit: String,
    /// Monthly quantity.
    pub quantity: f64,
    /// Price of one unit; null when not priced.
    pub unit_price_usd: Option<f64>,
    /// Monthly cost; null when not priced.
    pub cost_usd: Option<f64>,
    /// Whether the price is vendor-verified.
    pub verified: bool,
    /// Caveat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Latency percentiles in ms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// A provisioned fleet's size over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceSummary {
    /// Instance type.
    pub instance_type: String,
    /// Most instances at once.
    pub peak: u32,
    /// Mean instances.
    pub mean: f64,
    /// Instances committed (reserved / savings plan), paid whether used or not.
    pub committed: u32,
}

/// Utilization of provisioned capacity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct UtilizationSummary {
    /// Mean over minutes.
    pub mean: f64,
    /// 95th percentile over minutes.
    pub p95: f64,
}

/// One option's behaviour and cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionReport {
    /// Option id from the scenario.
    pub id: String,
    /// Kind.
    pub kind: OptionKind,
    /// Platform price-table id (for hybrid: `provisioned+serverless`).
    pub platform: String,
    /// Configuration in words.
    pub description: String,
    /// Monthly cost of the priced lines (730-hour month).
    pub monthly_cost_usd: f64,
    /// Whether every line is priced (otherwise the total is a lower bound).
    pub complete: bool,
    /// Whether every price used is vendor-verified.
    pub verified: bool,
    /// Cost over the horizon with traffic growth applied month by month.
    pub horizon_cost_usd: f64,
    /// Monthly cost in each month of the horizon.
    pub monthly_cost_by_month_usd: Vec<f64>,
    /// The monthly bill, line by line.
    pub cost_lines: Vec<ReportCostLine>,
    /// Share of requests that met a cold start (serverless part).
    pub cold_start_rate: Option<f64>,
    /// End-to-end latency percentiles (execution included).
    pub latency_ms: LatencySummary,
    /// Latency the platform adds to a request — cold-start init and waiting for a free slot
    /// — percentiles; the SLO applies to its p99.
    pub added_latency_ms: LatencySummary,
    /// Whether the p99 added latency is within the scenario's `latency_slo_ms`.
    pub meets_slo: bool,
    /// Most requests in flight at once (serverless part).
    pub peak_concurrency: Option<u64>,
    /// Requests refused by the concurrency limit.
    pub throttles: Option<u64>,
    /// Fleet size (provisioned part).
    pub instances: Option<InstanceSummary>,
    /// Fleet utilization (provisioned part).
    pub utilization: Option<UtilizationSummary>,
    /// Minutes whose p99 waiting time exceeded the SLO (provisioned part).
    pub slo_violation_minutes: Option<u64>,
    /// Notes on this option's model.
    pub notes: Vec<String>,
}

/// A small fixed report for renderer tests.
#[cfg(test)]
pub(crate) fn sample_report() -> Report {
    let option = OptionReport {
        id: "lambda".into(),
        kind: OptionKind::Serverless,
        platform: "aws-lambda".into(),
        description: "aws-lambda 1024 MB arm64 <b>".into(),
        monthly_cost_usd: 12.5,
        complete: true,
        verified: true,
        horizon_cost_usd: 150.0,
        monthly_cost_by_month_usd: vec![12.5; 12],
        cost_lines: vec![ReportCostLine {
            offering: "aws-lambda".into(),
            name: "Requests".into(),
            unit: "1M requests".into(),
            quantity: 62.5,
            unit_price_usd: Some(0.2),
            cost_usd: Some(12.5),
            verified: true,
            note: None,
        }],
        cold_start_rate: Some(0.01),
        latency_ms: LatencySummary::default(),
        added_latency_ms: LatencySummary::default(),
        meets_slo: true,
        peak_concurrency: Some(3),
        throttles: Some(0),
        instances: None,
        utilization: None,
        slo_violation_minutes: None,
        notes: vec!["a note | with a pipe".into()],
    };
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: "faascost test".into(),
        seed: 1,
        inputs: Inputs {
            scenario: "s".into(),
            traces: vec![],
            price_tables: vec![],
        },
        workload: crate::characterize::characterize(&crate::trace::Workload {
            functions: vec![],
            window_start_ms: 0,
            window_end_ms: 60_000,
            sources: vec![],
            warnings: vec![],
        }),
        options: vec![option],
        cheapest_option: Some("lambda".into()),
        cheapest_by_month: vec![Some("lambda".into()); 12],
        assumptions: vec!["free tier: off".into()],
        warnings: vec!["a trace warning <script>".into()],
    }
}
