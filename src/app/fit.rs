//! `faascost fit`: the same plan and evaluation as `analyze` (scenario and price tables checked
//! first, traces read, every option evaluated, the decision taken), then the fit of the whole
//! workload and of each function with their reasons, printed as tables or JSON. Writes no file.

use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;

use crate::cli::FitArgs;
use crate::eval::evaluate_all_with_progress;
use crate::fit::functions::recommend_reusing;
use crate::report::table::Width;

/// Runs `fit`.
pub fn run(args: &FitArgs) -> anyhow::Result<ExitCode> {
    let plan = super::analyze::plan(&args.plan)?;
    // Each function's fit takes its run alone from the comparison's run where that is exactly
    // the same replay (as `analyze` does).
    let (evaluations, runs) = evaluate_all_with_progress(&plan, &mut |_| {})?;
    let decision = crate::fit::decide(&plan, &evaluations);
    let rec = recommend_reusing(&plan, &evaluations, &decision, &runs.alone)?;
    let text = if args.json {
        serde_json::to_string_pretty(&rec).context("serializing the recommendations")? + "\n"
    } else {
        crate::report::fit_table::recommendations(
            &rec,
            plan.scenario.horizon_months,
            args.all,
            Width::for_stdout(false),
        )
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}
