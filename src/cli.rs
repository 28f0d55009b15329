//! Command-line interface: clap-derived flags as a plain typed mirror of what the user
//! typed — no file I/O here. `app` turns these into work.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

use crate::money::Money;
use crate::trace::TraceFormat;

/// The most requests (or cold starts) a month `cost` prices: 10^15, far above any account,
/// low enough that every quantity × price stays exact in the cost engine's fixed point.
pub const MAX_MONTHLY_COUNT: u64 = 1_000_000_000_000_000;

/// The longest duration a flag may give, ms (a day).
pub const MAX_DURATION_MS: u64 = 86_400_000;

/// faascost: replay serverless traffic traces through billing-accurate models of
/// serverless platforms and provisioned servers, and compare what each option costs.
#[derive(Debug, Parser)]
#[command(name = "faascost", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: compare every deployment option of a scenario (serverless, servers,
    /// containers, hybrid) on one trace — cost per month and over the horizon, cold starts,
    /// latency, fleet size, the fit of each function, break-even traffic — and write report.json,
    /// report.md, options.csv, functions.csv and report.html.
    Analyze(AnalyzeArgs),
    /// Does the workload fit serverless? For the whole workload and each function: serverless,
    /// serverless with provisioned concurrency, servers/containers or hybrid, with the saving
    /// against the runner-up and the measured reasons (duty cycle, burstiness, utilization a
    /// server would reach, platform limits, cold starts, tail latency, cost).
    Fit(FitArgs),
    /// Re-render a report.json (md, csv, functions-csv, html, table, json) without re-simulating:
    /// to stdout, or the files `analyze` writes into a folder, byte for byte.
    Report(ReportArgs),
    /// Compare a baseline report.json with a new one: cost changes per option, options added
    /// and removed, the verdict; gates on the change exit 1 when they fail (for CI).
    Diff(DiffArgs),
    /// Characterize a workload: functions, apps, invocations, rates, triggers, durations,
    /// memory, burstiness and inter-arrival statistics (the figures of "Serverless in the Wild").
    Inspect(InspectArgs),
    /// Price tables: list the offerings, show one, validate a directory of tables.
    Pricing(PricingArgs),
    /// Price an aggregate monthly usage (requests, duration, memory …) on one platform, like
    /// the providers' calculators, with per-invocation rounding, tiers and free grants.
    Cost(CostArgs),
    /// Replay traces through a serverless platform's behaviour model: cold starts, keep-alive,
    /// concurrency, throttles, latency, idle memory-time and billed time (no prices).
    Simulate(Box<SimulateArgs>),
    /// Merge the partial results of `simulate --partition K/N` (every partition of one run, made
    /// on one machine or many) into exactly the output the unpartitioned run prints. Re-reads
    /// the traces the partitions read (same paths, from the folder they ran in); replays nothing.
    Merge(MergeArgs),
    /// Generate a seeded synthetic trace (poisson, diurnal, bursty, periodic, steady-high, or a
    /// workload shaped like the Azure Functions 2019 dataset with --like azure2019).
    Generate(GenerateArgs),
    /// Memory right-sizing: sweep memory sizes and x86/arm64 per function (or Azure app), predict
    /// durations from the CPU share, price each size with the cost engine (request fees, tiers,
    /// INIT) and recommend one by cost, speed or a balance — never below the memory used plus headroom.
    Tune(TuneArgs),
    /// Break-even traffic: the requests per month at which each server option becomes cheaper
    /// than a serverless platform at a given duration and memory.
    Breakeven(BreakevenArgs),
}

/// Trace inputs shared by every command that reads traces.
#[derive(Debug, Clone, Args)]
pub struct TraceArgs {
    /// Trace files or directories (a directory means every .csv/.parquet/.log/.txt/.jsonl/.json
    /// file in it). Azure 2019 invocation, duration and memory files of the same day (dNN in the
    /// file name) are joined on (HashOwner, HashApp, HashFunction).
    #[arg(value_name = "TRACE", required = true)]
    pub traces: Vec<PathBuf>,
    /// Input format, instead of detecting it from each file's header: azure2019, azure2021,
    /// lambda-logs, csv (also Parquet).
    #[arg(long, value_name = "FORMAT")]
    pub trace_format: Option<TraceFormat>,
    /// Skip rows that fail to parse, with a counted warning, instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_rows: bool,
}

