//! Memory right-sizing (`faascost tune`): for each function (or Azure app, where memory is per
//! app; or the unit `--instance-scope` chooses, the whole workload as one service included)
//! sweep the platform's memory sizes and architectures, predict the duration at each from the
//! CPU share ∝ memory, price each candidate with the cost engine (request fees, tiers, free
//! grants, INIT where billed) and pick one by a strategy — never below the memory used plus a
//! headroom, never a size whose predicted longest invocation breaks the platform's timeout.
//!
//! Duration model: `d(m) = d_obs × (f × share(m_obs) / share(m) + (1 − f))`, with
//! `share(m) = min(vCPU(m), vcpus_used)` (a single-threaded function gains nothing beyond one
//! vCPU) and `f` the CPU-bound fraction: least-squares fitted where the function is observed at
//! two or more sizes, else the scenario's assumption. Each unit is replayed once at its observed
//! size through `sim::simulate` (cold starts, INIT, busy periods); every candidate is that usage
//! with execution and busy-period histograms scaled by `d(m) / d(m_obs)` (INIT unchanged).

use anyhow::{anyhow, Context};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::cost::{price_usage, CostOptions};
use crate::money::Money;
use crate::parallel::map_heaviest_first;
use crate::platform::ServerlessPlatform;
use crate::pricing::{Behaviour, Catalog, InstanceScope, MemoryOptions, Model, PriceTable};
use crate::sim::arrivals::function_key;
use crate::sim::platform::PlatformModel;
use crate::sim::{simulate, unit_key, SimConfig};
use crate::trace::{Arrivals, DurationInfo, FunctionTrace, MemoryScope, Workload};
use crate::units::{MS_PER_MINUTE, US_PER_MS};
use crate::usage::{Arch, FunctionGroupUsage, MsHistogram, Usage};

/// Memory sizes tried on platforms configurable in (nearly) any step: Power Tuning's usual
/// values plus 1,769 MB (one full Lambda vCPU) and 3,008 MB (the old Lambda maximum).
pub const MEMORY_GRID_MB: [u32; 13] = [
    128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008, 4096, 6144, 8192, 10240,
];

/// Headroom above the memory used: this share of it …
pub const HEADROOM_SHARE: f64 = 0.10;
/// … or this many MB, whichever is larger.
pub const HEADROOM_MIN_MB: u32 = 64;

/// Power Tuning's default weight of cost against speed in the balanced strategy.
pub const BALANCED_COST_WEIGHT: f64 = 0.5;

/// How a size is chosen among those within the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// The cheapest monthly cost (ties: the faster, then the smaller).
    Cost,
    /// The shortest predicted mean duration (ties: the cheaper).
    Speed,
    /// The lowest `w × cost / max cost + (1 − w) × duration / max duration` with w = 0.5
    /// (Power Tuning's balanced strategy; ties: the cheaper).
    Balanced,
}

impl Strategy {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Cost => "cost",
            Strategy::Speed => "speed",
            Strategy::Balanced => "balanced",
        }
    }

    /// The rule in words, for the output.
    pub fn rule(self) -> &'static str {
        match self {
            Strategy::Cost => "cost: the cheapest monthly cost within the limits (ties: faster, then smaller)",
            Strategy::Speed => "speed: the shortest predicted mean duration within the limits (ties: cheaper)",
            Strategy::Balanced => {
                "balanced: the lowest 0.5 × cost / max cost + 0.5 × duration / max duration over the sizes within \
                 the limits (Power Tuning's balanced strategy; ties: cheaper)"
            }
        }
    }
}

/// Settings of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct TuneSettings {
    /// How to choose.
    pub strategy: Strategy,
    /// CPU-bound fraction assumed where the trace cannot give one (0–1).
    pub cpu_bound_fraction: f64,
    /// vCPUs the function can keep busy (1 = single-threaded).
    pub vcpus_used: f64,
}

/// One observation of a function's mean duration at a memory size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SizePoint {
    /// Configured memory, MB.
    pub memory_mb: u32,
    /// Mean execution duration there, ms.
    pub mean_duration_ms: f64,
    /// Invocations behind the mean (the least-squares weight).
    pub invocations: u64,
}

/// Where a unit's CPU-bound fraction comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum CpuBoundSource {
    /// Fitted by weighted least squares to the unit's mean durations at several sizes.
    Fitted {
        /// The observations.
        points: Vec<SizePoint>,
    },
    /// The scenario's assumption (the trace has the unit at one size only).
    Assumed,
    /// The platform's CPU does not scale with memory: durations do not change.
    NoCpuScaling,
}

/// The CPU-bound fraction of a unit and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpuBound {
    /// Share of the duration that scales with CPU, at the observed size (0–1).
    pub fraction: f64,
    /// Its origin.
    #[serde(flatten)]
    pub source: CpuBoundSource,
}

/// Duration law: a candidate's durations are the replayed ones times
/// `at(share) = constant + per_inverse_share / share`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaleLaw {
    /// The part that does not depend on CPU.
    pub constant: f64,
    /// The part inversely proportional to the CPU share.
    pub per_inverse_share: f64,
}

impl ScaleLaw {
    /// `f × share_obs / share + (1 − f)`: the scenario's assumption about one observation.
    pub fn from_fraction(f: f64, share_obs: f64) -> ScaleLaw {
        ScaleLaw {
            constant: 1.0 - f,
            per_inverse_share: f * share_obs,
        }
    }

    /// The multiplier at `share` (1 where CPU does not scale).
    pub fn at(&self, share: Option<f64>) -> f64 {
        match share {
            Some(s) if s > 0.0 => self.constant + self.per_inverse_share / s,
            _ => 1.0,
        }
    }
}

