//! Platform facts of a serverless offering, validated from its price table's `[behaviour]`
//! section — the one home of what the simulator replays: instance scope, per-instance and
//! account concurrency, memory options (a range or a grid of sizes), CPU per memory,
//! keep-alive, default runtime and cold-start distributions, plus limits (timeout, payload).
//! Each figure carries a source and a `verified` flag. Billing facts (grains, minimums, INIT
//! billing, request- or instance-based billing) are not here: they are the table's `[rules]`
//! and model, applied only by the cost engine. Figures: ../shared/reference/pricing-facts.md.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

use super::raw::{RawBehaviour, RawColdStart, RawColdStartMemory};
use super::table::Ctx;

/// Runtime names a cold-start table may use (one naming: `node`, never `nodejs`).
pub const RUNTIMES: [&str; 7] = ["python", "node", "go", "java", "java-snapstart", "dotnet", "javascript"];

/// Facts a `[behaviour.sources.<fact>]` entry may document.
const FACTS: [&str; 17] = [
    "init_limit_ms",
    "activity_merge_ms",
    "instance_scope",
    "instance_vcpu",
    "cpu_aware_routing",
    "per_instance_concurrency",
    "account_concurrency_limit",
    "cpu",
    "memory",
    "default_keep_alive_ms",
    "default_runtime",
    "ephemeral_storage_mb",
    "timeout_ms",
    "payload",
    "cold_start",
    "scale_out",
    "provisioned",
];

/// Which requests share instances: the unit the simulator scales (one service, one pool of
/// instances). A price table gives its platform's own unit (`function` or `app`); a scenario
/// option or `--instance-scope` may choose any, `workload` included (how the code is deployed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum InstanceScope {
    /// Each function has its own instances (Lambda, Cloud Run, Workers).
    Function,
    /// All functions of an app share instances (Azure Functions).
    App,
    /// Every function of the workload shares one pool of instances: one service runs all the
    /// code (a "Lambdalith", one container service for the whole workload).
    Workload,
}

impl InstanceScope {
    /// The name in price tables, scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            InstanceScope::Function => "function",
            InstanceScope::App => "app",
            InstanceScope::Workload => "workload",
        }
    }

    /// The deployment in words, for option descriptions and assumptions.
    pub fn deployment(self) -> &'static str {
        match self {
            InstanceScope::Function => "one service per function",
            InstanceScope::App => "one service per app",
            InstanceScope::Workload => "one service for the whole workload",
        }
    }

    /// The assumption a run at this scope states: the deployment, the units replayed, where the
    /// scope was set (`set_by`: the scenario key or the flag) and each unit's memory (`memory`).
    pub fn assumption(self, units: u64, set_by: &str, memory: &str) -> String {
        format!(
            "instance scope: {} ({units} unit(s) replayed), {set_by} = \"{}\": each unit scales its own \
             instances and keeps its own minimum and provisioned instances, at {memory}; the account \
             concurrency limit is shared by every unit whatever the scope",
            self.deployment(),
            self.name(),
        )
    }
}

impl std::str::FromStr for InstanceScope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "function" => Ok(InstanceScope::Function),
            "app" => Ok(InstanceScope::App),
            "workload" => Ok(InstanceScope::Workload),
            other => Err(format!("unknown instance scope '{other}'")),
        }
    }
}

/// The memory sizes a platform lets one configure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryOptions {
    /// Any size from `min_mb` to `max_mb` in steps of `step_mb`.
    Range {
        /// Smallest size.
        min_mb: u32,
        /// Largest size.
        max_mb: u32,
        /// Step (1 = any whole MB).
        step_mb: u32,
    },
    /// Only these sizes, in increasing order (Azure Flex: 512, 2,048, 4,096 MB).
    Sizes(Vec<u32>),
}