/// What `analyze` and `fit` evaluate: the traces, the scenario, the seed and the price tables.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Trace files or directories (default: the scenario's `traces`; with no scenario, the
    /// bundled default dataset datasets/default/).
    #[arg(value_name = "TRACE")]
    pub traces: Vec<PathBuf>,
    /// Input format, instead of detecting it from each file's header: azure2019, azure2021,
    /// lambda-logs, csv (also Parquet).
    #[arg(long, value_name = "FORMAT")]
    pub trace_format: Option<TraceFormat>,
    /// Skip rows that fail to parse, with a counted warning, instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Scenario file naming the options to compare (default: datasets/default/faascost.toml,
    /// built into the binary).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Seed for every random draw (overrides the scenario's `seed`).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Load price tables from this directory instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub pricing: Option<PathBuf>,
}

/// `faascost analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Traces, scenario, seed and price tables.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Folder to write report.json, report.md, options.csv, functions.csv and report.html into
    /// (replaced together, atomically; other files in it are never touched).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Print report.json on stdout instead of the summary table.
    #[arg(long)]
    pub json: bool,
    /// Exit with code 1 (after writing the reports) when the report carries any warning:
    /// a short or extrapolated window, a platform limit, throttling, a fleet at its maximum,
    /// unverified prices behind the verdict, no viable option.
    #[arg(long)]
    pub fail_on_warning: bool,
    /// Exit with code 1 (after writing the reports) when the recommended option costs more than
    /// this many dollars a month (first month). Skipped when no option is recommended.
    #[arg(long, value_name = "USD", value_parser = parse_usd)]
    pub max_monthly_usd: Option<Money>,
    /// Exit with code 1 (after writing the reports) when no option is viable: none fully priced,
    /// within every platform limit and meeting the SLO (the verdict names no option).
    #[arg(long)]
    pub require_slo: bool,
    /// Show every column of the summary table (kind, platform, end-to-end p99, peak concurrency,
    /// throttles, fleet) instead of the six that fit 80 columns.
    #[arg(long)]
    pub wide: bool,
    /// Monte Carlo runs over arrival randomness for the report's ranges (P10/P50/P90 of each
    /// option's cost; seeds derived from the scenario's); 0 skips them (the low/high cases of
    /// the uncertain inputs still run).
    #[arg(long, value_name = "N", default_value_t = crate::fit::ranges::DEFAULT_MONTE_CARLO_RUNS)]
    pub monte_carlo: u32,
    /// Replay the range cases, the Monte Carlo runs and the keep-alive windows one at a time
    /// instead of two at once (each replay still runs its functions on every thread): the peak
    /// memory of about one whole replay instead of two, for more wall time — worth it where many
    /// functions share the traffic (a generated 10,000-function day: −32 % memory, +14 % wall),
    /// not where one function dominates it (up to twice the wall time for no memory). The
    /// report is the same.
    #[arg(long)]
    pub low_memory: bool,
    /// Keep and reuse the serverless options' replays of the whole workload in this folder (one
    /// subfolder per replay, named by a digest of the traces and every simulation setting, each
    /// holding the partials of its partitions; up to a few bytes per millisecond of the window
    /// each). A replay whose every partial is there is merged (exactly the replay) instead of
    /// replayed, so a rerun with the same traces and settings replays nothing; the report is
    /// the same as without the store.
    #[arg(long, value_name = "DIR")]
    pub replays: Option<PathBuf>,
    /// Replay only partition K of N of each replay the --replays folder lacks, write its partial
    /// there, and go on with the partition's own output in its place (no reports: the run prints
    /// one JSON line of what it did). One round of all N writes every partial the report needs;
    /// then `analyze --replays DIR` without --partition merges them and writes the reports
    /// (scripts/dask_analyze.py runs both on a Dask cluster). A replay whose units the account
    /// limit couples is not partitioned: the report run replays it whole (a note says which).
    #[arg(long, value_name = "K/N", requires = "replays")]
    pub partition: Option<crate::sim::partial::PartitionSpec>,
}

impl AnalyzeArgs {
    /// Whether the replays that do not depend on each other run two at a time (all but
    /// `--low-memory`).
    pub fn side_by_side(&self) -> bool {
        !self.low_memory
    }
}

