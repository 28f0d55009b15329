//! Simulation stage: `Workload` + seed + platform facts (from the price table's `[behaviour]`)
//! → `Usage` (quantities: duration, init and busy-period histograms, provisioned periods, idle
//! instance time; never dollars, never a billing rule) and `SimStats` (cold starts, throttles,
//! latency, concurrency, idle memory-time). Billed GB-s are the cost engine's
//! (`cost::billed_gb_seconds`).
//!
//! Steps: group functions into units (a function, an Azure app whose functions share
//! instances, or the whole workload as one service: [`unit_key`]); stream each function's arrivals a minute at a time from its own seeded generator
//! ([`arrivals`]); scale durations with memory (CPU share ∝ memory, 1,769 MB = 1 vCPU on
//! Lambda, with a CPU-bound fraction); replay each unit through its own event engine
//! ([`serverless`]; requests sharing an instance share its vCPUs, [`contention`]; a request is
//! cut at the platform's timeout; an init beyond its limit is re-run), all engines advanced in parallel (rayon) one minute of simulated time at a
//! time, their in-flight changes merged into one concurrency sweep; as soon as the summed
//! concurrency exceeds the account limit, replay every unit again in one shared loop so
//! throttling is exact; a unit's own instance cap (App Runner's MaxSize) refuses a request that
//! would start one instance more. Memory is O(units + requests in flight + one minute of arrivals), never
//! O(invocations) or O(window span). Results do not depend on the thread count. A unit whose
//! busiest minute holds at least [`SimConfig::fluid_from_per_minute`] invocations (default
//! [`fluid::FLUID_MIN_PER_MINUTE`]) takes the [`fluid`] approximation instead of the event
//! replay (stated in the assumptions).
//! Sources: SPEC.md "Models"; SimFaaS and dslab-faas (../shared/reference/anchors.md).

pub mod arrivals;
pub mod autoscale;
pub mod contention;
pub mod erlang;
pub mod fluid;
pub mod keepalive;
pub mod load;
pub mod partial;
pub mod platform;
pub mod provisioned;
pub mod schedule;
pub mod serverless;
pub mod stats;
pub mod window_sweep;

use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::pricing::{ColdStartDist, InstanceScope, MemoryOptions};
use crate::trace::{FunctionId, FunctionTrace, MemoryScope, Trigger, Workload};
use crate::units::{gb_seconds, MS_PER_MINUTE, MS_PER_SECOND};
use crate::usage::{Arch, FunctionGroupUsage, MsHistogram, Usage};
use arrivals::{function_key, DurationModel, ExpandOptions, FunctionArrivals, SimRng, SpreadMode, UnitArrivals};
use contention::Contention;
use keepalive::KeepAliveSpec;
use partial::{PartialHeader, PartialReader, PartialWriter, PartitionSpec};
use platform::PlatformModel;
use schedule::ProvisionedSchedule;
use serverless::{EngineConfig, RetryPolicy, UnitResult, UnitSpec};
use stats::{percentile, LatencyMs, ProfileSweep, SimStats};

/// Errors of the simulation stage.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The platform's price table is missing or has no platform facts.
    #[error("platform facts {origin}: {problem}")]
    Platform {
        /// Price-table file, or the platform id when there is no table.
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
    /// A partitioned run cannot be exact, or its partials do not fit together.
    #[error("{0}")]
    Partition(String),
}

/// Everything a simulation run needs besides the workload.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The platform and its facts.
    pub platform: PlatformModel,
    /// Memory for every function (else the trace's, else the platform default).
    pub memory_mb: Option<u32>,
    /// Architecture recorded in the usage.
    pub arch: Arch,
    /// Keep-alive policy.
    pub keep_alive: KeepAliveSpec,
    /// Init latency distribution (else the platform's for the runtime).
    pub cold_start: Option<ColdStartDist>,
    /// Multiplier of every init drawn (a what-if case; 1 = as drawn).
    pub cold_start_multiple: f64,
    /// Runtime for the platform's cold-start table (else its default).
    pub runtime: Option<String>,
    /// Requests per instance (else the platform default).
    pub per_instance_concurrency: Option<u32>,
    /// Account concurrency limit (else the platform default); `Some(0)` = no limit.
    pub concurrency_limit: Option<u32>,
    /// Most instances per unit, provisioned ones included (else the platform default, e.g.
    /// App Runner's MaxSize 25); `Some(0)` = no cap, where the platform has no hard limit.
    pub max_instances: Option<u32>,
    /// Provisioned concurrency per unit.
    pub provisioned: ProvisionedSchedule,
    /// Retrying of throttled requests.
    pub retry: Option<RetryPolicy>,
    /// Placement of per-minute counts.
    pub spread: SpreadMode,
    /// Placement of the per-minute counts of timer-triggered functions (default periodic).
    pub timer_spread: SpreadMode,
    /// How durations are drawn from percentiles.
    pub duration_model: DurationModel,
    /// Duration for functions the trace has none for.
    pub fallback_duration_ms: Option<u64>,
    /// Share of a duration that scales with CPU when memory changes (0 = none, 1 = all).
    pub cpu_bound_fraction: f64,
    /// Global seed.
    pub seed: u64,
    /// Keep the per-minute concurrency series in the stats.
    pub per_minute: bool,
    /// A unit whose busiest minute holds at least this many invocations takes the [`fluid`]
    /// path (default [`fluid::FLUID_MIN_PER_MINUTE`]; `u64::MAX`: never).
    pub fluid_from_per_minute: u64,
    /// Shorter fixed keep-alive windows, ms, to read off this replay as well
    /// ([`window_sweep`]; [`SimStats::shorter_windows`]): ascending, distinct, each at most the
    /// run's fixed window; none are read off where a unit of the whole replay takes the fluid
    /// path (decided on the whole workload, so every partition of a replay decides alike).
    pub shorter_windows_ms: Vec<u64>,
}

impl SimConfig {
    /// Defaults for a platform: its keep-alive, runtime, concurrency and limit, the provisioned
    /// instances it always keeps (App Runner: 1); seed 42.
    pub fn new(platform: PlatformModel) -> Self {
        let provisioned = ProvisionedSchedule::constant(platform.facts.provisioned_min);
        SimConfig {
            platform,
            memory_mb: None,
            arch: Arch::X86,
            keep_alive: KeepAliveSpec::Provider,
            cold_start: None,
            cold_start_multiple: 1.0,
            runtime: None,
            per_instance_concurrency: None,
            concurrency_limit: None,
            max_instances: None,
            provisioned,
            retry: None,
            spread: SpreadMode::Uniform,
            timer_spread: SpreadMode::Periodic,
            duration_model: DurationModel::Piecewise,
            fallback_duration_ms: None,
            cpu_bound_fraction: DEFAULT_CPU_BOUND_FRACTION,
            seed: DEFAULT_SEED,
            per_minute: false,
            fluid_from_per_minute: fluid::FLUID_MIN_PER_MINUTE,
            shorter_windows_ms: Vec::new(),
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
    /// Most requests in flight at once on the unit's instances.
    pub peak_in_flight: u64,
    /// Most requests in flight its instance cap lets it serve (instances × requests each;
    /// `None`: no cap).
    pub cap_in_flight: Option<u64>,
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
    /// What went wrong in the replay that changes a decision (requests cut by the timeout).
    pub warnings: Vec<String>,
}

struct ResolvedUnit<'a> {
    key: String,
    functions: Vec<&'a FunctionTrace>,
}

/// The key of the unit a function runs in at `scope`: its own key (`app/function`), its app's
/// (`owner/app`, or `app` without an owner), or [`WORKLOAD_UNIT_KEY`] for the whole workload.
pub fn unit_key(id: &FunctionId, scope: InstanceScope) -> String {
    match scope {
        InstanceScope::Function => function_key(id),
        InstanceScope::App if id.owner.is_empty() => id.app.clone(),
        InstanceScope::App => format!("{}/{}", id.owner, id.app),
        InstanceScope::Workload => WORKLOAD_UNIT_KEY.to_string(),
    }
}

/// The key of the one unit of a workload-scope run.
pub const WORKLOAD_UNIT_KEY: &str = "workload";

/// Groups functions into units per the instance scope, sorted by key.
fn units_of(workload: &Workload, scope: InstanceScope) -> Vec<ResolvedUnit<'_>> {
    let mut map: BTreeMap<String, Vec<&FunctionTrace>> = BTreeMap::new();
    for f in &workload.functions {
        map.entry(unit_key(&f.id, scope)).or_default().push(f);
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
                    let n = app_sizes
                        .get(&(o.to_string(), ap.to_string()))
                        .copied()
                        .unwrap_or(1)
                        .max(1);
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
    match (platform.facts.vcpu(traced_mb), platform.facts.vcpu(new_mb)) {
        (Some(old), Some(new)) if new > 0.0 => cpu_bound_fraction * old / new + (1.0 - cpu_bound_fraction),
        _ => 1.0,
    }
}

/// A unit ready to replay: its functions with their expansion options, and its memory.
struct UnitPlan<'w> {
    key: String,
    memory_mb: u32,
    functions: Vec<(&'w FunctionTrace, ExpandOptions)>,
}

fn plan_units<'w>(workload: &'w Workload, cfg: &SimConfig) -> Vec<UnitPlan<'w>> {
    let p = &cfg.platform;
    let units = units_of(workload, p.facts.instance_scope);
    let mut app_sizes: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in &workload.functions {
        let (o, a) = f.id.app_key();
        *app_sizes.entry((o.to_string(), a.to_string())).or_default() += 1;
    }
    units
        .into_iter()
        .map(|u| {
            let raw_mb = cfg
                .memory_mb
                .unwrap_or_else(|| unit_memory_mb(&u, &app_sizes, p.facts.default_memory_mb));
            let memory_mb = p.facts.memory.configure_mb(raw_mb);
            let functions = u
                .functions
                .iter()
                .map(|&f| {
                    let scale = match (cfg.memory_mb, f.memory.configured_mb) {
                        (Some(new), Some(old)) if new != old => {
                            duration_scale(p, old, memory_mb, cfg.cpu_bound_fraction)
                        }
                        _ => 1.0,
                    };
                    let spread = if f.trigger == Trigger::Timer {
                        cfg.timer_spread
                    } else {
                        cfg.spread
                    };
                    let opts = ExpandOptions {
                        spread,
                        fallback_duration_ms: cfg.fallback_duration_ms,
                        duration_scale: scale,
                        duration_model: cfg.duration_model,
                    };
                    (f, opts)
                })
                .collect();
            UnitPlan {
                key: u.key,
                memory_mb,
                functions,
            }
        })
        .collect()
}

impl<'w> UnitPlan<'w> {
    /// The unit's requests in arrival order, each function drawn with its own seeded generator.
    fn arrivals(&self, cfg: &SimConfig) -> Result<UnitArrivals<'w>, SimError> {
        let streams = self
            .functions
            .iter()
            .map(|&(f, opts)| FunctionArrivals::new(f, &opts, SimRng::for_key(cfg.seed, &function_key(&f.id))))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(UnitArrivals::merge(streams))
    }

    fn spec(&self, cfg: &SimConfig, engine: &EngineConfig) -> Result<UnitSpec<'w>, SimError> {
        Ok(UnitSpec {
            key: self.key.clone(),
            memory_mb: self.memory_mb,
            requests: serverless::RequestStream::Drawn(self.arrivals(cfg)?),
            rng: SimRng::for_key(cfg.seed, &format!("init:{}", self.key)),
            policy: cfg.keep_alive.build(cfg.platform.facts.default_keep_alive_ms),
            contention: self.contention(cfg, engine.per_instance_concurrency),
            per_instance_concurrency: Some(self.slots(cfg, engine.per_instance_concurrency)),
            // A given init distribution is used as given; the platform's holds at its
            // reference memory.
            init_scale: self.init_scale(cfg),
        })
    }

    /// Multiplier of the init latency at this unit's memory (a given distribution is used as
    /// given; the platform's holds at its reference memory), times the run's what-if multiple.
    fn init_scale(&self, cfg: &SimConfig) -> f64 {
        let at_memory = match cfg.cold_start {
            Some(_) => 1.0,
            None => cfg.platform.facts.cold_start_scale(self.memory_mb),
        };
        at_memory * cfg.cold_start_multiple
    }

    /// Requests one of this unit's instances takes ([`unit_slots`]).
    fn slots(&self, cfg: &SimConfig, c: u32) -> u32 {
        unit_slots(cfg, self.memory_mb, c)
    }

    /// The CPU contention between the requests sharing one of this unit's instances.
    fn contention(&self, cfg: &SimConfig, c: u32) -> Option<Contention> {
        let vcpu = cfg.platform.facts.instance_vcpu_at(self.memory_mb)?;
        Contention::new(cfg.cpu_bound_fraction, vcpu, self.slots(cfg, c))
    }
}

