//! The `Report`: everything one `analyze` run found, in one versioned value that can be written
//! and read back (`Report::load`). Renderers read only this. Money is exact (`Money`, decimal
//! strings in JSON): an option's monthly cost is the sum of its lines and its horizon cost the
//! sum of its months, to the micro-dollar. Serialized maps are ordered and options keep the
//! scenario's order, so the same inputs and seed give byte-identical JSON.

use serde::{Deserialize, Serialize};
use std::path::Path;

pub use super::series::{
    ChartSeries, ConcurrencySeries, FleetCapacity, InFlightSeries, KeepAlivePoint, KeepAliveTradeoff, OptionQuantiles,
    Quantile, RightSizing, SizingCurve, SizingPoint,
};
use crate::characterize::WorkloadProfile;
pub use crate::eval::{InputFile, InstanceSummary, LatencySummary, LimitBreach, OptionKind, UtilizationSummary};
pub use crate::fit::breakeven::PairBreakEven;
pub use crate::fit::functions::{Choice, Confidence, FitVerdict, FunctionFit, OverallFit, Recommendations};
pub use crate::fit::ranges::{Input, OptionRange, Percentiles, Ranges, Sensitivity};
pub use crate::fit::reasons::{Favours, Reason};
use crate::money::Money;
use crate::warning::Warning;

/// Version of the report schema; bumped on any incompatible change.
/// 2: exact money as decimal strings, typed warnings, verdict, limits, horizon ranking.
/// 3: fit recommendations per function and for the workload, and the ranges of the verdict
/// (low/high cases, Monte Carlo percentiles, tornado); a schema-2 report, which has neither,
/// still reads.
/// 4: the behaviour series of report.html's charts (`series`: requests in flight against a
/// fleet's capacity, added-latency quantiles, the keep-alive trade-off, memory right-sizing);
/// a schema-2 or 3 report, which has none, still reads.
/// 5: the keep-alive trade-off says the window its others were read off (`read_off_min`); a
/// schema-2 to 4 report still reads (its trade-off, if any, replayed every window).
pub const REPORT_SCHEMA_VERSION: u32 = 5;

/// The oldest schema this build reads.
pub const OLDEST_READABLE_SCHEMA_VERSION: u32 = 2;

/// One analyze run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Report schema version.
    pub schema_version: u32,
    /// Tool and version that wrote it.
    pub tool: String,
    /// Seed of every random draw.
    pub seed: u64,
    /// When it was made (RFC 3339, UTC), only when `SOURCE_DATE_EPOCH` gives the time: a report
    /// carries no wall-clock time otherwise, so the same inputs and seed give the same bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<String>,
    /// What went in.
    pub inputs: Inputs,
    /// The workload's characterization.
    pub workload: WorkloadProfile,
    /// The decision in one place: the winner over the horizon, the runner-up, the saving.
    pub verdict: Verdict,
    /// Every option compared, in the scenario's order.
    pub options: Vec<OptionReport>,
    /// The cheapest viable option (fully priced, within every platform limit, meeting the SLO
    /// with nothing throttled) in each month of the horizon, as traffic grows.
    pub cheapest_by_month: Vec<Option<String>>,
    /// The months where that changes: break-evens under growth.
    pub cheapest_changes: Vec<CheapestChange>,
    /// The traffic of each month of the horizon as a multiple of the traced traffic:
    /// (1 + growth per month)^month.
    pub traffic_multiple_by_month: Vec<f64>,
    /// Every default and modelling assumption applied.
    pub assumptions: Vec<String>,
    /// Caveats that can change a decision, with stable codes.
    pub warnings: Vec<Warning>,
    /// Which architecture fits each function and the whole workload, and why (schema 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<Recommendations>,
    /// For each serverless and server option pair, the traffic at which the server option
    /// becomes cheaper (schema 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub break_even: Vec<PairBreakEven>,
    /// How sure the verdict is: low/high cases of the uncertain inputs, the Monte Carlo
    /// percentiles of each option's cost, the tornado (schema 3; older reports have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranges: Option<Ranges>,
    /// The series behind the behaviour charts (schema 4; older reports have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<ChartSeries>,
}

