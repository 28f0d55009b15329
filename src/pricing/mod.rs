//! Price tables: `pricing/*.toml` (one file per offering, embedded in the binary with
//! `include_str!`, or a user's own directory via `--pricing DIR`) → raw serde structs
//! ([`raw`], `deny_unknown_fields`) → validated [`PriceTable`]s in a [`Catalog`].
//! Figures, sources and V/X/U status: ../shared/reference/pricing-facts.md (2026-11-22).

pub mod behaviour;
pub mod error;
pub mod raw;
pub mod regional;
pub mod table;

use std::collections::BTreeMap;
use std::path::Path;

pub use behaviour::{Behaviour, ColdStart, ColdStartDist, ColdStartMemory, CpuScaling, InstanceScope, MemoryOptions};
pub use error::{PricingError, PricingErrors};
pub use regional::{RegionalPrice, RegionalRate};
pub use table::{CommitmentTerm, FreeGrant, InstancePrice, Model, Price, PriceTable, Rules, Tier};

/// The price tables shipped with faascost: (file name, contents).
pub const EMBEDDED: &[(&str, &str)] = &[
    ("aws-alb.toml", include_str!("../../pricing/aws-alb.toml")),
    ("aws-app-runner.toml", include_str!("../../pricing/aws-app-runner.toml")),
    (
        "aws-api-gateway.toml",
        include_str!("../../pricing/aws-api-gateway.toml"),
    ),
    (
        "aws-cloudwatch-logs.toml",
        include_str!("../../pricing/aws-cloudwatch-logs.toml"),
    ),
    ("aws-ec2.toml", include_str!("../../pricing/aws-ec2.toml")),
    ("aws-eks.toml", include_str!("../../pricing/aws-eks.toml")),
    ("aws-fargate.toml", include_str!("../../pricing/aws-fargate.toml")),
    ("aws-lambda.toml", include_str!("../../pricing/aws-lambda.toml")),
    ("aws-network.toml", include_str!("../../pricing/aws-network.toml")),
    (
        "azure-functions-consumption.toml",
        include_str!("../../pricing/azure-functions-consumption.toml"),
    ),
    (
        "azure-functions-flex.toml",
        include_str!("../../pricing/azure-functions-flex.toml"),
    ),
    (
        "azure-functions-premium.toml",
        include_str!("../../pricing/azure-functions-premium.toml"),
    ),
    (
        "azure-container-apps.toml",
        include_str!("../../pricing/azure-container-apps.toml"),
    ),
    ("azure-network.toml", include_str!("../../pricing/azure-network.toml")),
    ("azure-vm.toml", include_str!("../../pricing/azure-vm.toml")),
    (
        "cloudflare-network.toml",
        include_str!("../../pricing/cloudflare-network.toml"),
    ),
    (
        "cloudflare-workers.toml",
        include_str!("../../pricing/cloudflare-workers.toml"),
    ),
    ("gcp-cloud-run.toml", include_str!("../../pricing/gcp-cloud-run.toml")),
    ("gcp-compute.toml", include_str!("../../pricing/gcp-compute.toml")),
    (
        "gcp-functions-gen1.toml",
        include_str!("../../pricing/gcp-functions-gen1.toml"),
    ),
    ("gcp-network.toml", include_str!("../../pricing/gcp-network.toml")),
];

/// A set of validated price tables, by offering id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Tables by id.
    pub tables: BTreeMap<String, PriceTable>,
}

impl Catalog {
    /// The tables embedded in the binary.
    pub fn embedded() -> Result<Catalog, PricingErrors> {
        Self::from_sources(
            EMBEDDED
                .iter()
                .map(|(name, text)| (format!("embedded:pricing/{name}"), text.to_string())),
        )
    }

    /// Every `*.toml` file in `dir` (sorted by name), each validated; all errors are reported.
    pub fn load_dir(dir: &Path) -> Result<Catalog, PricingErrors> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            PricingErrors(vec![PricingError::Io {
                path: dir.display().to_string(),
                problem: e.to_string(),
            }])
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for p in paths {
            match std::fs::read_to_string(&p) {
                Ok(text) => sources.push((p.display().to_string(), text)),
                Err(e) => errors.push(PricingError::Io {
                    path: p.display().to_string(),
                    problem: e.to_string(),
                }),
            }
        }
        if sources.is_empty() && errors.is_empty() {
            errors.push(PricingError::Io {
                path: dir.display().to_string(),
                problem: "no *.toml price tables in this directory".to_string(),
            });
        }
        match Self::from_sources(sources) {
            Ok(c) if errors.is_empty() => Ok(c),
            Ok(_) => Err(PricingErrors(errors)),
            Err(PricingErrors(mut more)) => {
                errors.append(&mut more);
                Err(PricingErrors(errors))
            }
        }
    }

    /// Validates `(path, text)` pairs into a catalog; duplicate ids are errors.
    pub fn from_sources(sources: impl IntoIterator<Item = (String, String)>) -> Result<Catalog, PricingErrors> {
        let mut tables = BTreeMap::new();
        let mut errors = Vec::new();
        for (path, text) in sources {
            match table::parse_table(&path, &text) {
                Ok(t) => {
                    if let Some(prev) = tables.get(&t.id) {
                        let prev: &PriceTable = prev;
                        errors.push(PricingError::Invalid {
                            path: path.clone(),
                            line: 1,
                            key: "id".to_string(),
                            problem: format!("id '{}' is already used by {}", t.id, prev.origin),
                            expected: "one table per offering id".to_string(),
                        });
                    } else {
                        tables.insert(t.id.clone(), t);
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            Ok(Catalog { tables })
        } else {
            Err(PricingErrors(errors))
        }
    }

    /// The table with `id`, or an error listing the ids there are.
    pub fn get(&self, id: &str) -> Result<&PriceTable, String> {
        self.tables.get(id).ok_or_else(|| {
            format!(
                "no price table '{id}'; available: {}",
                self.tables.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests;
