//! faascost replays serverless traffic traces through billing-accurate models of
//! serverless platforms and of provisioned servers, and reports what each option costs
//! and how it behaves.
//!
//! The pipeline, one module per stage:
//! trace files → [`trace`] (a normalized `Workload`, nothing invented) →
//! [`characterize`] (workload figures: rates, burstiness, durations, memory) →
//! seeded arrivals → simulation per deployment option ([`sim`]) → [`usage`] (billable
//! quantities, no prices) → [`cost`] with price tables → [`eval`] (one option: limits,
//! simulation, bill per month, behaviour, warnings) → [`fit`] (the decision: cheapest over
//! the horizon among viable options, by month, the verdict) → [`report`] (one versioned,
//! loadable `Report` and its renderers).
//! [`cli`] mirrors the command line; [`app`] runs one subcommand; [`units`] holds the
//! unit conversions.

#![warn(missing_docs)]

pub mod app;
pub mod atomic;
pub mod characterize;
pub mod cli;
pub mod config;
pub mod cost;
pub mod eval;
pub mod fit;
pub mod money;
pub mod parallel;
pub mod platform;
pub mod pricing;
pub mod report;
pub mod sim;
pub mod stats;
pub mod synth;
pub mod trace;
pub mod units;
pub mod usage;
pub mod warning;