/// Sweep block of pass 1: every unit's engine advances one minute of simulated time at a
/// time, so only one minute of in-flight changes is held at once.
const BLOCK_MS: u64 = MS_PER_MINUTE;

/// The outcome of pass 1: each unit's result (in the plans' order), the summed concurrency
/// profile, and each unit's own profile where one was asked for.
struct IndependentPass {
    results: Vec<UnitResult>,
    sweep: ProfileSweep,
    own: Vec<Option<ProfileSweep>>,
}

/// Pass 1: every unit in its own engine, swept in step block by block (in parallel) into one
/// concurrency profile. Stops early, returning `None`, once the summed concurrency exceeds
/// `limit` (the shared pass replaces this one's results then). `own[i]`, when given, also
/// sweeps unit `i`'s changes alone, exactly as a run of that unit alone would (its changes
/// sorted the same way, from its own start).
fn independent_pass(
    plans: &[UnitPlan],
    cfg: &SimConfig,
    engine: &EngineConfig,
    start_ms: u64,
    limit: Option<u32>,
    own: Vec<Option<ProfileSweep>>,
    mut record: Option<&mut PartialWriter>,
) -> Result<Option<IndependentPass>, SimError> {
    let mut own = own;
    own.resize_with(plans.len(), || None);
    let mut engines = plans
        .par_iter()
        .zip(own)
        .map(|(p, own)| {
            Ok((
                serverless::Engine::new(vec![p.spec(cfg, engine)?], engine),
                Vec::new(),
                own,
            ))
        })
        .collect::<Result<Vec<(serverless::Engine, Vec<u64>, Option<ProfileSweep>)>, SimError>>()?;
    let mut sweep = ProfileSweep::new(start_ms);
    // In-flight changes packed as time << 1 | (1 for +1, 0 for −1): sorting the integers puts
    // completions before arrivals at equal times, as the engine does (times are below 2^63 ms,
    // 292 million years).
    let mut nets = BlockNets::default();
    // Each engine's next event time, earliest first: a block visits only the engines with an
    // event in it (most functions are idle most minutes).
    let mut next: std::collections::BinaryHeap<std::cmp::Reverse<(u64, usize)>> = engines
        .iter()
        .enumerate()
        .filter_map(|(i, (e, _, _))| e.next_time_ms().map(|t| std::cmp::Reverse((t, i))))
        .collect();
    let mut active = vec![false; engines.len()];
    let mut active_list: Vec<usize> = Vec::new();
    while let Some(&std::cmp::Reverse((t0, _))) = next.peek() {
        let until = (t0 / BLOCK_MS).saturating_add(1).saturating_mul(BLOCK_MS);
        let until = if until <= t0 { u64::MAX } else { until };
        while let Some(&std::cmp::Reverse((t, i))) = next.peek() {
            if t >= until && until != u64::MAX {
                break;
            }
            next.pop();
            active[i] = true;
            active_list.push(i);
        }
        engines
            .par_iter_mut()
            .zip(active.par_iter())
            .filter(|(_, &a)| a)
            .for_each(|((e, changes, own), _)| {
                changes.clear();
                e.advance(until, &mut |t, d| changes.push(t << 1 | u64::from(d > 0)));
                if let Some(own) = own {
                    changes.sort_unstable();
                    for &packed in changes.iter() {
                        own.add(packed >> 1, if packed & 1 == 1 { 1 } else { -1 });
                    }
                }
            });
        nets.sum(t0 - t0 % BLOCK_MS, active_list.iter().map(|&i| engines[i].1.as_slice()));
        for &i in &active_list {
            active[i] = false;
            if let Some(t) = engines[i].0.next_time_ms() {
                next.push(std::cmp::Reverse((t, i)));
            }
        }
        active_list.clear();
        nets.drain(&mut |t, d| {
            sweep.add(t, d);
            if let Some(w) = record.as_deref_mut() {
                w.add(t, d);
            }
        });
        if limit.is_some_and(|l| sweep.peak() > l) {
            return Ok(None);
        }
    }
    let (results, own): (Vec<Vec<UnitResult>>, Vec<Option<ProfileSweep>>) =
        engines.into_par_iter().map(|(e, _, own)| (e.finish(), own)).unzip();
    Ok(Some(IndependentPass {
        results: results.into_iter().flatten().collect(),
        sweep,
        own,
    }))
}

/// One sweep block's in-flight changes netted per millisecond: the engines' changes summed by
/// time without sorting them, then read back in time order. Exact: the concurrency sweep sees
/// only the level after each millisecond's changes (completions before arrivals; see
/// [`partial`]'s module doc), so one net change per millisecond sweeps as the changes do.
#[derive(Default)]
struct BlockNets {
    /// Start of the block (an aligned minute).
    base_ms: u64,
    /// Net change by ms from `base_ms` (`BLOCK_MS` entries once used).
    net: Vec<i64>,
    /// Bit `i` set when ms `base_ms + i` has a change.
    touched: Vec<u64>,
    /// Bit `w` set when `touched[w]` is not 0 (a sparse block is read in a few steps).
    touched_words: Vec<u64>,
    /// Changes outside the block's minute (times within 2 minutes of 2^64 ms only: their
    /// block has no end), sorted before they are read.
    outside: Vec<u64>,
}

impl BlockNets {
    /// Sums the packed changes (time << 1 | (1 for +1, 0 for −1)) of the block starting at
    /// `base_ms`.
    fn sum<'c>(&mut self, base_ms: u64, changes: impl Iterator<Item = &'c [u64]>) {
        if self.net.is_empty() {
            self.net = vec![0; BLOCK_MS as usize];
            self.touched = vec![0; (BLOCK_MS as usize).div_ceil(64)];
            self.touched_words = vec![0; self.touched.len().div_ceil(64)];
        }
        self.base_ms = base_ms;
        // As arrays of their fixed lengths: an index below BLOCK_MS needs no bounds check.
        const MS: usize = BLOCK_MS as usize;
        let net: &mut [i64; MS] = self.net.as_mut_slice().try_into().expect("a block's nets");
        let touched: &mut [u64; MS.div_ceil(64)] = self.touched.as_mut_slice().try_into().expect("a block's bits");
        let words: &mut [u64; MS.div_ceil(64).div_ceil(64)] =
            self.touched_words.as_mut_slice().try_into().expect("a block's summary");
        for block in changes {
            for &packed in block {
                // Before the block, the subtraction wraps past its end.
                let i = (packed >> 1).wrapping_sub(base_ms);
                if i < BLOCK_MS {
                    let i = i as usize;
                    net[i] += (packed & 1) as i64 * 2 - 1;
                    touched[i / 64] |= 1 << (i % 64);
                    words[i / 4096] |= 1 << (i / 64 % 64);
                } else {
                    self.outside.push(packed);
                }
            }
        }
    }

    /// Feeds every nonzero net change to `sink` in time order (an i32 at a time, of one sign:
    /// the level after the millisecond is the same) and clears the block.
    fn drain(&mut self, sink: &mut impl FnMut(u64, i32)) {
        let mut feed = |t: u64, mut net: i64| {
            while net != 0 {
                let d = net.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
                sink(t, d);
                net -= i64::from(d);
            }
        };
        for (s, summary) in self.touched_words.iter_mut().enumerate() {
            while *summary != 0 {
                let w = s * 64 + summary.trailing_zeros() as usize;
                *summary &= *summary - 1;
                let word = &mut self.touched[w];
                while *word != 0 {
                    let i = w * 64 + word.trailing_zeros() as usize;
                    *word &= *word - 1;
                    feed(self.base_ms + i as u64, std::mem::take(&mut self.net[i]));
                }
            }
        }
        self.outside.sort_unstable();
        for run in self.outside.chunk_by(|a, b| a >> 1 == b >> 1) {
            let net: i64 = run.iter().map(|&p| if p & 1 == 1 { 1 } else { -1 }).sum();
            feed(run[0] >> 1, net);
        }
        self.outside.clear();
    }
}

/// Load known only per minute: `(minute from the start, in-flight × ms, max in flight)`.
type MinuteLoad = Vec<(u64, u64, u32)>;

/// Units' own concurrency sweeps (totals only) by unit key.
type OwnSweeps = BTreeMap<String, ProfileSweep>;

/// The unit results, the merged concurrency sweep (with the fluid-path load) and the units' own
/// sweeps kept (by unit key) of every partition's partial, after checking that the partials are
/// this plan's partitions, each once, and that the merged load stays within the account limit.
fn merge_partials(
    readers: &mut [PartialReader],
    partition_of: &BTreeMap<String, u32>,
    start_ms: u64,
    limit: Option<u32>,
) -> Result<(Vec<UnitResult>, ProfileSweep, OwnSweeps), SimError> {
    let n = readers.len() as u32;
    let fail = |r: &PartialReader, what: String| SimError::Partition(format!("{}: {what}", r.path().display()));
    let mut seen = vec![false; readers.len()];
    for r in readers.iter() {
        let h = &r.header;
        if h.partitions != n || h.partition == 0 || h.partition > n {
            return Err(fail(
                r,
                format!(
                    "partition {}/{} where {n} partial(s) were given; give the partials of every partition of one run, each once",
                    h.partition, h.partitions
                ),
            ));
        }
        if std::mem::replace(&mut seen[h.partition as usize - 1], true) {
            return Err(fail(r, format!("partition {}/{n} is given twice", h.partition)));
        }
        let expected: Vec<&String> = partition_of
            .iter()
            .filter(|(_, &k)| k == h.partition)
            .map(|(key, _)| key)
            .collect();
        let result_keys: Vec<&String> = h.results.iter().map(|u| &u.key).collect();
        if h.start_ms != start_ms || h.unit_keys.iter().collect::<Vec<_>>() != expected || result_keys != expected {
            return Err(fail(
                r,
                "its units or period start are not this workload's partition: the partial was made from other traces \
                 or settings; merge with the same inputs and settings the partitions ran with"
                    .into(),
            ));
        }
    }
    let mut sweep = ProfileSweep::new(start_ms);
    partial::merge_changes(readers, &mut |t, net| {
        let d = i32::try_from(net).map_err(|_| format!("{net} requests in flight change at one millisecond"))?;
        sweep.add(t, d);
        Ok(())
    })
    .map_err(SimError::Partition)?;
    if let Some(l) = limit.filter(|&l| sweep.peak() > l) {
        return Err(SimError::Partition(format!(
            "the partitions together reach {} requests in flight, above the account concurrency limit of {l}: the \
             units are not independent, so the merge would not be exact; run without --partition (one shared \
             replay throttles exactly), or with --concurrency-limit 0",
            sweep.peak()
        )));
    }
    // The fluid-path units' per-minute load, as the whole run adds it after the changes.
    for r in readers.iter() {
        sweep.add_minutes(&r.header.fluid_load);
    }
    let mut results: Vec<UnitResult> = readers
        .iter_mut()
        .flat_map(|r| std::mem::take(&mut r.header.results))
        .collect();
    results.sort_by(|a, b| a.key.cmp(&b.key));
    let own_sweeps = readers
        .iter_mut()
        .flat_map(|r| std::mem::take(&mut r.header.own_sweeps))
        .collect();
    Ok((results, sweep, own_sweeps))
}