/// `faascost fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// Traces, scenario, seed and price tables.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Print the recommendations as JSON (the `recommendations` of report.json).
    #[arg(long)]
    pub json: bool,
    /// List every function, not only the 40 with the largest bills.
    #[arg(long)]
    pub all: bool,
}

/// An amount of dollars on the command line: `200`, `12.5`, `$99.99` (at most 6 decimals, ≥ 0).
pub fn parse_usd(text: &str) -> Result<Money, String> {
    let m = Money::parse(text.strip_prefix('$').unwrap_or(text))?;
    if m < Money::ZERO {
        return Err(format!("'{text}' is negative; give an amount of dollars ≥ 0"));
    }
    Ok(m)
}

/// One window of `--shorter-windows`: a duration above 0 (`1m`, `90s`, `1500ms`).
fn parse_window_ms(text: &str) -> Result<u64, String> {
    match crate::sim::keepalive::parse_duration_ms(text)? {
        0 => Err(format!("'{text}' is no window; give a duration above 0 (e.g. 1m, 90s)")),
        ms => Ok(ms),
    }
}

/// `--fluid-from`: a count of invocations ≥ 1, or `off` (never: `u64::MAX`).
fn parse_fluid_from(text: &str) -> Result<u64, String> {
    match text {
        "off" => Ok(u64::MAX),
        _ => match text.parse::<u64>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!(
                "'{text}' is not a count of invocations in one minute ≥ 1 (e.g. 50000), or off"
            )),
        },
    }
}

/// A percentage on the command line (≥ 0, finite).
fn parse_pct(text: &str) -> Result<f64, String> {
    match text.strip_suffix('%').unwrap_or(text).parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p),
        _ => Err(format!("'{text}' is not a percentage ≥ 0 (e.g. 10 or 2.5)")),
    }
}

/// `faascost report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report.json to render (written by `faascost analyze`, schema 2 or 3).
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// Formats, comma-separated or repeated: md, csv (options.csv), functions-csv
    /// (functions.csv), html, table, json. Without --out, one format printed on stdout (default
    /// table); with --out, the files of each (default json,md,csv,functions-csv,html: the files
    /// analyze writes).
    #[arg(long, value_name = "FORMAT", value_delimiter = ',')]
    pub format: Vec<crate::report::render::Format>,
    /// Folder to write the files into (report.json, report.md, options.csv, functions.csv,
    /// report.html; replaced together, atomically; other files are never touched).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Every column of the table (see `analyze --wide`).
    #[arg(long)]
    pub wide: bool,
}

/// Output of `faascost diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Markdown (what is appended to $GITHUB_STEP_SUMMARY).
    Md,
    /// One JSON object.
    Json,
    /// Terminal text and a table.
    Table,
}

/// `faascost diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The baseline report.json (e.g. the previous scheduled run).
    #[arg(value_name = "BASE")]
    pub base: PathBuf,
    /// The new report.json.
    #[arg(value_name = "HEAD")]
    pub head: PathBuf,
    /// Fail (exit 1) when the recommended option's monthly cost rose by more than P percent over
    /// the baseline's recommended option (skipped when either recommends none).
    #[arg(long, value_name = "P", value_parser = parse_pct)]
    pub max_increase_pct: Option<f64>,
    /// Fail (exit 1) when the recommended option's monthly cost rose by more than this many dollars
    /// over the baseline's recommended option.
    #[arg(long, value_name = "USD", value_parser = parse_usd)]
    pub max_increase_usd: Option<Money>,
    /// Fail (exit 1) when HEAD's recommended option costs more than this many dollars a month
    /// (skipped when HEAD recommends none: see --require-slo).
    #[arg(long, value_name = "USD", value_parser = parse_usd)]
    pub max_monthly_usd: Option<Money>,
    /// Fail (exit 1) when HEAD has no viable option.
    #[arg(long)]
    pub require_slo: bool,
    /// Fail (exit 1) when HEAD carries any warning.
    #[arg(long)]
    pub fail_on_warning: bool,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// No 80-column limit on the table when stdout is not a terminal.
    #[arg(long)]
    pub wide: bool,
}