/// vCPU share at `memory_mb` that a function using at most `vcpus_used` vCPUs gets
/// (`None`: CPU does not scale with memory on this platform).
pub fn cpu_share(facts: &Behaviour, memory_mb: u32, vcpus_used: f64) -> Option<f64> {
    facts.vcpu(memory_mb).map(|v| v.min(vcpus_used))
}

/// Weighted least-squares fit of `d = a + b / share` to `(share, mean ms, weight)` points.
/// `None` with fewer than two distinct shares.
pub fn fit_inverse_share(points: &[(f64, f64, f64)]) -> Option<(f64, f64)> {
    let w: f64 = points.iter().map(|p| p.2).sum();
    if w <= 0.0 {
        return None;
    }
    let mx = points.iter().map(|p| p.2 / p.0).sum::<f64>() / w;
    let my = points.iter().map(|p| p.2 * p.1).sum::<f64>() / w;
    let sxx: f64 = points.iter().map(|p| p.2 * (1.0 / p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| p.2 * (1.0 / p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 1e-12 * w * mx * mx {
        return None;
    }
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

/// The CPU-bound fraction at `share_ref` implied by a fit `d = a + b / share`: the share of
/// `d(share_ref)` that scales with CPU, clamped to 0–1.
pub fn fraction_at(a: f64, b: f64, share_ref: f64) -> f64 {
    let scaling = b / share_ref;
    let total = a + scaling;
    if total <= 0.0 {
        return 0.0;
    }
    (scaling / total).clamp(0.0, 1.0)
}

/// The memory floor: `used` plus 10 % or 64 MB, whichever is larger.
pub fn memory_floor_mb(used_mb: u32) -> u32 {
    let share = (used_mb as f64 * HEADROOM_SHARE).ceil() as u32;
    used_mb + share.max(HEADROOM_MIN_MB)
}

/// The sizes to try on a platform, plus `extra` sizes (the observed size and the floor),
/// each made configurable (a range rounds up to its step), deduplicated and sorted.
pub fn memory_candidates(memory: &MemoryOptions, extra: &[u32]) -> Vec<u32> {
    let (min_mb, max_mb) = memory.bounds_mb();
    let mut sizes: Vec<u32> = match memory {
        MemoryOptions::Sizes(s) => s.clone(),
        MemoryOptions::Range { step_mb, .. } if (max_mb - min_mb) / step_mb < 16 => (0..=(max_mb - min_mb) / step_mb)
            .map(|k| min_mb + k * step_mb)
            .collect(),
        MemoryOptions::Range { .. } => {
            let mut v: Vec<u32> = MEMORY_GRID_MB
                .iter()
                .copied()
                .filter(|m| (min_mb..=max_mb).contains(m))
                .collect();
            v.push(min_mb);
            v.push(max_mb);
            v
        }
    };
    sizes.extend(extra.iter().filter(|&&m| m <= max_mb));
    let mut out: Vec<u32> = sizes.into_iter().map(|m| memory.configure_mb(m)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// One (memory, architecture) priced and predicted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Memory, MB.
    pub memory_mb: u32,
    /// Architecture.
    pub arch: Arch,
    /// vCPU share the function gets (`None`: CPU does not scale with memory).
    pub vcpu_share: Option<f64>,
    /// Predicted mean execution duration, ms.
    pub mean_duration_ms: f64,
    /// Predicted longest execution, ms.
    pub longest_duration_ms: f64,
    /// The monthly bill of this unit alone at this size (cost engine).
    pub monthly_cost_usd: Money,
    /// Why the size cannot be used (a limit it breaks), or `None`.
    pub refused: Option<String>,
}

/// What the sweep knows about one unit before sweeping.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitBase {
    /// `owner/app/function`, `owner/app` for app-scoped platforms, or `workload` for one
    /// service of every function (`sim::unit_key`).
    pub key: String,
    /// Invocations in the trace window.
    pub invocations: u64,
    /// The usage replayed at the observed size (one function group, `period_ms` the window).
    pub usage: Usage,
    /// Memory used (largest), MB, when the trace says.
    pub used_mb: Option<u32>,
    /// What `used_mb` is, in words.
    pub used_basis: String,
    /// Longest observed execution at the observed size, ms.
    pub longest_duration_ms: f64,
    /// The CPU-bound fraction and how the durations scale.
    pub cpu: CpuBound,
    /// How durations scale with the CPU share.
    pub law: ScaleLaw,
}

/// The sweep of one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitTune {
    /// Unit key.
    pub key: String,
    /// Invocations in the trace window.
    pub invocations: u64,
    /// The observed size priced as is.
    pub current: Candidate,
    /// The strategy's choice (`None`: no size is within the limits; see `refusal`).
    pub recommended: Option<Candidate>,
    /// Monthly saving of the recommendation against the current size (negative: it costs more).
    pub monthly_saving_usd: Option<Money>,
    /// Saving as a percentage of the current monthly cost.
    pub saving_pct: Option<f64>,
    /// The smallest size allowed, MB.
    pub floor_mb: u32,
    /// How the floor was set.
    pub floor_basis: String,
    /// The CPU-bound fraction used.
    pub cpu_bound: CpuBound,
    /// Why nothing is recommended.
    pub refusal: Option<String>,
    /// Every candidate, by architecture then memory.
    pub curve: Vec<Candidate>,
}

/// Scales every duration of `hist` by `factor` (rounded up to whole ms, at least 1 ms).
fn scale_hist(hist: &MsHistogram, factor: f64) -> MsHistogram {
    let mut out = MsHistogram::new();
    for (ms, n) in hist.iter() {
        out.add(((ms as f64 * factor).ceil() as u64).max(1), n);
    }
    out
}

/// The usage of `base` at `memory_mb` and `arch`, its durations scaled by `factor`.
fn candidate_usage(base: &Usage, memory_mb: u32, arch: Arch, factor: f64) -> Usage {
    Usage {
        period_ms: base.period_ms,
        functions: base
            .functions
            .iter()
            .map(|g| FunctionGroupUsage {
                memory_mb,
                arch,
                on_demand_duration_ms: scale_hist(&g.on_demand_duration_ms, factor),
                provisioned_duration_ms: scale_hist(&g.provisioned_duration_ms, factor),
                instance_busy_ms: scale_hist(&g.instance_busy_ms, factor),
                provisioned_busy_periods_ms: g.provisioned_busy_periods_ms.as_ref().map(|h| scale_hist(h, factor)),
                ..g.clone()
            })
            .collect(),
        instances: vec![],
    }
}

/// The architectures a table prices (arm64 where it has an arm64 duration price).
pub fn architectures(table: &PriceTable) -> Vec<Arch> {
    if table.prices.contains_key("duration-arm64") {
        vec![Arch::X86, Arch::Arm64]
    } else {
        vec![Arch::X86]
    }
}

/// Mean execution of a usage's on-demand and provisioned requests, ms.
fn mean_ms(usage: &Usage) -> f64 {
    let (mut sum, mut n) = (0u128, 0u128);
    for g in &usage.functions {
        for h in [&g.on_demand_duration_ms, &g.provisioned_duration_ms] {
            sum += h.sum_ms() as u128;
            n += h.count() as u128;
        }
    }
    if n == 0 {
        0.0
    } else {
        sum as f64 / n as f64
    }
}

/// Sweeps one unit on `table` (whose `[behaviour]` gives the sizes, CPU and timeout).
pub fn sweep(
    base: &UnitBase,
    table: &PriceTable,
    opts: &CostOptions,
    settings: &TuneSettings,
) -> anyhow::Result<UnitTune> {
    let facts = table
        .behaviour
        .as_ref()
        .ok_or_else(|| anyhow!("price table '{}' has no [behaviour] section to sweep", table.id))?;
    let observed_mb = base
        .usage
        .functions
        .first()
        .map(|g| g.memory_mb)
        .ok_or_else(|| anyhow!("unit '{}' has no usage", base.key))?;
    let observed_arch = base.usage.functions[0].arch;
    let (floor_mb, floor_basis) = match base.used_mb {
        Some(used) => (
            memory_floor_mb(used),
            format!(
                "{} of {used} MB plus {:.0}% or {HEADROOM_MIN_MB} MB, whichever is larger",
                base.used_basis,
                HEADROOM_SHARE * 100.0
            ),
        ),
        None => (
            observed_mb,
            "the trace gives no memory used, so no size below the observed one is tried".to_string(),
        ),
    };
    let (_, max_mb) = facts.memory.bounds_mb();
    let mean_obs = mean_ms(&base.usage);
    let mut curve = Vec::new();
    for arch in architectures(table) {
        for memory_mb in memory_candidates(&facts.memory, &[observed_mb, floor_mb]) {
            let share = cpu_share(facts, memory_mb, settings.vcpus_used);
            let factor = base.law.at(share);
            let usage = candidate_usage(&base.usage, memory_mb, arch, factor);
            let bill = price_usage(&usage, table, opts).with_context(|| format!("pricing unit '{}'", base.key))?;
            let monthly = Money::from_usd(bill.total(), &format!("unit '{}' at {memory_mb} MB", base.key))?;
            let longest = base.longest_duration_ms * factor;
            let refused = if memory_mb < floor_mb {
                Some(format!("below the memory floor of {floor_mb} MB"))
            } else {
                facts.timeout_ms.filter(|&t| longest > t as f64).map(|t| {
                    format!(
                        "timeout limit: longest invocation predicted {:.0} s, above {} s",
                        longest / 1000.0,
                        t / 1000
                    )
                })
            };
            curve.push(Candidate {
                memory_mb,
                arch,
                vcpu_share: share,
                mean_duration_ms: mean_obs * factor,
                longest_duration_ms: longest,
                monthly_cost_usd: monthly,
                refused,
            });
        }
    }
    let current = curve
        .iter()
        .find(|c| c.memory_mb == observed_mb && c.arch == observed_arch)
        .cloned()
        .ok_or_else(|| {
            anyhow!(
                "unit '{}': its observed size {observed_mb} MB ({}) is not configurable on {}",
                base.key,
                crate::config::arch_name(observed_arch),
                table.id
            )
        })?;
    let ok: Vec<&Candidate> = curve.iter().filter(|c| c.refused.is_none()).collect();
    let recommended = choose(&ok, settings.strategy).cloned();
    let refusal = if recommended.is_some() {
        None
    } else if floor_mb > max_mb {
        Some(format!(
            "memory limit: needs at least {floor_mb} MB ({floor_basis}), above {}'s {max_mb} MB",
            table.id
        ))
    } else {
        let best = curve
            .iter()
            .map(|c| c.longest_duration_ms)
            .fold(f64::INFINITY, f64::min);
        Some(format!(
            "timeout limit: the longest invocation is predicted at {:.0} s at best, above {}'s {} s timeout",
            best / 1000.0,
            table.id,
            facts.timeout_ms.unwrap_or(0) / 1000
        ))
    };
    let (monthly_saving_usd, saving_pct) = match &recommended {
        Some(r) => {
            let saving = current
                .monthly_cost_usd
                .checked_sub(r.monthly_cost_usd, "tune saving")?;
            let pct = (current.monthly_cost_usd > Money::ZERO)
                .then(|| 100.0 * saving.to_f64() / current.monthly_cost_usd.to_f64());
            (Some(saving), pct)
        }
        None => (None, None),
    };
    Ok(UnitTune {
        key: base.key.clone(),
        invocations: base.invocations,
        current,
        recommended,
        monthly_saving_usd,
        saving_pct,
        floor_mb,
        floor_basis,
        cpu_bound: base.cpu.clone(),
        refusal,
        curve,
    })
}

/// The strategy's pick among candidates within the limits.
pub(crate) fn choose<'a>(ok: &[&'a Candidate], strategy: Strategy) -> Option<&'a Candidate> {
    let by_cost = |a: &&Candidate, b: &&Candidate| {
        a.monthly_cost_usd
            .cmp(&b.monthly_cost_usd)
            .then(a.mean_duration_ms.total_cmp(&b.mean_duration_ms))
            .then(a.memory_mb.cmp(&b.memory_mb))
    };
    match strategy {
        Strategy::Cost => ok.iter().copied().min_by(by_cost),
        Strategy::Speed => ok
            .iter()
            .copied()
            .min_by(|a, b| a.mean_duration_ms.total_cmp(&b.mean_duration_ms).then(by_cost(a, b))),
        Strategy::Balanced => {
            let max_cost = ok.iter().map(|c| c.monthly_cost_usd.to_f64()).fold(0.0, f64::max);
            let max_ms = ok.iter().map(|c| c.mean_duration_ms).fold(0.0, f64::max);
            let norm = |v: f64, max: f64| if max > 0.0 { v / max } else { 0.0 };
            let score = |c: &Candidate| {
                BALANCED_COST_WEIGHT * norm(c.monthly_cost_usd.to_f64(), max_cost)
                    + (1.0 - BALANCED_COST_WEIGHT) * norm(c.mean_duration_ms, max_ms)
            };
            ok.iter()
                .copied()
                .min_by(|a, b| score(a).total_cmp(&score(b)).then(by_cost(a, b)))
        }
    }
}

