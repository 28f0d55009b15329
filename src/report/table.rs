//! Terminal tables (comfy-table) for every command's stdout view. Every cell passes through
//! `sanitize::terminal`, so no control character from an input reaches the terminal.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table};

use super::format::{count, percent, quantity, sig3};
use super::sanitize::terminal;
use crate::characterize::WorkloadProfile;
use crate::stats::Summary;

/// Width of a table written to a file or a pipe (on a terminal, the terminal's width).
pub const PIPE_WIDTH: u16 = 80;

pub(super) fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| cell(h)));
    t
}

/// A left-aligned cell, sanitized.
pub(super) fn cell(s: &str) -> Cell {
    Cell::new(terminal(s))
}

pub(super) fn right(s: String) -> Cell {
    cell(&s).set_alignment(CellAlignment::Right)
}

/// Keeps the first column (option ids) whole up to 28 characters, and up to what `room` leaves
/// it (the table's width less the other columns' floors and the borders): the numbers and their
/// header words never wrap, an id wraps (between words first) only when nothing else can give.
/// `lengths` are the characters of its cells.
fn keep_first_column_whole(t: &mut Table, lengths: impl Iterator<Item = usize>, room: Option<u16>) {
    let longest =
        (lengths.max().unwrap_or(0).min(28) as u16).min(room.map_or(u16::MAX, |r| r.saturating_sub(2).max(10)));
    if let Some(c) = t.column_mut(0) {
        // The width includes the cell's padding of one space each side.
        c.set_constraint(ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(longest + 2)));
    }
}

/// Keeps the cells of columns `1..` whole (money and counts never wrap mid-number) and the
/// words of their headers: each column is at least as wide as its longest cell and its
/// longest header word; headers wrap between words instead. Returns the columns' floors
/// added up (padding included).
fn keep_values_whole(t: &mut Table, header: &[&str], rows: &[Vec<String>]) -> u16 {
    let columns = rows.first().map_or(0, Vec::len);
    let mut floors = 0u16;
    for i in 1..columns {
        let word = header.get(i).map_or(0, |h| {
            h.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0)
        });
        let cells = rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
        let longest = cells.max(word).min(24) as u16;
        floors = floors.saturating_add(longest + 2);
        if let Some(c) = t.column_mut(i) {
            c.set_constraint(ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(longest + 2)));
        }
    }
    floors
}

/// Keeps every cell of `rows` (the texts of the table's columns, first the ids) whole where
/// `width` allows: the value columns at their longest cell and header word, the ids in what
/// is left (borders: one between and around each column).
fn keep_cells_whole(t: &mut Table, header: &[&str], rows: &[Vec<String>], width: Width) {
    let floors = keep_values_whole(t, header, rows);
    let room = width
        .columns()
        .map(|w| w.saturating_sub(floors + header.len() as u16 + 1));
    keep_first_column_whole(t, rows.iter().map(|r| r[0].chars().count()), room);
}

/// How wide a table may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// Fit this many columns (comfy-table wraps cells to fit).
    Columns(u16),
    /// The terminal's width, as comfy-table detects it.
    Terminal,
    /// No limit (`--wide` into a pipe).
    Unlimited,
}