/// `faascost inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The traces to characterize.
    #[command(flatten)]
    pub trace: TraceArgs,
    /// Print one JSON object on stdout instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// `faascost pricing`.
#[derive(Debug, Args)]
pub struct PricingArgs {
    /// What to do with the price tables.
    #[command(subcommand)]
    pub command: PricingCommand,
}

/// `faascost pricing` subcommands.
#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// List the offerings: id, billing model, regions, effective date, verification.
    List {
        /// Load price tables from this directory instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        pricing: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show one offering's prices, free grants, rules and platform behaviour.
    Show {
        /// Offering id, e.g. aws-lambda.
        id: String,
        /// Load price tables from this directory instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        pricing: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Validate a directory of price tables (the built-in ones when omitted); exit 2 with
    /// file:line and key for every error.
    Validate {
        /// Directory of *.toml price tables.
        dir: Option<PathBuf>,
    },
}

/// Processor architecture flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ArchArg {
    /// x86-64.
    X86,
    /// 64-bit Arm (Graviton).
    Arm64,
}

/// API front door flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FrontDoorArg {
    /// API Gateway REST API.
    RestApi,
    /// API Gateway HTTP API.
    HttpApi,
    /// Lambda function URL (no charge).
    FunctionUrl,
    /// Application Load Balancer.
    Alb,
}

/// Cloud Run billing flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CloudRunBillingArg {
    /// Billed while serving requests (default).
    Request,
    /// Billed for the whole instance lifetime.
    Instance,
}

