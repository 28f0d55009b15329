//! The platform a serverless replay runs on: its facts (instance scope, concurrency, memory
//! options, CPU per memory, keep-alive, cold starts) read from its price table's `[behaviour]`
//! section (`pricing/<id>.toml`, or a `--pricing DIR` table), the one home of them. Behaviour
//! only: no prices and no billing rule ever reach the simulator.

use crate::platform::ServerlessPlatform;
use crate::pricing::{Behaviour, Catalog, ColdStartDist};

use super::SimError;

/// A serverless platform as the engine replays it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformModel {
    /// Which platform.
    pub platform: ServerlessPlatform,
    /// Its facts, from its price table.
    pub facts: Behaviour,
    /// Where the facts were read (the table's path, or `embedded:pricing/<id>.toml`).
    pub origin: String,
}

impl PlatformModel {
    /// The facts of `platform` from its table in `catalog`.
    pub fn from_catalog(catalog: &Catalog, platform: ServerlessPlatform) -> Result<Self, SimError> {
        let table = catalog.get(platform.id()).map_err(|problem| SimError::Platform {
            origin: platform.id().to_string(),
            problem,
        })?;
        let facts = table.behaviour.clone().ok_or_else(|| SimError::Platform {
            origin: table.origin.clone(),
            problem: "the price table has no [behaviour] section; the simulator needs the platform's facts \
                      (instance scope, concurrency, memory, keep-alive, cold starts)"
                .to_string(),
        })?;
        Ok(PlatformModel {
            platform,
            facts,
            origin: table.origin.clone(),
        })
    }

