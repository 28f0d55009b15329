//! Decision stage: several [`Evaluation`]s → a [`Decision`]. The headline is the option with
//! the lowest total over the horizon among the viable ones — fully priced, within every
//! platform limit, meeting the latency SLO with nothing throttled; when none is viable the
//! decision says so and names none. It also gives the cheapest viable option of each month
//! (where growth moves it, a break-even), the runner-up and the saving against it, one
//! sentence a CIO can act on, and the run-level warnings that change how far the numbers
//! can be trusted (short or extrapolated windows, unverified prices for the winner).
//! Submodules explain the decision: each function's fit and its reasons, memory right-sizing,
//! break-even traffic, ranges and sensitivity.

pub mod breakeven;
pub mod features;
pub mod functions;
pub mod ranges;
pub mod reasons;
pub mod tune;

use crate::eval::{Evaluation, Plan};
use crate::money::Money;
use crate::units::{group_thousands, MS_PER_DAY, MS_PER_MONTH};
use crate::warning::{Warning, WarningCode};

/// A month from which a different option is the cheapest viable one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheapestChange {
    /// Month of the horizon, 1-based.
    pub month: u32,
    /// The cheapest viable option from that month on (None: no option is viable then).
    pub option: Option<String>,
}

/// What the comparison decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The viable option with the lowest horizon total.
    pub cheapest_option: Option<String>,
    /// The next viable option by horizon total.
    pub runner_up: Option<String>,
    /// How much less the winner costs than the runner-up over the horizon.
    pub saving_vs_runner_up: Option<Money>,
    /// The cheapest viable option in each month of the horizon.
    pub cheapest_by_month: Vec<Option<String>>,
    /// The months where the cheapest viable option changes (break-evens under growth).
    pub cheapest_changes: Vec<CheapestChange>,
    /// The verdict in one sentence.
    pub headline: String,
    /// Run-level warnings.
    pub warnings: Vec<Warning>,
}

/// The total of every month of an option's horizon (None when not priced).
pub fn horizon_total(e: &Evaluation) -> Option<Money> {
    e.costing.as_ref().map(|c| c.horizon)
}

/// Fully priced, within the platform limits, meeting the SLO with nothing throttled.
pub fn viable(e: &Evaluation) -> bool {
    e.feasible() && e.meets_slo && e.costing.as_ref().is_some_and(|c| c.bill.complete())
}

/// Viable evaluations in order of `cost`, ties by scenario order.
fn ranked(evals: &[Evaluation], cost: impl Fn(&Evaluation) -> Option<Money>) -> Vec<(&Evaluation, Money)> {
    let mut v: Vec<(usize, &Evaluation, Money)> = evals
        .iter()
        .enumerate()
        .filter(|(_, e)| viable(e))
        .filter_map(|(i, e)| cost(e).map(|c| (i, e, c)))
        .collect();
    v.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(&b.0)));
    v.into_iter().map(|(_, e, c)| (e, c)).collect()
}

/// Dollars with cents and separators, as a sentence shows them.
pub(crate) fn money(amount: Money) -> String {
    crate::units::Usd::from_pico(i128::from(amount.micro()) * 1_000_000).to_string()
}

/// A scale factor as people read it: `3,650` from 10 up, `1.41` below.
fn format_factor(factor: f64) -> String {
    if factor >= 10.0 {
        group_thousands(factor.round() as u64)
    } else {
        format!("{factor:.2}")
    }
}

/// Why an option is not viable, in a few words.
fn why_not(e: &Evaluation, slo_ms: f64) -> String {
    if !e.feasible() {
        let limits: Vec<String> = e.limits.iter().map(|l| format!("{} limit", l.limit.name())).collect();
        return format!("{} breaks the {}", e.id, limits.join(" and the "));
    }
    if let Some(b) = &e.behaviour {
        if b.throttles.unwrap_or(0) > 0 {
            return format!("{} throttles requests", e.id);
        }
        if !e.meets_slo {
            return format!(
                "{} adds {:.0} ms at p99 (SLO {slo_ms:.0} ms)",
                e.id, b.added_latency_ms.p99
            );
        }
    }
    format!("{} is not fully priced", e.id)
}

