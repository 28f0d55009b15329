//! Platform behaviour models for the serverless engine: default keep-alive, cold-start latency
//! by runtime, per-instance concurrency, account concurrency limit, billing grain and CPU per MB.
//! Behaviour only — never prices. The facts live in `platforms/*.toml` (one per platform, each
//! figure with its source and a `verified` flag; figures from ../shared/reference/pricing-facts.md),
//! embedded with `include_str!` and parsed with serde + toml into a plain [`PlatformModel`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use super::SimError;

/// The platforms the engine models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PlatformId {
    /// AWS Lambda (on-demand, with provisioned concurrency).
    #[serde(rename = "aws-lambda")]
    AwsLambda,
    /// Azure Functions, Consumption plan.
    #[serde(rename = "azure-functions")]
    AzureFunctions,
    /// Google Cloud Run (and Cloud Run functions), request-based billing.
    #[serde(rename = "gcp-cloud-run")]
    GcpCloudRun,
    /// Cloudflare Workers, Standard usage model.
    #[serde(rename = "cloudflare-workers")]
    CloudflareWorkers,
}

impl PlatformId {
    /// Every platform, in a stable order.
    pub const ALL: [PlatformId; 4] = [
        PlatformId::AwsLambda,
        PlatformId::AzureFunctions,
        PlatformId::GcpCloudRun,
        PlatformId::CloudflareWorkers,
    ];

    /// The id used on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            PlatformId::AwsLambda => "aws-lambda",
            PlatformId::AzureFunctions => "azure-functions",
            PlatformId::GcpCloudRun => "gcp-cloud-run",
            PlatformId::CloudflareWorkers => "cloudflare-workers",
        }
    }

    /// The embedded TOML behaviour file.
    fn toml_text(self) -> &'static str {
        match self {
            PlatformId::AwsLambda => include_str!("../../platforms/aws-lambda.toml"),
            PlatformId::AzureFunctions => include_str!("../../platforms/azure-functions.toml"),
            PlatformId::GcpCloudRun => include_str!("../../platforms/gcp-cloud-run.toml"),
            PlatformId::CloudflareWorkers => include_str!("../../platforms/cloudflare-workers.toml"),
        }
    }

    /// Loads this platform's embedded behaviour model.
    pub fn model(self) -> Result<PlatformModel, SimError> {
        PlatformModel::from_toml(self.toml_text(), &format!("platforms/{}.toml", self.name()))
    }
}

impl fmt::Display for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for PlatformId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PlatformId::ALL
            .into_iter()
            .find(|p| p.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                let names: Vec<&str> = PlatformId::ALL.iter().map(|p| p.name()).collect();
                format!("unknown platform '{s}'; expected one of {}", names.join(", "))
            })
    }
}

/// Which requests share instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceScope {
    /// Each function has its own instances (Lambda, Cloud Run, Workers).
    Function,
    /// All functions of an app share instances (Azure Functions).
    App,
}

/// What the platform bills execution time on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BillingBasis {
    /// Each request's duration, rounded per request (Lambda, Azure Consumption).
    Request,
    /// Instance time with at least one request in flight, rounded per busy period
    /// (Cloud Run request-based billing with concurrency > 1).
    Instance,
}

/// A cold-start (init) latency distribution, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename_all = "lowercase", deny_unknown_fields)]
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

    /// Parses the `--cold-start-ms` syntax: `N`, `const:N`, `exp:MEAN`, `lognormal:MEDIAN:SIGMA`,
    /// `uniform:MIN:MAX` (all in ms).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let expected = "expected N, const:N, exp:MEAN, lognormal:MEDIAN:SIGMA or uniform:MIN:MAX (ms)";
        let num = |s: &str| -> Result<f64, String> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("'{s}' in cold-start '{text}' is not a non-negative number; {expected}"))
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
                sigma: num(s)?,
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

