//! faascost replays serverless traffic traces through billing-accurate models of
//! serverless platforms and of provisioned servers, and reports what each option costs
//! and how it behaves.
//!
//! The pipeline, one module per stage:
//! trace files → [`trace`] (a normalized `Workload`, nothing invented) →
//! [`characterize`] (workload figures: rates, burstiness, durations, memory) →
//! seeded arrivals → simulation per deployment option → [`usage`] (billable quantities,
//! no prices) → cost with price tables → report renderers ([`report`]).
//! [`cli`] mirrors the command line; [`app`] runs one subcommand; [`units`] holds the
//! unit conversions.

#![warn(missing_docs)]

pub mod app;
pub mod characterize;
pub mod cli;
pub mod config;
pub mod cost;
pub mod platform;
pub mod pricing;
pub mod report;
pub mod sim;
pub mod stats;
pub mod synth;
pub mod tco;
pub mod trace;
pub mod units;
pub mod usage;
