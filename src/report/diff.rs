//! The difference between a baseline report and a new one (`faascost diff BASE HEAD`): per
//! option the change in monthly and horizon cost (exact, checked `Money` arithmetic), options
//! added and removed, the verdict before and after, and the gates evaluated over the pair. Built
//! from two `Report`s only; rendered as Markdown (a job summary or a PR comment), JSON or a
//! terminal table.

use serde::Serialize;
use std::fmt::Write;

use super::format::usd;
use super::gate::{evaluate, percent_change, signed_percent, signed_usd, Gate, GateResult, Outcome};
use super::markdown::escape;
use super::model::Report;
use crate::money::{Money, MoneyOverflow};

/// Schema version of `diff --format json`.
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Where the report was read from.
    pub path: String,
    /// Tool that wrote it.
    pub tool: String,
    /// The recommended option (null: none viable).
    pub recommended: Option<String>,
    /// Its first-month cost.
    pub recommended_monthly_usd: Option<Money>,
    /// Months of its horizon.
    pub horizon_months: u32,
}

/// One option in either report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionChange {
    /// Option id.
    pub id: String,
    /// `changed`, `unchanged`, `added` (only in HEAD) or `removed` (only in BASE).
    pub status: &'static str,
    /// Monthly cost in BASE.
    pub base_monthly_usd: Option<Money>,
    /// Monthly cost in HEAD.
    pub head_monthly_usd: Option<Money>,
    /// HEAD − BASE, when both are priced.
    pub monthly_change_usd: Option<Money>,
    /// The change as a percentage of BASE (null when not both priced; infinite → null).
    pub monthly_change_pct: Option<f64>,
    /// Horizon cost in BASE.
    pub base_horizon_usd: Option<Money>,
    /// Horizon cost in HEAD.
    pub head_horizon_usd: Option<Money>,
    /// HEAD − BASE.
    pub horizon_change_usd: Option<Money>,
    /// Viable in BASE.
    pub base_viable: Option<bool>,
    /// Viable in HEAD.
    pub head_viable: Option<bool>,
}

/// The comparison of two reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Schema of this JSON.
    pub schema_version: u32,
    /// The baseline.
    pub base: Side,
    /// The new report.
    pub head: Side,
    /// Whether the recommended option changed.
    pub verdict_changed: bool,
    /// HEAD's headline.
    pub head_headline: String,
    /// Every option, HEAD's order first, then those only in BASE.
    pub options: Vec<OptionChange>,
    /// Ids only in HEAD.
    pub added: Vec<String>,
    /// Ids only in BASE.
    pub removed: Vec<String>,
    /// The gates, in the order given.
    pub gates: Vec<GateResult>,
    /// Whether no gate failed.
    pub passed: bool,
}

fn sub(a: Option<Money>, b: Option<Money>, what: &str) -> Result<Option<Money>, MoneyOverflow> {
    match (a, b) {
        (Some(a), Some(b)) => a.checked_sub(b, what).map(Some),
        _ => Ok(None),
    }
}

fn side(r: &Report, path: &str) -> Side {
    let rec = super::gate::recommended(r);
    Side {
        path: path.to_string(),
        tool: r.tool.clone(),
        recommended: r.verdict.cheapest_option.clone(),
        recommended_monthly_usd: rec.map(|(_, m)| m),
        horizon_months: r.verdict.horizon_months,
    }
}

