//! The "How sure is this?" tables as text cells, shared by report.md and report.html (each
//! escapes for its own format): each option's P10–P90 cost with the inputs' low–high range,
//! and the tornado rows with the inputs that flip the verdict.

use super::format::{count, usd};
use super::model::{Ranges, Sensitivity};
use crate::money::Money;

/// An amount, or `-` when not priced.
fn amount(m: Option<Money>) -> String {
    m.map(usd).unwrap_or_else(|| "-".into())
}

/// Two amounts as `a / b`.
fn pair(a: Option<Money>, b: Option<Money>) -> String {
    format!("{} / {}", amount(a), amount(b))
}

/// The header of the options' range table.
pub fn option_header(months: u32) -> [String; 5] {
    [
        "option".into(),
        "monthly P10 – P90".into(),
        format!("{months}-month P10 / P50 / P90"),
        format!("{months}-month low – high of the cases"),
        "Monte Carlo wins".into(),
    ]
}

/// One row per option priced in some case, in the report's order.
pub fn option_rows(g: &Ranges) -> Vec<[String; 5]> {
    g.options
        .iter()
        .filter(|o| o.horizon_case_min_usd.is_some() || o.horizon_usd.is_some())
        .map(|o| {
            [
                o.id.clone(),
                o.monthly_usd
                    .map(|p| format!("{} – {}", usd(p.p10), usd(p.p90)))
                    .unwrap_or_else(|| "-".into()),
                o.horizon_usd
                    .map(|p| format!("{} / {} / {}", usd(p.p10), usd(p.p50), usd(p.p90)))
                    .unwrap_or_else(|| "-".into()),
                format!(
                    "{} – {}",
                    amount(o.horizon_case_min_usd),
                    amount(o.horizon_case_max_usd)
                ),
                if g.monte_carlo_runs == 0 {
                    "-".into()
                } else {
                    format!("{} of {}", o.monte_carlo_wins, g.monte_carlo_runs)
                },
            ]
        })
        .collect()
}

/// The header of the tornado table.
pub fn tornado_header(g: &Ranges) -> [String; 6] {
    let who = |id: &Option<String>, role: &str| match id {
        Some(id) => format!("{role} {id}: low / high"),
        None => format!("{role}: none"),
    };
    [
        "input".into(),
        "low – typical – high".into(),
        who(&g.winner, "winner"),
        who(&g.runner_up, "runner-up"),
        "swing".into(),
        "verdict".into(),
    ]
}

/// Whether the verdict stands at an input's low and high value, in words.
pub fn verdict_cell(s: &Sensitivity, winner: Option<&str>) -> String {
    let mut flips = Vec::new();
    for (value, at) in [(&s.low, &s.winner_at_low), (&s.high, &s.winner_at_high)] {
        if at.as_deref() != winner {
            flips.push(format!("at {value}: {}", at.as_deref().unwrap_or("no viable option")));
        }
    }
    if flips.is_empty() {
        "holds".into()
    } else {
        format!("flips {}", flips.join(", "))
    }
}

/// One row per input, by swing.
pub fn tornado_rows(g: &Ranges) -> Vec<[String; 6]> {
    g.sensitivity
        .iter()
        .map(|s| {
            [
                s.input.name().to_string(),
                format!("{} – {} – {}", s.low, s.typical, s.high),
                pair(s.winner_horizon_low_usd, s.winner_horizon_high_usd),
                pair(s.runner_up_horizon_low_usd, s.runner_up_horizon_high_usd),
                amount(s.swing_usd),
                verdict_cell(s, g.winner.as_deref()),
            ]
        })
        .collect()
}

/// What the tables are, in two sentences.
pub fn method_note(g: &Ranges, seed: u64) -> String {
    let runs = if g.monte_carlo_runs == 0 {
        "No Monte Carlo runs (`--monte-carlo 0`).".to_string()
    } else {
        format!(
            "P10/P50/P90 are over {} Monte Carlo runs of arrival randomness (seeds derived from the scenario's seed \
             {seed}), nearest rank.",
            count(u64::from(g.monte_carlo_runs))
        )
    };
    format!(
        "Each input is set to its low and its high value with the others at the scenario's, and every option is \
         evaluated again; the swing is the larger movement of the winner's or the runner-up's horizon cost. {runs} \
         The verdict holds when the same option wins in every low and high case and in at least 90% of the runs."
    )
}