/// The CPU-contention assumption of a run, in words.
/// (The fluid path runs only at one request per instance, where contention cannot bind.)
fn contention_assumption(plans: &[UnitPlan], cfg: &SimConfig, c: u32) -> String {
    let facts = &cfg.platform.facts;
    let f = cfg.cpu_bound_fraction;
    let vcpus: Vec<f64> = plans
        .iter()
        .filter_map(|u| facts.instance_vcpu_at(u.memory_mb))
        .collect();
    let contended = plans.iter().filter(|u| u.contention(cfg, c).is_some()).count();
    let rule = format!(
        "the {:.0} % CPU-bound share of the requests in flight on an instance shares its vCPUs (processor \
         sharing): with n in flight on v vCPUs each runs max(1, n × {f} / max(1, v)) times slower than alone, \
         so execution time, latency and billed instance time grow with concurrency (the rule of the server \
         options' slots_per_vcpu = 1 / cpu_bound_fraction)",
        f * 100.0
    );
    if c == 1 {
        "CPU contention: none — one request per instance never shares its CPU".to_string()
    } else if vcpus.is_empty() && !plans.is_empty() {
        format!(
            "CPU contention: not modelled on {}, whose instance vCPUs are unknown: requests sharing an instance never slow each other",
            cfg.platform.id()
        )
    } else {
        let vmin = vcpus.iter().copied().fold(f64::INFINITY, f64::min);
        let vmax = vcpus.iter().copied().fold(0.0, f64::max);
        let v = if (vmax - vmin).abs() < 1e-9 {
            format!("{vmin} vCPU")
        } else {
            format!("{vmin}–{vmax} vCPU")
        };
        let slots: Vec<u32> = plans.iter().map(|u| u.slots(cfg, c)).collect();
        let routing = match (facts.cpu_aware_routing, slots.iter().max()) {
            (true, Some(&most)) => format!(
                "{} routes by CPU: an instance takes no further request once its requests' CPU demand fills its \
                 vCPUs, so at most {most} requests per instance (of the {c} allowed), the next going to another \
                 instance",
                cfg.platform.id()
            ),
            _ => format!("requests fill all {c} slots of an instance whatever its CPU"),
        };
        format!(
            "CPU contention: {rule}; {routing}; {contended} of {} replayed unit(s) can be slowed ({v} per \
             instance); provisioned (minimum) instances alike, a request going to the least loaded one with \
             a free slot",
            plans.len()
        )
    }
}

/// The warning for requests the platform's execution timeout cut, if any.
fn timeout_warning(stats: &SimStats, p: &PlatformModel) -> Option<String> {
    let limit = p.facts.timeout_ms?;
    (stats.timeouts > 0).then(|| {
        format!(
            "{} of {} requests ran into {}'s execution timeout of {limit} ms: they were cut there and failed \
             (billed up to the timeout, as the platform bills them); shorten them, lower the per-instance \
             concurrency if CPU contention stretched them, or use a platform with a longer timeout",
            stats.timeouts,
            stats.served,
            p.id()
        )
    })
}

/// Simulates `workload` on the configured platform.
pub fn simulate(workload: &Workload, cfg: &SimConfig) -> Result<SimOutput, SimError> {
    Ok(run(workload, cfg, false, Shard::Whole)?.into_output().0)
}

/// Requests one instance of `memory_mb` takes: `c`, or fewer where the platform routes by CPU
/// ([`Contention::cpu_aware_slots`]).
fn unit_slots(cfg: &SimConfig, memory_mb: u32, c: u32) -> u32 {
    let facts = &cfg.platform.facts;
    match facts.instance_vcpu_at(memory_mb) {
        Some(vcpu) if facts.cpu_aware_routing => Contention::cpu_aware_slots(cfg.cpu_bound_fraction, vcpu, c),
        _ => c,
    }
}

/// The per-unit instance cap of `cfg` (its own, else the platform's default; `Some(0)`: none,
/// refused where the platform has a hard limit), checked against that limit and the
/// provisioned instances.
fn resolve_max_instances(cfg: &SimConfig) -> Result<Option<u32>, SimError> {
    let facts = &cfg.platform.facts;
    let limit = facts.max_instances_limit;
    let (cap, whose) = match (cfg.max_instances, facts.max_instances_default) {
        (Some(0), _) if limit.is_none() => return Ok(None),
        (Some(n), _) => (n, "max instances"),
        (None, Some(n)) => (n, "the platform's default max instances"),
        (None, None) => return Ok(None),
    };
    if let Some(limit) = limit.filter(|&l| cap == 0 || cap > l) {
        return Err(SimError::Config(format!(
            "max instances {cap}: {} scales a unit to 1 to {limit} instances; give 1 to {limit}",
            cfg.platform.id()
        )));
    }
    let provisioned = cfg.provisioned.max_level();
    if provisioned > cap {
        return Err(SimError::Config(format!(
            "{whose} {cap} is below the {provisioned} provisioned (minimum) instances, which count toward it; \
             give max instances (--max-instances, a scenario option's max_instances) of at least {provisioned}"
        )));
    }
    Ok(Some(cap))
}

/// The fixed keep-alive of `cfg`, when it has one (the fluid path can model it, shorter windows
/// can be read off it).
pub fn fixed_keep_alive_ms(cfg: &SimConfig) -> Option<u64> {
    match cfg.keep_alive {
        KeepAliveSpec::Fixed { keep_alive_ms } if keep_alive_ms > 0 => Some(keep_alive_ms),
        KeepAliveSpec::Provider if cfg.platform.facts.default_keep_alive_ms > 0 => {
            Some(cfg.platform.facts.default_keep_alive_ms)
        }
        _ => None,
    }
}

/// [`simulate`], also returning each function's run alone wherever this run already holds it
/// exactly, without its per-minute series ([`AloneRuns`]).
pub fn simulate_with_alone_runs(workload: &Workload, cfg: &SimConfig) -> Result<(SimOutput, AloneRuns), SimError> {
    Ok(run(workload, cfg, true, Shard::Whole)?.into_output())
}

/// Replays partition `spec` of the workload's units ([`partial::assign`]), streaming its
/// in-flight changes to `writer`; returns the header to finish the partial file with, and the
/// output of the partition's units alone (what [`simulate`] gives on a workload of them, the
/// period start aside: the whole run's). With `alone`, the header also keeps each unit's own
/// concurrency totals where [`simulate_with_alone_runs`] would keep its run alone, so the
/// merge gives those runs too. Refuses where the partitions could not be merged exactly: the
/// account limit binds within the partition, or fluid-path units share an account limit with
/// the rest.
pub fn simulate_partition(
    workload: &Workload,
    cfg: &SimConfig,
    spec: PartitionSpec,
    writer: &mut PartialWriter,
    alone: bool,
) -> Result<(PartialHeader, SimOutput), SimError> {
    match run(workload, cfg, alone, Shard::Part(spec, writer))? {
        RunOutcome::Partial(header, out) => Ok((*header, *out)),
        RunOutcome::Whole(..) => unreachable!("a partition writes a partial"),
    }
}

/// The output of the whole run, from the partials of every partition of it (no replay):
/// exactly [`simulate`]'s for the same workload and settings, or an error when the partials do
/// not fit this plan or the merged load exceeds the account limit.
pub fn simulate_merged(
    workload: &Workload,
    cfg: &SimConfig,
    readers: &mut [PartialReader],
) -> Result<SimOutput, SimError> {
    Ok(simulate_merged_with_alone_runs(workload, cfg, readers, false)?.0)
}

/// [`simulate_merged`], with `alone` also each function's run alone wherever
/// [`simulate_with_alone_runs`] holds it and the partials kept its totals (made with `alone`).
pub fn simulate_merged_with_alone_runs(
    workload: &Workload,
    cfg: &SimConfig,
    readers: &mut [PartialReader],
    alone: bool,
) -> Result<(SimOutput, AloneRuns), SimError> {
    Ok(run(workload, cfg, alone, Shard::Merged(readers))?.into_output())
}

/// Which part of a run [`run`] does.
enum Shard<'a> {
    /// Replay every unit and aggregate.
    Whole,
    /// Replay one partition's units into a partial.
    Part(PartitionSpec, &'a mut PartialWriter),
    /// Aggregate the partials of every partition.
    Merged(&'a mut [PartialReader]),
}

/// What [`run`] returns: the output (and the functions' runs alone), or a partition's partial
/// header and the output of its units alone.
enum RunOutcome {
    Whole(Box<SimOutput>, AloneRuns),
    Partial(Box<PartialHeader>, Box<SimOutput>),
}

impl RunOutcome {
    fn into_output(self) -> (SimOutput, AloneRuns) {
        match self {
            RunOutcome::Whole(out, alone) => (*out, alone),
            RunOutcome::Partial(..) => unreachable!("only a partition writes a partial"),
        }
    }
}

/// Each function's own run — what [`simulate`] gives on a workload of that function alone
/// (same window, same settings) — by function key (`app/function`), for the functions whose
/// run the whole workload's run already holds exactly: a unit that is that one function (an
/// app of one function where instances are per app), replayed by events (not the fluid path),
/// whose memory alone is the same (an Azure app's allocated memory is shared by the app's
/// functions in the workload), in a run whose account limit never bound (pass 1 completed: a
/// function alone is never above its share of the summed concurrency, so alone the limit
/// cannot bind either). Each unit's engine runs from its own seeded generators, so its
/// requests, durations and inits are the same alone; its concurrency profile is swept on its
/// own from its own start, and its figures, assumptions and warnings are assembled from it
/// alone. Other functions are absent: replay them alone. A run alone holds no per-minute
/// concurrency series (it is `simulate`'s with `per_minute` off): kept for every function of
/// a long window, the series would take a minute's entry per function and minute (14 days:
/// 20,160 × 24 bytes per function and option), and nothing charts a function alone.
pub type AloneRuns = BTreeMap<String, SimOutput>;

/// The settings every unit of a run shares, resolved once.
struct Resolved<'c> {
    cfg: &'c SimConfig,
    /// Requests per instance.
    c: u32,
    /// Account concurrency limit.
    limit: Option<u32>,
    /// Most instances per unit.
    max_instances: Option<u32>,
    runtime: String,
    cold_start: ColdStartDist,
    /// Whether the shorter windows asked for are read off ([`SimConfig::shorter_windows_ms`]):
    /// no unit of the whole replay takes the fluid path.
    reads_windows: bool,
}

/// Whether a function's trace counts as timer-driven per-minute counts (its own spread).
fn is_timer_counts(f: &FunctionTrace) -> bool {
    f.trigger == Trigger::Timer && matches!(f.arrivals, crate::trace::Arrivals::PerMinute(_))
}

/// The memory a one-function unit would run with in a workload of that function alone.
fn memory_alone_mb(plan: &UnitPlan, cfg: &SimConfig) -> Option<u32> {
    let [(f, _)] = plan.functions.as_slice() else {
        return None;
    };
    let facts = &cfg.platform.facts;
    let (o, a) = f.id.app_key();
    let sizes = BTreeMap::from([((o.to_string(), a.to_string()), 1)]);
    let unit = ResolvedUnit {
        key: plan.key.clone(),
        functions: vec![*f],
    };
    let raw_mb = cfg
        .memory_mb
        .unwrap_or_else(|| unit_memory_mb(&unit, &sizes, facts.default_memory_mb));
    Some(facts.memory.configure_mb(raw_mb))
}

