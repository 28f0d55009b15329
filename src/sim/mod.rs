//! Simulation stage: `Workload` + seed + platform behaviour → `Usage` (billable quantities, no
//! prices) and `SimStats` (cold starts, throttles, latency, concurrency, idle memory-time).
//!
//! Steps: group functions into units (a function, or an Azure app whose functions share
//! instances); expand each function's arrivals with its own seeded generator ([`arrivals`]);
//! scale durations with memory (CPU share ∝ memory, 1,769 MB = 1 vCPU on Lambda, with a
//! CPU-bound fraction); replay each unit through the event engine ([`serverless`]) in parallel
//! with rayon; if the summed concurrency ever exceeds the account limit, replay every unit again
//! in one shared loop so throttling is exact. Results do not depend on the thread count.
//! Sources: SPEC.md "Models"; SimFaaS and dslab-faas (../shared/reference/anchors.md).

pub mod arrivals;
pub mod keepalive;
pub mod platform;
pub mod schedule;
pub mod serverless;
pub mod stats;

use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::trace::{FunctionTrace, MemoryScope, Workload};
use crate::units::{gb_seconds, MS_PER_SECOND};
use crate::usage::{Arch, FunctionGroupUsage, MsHistogram, Usage};
use arrivals::{expand_function, function_key, ExpandOptions, Request, SimRng, SpreadMode};
use keepalive::KeepAliveSpec;
use platform::{BillingBasis, ColdStartDist, InstanceScope, PlatformModel};
use schedule::ProvisionedSchedule;
use serverless::{EngineConfig, RetryPolicy, UnitResult, UnitSpec};
use stats::{concurrency_profile, percentile, LatencyMs, SimStats};

/// Errors of the simulation stage.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A platform behaviour file is malformed.
    #[error("platform model {origin}: {problem}")]
    Platform {
        /// File name.
        origin: String,
        /// What is wrong.
        problem: String,
    },
    /// Contradictory or out-of-range settings.
    #[error("{0}")]
    Config(String),
    /// The trace has no times for a function.
    #[error(
        "function {function}: the trace has no invocation times (untimed records), so it cannot be replayed; \
         give a trace with timestamps (CloudWatch export with timestamps, CSV with a timestamp column)"
    )]
    Untimed {
        /// Function key.
        function: String,
    },
    /// The trace has no durations for a function.
    #[error(
        "function {function}: the trace has no execution durations for it (e.g. missing from the Azure durations \
         file); give the durations file or a fallback with --duration-ms"
    )]
    UnknownDuration {
        /// Function key.
        function: String,
    },
    /// Nothing to simulate.
    #[error("the workload has no invocations to simulate")]
    EmptyWorkload,
}

/// Everything a simulation run needs besides the workload.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Platform behaviour.
    pub platform: PlatformModel,
    /// Memory for every function (else the trace's, else the platform default).
    pub memory_mb: Option<u32>,
    /// Architecture recorded in the usage.
    pub arch: Arch,
    /// Keep-alive policy.
    pub keep_alive: KeepAliveSpec,
    /// Init latency distribution (else the platform's for the runtime).
    pub cold_start: Option<ColdStartDist>,
    /// Runtime for the platform's cold-start table (else its default).
    pub runtime: Option<String>,
    /// Requests per instance (else the platform default).
    pub per_instance_concurrency: Option<u32>,
    /// Account concurrency limit (else the platform default); `Some(0)` = no limit.
    pub concurrency_limit: Option<u32>,
    /// Provisioned concurrency per unit.
    pub provisioned: ProvisionedSchedule,
    /// Retrying of throttled requests.
    pub retry: Option<RetryPolicy>,
    /// Placement of per-minute counts.
    pub spread: SpreadMode,
    /// Duration for functions the trace has none for.
    pub fallback_duration_ms: Option<u64>,
    /// Share of a duration that scales with CPU when memory changes (0 = none, 1 = all).
    pub cpu_bound_fraction: f64,
    /// Global seed.
    pub seed: u64,
    /// Keep the per-minute concurrency series in the stats.
    pub per_minute: bool,
}