impl MemoryOptions {
    /// The size a requested `memory_mb` runs at: a range clamps it and rounds it up to the
    /// step; a grid takes the smallest size at or above it, else the largest.
    pub fn configure_mb(&self, memory_mb: u32) -> u32 {
        match self {
            MemoryOptions::Range {
                min_mb,
                max_mb,
                step_mb,
            } => memory_mb.clamp(*min_mb, *max_mb).div_ceil(*step_mb) * step_mb,
            MemoryOptions::Sizes(sizes) => sizes
                .iter()
                .copied()
                .find(|&s| s >= memory_mb)
                .unwrap_or_else(|| *sizes.last().expect("validated: at least one size")),
        }
    }

    /// The smallest and the largest size, MB.
    pub fn bounds_mb(&self) -> (u32, u32) {
        match self {
            MemoryOptions::Range { min_mb, max_mb, .. } => (*min_mb, *max_mb),
            MemoryOptions::Sizes(sizes) => (
                *sizes.first().expect("validated: at least one size"),
                *sizes.last().expect("validated: at least one size"),
            ),
        }
    }

    /// Whether `memory_mb` can be configured as is.
    pub fn allows(&self, memory_mb: u32) -> bool {
        match self {
            MemoryOptions::Range {
                min_mb,
                max_mb,
                step_mb,
            } => (*min_mb..=*max_mb).contains(&memory_mb) && memory_mb.is_multiple_of(*step_mb),
            MemoryOptions::Sizes(sizes) => sizes.contains(&memory_mb),
        }
    }
}

impl fmt::Display for MemoryOptions {
    /// `128–10,240 MB` style text: `128–1536 MB in 128 MB steps`, or `512, 2048 or 4096 MB`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemoryOptions::Range {
                min_mb,
                max_mb,
                step_mb: 1,
            } => write!(f, "{min_mb}–{max_mb} MB"),
            MemoryOptions::Range {
                min_mb,
                max_mb,
                step_mb,
            } => {
                write!(f, "{min_mb}–{max_mb} MB in {step_mb} MB steps")
            }
            MemoryOptions::Sizes(sizes) => {
                let text: Vec<String> = sizes.iter().map(|s| s.to_string()).collect();
                match text.split_last() {
                    Some((last, rest)) if !rest.is_empty() => write!(f, "{} or {last} MB", rest.join(", ")),
                    _ => write!(f, "{} MB", text.join("")),
                }
            }
        }
    }
}

/// CPU share proportional to memory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CpuScaling {
    /// Memory per full vCPU, MB.
    pub mb_per_vcpu: u32,
    /// Largest vCPU share.
    pub max_vcpu: f64,
}

/// A cold-start (init) latency distribution, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "distribution", rename_all = "lowercase")]
pub enum ColdStartDist {
    /// Always `ms`.
    Constant {
        /// Init duration.
        ms: u64,
    },
    /// Exponential with mean `mean_ms`.
    Exponential {
        /// Mean init duration.
        mean_ms: f64,
    },
    /// Lognormal with median `median_ms` and log-space standard deviation `sigma`.
    Lognormal {
        /// Median init duration.
        median_ms: f64,
        /// Standard deviation of ln(duration).
        sigma: f64,
    },
    /// Uniform between `min_ms` and `max_ms`.
    Uniform {
        /// Lower bound.
        min_ms: f64,
        /// Upper bound.
        max_ms: f64,
    },
}

impl ColdStartDist {
    /// The distribution's mean in ms (closed form).
    pub fn mean_ms(&self) -> f64 {
        match *self {
            ColdStartDist::Constant { ms } => ms as f64,
            ColdStartDist::Exponential { mean_ms } => mean_ms,
            ColdStartDist::Lognormal { median_ms, sigma } => median_ms * (sigma * sigma / 2.0).exp(),
            ColdStartDist::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
        }
    }

    /// The `p`-quantile in ms (`p` in (0, 1); closed forms).
    pub fn quantile_ms(&self, p: f64) -> f64 {
        match *self {
            ColdStartDist::Constant { ms } => ms as f64,
            ColdStartDist::Exponential { mean_ms } => -mean_ms * (1.0 - p).ln(),
            ColdStartDist::Lognormal { median_ms, sigma } => {
                use statrs::distribution::{ContinuousCDF, Normal};
                let z = Normal::standard().inverse_cdf(p);
                median_ms * (sigma * z).exp()
            }
            ColdStartDist::Uniform { min_ms, max_ms } => min_ms + (max_ms - min_ms) * p,
        }
    }