    /// The platform's id (its price table's id).
    pub fn id(&self) -> &'static str {
        self.platform.id()
    }

    /// The cold-start distribution of `runtime`, or an error listing the known runtimes.
    pub fn cold_start_for(&self, runtime: &str) -> Result<ColdStartDist, SimError> {
        self.facts.cold_start.get(runtime).map(|c| c.dist).ok_or_else(|| {
            SimError::Config(format!(
                "platform {} has no cold-start figure for runtime '{runtime}'; use one of {} or give --cold-start-ms",
                self.id(),
                self.facts.cold_start.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{InstanceScope, MemoryOptions};

    fn model(p: ServerlessPlatform) -> PlatformModel {
        PlatformModel::from_catalog(&Catalog::embedded().unwrap(), p).unwrap()
    }

    #[test]
    fn every_serverless_platform_has_facts_in_its_price_table() {
        for p in ServerlessPlatform::ALL {
            let m = model(p);
            assert_eq!(m.id(), p.id());
            assert!(m.cold_start_for(&m.facts.default_runtime).is_ok(), "{p}");
            assert_eq!(m.origin, format!("embedded:pricing/{}.toml", p.id()));
        }
    }

    #[test]
    fn lambda_facts() {
        let m = model(ServerlessPlatform::AwsLambda);
        assert_eq!(m.facts.per_instance_concurrency_default, 1);
        assert_eq!(m.facts.account_concurrency_limit, Some(1000));
        assert_eq!(m.facts.instance_scope, InstanceScope::Function);
        // 1,769 MB = 1 vCPU; 10,240 MB = 5.79 vCPU (below the 6 vCPU cap).
        assert!((m.facts.vcpu(1769).unwrap() - 1.0).abs() < 1e-12);
        assert!((m.facts.vcpu(10240).unwrap() - 10240.0 / 1769.0).abs() < 1e-12);
        assert_eq!(m.facts.memory.configure_mb(64), 128);
        assert_eq!(m.facts.max_request_bytes, Some(6 * 1024 * 1024));
        assert_eq!(m.facts.init_limit_ms, Some(10_000));
        assert!(m.facts.cold_start_memory.as_ref().is_some_and(|c| !c.verified));
        assert_eq!(
            m.cold_start_for("node").unwrap(),
            ColdStartDist::Lognormal {
                median_ms: 225.0,
                sigma: 0.21
            }
        );
        let e = m.cold_start_for("nodejs").unwrap_err().to_string();
        assert!(e.contains("java-snapstart") && e.contains("--cold-start-ms"), "{e}");
    }

    #[test]
    fn azure_consumption_and_flex_differ() {
        let c = model(ServerlessPlatform::AzureConsumption);
        assert_eq!(c.facts.memory.configure_mb(129), 256);
        assert_eq!(c.facts.memory.configure_mb(2048), 1536);
        assert_eq!(c.facts.per_instance_concurrency_default, 100);
        assert!(c.facts.vcpu(1536).is_none());
        let f = model(ServerlessPlatform::AzureFlex);
        assert_eq!(f.facts.memory, MemoryOptions::Sizes(vec![512, 2048, 4096]));
        assert_eq!(f.facts.default_memory_mb, 2048);
        assert_eq!(f.facts.memory.configure_mb(2048), 2048);
        assert_eq!(f.facts.memory.configure_mb(1536), 2048);
        assert_eq!(f.facts.memory.configure_mb(128), 512);
        assert_eq!(f.facts.memory.configure_mb(8192), 4096);
        assert_eq!(f.facts.per_instance_concurrency_default, 16);
        assert_eq!(f.facts.instance_scope, InstanceScope::App);
        assert!(!f.facts.cold_start["python"].verified);
        // CPU ∝ memory, 2,048 MB = 1 vCPU (an assumption, unverified).
        assert!((f.facts.vcpu(4096).unwrap() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn container_platforms_facts() {
        // App Runner: 100 requests per instance (MaxConcurrency default), at least 1 provisioned
        // instance (MinSize), 2,048 MB = 1 vCPU; the simulator keeps that instance by default.
        let a = model(ServerlessPlatform::AwsAppRunner);
        assert_eq!(a.facts.per_instance_concurrency_default, 100);
        assert_eq!((a.facts.provisioned_min, a.facts.provisioned_max), (1, Some(25)));
        assert!((a.facts.vcpu(2_048).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(crate::sim::SimConfig::new(a).provisioned.max_level(), 1);
        // Container Apps: 10 concurrent requests per replica (HTTP scale rule default), 300 s
        // cool-down, 0.25 vCPU per 512 MB, scale to zero.
        let c = model(ServerlessPlatform::AzureContainerApps);
        assert_eq!(c.facts.per_instance_concurrency_default, 10);
        assert_eq!(c.facts.default_keep_alive_ms, 300_000);
        assert!((c.facts.vcpu(512).unwrap() - 0.25).abs() < 1e-12);
        assert_eq!(c.facts.memory.configure_mb(700), 1_024);
        assert_eq!(crate::sim::SimConfig::new(c).provisioned.max_level(), 0);
    }

    #[test]
    fn a_table_without_behaviour_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let text: String = crate::pricing::EMBEDDED
            .iter()
            .find(|(name, _)| *name == "aws-lambda.toml")
            .map(|(_, t)| {
                t.split("\n[behaviour]")
                    .next()
                    .unwrap()
                    .split("\n# Platform facts")
                    .next()
                    .unwrap()
                    .to_string()
            })
            .unwrap();
        std::fs::write(dir.path().join("aws-lambda.toml"), text).unwrap();
        let catalog = Catalog::load_dir(dir.path()).unwrap();
        let e = PlatformModel::from_catalog(&catalog, ServerlessPlatform::AwsLambda).unwrap_err();
        assert!(
            e.to_string().contains("aws-lambda.toml") && e.to_string().contains("[behaviour]"),
            "{e}"
        );
        let e = PlatformModel::from_catalog(&catalog, ServerlessPlatform::GcpCloudRun).unwrap_err();
        assert!(e.to_string().contains("no price table 'gcp-cloud-run'"), "{e}");
    }
}
