//! `faascost inspect`.
use std::process::ExitCode;
/// Runs inspect.
pub fn run(_args: &crate::cli::InspectArgs) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