impl SimConfig {
    /// Defaults for a platform: its keep-alive, runtime, concurrency and limit; seed 42.
    pub fn new(platform: PlatformModel) -> Self {
        SimConfig {
            platform,
            memory_mb: None,
            arch: Arch::X86,
            keep_alive: KeepAliveSpec::Provider,
            cold_start: None,
            runtime: None,
            per_instance_concurrency: None,
            concurrency_limit: None,
            provisioned: ProvisionedSchedule::constant(0),
            retry: None,
            spread: SpreadMode::Uniform,
            fallback_duration_ms: None,
            cpu_bound_fraction: DEFAULT_CPU_BOUND_FRACTION,
            seed: DEFAULT_SEED,
            per_minute: false,
        }
    }
}

/// Default share of execution time that scales with CPU (an assumption, stated in reports).
pub const DEFAULT_CPU_BOUND_FRACTION: f64 = 0.5;
/// Default seed.
pub const DEFAULT_SEED: u64 = 42;

/// Per-unit outcome, for per-app analyses (sorted by key).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitSummary {
    /// Unit key (`owner/app` or `app/function`).
    pub key: String,
    /// Memory per instance.
    pub memory_mb: u32,
    /// Requests that arrived.
    pub invocations: u64,
    /// Cold starts.
    pub cold_starts: u64,
    /// Throttled requests.
    pub throttles: u64,
    /// Warm idle instance time in ms.
    pub idle_ms: u64,
}

/// The result of one simulation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimOutput {
    /// Billable quantities, for `cost/`.
    pub usage: Usage,
    /// Behaviour.
    pub stats: SimStats,
    /// Per unit.
    pub units: Vec<UnitSummary>,
    /// Defaults and modelling choices applied, in words.
    pub assumptions: Vec<String>,
}

struct ResolvedUnit<'a> {
    key: String,
    functions: Vec<&'a FunctionTrace>,
}

/// Groups functions into units per the platform's instance scope, sorted by key.
fn units_of(workload: &Workload, scope: InstanceScope) -> Vec<ResolvedUnit<'_>> {
    let mut map: BTreeMap<String, Vec<&FunctionTrace>> = BTreeMap::new();
    for f in &workload.functions {
        let key = match scope {
            InstanceScope::Function => function_key(&f.id),
            InstanceScope::App if f.id.owner.is_empty() => f.id.app.clone(),
            InstanceScope::App => format!("{}/{}", f.id.owner, f.id.app),
        };
        map.entry(key).or_default().push(f);
    }
    map.into_iter()
        .map(|(key, functions)| ResolvedUnit { key, functions })
        .collect()
}

/// The memory a unit runs with, before the platform's clamping.
fn unit_memory_mb(unit: &ResolvedUnit, app_sizes: &BTreeMap<(String, String), usize>, default_mb: u32) -> u32 {
    let configured = unit.functions.iter().filter_map(|f| f.memory.configured_mb).max();
    if let Some(mb) = configured {
        return mb;
    }
    let mut total = 0.0;
    let mut any = false;
    for f in &unit.functions {
        if let Some(a) = f.memory.allocated {
            any = true;
            match a.scope {
                MemoryScope::FunctionShare => total += a.average_mb,
                MemoryScope::App => {
                    let (o, ap) = f.id.app_key();
                    let n = app_sizes.get(&(o.to_string(), ap.to_string())).copied().unwrap_or(1).max(1);
                    // The app's figure, shared evenly by the app's functions in the workload.
                    total += a.average_mb / n as f64;
                }
            }
        }
    }
    if any {
        total.ceil().max(1.0) as u32
    } else {
        default_mb
    }
}

/// Duration multiplier when running at `new_mb` instead of the traced `traced_mb`.
pub fn duration_scale(platform: &PlatformModel, traced_mb: u32, new_mb: u32, cpu_bound_fraction: f64) -> f64 {
    match (platform.vcpu(traced_mb), platform.vcpu(new_mb)) {
        (Some(old), Some(new)) if new > 0.0 => cpu_bound_fraction * old / new + (1.0 - cpu_bound_fraction),
        _ => 1.0,
    }
}