/// The verdict of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// The verdict in one sentence.
    pub headline: String,
    /// The viable option with the lowest total over the horizon (null: none is viable).
    pub cheapest_option: Option<String>,
    /// The next viable option by horizon total.
    pub runner_up: Option<String>,
    /// How much less the winner costs than the runner-up over the horizon.
    pub saving_vs_runner_up_usd: Option<Money>,
    /// Months of the horizon.
    pub horizon_months: u32,
    /// The p99 added-latency SLO the options were held to, ms.
    pub latency_slo_ms: f64,
}

/// A month from which a different option is the cheapest viable one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheapestChange {
    /// Month of the horizon, 1-based.
    pub month: u32,
    /// The cheapest viable option from that month on (null: none is viable then).
    pub option: Option<String>,
}

/// The inputs of a run, for provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    /// Scenario file (`embedded:…` for the built-in one).
    pub scenario: String,
    /// Trace files with their digests.
    pub traces: Vec<InputFile>,
    /// Price tables used.
    pub price_tables: Vec<PriceTableRef>,
}

/// One price table used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTableRef {
    /// Table id.
    pub id: String,
    /// Region priced.
    pub region: String,
    /// Date its figures were read.
    pub effective_date: String,
    /// Where it was loaded from.
    pub origin: String,
    /// Whether every figure that prices the region is vendor-verified
    /// (`PriceTable::verified_in`).
    pub verified: bool,
}

/// One priced line of an option's monthly bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportCostLine {
    /// Price-table id (or `ops`).
    pub offering: String,
    /// What is charged.
    pub name: String,
    /// Unit of quantity and unit price.
    pub unit: String,
    /// Monthly quantity.
    pub quantity: f64,
    /// Price of one unit, as the price table writes it; null when not priced.
    pub unit_price_usd: Option<f64>,
    /// Monthly cost; null when not priced.
    pub cost_usd: Option<Money>,
    /// Whether the price is vendor-verified.
    pub verified: bool,
    /// Caveat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One option's behaviour and cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionReport {
    /// Option id from the scenario.
    pub id: String,
    /// Kind.
    pub kind: OptionKind,
    /// Platform id (for hybrid: `provisioned+serverless`).
    pub platform: String,
    /// Configuration in words.
    pub description: String,
    /// Whether the workload runs within the platform's limits.
    pub feasible: bool,
    /// Fully priced, within every platform limit, meeting the SLO with nothing throttled in
    /// any month of the horizon: what the decision ranks (set by the decision stage).
    pub viable: bool,
    /// The limits it breaks (then it is neither simulated nor priced).
    pub limits: Vec<LimitBreach>,
    /// Monthly cost (first month): the sum of `cost_lines`; null when infeasible.
    pub monthly_cost_usd: Option<Money>,
    /// Whether every line is priced (otherwise the total is a lower bound).
    pub complete: bool,
    /// Whether every price used is vendor-verified.
    pub verified: bool,
    /// Cost over the horizon: the sum of `monthly_cost_by_month_usd`; null when infeasible.
    pub horizon_cost_usd: Option<Money>,
    /// Monthly cost in each month of the horizon, traffic growth applied.
    pub monthly_cost_by_month_usd: Vec<Money>,
    /// The first month's bill, line by line.
    pub cost_lines: Vec<ReportCostLine>,
    /// Requests offered in the window.
    pub requests: Option<u64>,
    /// Share of requests that met a cold start (serverless part).
    pub cold_start_rate: Option<f64>,
    /// End-to-end latency percentiles (execution included).
    pub latency_ms: Option<LatencySummary>,
    /// Latency the platform adds to a request — cold-start init and waiting for a free slot
    /// — percentiles; the SLO applies to its p99.
    pub added_latency_ms: Option<LatencySummary>,
    /// Whether the p99 added latency is within the SLO and nothing is throttled, in every
    /// month of the horizon (the behaviour figures above are the first month's).
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

/// A report that cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file cannot be read.
    #[error("{path}: cannot read the report: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Not JSON, or not a report of this schema.
    #[error("{path}: line {line}, column {column}: {problem}; expected a report.json written by `faascost analyze`")]
    Format {
        /// File.
        path: String,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// What is wrong.
        problem: String,
    },
    /// A schema version this build does not read.
    #[error(
        "{path}: report schema_version {found} is not supported; this faascost reads schemas {oldest} to {supported}: \
         re-run `faascost analyze` with this version, or use the faascost that wrote it"
    )]
    Schema {
        /// File.
        path: String,
        /// Version found.
        found: u64,
        /// Oldest version read.
        oldest: u32,
        /// Newest version read.
        supported: u32,
    },
}

