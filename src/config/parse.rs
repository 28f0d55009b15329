//! Scenario parsing: raw serde structs (`deny_unknown_fields`, values kept with their spans)
//! become a checked, typed [`Scenario`]; every error names the file and line, what is wrong
//! and what to write instead.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

use super::{
    Commitment, ControlPlane, HybridOption, LoadBalancer, Ops, ProvisionedOption, Scenario, ServerlessOption, Strategy,
    SCENARIO_SCHEMA_VERSIONS,
};
use crate::cost::{FrontDoor, SnapStartRuntime};
use crate::platform::{InstancePlatform, ServerlessPlatform};
use crate::pricing::InstanceScope;
use crate::sim::keepalive::KeepAliveSpec;
use crate::sim::schedule::ProvisionedSchedule;
use crate::usage::Arch;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    schema_version: Spanned<u32>,
    seed: Option<u64>,
    traces: Option<Vec<String>>,
    region: Option<String>,
    azure_region: Option<String>,
    gcp_region: Option<String>,
    free_tier: Option<bool>,
    new_account_offers: Option<bool>,
    front_door: Option<Spanned<String>>,
    log_bytes_per_invocation: Option<u64>,
    response_bytes: Option<u64>,
    latency_slo_ms: Option<Spanned<f64>>,
    horizon_months: Option<Spanned<u32>>,
    growth_per_month: Option<Spanned<f64>>,
    cpu_bound_fraction: Option<Spanned<f64>>,
    fallback_duration_ms: Option<Spanned<f64>>,
    fluid_from_per_minute: Option<Spanned<u64>>,
    ops: Option<Spanned<RawOps>>,
    #[serde(default)]
    serverless: Vec<RawServerless>,
    #[serde(default)]
    provisioned: Vec<RawProvisioned>,
    #[serde(default)]
    hybrid: Vec<RawHybrid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOps {
    hours_per_server_per_month: f64,
    loaded_rate_usd_per_hour: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServerless {
    id: Spanned<String>,
    platform: Spanned<String>,
    memory_mb: Option<Spanned<u32>>,
    arch: Option<Spanned<String>>,
    keep_alive: Option<Spanned<String>>,
    provisioned_concurrency: Option<Spanned<toml::Value>>,
    ephemeral_storage_mb: Option<u32>,
    concurrency_per_instance: Option<Spanned<u32>>,
    concurrency_limit: Option<u32>,
    max_instances: Option<u32>,
    snapstart: Option<Spanned<String>>,
    instance_scope: Option<Spanned<String>>,
    commitment: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvisioned {
    id: Spanned<String>,
    platform: Spanned<String>,
    instance_type: String,
    strategy: Option<Spanned<String>>,
    target_utilization: Option<Spanned<f64>>,
    min_instances: Option<u32>,
    max_instances: Option<Spanned<u32>>,
    spare_instances: Option<u32>,
    boot_delay_s: Option<u64>,
    scale_in_cooldown_s: Option<u64>,
    commitment: Option<Spanned<String>>,
    slots_per_vcpu: Option<Spanned<f64>>,
    load_balancer: Option<Spanned<String>>,
    control_plane: Option<Spanned<String>>,
    nat_gateways: Option<Spanned<u32>>,
    nat_bytes_per_request: Option<Spanned<u64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHybrid {
    id: Spanned<String>,
    provisioned: Spanned<String>,
    serverless: Spanned<String>,
}

/// A scenario error: file, line, what is wrong, what to do.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {problem}; {hint}")]
pub struct ScenarioError {
    /// Scenario file.
    pub path: String,
    /// What is wrong (with the TOML line where known).
    pub problem: String,
    /// What to do.
    pub hint: String,
}

/// The longest execution a scenario may assume, ms (a day; no platform runs one longer).
const MAX_DURATION_MS: f64 = 86_400_000.0;

/// The most instances an option may name: far above any real fleet, low enough that fleet
/// arithmetic stays bounded.
const MAX_INSTANCES: u32 = 100_000;

/// Takes `value`, or `default` — recorded as `key = default` in `used` so the report can list it.
fn or_default<T: std::fmt::Display>(value: Option<T>, default: T, key: &str, used: &mut Vec<String>) -> T {
    match value {
        Some(v) => v,
        None => {
            used.push(format!("{key} = {default}"));
            default
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

/// Builds errors that name the file and the line of a value.
struct Errors<'a> {
    path: &'a str,
    text: &'a str,
}

impl Errors<'_> {
    fn at<T>(&self, value: &Spanned<T>, problem: String, hint: &str) -> ScenarioError {
        ScenarioError {
            path: self.path.to_string(),
            problem: format!("line {}: {problem}", line_of(self.text, value.span().start)),
            hint: hint.to_string(),
        }
    }

    fn whole(&self, problem: String, hint: &str) -> ScenarioError {
        ScenarioError {
            path: self.path.to_string(),
            problem,
            hint: hint.to_string(),
        }
    }
}

fn parse_arch(text: &str) -> Option<Arch> {
    match text {
        "x86" | "x86_64" => Some(Arch::X86),
        "arm64" => Some(Arch::Arm64),
        _ => None,
    }
}

fn parse_front_door(text: &str) -> Option<Option<FrontDoor>> {
    Some(match text {
        "rest-api" => Some(FrontDoor::RestApi),
        "http-api" => Some(FrontDoor::HttpApi),
        "function-url" => Some(FrontDoor::FunctionUrl),
        "alb" => Some(FrontDoor::Alb),
        "none" => None,
        _ => return None,
    })
}

/// A share in a range, or an error at its line.
fn in_range(
    e: &Errors<'_>,
    value: &Spanned<f64>,
    range: std::ops::RangeInclusive<f64>,
    key: &str,
    hint: &str,
) -> Result<f64, ScenarioError> {
    let v = *value.get_ref();
    if v.is_finite() && range.contains(&v) {
        Ok(v)
    } else {
        Err(e.at(value, format!("{key} {v} is out of range"), hint))
    }
}

impl Scenario {
    /// Reads a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
            path: path.display().to_string(),
            problem: format!("cannot read the scenario: {e}"),
            hint: "give the path of a faascost.toml".into(),
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Scenario::parse(&path.display().to_string(), &text, &dir)
    }

    /// Parses scenario text; `dir` resolves relative trace paths.
    pub fn parse(path: &str, text: &str, dir: &Path) -> Result<Scenario, ScenarioError> {
        let e = Errors { path, text };
        let raw: RawScenario = toml::from_str(text).map_err(|err| {
            let line = err.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            e.whole(
                format!("line {line}: {}", err.message().trim()),
                "see faascost.toml in the repository for every key with its unit",
            )
        })?;
        let version = *raw.schema_version.get_ref();
        if !SCENARIO_SCHEMA_VERSIONS.contains(&version) {
            return Err(e.at(
                &raw.schema_version,
                format!("schema_version {version} is not supported"),
                &format!(
                    "this faascost reads schema_version {}..={}",
                    SCENARIO_SCHEMA_VERSIONS.start(),
                    SCENARIO_SCHEMA_VERSIONS.end()
                ),
            ));
        }
        let mut assumptions = Vec::new();
        let mut default = |what: &str, value: &str| {
            assumptions.push(format!("{what}: {value} (default; set it in the scenario file)"));
        };
        let seed = raw.seed.unwrap_or_else(|| {
            default("seed", "1");
            1
        });
        let region = raw.region.unwrap_or_else(|| {
            default("region", "us-east-1");
            "us-east-1".into()
        });
        let azure_region = raw.azure_region.unwrap_or_else(|| {
            default("Azure region", "eastus");
            "eastus".into()
        });
        let gcp_region = raw.gcp_region.unwrap_or_else(|| {
            default("Google Cloud region", "us-central1");
            "us-central1".into()
        });
        let free_tier = raw.free_tier.unwrap_or_else(|| {
            default("free tier", "off");
            false
        });
        let new_account_offers = raw.new_account_offers.unwrap_or_else(|| {
            default("12-month new-account offers", "off");
            false
        });
        let front_door = match &raw.front_door {
            Some(f) => parse_front_door(f.get_ref()).ok_or_else(|| {
                e.at(
                    f,
                    format!("front_door '{}' is unknown", f.get_ref()),
                    "use rest-api, http-api, function-url, alb or none",
                )
            })?,
            None => {
                default("serverless front door", "function-url");
                Some(FrontDoor::FunctionUrl)
            }
        };
        let response_bytes = raw.response_bytes.unwrap_or_else(|| {
            default("response bytes per request (internet egress)", "0");
            0
        });
        let log_bytes_per_invocation = raw.log_bytes_per_invocation.unwrap_or_else(|| {
            default("log bytes per invocation", "0");
            0
        });
        let latency_slo_ms = match &raw.latency_slo_ms {
            Some(s) if *s.get_ref() > 0.0 && s.get_ref().is_finite() => *s.get_ref(),
            Some(s) => {
                return Err(e.at(
                    s,
                    format!("latency_slo_ms {} must be > 0", s.get_ref()),
                    "give the p99 target in ms",
                ))
            }
            None => {
                default("p99 added-latency SLO (ms)", "1000");
                1000.0
            }
        };
        let horizon_months = match &raw.horizon_months {
            Some(h) if (1..=120).contains(h.get_ref()) => *h.get_ref(),
            Some(h) => {
                return Err(e.at(
                    h,
                    format!("horizon_months {} is out of range", h.get_ref()),
                    "use 1 to 120 months",
                ))
            }
            None => {
                default("TCO horizon (months)", "36");
                36
            }
        };
        let growth_per_month = match &raw.growth_per_month {
            Some(g) => in_range(
                &e,
                g,
                -0.5..=1.0,
                "growth_per_month",
                "a monthly growth rate between -0.5 and 1.0 (0.02 = 2 %)",
            )?,
            None => {
                default("traffic growth per month", "0");
                0.0
            }
        };
        let cpu_bound_fraction = match &raw.cpu_bound_fraction {
            Some(f) if *f.get_ref() > 0.0 => in_range(&e, f, 0.0..=1.0, "cpu_bound_fraction", "use a share in (0, 1]")?,
            Some(f) => {
                return Err(e.at(
                    f,
                    format!("cpu_bound_fraction {} is out of range", f.get_ref()),
                    "use a share in (0, 1]",
                ))
            }
            None => {
                default("CPU-bound share of request duration", "0.5");
                0.5
            }
        };
        let ops = match &raw.ops {
            Some(o) => {
                let r = o.get_ref();
                let ok = |v: f64| v.is_finite() && v >= 0.0;
                if !ok(r.hours_per_server_per_month) || !ok(r.loaded_rate_usd_per_hour) {
                    return Err(e.at(
                        o,
                        "ops figures must be ≥ 0".into(),
                        "give hours per server per month and USD per hour",
                    ));
                }
                Some(Ops {
                    hours_per_server_per_month: r.hours_per_server_per_month,
                    loaded_rate_usd_per_hour: r.loaded_rate_usd_per_hour,
                })
            }
            None => None,
        };
        let fallback_duration_ms = match &raw.fallback_duration_ms {
            Some(d) => Some(in_range(
                &e,
                d,
                0.0..=MAX_DURATION_MS,
                "fallback_duration_ms",
                "give a duration in ms from 0 to 86,400,000 (a day)",
            )?),
            None => None,
        };
        let fluid_from_per_minute = match &raw.fluid_from_per_minute {
            Some(n) if *n.get_ref() == 0 => {
                return Err(e.at(
                    n,
                    "fluid_from_per_minute 0 is out of range".into(),
                    "give a count of invocations in one minute ≥ 1 (default 1,000,000)",
                ))
            }
            Some(n) => *n.get_ref(),
            None => crate::sim::fluid::FLUID_MIN_PER_MINUTE,
        };
        let traces = raw
            .traces
            .unwrap_or_default()
            .into_iter()
            .map(|t| {
                let p = PathBuf::from(&t);
                if p.is_absolute() {
                    p
                } else {
                    dir.join(p)
                }
            })
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        let mut check_id = |id: &Spanned<String>| -> Result<String, ScenarioError> {
            let name = id.get_ref();
            let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !plain {
                return Err(e.at(
                    id,
                    format!("option id '{name}' is not a plain name"),
                    "use letters, digits, - _ .",
                ));
            }
            if !ids.insert(name.clone()) {
                return Err(e.at(
                    id,
                    format!("option id '{name}' is used twice"),
                    "give every option its own id",
                ));
            }
            Ok(name.clone())
        };
        let mut option_defaults: Vec<(String, Vec<String>)> = Vec::new();
        let mut serverless = Vec::new();
        for s in raw.serverless {
            let id = check_id(&s.id)?;
            let line = line_of(text, s.id.span().start);
            let (opt, used) = serverless_option(&e, id.clone(), line, s)?;
            serverless.push(opt);
            option_defaults.push((id, used));
        }
        let mut provisioned = Vec::new();
        for p in raw.provisioned {
            let id = check_id(&p.id)?;
            let line = line_of(text, p.id.span().start);
            let (opt, used) = provisioned_option(&e, id.clone(), line, p)?;
            provisioned.push(opt);
            option_defaults.push((id, used));
        }
        let mut hybrid = Vec::new();
        for h in raw.hybrid {
            let id = check_id(&h.id)?;
            if !provisioned
                .iter()
                .any(|p: &ProvisionedOption| p.id == *h.provisioned.get_ref())
            {
                return Err(e.at(
                    &h.provisioned,
                    format!(
                        "hybrid '{id}' names provisioned option '{}', which is not defined",
                        h.provisioned.get_ref()
                    ),
                    "name a [[provisioned]] option's id",
                ));
            }
            if !serverless
                .iter()
                .any(|s: &ServerlessOption| s.id == *h.serverless.get_ref())
            {
                return Err(e.at(
                    &h.serverless,
                    format!(
                        "hybrid '{id}' names serverless option '{}', which is not defined",
                        h.serverless.get_ref()
                    ),
                    "name a [[serverless]] option's id",
                ));
            }
            hybrid.push(HybridOption {
                id,
                provisioned: h.provisioned.into_inner(),
                serverless: h.serverless.into_inner(),
            });
        }
        if serverless.is_empty() && provisioned.is_empty() {
            return Err(e.whole(
                "the scenario names no option to compare".into(),
                "add at least one [[serverless]] or [[provisioned]] option",
            ));
        }
        for (id, used) in option_defaults {
            if !used.is_empty() {
                assumptions.push(format!("option '{id}' defaults: {}", used.join(", ")));
            }
        }
        if ops.is_none() {
            assumptions.push(
                "ops labour is excluded: the scenario gives no [ops] hours per server per month and hourly rate".into(),
            );
        }
        Ok(Scenario {
            seed,
            traces,
            region,
            azure_region,
            gcp_region,
            free_tier,
            new_account_offers,
            front_door,
            log_bytes_per_invocation,
            response_bytes,
            latency_slo_ms,
            horizon_months,
            growth_per_month,
            cpu_bound_fraction,
            fallback_duration_ms,
            fluid_from_per_minute,
            ops,
            serverless,
            provisioned,
            hybrid,
            assumptions,
        })
    }
}

/// A `[[serverless]]` entry, typed, with the defaults it took.
fn serverless_option(
    e: &Errors<'_>,
    id: String,
    line: usize,
    s: RawServerless,
) -> Result<(ServerlessOption, Vec<String>), ScenarioError> {
    let mut used = Vec::new();
    let platform: ServerlessPlatform = s.platform.get_ref().parse().map_err(|msg: String| {
        e.at(
            &s.platform,
            format!("option '{id}': {msg}"),
            "name a serverless price table id",
        )
    })?;
    if let Some(mb) = &s.memory_mb {
        if !(1..=32_768).contains(mb.get_ref()) {
            return Err(e.at(
                mb,
                format!("option '{id}': memory_mb {} is out of range", mb.get_ref()),
                "give the function memory in MB (128 to 10,240 on Lambda; up to 32,768 on Cloud Run)",
            ));
        }
    }
    let arch = match &s.arch {
        Some(a) => parse_arch(a.get_ref()).ok_or_else(|| {
            e.at(
                a,
                format!("option '{id}': arch '{}' is unknown", a.get_ref()),
                "use x86 or arm64",
            )
        })?,
        None => {
            used.push("arch = x86".into());
            Arch::X86
        }
    };
    let keep_alive = match &s.keep_alive {
        Some(k) => k
            .get_ref()
            .parse::<KeepAliveSpec>()
            .map_err(|msg| e.at(k, format!("option '{id}': keep_alive: {msg}"), "fix keep_alive"))?,
        None => {
            used.push("keep_alive = provider".into());
            KeepAliveSpec::Provider
        }
    };
    let (provisioned_concurrency, provisioned_concurrency_text) = match &s.provisioned_concurrency {
        None => {
            // App Runner never scales to zero: its MinSize defaults to 1 provisioned instance
            // (pricing/aws-app-runner.toml, `provisioned_min`); every other platform, none.
            let level = u32::from(platform == ServerlessPlatform::AwsAppRunner);
            used.push(format!("provisioned_concurrency = {level}"));
            (ProvisionedSchedule::constant(level), level.to_string())
        }
        Some(v) => {
            let text = match v.get_ref() {
                toml::Value::Integer(n) if *n >= 0 && *n <= u32::MAX as i64 => n.to_string(),
                toml::Value::String(t) => t.clone(),
                other => {
                    return Err(e.at(
                        v,
                        format!("option '{id}': provisioned_concurrency {other} is not a count or a schedule"),
                        "give a whole number or a schedule such as \"08:00-20:00=10,else=2\"",
                    ))
                }
            };
            let schedule = text.parse::<ProvisionedSchedule>().map_err(|msg| {
                e.at(
                    v,
                    format!("option '{id}': provisioned_concurrency: {msg}"),
                    "give a whole number or a schedule such as \"08:00-20:00=10,else=2\"",
                )
            })?;
            (schedule, text)
        }
    };
    if let Some(c) = &s.concurrency_per_instance {
        if *c.get_ref() == 0 {
            return Err(e.at(
                c,
                format!("option '{id}': concurrency_per_instance 0"),
                "give at least 1 request per instance",
            ));
        }
    }
    let snapstart = match &s.snapstart {
        None => None,
        Some(v) => {
            let runtime = v.get_ref().parse::<SnapStartRuntime>().map_err(|msg| {
                e.at(
                    v,
                    format!("option '{id}': snapstart: {msg}"),
                    "give java, python or dotnet",
                )
            })?;
            // What AWS forbids with SnapStart (Lambda SnapStart limitations), and what its price needs.
            let refuse = |problem: &str, hint: &str| Err(e.at(v, format!("option '{id}': snapstart: {problem}"), hint));
            if platform != ServerlessPlatform::AwsLambda {
                return refuse(
                    &format!("SnapStart is a Lambda feature, not {platform}'s"),
                    "remove snapstart",
                );
            }
            if !provisioned_concurrency.is_zero() {
                return refuse(
                    "SnapStart cannot be used with provisioned concurrency",
                    "remove provisioned_concurrency or snapstart",
                );
            }
            if s.ephemeral_storage_mb.is_some_and(|mb| mb > 512) {
                return refuse(
                    "SnapStart cannot be used with ephemeral storage above 512 MB",
                    "set ephemeral_storage_mb to at most 512 or remove snapstart",
                );
            }
            if s.memory_mb.is_none() {
                return refuse(
                    "the snapshot cache is billed at the function memory, and the option gives none",
                    "set memory_mb",
                );
            }
            Some(runtime)
        }
    };
    let instance_scope = match &s.instance_scope {
        None => None,
        Some(v) => {
            let scope = v.get_ref().parse::<InstanceScope>().map_err(|msg| {
                e.at(
                    v,
                    format!("option '{id}': instance_scope: {msg}"),
                    "use function (one service per traced function), app (one per app) or workload (one service \
                     for the whole workload)",
                )
            })?;
            // The trace gives memory per function or per app, never for a service running all of
            // them: its size is the user's deployment choice.
            if scope == InstanceScope::Workload && s.memory_mb.is_none() {
                return Err(e.at(
                    v,
                    format!(
                        "option '{id}': instance_scope \"workload\" runs every function's code in one service, whose \
                         memory the trace cannot give (it records memory per function or per app)"
                    ),
                    "set memory_mb: the memory of one instance of that service",
                ));
            }
            Some(scope)
        }
    };
    // Only Lambda takes a commitment: on demand is listed as a default there alone.
    let mut defaults = Vec::new();
    let commitment = commitment(&s.commitment, &id, e, &mut defaults)?;
    if platform == ServerlessPlatform::AwsLambda {
        used.extend(defaults);
    }
    let opt = ServerlessOption {
        id,
        line,
        platform,
        memory_mb: s.memory_mb.map(Spanned::into_inner),
        arch,
        keep_alive,
        provisioned_concurrency,
        provisioned_concurrency_text,
        ephemeral_storage_mb: or_default(s.ephemeral_storage_mb, 512, "ephemeral_storage_mb", &mut used),
        concurrency_per_instance: s.concurrency_per_instance.map(Spanned::into_inner),
        concurrency_limit: s.concurrency_limit,
        max_instances: s.max_instances,
        snapstart,
        instance_scope,
        commitment,
    };
    Ok((opt, used))
}

/// An option's `commitment`: `on-demand` (the default, recorded in `used` for the caller to
/// list) or a term of its price table (checked against the table with the catalog); empty is an
/// error.
fn commitment(
    value: &Option<Spanned<String>>,
    id: &str,
    e: &Errors<'_>,
    used: &mut Vec<String>,
) -> Result<Commitment, ScenarioError> {
    match value {
        Some(c) if c.get_ref() == "on-demand" => Ok(Commitment::OnDemand),
        Some(c) if !c.get_ref().trim().is_empty() => Ok(Commitment::Term(c.get_ref().clone())),
        Some(c) => Err(e.at(
            c,
            format!("option '{id}': commitment is empty"),
            "use on-demand or a commitment term of the price table",
        )),
        None => {
            used.push("commitment = on-demand".into());
            Ok(Commitment::OnDemand)
        }
    }
}

/// A `[[provisioned]]` entry, typed, with the defaults it took.
fn provisioned_option(
    e: &Errors<'_>,
    id: String,
    line: usize,
    p: RawProvisioned,
) -> Result<(ProvisionedOption, Vec<String>), ScenarioError> {
    let mut used = Vec::new();
    let platform: InstancePlatform = p.platform.get_ref().parse().map_err(|msg: String| {
        e.at(
            &p.platform,
            format!("option '{id}': {msg}"),
            "name a server or container price table id",
        )
    })?;
    let strategy = match &p.strategy {
        Some(s) => match s.get_ref().as_str() {
            "autoscale" => Strategy::Autoscale,
            "static-peak" => Strategy::StaticPeak,
            other => {
                return Err(e.at(
                    s,
                    format!("option '{id}': strategy '{other}' is unknown"),
                    "use static-peak or autoscale",
                ))
            }
        },
        None => {
            used.push("strategy = autoscale".into());
            Strategy::Autoscale
        }
    };
    let target_utilization = match &p.target_utilization {
        Some(t) => in_range(
            e,
            t,
            0.05..=1.0,
            &format!("option '{id}': target_utilization"),
            "use a share between 0.05 and 1",
        )?,
        None => or_default(None, 0.6, "target_utilization", &mut used),
    };
    let slots_per_vcpu = match &p.slots_per_vcpu {
        Some(s) if *s.get_ref() > 0.0 => Some(in_range(
            e,
            s,
            0.0..=1_000.0,
            &format!("option '{id}': slots_per_vcpu"),
            "give the concurrent requests one vCPU serves, > 0 and ≤ 1,000 (default 1 / cpu_bound_fraction)",
        )?),
        Some(s) => {
            return Err(e.at(
                s,
                format!("option '{id}': slots_per_vcpu {} is out of range", s.get_ref()),
                "give the concurrent requests one vCPU serves, > 0 (default 1 / cpu_bound_fraction)",
            ))
        }
        None => None,
    };
    let commitment = commitment(&p.commitment, &id, e, &mut used)?;
    let load_balancer = match &p.load_balancer {
        Some(l) => match l.get_ref().as_str() {
            "aws-alb" => Some(LoadBalancer::AwsAlb),
            "none" => None,
            other => {
                return Err(e.at(
                    l,
                    format!("option '{id}': load_balancer '{other}' is unknown"),
                    "use aws-alb or none",
                ))
            }
        },
        None => {
            used.push("load_balancer = none".into());
            None
        }
    };
    let control_plane = match &p.control_plane {
        Some(c) => match c.get_ref().as_str() {
            "aws-eks" => Some(ControlPlane::AwsEks),
            "none" => None,
            other => {
                return Err(e.at(
                    c,
                    format!("option '{id}': control_plane '{other}' is unknown"),
                    "use aws-eks or none",
                ))
            }
        },
        None => {
            used.push("control_plane = none".into());
            None
        }
    };
    let aws = matches!(platform, InstancePlatform::AwsEc2 | InstancePlatform::AwsFargate);
    if let Some(n) = p.nat_gateways.as_ref().filter(|n| *n.get_ref() > 0 && !aws) {
        return Err(e.at(
            n,
            format!("option '{id}': nat_gateways on {platform}"),
            "NAT gateways are priced on AWS (aws-ec2, aws-fargate); remove nat_gateways",
        ));
    }
    let nat_gateways = p.nat_gateways.as_ref().map_or(0, |n| *n.get_ref());
    if let Some(b) = p
        .nat_bytes_per_request
        .as_ref()
        .filter(|b| *b.get_ref() > 0 && nat_gateways == 0)
    {
        return Err(e.at(
            b,
            format!("option '{id}': nat_bytes_per_request without nat_gateways"),
            "set nat_gateways to the NAT gateways the private subnets use, or remove nat_bytes_per_request",
        ));
    }
    if p.nat_gateways.is_none() && aws {
        used.push("nat_gateways = 0 (servers in public subnets, each with a public IPv4 address)".into());
    }
    let min_instances = or_default(p.min_instances, 2, "min_instances", &mut used).max(1);
    if min_instances > MAX_INSTANCES {
        return Err(e.whole(
            format!("option '{id}': min_instances {min_instances} is above {MAX_INSTANCES}"),
            "give a fleet size up to 100,000 instances",
        ));
    }
    let max_instances = match &p.max_instances {
        Some(m) if *m.get_ref() > MAX_INSTANCES => {
            return Err(e.at(
                m,
                format!("option '{id}': max_instances {} is above {MAX_INSTANCES}", m.get_ref()),
                "give a fleet size up to 100,000 instances",
            ))
        }
        Some(m) if *m.get_ref() >= min_instances => *m.get_ref(),
        Some(m) => {
            return Err(e.at(
                m,
                format!(
                    "option '{id}': max_instances {} is below min_instances {min_instances}",
                    m.get_ref()
                ),
                "give max_instances ≥ min_instances",
            ))
        }
        None => or_default(None, 1_000, "max_instances", &mut used),
    };
    let opt = ProvisionedOption {
        id,
        line,
        platform,
        instance_type: p.instance_type,
        strategy,
        target_utilization,
        min_instances,
        max_instances,
        spare_instances: or_default(p.spare_instances, 1, "spare_instances", &mut used),
        boot_delay_ms: or_default(p.boot_delay_s, 180, "boot_delay_s", &mut used).saturating_mul(1_000),
        scale_in_cooldown_ms: or_default(p.scale_in_cooldown_s, 300, "scale_in_cooldown_s", &mut used)
            .saturating_mul(1_000),
        commitment,
        slots_per_vcpu,
        load_balancer,
        control_plane,
        nat_gateways,
        nat_bytes_per_request: p.nat_bytes_per_request.map_or(0, Spanned::into_inner),
    };
    Ok((opt, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_parses() {
        let s = Scenario::default_scenario();
        assert_eq!(s.seed, 42);
        assert_eq!(s.traces, vec![PathBuf::from("datasets/default/.")]);
        assert_eq!(s.serverless.len(), 4);
        assert_eq!(s.provisioned.len(), 4);
        assert_eq!(s.provisioned[1].strategy, Strategy::StaticPeak);
        assert_eq!(s.provisioned[0].boot_delay_ms, 180_000);
        assert_eq!(s.serverless[0].arch, Arch::Arm64);
        assert_eq!(s.serverless[0].platform, ServerlessPlatform::AwsLambda);
        assert_eq!(s.provisioned[0].load_balancer, Some(LoadBalancer::AwsAlb));
        assert_eq!(
            s.provisioned[1].commitment,
            Commitment::Term("ri-standard-1yr-no-upfront".into())
        );
        assert_eq!(s.hybrid[0].serverless, "lambda-arm64");
        assert!(s.assumptions.iter().any(|a| a.contains("ops labour is excluded")));
    }

    fn parse_err(text: &str) -> String {
        Scenario::parse("s.toml", text, Path::new(".")).unwrap_err().to_string()
    }

    #[test]
    fn network_keys_are_checked_and_defaulted() {
        let base = "schema_version = 1\n[[provisioned]]\nid = \"p\"\ninstance_type = \"1vcpu-2gb\"\n";
        let e = parse_err(&format!("{base}platform = \"gcp-cloud-run\"\nnat_gateways = 1\n"));
        assert!(e.contains("line 6: option 'p': nat_gateways on gcp-cloud-run"), "{e}");
        let e = parse_err(&format!("{base}platform = \"aws-ec2\"\nnat_bytes_per_request = 100\n"));
        assert!(
            e.contains("line 6: option 'p': nat_bytes_per_request without nat_gateways"),
            "{e}"
        );
        let text = "schema_version = 1\nresponse_bytes = 5\nnew_account_offers = true\n[[provisioned]]\nid = \"p\"\n\
                    instance_type = \"m7g.large\"\nplatform = \"aws-ec2\"\nnat_gateways = 2\nnat_bytes_per_request = 100\n";
        let s = Scenario::parse("s.toml", text, Path::new(".")).unwrap();
        let p = &s.provisioned[0];
        assert_eq!((p.nat_gateways, p.nat_bytes_per_request), (2, 100));
        assert_eq!((s.response_bytes, s.new_account_offers, s.free_tier), (5, true, false));
        // Defaults are listed: no egress, no new-account offers, public subnets.
        let d = Scenario::parse("s.toml", &format!("{base}platform = \"aws-ec2\"\n"), Path::new(".")).unwrap();
        let said = |t: &str| d.assumptions.iter().any(|a| a.contains(t));
        assert!(
            said("response bytes per request (internet egress)"),
            "{:?}",
            d.assumptions
        );
        assert!(said("12-month new-account offers"), "{:?}", d.assumptions);
        assert!(
            said("nat_gateways = 0 (servers in public subnets"),
            "{:?}",
            d.assumptions
        );
    }

    #[test]
    fn fluid_from_per_minute_is_a_count_of_at_least_one() {
        let base = "schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n";
        let parse = |text: &str| Scenario::parse("s.toml", text, Path::new("."));
        assert_eq!(
            parse(base).unwrap().fluid_from_per_minute,
            crate::sim::fluid::FLUID_MIN_PER_MINUTE
        );
        let set = parse(&format!("fluid_from_per_minute = 50000\n{base}")).unwrap();
        assert_eq!(set.fluid_from_per_minute, 50_000);
        let e = parse_err(&format!("fluid_from_per_minute = 0\n{base}"));
        assert!(
            e.contains("line 1: fluid_from_per_minute 0 is out of range") && e.contains("≥ 1"),
            "{e}"
        );
        let e = parse_err(&format!("fluid_from_per_minute = -5\n{base}"));
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn errors_name_the_line_and_what_to_do() {
        let e = parse_err("schema_version = 1\nseeed = 3\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n");
        assert!(e.starts_with("s.toml: line 2: unknown field `seeed`"), "{e}");
        let e = parse_err("schema_version = 9\n");
        assert!(
            e.contains("line 1: schema_version 9 is not supported") && e.contains("1..=1"),
            "{e}"
        );
        let dup = "schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n";
        let e = parse_err(dup);
        assert!(e.contains("line 6: option id 'a' is used twice"), "{e}");
        let hybrid = "schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n[[hybrid]]\nid = \"h\"\nprovisioned = \"x\"\nserverless = \"a\"\n";
        let e = parse_err(hybrid);
        assert!(e.contains("line 7:") && e.contains("'x', which is not defined"), "{e}");
    }

    #[test]
    fn typos_in_typed_values_name_their_line() {
        let base = "schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n";
        let e = parse_err(&format!("{base}keep_alive = \"fixd:10m\"\n"));
        assert!(
            e.starts_with("s.toml: line 5: option 'a': keep_alive: keep-alive 'fixd:10m'"),
            "{e}"
        );
        let e = parse_err(&format!("{base}arch = \"arm\"\n"));
        assert!(
            e.contains("line 5: option 'a': arch 'arm' is unknown; use x86 or arm64"),
            "{e}"
        );
        let e = parse_err(&format!("{base}provisioned_concurrency = \"08:00-25:00=3\"\n"));
        assert!(e.contains("line 5: option 'a': provisioned_concurrency"), "{e}");
        let e = parse_err("schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"azure-functions\"\n");
        assert!(
            e.contains("line 4: option 'a': unknown serverless platform 'azure-functions'")
                && e.contains("azure-functions-consumption"),
            "{e}"
        );
        let e = parse_err(
            "schema_version = 1\nfront_door = \"apigw\"\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n",
        );
        assert!(e.contains("line 2: front_door 'apigw' is unknown"), "{e}");
        let prov =
            "schema_version = 1\n[[provisioned]]\nid = \"p\"\nplatform = \"aws-ec2\"\ninstance_type = \"m7g.large\"\n";
        let e = parse_err(&format!("{prov}strategy = \"static\"\n"));
        assert!(e.contains("line 6: option 'p': strategy 'static' is unknown"), "{e}");
        let e = parse_err(&format!("{prov}load_balancer = \"nlb\"\n"));
        assert!(e.contains("line 6: option 'p': load_balancer 'nlb' is unknown"), "{e}");
        let e = parse_err(&format!("{prov}min_instances = 5\nmax_instances = 2\n"));
        assert!(
            e.contains("line 7: option 'p': max_instances 2 is below min_instances 5"),
            "{e}"
        );
    }

    #[test]
    fn instance_scope_is_typed_and_workload_needs_memory() {
        let base = "schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"aws-app-runner\"\n";
        let scope = |extra: &str| {
            Scenario::parse("s.toml", &format!("{base}{extra}"), Path::new("."))
                .unwrap()
                .serverless[0]
                .instance_scope
        };
        assert_eq!(scope(""), None);
        assert_eq!(scope("instance_scope = \"app\"\n"), Some(InstanceScope::App));
        assert_eq!(scope("instance_scope = \"function\"\n"), Some(InstanceScope::Function));
        assert_eq!(
            scope("memory_mb = 2048\ninstance_scope = \"workload\"\n"),
            Some(InstanceScope::Workload)
        );
        let e = parse_err(&format!("{base}instance_scope = \"service\"\n"));
        assert!(
            e.starts_with("s.toml: line 5: option 'a': instance_scope: unknown instance scope 'service'; use function"),
            "{e}"
        );
        let e = parse_err(&format!("{base}instance_scope = \"workload\"\n"));
        assert!(
            e.contains("line 5: option 'a': instance_scope \"workload\" runs every function's code in one service")
                && e.ends_with("set memory_mb: the memory of one instance of that service"),
            "{e}"
        );
        let e = parse_err(&format!("{base}instance_scope = 1\n"));
        assert!(e.contains("line 5:"), "{e}");
    }

    #[test]
    fn defaults_are_listed_as_assumptions() {
        let s = Scenario::parse(
            "s.toml",
            "schema_version = 1\n[[serverless]]\nid = \"a\"\nplatform = \"aws-lambda\"\n",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(s.horizon_months, 36);
        assert_eq!(s.serverless[0].keep_alive, KeepAliveSpec::Provider);
        assert!(s
            .assumptions
            .iter()
            .any(|a| a.starts_with("TCO horizon (months): 36 (default")));
        assert!(s.assumptions.iter().any(|a| a.starts_with("free tier: off")));
        assert!(s
            .assumptions
            .iter()
            .any(|a| a.contains("option 'a' defaults: arch = x86, keep_alive = provider")));
    }

    #[test]
    fn app_runner_keeps_one_instance_by_default_and_snapstart_is_checked() {
        let s = Scenario::parse(
            "s.toml",
            "schema_version = 1\n[[serverless]]\nid = \"ar\"\nplatform = \"aws-app-runner\"\n\
             [[serverless]]\nid = \"l\"\nplatform = \"aws-lambda\"\nmemory_mb = 512\nsnapstart = \"dotnet\"\n",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(
            s.serverless[0].provisioned_concurrency,
            ProvisionedSchedule::constant(1)
        );
        assert!(s
            .assumptions
            .iter()
            .any(|a| a.contains("option 'ar' defaults") && a.contains("provisioned_concurrency = 1")));
        assert_eq!(
            s.serverless[1].provisioned_concurrency,
            ProvisionedSchedule::constant(0)
        );
        // One function version of 512 MB per function: 3 functions cache 1,536 MB.
        let snap = s.serverless[1].snapstart_for(3).unwrap();
        assert_eq!((snap.runtime.name(), snap.cached_mb), ("dotnet", 1_536));
        assert!(s.serverless[0].snapstart_for(3).is_none());
        let e = parse_err(
            "schema_version = 1\n[[serverless]]\nid = \"c\"\nplatform = \"gcp-cloud-run\"\nmemory_mb = 512\n\
             snapstart = \"java\"\n",
        );
        assert!(
            e.contains("line 6: option 'c': snapstart: SnapStart is a Lambda feature"),
            "{e}"
        );
    }
}