impl Width {
    /// The width for stdout: the terminal's when it is one, else `PIPE_WIDTH` (`wide`: no limit).
    pub fn for_stdout(wide: bool) -> Width {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            Width::Terminal
        } else if wide {
            Width::Unlimited
        } else {
            Width::Columns(PIPE_WIDTH)
        }
    }

    pub(super) fn apply(self, t: &mut Table) {
        match self {
            Width::Columns(w) => {
                t.set_width(w);
            }
            Width::Terminal => {}
            Width::Unlimited => {
                t.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
    }

    /// The columns a table may take (None: no limit).
    fn columns(self) -> Option<u16> {
        match self {
            Width::Columns(w) => Some(w),
            Width::Terminal => comfy_table::Table::new().width(),
            Width::Unlimited => None,
        }
    }

    /// The width left after an indent of `columns`.
    pub(super) fn indented(self, columns: u16) -> Width {
        match self {
            Width::Columns(w) => Width::Columns(w.saturating_sub(columns).max(20)),
            Width::Terminal => match comfy_table::Table::new().width() {
                Some(w) => Width::Columns(w.saturating_sub(columns).max(20)),
                None => Width::Unlimited,
            },
            Width::Unlimited => Width::Unlimited,
        }
    }

    /// Wraps prose to the width (words longer than a line stay whole).
    pub(super) fn wrap(self, text: &str) -> String {
        let limit = match self {
            Width::Columns(w) => usize::from(w),
            Width::Terminal => comfy_table::Table::new().width().map_or(usize::MAX, usize::from),
            Width::Unlimited => usize::MAX,
        };
        let mut out = String::new();
        let mut line = 0;
        for word in text.split(' ') {
            let n = word.chars().count();
            if line > 0 && line + 1 + n > limit {
                out.push('\n');
                line = 0;
            } else if line > 0 {
                out.push(' ');
                line += 1;
            }
            out.push_str(word);
            line += n;
        }
        out
    }
}

/// The workload characterization as three tables: totals and rates, distributions, mix.
pub fn workload_profile(p: &WorkloadProfile) -> String {
    let mut totals = table(&["workload", "value"]);
    let rows: [(&str, String); 9] = [
        ("functions", count(p.functions)),
        ("apps", count(p.apps)),
        ("owners", count(p.owners)),
        ("invocations", count(p.invocations)),
        ("window (minutes)", count(p.minutes)),
        (
            "functions invoked ≤ 1/min on average",
            percent(p.functions_avg_rate_at_most_1_per_minute),
        ),
        (
            "functions invoked ≤ 1/hour on average",
            percent(p.functions_avg_rate_at_most_1_per_hour),
        ),
        (
            "apps invoked ≤ 1/min on average",
            percent(p.apps_avg_rate_at_most_1_per_minute),
        ),
        (
            "apps invoked ≤ 1/hour on average",
            percent(p.apps_avg_rate_at_most_1_per_hour),
        ),
    ];
    for (k, v) in rows {
        totals.add_row(vec![cell(k), right(v)]);
    }

    let mut dist = table(&["per function (or app)", "n", "p10", "p50", "p90", "p99", "max"]);
    let mut add = |name: &str, s: Option<&Summary>| {
        let mut row = vec![cell(name)];
        match s {
            Some(s) => {
                row.push(right(count(s.count)));
                for v in [s.p10, s.p50, s.p90, s.p99, s.max] {
                    row.push(right(sig3(Some(v))));
                }
            }
            None => row.extend((0..6).map(|_| right("-".into()))),
        }
        dist.add_row(row);
    };
    add("invocations per minute", p.rate_per_minute.as_ref());
    add("average duration (ms)", p.duration_ms.as_ref());
    let memory_label = match &p.memory_mb {
        Some(m) => format!("memory per app (MB, {})", m.basis),
        None => "memory per app (MB)".to_string(),
    };
    add(&memory_label, p.memory_mb.as_ref().map(|m| &m.summary));
    add("peak-to-mean per-minute rate", p.peak_to_mean.as_ref());
    add("idle-minute share", p.idle_minutes_fraction.as_ref());
    add("inter-arrival CV", p.iat_cv.as_ref().map(|c| &c.summary));

    let mut mix = table(&["trigger", "functions", "invocations"]);
    for (trigger, share) in &p.triggers {
        mix.add_row(vec![
            cell(trigger),
            right(percent(Some(*share))),
            right(percent(p.triggers_by_invocations.get(trigger).copied())),
        ]);
    }
    let mut fpa = table(&["functions per app", "apps"]);
    for group in ["1", "2", "3", "4-5", "6-10", "11+"] {
        fpa.add_row(vec![
            cell(group),
            right(percent(p.functions_per_app.get(group).copied())),
        ]);
    }
    let mut out = format!("{totals}\n{dist}\n{mix}\n{fpa}\n");
    if let Some(cv) = &p.iat_cv {
        out.push_str(&terminal(&format!(
            "inter-arrival times from {}: {} of functions periodic (CV ≤ 0.1), {} burstier than Poisson (CV > 1)\n",
            cv.basis,
            percent(Some(cv.share_cv_at_most_0_1)),
            percent(Some(cv.share_cv_above_1))
        )));
    }
    out
}

/// The analyze summary: the verdict, then one row per option with the cheapest marked. By
/// default six columns that fit `width`; `wide` adds kind, platform, end-to-end p99, peak
/// concurrency, throttles and the fleet. Warnings go to stderr, never into this table.
pub fn options_summary(r: &crate::report::model::Report, wide: bool, width: Width) -> String {
    use super::format::usd;
    let horizon = format!("{}-month cost", r.verdict.horizon_months);
    let mut header = vec![
        "option",
        "monthly cost",
        &horizon,
        "cold starts",
        "p99 added ms",
        "meets SLO",
    ];
    if wide {
        header.extend([
            "kind",
            "platform",
            "p99 end-to-end ms",
            "peak concurrency",
            "throttles",
            "fleet",
        ]);
    }
    let mut t = table(&header);
    width.apply(&mut t);
    let cheapest = r.verdict.cheapest_option.as_deref();
    let mut texts: Vec<Vec<String>> = Vec::new();
    for o in &r.options {
        let name = if cheapest == Some(o.id.as_str()) {
            format!("{} (cheapest)", o.id)
        } else {
            o.id.clone()
        };
        let (monthly, total) = match (o.monthly_cost_usd, o.horizon_cost_usd) {
            (Some(m), Some(h)) if o.complete => (usd(m), usd(h)),
            (Some(m), Some(h)) => (format!("≥ {}", usd(m)), format!("≥ {}", usd(h))),
            _ => ("cannot run".to_string(), "-".to_string()),
        };
        let values = [
            monthly,
            total,
            percent(o.cold_start_rate),
            quantity(o.added_latency_ms.map(|l| l.p99)),
        ];
        let meets = if o.meets_slo { "yes" } else { "no" };
        texts.push(
            std::iter::once(name.clone())
                .chain(values.iter().cloned())
                .chain([meets.to_string()])
                .collect::<Vec<_>>(),
        );
        let [monthly, total, cold, added] = values;
        let mut row = vec![
            cell(&name),
            right(monthly),
            right(total),
            right(cold),
            right(added),
            cell(meets),
        ];
        if wide {
            let fleet = o
                .instances
                .as_ref()
                .map(|i| format!("≤ {} × {} ({} committed)", i.peak, i.instance_type, i.committed))
                .unwrap_or_else(|| "-".into());
            row.extend([
                cell(o.kind.name()),
                cell(&o.platform),
                right(quantity(o.latency_ms.map(|l| l.p99))),
                right(o.peak_concurrency.map_or("-".into(), count)),
                right(o.throttles.map_or("-".into(), count)),
                cell(&fleet),
            ]);
        }
        t.add_row(row);
    }
    keep_cells_whole(&mut t, &header, &texts, width);
    format!("{}\n{t}\n", width.wrap(&terminal(&r.verdict.headline)))
}

/// The diff view: gates, the recommended option before and after, one row per option.
pub fn diff_table(d: &super::diff::Diff, width: Width, recommended: String) -> String {
    use super::format::usd;
    use super::gate::{signed_percent, signed_usd};
    let mut out = String::new();
    for g in &d.gates {
        out.push_str(&width.wrap(&terminal(&format!(
            "gate {}: {} — {}",
            g.outcome.name(),
            g.gate,
            g.detail
        ))));
        out.push('\n');
    }
    out.push_str(&width.wrap(&terminal(&recommended)));
    out.push('\n');
    let header = ["option", "base monthly", "head monthly", "change", "change %", "viable"];
    let mut t = table(&header);
    width.apply(&mut t);
    let mut texts: Vec<Vec<String>> = Vec::new();
    let money = |m: Option<crate::money::Money>| m.map_or("-".into(), usd);
    for o in &d.options {
        let name = match o.status {
            "added" => format!("{} (added)", o.id),
            "removed" => format!("{} (removed)", o.id),
            _ => o.id.clone(),
        };
        let viable = |v: Option<bool>| match v {
            Some(true) => "yes",
            Some(false) => "no",
            None => "-",
        };
        let v = if o.base_viable == o.head_viable || o.base_viable.is_none() || o.head_viable.is_none() {
            viable(o.head_viable.or(o.base_viable)).to_string()
        } else {
            format!("{} → {}", viable(o.base_viable), viable(o.head_viable))
        };
        let values = [
            money(o.base_monthly_usd),
            money(o.head_monthly_usd),
            o.monthly_change_usd.map_or("-".into(), signed_usd),
            o.monthly_change_pct.map_or("-".into(), signed_percent),
        ];
        texts.push(
            std::iter::once(name.clone())
                .chain(values.iter().cloned())
                .chain([v.clone()])
                .collect(),
        );
        let [base, head, change, pct] = values;
        t.add_row(vec![
            cell(&name),
            right(base),
            right(head),
            right(change),
            right(pct),
            cell(&v),
        ]);
    }
    keep_cells_whole(&mut t, &header, &texts, width);
    out.push_str(&format!("{t}\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header names every column that the rows fill.
    #[test]
    fn summary_header_matches_rows() {
        let report = crate::report::model::sample_report();
        let text = options_summary(&report, false, Width::Columns(80));
        assert!(text.starts_with("lambda is the only option"), "{text}");
        let header = text.lines().find(|l| l.contains("│ option")).unwrap();
        let row = text.lines().find(|l| l.contains("$12.50")).unwrap();
        assert_eq!(header.matches('┆').count(), row.matches('┆').count(), "{text}");
        assert_eq!(header.matches('┆').count(), 5, "six columns by default: {text}");
        assert!(header.contains("p99 added ms"));
        assert!(row.contains("lambda") && row.contains("1.0%"), "{text}");
        assert!(text.contains("(cheapest)"), "{text}");
    }

    /// Seen on a generated 1,000-function day: with seven-figure costs the floors of the value
    /// columns left no room, and comfy-table squeezed the last column to "mee|ts". The option
    /// id gives way instead; every number and every header word stays on one line.
    #[test]
    fn big_money_keeps_numbers_and_header_words_whole_in_80_columns() {
        let mut report = crate::report::model::sample_report();
        let big = crate::money::Money::from_micro(1_710_816_390_000);
        for o in &mut report.options {
            o.id = "cloud-run-containers-long".into();
            o.monthly_cost_usd = Some(crate::money::Money::from_micro(35_489_310_000));
            o.horizon_cost_usd = Some(big);
            o.complete = true;
        }
        let text = options_summary(&report, false, Width::Columns(80));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        for whole in ["$1,710,816.39", "$35,489.31", "│ option", "meets", "starts", "added"] {
            assert!(text.contains(whole), "{whole} split: {text}");
        }
    }

    /// Long ids, descriptions and a long headline still fit 80 columns; --wide adds columns.
    #[test]
    fn the_summary_fits_80_columns() {
        let mut report = crate::report::model::sample_report();
        let mut other = report.options[0].clone();
        other.id = "a-rather-long-option-identifier-from-the-scenario".into();
        other.platform = "aws-lambda+aws-ec2-with-a-long-name".into();
        report.options.push(other);
        report.verdict.headline = "word ".repeat(60);
        let text = options_summary(&report, false, Width::Columns(80));
        for line in text.lines() {
            assert!(
                line.chars().count() <= 80,
                "{} chars: {line}\n{text}",
                line.chars().count()
            );
        }
        // Money never wraps mid-number, even next to a long id (the id and headers wrap).
        report.options[1].horizon_cost_usd = Some(crate::money::Money::from_micro(3_616_617_824));
        report.verdict.cheapest_option = Some(report.options[1].id.clone());
        let text = options_summary(&report, false, Width::Columns(80));
        assert!(text.contains("$3,616.62") && text.contains("$150.00"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        let wide = options_summary(&report, true, Width::Unlimited);
        assert!(wide.lines().any(|l| l.chars().count() > 80), "{wide}");
        assert!(wide.contains("aws-lambda+aws-ec2-with-a-long-name") && wide.contains("peak concurrency"));
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut report = crate::report::model::sample_report();
        report.options[0].id = "evil\u{1b}]0;pwned\u{7}\u{202E}".into();
        report.verdict.headline = "head\u{1b}[2Jline".into();
        let text = options_summary(&report, true, Width::Unlimited);
        assert!(
            !text.chars().any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202E}'),
            "{text:?}"
        );
        assert!(text.contains("evil\\u{1b}]0;pwned\\u{7}\\u{202e}"), "{text}");
        assert!(text.starts_with("head\\u{1b}[2Jline"), "{text}");
    }
}