    /// The distribution of every draw multiplied by `multiple` (the shape kept).
    pub fn scaled(self, multiple: f64) -> Self {
        match self {
            ColdStartDist::Constant { ms } => ColdStartDist::Constant {
                ms: (ms as f64 * multiple).round() as u64,
            },
            ColdStartDist::Exponential { mean_ms } => ColdStartDist::Exponential {
                mean_ms: mean_ms * multiple,
            },
            ColdStartDist::Lognormal { median_ms, sigma } => ColdStartDist::Lognormal {
                median_ms: median_ms * multiple,
                sigma,
            },
            ColdStartDist::Uniform { min_ms, max_ms } => ColdStartDist::Uniform {
                min_ms: min_ms * multiple,
                max_ms: max_ms * multiple,
            },
        }
    }

    /// Parses the `--cold-start-ms` syntax: `N`, `const:N`, `exp:MEAN`, `lognormal:MEDIAN:SIGMA`,
    /// `uniform:MIN:MAX` (all in ms).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let expected = "expected N, const:N, exp:MEAN, lognormal:MEDIAN:SIGMA or uniform:MIN:MAX (ms)";
        // A cold start longer than 10 minutes is no cold start any platform has; larger values
        // would only make the simulator allocate without bound.
        let num = |s: &str| -> Result<f64, String> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && (0.0..=600_000.0).contains(v))
                .ok_or_else(|| {
                    format!("'{s}' in cold-start '{text}' is not a number of ms from 0 to 600,000; {expected}")
                })
        };
        let parts: Vec<&str> = t.split(':').collect();
        let dist = match parts.as_slice() {
            [n] => ColdStartDist::Constant {
                ms: num(n)?.round() as u64,
            },
            ["const" | "constant", n] => ColdStartDist::Constant {
                ms: num(n)?.round() as u64,
            },
            ["exp" | "exponential", m] => ColdStartDist::Exponential { mean_ms: num(m)? },
            ["lognormal", m, s] => ColdStartDist::Lognormal {
                median_ms: num(m)?,
                sigma: Some(num(s)?)
                    .filter(|&sigma| sigma <= 3.0)
                    .ok_or_else(|| format!("sigma {s} in cold-start '{text}' is above 3; {expected}"))?,
            },
            ["uniform", a, b] => {
                let (lo, hi) = (num(a)?, num(b)?);
                if lo > hi {
                    return Err(format!("cold-start '{text}': MIN {lo} is above MAX {hi}"));
                }
                ColdStartDist::Uniform { min_ms: lo, max_ms: hi }
            }
            _ => return Err(format!("cannot read cold-start '{text}'; {expected}")),
        };
        Ok(dist)
    }
}

impl fmt::Display for ColdStartDist {
    /// The `--cold-start-ms` syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ColdStartDist::Constant { ms } => write!(f, "{ms}"),
            ColdStartDist::Exponential { mean_ms } => write!(f, "exp:{mean_ms}"),
            ColdStartDist::Lognormal { median_ms, sigma } => write!(f, "lognormal:{median_ms}:{sigma}"),
            ColdStartDist::Uniform { min_ms, max_ms } => write!(f, "uniform:{min_ms}:{max_ms}"),
        }
    }
}

/// Cold-start figure of one runtime, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColdStart {
    /// The distribution.
    #[serde(flatten)]
    pub dist: ColdStartDist,
    /// Source, and how the figure was derived.
    pub source: String,
    /// Vendor-verified.
    pub verified: bool,
}

/// How the init latency changes with memory (where CPU scales with memory).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColdStartMemory {
    /// Memory at which the runtime figures hold, MB.
    pub reference_mb: u32,
    /// Share of an init that scales with the CPU (at most one vCPU).
    pub cpu_share: f64,
    /// Source, and how the figure was derived.
    pub source: String,
    /// Vendor-verified.
    pub verified: bool,
}

/// Where one fact comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactSource {
    /// Source and what it says.
    pub source: String,
    /// Vendor-verified.
    pub verified: bool,
}