/// `faascost cost`.
#[derive(Debug, Args)]
pub struct CostArgs {
    /// Platform (a price table's id): aws-lambda, azure-functions-consumption, azure-functions-flex,
    /// gcp-cloud-run, cloudflare-workers, aws-app-runner, azure-container-apps, gcp-functions-gen1, azure-functions-premium:EP1|EP2|EP3,
    /// aws-ec2:TYPE, aws-fargate, aws-eks, azure-vm:TYPE, gcp-compute:TYPE.
    #[arg(long, value_name = "PLATFORM")]
    pub platform: String,
    /// Requests (invocations) per month (at most 10^15).
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(..=MAX_MONTHLY_COUNT))]
    pub requests: u64,
    /// Duration of each invocation in ms, fractions allowed (billed per invocation under the
    /// platform's grain: 1.5 bills 2 ms on Lambda, 100 ms on Cloud Run; at most a day).
    #[arg(long, value_name = "MS", default_value_t = 100.0)]
    pub duration_ms: f64,
    /// Configured memory in MB (functions, Cloud Run instances, Fargate tasks).
    #[arg(long, value_name = "MB", default_value_t = 128)]
    pub memory_mb: u32,
    /// Architecture (Lambda, Fargate).
    #[arg(long, value_enum, default_value_t = ArchArg::X86)]
    pub arch: ArchArg,
    /// Apply the providers' permanent free grants (Lambda, Azure, Cloud Run, Workers …).
    #[arg(long)]
    pub free_tier: bool,
    /// Apply the 12-month offers to new accounts (API Gateway's 1M calls a month); off by default.
    #[arg(long)]
    pub new_account_offers: bool,
    /// Region (must be in the price table; default: the table's first).
    #[arg(long)]
    pub region: Option<String>,
    /// API front door to add (AWS).
    #[arg(long, value_enum)]
    pub front_door: Option<FrontDoorArg>,
    /// Request payload size in KB (API Gateway HTTP API metering, ALB processed bytes).
    #[arg(long, value_name = "KB", default_value_t = 0)]
    pub payload_kb: u32,
    /// Bytes of each response sent to the internet: adds internet egress of --requests ×
    /// BYTES on the platform's provider (AWS and Azure tiered after 100 GB free with
    /// --free-tier, Cloudflare $0; GCP not priced: no sourced price) and ALB processed bytes; at
    /// most 1 GiB.
    #[arg(long, value_name = "BYTES", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(..=1_073_741_824))]
    pub response_bytes: u64,
    /// NAT gateways running all month (AWS; servers in private subnets).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub nat_gateways: u32,
    /// GB a month sent out through the NAT gateways (AWS).
    #[arg(long, value_name = "GB", default_value_t = 0)]
    pub nat_gb: u64,
    /// Public IPv4 addresses held all month (AWS; an ALB front door adds its own two).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub public_ipv4: u32,
    /// Log bytes written per invocation (adds CloudWatch Logs ingestion and storage; at most
    /// 1 GiB).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(..=1_073_741_824))]
    pub log_bytes_per_invocation: Option<u64>,
    /// Provisioned concurrency kept all month (Lambda), always-ready instances (Flex), or the
    /// minimum instances kept --hours (App Runner, at least 1; Container Apps replicas).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub provisioned_concurrency: u32,
    /// Configured ephemeral storage in MB (Lambda; 512 included).
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub ephemeral_storage_mb: u32,
    /// Cold starts per month (each billed --init-duration-ms of INIT where the platform bills
    /// it; at most 10^15).
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(..=MAX_MONTHLY_COUNT))]
    pub cold_starts: u64,
    /// Lambda SnapStart on, with the function's runtime: java (no charge), python or dotnet
    /// (snapshot cache all month + one restore per --cold-starts). Refused with
    /// --provisioned-concurrency or --ephemeral-storage-mb above 512.
    #[arg(long, value_name = "RUNTIME")]
    pub snapstart: Option<crate::cost::SnapStartRuntime>,
    /// INIT duration of each cold start in ms (at most a day).
    #[arg(long, value_name = "MS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(..=MAX_DURATION_MS))]
    pub init_duration_ms: u64,
    /// vCPUs per instance (Cloud Run, Fargate).
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub vcpu: f64,
    /// Cloud Run minimum instances kept all --hours (request-based billing bills their idle time
    /// at the idle rates).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub min_instances: u32,
    /// Cloud Run billing setting.
    #[arg(long, value_enum, default_value_t = CloudRunBillingArg::Request)]
    pub cloud_run_billing: CloudRunBillingArg,
    /// Instances (servers, tasks) for instance platforms.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub instances: u32,
    /// Hours each instance runs per month.
    #[arg(long, value_name = "H", default_value_t = 730.0)]
    pub hours: f64,
    /// Commitment term: a reservation or savings plan of instances, e.g. ri-standard-1yr-no-upfront
    /// (see `pricing show aws-ec2`), or a Compute Savings Plan of Fargate tasks or Lambda duration,
    /// e.g. compute-sp-1yr-no-upfront.
    #[arg(long, value_name = "TERM")]
    pub commitment: Option<String>,
    /// Load price tables from this directory instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub pricing: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `faascost simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Trace files or directories (as for `inspect`).
    #[arg(value_name = "TRACE", required_unless_present = "synthetic_poisson")]
    pub traces: Vec<PathBuf>,
    /// Input format, instead of detecting it from each file's header.
    #[arg(long, value_name = "FORMAT")]
    pub trace_format: Option<TraceFormat>,
    /// Skip rows that fail to parse, with a counted warning.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Platform (its price table's id): aws-lambda, azure-functions-consumption,
    /// azure-functions-flex, gcp-cloud-run, cloudflare-workers,
    /// aws-app-runner, azure-container-apps.
    #[arg(long, value_name = "ID")]
    pub platform: crate::platform::ServerlessPlatform,
    /// Read the platform's facts (and the billing rules of the billed GB-s) from the price
    /// tables in this directory instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub pricing: Option<PathBuf>,
    /// Memory per function in MB (default: the trace's, else the platform's default).
    #[arg(long, value_name = "MB")]
    pub memory_mb: Option<u32>,
    /// Which functions share instances: function (one service per traced function), app (one
    /// per app) or workload (one service for every function; needs --memory-mb). Default: the
    /// platform's (its price table's behaviour.instance_scope).
    #[arg(long, value_enum, value_name = "SCOPE")]
    pub instance_scope: Option<crate::pricing::InstanceScope>,
    /// Keep-alive policy: a window (600s, 10m, fixed:10m), none, provider (the platform's
    /// default) or hybrid (Shahrad et al. ATC'20 histogram policy).
    #[arg(long, value_name = "POLICY", default_value = "provider")]
    pub keep_alive: crate::sim::keepalive::KeepAliveSpec,
    /// Cold-start (init) latency: N ms, or exp:MEAN, lognormal:MEDIAN:SIGMA, uniform:MIN:MAX
    /// (default: the platform's figure for the runtime).
    #[arg(long, value_name = "N|DIST", value_parser = crate::pricing::ColdStartDist::parse)]
    pub cold_start_ms: Option<crate::pricing::ColdStartDist>,
    /// Runtime of the platform's cold-start figures (python, node, go, java, java-snapstart,
    /// dotnet, javascript; each platform has some of them). Default: the platform's.
    #[arg(long, value_name = "NAME")]
    pub runtime: Option<String>,
    /// Requests in flight per instance (Lambda 1; Cloud Run up to 1,000).
    #[arg(long, value_name = "N")]
    pub per_instance_concurrency: Option<u32>,
    /// Account concurrency limit (requests in flight); 0 = none. Default: the platform's.
    #[arg(long, value_name = "N")]
    pub concurrency_limit: Option<u32>,
    /// Most instances per unit, provisioned ones included (App Runner MaxSize, Container Apps
    /// maxReplicas, Lambda reserved concurrency); a request beyond them is throttled; 0 = none.
    /// Default: the platform's (App Runner 25, Container Apps 10, Azure Functions 200 / Flex 100).
    #[arg(long, value_name = "N")]
    pub max_instances: Option<u32>,
    /// Retry each throttled request up to N times (at most 100), --retry-delay-ms apart
    /// (default: drop it).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(..=100))]
    pub retry_throttled: u32,
    /// Delay before retrying a throttled request (1 ms to a day: a retry with no delay would
    /// only meet the same full limit again).
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_DURATION_MS))]
    pub retry_delay_ms: u64,
    /// Provisioned concurrency per function: N, or a time-of-day schedule such as
    /// 08:00-20:00=10,else=2. Requests beyond it spill over to on-demand instances.
    #[arg(long, value_name = "N|SCHEDULE")]
    pub provisioned_concurrency: Option<crate::sim::schedule::ProvisionedSchedule>,
    /// How per-minute counts are placed in their minute: uniform, poisson, even or periodic.
    #[arg(long, value_name = "MODE", default_value = "uniform")]
    pub spread: crate::sim::arrivals::SpreadMode,
    /// How the per-minute counts of timer-triggered functions (Azure 2019 Trigger = timer) are
    /// placed: periodic (default: a minute's k calls 60 s / k apart at a fixed per-function
    /// phase, so a timer keeps its period), or uniform, poisson or even like --spread.
    #[arg(long, value_name = "MODE", default_value = "periodic")]
    pub timer_spread: crate::sim::arrivals::SpreadMode,
    /// How durations are drawn for functions with only percentiles (Azure 2019): piecewise
    /// (linear between the published percentiles) or lognormal (fitted to the median and p99).
    #[arg(long, value_name = "MODEL", default_value = "piecewise")]
    pub duration_model: crate::sim::arrivals::DurationModel,
    /// Duration for functions the trace has no durations for (instead of an error; at most a
    /// day).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(..=MAX_DURATION_MS))]
    pub duration_ms: Option<u64>,
    /// Share of each duration that needs the CPU: it scales with the CPU share when --memory-mb
    /// differs from the traced memory, and it is what concurrent requests on an instance share
    /// (CPU contention).
    #[arg(long, value_name = "F", default_value_t = crate::sim::DEFAULT_CPU_BOUND_FRACTION)]
    pub cpu_bound_fraction: f64,
    /// Seed for every random draw (arrival placement, durations, init times).
    #[arg(long, value_name = "S", default_value_t = crate::sim::DEFAULT_SEED)]
    pub seed: u64,
    /// A unit whose busiest minute holds at least N invocations is approximated minute by
    /// minute (the fluid path) instead of replayed request by request; off: never. Below the
    /// default the run's totals hold (on a full-size day from 5,000: the bill within 0.002 %)
    /// but one unit's cold starts, peak and idle time lose accuracy (README, "Extreme rates")
    #[arg(long, value_name = "N|off", value_parser = parse_fluid_from,
          default_value_t = crate::sim::fluid::FLUID_MIN_PER_MINUTE)]
    pub fluid_from: u64,
    /// Shorter fixed keep-alive windows to read off this replay as well (e.g. 1m,5m,10m), each
    /// at most --keep-alive's fixed window: the cold starts, idle memory-time and added latency
    /// each would give, from this one replay (exact without inits; README, "keep-alive
    /// trade-off")
    #[arg(long, value_name = "W,W,...", value_delimiter = ',', value_parser = parse_window_ms)]
    pub shorter_windows: Vec<u64>,
    /// Worker threads (default: all cores; at most 1,024). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Include per-minute concurrency (max and mean) in the output.
    #[arg(long)]
    pub per_minute: bool,
    /// Include one row per simulated unit (function, app or workload) in the JSON output.
    #[arg(long)]
    pub per_unit: bool,
    /// Print one JSON object on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Replay a synthetic trace instead: Poisson arrivals at RATE/s with exponential durations of
    /// mean MEAN_MS over HORIZON_S seconds (used by scripts/compare-simfaas.sh).
    #[arg(long, value_name = "RATE:MEAN_MS:HORIZON_S", hide = true)]
    pub synthetic_poisson: Option<String>,
    /// Replay only partition K of N (units dealt by invocations, busiest first, so partitions
    /// carry similar work) and write a partial result to --partial-out instead of printing;
    /// `faascost merge` turns the N partials into this command's output, byte for byte. Every
    /// partition reads the whole trace. Refused when the account limit could couple partitions.
    #[arg(long, value_name = "K/N", requires = "partial_out")]
    pub partition: Option<crate::sim::partial::PartitionSpec>,
    /// The partial result file of --partition (written atomically).
    #[arg(long, value_name = "FILE", requires = "partition")]
    pub partial_out: Option<PathBuf>,
}