/// The verdict sentence.
fn headline(plan: &Plan, evals: &[Evaluation], by_horizon: &[(&Evaluation, Money)]) -> String {
    let months = plan.scenario.horizon_months;
    let slo = plan.scenario.latency_slo_ms;
    match by_horizon {
        [] => {
            let reasons: Vec<String> = evals.iter().map(|e| why_not(e, slo)).collect();
            format!(
                "No option meets the {slo:.0} ms p99 added-latency SLO and every platform limit, so none is \
                 recommended: {}.",
                reasons.join("; ")
            )
        }
        [(winner, total)] => format!(
            "{} is the only option that meets the {slo:.0} ms p99 added-latency SLO and every platform limit: {} over \
             {months} months.",
            winner.id,
            money(*total)
        ),
        [(winner, total), (second, second_total), ..] if second_total.cents() == total.cents() => format!(
            "{} and {} tie as the cheapest options over {months} months at {}; {} is named (first in the scenario); \
             both meet the {slo:.0} ms p99 added-latency SLO and every platform limit.",
            winner.id,
            second.id,
            money(*total),
            winner.id
        ),
        [(winner, total), (second, second_total), ..] => {
            let saving = Money::from_micro(second_total.micro() - total.micro());
            let share = if second_total.micro() > 0 {
                100.0 * saving.to_f64() / second_total.to_f64()
            } else {
                0.0
            };
            format!(
                "{} is the cheapest option over {months} months at {}, {} ({share:.0}%) less than {} ({}); it meets \
                 the {slo:.0} ms p99 added-latency SLO and every platform limit.",
                winner.id,
                money(*total),
                money(saving),
                second.id,
                money(*second_total)
            )
        }
    }
}

/// Warnings about how far the numbers stretch: the window scaled to a month, and unverified
/// prices behind the winner.
fn run_warnings(plan: &Plan, evals: &[Evaluation], winner: Option<&Evaluation>) -> Vec<Warning> {
    let mut out = Vec::new();
    let window_ms = plan.period_ms();
    if window_ms < MS_PER_MONTH {
        let factor = MS_PER_MONTH as f64 / window_ms as f64;
        let span = if window_ms < 2 * crate::units::MS_PER_HOUR {
            let minutes = window_ms as f64 / 60_000.0;
            format!("{minutes:.0} minute{}", if minutes.round() == 1.0 { "" } else { "s" })
        } else if window_ms < 2 * MS_PER_DAY {
            let hours = window_ms as f64 / 3_600_000.0;
            if hours.fract() == 0.0 {
                format!("{hours:.0} hours")
            } else {
                format!("{hours:.1} hours")
            }
        } else {
            format!("{:.1} days", window_ms as f64 / MS_PER_DAY as f64)
        };
        let (code, why) = if window_ms < MS_PER_DAY {
            (
                WarningCode::ShortWindow,
                "a window shorter than a day misses the daily cycle, so monthly and horizon costs may be far off",
            )
        } else {
            (
                WarningCode::Extrapolated,
                "traffic outside the window is assumed to repeat it",
            )
        };
        out.push(Warning::run(
            code,
            format!(
                "the trace covers {span}: every monthly cost is the window scaled ×{} to a 730-hour month, and the \
                 {}-month horizon is built on that; {why}",
                format_factor(factor),
                plan.scenario.horizon_months
            ),
        ));
    }
    for e in evals {
        if let Some(c) = &e.costing {
            for l in c.bill.unpriced() {
                out.push(Warning::option(
                    WarningCode::Unpriced,
                    &e.id,
                    format!(
                        "'{}' is not priced{}; its total is a lower bound and the option is not ranked",
                        l.name,
                        l.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
                    ),
                ));
            }
        }
    }
    if let Some(w) = winner {
        if w.costing.as_ref().is_some_and(|c| !c.bill.verified()) {
            out.push(Warning::option(
                WarningCode::UnverifiedPrices,
                &w.id,
                "the recommended option uses prices not read from a vendor source (marked unverified in its lines); \
                 check them before acting on the verdict",
            ));
        }
    }
    if winner.is_none() {
        out.push(Warning::run(
            WarningCode::NoViableOption,
            "no option meets the SLO and every platform limit; none is recommended",
        ));
    }
    out
}