/// The validated platform facts of a serverless offering (no prices, no billing rules).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Behaviour {
    /// Which requests share instances.
    pub instance_scope: InstanceScope,
    /// Default requests in flight per instance.
    pub per_instance_concurrency_default: u32,
    /// Largest configurable requests in flight per instance.
    pub per_instance_concurrency_max: u32,
    /// Default account concurrency limit (`None`: no account-level limit).
    pub account_concurrency_limit: Option<u32>,
    /// CPU share ∝ memory (`None`: CPU does not scale with memory).
    pub cpu: Option<CpuScaling>,
    /// vCPUs of every instance where CPU does not scale with memory (`None`: unknown, or
    /// `cpu` gives it).
    pub instance_vcpu: Option<f64>,
    /// The platform sends an instance no further request once its requests' CPU demand fills
    /// its vCPUs (Cloud Run), instead of filling every concurrency slot.
    pub cpu_aware_routing: bool,
    /// Configurable memory sizes.
    pub memory: MemoryOptions,
    /// Memory when neither the user nor the trace gives one, MB.
    pub default_memory_mb: u32,
    /// The provider's keep-alive of an idle instance, ms.
    pub default_keep_alive_ms: u64,
    /// Runtime used when none is named.
    pub default_runtime: String,
    /// Ephemeral storage configured by default, MB.
    pub ephemeral_storage_mb: u32,
    /// Maximum timeout, ms.
    pub timeout_ms: Option<u64>,
    /// Largest synchronous request payload, bytes.
    pub max_request_bytes: Option<u64>,
    /// Largest synchronous response payload, bytes.
    pub max_response_bytes: Option<u64>,
    /// Fewest provisioned (always running) instances per unit (App Runner's MinSize: 1).
    pub provisioned_min: u32,
    /// Most provisioned (minimum) instances per unit (`None`: no limit).
    pub provisioned_max: Option<u32>,
    /// Most instances a unit scales out to by default, provisioned ones included (`None`: no
    /// per-unit cap; the account limit may still bind).
    pub max_instances_default: Option<u32>,
    /// Most instances a unit may be configured to scale out to (`None`: any).
    pub max_instances_limit: Option<u32>,
    /// Cold-start distribution by runtime.
    pub cold_start: BTreeMap<String, ColdStart>,
    /// How the init latency changes with memory (`None`: it does not).
    pub cold_start_memory: Option<ColdStartMemory>,
    /// Longest init before the platform abandons it and runs it again with the first
    /// invocation, ms (`None`: no limit).
    pub init_limit_ms: Option<u64>,
    /// An instance's busy periods less than this apart form one activity period, ms (`None`:
    /// every busy period is its own; Azure Flex: 1,000, its minimum billable activity).
    pub activity_merge_ms: Option<u64>,
    /// Sources of single facts.
    pub sources: BTreeMap<String, FactSource>,
    /// Source of the section.
    pub source: String,
    /// Vendor-verified (the section as a whole).
    pub verified: bool,
    /// Caveats.
    pub notes: Vec<String>,
}

impl Behaviour {
    /// vCPU share at `memory_mb`, or `None` when CPU does not scale with memory here.
    pub fn vcpu(&self, memory_mb: u32) -> Option<f64> {
        self.cpu
            .map(|c| (memory_mb as f64 / c.mb_per_vcpu as f64).min(c.max_vcpu))
    }

    /// Multiplier of the runtime's init latency at `memory_mb`: `g · c(ref)/c(m) + 1 − g`
    /// with `c` the vCPU share capped at one (an init runs single-threaded) and `g` the
    /// table's `cpu_share`; 1 without a `[behaviour.cold_start_memory]` section.
    pub fn cold_start_scale(&self, memory_mb: u32) -> f64 {
        let Some(m) = &self.cold_start_memory else {
            return 1.0;
        };
        match (self.vcpu(m.reference_mb), self.vcpu(memory_mb)) {
            (Some(at_ref), Some(at_m)) if at_m > 0.0 => {
                m.cpu_share * at_ref.min(1.0) / at_m.min(1.0) + 1.0 - m.cpu_share
            }
            _ => 1.0,
        }
    }