/// `faascost merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial files of `simulate --partition K/N --partial-out FILE`: one per partition of
    /// one run, in any order.
    #[arg(value_name = "PARTIAL", required = true)]
    pub partials: Vec<PathBuf>,
    /// Write the output into this folder (simulate.json with --json, else simulate.txt)
    /// atomically, instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `faascost generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Arrival pattern of every function: poisson, diurnal, bursty, periodic, steady-high.
    #[arg(long, value_name = "PATTERN", default_value = "poisson")]
    pub pattern: crate::synth::Pattern,
    /// Generate a workload shaped like a published dataset instead (azure2019: apps, triggers,
    /// rates, durations and memory following "Serverless in the Wild", ATC 2020).
    #[arg(long, value_name = "DATASET", conflicts_with_all = ["pattern", "rate_per_s", "rate_per_min", "duration_ms", "memory_mb"])]
    pub like: Option<String>,
    /// Number of functions.
    #[arg(long, default_value_t = 1)]
    pub functions: usize,
    /// Length of the trace in days (default 1).
    #[arg(long, conflicts_with = "hours")]
    pub days: Option<u32>,
    /// Length of the trace in hours.
    #[arg(long)]
    pub hours: Option<u32>,
    /// Mean invocations per second of each function (default: 1/s; periodic 1/min; steady-high 20/s).
    #[arg(long, conflicts_with = "rate_per_min")]
    pub rate_per_s: Option<f64>,
    /// Mean invocations per minute of each function.
    #[arg(long)]
    pub rate_per_min: Option<f64>,
    /// Execution time of each invocation: const:N, exp:MEAN or lognormal:MEDIAN,P99 (ms).
    #[arg(long, value_name = "DIST", default_value = "lognormal:100,1000")]
    pub duration_ms: crate::synth::DurationDist,
    /// Memory of every function in MB.
    #[arg(long, default_value_t = 256)]
    pub memory_mb: u32,
    /// Seed: the same seed and flags give byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output format: azure2019 (a directory of per-day files) or csv (one file, or - for stdout).
    #[arg(long, value_name = "FORMAT", default_value = "csv")]
    pub format: crate::synth::write::OutputFormat,
    /// CSV timestamps: epoch-ms or rfc3339.
    #[arg(long, value_name = "STYLE", default_value = "epoch-ms")]
    pub timestamps: crate::synth::write::TimestampStyle,
    /// Output: a directory for azure2019, a file (or - for stdout) for csv.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// Refuse, before writing anything, when the estimated output exceeds this many GB (10^9 bytes).
    #[arg(long, value_name = "GB", default_value_t = 20.0)]
    pub max_output_gb: f64,
}