impl Report {
    /// The report as written to report.json: pretty JSON and a final newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes") + "\n"
    }

    /// Reads a report back from its JSON text; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Report, ReportError> {
        let format = |e: serde_json::Error| ReportError::Format {
            path: origin.to_string(),
            line: e.line(),
            column: e.column(),
            problem: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
        };
        #[derive(Deserialize)]
        struct Version {
            schema_version: Option<u64>,
        }
        let v: Version = serde_json::from_str(text).map_err(format)?;
        let readable = u64::from(OLDEST_READABLE_SCHEMA_VERSION)..=u64::from(REPORT_SCHEMA_VERSION);
        match v.schema_version {
            Some(n) if readable.contains(&n) => serde_json::from_str(text).map_err(format),
            Some(found) => Err(ReportError::Schema {
                path: origin.to_string(),
                found,
                oldest: OLDEST_READABLE_SCHEMA_VERSION,
                supported: REPORT_SCHEMA_VERSION,
            }),
            None => Err(ReportError::Format {
                path: origin.to_string(),
                line: 1,
                column: 1,
                problem: "no schema_version".into(),
            }),
        }
    }

    /// Reads a report.json.
    pub fn load(path: &Path) -> Result<Report, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReportError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Report::from_json(&text, &path.display().to_string())
    }

    /// The option with this id.
    pub fn option(&self, id: &str) -> Option<&OptionReport> {
        self.options.iter().find(|o| o.id == id)
    }
}

/// A small fixed report for renderer tests.
#[cfg(test)]
pub(crate) fn sample_report() -> Report {
    let option = OptionReport {
        id: "lambda".into(),
        kind: OptionKind::Serverless,
        platform: "aws-lambda".into(),
        description: "aws-lambda 1024 MB arm64 <b>".into(),
        feasible: true,
        viable: true,
        limits: vec![],
        monthly_cost_usd: Some(Money::from_micro(12_500_000)),
        complete: true,
        verified: true,
        horizon_cost_usd: Some(Money::from_micro(150_000_000)),
        monthly_cost_by_month_usd: vec![Money::from_micro(12_500_000); 12],
        cost_lines: vec![ReportCostLine {
            offering: "aws-lambda".into(),
            name: "Requests".into(),
            unit: "1M requests".into(),
            quantity: 62.5,
            unit_price_usd: Some(0.2),
            cost_usd: Some(Money::from_micro(12_500_000)),
            verified: true,
            note: None,
        }],
        requests: Some(1_000),
        cold_start_rate: Some(0.01),
        latency_ms: Some(LatencySummary::default()),
        added_latency_ms: Some(LatencySummary::default()),
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
        generated_at: None,
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
        verdict: Verdict {
            headline: "lambda is the only option that meets the 1000 ms p99 added-latency SLO".into(),
            cheapest_option: Some("lambda".into()),
            runner_up: None,
            saving_vs_runner_up_usd: None,
            horizon_months: 12,
            latency_slo_ms: 1000.0,
        },
        options: vec![option],
        cheapest_by_month: vec![Some("lambda".into()); 12],
        cheapest_changes: vec![],
        traffic_multiple_by_month: (0..12).map(|k| 1.05f64.powi(k)).collect(),
        assumptions: vec!["free tier: off".into()],
        warnings: vec![Warning::run(
            crate::warning::WarningCode::TraceInput,
            "a trace warning <script>",
        )],
        recommendations: Some(sample_recommendations()),
        break_even: vec![PairBreakEven {
            serverless: "lambda".into(),
            provisioned: "ec2".into(),
            requests_per_month_today: 1_000_000,
            requests_per_month: Some(31_911_372),
            traffic_multiple: Some(31.911372),
            instances: Some(1),
            serverless_monthly_usd: Some(Money::from_micro(59_568_001)),
            server_monthly_usd: Some(Money::from_micro(59_568_000)),
            capacity_rule: "instances = max(1, ceil(N × 100.0 ms / (730 h × 1 slots × 60%)))".into(),
            note: None,
        }],
        ranges: Some(sample_ranges()),
        series: Some(sample_series()),
    }
}