/// Runs the simulation; with `alone`, also each function's own run where this one holds it.
fn run(workload: &Workload, cfg: &SimConfig, alone: bool, shard: Shard) -> Result<RunOutcome, SimError> {
    let threshold = cfg.fluid_from_per_minute;
    let p = &cfg.platform;
    let c = cfg
        .per_instance_concurrency
        .unwrap_or(p.facts.per_instance_concurrency_default);
    if c == 0 || c > p.facts.per_instance_concurrency_max {
        return Err(SimError::Config(format!(
            "per-instance concurrency {c} is out of range for {}: expected 1 to {}",
            p.id(),
            p.facts.per_instance_concurrency_max
        )));
    }
    if !(0.0..=1.0).contains(&cfg.cpu_bound_fraction) {
        return Err(SimError::Config(format!(
            "CPU-bound fraction {} is out of range: expected 0 to 1",
            cfg.cpu_bound_fraction
        )));
    }
    let runtime = cfg.runtime.clone().unwrap_or_else(|| p.facts.default_runtime.clone());
    let cold_start = match cfg.cold_start {
        Some(d) => d,
        None => p.cold_start_for(&runtime)?,
    };
    let limit = match cfg.concurrency_limit {
        Some(0) => None,
        Some(n) => Some(n),
        None => p.facts.account_concurrency_limit,
    };
    let max_instances = resolve_max_instances(cfg)?;
    let keep_alive_ms = fixed_keep_alive_ms(cfg);
    let fluid_allowed = c == 1 && keep_alive_ms.is_some() && cfg.provisioned.is_zero() && cfg.retry.is_none();
    let all_plans = plan_units(workload, cfg);
    // Each unit's partition, when the run is partitioned (units dealt by invocations).
    let count = match &shard {
        Shard::Whole => None,
        Shard::Part(spec, _) => Some(spec.count),
        Shard::Merged(readers) => Some(readers.len().max(1) as u32),
    };
    let partition_of: BTreeMap<String, u32> = match count {
        None => BTreeMap::new(),
        Some(n) => {
            let sizes: Vec<(&str, u64)> = all_plans
                .iter()
                .map(|u| {
                    let invocations = u.functions.iter().map(|(f, _)| f.arrivals.invocations()).sum();
                    (u.key.as_str(), invocations)
                })
                .collect();
            let parts = partial::assign(&sizes, n);
            all_plans.iter().zip(parts).map(|(u, k)| (u.key.clone(), k)).collect()
        }
    };
    let (fluid_plans, plans): (Vec<_>, Vec<_>) = all_plans.into_iter().partition(|u| {
        let traces: Vec<&FunctionTrace> = u.functions.iter().map(|&(f, _)| f).collect();
        fluid_allowed
            && traces
                .iter()
                .all(|f| matches!(f.arrivals, crate::trace::Arrivals::PerMinute(_)))
            && fluid::peak_minute_count(&traces, threshold) >= threshold
    });
    // The period starts at the window start or the first arrival, whichever is earlier (a
    // fluid unit's first minute start: its arrivals are never drawn).
    let mut first_arrival_ms: Option<u64> = None;
    let mut firsts = Vec::with_capacity(plans.len());
    for plan in &plans {
        let first = plan.arrivals(cfg)?.next().map(|r| r.arrival_ms);
        if let Some(t) = first {
            first_arrival_ms = Some(first_arrival_ms.map_or(t, |f| f.min(t)));
        }
        firsts.push(first);
    }
    for plan in &fluid_plans {
        for (f, _) in &plan.functions {
            if let crate::trace::Arrivals::PerMinute(counts) = &f.arrivals {
                if let Some((m, _)) = counts.nonzero().next() {
                    let t = m as u64 * MS_PER_MINUTE;
                    first_arrival_ms = Some(first_arrival_ms.map_or(t, |f| f.min(t)));
                }
            }
        }
    }
    let Some(first_arrival_ms) = first_arrival_ms else {
        return Err(SimError::EmptyWorkload);
    };
    let start_ms = workload.window_start_ms.min(first_arrival_ms);
    let engine = EngineConfig {
        per_instance_concurrency: c,
        cold_start,
        provisioned: cfg.provisioned.clone(),
        concurrency_limit: None,
        max_instances,
        retry: cfg.retry,
        window_end_ms: workload.window_end_ms.max(start_ms + 1),
        timeout_ms: p.facts.timeout_ms,
        // Lambda: "The 10-second timeout doesn't apply to functions using provisioned
        // concurrency or SnapStart".
        init_limit_ms: p.facts.init_limit_ms.filter(|_| runtime != "java-snapstart"),
        activity_merge_ms: p.facts.activity_merge_ms.unwrap_or(0),
        shorter_windows_ms: cfg.shorter_windows_ms.clone(),
    };
    // Which units' own runs to keep: a one-function unit with a first arrival, whose memory and
    // engine window alone are this run's (its own start is its window start or first arrival).
    let alone_starts: Vec<Option<u64>> = plans
        .iter()
        .zip(&firsts)
        .map(|(plan, first)| {
            let own_start = workload.window_start_ms.min((*first)?);
            let same_window = workload.window_end_ms.max(own_start + 1) == engine.window_end_ms;
            (alone && same_window && memory_alone_mb(plan, cfg) == Some(plan.memory_mb)).then_some(own_start)
        })
        .collect();
    let own = alone_starts.iter().map(|s| s.map(ProfileSweep::totals_only)).collect();
    let resolved = Resolved {
        cfg,
        c,
        limit,
        max_instances,
        runtime,
        cold_start,
        reads_windows: fluid_plans.is_empty(),
    };
    let run_fluid = |units: &[UnitPlan], sweep: &ProfileSweep| -> Result<(Vec<UnitResult>, MinuteLoad), SimError> {
        let units: Vec<fluid::FluidUnit> = units
            .iter()
            .map(|p| fluid::FluidUnit {
                key: p.key.clone(),
                memory_mb: p.memory_mb,
                init_scale: p.init_scale(cfg),
                functions: p
                    .functions
                    .iter()
                    .map(|&(trace, opts)| fluid::FluidFunction { trace, opts })
                    .collect(),
            })
            .collect();
        let fluid_cfg = fluid::FluidConfig {
            keep_alive_ms: keep_alive_ms.expect("the fluid path has a fixed keep-alive"),
            cold_start: resolved.cold_start,
            timeout_ms: engine.timeout_ms,
            init_limit_ms: engine.init_limit_ms,
            seed: cfg.seed,
            limit,
            max_instances: engine.max_instances,
            window_end_ms: engine.window_end_ms,
            events: sweep,
            start_ms,
        };
        fluid::run(&units, &fluid_cfg)
    };
    // A function's run alone, from its unit's result and own concurrency sweep.
    let run_alone = |i: usize, own: ProfileSweep, result: &UnitResult, into: &mut AloneRuns| {
        let Some(own_start) = alone_starts[i] else { return };
        let (f, _) = plans[i].functions[0];
        let out = assemble(
            &resolved,
            usize::from(is_timer_counts(f)),
            &plans[i..=i],
            &[],
            std::slice::from_ref(result),
            (own, false),
            own_start,
            engine.init_limit_ms,
            engine.window_end_ms,
        );
        into.insert(function_key(&f.id), out);
    };
    // The output of `plans` and `fluid_plans` (holding `timers` timer functions) over the run's
    // period, from their results and concurrency sweep.
    let output = |timers: usize, plans: &[UnitPlan], fluid_plans: &[UnitPlan], results: &[UnitResult], sweep| {
        assemble(
            &resolved,
            timers,
            plans,
            fluid_plans,
            results,
            (sweep, cfg.per_minute),
            start_ms,
            engine.init_limit_ms,
            engine.window_end_ms,
        )
    };
    let mut alone_runs = AloneRuns::new();
    let (results, sweep) = match shard {
        Shard::Whole => {
            // Pass 1: units are independent unless the account limit binds.
            let (results, sweep) = match independent_pass(&plans, cfg, &engine, start_ms, limit, own, None)? {
                Some(pass) => {
                    for (i, own) in pass.own.into_iter().enumerate() {
                        if let Some(own) = own {
                            run_alone(i, own, &pass.results[i], &mut alone_runs);
                        }
                    }
                    (pass.results, pass.sweep)
                }
                None => {
                    // Pass 2: the limit binds — one shared event loop over every unit.
                    let shared = EngineConfig {
                        concurrency_limit: limit,
                        ..engine.clone()
                    };
                    let specs = plans
                        .iter()
                        .map(|p| p.spec(cfg, &shared))
                        .collect::<Result<Vec<_>, _>>()?;
                    let mut sweep = ProfileSweep::new(start_ms);
                    let results = serverless::run(specs, &shared, &mut |t, d| sweep.add(t, d));
                    (results, sweep)
                }
            };
            if fluid_plans.is_empty() {
                (results, sweep)
            } else {
                let (fluid_results, load) = run_fluid(&fluid_plans, &sweep)?;
                let mut sweep = sweep;
                sweep.add_minutes(&load);
                let mut all = results;
                all.extend(fluid_results);
                all.sort_by(|a, b| a.key.cmp(&b.key));
                (all, sweep)
            }
        }
        Shard::Part(spec, writer) => {
            if limit.is_some() && !fluid_plans.is_empty() {
                return Err(SimError::Partition(format!(
                    "{} unit(s) take the fluid path, which shares the account concurrency limit with every other unit: \
                     a partition cannot be replayed alone; run without --partition, or with --concurrency-limit 0",
                    fluid_plans.len()
                )));
            }
            let mine = |u: &UnitPlan| partition_of[&u.key] == spec.index;
            let (plans, own): (Vec<UnitPlan>, Vec<Option<ProfileSweep>>) =
                plans.into_iter().zip(own).filter(|(u, _)| mine(u)).unzip();
            let fluid_plans: Vec<UnitPlan> = fluid_plans.into_iter().filter(mine).collect();
            let binds = || {
                SimError::Partition(format!(
                    "the account concurrency limit ({}) binds within this partition alone, so its \
                     units are not independent of the others; run without --partition (one shared replay throttles \
                     exactly), or with --concurrency-limit 0",
                    limit.unwrap_or(0)
                ))
            };
            let pass = independent_pass(&plans, cfg, &engine, start_ms, limit, own, Some(writer))?.ok_or_else(binds)?;
            let own_sweeps = plans
                .iter()
                .zip(pass.own)
                .filter_map(|(u, own)| Some((u.key.clone(), own?)))
                .collect();
            let (mut results, mut sweep) = (pass.results, pass.sweep);
            let (fluid_results, fluid_load) = if fluid_plans.is_empty() {
                (Vec::new(), Vec::new())
            } else {
                run_fluid(&fluid_plans, &sweep)?
            };
            sweep.add_minutes(&fluid_load);
            results.extend(fluid_results);
            results.sort_by(|a, b| a.key.cmp(&b.key));
            let timers = plans
                .iter()
                .chain(&fluid_plans)
                .flat_map(|u| &u.functions)
                .filter(|(f, _)| is_timer_counts(f))
                .count();
            let out = output(timers, &plans, &fluid_plans, &results, sweep);
            let mut unit_keys: Vec<String> = plans.iter().chain(&fluid_plans).map(|u| u.key.clone()).collect();
            unit_keys.sort();
            let header = PartialHeader {
                schema_version: partial::PARTIAL_SCHEMA_VERSION,
                partition: spec.index,
                partitions: spec.count,
                start_ms,
                unit_keys,
                results,
                fluid_load,
                own_sweeps,
                change_records: 0,
                context: serde_json::Value::Null,
            };
            return Ok(RunOutcome::Partial(Box::new(header), Box::new(out)));
        }
        Shard::Merged(readers) => {
            let (results, sweep, mut own_sweeps) = merge_partials(readers, &partition_of, start_ms, limit)?;
            if alone {
                let by_key: BTreeMap<&str, &UnitResult> = results.iter().map(|r| (r.key.as_str(), r)).collect();
                for (i, plan) in plans.iter().enumerate() {
                    if let (Some(own), Some(result)) = (own_sweeps.remove(&plan.key), by_key.get(plan.key.as_str())) {
                        run_alone(i, own, result, &mut alone_runs);
                    }
                }
            }
            (results, sweep)
        }
    };
    let timers = workload.functions.iter().filter(|f| is_timer_counts(f)).count();
    let out = output(timers, &plans, &fluid_plans, &results, sweep);
    Ok(RunOutcome::Whole(Box::new(out), alone_runs))
}

/// The histograms of one memory size's units, summed once every unit is seen
/// ([`MsHistogram::sum`]).
#[derive(Default)]
struct GroupHistograms<'a> {
    on_demand: Vec<&'a MsHistogram>,
    provisioned: Vec<&'a MsHistogram>,
    init: Vec<&'a MsHistogram>,
    busy: Vec<&'a MsHistogram>,
    provisioned_busy: Vec<&'a MsHistogram>,
}