/// A unit that could not be swept (e.g. no durations, no timestamps), and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// Unit key.
    pub key: String,
    /// Why.
    pub reason: String,
}

/// The sweep of a whole workload on one platform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TuneResult {
    /// Price table id.
    pub platform: String,
    /// The strategy.
    pub strategy: Strategy,
    /// The strategy's rule in words.
    pub strategy_rule: String,
    /// Units swept, busiest first.
    pub units: Vec<UnitTune>,
    /// Units not swept.
    pub skipped: Vec<Skipped>,
    /// Modelling choices, in words.
    pub assumptions: Vec<String>,
}

/// Longest execution of a function in the trace, ms (its fallback when it has none).
fn longest_ms(f: &FunctionTrace, fallback_ms: Option<f64>) -> Option<f64> {
    match (&f.duration, f.arrivals.records()) {
        (DurationInfo::Percentiles(p), _) => Some(p.maximum_ms.unwrap_or(p.p100_ms).max(p.p100_ms)),
        (_, Some(records)) if !records.is_empty() => records
            .iter()
            .map(|r| r.duration_us as f64 / US_PER_MS as f64)
            .reduce(f64::max),
        _ => fallback_ms,
    }
}

/// Mean execution of a function in the trace, ms, and the invocations behind it.
pub fn mean_duration(f: &FunctionTrace) -> Option<(f64, u64)> {
    match (&f.duration, &f.arrivals) {
        (DurationInfo::Percentiles(p), a) => Some((p.average_ms, a.invocations())),
        (_, Arrivals::Timestamps(r) | Arrivals::Untimed(r)) if !r.is_empty() => {
            let sum: u64 = r.iter().map(|i| i.duration_us).sum();
            Some((sum as f64 / r.len() as f64 / US_PER_MS as f64, r.len() as u64))
        }
        _ => None,
    }
}

