//! The "Does it fit serverless?" section of report.html: the whole workload's recommendation
//! with its reasons (value against threshold, which side each favours), the verdict mix over
//! functions, and the functions with the largest bills with the reason that carries each.

use std::fmt::Write;

use super::escape;
use crate::report::format::{count, usd};
use crate::report::model::{Favours, Recommendations};
use crate::report::recommend::{
    break_even_sentence, favours_label, key_reason, mix_sentence, overall_sentence, reason_value, short_name,
    shown_functions, verdict_label,
};

/// CSS class of a reason's side.
fn tone(f: Favours) -> &'static str {
    match f {
        Favours::Serverless => "ok",
        Favours::Servers => "bad",
        Favours::Neither => "none",
    }
}

/// Writes the break-even list, when the report has one.
pub fn break_even(s: &mut String, r: &crate::report::model::Report) {
    if r.break_even.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<h2 id=\"break-even\">Break-even traffic</h2>\n<p>The traffic at which each server option becomes cheaper than each serverless option, on cost alone (the whole workload&#39;s traffic scaled alike; servers sized by their capacity rule; an option that misses the SLO stays unviable).</p>\n<ul class=\"plain\">"
    );
    for b in &r.break_even {
        let _ = writeln!(
            s,
            "<li>{} <span class=\"none\">({})</span></li>",
            escape(&break_even_sentence(b)),
            escape(&b.capacity_rule)
        );
    }
    let _ = writeln!(s, "</ul>");
}

/// Writes the section.
pub fn section(s: &mut String, rec: &Recommendations, months: u32) {
    let _ = writeln!(s, "<h2 id=\"fit\">Does it fit serverless?</h2>");
    let _ = writeln!(s, "<p class=\"verdict\">{}</p>", escape(&overall_sentence(rec, months)));
    let _ = writeln!(
        s,
        "<div class=\"wide\"><table>\n<thead><tr><th></th><th>reason</th><th class=\"num\">value</th><th class=\"num\">threshold</th></tr></thead>\n<tbody>"
    );
    for r in &rec.overall.reasons {
        let _ = writeln!(
            s,
            "<tr><td class=\"{}\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            tone(r.favours),
            favours_label(r.favours),
            escape(&r.explanation),
            escape(&reason_value(r, r.value)),
            escape(&reason_value(r, r.threshold))
        );
    }
    let _ = writeln!(s, "</tbody>\n</table></div>");
    let shown = shown_functions(rec);
    let _ = writeln!(
        s,
        "<p>Per function ({} in all): {}. Each function is priced as if deployed alone (its own fleets, no free tier). {}</p>",
        count(rec.functions.len() as u64),
        escape(&mix_sentence(rec)),
        if shown.len() < rec.functions.len() {
            format!(
                "The {} with the largest bills are below; every function is in functions.csv and report.json.",
                shown.len()
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "<div class=\"wide\"><table>\n<thead><tr><th>function</th><th>trigger</th><th class=\"num\">invocations</th><th>fits</th><th>option</th><th class=\"num\">monthly cost</th><th class=\"num\">saving / month</th><th>confidence</th><th>why</th></tr></thead>\n<tbody>"
    );
    for f in shown {
        let c = &f.choice;
        let _ = writeln!(
            s,
            "<tr><td class=\"id\" title=\"{}\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.function),
            escape(&short_name(&f.function)),
            escape(&f.trigger),
            count(f.invocations),
            verdict_label(c.verdict),
            escape(c.option.as_deref().unwrap_or("-")),
            c.monthly_cost_usd.map(usd).unwrap_or_else(|| "-".into()),
            c.monthly_saving_usd.map(usd).unwrap_or_else(|| "-".into()),
            c.confidence.name(),
            escape(key_reason(f).map(|r| r.explanation.as_str()).unwrap_or("-"))
        );
    }
    let _ = writeln!(s, "</tbody>\n</table></div>");
}