/// `faascost tune`.
#[derive(Debug, Args)]
pub struct TuneArgs {
    /// The traces to size for. A function given at different memory sizes in separate TRACE
    /// arguments (e.g. one log export per size) gets its CPU-bound fraction fitted.
    #[command(flatten)]
    pub trace: TraceArgs,
    /// Platform to size for: aws-lambda, azure-functions-consumption, azure-functions-flex,
    /// gcp-cloud-run, cloudflare-workers, aws-app-runner, azure-container-apps.
    #[arg(long, value_name = "ID", default_value = "aws-lambda")]
    pub platform: crate::platform::ServerlessPlatform,
    /// How to choose: cost (cheapest), speed (fastest, ties cheapest) or balanced (Power Tuning's
    /// 0.5 × cost / max + 0.5 × duration / max).
    #[arg(long, value_enum, default_value_t = crate::fit::tune::Strategy::Cost)]
    pub strategy: crate::fit::tune::Strategy,
    /// Scenario file for the CPU-bound fraction, free tier, regions, seed and fallback duration
    /// (default: the bundled default scenario's).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// CPU-bound fraction (0–1) where the trace gives none, instead of the scenario's.
    #[arg(long, value_name = "F")]
    pub cpu_bound_fraction: Option<f64>,
    /// vCPUs the function can keep busy (1 = single-threaded: no gain beyond one vCPU; at most 64).
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub vcpus_used: f64,
    /// Which functions share instances, one unit sized per service: function, app or workload
    /// (every function in one service). Default: the platform's.
    #[arg(long, value_enum, value_name = "SCOPE")]
    pub instance_scope: Option<crate::pricing::InstanceScope>,
    /// Load price tables from this directory instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub pricing: Option<PathBuf>,
    /// Print one JSON object (every unit with its whole curve) instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `faascost breakeven`.
#[derive(Debug, Args)]
pub struct BreakevenArgs {
    /// Serverless platform: aws-lambda, azure-functions-consumption, azure-functions-flex,
    /// gcp-cloud-run, cloudflare-workers, aws-app-runner, azure-container-apps.
    #[arg(long, value_name = "ID")]
    pub platform: crate::platform::ServerlessPlatform,
    /// Duration of each invocation in ms (1 ms to a day).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=MAX_DURATION_MS))]
    pub duration_ms: u64,
    /// Configured memory in MB.
    #[arg(long, value_name = "MB")]
    pub memory_mb: u32,
    /// Architecture of the serverless function.
    #[arg(long, value_enum, default_value_t = ArchArg::X86)]
    pub arch: ArchArg,
    /// A server option, PLATFORM:TYPE (aws-ec2:m7g.large, azure-vm:TYPE, gcp-compute:TYPE,
    /// aws-fargate:arm64:1vcpu-2gb); repeat for several.
    #[arg(long = "vs", value_name = "PLATFORM:TYPE", required = true)]
    pub vs: Vec<String>,
    /// Today's requests per month: the break-even is also given as a multiple of it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_MONTHLY_COUNT))]
    pub requests: Option<u64>,
    /// Scenario file for the CPU-bound fraction, free tier and regions (default: the bundled
    /// default scenario's).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// CPU-bound fraction (0–1], instead of the scenario's: request slots per vCPU are 1 / F.
    #[arg(long, value_name = "F")]
    pub cpu_bound_fraction: Option<f64>,
    /// Share of the request slots busy at the sizing point, in (0, 1].
    #[arg(long, value_name = "U", default_value_t = 0.6)]
    pub target_utilization: f64,
    /// Fewest server instances, whatever the traffic (at least 1; 2 for two availability zones).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub min_instances: u32,
    /// Commitment term for the servers, e.g. ri-standard-1yr-no-upfront (default on demand).
    #[arg(long, value_name = "TERM")]
    pub commitment: Option<String>,
    /// Load price tables from this directory instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub pricing: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fluid_from_is_a_count_of_at_least_one_or_off() {
        assert_eq!(parse_fluid_from("off"), Ok(u64::MAX));
        assert_eq!(parse_fluid_from("5000"), Ok(5_000));
        assert_eq!(parse_fluid_from("1"), Ok(1));
        for bad in ["0", "-1", "1.5", "OFF ", ""] {
            assert!(parse_fluid_from(bad).unwrap_err().contains("≥ 1"), "{bad}");
        }
    }
}