/// Largest memory a unit's functions used, MB, and what the figure is.
fn used_mb(functions: &[&FunctionTrace], app_sizes: &BTreeMap<(String, String), usize>) -> Option<(u32, String)> {
    let lambda: Option<u32> = functions.iter().filter_map(|f| f.memory.max_used_mb).max();
    if let Some(u) = lambda {
        return Some((u, "the largest memory used in the trace".to_string()));
    }
    let mut total = 0.0;
    let mut any = false;
    for f in functions {
        if let Some(a) = f.memory.allocated {
            any = true;
            let peak = a.percentiles_mb[7];
            total += match a.scope {
                MemoryScope::FunctionShare => peak,
                MemoryScope::App => {
                    let (o, ap) = f.id.app_key();
                    peak / app_sizes
                        .get(&(o.to_string(), ap.to_string()))
                        .copied()
                        .unwrap_or(1)
                        .max(1) as f64
                }
            };
        }
    }
    any.then(|| {
        (
            total.ceil() as u32,
            "the peak per-minute allocated memory (Azure 2019 p100; an app's figure shared evenly by its functions)"
                .to_string(),
        )
    })
}

/// What a whole-workload sweep needs.
pub struct TuneInput<'a> {
    /// The traffic.
    pub workload: &'a Workload,
    /// Price tables.
    pub catalog: &'a Catalog,
    /// The platform to size for.
    pub platform: ServerlessPlatform,
    /// Sweep settings.
    pub settings: TuneSettings,
    /// Pricing options (free tier, region, a Lambda Compute Savings Plan sized to each candidate).
    pub cost: CostOptions,
    /// Seed of the replay.
    pub seed: u64,
    /// Duration for functions the trace gives none, ms.
    pub fallback_duration_ms: Option<f64>,
    /// The replay's fluid-path threshold (`SimConfig::fluid_from_per_minute`).
    pub fluid_from_per_minute: u64,
    /// Mean durations per function key at several sizes (from traces read separately).
    pub points: BTreeMap<String, Vec<SizePoint>>,
    /// Which functions share instances, one unit per service (`None`: the platform's).
    pub instance_scope: Option<InstanceScope>,
}

