//! CI gates: each gate the user set is a rule over a finished `Report` (`analyze`) or over a
//! baseline and a new report (`diff`). A gate passes, fails, or is skipped when the reports give
//! it nothing to hold (say, no recommended option to price); a failed gate makes the command exit
//! 1 after its outputs are written, with one line per gate.
//!
//! Cost gates hold the **recommended option** — the verdict's `cheapest_option`, the one a team
//! would deploy — to account, by its first-month cost (`monthly_cost_usd`): `--max-monthly-usd`
//! against a budget, `--max-increase-usd`/`--max-increase-pct` against the baseline's recommended
//! option (which may be another option). When a report recommends nothing, cost gates are skipped
//! and `--require-slo` is the gate that fails. Money differences are exact (checked micro-dollars).

use serde::Serialize;

use super::format::usd;
use super::model::Report;
use crate::money::{Money, MoneyOverflow};

/// A rule the user asked the run to pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// Fail when the report carries any warning (`--fail-on-warning`).
    NoWarnings,
    /// Fail when no option is viable: the verdict names none (`--require-slo`).
    RequireSlo,
    /// Fail when the recommended option costs more than this a month (`--max-monthly-usd`).
    MaxMonthlyUsd(Money),
    /// Fail when the recommended monthly cost rose by more than this many dollars over the
    /// baseline's (`--max-increase-usd`; diff only).
    MaxIncreaseUsd(Money),
    /// Fail when the recommended monthly cost rose by more than this percentage over the
    /// baseline's (`--max-increase-pct`; diff only).
    MaxIncreasePct(f64),
}

impl Gate {
    /// The flag that set it, with its value.
    pub fn flag(&self) -> String {
        match self {
            Gate::NoWarnings => "--fail-on-warning".into(),
            Gate::RequireSlo => "--require-slo".into(),
            Gate::MaxMonthlyUsd(m) => format!("--max-monthly-usd {}", plain(*m)),
            Gate::MaxIncreaseUsd(m) => format!("--max-increase-usd {}", plain(*m)),
            Gate::MaxIncreasePct(p) => format!("--max-increase-pct {p}"),
        }
    }
}

/// An amount as typed on a command line (`12.5`, `200`).
fn plain(m: Money) -> String {
    let s = m.to_string();
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

/// What a gate concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The rule holds.
    Pass,
    /// The rule is broken: exit 1.
    Fail,
    /// The reports give the rule nothing to hold (it does not fail the run).
    Skip,
}

impl Outcome {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Skip => "skip",
        }
    }
}

/// One gate's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    /// The flag and value that set it.
    pub gate: String,
    /// Pass, fail or skip.
    pub outcome: Outcome,
    /// Why, in one sentence with the amounts.
    pub detail: String,
}

/// The recommended option of a report and its first-month cost.
pub fn recommended(r: &Report) -> Option<(&str, Money)> {
    let id = r.verdict.cheapest_option.as_deref()?;
    let monthly = r.option(id)?.monthly_cost_usd?;
    Some((id, monthly))
}

/// `part / whole` as a signed percentage (infinite when `whole` is zero and `part` is not).
pub fn percent_change(change: Money, base: Money) -> f64 {
    if base.micro() == 0 {
        match change.micro().signum() {
            0 => 0.0,
            s => f64::from(s as i32) * f64::INFINITY,
        }
    } else {
        change.micro() as f64 / base.micro().unsigned_abs() as f64 * 100.0
    }
}

/// Evaluates every gate on `head`, with `base` for the gates that compare two reports.
pub fn evaluate(head: &Report, base: Option<&Report>, gates: &[Gate]) -> Result<Vec<GateResult>, MoneyOverflow> {
    let mut out = Vec::with_capacity(gates.len());
    for gate in gates {
        let (outcome, detail) = match gate {
            Gate::NoWarnings => {
                if head.warnings.is_empty() {
                    (Outcome::Pass, "the report has no warning".to_string())
                } else {
                    let codes: std::collections::BTreeSet<&str> = head.warnings.iter().map(|w| w.code.name()).collect();
                    (
                        Outcome::Fail,
                        format!(
                            "the report has {} warning(s) ({})",
                            head.warnings.len(),
                            codes.into_iter().collect::<Vec<_>>().join(", ")
                        ),
                    )
                }
            }
            Gate::RequireSlo => match &head.verdict.cheapest_option {
                Some(id) => (Outcome::Pass, format!("{id} meets the SLO and every platform limit")),
                None => (
                    Outcome::Fail,
                    format!(
                        "no option is viable (fully priced, within every platform limit, meeting the {} ms p99 \
                         added-latency SLO with nothing throttled)",
                        head.verdict.latency_slo_ms
                    ),
                ),
            },
            Gate::MaxMonthlyUsd(budget) => match recommended(head) {
                Some((id, monthly)) if monthly > *budget => (
                    Outcome::Fail,
                    format!(
                        "the recommended option {id} costs {} a month, above the budget of {}",
                        usd(monthly),
                        usd(*budget)
                    ),
                ),
                Some((id, monthly)) => (
                    Outcome::Pass,
                    format!(
                        "the recommended option {id} costs {} a month, within the budget of {}",
                        usd(monthly),
                        usd(*budget)
                    ),
                ),
                None => (
                    Outcome::Skip,
                    "no option is recommended, so there is no cost to hold to the budget".into(),
                ),
            },
            Gate::MaxIncreaseUsd(_) | Gate::MaxIncreasePct(_) => {
                let Some(base) = base else {
                    out.push(GateResult {
                        gate: gate.flag(),
                        outcome: Outcome::Skip,
                        detail: "needs a baseline report (faascost diff BASE HEAD)".into(),
                    });
                    continue;
                };
                match (recommended(base), recommended(head)) {
                    (Some((bid, b)), Some((hid, h))) => {
                        let change = h.checked_sub(b, "the change in the recommended monthly cost")?;
                        let pct = percent_change(change, b);
                        let what = format!(
                            "the recommended monthly cost went from {} ({bid}) to {} ({hid}): {} ({})",
                            usd(b),
                            usd(h),
                            signed_usd(change),
                            signed_percent(pct)
                        );
                        let (over, limit) = match gate {
                            Gate::MaxIncreaseUsd(limit) => (change > *limit, usd(*limit)),
                            Gate::MaxIncreasePct(limit) => (pct > *limit, format!("{limit}%")),
                            _ => unreachable!("matched above"),
                        };
                        if over {
                            (
                                Outcome::Fail,
                                format!("{what}, more than the allowed increase of {limit}"),
                            )
                        } else {
                            (Outcome::Pass, format!("{what}, within the allowed increase of {limit}"))
                        }
                    }
                    (None, _) => (
                        Outcome::Skip,
                        "the baseline recommends no option: nothing to compare with".into(),
                    ),
                    (_, None) => (
                        Outcome::Skip,
                        "the new report recommends no option (see --require-slo)".into(),
                    ),
                }
            }
        };
        out.push(GateResult {
            gate: gate.flag(),
            outcome,
            detail,
        });
    }
    Ok(out)
}