    /// vCPUs of an instance with `memory_mb`: the memory-scaled share, else the fixed
    /// `instance_vcpu`, else `None` (unknown: CPU contention is then not modelled).
    pub fn instance_vcpu_at(&self, memory_mb: u32) -> Option<f64> {
        self.vcpu(memory_mb).or(self.instance_vcpu)
    }
}

/// Validates a `[behaviour]` section; every problem is reported at its line.
pub(super) fn validate_behaviour(cx: &mut Ctx<'_>, b: &Spanned<RawBehaviour>) -> Option<Behaviour> {
    let at = b.span().start;
    let raw = b.get_ref();
    let errors_before = cx.errors.len();
    let instance_scope = match raw.instance_scope.get_ref().as_str() {
        "function" => InstanceScope::Function,
        "app" => InstanceScope::App,
        other => {
            let problem = if other == "workload" {
                "\"workload\" is a deployment choice, not a platform's scaling unit".to_string()
            } else {
                format!("unknown scope '{other}'")
            };
            cx.err(
                &raw.instance_scope,
                "behaviour.instance_scope",
                problem,
                "\"function\" (each function has its own instances) or \"app\" (an app's functions share them); \
                 one service for the whole workload is set per scenario option (instance_scope) or with \
                 --instance-scope",
            );
            InstanceScope::Function
        }
    };
    let concurrency_default = positive(
        cx,
        &raw.per_instance_concurrency_default,
        "behaviour.per_instance_concurrency_default",
    );
    let concurrency_max = positive(
        cx,
        &raw.per_instance_concurrency_max,
        "behaviour.per_instance_concurrency_max",
    );
    if concurrency_default > concurrency_max {
        cx.err(
            &raw.per_instance_concurrency_default,
            "behaviour.per_instance_concurrency_default",
            format!("{concurrency_default} is above per_instance_concurrency_max {concurrency_max}"),
            "a default ≤ the maximum",
        );
    }
    let account_concurrency_limit = raw
        .account_concurrency_limit
        .as_ref()
        .map(|v| positive(cx, v, "behaviour.account_concurrency_limit"));
    let cpu = match (&raw.mb_per_vcpu, &raw.max_vcpu) {
        (None, None) => None,
        (Some(mb), Some(max)) => {
            let mb_per_vcpu = positive(cx, mb, "behaviour.mb_per_vcpu");
            let max_vcpu = *max.get_ref();
            if !(max_vcpu.is_finite() && max_vcpu > 0.0) {
                cx.err(
                    max,
                    "behaviour.max_vcpu",
                    format!("{max_vcpu} is not positive"),
                    "a vCPU count > 0",
                );
            }
            Some(CpuScaling { mb_per_vcpu, max_vcpu })
        }
        (Some(_), None) | (None, Some(_)) => {
            cx.err_at(
                at,
                "behaviour.mb_per_vcpu",
                "only one of mb_per_vcpu and max_vcpu",
                "both (CPU ∝ memory) or neither (CPU does not scale with memory)",
            );
            None
        }
    };
    let instance_vcpu = raw.instance_vcpu.as_ref().and_then(|v| {
        let vcpu = *v.get_ref();
        if cpu.is_some() {
            cx.err(
                v,
                "behaviour.instance_vcpu",
                "given with mb_per_vcpu",
                "instance_vcpu only where CPU does not scale with memory (no mb_per_vcpu/max_vcpu)",
            );
            None
        } else if !(vcpu.is_finite() && vcpu > 0.0 && vcpu <= 64.0) {
            cx.err(
                v,
                "behaviour.instance_vcpu",
                format!("{vcpu} is out of range"),
                "vCPUs in (0, 64]",
            );
            None
        } else {
            Some(vcpu)
        }
    });
    let memory = validate_memory(cx, raw, at);
    let default_memory_mb = positive(cx, &raw.default_memory_mb, "behaviour.default_memory_mb");
    if let Some(m) = &memory {
        if !m.allows(default_memory_mb) {
            cx.err(
                &raw.default_memory_mb,
                "behaviour.default_memory_mb",
                format!("{default_memory_mb} MB is not a configurable size"),
                &format!("one of the configurable sizes, {m}"),
            );
        }
    }
    let default_keep_alive_ms = cx
        .non_negative_int(
            &Some(raw.default_keep_alive_ms.clone()),
            "behaviour.default_keep_alive_ms",
        )
        .unwrap_or(0);
    let mut cold_start = BTreeMap::new();
    for (runtime, c) in &raw.cold_start {
        let key = format!("behaviour.cold_start.{runtime}");
        if !RUNTIMES.contains(&runtime.as_str()) {
            cx.err(
                c,
                &key,
                format!("unknown runtime '{runtime}'"),
                &format!("one of {}", RUNTIMES.join(", ")),
            );
        }
        if let Some(cs) = validate_cold_start(cx, c, &key) {
            cold_start.insert(runtime.clone(), cs);
        }
    }
    let default_runtime = raw.default_runtime.get_ref().clone();
    if !raw.cold_start.contains_key(&default_runtime) {
        cx.err(
            &raw.default_runtime,
            "behaviour.default_runtime",
            format!("'{default_runtime}' has no [behaviour.cold_start.{default_runtime}] figure"),
            "a runtime with a cold-start figure",
        );
    }
    let cold_start_memory = raw
        .cold_start_memory
        .as_ref()
        .and_then(|m| validate_cold_start_memory(cx, m, cpu.is_some()));
    let init_limit_ms = cx.non_negative_int(&raw.init_limit_ms, "behaviour.init_limit_ms");
    let activity_merge_ms = cx.non_negative_int(&raw.activity_merge_ms, "behaviour.activity_merge_ms");
    let mut sources = BTreeMap::new();
    for (fact, s) in &raw.sources {
        let key = format!("behaviour.sources.{fact}");
        if !FACTS.contains(&fact.as_str()) {
            cx.err(
                s,
                &key,
                format!("unknown fact '{fact}'"),
                &format!("one of {}", FACTS.join(", ")),
            );
        }
        let source = cx.source(&s.get_ref().source, s.span().start, &format!("{key}.source"));
        let verified = cx.verified(s.get_ref().verified, s.span().start, &format!("{key}.verified"));
        sources.insert(fact.clone(), FactSource { source, verified });
    }
    let ephemeral_storage_mb = cx
        .small_int(&raw.ephemeral_storage_mb, "behaviour.ephemeral_storage_mb")
        .unwrap_or(0);
    let timeout_ms = cx.non_negative_int(&raw.timeout_ms, "behaviour.timeout_ms");
    let max_request_bytes = cx.non_negative_int(&raw.max_request_bytes, "behaviour.max_request_bytes");
    let max_response_bytes = cx.non_negative_int(&raw.max_response_bytes, "behaviour.max_response_bytes");
    let provisioned_min = cx
        .small_int(&raw.provisioned_min, "behaviour.provisioned_min")
        .unwrap_or(0);
    let provisioned_max = cx.small_int(&raw.provisioned_max, "behaviour.provisioned_max");
    if let (Some(max), Some(v)) = (provisioned_max, &raw.provisioned_max) {
        if max < provisioned_min {
            cx.err(
                v,
                "behaviour.provisioned_max",
                format!("{max} is below provisioned_min {provisioned_min}"),
                "a maximum at or above the minimum",
            );
        }
    }
    let max_instances_default = cx.small_int(&raw.max_instances_default, "behaviour.max_instances_default");
    let max_instances_limit = cx.small_int(&raw.max_instances_limit, "behaviour.max_instances_limit");
    if let (Some(d), Some(v)) = (max_instances_default, &raw.max_instances_default) {
        let floor = provisioned_min.max(1);
        if d < floor || max_instances_limit.is_some_and(|l| d > l) {
            cx.err(
                v,
                "behaviour.max_instances_default",
                format!(
                    "{d} is outside {floor} to {}",
                    max_instances_limit.map_or("any".to_string(), |l| l.to_string())
                ),
                "a default at or above provisioned_min (and 1) and at most max_instances_limit",
            );
        }
    }
    let source = cx.source(&raw.source, at, "behaviour.source");
    let verified = cx.verified(raw.verified, at, "behaviour.verified");
    if cx.errors.len() > errors_before {
        return None;
    }
    Some(Behaviour {
        instance_scope,
        per_instance_concurrency_default: concurrency_default,
        per_instance_concurrency_max: concurrency_max,
        account_concurrency_limit,
        cpu,
        instance_vcpu,
        cpu_aware_routing: raw.cpu_aware_routing.unwrap_or(false),
        memory: memory?,
        default_memory_mb,
        default_keep_alive_ms,
        default_runtime,
        ephemeral_storage_mb,
        timeout_ms,
        max_request_bytes,
        max_response_bytes,
        provisioned_min,
        provisioned_max,
        max_instances_default,
        max_instances_limit,
        cold_start,
        cold_start_memory,
        init_limit_ms,
        activity_merge_ms,
        sources,
        source,
        verified,
        notes: raw.notes.clone(),
    })
}