/// Decides over the evaluated options.
pub fn decide(plan: &Plan, evals: &[Evaluation]) -> Decision {
    let by_horizon = ranked(evals, horizon_total);
    let winner = by_horizon.first().map(|(e, _)| *e);
    let runner_up = by_horizon.get(1);
    let saving_vs_runner_up = match (by_horizon.first(), runner_up) {
        (Some((_, a)), Some((_, b))) => Some(Money::from_micro(b.micro() - a.micro())),
        _ => None,
    };
    let months = plan.scenario.horizon_months as usize;
    let cheapest_by_month: Vec<Option<String>> = (0..months)
        .map(|k| {
            ranked(evals, |e| e.costing.as_ref().and_then(|c| c.by_month.get(k).copied()))
                .first()
                .map(|(e, _)| e.id.clone())
        })
        .collect();
    let mut cheapest_changes = Vec::new();
    for (k, pair) in cheapest_by_month.windows(2).enumerate() {
        if pair[0] != pair[1] {
            cheapest_changes.push(CheapestChange {
                month: k as u32 + 2,
                option: pair[1].clone(),
            });
        }
    }
    Decision {
        cheapest_option: winner.map(|e| e.id.clone()),
        runner_up: runner_up.map(|(e, _)| e.id.clone()),
        saving_vs_runner_up,
        headline: headline(plan, evals, &by_horizon),
        warnings: run_warnings(plan, evals, winner),
        cheapest_by_month,
        cheapest_changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::{CostBreakdown, CostLine};
    use crate::eval::{Behaviour, Costing, OptionKind};
    use crate::units::Usd;

    fn plan(window_ms: u64) -> Plan {
        let mut scenario = crate::config::Scenario::default_scenario();
        scenario.horizon_months = 3;
        Plan {
            scenario,
            scenario_label: "test".into(),
            workload: crate::trace::Workload {
                functions: vec![],
                window_start_ms: 0,
                window_end_ms: window_ms,
                sources: vec![],
                warnings: vec![],
            }
            .into(),
            trace_files: vec![],
            catalog: crate::pricing::Catalog::embedded().unwrap(),
            what_if: crate::eval::WhatIf::default(),
            replays: None,
        }
    }

    /// An option whose months cost `dollars` each, priced by one verified line.
    fn option(id: &str, dollars: [f64; 3], meets_slo: bool) -> Evaluation {
        let usd = |d: f64| Usd::from_f64(d).unwrap();
        let bill = CostBreakdown {
            offerings: vec![],
            lines: vec![CostLine {
                offering: "t".into(),
                name: "compute".into(),
                unit: "hours".into(),
                quantity: 1.0,
                unit_price_usd: Some(dollars[0]),
                cost: Some(usd(dollars[0])),
                verified: true,
                source: "test".into(),
                note: None,
            }],
            assumptions: vec![],
        };
        let months: Vec<Usd> = dollars.iter().map(|&d| usd(d)).collect();
        Evaluation {
            id: id.into(),
            kind: OptionKind::Serverless,
            platform: "p".into(),
            description: String::new(),
            limits: vec![],
            costing: Some(Costing::new(id, bill, &months).unwrap()),
            behaviour: Some(Behaviour::default()),
            meets_slo,
            notes: vec![],
            assumptions: vec![],
            warnings: vec![],
        }
    }

    const MONTH: u64 = crate::units::MS_PER_MONTH;

    #[test]
    fn the_horizon_total_decides_not_the_first_month() {
        // a: 10 + 20 + 40 = 70; b: 30 × 3 = 90; d: 130; c, the cheapest of all, misses the SLO.
        let evals = vec![
            option("a", [10.0, 20.0, 40.0], true),
            option("b", [30.0, 30.0, 30.0], true),
            option("c", [1.0, 1.0, 1.0], false),
            option("d", [5.0, 25.0, 100.0], true),
        ];
        let d = decide(&plan(MONTH), &evals);
        assert_eq!(d.cheapest_option.as_deref(), Some("a"));
        assert_eq!(d.runner_up.as_deref(), Some("b"));
        assert_eq!(d.saving_vs_runner_up, Some(Money::from_micro(20_000_000)));
        // Month by month: d is cheapest in month 1, a in month 2, b in month 3.
        assert_eq!(
            d.cheapest_by_month,
            vec![Some("d".into()), Some("a".into()), Some("b".into())]
        );
        assert_eq!(d.cheapest_changes.len(), 2);
        assert_eq!(
            d.headline,
            "a is the cheapest option over 3 months at $70.00, $20.00 (22%) less than b ($90.00); it meets the \
             1000 ms p99 added-latency SLO and every platform limit."
        );
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    }

    #[test]
    fn ties_none_viable_and_short_windows_are_said() {
        let evals = vec![option("a", [10.0; 3], true), option("b", [10.0; 3], true)];
        let d = decide(&plan(MONTH), &evals);
        assert!(
            d.headline
                .starts_with("a and b tie as the cheapest options over 3 months at $30.00"),
            "{}",
            d.headline
        );
        let d = decide(&plan(MONTH), &[option("a", [10.0; 3], false)]);
        assert_eq!(d.cheapest_option, None);
        assert!(d.headline.starts_with("No option meets"), "{}", d.headline);
        assert!(d.warnings.iter().any(|w| w.code == WarningCode::NoViableOption));
        // 12 minutes: ×3,650 to a 730-hour month.
        let d = decide(&plan(12 * 60_000), &[option("a", [10.0; 3], true)]);
        let w = &d.warnings[0];
        assert_eq!(w.code, WarningCode::ShortWindow);
        assert!(
            w.message.starts_with("the trace covers 12 minutes") && w.message.contains("×3,650"),
            "{}",
            w.message
        );
        // A week: ×4.35, an extrapolation but not a short window.
        let d = decide(&plan(7 * MS_PER_DAY), &[option("a", [10.0; 3], true)]);
        assert_eq!(d.warnings[0].code, WarningCode::Extrapolated);
        assert!(d.warnings[0].message.contains("×4.35"), "{}", d.warnings[0].message);
    }
}
