//! One naming scheme for the platforms faascost compares: each id is its price table's id
//! (`pricing/<id>.toml`), and the same id is used on the command line, in the scenario file
//! and in reports. Serverless platforms are replayed by the event engine; instance platforms
//! (servers and containers) by the fleet model.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A platform that runs functions, named by its price table's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ServerlessPlatform {
    /// AWS Lambda (on-demand, with provisioned concurrency).
    #[serde(rename = "aws-lambda")]
    AwsLambda,
    /// Azure Functions, Consumption plan.
    #[serde(rename = "azure-functions-consumption")]
    AzureConsumption,
    /// Azure Functions, Flex Consumption plan.
    #[serde(rename = "azure-functions-flex")]
    AzureFlex,
    /// Google Cloud Run (and Cloud Run functions), request-based billing.
    #[serde(rename = "gcp-cloud-run")]
    GcpCloudRun,
    /// Cloudflare Workers, Standard usage model.
    #[serde(rename = "cloudflare-workers")]
    CloudflareWorkers,
    /// AWS App Runner (containers; at least one provisioned instance).
    #[serde(rename = "aws-app-runner")]
    AwsAppRunner,
    /// Azure Container Apps, Consumption plan.
    #[serde(rename = "azure-container-apps")]
    AzureContainerApps,
}

impl ServerlessPlatform {
    /// Every serverless platform, in a stable order.
    pub const ALL: [ServerlessPlatform; 7] = [
        ServerlessPlatform::AwsLambda,
        ServerlessPlatform::AzureConsumption,
        ServerlessPlatform::AzureFlex,
        ServerlessPlatform::GcpCloudRun,
        ServerlessPlatform::CloudflareWorkers,
        ServerlessPlatform::AwsAppRunner,
        ServerlessPlatform::AzureContainerApps,
    ];

    /// The id: the price table's, and the one used on the command line and in files.
    pub fn id(self) -> &'static str {
        match self {
            ServerlessPlatform::AwsLambda => "aws-lambda",
            ServerlessPlatform::AzureConsumption => "azure-functions-consumption",
            ServerlessPlatform::AzureFlex => "azure-functions-flex",
            ServerlessPlatform::GcpCloudRun => "gcp-cloud-run",
            ServerlessPlatform::CloudflareWorkers => "cloudflare-workers",
            ServerlessPlatform::AwsAppRunner => "aws-app-runner",
            ServerlessPlatform::AzureContainerApps => "azure-container-apps",
        }
    }
}

/// A platform that runs a fleet of servers or containers, named by its price table's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum InstancePlatform {
    /// Amazon EC2 instances.
    #[serde(rename = "aws-ec2")]
    AwsEc2,
    /// AWS Fargate tasks.
    #[serde(rename = "aws-fargate")]
    AwsFargate,
    /// Azure Virtual Machines.
    #[serde(rename = "azure-vm")]
    AzureVm,
    /// Google Compute Engine.
    #[serde(rename = "gcp-compute")]
    GcpCompute,
    /// Containers on Google Cloud Run with instance-based billing.
    #[serde(rename = "gcp-cloud-run")]
    GcpCloudRun,
}

impl InstancePlatform {
    /// Every instance platform, in a stable order.
    pub const ALL: [InstancePlatform; 5] = [
        InstancePlatform::AwsEc2,
        InstancePlatform::AwsFargate,
        InstancePlatform::AzureVm,
        InstancePlatform::GcpCompute,
        InstancePlatform::GcpCloudRun,
    ];

    /// The id: the price table's, and the one used on the command line and in files.
    pub fn id(self) -> &'static str {
        match self {
            InstancePlatform::AwsEc2 => "aws-ec2",
            InstancePlatform::AwsFargate => "aws-fargate",
            InstancePlatform::AzureVm => "azure-vm",
            InstancePlatform::GcpCompute => "gcp-compute",
            InstancePlatform::GcpCloudRun => "gcp-cloud-run",
        }
    }
}

fn parse_id<T: Copy>(text: &str, all: &[T], id: fn(T) -> &'static str, what: &str) -> Result<T, String> {
    let wanted = text.trim().to_ascii_lowercase();
    all.iter().copied().find(|p| id(*p) == wanted).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|p| id(*p)).collect();
        format!("unknown {what} platform '{text}'; expected one of {}", names.join(", "))
    })
}

impl std::str::FromStr for ServerlessPlatform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        parse_id(s, &ServerlessPlatform::ALL, ServerlessPlatform::id, "serverless")
    }
}

impl std::str::FromStr for InstancePlatform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        parse_id(s, &InstancePlatform::ALL, InstancePlatform::id, "server or container")
    }
}

impl fmt::Display for ServerlessPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl fmt::Display for InstancePlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_unknown_names_list_the_known() {
        for p in ServerlessPlatform::ALL {
            assert_eq!(p.id().parse::<ServerlessPlatform>().unwrap(), p);
        }
        for p in InstancePlatform::ALL {
            assert_eq!(p.id().parse::<InstancePlatform>().unwrap(), p);
        }
        let e = "azure-functions".parse::<ServerlessPlatform>().unwrap_err();
        assert!(e.contains("azure-functions-consumption"), "{e}");
        assert!("aws-lambda".parse::<InstancePlatform>().is_err());
    }

    #[test]
    fn every_id_has_a_price_table() {
        let catalog = crate::pricing::Catalog::embedded().unwrap();
        for id in ServerlessPlatform::ALL
            .iter()
            .map(|p| p.id())
            .chain(InstancePlatform::ALL.iter().map(|p| p.id()))
        {
            assert!(catalog.get(id).is_ok(), "no price table {id}");
        }
    }
}