fn validate_cold_start_memory(
    cx: &mut Ctx<'_>,
    m: &Spanned<RawColdStartMemory>,
    cpu_scales: bool,
) -> Option<ColdStartMemory> {
    let raw = m.get_ref();
    let key = "behaviour.cold_start_memory";
    let errors_before = cx.errors.len();
    if !cpu_scales {
        cx.err(
            m,
            key,
            "given where CPU does not scale with memory",
            "a [behaviour.cold_start_memory] section only with mb_per_vcpu and max_vcpu",
        );
    }
    let reference_mb = positive(cx, &raw.reference_mb, &format!("{key}.reference_mb"));
    let cpu_share = *raw.cpu_share.get_ref();
    if !(0.0..=1.0).contains(&cpu_share) {
        cx.err(
            &raw.cpu_share,
            &format!("{key}.cpu_share"),
            format!("{cpu_share} is out of range"),
            "a share from 0 to 1",
        );
    }
    let source = cx.source(&raw.source, m.span().start, &format!("{key}.source"));
    let verified = cx.verified(raw.verified, m.span().start, &format!("{key}.verified"));
    (cx.errors.len() == errors_before).then_some(ColdStartMemory {
        reference_mb,
        cpu_share,
        source,
        verified,
    })
}

/// A whole number ≥ 1 that fits a `u32` (0 after reporting an error).
fn positive(cx: &mut Ctx<'_>, v: &Spanned<i64>, key: &str) -> u32 {
    match cx.small_int(&Some(v.clone()), key) {
        Some(0) => {
            cx.err(v, key, "0", "a whole number ≥ 1");
            0
        }
        Some(n) => n,
        None => 0,
    }
}