struct Prepared {
    key: String,
    memory_mb: u32,
    requests: Vec<Request>,
}

fn prepare_units(workload: &Workload, cfg: &SimConfig) -> Result<Vec<Prepared>, SimError> {
    let p = &cfg.platform;
    let units = units_of(workload, p.instance_scope);
    let mut app_sizes: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in &workload.functions {
        let (o, a) = f.id.app_key();
        *app_sizes.entry((o.to_string(), a.to_string())).or_default() += 1;
    }
    units
        .par_iter()
        .map(|u| {
            let raw_mb = cfg
                .memory_mb
                .unwrap_or_else(|| unit_memory_mb(u, &app_sizes, p.default_memory_mb));
            let memory_mb = p.clamp_memory_mb(raw_mb);
            let mut requests: Vec<Request> = Vec::new();
            for f in &u.functions {
                let scale = match (cfg.memory_mb, f.memory.configured_mb) {
                    (Some(new), Some(old)) if new != old => duration_scale(p, old, memory_mb, cfg.cpu_bound_fraction),
                    _ => 1.0,
                };
                let opts = ExpandOptions {
                    spread: cfg.spread,
                    fallback_duration_ms: cfg.fallback_duration_ms,
                    duration_scale: scale,
                };
                let mut rng = SimRng::for_key(cfg.seed, &function_key(&f.id));
                requests.extend(expand_function(f, &opts, &mut rng)?);
            }
            requests.sort_unstable();
            Ok(Prepared {
                key: u.key.clone(),
                memory_mb,
                requests,
            })
        })
        .collect()
}

fn spec_of(p: &Prepared, cfg: &SimConfig) -> UnitSpec {
    UnitSpec {
        key: p.key.clone(),
        memory_mb: p.memory_mb,
        requests: p.requests.clone(),
        rng: SimRng::for_key(cfg.seed, &format!("init:{}", p.key)),
        policy: cfg.keep_alive.build(cfg.platform.default_keep_alive_ms),
    }
}