/// Compares `head` with `base` and evaluates `gates` over the pair.
pub fn diff(
    base: &Report,
    base_path: &str,
    head: &Report,
    head_path: &str,
    gates: &[Gate],
) -> Result<Diff, MoneyOverflow> {
    let mut options = Vec::new();
    let mut added = Vec::new();
    for h in &head.options {
        let b = base.option(&h.id);
        let monthly_change = sub(
            h.monthly_cost_usd,
            b.and_then(|b| b.monthly_cost_usd),
            &format!("the monthly change of {}", h.id),
        )?;
        let base_monthly = b.and_then(|b| b.monthly_cost_usd);
        let status = match (b, monthly_change) {
            (None, _) => "added",
            (Some(b), _)
                if b.monthly_cost_usd == h.monthly_cost_usd
                    && b.horizon_cost_usd == h.horizon_cost_usd
                    && b.viable == h.viable =>
            {
                "unchanged"
            }
            _ => "changed",
        };
        if b.is_none() {
            added.push(h.id.clone());
        }
        options.push(OptionChange {
            id: h.id.clone(),
            status,
            base_monthly_usd: base_monthly,
            head_monthly_usd: h.monthly_cost_usd,
            monthly_change_usd: monthly_change,
            monthly_change_pct: monthly_change
                .zip(base_monthly)
                .map(|(c, b)| percent_change(c, b))
                .filter(|p| p.is_finite()),
            base_horizon_usd: b.and_then(|b| b.horizon_cost_usd),
            head_horizon_usd: h.horizon_cost_usd,
            horizon_change_usd: sub(
                h.horizon_cost_usd,
                b.and_then(|b| b.horizon_cost_usd),
                &format!("the horizon change of {}", h.id),
            )?,
            base_viable: b.map(|b| b.viable),
            head_viable: Some(h.viable),
        });
    }
    let mut removed = Vec::new();
    for b in base.options.iter().filter(|b| head.option(&b.id).is_none()) {
        removed.push(b.id.clone());
        options.push(OptionChange {
            id: b.id.clone(),
            status: "removed",
            base_monthly_usd: b.monthly_cost_usd,
            head_monthly_usd: None,
            monthly_change_usd: None,
            monthly_change_pct: None,
            base_horizon_usd: b.horizon_cost_usd,
            head_horizon_usd: None,
            horizon_change_usd: None,
            base_viable: Some(b.viable),
            head_viable: None,
        });
    }
    let gates = evaluate(head, Some(base), gates)?;
    Ok(Diff {
        schema_version: DIFF_SCHEMA_VERSION,
        base: side(base, base_path),
        head: side(head, head_path),
        verdict_changed: base.verdict.cheapest_option != head.verdict.cheapest_option,
        head_headline: head.verdict.headline.clone(),
        options,
        added,
        removed,
        passed: gates.iter().all(|g| g.outcome != Outcome::Fail),
        gates,
    })
}

fn money(m: Option<Money>) -> String {
    m.map_or("-".into(), usd)
}

fn change(m: Option<Money>) -> String {
    m.map_or("-".into(), signed_usd)
}

fn pct(p: Option<f64>) -> String {
    p.map_or("-".into(), signed_percent)
}

fn viable(b: Option<bool>, h: Option<bool>) -> String {
    let word = |v: Option<bool>| match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    };
    if b == h || b.is_none() || h.is_none() {
        word(h.or(b)).to_string()
    } else {
        format!("{} → {}", word(b), word(h))
    }
}

fn recommended_line(d: &Diff, name: impl Fn(&str) -> String) -> String {
    let who = |s: &Side| match &s.recommended {
        Some(id) => format!("{} ({} a month)", name(id), money(s.recommended_monthly_usd)),
        None => "none viable".to_string(),
    };
    if d.verdict_changed {
        format!("Recommended option changed: {} → {}", who(&d.base), who(&d.head))
    } else {
        format!("Recommended option unchanged: {} → {}", who(&d.base), who(&d.head))
    }
}