/// Sweeps every unit of the workload on the platform (each replayed once at its observed size),
/// busiest first.
pub fn tune(input: &TuneInput<'_>) -> anyhow::Result<TuneResult> {
    let mut model = PlatformModel::from_catalog(input.catalog, input.platform)?;
    let platform_scope = model.facts.instance_scope;
    if let Some(scope) = input.instance_scope {
        model.facts.instance_scope = scope;
    }
    let table = input.catalog.get(input.platform.id()).map_err(|e| anyhow!(e))?;
    let facts = model.facts.clone();
    let w = input.workload;
    let mut app_sizes: BTreeMap<(String, String), usize> = BTreeMap::new();
    for f in &w.functions {
        let (o, a) = f.id.app_key();
        *app_sizes.entry((o.to_string(), a.to_string())).or_default() += 1;
    }
    let mut groups: BTreeMap<String, Vec<&FunctionTrace>> = BTreeMap::new();
    for f in &w.functions {
        groups.entry(unit_key(&f.id, facts.instance_scope)).or_default().push(f);
    }
    let mut cfg = SimConfig::new(model);
    // Sized as if each unit may scale out as far as the platform lets it: a unit refused at a
    // default cap (Container Apps' 10 replicas) would be priced for the requests it served.
    cfg.max_instances = facts.max_instances_limit;
    cfg.seed = input.seed;
    cfg.fallback_duration_ms = input.fallback_duration_ms.map(|d| d.round() as u64);
    cfg.fluid_from_per_minute = input.fluid_from_per_minute;
    let period_ms = w.window_ms().max(MS_PER_MINUTE);
    // A unit's replay and sweep: `Err(skipped)` for a unit the simulator refuses, else its
    // result and whether its CPU-bound fraction was fitted.
    let tune_unit = |key: &String,
                     functions: &Vec<&FunctionTrace>,
                     invocations: u64|
     -> anyhow::Result<Result<(UnitTune, bool), Skipped>> {
        let sub = Workload {
            functions: functions.iter().map(|f| (*f).clone()).collect(),
            window_start_ms: w.window_start_ms,
            window_end_ms: w.window_end_ms,
            sources: vec![],
            warnings: vec![],
        };
        let mut out = match simulate(&sub, &cfg) {
            Ok(o) => o,
            Err(e) => {
                return Ok(Err(Skipped {
                    key: key.clone(),
                    reason: e.to_string(),
                }))
            }
        };
        out.usage.period_ms = period_ms;
        let observed_mb = out
            .usage
            .functions
            .first()
            .map(|g| g.memory_mb)
            .unwrap_or(facts.default_memory_mb);
        let share_obs = cpu_share(&facts, observed_mb, input.settings.vcpus_used);
        let longest = functions
            .iter()
            .filter_map(|f| longest_ms(f, input.fallback_duration_ms))
            .fold(0.0, f64::max);
        let unit_points: Option<&Vec<SizePoint>> = match functions.as_slice() {
            [only] => input.points.get(&function_key(&only.id)),
            _ => None,
        };
        let (cpu, law) = unit_law(&facts, share_obs, unit_points, &input.settings, mean_ms(&out.usage));
        let was_fitted = matches!(cpu.source, CpuBoundSource::Fitted { .. });
        let (used, used_basis) = match used_mb(functions, &app_sizes) {
            Some((u, b)) => (Some(u), b),
            None => (None, String::new()),
        };
        let base = UnitBase {
            key: key.clone(),
            invocations,
            usage: out.usage,
            used_mb: used,
            used_basis,
            longest_duration_ms: longest,
            cpu,
            law,
        };
        Ok(Ok((sweep(&base, table, &input.cost, &input.settings)?, was_fitted)))
    };
    // Units are independent: replayed in parallel, the busiest first (one started last would
    // run alone at the end), taken in key order (the first error in that order is the one
    // reported, whatever the thread count).
    let invoked: Vec<(&String, &Vec<&FunctionTrace>, u64)> = groups
        .iter()
        .map(|(key, functions)| (key, functions, functions.iter().map(|f| f.arrivals.invocations()).sum()))
        .filter(|&(_, _, invocations)| invocations > 0)
        .collect();
    let tuned = map_heaviest_first(&invoked, |u| u.2, |&(key, functions, n)| tune_unit(key, functions, n));
    let mut units = Vec::new();
    let mut skipped = Vec::new();
    let mut fitted = 0usize;
    for unit in tuned {
        match unit? {
            Err(s) => skipped.push(s),
            Ok((unit, was_fitted)) => {
                fitted += usize::from(was_fitted);
                units.push(unit);
            }
        }
    }
    units.sort_by(|a, b| b.invocations.cmp(&a.invocations).then(a.key.cmp(&b.key)));
    let mut assumptions = vec![
        format!(
            "durations scale as d(m) = d_obs × (f × share(m_obs) / share(m) + (1 − f)), share(m) = min(vCPU(m), {}) \
             ({}): a function using {} vCPU gains nothing beyond it",
            input.settings.vcpus_used,
            facts.cpu.map_or(
                "CPU does not scale with memory on this platform".to_string(),
                |c| format!("{} MB per vCPU, at most {} vCPU", c.mb_per_vcpu, c.max_vcpu)
            ),
            input.settings.vcpus_used
        ),
        format!(
            "CPU-bound fraction f: fitted for {fitted} unit(s) observed at several sizes; the scenario's {} (an \
             assumption) elsewhere",
            input.settings.cpu_bound_fraction
        ),
        "traced durations are taken as measured at the observed size on this platform (a fitted unit's are scaled \
         to the fit's mean at each size, the longest invocation with them); arm64 is assumed as fast as x86; INIT \
         durations and cold starts do not change with memory"
            .to_string(),
        "each unit is priced alone: tiers and free grants as if it were the only one in the account".to_string(),
        format!(
            "never below the memory used plus {:.0}% or {HEADROOM_MIN_MB} MB, whichever is larger; never a size \
             whose predicted longest invocation exceeds the platform's timeout",
            HEADROOM_SHARE * 100.0
        ),
    ];
    if let Some(limit) = facts.max_instances_limit {
        assumptions.push(format!(
            "each unit may scale out to {}'s largest instance cap, {limit} instances (its default may be lower: \
             set max_instances to match)",
            table.id
        ));
    }
    if facts.instance_scope != platform_scope {
        assumptions.push(format!(
            "instance scope: {} (\"{}\"; {}'s own is \"{}\"): a unit's current size is the trace's memory \
             summed over its functions (an app's recorded memory counted once, shared evenly where a unit holds \
             part of an app), its floor the memory its functions used summed the same way (the largest one where \
             the trace records the memory each invocation used)",
            facts.instance_scope.deployment(),
            facts.instance_scope.name(),
            table.id,
            platform_scope.name()
        ));
    }
    if table.model == Model::AzureConsumption {
        assumptions.push(
            "Azure Consumption bills the memory an execution is observed to use (rounded up to 128 MB), not a \
             configured size: its sizes here are what-ifs of that billed memory"
                .to_string(),
        );
    }
    if !input.cost.free_tier {
        assumptions.push("free tiers not applied (the scenario's free_tier = false)".to_string());
    }
    Ok(TuneResult {
        platform: table.id.clone(),
        strategy: input.settings.strategy,
        strategy_rule: input.settings.strategy.rule().to_string(),
        units,
        skipped,
        assumptions,
    })
}

