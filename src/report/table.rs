//! Terminal tables (comfy-table) for every command's stdout view.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, ContentArrangement, Table};

use super::format::{count, percent, sig3};
use crate::characterize::WorkloadProfile;
use crate::stats::Summary;

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(Cell::new));
    t
}

fn right(s: String) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
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
        totals.add_row(vec![Cell::new(k), right(v)]);
    }

    let mut dist = table(&["per function (or app)", "n", "p10", "p50", "p90", "p99", "max"]);
    let mut add = |name: &str, s: Option<&Summary>| {
        let mut row = vec![Cell::new(name)];
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
            Cell::new(trigger),
            right(percent(Some(*share))),
            right(percent(p.triggers_by_invocations.get(trigger).copied())),
        ]);
    }
    let mut fpa = table(&["functions per app", "apps"]);
    for group in ["1", "2", "3", "4-5", "6-10", "11+"] {
        fpa.add_row(vec![
            Cell::new(group),
            right(percent(p.functions_per_app.get(group).copied())),
        ]);
    }
    let mut out = format!("{totals}\n{dist}\n{mix}\n{fpa}\n");
    if let Some(cv) = &p.iat_cv {
        out.push_str(&format!(
            "inter-arrival times from {}: {} of functions periodic (CV ≤ 0.1), {} burstier than Poisson (CV > 1)\n",
            cv.basis,
            percent(Some(cv.share_cv_at_most_0_1)),
            percent(Some(cv.share_cv_above_1))
        ));
    }
    out
}

/// The analyze summary: the verdict, then one row per option with the cheapest marked.
/// Warnings go to stderr, never into this table.
pub fn options_summary(r: &crate::report::model::Report) -> String {
    use super::format::usd;
    let horizon = format!("{}-month cost", r.verdict.horizon_months);
    let mut t = table(&[
        "option",
        "kind",
        "monthly cost",
        &horizon,
        "cold starts",
        "p99 ms",
        "p99 added ms",
        "meets SLO",
        "fleet",
    ]);
    for o in &r.options {
        let name = if r.verdict.cheapest_option.as_deref() == Some(o.id.as_str()) {
            format!("{} (cheapest)", o.id)
        } else {
            o.id.clone()
        };
        let (monthly, total) = match (o.monthly_cost_usd, o.horizon_cost_usd) {
            (Some(m), Some(h)) if o.complete => (usd(m), usd(h)),
            (Some(m), Some(h)) => (format!("≥ {}", usd(m)), format!("≥ {}", usd(h))),
            _ => ("cannot run".to_string(), "-".to_string()),
        };
        let fleet = o
            .instances
            .as_ref()
            .map(|i| format!("≤ {} × {} ({} committed)", i.peak, i.instance_type, i.committed))
            .unwrap_or_else(|| "-".into());
        t.add_row(vec![
            Cell::new(name),
            Cell::new(o.kind.name()),
            right(monthly),
            right(total),
            right(percent(o.cold_start_rate)),
            right(sig3(o.latency_ms.map(|l| l.p99))),
            right(sig3(o.added_latency_ms.map(|l| l.p99))),
            Cell::new(if o.meets_slo { "yes" } else { "no" }),
            Cell::new(fleet),
        ]);
    }
    format!("{}\n{t}\n", r.verdict.headline)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header names every column that the rows fill.
    #[test]
    fn summary_header_matches_rows() {
        let report = crate::report::model::sample_report();
        let text = options_summary(&report);
        assert!(text.starts_with("lambda is the only option"), "{text}");
        let header = text.lines().nth(2).unwrap();
        let row = text.lines().nth(4).unwrap();
        assert_eq!(header.matches('┆').count(), row.matches('┆').count(), "{text}");
        assert!(header.contains("p99 added ms"));
        assert!(row.contains("lambda (cheapest)") && row.contains("$12.50") && row.contains("1.0%"));
    }
}