/// Where a behaviour figure comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactSource {
    /// The source and what it says.
    pub text: String,
    /// Whether it was read from a vendor page or doc (pricing-facts status V).
    pub verified: bool,
}

/// A platform's behaviour as the engine uses it: a plain struct, deserialized from
/// `platforms/<id>.toml`, so the facts can move next to the price tables later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformModel {
    /// File schema version (1).
    pub schema_version: u32,
    /// Platform id, as on the command line.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Which requests share instances.
    pub instance_scope: InstanceScope,
    /// Default requests in flight per instance.
    pub per_instance_concurrency: u32,
    /// Largest configurable per-instance concurrency.
    pub max_per_instance_concurrency: u32,
    /// Default account-level concurrency limit (requests in flight); 0 = none.
    pub account_concurrency_limit: u32,
    /// What execution time is billed on.
    pub billing_basis: BillingBasis,
    /// Billing grain: each billed duration is rounded up to a multiple of this.
    pub billing_grain_ms: u64,
    /// Minimum billed duration per request (or busy period).
    pub min_billed_ms: u64,
    /// Whether init (cold start) time is billed.
    pub bills_init: bool,
    /// Memory per vCPU in MB (CPU share ∝ memory); 0 = CPU does not scale with memory.
    pub mb_per_vcpu: u32,
    /// Largest vCPU share.
    pub max_vcpu: f64,
    /// Memory used when neither the flag nor the trace gives one.
    pub default_memory_mb: u32,
    /// Smallest configurable memory.
    pub min_memory_mb: u32,
    /// Largest configurable memory.
    pub max_memory_mb: u32,
    /// Memory is rounded up to a multiple of this (Azure meters 128 MB steps).
    #[serde(default = "one")]
    pub memory_step_mb: u32,
    /// The provider's keep-alive (idle time before an instance is reclaimed).
    pub default_keep_alive_ms: u64,
    /// Runtime used when `--runtime` is not given.
    pub default_runtime: String,
    /// Ephemeral storage configured by default, in MB (Lambda: 512 MB included).
    pub ephemeral_storage_mb: u32,
    /// Cold-start latency by runtime.
    pub cold_start: BTreeMap<String, ColdStartDist>,
    /// Sources of the figures above, by topic.
    pub sources: BTreeMap<String, FactSource>,
}

fn one() -> u32 {
    1
}