/// The behaviour series of the sample report: lambda's requests in flight against an ec2
/// fleet, its latency quantiles, a keep-alive trade-off and one function's right-sizing curve.
#[cfg(test)]
fn sample_series() -> ChartSeries {
    let usd = Money::from_micro;
    ChartSeries {
        concurrency: Some(ConcurrencySeries {
            minutes_per_point: 1,
            serverless: vec![InFlightSeries {
                option: "lambda".into(),
                max_in_flight: vec![0, 1, 3, 2, 0, 1],
            }],
            fleet: Some(FleetCapacity {
                option: "ec2".into(),
                instance_type: "t3.medium".into(),
                slots_per_instance: 2,
                min_instances: vec![1, 1, 2, 2, 1, 1],
            }),
        }),
        keep_alive: Some(KeepAliveTradeoff {
            option: "lambda".into(),
            option_keep_alive: "provider (fixed:10m)".into(),
            option_keep_alive_min: Some(10.0),
            period_minutes: 60.0,
            read_off_min: Some(60),
            points: [(1, 0.2, 10.0, 300.0), (10, 0.05, 90.0, 250.0), (60, 0.01, 400.0, 0.0)]
                .into_iter()
                .map(|(m, c, i, p)| KeepAlivePoint {
                    keep_alive_min: m,
                    cold_start_share: c,
                    idle_gb_seconds: i,
                    p99_added_latency_ms: p,
                })
                .collect(),
        }),
        added_latency_quantiles: vec![OptionQuantiles {
            option: "lambda".into(),
            quantiles: [(0.5, 0.0), (0.95, 0.0), (0.99, 240.0), (0.999, 410.0), (1.0, 900.0)]
                .into_iter()
                .map(|(share, ms)| Quantile { share, ms })
                .collect(),
        }],
        right_sizing: Some(RightSizing {
            option: "lambda".into(),
            platform: "aws-lambda".into(),
            arch: "arm64".into(),
            option_memory_mb: Some(1024),
            functions: vec![SizingCurve {
                function: "app/<b>f</b>".into(),
                invocations: 1_000,
                traced_mb: 512,
                floor_mb: 256,
                cheapest_mb: Some(512),
                refusal: None,
                points: [
                    (128, 9_000_000, 900.0, false),
                    (512, 4_000_000, 250.0, true),
                    (1024, 5_000_000, 140.0, true),
                ]
                .into_iter()
                .map(|(mb, cost, ms, allowed)| SizingPoint {
                    memory_mb: mb,
                    monthly_cost_usd: usd(cost),
                    mean_duration_ms: ms,
                    allowed,
                })
                .collect(),
            }],
            assumptions: vec!["each unit is priced alone".into()],
        }),
    }
}

/// The ranges of the sample report: the CPU-bound fraction's high case flips the verdict.
#[cfg(test)]
fn sample_ranges() -> Ranges {
    let usd = |micro: i64| Some(Money::from_micro(micro));
    let p = |a: i64, b: i64, c: i64| {
        Some(Percentiles {
            p10: Money::from_micro(a),
            p50: Money::from_micro(b),
            p90: Money::from_micro(c),
        })
    };
    Ranges {
        winner: Some("lambda".into()),
        runner_up: None,
        holds: false,
        summary: "The verdict (lambda) does not hold across the range: cpu_bound_fraction 0.9 makes ec2 the cheapest."
            .into(),
        monte_carlo_runs: 3,
        monte_carlo_seeds: vec![11, 12, 13],
        sensitivity: vec![
            Sensitivity {
                input: Input::CpuBoundFraction,
                low: "0.2".into(),
                typical: "0.5".into(),
                high: "0.9".into(),
                winner_at_low: Some("lambda".into()),
                winner_at_high: Some("ec2 <b>".into()),
                winner_horizon_low_usd: usd(100_000_000),
                winner_horizon_high_usd: usd(260_000_000),
                runner_up_horizon_low_usd: None,
                runner_up_horizon_high_usd: None,
                swing_usd: usd(160_000_000),
                flips: true,
            },
            Sensitivity {
                input: Input::ColdStartLatency,
                low: "×0.5".into(),
                typical: "×1".into(),
                high: "×2".into(),
                winner_at_low: Some("lambda".into()),
                winner_at_high: Some("lambda".into()),
                winner_horizon_low_usd: usd(118_000_000),
                winner_horizon_high_usd: usd(125_000_000),
                runner_up_horizon_low_usd: None,
                runner_up_horizon_high_usd: None,
                swing_usd: usd(7_000_000),
                flips: false,
            },
        ],
        options: vec![OptionRange {
            id: "lambda".into(),
            monthly_usd: p(9_900_000, 10_000_000, 10_300_000),
            horizon_usd: p(118_800_000, 120_000_000, 123_600_000),
            monte_carlo_wins: 3,
            horizon_case_min_usd: usd(100_000_000),
            horizon_case_max_usd: usd(260_000_000),
        }],
    }
}

