//! End-to-end tests of the `faascost` binary: one integration test binary, one module per
//! subcommand (see ARCHITECTURE.md, "Tests at three levels").

mod analyze;
mod bad_inputs;
mod breakeven;
mod common;
mod containers;
mod cost;
mod cost_bill_lines;
mod cost_limits;
mod fifo;
mod fit;
mod inspect;
mod instance_scope;
mod merge;
mod report;
mod simulate;
mod snapstart;
mod tune;