impl PlatformModel {
    /// Parses and checks a behaviour file; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, SimError> {
        let model: PlatformModel = toml::from_str(text).map_err(|e| SimError::Platform {
            origin: origin.to_string(),
            problem: e.to_string(),
        })?;
        model.validate(origin)?;
        Ok(model)
    }

    fn validate(&self, origin: &str) -> Result<(), SimError> {
        let fail = |problem: String| {
            Err(SimError::Platform {
                origin: origin.to_string(),
                problem,
            })
        };
        if self.schema_version != 1 {
            return fail(format!(
                "schema_version {} is not supported (expected 1)",
                self.schema_version
            ));
        }
        if self.per_instance_concurrency == 0 || self.per_instance_concurrency > self.max_per_instance_concurrency {
            return fail("per_instance_concurrency must be between 1 and max_per_instance_concurrency".into());
        }
        if self.billing_grain_ms == 0 {
            return fail("billing_grain_ms must be at least 1".into());
        }
        if self.memory_step_mb == 0 || self.min_memory_mb == 0 || self.min_memory_mb > self.max_memory_mb {
            return fail("memory bounds must satisfy 0 < min_memory_mb <= max_memory_mb, memory_step_mb >= 1".into());
        }
        if !self.cold_start.contains_key(&self.default_runtime) {
            return fail(format!(
                "default_runtime '{}' has no [cold_start] entry",
                self.default_runtime
            ));
        }
        Ok(())
    }

    /// Bills one duration: at least `min_billed_ms`, rounded up to the grain.
    pub fn billed_ms(&self, duration_ms: u64) -> u64 {
        duration_ms.max(self.min_billed_ms).div_ceil(self.billing_grain_ms) * self.billing_grain_ms
    }

    /// Memory as the platform configures it: clamped to its range, rounded up to its step.
    pub fn clamp_memory_mb(&self, memory_mb: u32) -> u32 {
        let m = memory_mb.clamp(self.min_memory_mb, self.max_memory_mb);
        m.div_ceil(self.memory_step_mb) * self.memory_step_mb
    }

    /// vCPU share at `memory_mb`, or `None` when CPU does not scale with memory here.
    pub fn vcpu(&self, memory_mb: u32) -> Option<f64> {
        (self.mb_per_vcpu > 0).then(|| (memory_mb as f64 / self.mb_per_vcpu as f64).min(self.max_vcpu))
    }

    /// The cold-start distribution of `runtime`, or an error listing the known runtimes.
    pub fn cold_start_for(&self, runtime: &str) -> Result<ColdStartDist, SimError> {
        self.cold_start.get(runtime).copied().ok_or_else(|| {
            SimError::Config(format!(
                "platform {} has no cold-start figures for runtime '{runtime}'; use one of {} or give --cold-start-ms",
                self.id,
                self.cold_start.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_platform_parses() {
        for p in PlatformId::ALL {
            let m = p.model().unwrap();
            assert_eq!(m.id, p.name());
            assert!(!m.sources.is_empty());
        }
    }

    #[test]
    fn lambda_rules() {
        let m = PlatformId::AwsLambda.model().unwrap();
        assert_eq!(m.per_instance_concurrency, 1);
        assert_eq!(m.account_concurrency_limit, 1000);
        assert_eq!(m.billed_ms(0), 1);
        assert_eq!(m.billed_ms(1234), 1234);
        // 1,769 MB = 1 vCPU; 10,240 MB = 6 vCPU cap (10240/1769 = 5.79 < 6).
        assert!((m.vcpu(1769).unwrap() - 1.0).abs() < 1e-12);
        assert!((m.vcpu(10240).unwrap() - 10240.0 / 1769.0).abs() < 1e-12);
        assert_eq!(m.clamp_memory_mb(64), 128);
    }

    #[test]
    fn cloud_run_and_azure_rounding() {
        let run = PlatformId::GcpCloudRun.model().unwrap();
        assert_eq!(run.billed_ms(1), 100);
        assert_eq!(run.billed_ms(101), 200);
        let az = PlatformId::AzureFunctions.model().unwrap();
        assert_eq!(az.billed_ms(30), 100);
        assert_eq!(az.billed_ms(101), 101);
        assert_eq!(az.clamp_memory_mb(129), 256);
        assert_eq!(az.clamp_memory_mb(4000), 1536);
        assert!(az.vcpu(1536).is_none());
    }

    #[test]
    fn cold_start_syntax() {
        assert_eq!(
            ColdStartDist::parse("250").unwrap(),
            ColdStartDist::Constant { ms: 250 }
        );
        assert_eq!(
            ColdStartDist::parse("exp:253").unwrap(),
            ColdStartDist::Exponential { mean_ms: 253.0 }
        );
        let ln = ColdStartDist::parse("lognormal:200:0.5").unwrap();
        // mean = 200 · e^{0.125} = 226.63
        assert!((ln.mean_ms() - 226.6297).abs() < 1e-3);
        assert!(ColdStartDist::parse("uniform:5:1").is_err());
        assert!(ColdStartDist::parse("gamma:1").is_err());
        assert!(ColdStartDist::parse("-3").is_err());
        for text in ["250", "exp:253", "lognormal:225:0.21", "uniform:5:9"] {
            assert_eq!(ColdStartDist::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn bad_toml_is_named() {
        let err = PlatformModel::from_toml("schema_version = 1\nbogus = 2", "x.toml").unwrap_err();
        assert!(err.to_string().contains("x.toml"), "{err}");
    }
}
