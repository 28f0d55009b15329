//! One function per subcommand: typed arguments in, work done through the library's
//! stages, output written. Errors are `anyhow` with context; `main` maps them to exit codes.

mod analyze;
mod breakeven;
mod ci;
mod cost;
mod diff;
mod fit;
mod generate;
mod inspect;
mod merge;
mod pricing;
mod report;
mod simulate;
mod tune;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Runs one parsed command line; `Ok` carries the exit code (0, or 1 when a policy failed).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Analyze(args) => analyze::run(&args),
        Command::Fit(args) => fit::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Pricing(args) => pricing::run(&args),
        Command::Cost(args) => cost::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Tune(args) => tune::run(&args),
        Command::Breakeven(args) => breakeven::run(&args),
    }
}
