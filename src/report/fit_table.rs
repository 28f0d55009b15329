//! The fit recommendations as terminal tables (`faascost fit`): the whole workload's
//! recommendation and its reasons, the verdict mix, and the functions with the largest bills
//! (or all of them), two lines each: the choice, then the reason that carries it. Every string
//! is sanitized for the terminal.

use super::format::{count, usd};
use super::model::Recommendations;
use super::recommend::{
    favours_label, key_reason, mix_sentence, overall_sentence, reason_value, short_name, shown_functions, verdict_label,
};
use super::sanitize::terminal;
use super::table::{cell, right, table, Width};

/// The recommendations for a terminal; `all` lists every function instead of the largest bills.
pub fn recommendations(rec: &Recommendations, horizon_months: u32, all: bool, width: Width) -> String {
    let mut out = width.wrap(&terminal(&overall_sentence(rec, horizon_months)));
    out.push('\n');
    let header = ["side", "reason", "value", "threshold"];
    let mut t = table(&header);
    for r in &rec.overall.reasons {
        t.add_row(vec![
            cell(favours_label(r.favours)),
            cell(&r.explanation),
            right(reason_value(r, r.value)),
            right(reason_value(r, r.threshold)),
        ]);
    }
    width.apply(&mut t);
    out.push_str(&t.to_string());
    out.push('\n');
    let functions: Vec<_> = if all {
        rec.functions.iter().collect()
    } else {
        shown_functions(rec)
    };
    let mut line = format!(
        "Per function ({} in all): {}.",
        count(rec.functions.len() as u64),
        mix_sentence(rec)
    );
    if functions.len() < rec.functions.len() {
        line.push_str(&format!(
            " The {} with the largest bills (--all lists every one):",
            functions.len()
        ));
    }
    out.push_str(&width.wrap(&terminal(&line)));
    out.push('\n');
    for f in functions {
        let c = &f.choice;
        let mut head = format!("{}  {}", short_name(&f.function), verdict_label(c.verdict));
        if let Some(o) = &c.option {
            head.push_str(&format!(" on {o}"));
        }
        if let Some(m) = c.monthly_cost_usd {
            head.push_str(&format!(", {} a month", usd(m)));
        }
        if let (Some(s), Some(next)) = (c.monthly_saving_usd, &c.runner_up) {
            head.push_str(&format!(", {} less than {next}", usd(s)));
        }
        head.push_str(&format!("; confidence {}", c.confidence.name()));
        out.push_str(&width.wrap(&terminal(&head)));
        out.push('\n');
        if let Some(r) = key_reason(f) {
            for line in width.indented(4).wrap(&terminal(&r.explanation)).lines() {
                out.push_str("    ");
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}