fn validate_memory(cx: &mut Ctx<'_>, raw: &RawBehaviour, at: usize) -> Option<MemoryOptions> {
    match (&raw.memory_sizes_mb, &raw.memory_min_mb, &raw.memory_max_mb) {
        (Some(sizes), None, None) if raw.memory_step_mb.is_none() => {
            let mut out: Vec<u32> = Vec::new();
            for (i, s) in sizes.get_ref().iter().enumerate() {
                let key = format!("behaviour.memory_sizes_mb[{i}]");
                match u32::try_from(*s) {
                    Ok(mb) if mb > 0 && out.last().is_none_or(|&prev| mb > prev) => out.push(mb),
                    _ => cx.err(
                        sizes,
                        &key,
                        format!("{s} is not a size above the previous one"),
                        "sizes in MB, strictly increasing, e.g. [512, 2048, 4096]",
                    ),
                }
            }
            if out.is_empty() {
                cx.err(sizes, "behaviour.memory_sizes_mb", "no size", "at least one size in MB");
                return None;
            }
            Some(MemoryOptions::Sizes(out))
        }
        (None, Some(min), Some(max)) => {
            let min_mb = positive(cx, min, "behaviour.memory_min_mb");
            let max_mb = positive(cx, max, "behaviour.memory_max_mb");
            let step_mb = match &raw.memory_step_mb {
                Some(s) => positive(cx, s, "behaviour.memory_step_mb"),
                None => 1,
            };
            if min_mb > max_mb {
                cx.err(
                    min,
                    "behaviour.memory_min_mb",
                    format!("{min_mb} is above memory_max_mb {max_mb}"),
                    "memory_min_mb ≤ memory_max_mb",
                );
            }
            (min_mb > 0 && max_mb >= min_mb && step_mb > 0).then_some(MemoryOptions::Range {
                min_mb,
                max_mb,
                step_mb,
            })
        }
        _ => {
            cx.err_at(
                at,
                "behaviour.memory_min_mb",
                "the configurable memory is not stated once",
                "either memory_min_mb and memory_max_mb (and optionally memory_step_mb), or memory_sizes_mb",
            );
            None
        }
    }
}