/// The diff as Markdown (a job summary or a pull-request comment).
pub fn markdown(d: &Diff) -> String {
    let mut s = String::from("## faascost cost diff\n\n");
    let failed = d.gates.iter().filter(|g| g.outcome == Outcome::Fail).count();
    if d.gates.is_empty() {
        s.push_str("No gate set.\n\n");
    } else {
        let _ = writeln!(
            s,
            "**Gates: {}**\n",
            if failed == 0 {
                "passed".to_string()
            } else {
                format!("{failed} failed")
            }
        );
        s.push_str("| gate | result | detail |\n|---|---|---|\n");
        for g in &d.gates {
            let mark = match g.outcome {
                Outcome::Pass => "✅ pass",
                Outcome::Fail => "❌ **fail**",
                Outcome::Skip => "➖ skip",
            };
            let _ = writeln!(s, "| `{}` | {mark} | {} |", g.gate, escape(&g.detail));
        }
        s.push('\n');
    }
    let _ = writeln!(s, "{}.\n", recommended_line(d, |id| format!("**{}**", escape(id))));
    let _ = writeln!(s, "{}\n", escape(&d.head_headline));
    let _ = writeln!(
        s,
        "| option | base monthly | head monthly | change | change % | base {}-month | head {}-month | horizon change | viable |",
        d.base.horizon_months, d.head.horizon_months
    );
    s.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for o in &d.options {
        let tag = match o.status {
            "added" => " (added)",
            "removed" => " (removed)",
            _ => "",
        };
        let _ = writeln!(
            s,
            "| {}{tag} | {} | {} | {} | {} | {} | {} | {} | {} |",
            escape(&o.id),
            money(o.base_monthly_usd),
            money(o.head_monthly_usd),
            change(o.monthly_change_usd),
            pct(o.monthly_change_pct),
            money(o.base_horizon_usd),
            money(o.head_horizon_usd),
            change(o.horizon_change_usd),
            viable(o.base_viable, o.head_viable),
        );
    }
    let _ = writeln!(
        s,
        "\n_base: {} ({}); head: {} ({})_",
        escape(&d.base.path),
        escape(&d.base.tool),
        escape(&d.head.path),
        escape(&d.head.tool)
    );
    s
}

/// The diff as pretty JSON with a final newline.
pub fn json(d: &Diff) -> String {
    serde_json::to_string_pretty(d).expect("a diff always serializes") + "\n"
}

/// The diff as terminal text: the gates, the recommended option, then a table of options.
pub fn table(d: &Diff, width: super::table::Width) -> String {
    super::table::diff_table(d, width, recommended_line(d, |id| id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::sample_report;

    #[test]
    fn changes_added_and_removed_options_are_exact() {
        let base = sample_report();
        let mut head = sample_report();
        head.options[0].monthly_cost_usd = Some(Money::from_micro(13_750_001));
        head.options[0].horizon_cost_usd = Some(Money::from_micro(165_000_012));
        let mut extra = head.options[0].clone();
        extra.id = "servers".into();
        head.options.push(extra);
        let mut gone = base.clone();
        gone.options[0].id = "old".into();
        let mut base2 = base.clone();
        base2.options.push(gone.options[0].clone());
        let d = diff(&base2, "base.json", &head, "head.json", &[Gate::MaxIncreasePct(5.0)]).unwrap();
        assert_eq!(d.added, ["servers"]);
        assert_eq!(d.removed, ["old"]);
        let lambda = &d.options[0];
        assert_eq!(lambda.status, "changed");
        assert_eq!(lambda.monthly_change_usd, Some(Money::from_micro(1_250_001)));
        assert_eq!(lambda.horizon_change_usd, Some(Money::from_micro(15_000_012)));
        assert!((lambda.monthly_change_pct.unwrap() - 10.000008).abs() < 1e-9);
        assert!(!d.passed);
        assert!(!d.verdict_changed);
        let md = markdown(&d);
        for needle in [
            "**Gates: 1 failed**",
            "| `--max-increase-pct 5` | ❌ **fail** | the recommended monthly cost went from $12.50 (lambda) to $13.75 (lambda): +$1.25 (+10.0%), more than the allowed increase of 5% |",
            "| lambda | $12.50 | $13.75 | +$1.25 | +10.0% | $150.00 | $165.00 | +$15.00 | yes |",
            "| servers (added) | - | $13.75 | - | - | - | $165.00 | - | yes |",
            "| old (removed) | $12.50 | - | - | - | $150.00 | - | - | yes |",
            "Recommended option unchanged: **lambda** ($12.50 a month) → **lambda** ($13.75 a month).",
        ] {
            assert!(md.contains(needle), "missing {needle:?} in\n{md}");
        }
        let v: serde_json::Value = serde_json::from_str(&json(&d)).unwrap();
        assert_eq!(v["options"][0]["monthly_change_usd"], "1.250001");
        assert_eq!(v["gates"][0]["outcome"], "fail");
        assert_eq!(v["passed"], false);
    }
}
