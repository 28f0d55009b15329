//! The "How sure is this?" section of report.html: whether the verdict holds across the range
//! of the uncertain inputs (or which input flips it), each option's P10–P90 cost, the tornado
//! as a table, and the two charts (the tornado and the cost ranges).

use std::fmt::Write;

use super::escape;
use crate::report::chart::{self, ChartKind};
use crate::report::model::{Ranges, Report};
use crate::report::ranges_rows as rows;

/// A table of text cells; `numeric` marks the right-aligned columns.
fn table(s: &mut String, header: &[String], body: &[Vec<String>], numeric: &[bool]) {
    let class = |i: usize| {
        if numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        }
    };
    let _ = write!(s, "<div class=\"wide\"><table>\n<thead><tr>");
    for (i, h) in header.iter().enumerate() {
        let _ = write!(s, "<th{}>{}</th>", class(i), escape(h));
    }
    let _ = writeln!(s, "</tr></thead>\n<tbody>");
    for row in body {
        let _ = write!(s, "<tr>");
        for (i, c) in row.iter().enumerate() {
            let _ = write!(s, "<td{}>{}</td>", class(i), escape(c));
        }
        let _ = writeln!(s, "</tr>");
    }
    let _ = writeln!(s, "</tbody>\n</table></div>");
}

/// Writes the section.
pub fn section(s: &mut String, g: &Ranges, r: &Report) {
    let months = r.verdict.horizon_months;
    let _ = writeln!(s, "<h2 id=\"ranges\">How sure is this?</h2>");
    let tone = if g.holds { "ok" } else { "bad" };
    let _ = writeln!(s, "<p class=\"verdict {tone}\">{}</p>", escape(&g.summary));
    let options: Vec<Vec<String>> = rows::option_rows(g).into_iter().map(Vec::from).collect();
    table(
        s,
        &rows::option_header(months),
        &options,
        &[false, true, true, true, true],
    );
    let tornado: Vec<Vec<String>> = rows::tornado_rows(g).into_iter().map(Vec::from).collect();
    table(
        s,
        &rows::tornado_header(g),
        &tornado,
        &[false, false, true, true, true, false],
    );
    let _ = writeln!(s, "<p class=\"muted\">{}</p>", escape(&rows::method_note(g, r.seed)));
    let _ = writeln!(s, "<div class=\"charts\">");
    for (kind, caption) in [
        (
            ChartKind::Tornado,
            "Each input at its low (light) and high (dark) value, the others at the scenario's: the winner's horizon \
             cost (thick) and the runner-up's (thin) around the typical cost (dashed); red: the input flips the \
             verdict.",
        ),
        (
            ChartKind::CostRange,
            "Each option's horizon cost: P10–P90 over the Monte Carlo runs (bar, median tick) within the lowest and \
             highest of the inputs' low and high cases (whisker).",
        ),
    ] {
        let _ = writeln!(
            s,
            "<figure id=\"{}\">\n{}<figcaption>{}</figcaption>\n</figure>",
            kind.stem(),
            chart::svg(r, kind),
            escape(caption)
        );
    }
    let _ = writeln!(s, "</div>");
}
