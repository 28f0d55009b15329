//! The components a bill is stacked by in the bill chart: each priced line of an option's
//! first-month bill falls in one group, decided from the line's price-table id (`offering`)
//! and its name as the cost stage writes them (`src/cost/models.rs`).

use crate::report::model::ReportCostLine;

/// A group of cost lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    /// Function duration, CPU, memory, instance or task hours used on demand.
    Compute,
    /// Per-request (execution, invocation) fees of the compute platform.
    Requests,
    /// API gateway requests in front of functions.
    FrontDoor,
    /// Log ingestion and storage.
    Logs,
    /// Load-balancer hours and capacity units.
    LoadBalancer,
    /// Capacity paid whether used or not: committed instances, provisioned concurrency,
    /// always-ready baselines, plan fees.
    Commitment,
    /// Anything else (ops labour, unknown lines).
    Other,
}

impl Component {
    /// Every group, in stacking order (left to right in the bill chart).
    pub const ALL: [Component; 7] = [
        Component::Commitment,
        Component::Compute,
        Component::Requests,
        Component::FrontDoor,
        Component::LoadBalancer,
        Component::Logs,
        Component::Other,
    ];

    /// The group's name for legends and tables.
    pub fn label(self) -> &'static str {
        match self {
            Component::Compute => "compute",
            Component::Requests => "requests",
            Component::FrontDoor => "front door",
            Component::Logs => "logs",
            Component::LoadBalancer => "load balancer",
            Component::Commitment => "commitment",
            Component::Other => "other",
        }
    }
}

/// The group a cost line belongs to.
pub fn component_of(line: &ReportCostLine) -> Component {
    let offering = line.offering.to_ascii_lowercase();
    let name = line.name.to_ascii_lowercase();
    if offering == "ops" {
        Component::Other
    } else if offering.contains("api-gateway") || name.contains("api requests") {
        Component::FrontDoor
    } else if offering.contains("alb") || offering.contains("load-balancer") || name.starts_with("alb ") {
        Component::LoadBalancer
    } else if offering.contains("logs") || name.starts_with("log ") {
        Component::Logs
    } else if name.contains("committed")
        || name.contains("commitment")
        || name.starts_with("provisioned concurrency")
        || name.starts_with("always-ready baseline")
        || name.contains("plan")
    {
        Component::Commitment
    } else if ["requests", "executions", "invocations"]
        .iter()
        .any(|w| name == *w || name.starts_with(&format!("{w} ")))
    {
        Component::Requests
    } else if [
        "duration",
        "cpu",
        "memory",
        "vcpu",
        "gb-hours",
        "instance-hours",
        "execution time",
        "ephemeral storage",
        "provisioned duration",
    ]
    .iter()
    .any(|w| name.contains(w))
    {
        Component::Compute
    } else {
        Component::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(offering: &str, name: &str) -> ReportCostLine {
        ReportCostLine {
            offering: offering.into(),
            name: name.into(),
            unit: "u".into(),
            quantity: 1.0,
            unit_price_usd: None,
            cost_usd: None,
            verified: true,
            note: None,
        }
    }

    #[test]
    fn groups_the_line_names_the_cost_stage_writes() {
        for (offering, name, want) in [
            ("aws-lambda", "Requests", Component::Requests),
            ("aws-lambda", "Duration arm64", Component::Compute),
            ("aws-lambda", "Provisioned concurrency x86", Component::Commitment),
            ("aws-lambda", "Provisioned duration x86", Component::Compute),
            ("aws-lambda", "Ephemeral storage above 512 MB", Component::Compute),
            ("azure-functions-consumption", "Executions", Component::Requests),
            ("azure-functions-flex", "Always-ready baseline", Component::Commitment),
            ("azure-functions-flex", "On-demand execution time", Component::Compute),
            ("gcp-cloud-run", "CPU (request-based)", Component::Compute),
            ("gcp-cloud-run", "Memory (instance-based)", Component::Compute),
            ("gcp-functions-gen1", "Invocations", Component::Requests),
            ("cloudflare-workers", "Workers Paid plan", Component::Commitment),
            ("cloudflare-workers", "CPU time", Component::Compute),
            ("aws-ec2", "m7g.large instance-hours", Component::Compute),
            (
                "aws-ec2",
                "t3.medium instance-hours (committed: 15 instances, paid whether used or not)",
                Component::Commitment,
            ),
            ("aws-fargate", "vCPU-hours arm64", Component::Compute),
            (
                "aws-fargate",
                "vCPU-hours x86 (commitment compute-sp-1yr-no-upfront) (committed: 2 tasks, paid whether used or not)",
                Component::Commitment,
            ),
            (
                "aws-lambda",
                "Duration x86 (commitment compute-sp-3yr-no-upfront)",
                Component::Commitment,
            ),
            ("aws-fargate", "GB-hours arm64", Component::Compute),
            ("aws-alb", "ALB hours", Component::LoadBalancer),
            ("aws-alb", "ALB LCU-hours", Component::LoadBalancer),
            ("aws-api-gateway", "HTTP API requests", Component::FrontDoor),
            ("aws-api-gateway", "REST API requests", Component::FrontDoor),
            ("aws-cloudwatch-logs", "Log ingestion", Component::Logs),
            ("aws-cloudwatch-logs", "Log storage (one month)", Component::Logs),
            ("ops", "Ops labour", Component::Other),
            ("x", "something new", Component::Other),
        ] {
            assert_eq!(component_of(&line(offering, name)), want, "{offering} / {name}");
        }
    }
}