fn validate_cold_start(cx: &mut Ctx<'_>, c: &Spanned<RawColdStart>, key: &str) -> Option<ColdStart> {
    let raw = c.get_ref();
    let at = c.span().start;
    let errors_before = cx.errors.len();
    let mut num = |v: &Option<Spanned<f64>>, name: &str| -> f64 {
        match v {
            Some(v) if v.get_ref().is_finite() && *v.get_ref() >= 0.0 => *v.get_ref(),
            Some(v) => {
                cx.err(
                    v,
                    &format!("{key}.{name}"),
                    format!("{} is negative", v.get_ref()),
                    "a number ≥ 0",
                );
                0.0
            }
            None => {
                cx.err_at(at, &format!("{key}.{name}"), "missing", "the distribution's parameters");
                0.0
            }
        }
    };
    let given = [
        ("ms", raw.ms.is_some()),
        ("mean_ms", raw.mean_ms.is_some()),
        ("median_ms", raw.median_ms.is_some()),
        ("sigma", raw.sigma.is_some()),
        ("min_ms", raw.min_ms.is_some()),
        ("max_ms", raw.max_ms.is_some()),
    ];
    let (dist, params): (Option<ColdStartDist>, &[&str]) = match raw.distribution.get_ref().as_str() {
        "constant" => {
            let ms = num(&raw.ms, "ms");
            (Some(ColdStartDist::Constant { ms: ms.round() as u64 }), &["ms"])
        }
        "exponential" => (
            Some(ColdStartDist::Exponential {
                mean_ms: num(&raw.mean_ms, "mean_ms"),
            }),
            &["mean_ms"],
        ),
        "lognormal" => (
            Some(ColdStartDist::Lognormal {
                median_ms: num(&raw.median_ms, "median_ms"),
                sigma: num(&raw.sigma, "sigma"),
            }),
            &["median_ms", "sigma"],
        ),
        "uniform" => {
            let (min_ms, max_ms) = (num(&raw.min_ms, "min_ms"), num(&raw.max_ms, "max_ms"));
            if min_ms > max_ms {
                cx.err_at(
                    at,
                    &format!("{key}.min_ms"),
                    format!("{min_ms} is above max_ms {max_ms}"),
                    "min_ms ≤ max_ms",
                );
            }
            (Some(ColdStartDist::Uniform { min_ms, max_ms }), &["min_ms", "max_ms"])
        }
        other => {
            cx.err(
                &raw.distribution,
                &format!("{key}.distribution"),
                format!("unknown distribution '{other}'"),
                "constant (ms), exponential (mean_ms), lognormal (median_ms, sigma) or uniform (min_ms, max_ms)",
            );
            (None, &[])
        }
    };
    for (name, present) in given {
        if present && dist.is_some() && !params.contains(&name) {
            cx.err_at(
                at,
                &format!("{key}.{name}"),
                format!(
                    "'{name}' is not a parameter of a {} distribution",
                    raw.distribution.get_ref()
                ),
                &format!("only {}", params.join(", ")),
            );
        }
    }
    let source = cx.source(&raw.source, at, &format!("{key}.source"));
    let verified = cx.verified(raw.verified, at, &format!("{key}.verified"));
    if cx.errors.len() > errors_before {
        return None;
    }
    Some(ColdStart {
        dist: dist?,
        source,
        verified,
    })
}