/// A run's output from its units' results: the usage by memory, the stats, the assumptions and
/// warnings. `timers` counts the workload's timer functions with per-minute counts; `sweep` is
/// the run's concurrency profile from `start_ms`, with its per-minute series when `per_minute`.
#[allow(clippy::too_many_arguments)]
fn assemble(
    resolved: &Resolved,
    timers: usize,
    plans: &[UnitPlan],
    fluid_plans: &[UnitPlan],
    results: &[UnitResult],
    (sweep, per_minute): (ProfileSweep, bool),
    start_ms: u64,
    init_limit_ms: Option<u64>,
    window_end_ms: u64,
) -> SimOutput {
    let Resolved {
        cfg,
        c,
        limit,
        max_instances,
        ref runtime,
        cold_start,
        reads_windows,
    } = *resolved;
    let threshold = cfg.fluid_from_per_minute;
    let p = &cfg.platform;
    let end_ms = window_end_ms.max(results.iter().map(|r| r.last_completion_ms).max().unwrap_or(0));
    let profile = sweep.finish(end_ms, per_minute);
    let mut assumptions = Vec::new();
    let period_ms = end_ms - start_ms;

    // Aggregate.
    let mut groups: BTreeMap<u32, FunctionGroupUsage> = BTreeMap::new();
    let mut histograms: BTreeMap<u32, GroupHistograms> = BTreeMap::new();
    let (mut latency, mut overhead) = (Vec::with_capacity(results.len()), Vec::with_capacity(results.len()));
    let mut stats = SimStats {
        platform: p.id().to_string(),
        keep_alive: cfg.keep_alive.label(p.facts.default_keep_alive_ms),
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
    for r in results {
        let mem = r.memory_mb as f64;
        stats.invocations += r.arrivals;
        stats.served += r.served;
        stats.cold_starts += r.cold_starts;
        stats.throttles += r.throttles;
        stats.retries += r.retries;
        stats.timeouts += r.timeouts;
        stats.init_retries += r.init_retries;
        latency.push(&r.latency_ms);
        overhead.push(&r.overhead_ms);
        let busy_ms = r.busy_periods_ms.sum_ms();
        busy_ms_total += busy_ms;
        idle_ms_total += r.idle_ms;
        provisioned_inflight_ms += r.provisioned_inflight_ms;
        let pc_ms = cfg.provisioned.instance_ms(start_ms, end_ms);
        provisioned_instance_ms += pc_ms;
        stats.provisioned_gb_seconds += gb_seconds(mem, pc_ms);
        stats.idle_gb_seconds += gb_seconds(mem, r.idle_ms);
        if r.served > 0 {
            unit_cold_pct.push(100.0 * r.cold_starts as f64 / r.served as f64);
        }
        let g = groups.entry(r.memory_mb).or_insert_with(|| FunctionGroupUsage {
            memory_mb: r.memory_mb,
            arch: cfg.arch,
            ephemeral_storage_mb: p.facts.ephemeral_storage_mb,
            ..FunctionGroupUsage::default()
        });
        g.requests += r.served;
        let h = histograms.entry(r.memory_mb).or_default();
        h.on_demand.push(&r.on_demand_duration_ms);
        h.provisioned.push(&r.provisioned_duration_ms);
        h.init.push(&r.init_duration_ms);
        h.busy.push(&r.busy_periods_ms);
        h.provisioned_busy.push(&r.provisioned_busy_periods_ms);
        g.instance_idle_ms += r.idle_ms;
        g.provisioned_periods.extend(cfg.provisioned.periods(start_ms, end_ms));
        units.push(UnitSummary {
            key: r.key.clone(),
            memory_mb: r.memory_mb,
            invocations: r.arrivals,
            cold_starts: r.cold_starts,
            throttles: r.throttles,
            idle_ms: r.idle_ms,
            peak_in_flight: r.peak_inflight,
            cap_in_flight: max_instances.map(|m| u64::from(m) * u64::from(unit_slots(cfg, r.memory_mb, c))),
        });
    }
    for (memory_mb, h) in histograms {
        let g = groups.get_mut(&memory_mb).expect("a group for each memory size seen");
        g.on_demand_duration_ms = MsHistogram::sum(h.on_demand);
        g.provisioned_duration_ms = MsHistogram::sum(h.provisioned);
        g.init_duration_ms = MsHistogram::sum(h.init);
        g.instance_busy_ms = MsHistogram::sum(h.busy);
        if !cfg.provisioned.is_zero() {
            g.provisioned_busy_periods_ms = Some(MsHistogram::sum(h.provisioned_busy));
        }
    }
    let (latency, overhead) = (MsHistogram::sum(latency), MsHistogram::sum(overhead));
    let period = period_ms.max(1) as f64;
    stats.cold_start_rate = if stats.served > 0 {
        stats.cold_starts as f64 / stats.served as f64
    } else {
        0.0
    };
    stats.app_cold_start_pct_p75 = percentile(&unit_cold_pct, 75.0);
    stats.latency_ms = LatencyMs::from_histogram(&latency);
    stats.overhead_ms = LatencyMs::from_histogram(&overhead);
    stats.overhead_cdf_ms = stats::cdf_points(&overhead);
    stats.peak_concurrency = profile.peak;
    stats.avg_concurrency = profile.mean;
    stats.avg_instances = (busy_ms_total + idle_ms_total + provisioned_instance_ms) as f64 / period;
    stats.avg_busy_instances = (busy_ms_total as f64 + provisioned_inflight_ms as f64 / c as f64) / period;
    stats.avg_idle_instances = stats.avg_instances - stats.avg_busy_instances;
    stats.idle_instance_seconds = idle_ms_total as f64 / MS_PER_SECOND as f64;
    stats.concurrency_by_minute = profile.by_minute;
    if reads_windows {
        stats.shorter_windows = window_sweep::window_stats(results, &overhead, &cfg.shorter_windows_ms);
    }

    assumptions.push(format!(
        "platform {}: per-instance concurrency {c}, account concurrency limit {}",
        p.id(),
        limit.map_or("none".to_string(), |l| l.to_string()),
    ));
    if let Some(cap) = max_instances {
        let whose = if cfg.max_instances.is_some() {
            "as configured"
        } else {
            "the platform's default"
        };
        assumptions.push(format!(
            "at most {cap} instances per unit ({whose}; provisioned ones included): a request that finds every \
             instance full with the unit at its cap is refused and counted as throttled (the platform may queue it \
             instead)"
        ));
    }
    assumptions.push(format!("keep-alive: {}", stats.keep_alive));
    if !cfg.shorter_windows_ms.is_empty() {
        let windows: Vec<String> = cfg
            .shorter_windows_ms
            .iter()
            .map(|&ms| keepalive::format_duration(ms))
            .collect();
        assumptions.push(match stats.shorter_windows.is_empty() {
            false => format!(
                "shorter keep-alive windows {} read off this replay (the inclusion property of stack algorithms): \
                 exact without inits; a request cold under a window starts one init later there, which is ignored",
                windows.join(", ")
            ),
            true => format!(
                "shorter keep-alive windows {} not read off: a unit takes the fluid path (it tallies none), or the \
                 run's keep-alive is no fixed window covering them, retries or merges activity periods",
                windows.join(", ")
            ),
        });
    }
    assumptions.push(contention_assumption(plans, cfg, c));
    assumptions.push(match p.facts.timeout_ms {
        Some(limit) => format!(
            "execution timeout {limit} ms ({}'s maximum): a request still running then is cut there — it fails, \
             is counted ({} this run) and is billed up to the timeout, as the platform bills it",
            p.id(),
            stats.timeouts
        ),
        None => format!("execution timeout: none on {} (requests run to the end)", p.id()),
    });
    assumptions.push(match cfg.cold_start {
        Some(d) => format!("cold start: {d} ms (given), mean {:.0} ms", d.mean_ms()),
        None => format!(
            "cold start: {} runtime figure of the platform's price table, {cold_start} ms, mean {:.0} ms ({}; see [behaviour.cold_start.{}] in pricing/{}.toml)",
            runtime,
            cold_start.mean_ms(),
            if p.facts.cold_start[runtime].verified { "vendor figure" } else { "UNVERIFIED third-party or placeholder" },
            runtime,
            p.id()
        ),
    });
    if cfg.cold_start_multiple != 1.0 {
        assumptions.push(format!(
            "cold start: every init multiplied by {} (a what-if case)",
            cfg.cold_start_multiple
        ));
    }
    if let (None, Some(m)) = (cfg.cold_start, &p.facts.cold_start_memory) {
        let mut scales: Vec<(u32, f64)> = plans
            .iter()
            .chain(fluid_plans)
            .map(|u| (u.memory_mb, p.facts.cold_start_scale(u.memory_mb)))
            .collect();
        scales.sort_by_key(|&(mb, _)| mb);
        scales.dedup_by_key(|&mut (mb, _)| mb);
        let shown: Vec<String> = scales.iter().map(|(mb, x)| format!("×{x:.2} at {mb} MB")).collect();
        assumptions.push(format!(
            "cold start by memory: the runtime figure holds at {} MB and {:.0} % of an init scales with the CPU share (up \
             to 1 vCPU): {} ({}; [behaviour.cold_start_memory] in pricing/{}.toml)",
            m.reference_mb,
            m.cpu_share * 100.0,
            shown.join(", "),
            if m.verified { "vendor figure" } else { "an ESTIMATE, unverified" },
            p.id()
        ));
    }
    if let Some(limit) = init_limit_ms {
        assumptions.push(format!(
            "init limit {limit} ms: an init drawn longer is abandoned at the limit (billed as INIT up to it) and run again \
             within the request that started it, its time counted in that request's execution (billed as duration, \
             within the timeout) and latency; {} this run{}",
            stats.init_retries,
            if fluid_plans.is_empty() { "" } else { " (on the fluid path too)" }
        ));
    } else if p.facts.init_limit_ms.is_some() {
        assumptions.push(format!(
            "init limit: none for the {runtime} runtime (the platform's does not apply to SnapStart)"
        ));
    }
    if timers > 0 {
        assumptions.push(format!(
            "timer-triggered functions ({timers} with per-minute counts): spread {}{}",
            cfg.timer_spread.name(),
            if cfg.timer_spread == SpreadMode::Periodic {
                " — a minute's k calls evenly 60 s / k apart at a phase drawn once per function, so a timer keeps \
                 its exact period across minutes (a spread drawn anew each minute would make a 5-minute timer's \
                 gaps vary from 4 to 6 minutes)"
            } else {
                ""
            }
        ));
    }
    assumptions.push(format!(
        "per-minute counts spread {}; durations from percentiles by the {} model; seed {}; durations below 1 ms \
         counted as 1 ms",
        cfg.spread.name(),
        cfg.duration_model.name(),
        cfg.seed
    ));
    if let Some(requested_mb) = cfg.memory_mb {
        let configured_mb = p.facts.memory.configure_mb(requested_mb);
        if configured_mb != requested_mb {
            assumptions.push(format!(
                "memory: {requested_mb} MB is not configurable on {} ({}); simulated and billed at {configured_mb} MB",
                p.id(),
                p.facts.memory
            ));
        }
        assumptions.push(match p.facts.cpu {
            Some(cpu) => format!(
                "memory scaling: CPU share ∝ memory ({} MB per vCPU, max {} vCPU) applied to the {:.0} % CPU-bound share of each duration, only where the trace gives a configured memory",
                cpu.mb_per_vcpu,
                cpu.max_vcpu,
                cfg.cpu_bound_fraction * 100.0
            ),
            None => format!("memory scaling: none, CPU does not scale with memory on {}: durations as traced", p.id()),
        });
    } else {
        assumptions.push(format!(
            "memory: from the trace (configured, else Azure allocated average), else the platform default; durations as traced (with --memory-mb, the {:.0} % CPU-bound share of each duration scales with CPU share)",
            cfg.cpu_bound_fraction * 100.0
        ));
        if let MemoryOptions::Sizes(_) = p.facts.memory {
            assumptions.push(format!(
                "memory: {} runs only at {} (default {} MB); a traced size runs at the next size up",
                p.id(),
                p.facts.memory,
                p.facts.default_memory_mb
            ));
        }
    }
    if !fluid_plans.is_empty() {
        let keys: Vec<&str> = fluid_plans.iter().map(|p| p.key.as_str()).collect();
        assumptions.push(format!(
            "fluid path: {} unit(s) with at least {threshold} invocations in one minute ({}) approximated per \
             minute instead of replayed request by request, every minute of them: concurrency = arrivals × mean \
             duration / 1 min (Little), peak = the level the minute's arrivals cross about once, one instance per \
             request in flight, cold starts = instances added beyond those kept warm, throttles where the account limit leaves too \
             little; durations apportioned exactly over each function's duration distribution (agrees with the \
             event replay within 1 % on billed GB-s and 5 % on peak concurrency, mean instances and cold starts on \
             a smooth ramp of 20,000–200,000 invocations a minute with a 230-ms mean init, 5.8 % on peak concurrency with a 403-ms one; \
             a binding account limit throttles a uniform share); durations beyond the timeout cut there and counted",
            keys.len(),
            keys.join(", ")
        ));
        if threshold < fluid::FLUID_MIN_PER_MINUTE {
            assumptions.push(format!(
                "fluid path from {threshold} invocations in a minute, below its default of {} (--fluid-from, the \
                 scenario's fluid_from_per_minute); measured from 5,000 (not below) on a generated full-size \
                 Azure-like day (50,000 functions, 2.05 billion invocations) with its 55 units of 5,000 or more in \
                 their busiest minute on the fluid path, against the event replay of every unit: billed GB-s \
                 −0.002 %, latency percentiles within 0.01 %, cold starts −0.5 %, peak concurrency +1.7 % and idle \
                 instance time +5.3 % in all, but one unit's cold starts −82 % to +35 %, its peak −33 % to +40 % \
                 and its idle time −44 % to +47 %: rely on the bills and totals, not on one unit's cold starts",
                fluid::FLUID_MIN_PER_MINUTE
            ));
        }
    }
    if !cfg.provisioned.is_zero() {
        assumptions.push(
            "provisioned concurrency applies to every unit; requests beyond it spill over to on-demand instances"
                .into(),
        );
    }
    if matches!(cfg.keep_alive, KeepAliveSpec::Hybrid(_)) {
        assumptions.push("hybrid policy: out-of-bound idle times forecast by the last idle time (ARIMA(0,1,0)) instead of a fitted ARIMA".into());
    }
    let usage = Usage {
        period_ms,
        functions: groups.into_values().collect(),
        instances: Vec::new(),
    };
    let warnings = timeout_warning(&stats, p).into_iter().collect();
    SimOutput {
        usage,
        stats,
        units,
        assumptions,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    //! Closed-form checks of the whole stage. Tolerances are stated next to each assertion.
    use super::arrivals::{per_minute_function, poisson_workload};
    use super::*;
    use crate::platform::ServerlessPlatform;
    use crate::pricing::Catalog;
    use crate::trace::{DurationInfo, DurationPercentiles};
    use crate::units::{MS_PER_HOUR, MS_PER_MINUTE};

    fn model(p: ServerlessPlatform) -> PlatformModel {
        PlatformModel::from_catalog(&Catalog::embedded().unwrap(), p).unwrap()
    }

    fn lambda(keep_alive: &str) -> SimConfig {
        let mut cfg = SimConfig::new(model(ServerlessPlatform::AwsLambda));
        cfg.keep_alive = keep_alive.parse().unwrap();
        cfg.cold_start = Some(ColdStartDist::Constant { ms: 0 });
        cfg.concurrency_limit = Some(0);
        cfg
    }

    #[test]
    fn littles_law_mean_busy_instances() {
        // λ = 2/s, E[S] = 500 ms → L = λ·E[S] = 1.0 busy instance. 20,000 s ≈ 40,000 requests;
        // the standard error of the time average is ≈ 0.007, tolerance 3 %.
        let w = poisson_workload(2.0, 500.0, 20_000_000, 11);
        let out = simulate(&w, &lambda("10m")).unwrap();
        let l = out.stats.avg_busy_instances;
        assert!((l - 1.0).abs() < 0.03, "mean busy instances {l}");
        assert!(
            (out.stats.avg_concurrency - 1.0).abs() < 0.03,
            "{}",
            out.stats.avg_concurrency
        );
    }

    #[test]
    fn cold_start_probability_is_exp_minus_lambda_t() {
        // One call per 10 min on average, keep-alive T = 10 min, service 100 ms ≪ T:
        // P(cold) = P(gap > T + S) = e^{-λT} / (1 + λ·E[S]) = e^{-1} / 1.000167 = 0.36782.
        // 20,000 requests: standard error 0.0034, tolerance 0.015.
        let w = poisson_workload(1.0 / 600.0, 100.0, 12_000_000_000, 5);
        let out = simulate(&w, &lambda("10m")).unwrap();
        let expected = (-1.0f64).exp() / (1.0 + 100.0 / 600_000.0);
        let p = out.stats.cold_start_rate;
        assert!((p - expected).abs() < 0.015, "P(cold) {p} vs {expected}");
    }

    #[test]
    fn keep_alive_covering_every_gap_leaves_only_the_first_cold() {
        // One call a minute, evenly spaced, for 3 hours; keep-alive 2 min > every 60 s gap.
        let f = per_minute_function("tick", vec![1; 180], DurationInfo::Unknown);
        let w = workload_of(vec![f], 180);
        let mut cfg = lambda("2m");
        cfg.spread = SpreadMode::Even;
        cfg.fallback_duration_ms = Some(200);
        let out = simulate(&w, &cfg).unwrap();
        assert_eq!(out.stats.cold_starts, 1);
        // Idle between calls: 179 gaps × (60,000 − 200) ms + the last 2-min window truncated at the
        // window end (last call at 179.5 min + 0.2 s, window ends at 180 min → 29,800 ms).
        assert_eq!(out.stats.idle_instance_seconds * 1000.0, (179 * 59_800 + 29_800) as f64);
        // And with no keep-alive, every call is cold.
        cfg.keep_alive = KeepAliveSpec::None;
        let out = simulate(&w, &cfg).unwrap();
        assert_eq!(out.stats.cold_starts, 180);
        assert_eq!(out.stats.idle_gb_seconds, 0.0);
    }

    #[test]
    fn provisioned_at_peak_means_no_cold_starts() {
        let w = poisson_workload(5.0, 300.0, 2_000_000, 3);
        let base = simulate(&w, &lambda("10m")).unwrap();
        assert!(base.stats.cold_starts > 0);
        let mut cfg = lambda("10m");
        cfg.provisioned = ProvisionedSchedule::constant(base.stats.peak_concurrency);
        let pc = simulate(&w, &cfg).unwrap();
        assert_eq!(pc.stats.cold_starts, 0);
        assert_eq!(pc.usage.functions[0].on_demand_duration_ms.count(), 0);
        // Provisioned GB-s = peak × 128 MB × period.
        let expected = base.stats.peak_concurrency as f64 * 0.125 * pc.stats.period_ms as f64 / 1000.0;
        assert!((pc.stats.provisioned_gb_seconds - expected).abs() < 1e-6);
    }

    #[test]
    fn throttling_matches_erlang_b() {
        // M/G/L/L loss system: λ = 10/s, E[S] = 0.5 s → ρ = 5 erlangs, limit L = 5.
        // Erlang B(5, 5) = (5^5/5!) / Σ_{k≤5} 5^k/k! = 26.0417 / 91.4167 = 0.28487.
        // 40,000 requests; tolerance 0.02 (≈ 4 standard errors with positive correlation).
        let w = poisson_workload(10.0, 500.0, 4_000_000, 9);
        let mut cfg = lambda("10m");
        cfg.concurrency_limit = Some(5);
        let out = simulate(&w, &cfg).unwrap();
        let blocked = out.stats.throttles as f64 / out.stats.invocations as f64;
        assert!((blocked - 0.28487).abs() < 0.02, "blocking {blocked}");
        assert_eq!(out.stats.served + out.stats.throttles, out.stats.invocations);
        assert!(out.stats.peak_concurrency <= 5);
    }

    #[test]
    fn an_instance_cap_throttles_like_erlang_b_over_its_slots() {
        // Cloud Run at 3 requests per instance (no CPU contention: CPU-bound fraction 0) capped
        // at 2 instances: with a 10-min keep-alive both stay warm, so the unit is a loss
        // system of 6 slots. λ = 10/s, E[S] = 0.5 s → ρ = 5 erlangs; Erlang B(6, 5) =
        // (5^6/6!) / Σ_{k≤6} 5^k/k! = 21.7014 / 113.1181 = 0.19185. 40,000 requests, tolerance
        // 0.02 as above (measured 0.19272). Without the cap nothing is refused.
        let w = poisson_workload(10.0, 500.0, 4_000_000, 9);
        let mut cfg = SimConfig::new(model(ServerlessPlatform::GcpCloudRun));
        cfg.keep_alive = "10m".parse().unwrap();
        cfg.cold_start = Some(ColdStartDist::Constant { ms: 0 });
        cfg.concurrency_limit = Some(0);
        cfg.cpu_bound_fraction = 0.0;
        cfg.per_instance_concurrency = Some(3);
        assert_eq!(simulate(&w, &cfg).unwrap().stats.throttles, 0);
        cfg.max_instances = Some(2);
        let out = simulate(&w, &cfg).unwrap();
        let blocked = out.stats.throttles as f64 / out.stats.invocations as f64;
        assert!((blocked - 0.19185).abs() < 0.02, "blocking {blocked}");
        assert_eq!(out.stats.served + out.stats.throttles, out.stats.invocations);
        assert!(out.stats.peak_concurrency <= 6);
        assert_eq!(out.stats.cold_starts, 2);
        assert_eq!(out.units[0].cap_in_flight, Some(6));
        // Routed by CPU (half of each request CPU-bound on 1 vCPU: 2 per instance), the cap
        // serves 2 × 2 in flight.
        cfg.cpu_bound_fraction = 0.5;
        let out = simulate(&w, &cfg).unwrap();
        assert_eq!(out.units[0].cap_in_flight, Some(4));
        assert!(out.units[0].peak_in_flight <= 4);
        // A cap above the platform's own limit, or below the provisioned instances, is refused.
        let mut ar = SimConfig::new(model(ServerlessPlatform::AwsAppRunner));
        ar.max_instances = Some(26);
        let e = simulate(&w, &ar).unwrap_err().to_string();
        assert!(
            e.contains("max instances 26: aws-app-runner scales a unit to 1 to 25 instances"),
            "{e}"
        );
        let mut aca = SimConfig::new(model(ServerlessPlatform::AzureContainerApps));
        aca.provisioned = ProvisionedSchedule::constant(20);
        let e = simulate(&w, &aca).unwrap_err().to_string();
        assert!(
            e.contains("the platform's default max instances 10 is below the 20 provisioned"),
            "{e}"
        );
    }

    fn pct() -> DurationPercentiles {
        DurationPercentiles {
            average_ms: 120.0,
            count: 100,
            minimum_ms: None,
            maximum_ms: None,
            p0_ms: 10.0,
            p1_ms: 20.0,
            p25_ms: 60.0,
            p50_ms: 100.0,
            p75_ms: 150.0,
            p99_ms: 500.0,
            p100_ms: 900.0,
        }
    }

    fn workload_of(functions: Vec<crate::trace::FunctionTrace>, minutes: u64) -> Workload {
        Workload {
            functions,
            window_start_ms: 0,
            window_end_ms: minutes * MS_PER_MINUTE,
            sources: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn deterministic_across_thread_counts() {
        let fs = (0..12)
            .map(|i| {
                let counts = (0..120).map(|m| ((m * (i + 3)) % 7) as u32).collect();
                per_minute_function(&format!("f{i}"), counts, DurationInfo::Percentiles(pct()))
            })
            .collect();
        let w = workload_of(fs, 120);
        let mut cfg = SimConfig::new(model(ServerlessPlatform::AwsLambda));
        cfg.per_minute = true;
        let run = |threads, cfg: &SimConfig| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| simulate(&w, cfg).unwrap())
        };
        let a = run(1, &cfg);
        let b = run(2, &cfg);
        assert_eq!(a, b);
        assert_eq!(a.stats.invocations, w.invocations());
        // A different seed gives a different replay.
        cfg.seed = 7;
        assert_ne!(run(1, &cfg).stats.latency_ms, a.stats.latency_ms);
        // Shared instances slowing each other (Flex: 16 an instance, half CPU-bound) too.
        let mut flex = SimConfig::new(model(ServerlessPlatform::AzureFlex));
        flex.per_minute = true;
        let a = run(1, &flex);
        assert_eq!(a, run(2, &flex));
        assert!(a.stats.overhead_ms.max > 0);
    }

    #[test]
    fn hybrid_prewarms_a_periodic_timer() {
        // A timer every 30 min for 2 days. Fixed 10 min: every call cold. Hybrid learns the
        // 30-min idle time, unloads, pre-warms at 27 min and keeps to 34.1 min: after the
        // first calls (while the histogram is not yet representative) every call is warm,
        // and the idle time per gap is ≈ 3 min instead of the 4-hour uncertain window.
        let counts: Vec<u32> = (0..2 * 24 * 60).map(|m| u32::from(m % 30 == 0)).collect();
        let f = per_minute_function("timer", counts, DurationInfo::Unknown);
        let w = workload_of(vec![f], 2 * 24 * 60);
        let mut cfg = lambda("10m");
        cfg.spread = SpreadMode::Even;
        cfg.fallback_duration_ms = Some(1_000);
        let fixed = simulate(&w, &cfg).unwrap();
        assert_eq!(fixed.stats.cold_starts, 96);
        cfg.keep_alive = "hybrid".parse().unwrap();
        let hybrid = simulate(&w, &cfg).unwrap();
        assert!(hybrid.stats.cold_starts <= 3, "{}", hybrid.stats.cold_starts);
        let idle_per_call_min = hybrid.stats.idle_instance_seconds * 1000.0 / 96.0 / MS_PER_MINUTE as f64;
        assert!(idle_per_call_min < 10.0, "{idle_per_call_min}");
        assert!(hybrid.stats.idle_instance_seconds * 1000.0 < 96.0 * 4.0 * MS_PER_HOUR as f64);
    }

    #[test]
    fn timer_functions_keep_their_period_by_default() {
        // A timer every 5 minutes for 2 hours (24 calls of 200 ms), keep-alive 5 min 1 s.
        // Periodic (the default for Trigger = timer): every gap is exactly 300,000 ms, so the
        // instance idles 299,800 ms < 301,000 ms between calls: one cold start.
        let mut f = per_minute_function(
            "timer",
            (0..120).map(|m| u32::from(m % 5 == 0)).collect(),
            DurationInfo::Unknown,
        );
        f.trigger = Trigger::Timer;
        let w = workload_of(vec![f], 120);
        let mut cfg = lambda("301s");
        cfg.fallback_duration_ms = Some(200);
        let out = simulate(&w, &cfg).unwrap();
        assert_eq!(out.stats.cold_starts, 1);
        assert!(out
            .assumptions
            .iter()
            .any(|a| a.contains("timer-triggered functions (1 with per-minute counts): spread periodic")));
        // Spread uniformly anew each minute, a gap is 300 s + (U₂ − U₁) × 60 s: idle beyond
        // 301 s (gap > 301.2 s) with probability ½ (1 − 1.2/60)² = 0.48, so about 11 of the 23
        // later calls are cold (≥ 4 with probability > 0.999).
        cfg.timer_spread = SpreadMode::Uniform;
        let uniform = simulate(&w, &cfg).unwrap();
        assert!(uniform.stats.cold_starts >= 5, "{}", uniform.stats.cold_starts);
    }

    #[test]
    fn requests_beyond_the_timeout_fail_there_and_are_billed_up_to_it() {
        // Three 1,000,000-ms calls (16.7 min) on Lambda, whose timeout is 900,000 ms: each is cut
        // at 900 s, counted and warned about. Billed GB-s at 128 MB: 3 × 0.125 × 900 = 337.5
        // (not 3 × 0.125 × 1,000 = 375 as a full run).
        let w = workload_of(
            vec![per_minute_function("long", vec![1, 0, 1, 0, 1], DurationInfo::Unknown)],
            5,
        );
        let mut cfg = lambda("10m");
        cfg.fallback_duration_ms = Some(1_000_000);
        let out = simulate(&w, &cfg).unwrap();
        assert_eq!((out.stats.timeouts, out.stats.served), (3, 3));
        let g = &out.usage.functions[0];
        assert_eq!(g.on_demand_duration_ms.iter().collect::<Vec<_>>(), vec![(900_000, 3)]);
        assert_eq!(out.warnings.len(), 1);
        assert!(out.warnings[0].starts_with("3 of 3 requests ran into aws-lambda's execution timeout of 900000 ms"));
        assert!(out
            .assumptions
            .iter()
            .any(|a| a.contains("execution timeout 900000 ms") && a.contains("(3 this run)")));
        let table = Catalog::embedded().unwrap().get("aws-lambda").unwrap().clone();
        let billed = crate::cost::billed_gb_seconds(&out.usage, &table).unwrap().unwrap();
        assert!(
            (billed.execution_gb_seconds - 337.5).abs() < 1e-9,
            "{}",
            billed.execution_gb_seconds
        );
        // Azure Flex has no timeout: the same calls (I/O-bound, so sharing an instance does not
        // slow them) run whole, nothing is cut.
        let mut flex = cfg.clone();
        flex.platform = model(ServerlessPlatform::AzureFlex);
        flex.cpu_bound_fraction = 0.0;
        let out = simulate(&w, &flex).unwrap();
        assert_eq!(out.stats.timeouts, 0);
        assert!(out.warnings.is_empty());
        assert_eq!(out.usage.functions[0].on_demand_duration_ms.sum_ms(), 3_000_000);
    }

    #[test]
    fn lambda_cold_starts_depend_on_memory_and_the_init_limit() {
        // Every call cold (no keep-alive), the table's python init (lognormal, median 225 ms).
        // The same draws (one generator per unit) scaled to memory: at 128 MB ×1.75 (a quarter
        // of the init scales with CPU: 0.25 × (512/1769)/(128/1769) + 0.75), at 512 MB ×1, from
        // 1,769 MB ×(0.25 × 512/1,769 + 0.75) = ×0.82236. Each draw is rounded to the ms before
        // and after scaling: tolerance 0.5 %.
        let f = per_minute_function("f", vec![10; 60], DurationInfo::Unknown);
        let w = workload_of(vec![f], 60);
        let init_sum = |mb: u32| {
            let mut cfg = lambda("none");
            cfg.cold_start = None;
            cfg.memory_mb = Some(mb);
            cfg.fallback_duration_ms = Some(100);
            let out = simulate(&w, &cfg).unwrap();
            assert_eq!(out.stats.cold_starts, 600);
            (out.usage.functions[0].init_duration_ms.sum_ms() as f64, out)
        };
        let (at512, out) = init_sum(512);
        assert!(out
            .assumptions
            .iter()
            .any(|a| a.contains("×1.00 at 512 MB") && a.contains("ESTIMATE")));
        assert!(out
            .assumptions
            .iter()
            .any(|a| a.starts_with("init limit 10000 ms") && a.contains("0 this run")));
        // 600 lognormal draws of median 225 ms, σ 0.21: mean 230 ms, standard error 2 ms.
        assert!((at512 / 600.0 - 230.0).abs() < 10.0, "{}", at512 / 600.0);
        let (at128, _) = init_sum(128);
        assert!((at128 / at512 / 1.75 - 1.0).abs() < 0.005, "{}", at128 / at512);
        let (at3538, _) = init_sum(3538);
        let x = 0.25 * 512.0 / 1769.0 + 0.75;
        assert!((at3538 / at512 / x - 1.0).abs() < 0.005, "{}", at3538 / at512);
        // A what-if multiple of 2 on top of the memory factor (the ranges' cold-start case).
        let mut cfg = lambda("none");
        cfg.cold_start = None;
        cfg.memory_mb = Some(128);
        cfg.cold_start_multiple = 2.0;
        cfg.fallback_duration_ms = Some(100);
        let out = simulate(&w, &cfg).unwrap();
        let doubled = out.usage.functions[0].init_duration_ms.sum_ms() as f64;
        assert!((doubled / at512 / 3.5 - 1.0).abs() < 0.005, "{}", doubled / at512);
        assert!(out.assumptions.iter().any(|a| a.contains("×1.75 at 128 MB")));
        // SnapStart is exempt from the init limit.
        let mut cfg = lambda("none");
        cfg.cold_start = None;
        cfg.runtime = Some("java-snapstart".into());
        cfg.fallback_duration_ms = Some(100);
        let out = simulate(&w, &cfg).unwrap();
        assert!(out
            .assumptions
            .iter()
            .any(|a| a.starts_with("init limit: none for the java-snapstart runtime")));
    }

    #[test]
    fn usage_holds_durations_inits_and_busy_periods_unrounded() {
        // Three calls of 1,234 ms, 10 min apart, 512 MB, keep-alive 1 min: three cold starts of
        // 250 ms. The usage holds each quantity as it happened; rounding is the cost engine's.
        let f = per_minute_function(
            "f",
            vec![1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            DurationInfo::Unknown,
        );
        let w = workload_of(vec![f], 21);
        let mut cfg = lambda("1m");
        cfg.memory_mb = Some(512);
        cfg.fallback_duration_ms = Some(1_234);
        cfg.cold_start = Some(ColdStartDist::Constant { ms: 250 });
        let out = simulate(&w, &cfg).unwrap();
        let g = &out.usage.functions[0];
        assert_eq!(g.memory_mb, 512);
        assert_eq!(g.on_demand_duration_ms.iter().collect::<Vec<_>>(), vec![(1_234, 3)]);
        assert_eq!(g.init_duration_ms.iter().collect::<Vec<_>>(), vec![(250, 3)]);
        // Each instance is busy from its init to the end of its one call: 250 + 1,234 ms.
        assert_eq!(g.instance_busy_ms.iter().collect::<Vec<_>>(), vec![(1_484, 3)]);
        assert_eq!(g.ephemeral_storage_mb, 512);
        let mut run = cfg.clone();
        run.platform = model(ServerlessPlatform::GcpCloudRun);
        let out = simulate(&w, &run).unwrap();
        let g = &out.usage.functions[0];
        assert_eq!(g.instance_busy_ms.iter().collect::<Vec<_>>(), vec![(1_484, 3)]);
        assert_eq!(g.ephemeral_storage_mb, 0);
    }

    #[test]
    fn memory_flag_rescales_traced_durations() {
        // A function traced at 1,769 MB (1 vCPU) with 1,000 ms calls, run at 3,538 MB (2 vCPU)
        // with half the time CPU-bound: 1,000 × (0.5 × 1/2 + 0.5) = 750 ms per call.
        let mut w = poisson_workload(1.0, 1.0, 60_000, 1).drawn().into_owned();
        let f = &mut w.functions[0];
        f.memory.configured_mb = Some(1769);
        if let crate::trace::Arrivals::Timestamps(v) = &mut f.arrivals {
            v.iter_mut().for_each(|i| i.duration_us = 1_000_000);
        }
        let n = w.invocations();
        let mut cfg = lambda("10m");
        cfg.memory_mb = Some(3538);
        let out = simulate(&w, &cfg).unwrap();
        let g = &out.usage.functions[0];
        assert_eq!(g.memory_mb, 3538);
        assert_eq!(g.on_demand_duration_ms.sum_ms(), 750 * n);
    }

    /// Cloud Run (1 vCPU an instance), fully CPU-bound work, no cold-start latency, no limit.
    fn cloud_run_cpu_bound(concurrency: u32) -> SimConfig {
        let mut cfg = SimConfig::new(model(ServerlessPlatform::GcpCloudRun));
        cfg.cold_start = Some(ColdStartDist::Constant { ms: 0 });
        cfg.concurrency_limit = Some(0);
        cfg.per_instance_concurrency = Some(concurrency);
        cfg.cpu_bound_fraction = 1.0;
        cfg
    }

    #[test]
    fn cloud_run_bills_cpu_bound_work_alike_at_concurrency_80_and_1() {
        // Poisson 20 calls/s of mean 500 ms, fully CPU-bound, for 10 min (~12,000 calls, 6,000
        // vCPU-s of work). At concurrency 1 every call has its own 1-vCPU instance: busy time =
        // Σ durations. At 80, Cloud Run routes by CPU: a CPU-bound call fills an instance's
        // vCPU, so each instance again takes one call at a time — the very same replay.
        let w = poisson_workload(20.0, 500.0, 600_000, 21);
        let table = Catalog::embedded().unwrap().get("gcp-cloud-run").unwrap().clone();
        let run = |cfg: &SimConfig| {
            let out = simulate(&w, cfg).unwrap();
            let gb_s = crate::cost::billed_gb_seconds(&out.usage, &table)
                .unwrap()
                .unwrap()
                .execution_gb_seconds;
            (out.usage.functions[0].instance_busy_ms.clone(), gb_s)
        };
        assert_eq!(run(&cloud_run_cpu_bound(80)), run(&cloud_run_cpu_bound(1)));
        // Half CPU-bound: two calls fill the vCPU (⌈1 / 0.5⌉), never slowed.
        let mut half = cloud_run_cpu_bound(80);
        half.cpu_bound_fraction = 0.5;
        let out = simulate(&w, &half).unwrap();
        assert_eq!(out.stats.overhead_ms.max, 0);
        assert!(
            out.assumptions
                .iter()
                .any(|a| a.contains("at most 2 requests per instance")),
            "{:?}",
            out.assumptions
        );
    }

    #[test]
    fn processor_sharing_conserves_the_cpu_work_at_any_concurrency() {
        // The same CPU-bound workload with routing that fills every slot whatever the CPU (as on
        // Azure Functions): the calls of an instance share its one vCPU (processor sharing,
        // work-conserving), so busy time is again Σ durations, up to the whole-ms rounding of
        // each completion (≤ 1 ms per call, 0.2 % of 500 ms): tolerance 1 %. Before the
        // contention model, concurrency 80 billed 4.7× less.
        let w = poisson_workload(20.0, 500.0, 600_000, 21);
        let table = Catalog::embedded().unwrap().get("gcp-cloud-run").unwrap().clone();
        let billed = |c: u32| {
            let mut cfg = cloud_run_cpu_bound(c);
            cfg.platform.facts.cpu_aware_routing = false;
            let out = simulate(&w, &cfg).unwrap();
            let busy_ms = out.usage.functions[0].instance_busy_ms.sum_ms() as f64;
            let gb_s = crate::cost::billed_gb_seconds(&out.usage, &table)
                .unwrap()
                .unwrap()
                .execution_gb_seconds;
            (busy_ms, gb_s, out)
        };
        let (busy1, gb1, one) = billed(1);
        let (busy80, gb80, eighty) = billed(80);
        let work_ms = one.usage.functions[0].on_demand_duration_ms.sum_ms() as f64;
        assert!((busy1 - work_ms).abs() / work_ms < 1e-9, "{busy1} vs {work_ms}");
        assert!((busy80 / busy1 - 1.0).abs() < 0.01, "busy {busy80} vs {busy1}");
        // Billed GB-s (512 MB): at 80 a few long busy periods, their 100-ms rounding negligible
        // (1 %); at 1 each exponential call of mean 500 ms is rounded up to 100 ms:
        // E[⌈X⌉₁₀₀] = 100 / (1 − e^(−100/500)) = 551.66 ms, +10.33 % (tolerance 1 %).
        assert!(
            (gb80 / (busy80 / 1000.0 * 0.5) - 1.0).abs() < 0.01,
            "{gb80} vs {busy80}"
        );
        let grain = 100.0 / (1.0 - (-0.2f64).exp()) / 500.0;
        assert!((gb1 / gb80 / grain - 1.0).abs() < 0.01, "billed GB-s {gb1} vs {gb80}");
        // The sharing shows as latency: the p50 at 80 is far above the 500-ms mean execution.
        assert!(eighty.stats.latency_ms.p50 > 2 * one.stats.latency_ms.p50);
        assert!(eighty
            .assumptions
            .iter()
            .any(|a| a.contains("1 of 1 replayed unit(s) can be slowed")));
        // I/O-bound work (f = 0) is never slowed: concurrency 80 then needs far fewer instance-ms.
        let mut io = cloud_run_cpu_bound(80);
        io.cpu_bound_fraction = 0.0;
        let io_busy = simulate(&w, &io).unwrap().usage.functions[0].instance_busy_ms.sum_ms() as f64;
        assert!(io_busy < busy1 / 4.0, "{io_busy} vs {busy1}");
    }

    /// Three functions with the app's allocated memory (1,024 MB, Azure 2019's per-app figure),
    /// two of them in app `a`, every 2 minutes for an hour, overlapping (2-minute calls).
    fn apps_workload() -> Workload {
        let function = |app: &str, name: &str| {
            let mut f = per_minute_function(
                name,
                (0..60).map(|m| u32::from(m % 2 == 0)).collect(),
                DurationInfo::Unknown,
            );
            f.id = crate::trace::FunctionId {
                owner: "o".into(),
                app: app.into(),
                function: name.into(),
            };
            f.memory.allocated = Some(crate::trace::AllocatedMemory {
                scope: MemoryScope::App,
                sample_count: 1,
                average_mb: 1024.0,
                percentiles_mb: [1024.0; 8],
            });
            f
        };
        workload_of(vec![function("a", "f1"), function("a", "f2"), function("b", "g")], 60)
    }

    #[test]
    fn a_run_holds_a_function_alone_only_where_alone_is_the_same_replay() {
        // Lambda, memory from the trace: app a's 1,024 MB is shared by its two functions (512 MB
        // each), alone f1 would run at 1,024 MB, so only g (alone in its app) is held, and it
        // equals a replay of g alone field by field, without the per-minute series the whole
        // run has (its peak and mean concurrency the same as a replay with the series).
        let w = apps_workload();
        let mut cfg = lambda("1m");
        cfg.fallback_duration_ms = Some(120_000);
        cfg.per_minute = true;
        let totals_only = |cfg: &SimConfig| SimConfig {
            per_minute: false,
            ..cfg.clone()
        };
        let (whole, alone) = simulate_with_alone_runs(&w, &cfg).unwrap();
        assert_eq!(whole, simulate(&w, &cfg).unwrap());
        // 61 minutes: the hour, and the minute the last 2-minute call (from minute 58) ends in.
        assert_eq!(whole.stats.concurrency_by_minute.len(), 61);
        assert_eq!(alone.keys().collect::<Vec<_>>(), vec!["o/b/g"]);
        let only = |name: &str| {
            let mut one = w.clone();
            one.functions.retain(|f| f.id.function == name);
            one
        };
        assert_eq!(alone["o/b/g"], simulate(&only("g"), &totals_only(&cfg)).unwrap());
        assert!(alone["o/b/g"].stats.concurrency_by_minute.is_empty());
        let with_series = simulate(&only("g"), &cfg).unwrap().stats;
        assert_eq!(with_series.concurrency_by_minute.len(), 61);
        let held = &alone["o/b/g"].stats;
        assert_eq!(
            (held.peak_concurrency, held.avg_concurrency.to_bits()),
            (with_series.peak_concurrency, with_series.avg_concurrency.to_bits())
        );
        // At a set memory every function is its own unit at the same size: all three held.
        cfg.memory_mb = Some(512);
        let (_, alone) = simulate_with_alone_runs(&w, &cfg).unwrap();
        assert_eq!(alone.len(), 3);
        for name in ["f1", "f2", "g"] {
            let f = w.functions.iter().find(|f| f.id.function == name).unwrap();
            assert_eq!(
                alone[&function_key(&f.id)],
                simulate(&only(name), &totals_only(&cfg)).unwrap(),
                "{name}"
            );
        }
        // An account limit of 2: the three 2-minute calls of each even minute overlap (3 in
        // flight), the shared pass replaces pass 1, and nothing is held (each alone, 1 in
        // flight, would not be throttled).
        cfg.concurrency_limit = Some(2);
        let (whole, alone) = simulate_with_alone_runs(&w, &cfg).unwrap();
        assert!(whole.stats.throttles > 0);
        assert!(alone.is_empty());
        // Instances per app (Azure Consumption): a's two functions share instances, g is held.
        let mut azure = SimConfig::new(model(ServerlessPlatform::AzureConsumption));
        azure.fallback_duration_ms = Some(120_000);
        let (_, alone) = simulate_with_alone_runs(&w, &azure).unwrap();
        assert_eq!(alone.keys().collect::<Vec<_>>(), vec!["o/b/g"]);
        assert_eq!(alone["o/b/g"], simulate(&only("g"), &azure).unwrap());
    }

    #[test]
    fn partitions_merge_to_the_whole_run_and_its_runs_alone() {
        // The three functions at 512 MB (each held alone) and with memory from the trace (only g
        // held), cut into 1 to 4 partitions (4: one empty): the merge equals the whole run and
        // its runs alone field by field; each partition's own output is its units' share (its
        // invocations sum to the whole's), and with one partition it is the whole run.
        // With shorter keep-alive windows read off (20 and 40 s of its 1 minute) as well: every
        // partition, the empty one too, tallies them and the merge has them as the whole run.
        let w = apps_workload();
        let dir = tempfile::tempdir().unwrap();
        for (memory_mb, windows_ms) in [(Some(512), vec![]), (None, vec![]), (Some(512), vec![20_000, 40_000])] {
            let mut cfg = lambda("1m");
            cfg.fallback_duration_ms = Some(120_000);
            cfg.per_minute = true;
            cfg.memory_mb = memory_mb;
            cfg.shorter_windows_ms = windows_ms.clone();
            let (whole, alone) = simulate_with_alone_runs(&w, &cfg).unwrap();
            assert_eq!(whole.stats.shorter_windows.len(), windows_ms.len());
            assert_eq!(alone.len(), if memory_mb.is_some() { 3 } else { 1 });
            for n in 1..=4u32 {
                let mut paths = Vec::new();
                let mut invocations = 0;
                for k in 1..=n {
                    let path = dir.path().join(format!("{k}-of-{n}"));
                    let mut writer = PartialWriter::create(&path).unwrap();
                    let spec = PartitionSpec { index: k, count: n };
                    let (header, own) = simulate_partition(&w, &cfg, spec, &mut writer, true).unwrap();
                    writer.finish(header).unwrap();
                    if n == 1 {
                        assert_eq!(own, whole);
                    }
                    invocations += own.stats.invocations;
                    paths.push(path);
                }
                assert_eq!(invocations, whole.stats.invocations, "{n} partitions");
                let mut readers: Vec<PartialReader> = paths.iter().map(|p| PartialReader::open(p).unwrap()).collect();
                let (merged, merged_alone) = simulate_merged_with_alone_runs(&w, &cfg, &mut readers, true).unwrap();
                assert_eq!(merged, whole, "{n} partitions");
                assert_eq!(merged_alone, alone, "{n} partitions");
                // Merged without the runs alone: the whole run still.
                let mut readers: Vec<PartialReader> = paths.iter().map(|p| PartialReader::open(p).unwrap()).collect();
                assert_eq!(simulate_merged(&w, &cfg, &mut readers).unwrap(), whole);
            }
        }
    }

    #[test]
    fn units_group_functions_by_instance_scope() {
        // o/a/f1, o/a/f2, o/b/g: three units per function, two per app (a's two functions
        // together), one for the workload; each sorted by key, functions in trace order.
        let w = apps_workload();
        let grouped = |scope| -> Vec<(String, Vec<String>)> {
            units_of(&w, scope)
                .into_iter()
                .map(|u| (u.key, u.functions.iter().map(|f| f.id.function.clone()).collect()))
                .collect()
        };
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            grouped(InstanceScope::Function),
            vec![
                ("o/a/f1".to_string(), names(&["f1"])),
                ("o/a/f2".to_string(), names(&["f2"])),
                ("o/b/g".to_string(), names(&["g"])),
            ]
        );
        assert_eq!(
            grouped(InstanceScope::App),
            vec![
                ("o/a".to_string(), names(&["f1", "f2"])),
                ("o/b".to_string(), names(&["g"]))
            ]
        );
        assert_eq!(
            grouped(InstanceScope::Workload),
            vec![(WORKLOAD_UNIT_KEY.to_string(), names(&["f1", "f2", "g"]))]
        );
        // Without an owner, an app's key is its name.
        let mut bare = w.functions[2].id.clone();
        bare.owner.clear();
        assert_eq!(unit_key(&bare, InstanceScope::App), "b");
        assert_eq!(unit_key(&bare, InstanceScope::Workload), WORKLOAD_UNIT_KEY);
    }

    #[test]
    fn a_workload_unit_shares_instances_and_holds_a_function_alone_only_when_it_is_the_workload() {
        // Three functions at 512 MB on Lambda replayed as one workload unit: the same requests,
        // one unit, and no function's run alone held (alone, a function is a one-function
        // workload, not this unit).
        let w = apps_workload();
        let mut cfg = lambda("1m");
        cfg.fallback_duration_ms = Some(120_000);
        cfg.memory_mb = Some(512);
        let per_function = simulate(&w, &cfg).unwrap();
        cfg.platform.facts.instance_scope = InstanceScope::Workload;
        let (whole, alone) = simulate_with_alone_runs(&w, &cfg).unwrap();
        assert_eq!(whole.units.len(), 1);
        assert_eq!(whole.units[0].key, WORKLOAD_UNIT_KEY);
        assert_eq!(whole.stats.invocations, per_function.stats.invocations);
        assert!(alone.is_empty());
        // A workload of one function: its one unit is that function, held alone exactly.
        let mut one = w.clone();
        one.functions.truncate(1);
        let (whole, alone) = simulate_with_alone_runs(&one, &cfg).unwrap();
        assert_eq!(alone.keys().collect::<Vec<_>>(), vec!["o/a/f1"]);
        assert_eq!(alone["o/a/f1"], whole);
    }

    #[test]
    fn memory_scaling_follows_cpu_share() {
        let p = model(ServerlessPlatform::AwsLambda);
        // 1,769 → 3,538 MB doubles the vCPU: half the time is CPU-bound → 0.5·0.5 + 0.5 = 0.75.
        assert!((duration_scale(&p, 1769, 3538, 0.5) - 0.75).abs() < 1e-12);
        // Fully CPU-bound, halving memory (3,538 → 1,769 MB) doubles the time.
        assert!((duration_scale(&p, 1769 * 2, 1769, 1.0) - 2.0).abs() < 1e-12);
        let az = model(ServerlessPlatform::AzureConsumption);
        assert_eq!(duration_scale(&az, 128, 1024, 1.0), 1.0);
        // Flex: CPU ∝ memory at 2,048 MB per vCPU (an assumption): 2,048 → 4,096 MB halves the
        // CPU-bound half of the time.
        let flex = model(ServerlessPlatform::AzureFlex);
        assert!((duration_scale(&flex, 2048, 4096, 0.5) - 0.75).abs() < 1e-12);
    }
}