/// Simulates `workload` on the configured platform.
pub fn simulate(workload: &Workload, cfg: &SimConfig) -> Result<SimOutput, SimError> {
    let p = &cfg.platform;
    let c = cfg.per_instance_concurrency.unwrap_or(p.per_instance_concurrency);
    if c == 0 || c > p.max_per_instance_concurrency {
        return Err(SimError::Config(format!(
            "per-instance concurrency {c} is out of range for {}: expected 1 to {}",
            p.id, p.max_per_instance_concurrency
        )));
    }
    if !(0.0..=1.0).contains(&cfg.cpu_bound_fraction) {
        return Err(SimError::Config(format!(
            "CPU-bound fraction {} is out of range: expected 0 to 1",
            cfg.cpu_bound_fraction
        )));
    }
    let runtime = cfg.runtime.clone().unwrap_or_else(|| p.default_runtime.clone());
    let cold_start = match cfg.cold_start {
        Some(d) => d,
        None => p.cold_start_for(&runtime)?,
    };
    let limit = match cfg.concurrency_limit.unwrap_or(p.account_concurrency_limit) {
        0 => None,
        n => Some(n),
    };
    let prepared = prepare_units(workload, cfg)?;
    let invocations: u64 = prepared.iter().map(|u| u.requests.len() as u64).sum();
    if invocations == 0 {
        return Err(SimError::EmptyWorkload);
    }
    let start_ms = workload
        .window_start_ms
        .min(prepared.iter().filter_map(|u| u.requests.first()).map(|r| r.arrival_ms).min().unwrap_or(0));
    let engine = EngineConfig {
        per_instance_concurrency: c,
        cold_start,
        provisioned: cfg.provisioned.clone(),
        concurrency_limit: None,
        retry: cfg.retry,
        start_ms,
        window_end_ms: workload.window_end_ms.max(start_ms + 1),
    };
    // Pass 1: units are independent unless the account limit binds.
    let mut results: Vec<UnitResult> = prepared
        .par_iter()
        .map(|u| serverless::run(vec![spec_of(u, cfg)], &engine).pop().expect("one unit in, one out"))
        .collect();
    let mut all_deltas: Vec<(u64, i32)> = results.iter().flat_map(|r| r.deltas.iter().copied()).collect();
    let mut end_ms = engine
        .window_end_ms
        .max(results.iter().map(|r| r.last_completion_ms).max().unwrap_or(0));
    let mut profile = concurrency_profile(all_deltas, start_ms, end_ms);
    let mut assumptions = Vec::new();
    if let Some(l) = limit {
        if profile.peak > l {
            // Pass 2: the limit binds — one shared event loop over every unit.
            let shared = EngineConfig {
                concurrency_limit: Some(l),
                ..engine.clone()
            };
            results = serverless::run(prepared.iter().map(|u| spec_of(u, cfg)).collect(), &shared);
            all_deltas = results.iter().flat_map(|r| r.deltas.iter().copied()).collect();
            end_ms = shared
                .window_end_ms
                .max(results.iter().map(|r| r.last_completion_ms).max().unwrap_or(0));
            profile = concurrency_profile(all_deltas, start_ms, end_ms);
        }
    }
    let period_ms = end_ms - start_ms;

    // Aggregate.
    let mut groups: BTreeMap<u32, FunctionGroupUsage> = BTreeMap::new();
    let mut latency = MsHistogram::new();
    let mut stats = SimStats {
        platform: p.id.clone(),
        keep_alive: cfg.keep_alive.label(p.default_keep_alive_ms),
        units: results.len() as u64,
        period_ms,
        ..SimStats::default()
    };
    let mut busy_ms_total = 0u64;
    let mut idle_ms_total = 0u64;
    let mut provisioned_instance_ms = 0u64;
    let mut provisioned_inflight_ms = 0u64;
    let mut unit_cold_pct = Vec::new();
    let mut units = Vec::with_capacity(results.len());
    for r in &results {
        let mem = r.memory_mb as f64;
        stats.invocations += r.arrivals;
        stats.served += r.served;
        stats.cold_starts += r.cold_starts;
        stats.throttles += r.throttles;
        stats.retries += r.retries;
        latency.add_all(&r.latency_ms);
        let busy_ms = r.busy_periods_ms.sum_ms();
        busy_ms_total += busy_ms;
        idle_ms_total += r.idle_ms;
        provisioned_inflight_ms += r.provisioned_inflight_ms;
        let pc_ms = cfg.provisioned.instance_ms(start_ms, end_ms);
        provisioned_instance_ms += pc_ms;
        stats.provisioned_gb_seconds += gb_seconds(mem, pc_ms);
        stats.idle_gb_seconds += gb_seconds(mem, r.idle_ms);
        let billed_ms = match p.billing_basis {
            BillingBasis::Request => {
                r.on_demand_duration_ms.sum_billed_ms(|d| p.billed_ms(d))
                    + r.provisioned_duration_ms.sum_billed_ms(|d| p.billed_ms(d))
            }
            BillingBasis::Instance => {
                r.busy_periods_ms.sum_billed_ms(|d| p.billed_ms(d))
                    + r.provisioned_duration_ms.sum_billed_ms(|d| p.billed_ms(d))
            }
        };
        stats.billed_gb_seconds += gb_seconds(mem, billed_ms);
        if p.bills_init && p.billing_basis == BillingBasis::Request {
            stats.init_billed_gb_seconds += gb_seconds(mem, r.init_duration_ms.sum_billed_ms(|d| p.billed_ms(d)));
        }
        if r.served > 0 {
            unit_cold_pct.push(100.0 * r.cold_starts as f64 / r.served as f64);
        }
        let g = groups.entry(r.memory_mb).or_insert_with(|| FunctionGroupUsage {
            memory_mb: r.memory_mb,
            arch: cfg.arch,
            ephemeral_storage_mb: p.ephemeral_storage_mb,
            ..FunctionGroupUsage::default()
        });
        g.requests += r.served;
        g.on_demand_duration_ms.add_all(&r.on_demand_duration_ms);
        g.provisioned_duration_ms.add_all(&r.provisioned_duration_ms);
        g.init_duration_ms.add_all(&r.init_duration_ms);
        g.instance_busy_ms.add_all(&r.busy_periods_ms);
        g.instance_idle_ms += r.idle_ms;
        g.provisioned_periods.extend(cfg.provisioned.periods(start_ms, end_ms));
        units.push(UnitSummary {
            key: r.key.clone(),
            memory_mb: r.memory_mb,
            invocations: r.arrivals,
            cold_starts: r.cold_starts,
            throttles: r.throttles,
            idle_ms: r.idle_ms,
        });
    }
    let period = period_ms.max(1) as f64;
    stats.cold_start_rate = if stats.served > 0 {
        stats.cold_starts as f64 / stats.served as f64
    } else {
        0.0
    };
    stats.app_cold_start_pct_p75 = percentile(&unit_cold_pct, 75.0);
    stats.latency_ms = LatencyMs::from_histogram(&latency);
    stats.peak_concurrency = profile.peak;
    stats.avg_concurrency = profile.mean;
    stats.avg_instances = (busy_ms_total + idle_ms_total + provisioned_instance_ms) as f64 / period;
    stats.avg_busy_instances = (busy_ms_total as f64 + provisioned_inflight_ms as f64 / c as f64) / period;
    stats.avg_idle_instances = stats.avg_instances - stats.avg_busy_instances;
    stats.idle_instance_seconds = idle_ms_total as f64 / MS_PER_SECOND as f64;
    if cfg.per_minute {
        stats.concurrency_by_minute = profile.by_minute;
    }

    assumptions.push(format!(
        "platform {}: per-instance concurrency {c}, account concurrency limit {}, billing grain {} ms, minimum {} ms{}",
        p.id,
        limit.map_or("none".to_string(), |l| l.to_string()),
        p.billing_grain_ms,
        p.min_billed_ms,
        if p.bills_init { ", init billed" } else { "" }
    ));
    assumptions.push(format!("keep-alive: {}", stats.keep_alive));
    assumptions.push(match cfg.cold_start {
        Some(d) => format!("cold start: {d:?} (given), mean {:.0} ms", d.mean_ms()),
        None => format!(
            "cold start: {} runtime figures of the platform file, {cold_start:?}, mean {:.0} ms (UNVERIFIED third-party or placeholder; see platforms/{}.toml)",
            runtime,
            cold_start.mean_ms(),
            p.id
        ),
    });
    assumptions.push(format!(
        "per-minute counts spread {}; seed {}; durations below 1 ms counted as 1 ms",
        cfg.spread.name(),
        cfg.seed
    ));
    if cfg.memory_mb.is_some() {
        assumptions.push(format!(
            "memory scaling: CPU share ∝ memory ({} MB per vCPU, max {} vCPU) applied to the {:.0} % CPU-bound share of each duration, only where the trace gives a configured memory",
            p.mb_per_vcpu,
            p.max_vcpu,
            cfg.cpu_bound_fraction * 100.0
        ));
    } else {
        assumptions.push("memory: from the trace (configured, else Azure allocated average), else the platform default; durations as traced".into());
    }
    if !cfg.provisioned.is_zero() {
        assumptions.push("provisioned concurrency applies to every unit; requests beyond it spill over to on-demand instances".into());
    }
    if matches!(cfg.keep_alive, KeepAliveSpec::Hybrid(_)) {
        assumptions.push("hybrid policy: out-of-bound idle times forecast by the last idle time (ARIMA(0,1,0)) instead of a fitted ARIMA".into());
    }
    let usage = Usage {
        period_ms,
        functions: groups.into_values().collect(),
        instances: Vec::new(),
    };
    Ok(SimOutput {
        usage,
        stats,
        units,
        assumptions,
    })
}