/// A change in money with its sign (`+$1.50`, `-$0.25`, `$0.00`).
pub fn signed_usd(change: Money) -> String {
    if change.micro() > 0 && change.cents() != 0 {
        format!("+{}", usd(change))
    } else {
        usd(change)
    }
}

/// A percentage change with its sign and one decimal (`+5.5%`, `-2.0%`, `+∞%`).
pub fn signed_percent(pct: f64) -> String {
    if pct.is_infinite() {
        if pct > 0.0 { "+∞%" } else { "-∞%" }.to_string()
    } else if pct > 0.0 {
        format!("+{pct:.1}%")
    } else {
        format!("{pct:.1}%")
    }
}

/// Why a gate failed, one line each (`flag: detail`).
pub fn failures(results: &[GateResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.outcome == Outcome::Fail)
        .map(|r| format!("{}: {}", r.gate, r.detail))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::sample_report;

    fn one(head: &Report, base: Option<&Report>, gate: Gate) -> GateResult {
        evaluate(head, base, &[gate]).unwrap().remove(0)
    }

    #[test]
    fn fail_on_warning_fails_only_with_warnings() {
        let mut r = sample_report();
        let f = failures(&evaluate(&r, None, &[Gate::NoWarnings]).unwrap());
        assert_eq!(
            f,
            vec!["--fail-on-warning: the report has 1 warning(s) (trace-input)".to_string()]
        );
        assert!(evaluate(&r, None, &[]).unwrap().is_empty());
        r.warnings.clear();
        assert_eq!(one(&r, None, Gate::NoWarnings).outcome, Outcome::Pass);
    }

    #[test]
    fn the_budget_holds_the_recommended_option() {
        let mut r = sample_report(); // lambda, $12.50 a month
        let g = one(&r, None, Gate::MaxMonthlyUsd(Money::from_micro(12_500_000)));
        assert_eq!(g.outcome, Outcome::Pass, "{g:?}");
        let g = one(&r, None, Gate::MaxMonthlyUsd(Money::from_micro(12_490_000)));
        assert_eq!(g.outcome, Outcome::Fail);
        assert_eq!(g.gate, "--max-monthly-usd 12.49");
        assert_eq!(
            g.detail,
            "the recommended option lambda costs $12.50 a month, above the budget of $12.49"
        );
        r.verdict.cheapest_option = None;
        assert_eq!(one(&r, None, Gate::MaxMonthlyUsd(Money::ZERO)).outcome, Outcome::Skip);
        assert_eq!(one(&r, None, Gate::RequireSlo).outcome, Outcome::Fail);
    }

    #[test]
    fn increases_compare_the_recommended_monthly_cost_exactly() {
        let base = sample_report();
        let mut head = sample_report();
        head.options[0].monthly_cost_usd = Some(Money::from_micro(13_750_000)); // +$1.25, +10%
        let usd_gate = |m| one(&head, Some(&base), Gate::MaxIncreaseUsd(Money::from_micro(m)));
        assert_eq!(usd_gate(1_250_000).outcome, Outcome::Pass);
        let g = usd_gate(1_249_999);
        assert_eq!(g.outcome, Outcome::Fail);
        assert_eq!(
            g.detail,
            "the recommended monthly cost went from $12.50 (lambda) to $13.75 (lambda): +$1.25 (+10.0%), \
             more than the allowed increase of $1.25"
        );
        assert_eq!(
            one(&head, Some(&base), Gate::MaxIncreasePct(10.0)).outcome,
            Outcome::Pass
        );
        assert_eq!(
            one(&head, Some(&base), Gate::MaxIncreasePct(9.9)).outcome,
            Outcome::Fail
        );
        // A decrease passes any increase gate; no baseline skips.
        assert_eq!(
            one(&base, Some(&head), Gate::MaxIncreasePct(0.0)).outcome,
            Outcome::Pass
        );
        assert_eq!(one(&head, None, Gate::MaxIncreasePct(0.0)).outcome, Outcome::Skip);
        assert_eq!(percent_change(Money::from_micro(5), Money::ZERO), f64::INFINITY);
    }
}