/// The recommendations of the sample report: one function whose name is hostile markup.
#[cfg(test)]
fn sample_recommendations() -> Recommendations {
    let choice = Choice {
        verdict: FitVerdict::Serverless,
        option: Some("lambda".into()),
        platform: Some("aws-lambda".into()),
        configuration: Some("aws-lambda 1024 MB arm64".into()),
        runner_up: None,
        monthly_cost_usd: Some(Money::from_micro(12_500_000)),
        monthly_saving_usd: None,
        horizon_saving_usd: None,
        confidence: Confidence::High,
    };
    let reason = Reason {
        feature: "duty_cycle".into(),
        value: 0.05,
        threshold: 0.5,
        unit: "share of minutes".into(),
        favours: Favours::Serverless,
        explanation: "invoked in 5.0% of the window's minutes".into(),
    };
    Recommendations {
        overall: OverallFit {
            choice: choice.clone(),
            reasons: vec![reason.clone()],
            functions_by_verdict: [("serverless".to_string(), 1)].into_iter().collect(),
            split_monthly_cost_usd: Some(Money::from_micro(12_500_000)),
        },
        functions: vec![FunctionFit {
            function: "<script>alert(1)</script> @everyone".into(),
            app: "app".into(),
            trigger: "http".into(),
            invocations: 1_000,
            choice,
            reasons: vec![reason],
        }],
        assumptions: vec!["per function: alone".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_round_trips_through_json() {
        let r = sample_report();
        let json = r.to_json();
        let back = Report::from_json(&json, "r.json").unwrap();
        assert_eq!(back, r);
        assert_eq!(back.to_json(), json);
    }

    /// Every committed example report reads back and writes out byte for byte.
    #[test]
    fn committed_reports_round_trip_byte_identically() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                let r = Report::load(&path).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(r.to_json(), text, "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 1, "no committed report in {}", dir.display());
    }

    /// A schema-2 report (last release's, before recommendations and break-evens) and a
    /// schema-3 one (before the behaviour series) still read, so `diff` can compare against them.
    #[test]
    fn schema_2_and_3_reports_still_read() {
        let mut r = sample_report();
        r.series = None;
        r.schema_version = 3;
        let json = r.to_json();
        assert!(!json.contains("\"series\""));
        assert_eq!(Report::from_json(&json, "old.json").unwrap(), r);
        r.recommendations = None;
        r.break_even.clear();
        r.ranges = None;
        r.schema_version = 2;
        let json = r.to_json();
        assert!(!json.contains("recommendations") && !json.contains("break_even"));
        let back = Report::from_json(&json, "old.json").unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn unsupported_schemas_and_bad_json_are_clear_errors() {
        let json = sample_report()
            .to_json()
            .replacen("\"schema_version\": 5", "\"schema_version\": 999", 1);
        let e = Report::from_json(&json, "old.json").unwrap_err().to_string();
        assert!(
            e.starts_with("old.json: report schema_version 999 is not supported; this faascost reads schemas 2 to 5"),
            "{e}"
        );
        let e = Report::from_json("{\"schema_version\": 2,\n \"tool\": 5}", "bad.json")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("bad.json: line 2"), "{e}");
        let e = Report::from_json("[]", "x.json").unwrap_err().to_string();
        assert!(e.contains("x.json"), "{e}");
    }
}