/// The CPU-bound fraction of a unit at its observed share and its duration law relative to the
/// replayed durations (mean `replayed_mean_ms`). Fitted from `points` at two or more sizes: the
/// replayed durations (all sizes together) are scaled to the fit's mean at each size. Else the
/// scenario's assumption, relative to the replayed durations as measured at the observed size.
pub fn unit_law(
    facts: &Behaviour,
    share_obs: Option<f64>,
    points: Option<&Vec<SizePoint>>,
    settings: &TuneSettings,
    replayed_mean_ms: f64,
) -> (CpuBound, ScaleLaw) {
    let Some(share_obs) = share_obs else {
        return (
            CpuBound {
                fraction: settings.cpu_bound_fraction,
                source: CpuBoundSource::NoCpuScaling,
            },
            ScaleLaw::from_fraction(0.0, 1.0),
        );
    };
    let fit = points.and_then(|points| {
        let xs: Vec<(f64, f64, f64)> = points
            .iter()
            .filter_map(|p| {
                cpu_share(facts, p.memory_mb, settings.vcpus_used)
                    .map(|s| (s, p.mean_duration_ms, p.invocations as f64))
            })
            .collect();
        let (a, b) = fit_inverse_share(&xs)?;
        let mean_at_obs = a + b / share_obs;
        (mean_at_obs > 0.0 && replayed_mean_ms > 0.0)
            .then(|| (fraction_at(a, b, share_obs), mean_at_obs, points.clone()))
    });
    match fit {
        Some((f, mean_at_obs, points)) => {
            let level = mean_at_obs / replayed_mean_ms;
            let law = ScaleLaw::from_fraction(f, share_obs);
            (
                CpuBound {
                    fraction: f,
                    source: CpuBoundSource::Fitted { points },
                },
                ScaleLaw {
                    constant: law.constant * level,
                    per_inverse_share: law.per_inverse_share * level,
                },
            )
        }
        None => (
            CpuBound {
                fraction: settings.cpu_bound_fraction,
                source: CpuBoundSource::Assumed,
            },
            ScaleLaw::from_fraction(settings.cpu_bound_fraction, share_obs),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::uniform_group;
    use crate::units::MS_PER_MONTH;

    fn lambda() -> PriceTable {
        Catalog::embedded().unwrap().get("aws-lambda").unwrap().clone()
    }

    #[test]
    fn a_candidate_size_scales_the_minimum_instances_busy_periods_with_the_durations() {
        // Durations 1.5× as long at the candidate size: the minimum instances' busy periods
        // (1,000 and 2,000 ms) are too (1,500 and 3,000 ms), as their requests' durations are.
        let mut g = uniform_group(1_024, Arch::X86, 0, 0);
        g.provisioned_duration_ms.add(1_000, 3);
        let mut busy = MsHistogram::new();
        busy.add(1_000, 1);
        busy.add(2_000, 1);
        g.provisioned_busy_periods_ms = Some(busy);
        let base = Usage {
            period_ms: MS_PER_MONTH,
            functions: vec![g],
            instances: vec![],
        };
        let c = candidate_usage(&base, 512, Arch::X86, 1.5);
        let f = &c.functions[0];
        assert_eq!(f.provisioned_duration_ms.iter().collect::<Vec<_>>(), vec![(1_500, 3)]);
        assert_eq!(
            f.provisioned_busy_periods_ms
                .as_ref()
                .unwrap()
                .iter()
                .collect::<Vec<_>>(),
            vec![(1_500, 1), (3_000, 1)]
        );
    }

    fn settings(strategy: Strategy) -> TuneSettings {
        TuneSettings {
            strategy,
            cpu_bound_fraction: 0.8,
            vcpus_used: 1.0,
        }
    }

    /// A function at 1,024 MB (x86): 1,000,000 requests a month of `ms` each, CPU-bound share `f`.
    fn base(ms: u64, f: f64, used_mb: Option<u32>, longest_ms: f64) -> UnitBase {
        let facts = lambda().behaviour.unwrap();
        UnitBase {
            key: "app/fn".into(),
            invocations: 1_000_000,
            usage: Usage {
                period_ms: MS_PER_MONTH,
                functions: vec![uniform_group(1024, Arch::X86, 1_000_000, ms)],
                instances: vec![],
            },
            used_mb,
            used_basis: "the largest memory used".into(),
            longest_duration_ms: longest_ms,
            cpu: CpuBound {
                fraction: f,
                source: CpuBoundSource::Assumed,
            },
            law: ScaleLaw::from_fraction(f, cpu_share(&facts, 1024, 1.0).unwrap()),
        }
    }

    fn run(b: &UnitBase, strategy: Strategy) -> UnitTune {
        sweep(b, &lambda(), &CostOptions::default(), &settings(strategy)).unwrap()
    }

    #[test]
    fn the_duration_formula_by_hand() {
        // 1,000 ms at 1,024 MB (0.5789 vCPU), f = 0.8, at 512 MB (0.2894 vCPU):
        // 1000 × (0.8 × 1024/512 + 0.2) = 1,800 ms; at 1,769 MB and above (1 vCPU, single-threaded):
        // 1000 × (0.8 × 1024/1769 + 0.2) = 663.09 ms.
        let facts = lambda().behaviour.unwrap();
        let s = |m| cpu_share(&facts, m, 1.0);
        let law = ScaleLaw::from_fraction(0.8, s(1024).unwrap());
        assert!((1000.0 * law.at(s(512)) - 1800.0).abs() < 1e-9);
        assert!((law.at(s(1024)) - 1.0).abs() < 1e-12);
        let at_1769 = 1000.0 * law.at(s(1769));
        assert!((at_1769 - 663.0865).abs() < 1e-3, "{at_1769}");
        // Single-threaded: 10,240 MB (5.79 vCPU) is no faster than 1,769 MB; with 6 threads,
        // 1000 × (0.8 × 0.5789 / 5.7886 + 0.2) = 280 ms.
        assert_eq!(1000.0 * law.at(s(10240)), at_1769);
        let s6 = |m| cpu_share(&facts, m, 6.0);
        let law6 = ScaleLaw::from_fraction(0.8, s6(1024).unwrap());
        assert!((1000.0 * law6.at(s6(10240)) - 280.0).abs() < 0.01);
        // No CPU scaling (Azure Consumption): durations do not change.
        assert_eq!(law.at(None), 1.0);
    }

    #[test]
    fn cost_and_speed_find_the_known_optima_of_the_curve() {
        // d(m) = 1000 × (0.8 × 1024 / min(m, 1769) + 0.2) ms. Up to 1,769 MB the CPU part costs the
        // same GB-s at every size and the I/O part 0.2 s × m: cost rises with memory, so the
        // cheapest size is the floor. Used 400 MB → floor 400 + max(40, 64) = 464 MB; arm64 is
        // cheaper at equal duration. By hand at 464 MB arm64: 1000 × (0.8 × 1024/464 + 0.2) =
        // 1,965.52 ms → 1,966 ms billed; 10^6 × 1.966 s × 464/1024 GB = 890,843.75 GB-s ×
        // $0.0000133334 = $11.8780 + $0.20 requests = $12.08.
        let b = base(1000, 0.8, Some(400), 1000.0);
        let t = run(&b, Strategy::Cost);
        assert_eq!(t.floor_mb, 464);
        let r = t.recommended.clone().unwrap();
        assert_eq!((r.memory_mb, r.arch), (464, Arch::Arm64));
        assert!(
            (r.monthly_cost_usd.to_f64() - 12.078).abs() < 0.005,
            "{}",
            r.monthly_cost_usd
        );
        // Current: 10^6 × 1 s × 1 GB × $0.0000166667 + $0.20 = $16.87; saving $4.79 (28 %).
        assert!((t.current.monthly_cost_usd.to_f64() - 16.8667).abs() < 0.001);
        assert!((t.monthly_saving_usd.unwrap().to_f64() - 4.789).abs() < 0.005);
        // Fastest: one full vCPU at 1,769 MB (663 ms); larger sizes are no faster single-threaded
        // and cost more, so the tie goes to 1,769 MB, arm64 (cheaper at equal speed).
        let fast = run(&b, Strategy::Speed).recommended.unwrap();
        assert_eq!((fast.memory_mb, fast.arch), (1769, Arch::Arm64));
        assert!(
            (fast.mean_duration_ms - 663.09).abs() < 1.0,
            "{}",
            fast.mean_duration_ms
        );
        // Balanced lies between: no cheaper than the cost pick, no faster than the speed pick.
        let bal = run(&b, Strategy::Balanced).recommended.unwrap();
        assert!(bal.monthly_cost_usd >= r.monthly_cost_usd && bal.mean_duration_ms >= fast.mean_duration_ms);
        assert!(bal.memory_mb > 464 && bal.memory_mb <= 1769, "{}", bal.memory_mb);
        // The curve: every size of the grid plus the floor, for both architectures.
        assert_eq!(t.curve.len(), 2 * (MEMORY_GRID_MB.len() + 1));
    }

    #[test]
    fn the_headroom_floor_is_respected() {
        // 1,000 MB used: floor 1,000 + max(100, 64) = 1,100 MB, even though 128 MB would be cheaper.
        assert_eq!(memory_floor_mb(1000), 1100);
        assert_eq!(memory_floor_mb(100), 164);
        let t = run(&base(1000, 0.8, Some(1000), 1000.0), Strategy::Cost);
        assert_eq!(t.recommended.as_ref().unwrap().memory_mb, 1100);
        for c in &t.curve {
            assert_eq!(c.refused.is_some(), c.memory_mb < 1100, "{c:?}");
        }
        // 10,000 MB used: the floor, 11,000 MB, is above Lambda's 10,240 MB: no size, and the limit named.
        let t = run(&base(1000, 0.8, Some(10_000), 1000.0), Strategy::Cost);
        assert!(t.recommended.is_none());
        assert!(t
            .refusal
            .as_deref()
            .unwrap()
            .starts_with("memory limit: needs at least 11000 MB"));
        // No memory-used figure: nothing below the observed size.
        let t = run(&base(1000, 0.8, None, 1000.0), Strategy::Cost);
        assert_eq!(t.floor_mb, 1024);
        assert_eq!(t.recommended.unwrap().memory_mb, 1024);
    }

    #[test]
    fn sizes_that_break_the_timeout_are_refused_and_a_20_minute_batch_never_fits_lambda() {
        // 20 minutes at 1,024 MB, f 0.5: at best (1 vCPU) 1,200 × (0.5 × 1024/1769 + 0.5) = 947 s > 900 s.
        let t = run(&base(1_200_000, 0.5, Some(200), 1_200_000.0), Strategy::Cost);
        assert!(t.recommended.is_none());
        assert!(t.curve.iter().all(|c| c.refused.is_some()));
        let why = t.refusal.unwrap();
        assert!(
            why.starts_with("timeout limit") && why.contains("947 s") && why.contains("900 s"),
            "{why}"
        );
        // 850 s at 1,024 MB: 512 MB would take 850 × (0.5 × 2 + 0.5) = 1,275 s (refused), 1,769 MB
        // 671 s (fine). The cheapest size within the timeout is chosen, not the cheapest overall.
        let t = run(&base(850_000, 0.5, Some(200), 850_000.0), Strategy::Cost);
        let r = t.recommended.unwrap();
        assert!(r.longest_duration_ms <= 900_000.0 && r.memory_mb >= 1024, "{r:?}");
        let at_512 = t.curve.iter().find(|c| c.memory_mb == 512).unwrap();
        assert!(at_512.refused.as_deref().unwrap().starts_with("timeout limit"));
    }

    #[test]
    fn the_cpu_bound_fraction_is_fitted_from_several_sizes() {
        // Mean durations generated from f = 0.7 at 1,024 MB (d = 1000 × (0.7 × s(1024)/s(m) + 0.3)),
        // each off by up to ±1 %: the fit recovers f within 0.02.
        let facts = lambda().behaviour.unwrap();
        let s = |m| cpu_share(&facts, m, 1.0).unwrap();
        let points: Vec<SizePoint> = [(512u32, 1.01), (1024, 0.99), (1769, 1.0), (3008, 1.005)]
            .iter()
            .map(|&(m, noise)| SizePoint {
                memory_mb: m,
                mean_duration_ms: 1000.0 * (0.7 * s(1024) / s(m) + 0.3) * noise,
                invocations: 100,
            })
            .collect();
        // Replayed durations averaging 1,100 ms (all sizes together): scaled to the fit's level,
        // about 1,000 ms at 1,024 MB and 1,600 ms at 512 MB.
        let (cpu, law) = unit_law(&facts, Some(s(1024)), Some(&points), &settings(Strategy::Cost), 1100.0);
        assert!((cpu.fraction - 0.7).abs() < 0.02, "{}", cpu.fraction);
        assert!(matches!(cpu.source, CpuBoundSource::Fitted { ref points } if points.len() == 4));
        assert!((law.at(Some(s(1024))) * 1100.0 / 1000.0 - 1.0).abs() < 0.01);
        assert!((law.at(Some(s(512))) * 1100.0 / 1700.0 - 1.0).abs() < 0.02);
        // One size only: the scenario's assumption, said so.
        let (cpu, _) = unit_law(
            &facts,
            Some(s(1024)),
            Some(&points[..1].to_vec()),
            &settings(Strategy::Cost),
            1100.0,
        );
        assert_eq!((cpu.fraction, cpu.source), (0.8, CpuBoundSource::Assumed));
        assert_eq!(fit_inverse_share(&[(0.5, 100.0, 1.0), (0.5, 120.0, 1.0)]), None);
    }

    #[test]
    fn candidates_follow_the_platforms_grid() {
        let flex = MemoryOptions::Sizes(vec![512, 2048, 4096]);
        assert_eq!(memory_candidates(&flex, &[700]), vec![512, 2048, 4096]);
        let consumption = MemoryOptions::Range {
            min_mb: 128,
            max_mb: 1536,
            step_mb: 128,
        };
        assert_eq!(memory_candidates(&consumption, &[200]).len(), 12);
        let lambda = lambda().behaviour.unwrap().memory;
        let c = memory_candidates(&lambda, &[464, 20_000]);
        assert!(c.contains(&464) && c.contains(&1769) && c.contains(&10240) && !c.contains(&20_000));
    }

    /// Units are replayed in parallel, the busiest first: the result is the same on one
    /// thread as on three, its units by invocations (then key) and its skipped ones in key
    /// order. The replays take the input's fluid-path threshold: from 1 invocation a minute
    /// every unit is approximated, and the sweep changes.
    #[test]
    fn the_sweep_does_not_depend_on_the_thread_count() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::config::DEFAULT_SCENARIO_DIR);
        let (mut workload, _) =
            crate::trace::read_workload_files(&[dir], &crate::trace::ReadOptions::default()).unwrap();
        workload.functions.truncate(40);
        let catalog = Catalog::embedded().unwrap();
        let on_from = |threads: usize, fluid_from_per_minute: u64| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                tune(&TuneInput {
                    workload: &workload,
                    catalog: &catalog,
                    platform: ServerlessPlatform::AwsLambda,
                    settings: settings(Strategy::Cost),
                    cost: CostOptions::default(),
                    seed: 7,
                    fallback_duration_ms: None,
                    fluid_from_per_minute,
                    points: BTreeMap::new(),
                    instance_scope: None,
                })
                .unwrap()
            })
        };
        let on = |threads: usize| on_from(threads, crate::sim::fluid::FLUID_MIN_PER_MINUTE);
        let one = on(1);
        assert!(one.units.len() > 10, "{} units", one.units.len());
        assert!(one.units.windows(2).all(
            |w| (std::cmp::Reverse(w[0].invocations), &w[0].key) < (std::cmp::Reverse(w[1].invocations), &w[1].key)
        ));
        assert!(one.skipped.windows(2).all(|w| w[0].key < w[1].key));
        assert_eq!(one, on(3));
        assert_ne!(one, on_from(1, 1));
        assert_eq!(one, on_from(1, u64::MAX));
    }
}
