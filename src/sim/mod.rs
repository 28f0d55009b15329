//! Simulation: seeded arrivals and the models that turn a workload into `Usage` and
//! behaviour — the serverless event engine and the provisioned-server fleet. No prices here.

pub mod autoscale;
pub mod load;
pub mod provisioned;
