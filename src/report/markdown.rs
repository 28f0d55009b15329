//! Markdown rendering of a `Report`, sized for a pull-request comment or a CI job summary:
//! the verdict and the warnings first, then the workload, the comparison table, each option's
//! bill folded in a `<details>` block, the assumptions and the inputs. Strings from traces never reach this page unescaped.

use std::fmt::Write;

use super::format::{count, percent, sig3, usd};
use super::model::{OptionReport, Report};

/// Escapes text for a Markdown table cell or paragraph (pipes, HTML, emphasis markers).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

fn option_row(o: &OptionReport, cheapest: Option<&str>) -> String {
    let mark = if Some(o.id.as_str()) == cheapest {
        " **(cheapest)**"
    } else {
        ""
    };
    let (monthly, horizon) = match (o.monthly_cost_usd, o.horizon_cost_usd) {
        (Some(m), Some(h)) if o.complete => (usd(m), usd(h)),
        (Some(m), Some(h)) => (format!("≥ {} (some lines not priced)", usd(m)), format!("≥ {}", usd(h))),
        _ => ("cannot run: platform limit".to_string(), "-".to_string()),
    };
    let ms = |l: Option<f64>| sig3(l);
    format!(
        "| {}{} | {} | {} | {} | {} | {} | {} | {} |",
        escape(&o.id),
        mark,
        o.kind.name(),
        monthly,
        horizon,
        percent(o.cold_start_rate),
        ms(o.latency_ms.map(|l| l.p99)),
        ms(o.added_latency_ms.map(|l| l.p99)),
        if o.meets_slo { "yes" } else { "**no**" },
    )
}

/// Renders the report as Markdown.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let months = r.verdict.horizon_months;
    let _ = writeln!(s, "# faascost report\n");
    let _ = writeln!(s, "**Verdict:** {}\n", escape(&r.verdict.headline));
    if !r.warnings.is_empty() {
        let _ = writeln!(s, "**Warnings** ({}):\n", r.warnings.len());
        for w in &r.warnings {
            let who = w
                .option
                .as_deref()
                .map(|o| format!(" {}:", escape(o)))
                .unwrap_or_default();
            let _ = writeln!(s, "- `{}`{who} {}", w.code, escape(&w.message));
        }
        let _ = writeln!(s);
    }
    let w = &r.workload;
    let _ = writeln!(
        s,
        "Workload: {} functions in {} apps, {} invocations over {} minutes; {} of apps invoked at most once an hour on average.\n",
        count(w.functions),
        count(w.apps),
        count(w.invocations),
        count(w.minutes),
        percent(w.apps_avg_rate_at_most_1_per_hour)
    );
    let _ = writeln!(
        s,
        "| option | kind | monthly cost | {months}-month cost | cold starts | p99 latency (ms) | p99 added (ms) | meets SLO |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---|");
    let cheapest = r.verdict.cheapest_option.as_deref();
    for o in &r.options {
        let _ = writeln!(s, "{}", option_row(o, cheapest));
    }
    let _ = writeln!(s);
    for c in &r.cheapest_changes {
        let _ = writeln!(
            s,
            "From month {} of the horizon (traffic growth), the cheapest viable option in that month is **{}**.",
            c.month,
            escape(c.option.as_deref().unwrap_or("none"))
        );
    }
    let _ = writeln!(s, "\n## Options\n");
    for o in &r.options {
        let _ = writeln!(
            s,
            "<details><summary>{} — {}</summary>\n",
            escape(&o.id),
            escape(&o.description)
        );
        for l in &o.limits {
            let _ = writeln!(s, "- cannot run: {}", escape(&l.sentence()));
        }
        if !o.cost_lines.is_empty() {
            let _ = writeln!(s, "| line | quantity | unit | unit price | monthly cost |");
            let _ = writeln!(s, "|---|---:|---|---:|---:|");
        }
        for l in &o.cost_lines {
            let price = match l.unit_price_usd {
                Some(p) => format!("${}", sig3(Some(p))),
                None => "not priced".into(),
            };
            let cost = match l.cost_usd {
                Some(c) => usd(c),
                None => "not priced".into(),
            };
            let flag = if l.verified { "" } else { " (unverified)" };
            let _ = writeln!(
                s,
                "| {}{} | {} | {} | {} | {} |",
                escape(&l.name),
                flag,
                sig3(Some(l.quantity)),
                escape(&l.unit),
                price,
                cost
            );
        }
        let mut facts = Vec::new();
        if let Some(t) = o.throttles.filter(|&t| t > 0) {
            facts.push(format!("{} requests throttled", count(t)));
        }
        if let Some(v) = o.slo_violation_minutes.filter(|&v| v > 0) {
            facts.push(format!("{} minutes with p99 wait above the SLO", count(v)));
        }
        if let Some(u) = &o.utilization {
            facts.push(format!(
                "utilization mean {} (p95 {})",
                percent(Some(u.mean)),
                percent(Some(u.p95))
            ));
        }
        if let Some(p) = o.peak_concurrency {
            facts.push(format!("peak concurrency {}", count(p)));
        }
        if !facts.is_empty() {
            let _ = writeln!(s, "\n{}.", facts.join("; "));
        }
        if let Some(i) = &o.instances {
            let _ = writeln!(
                s,
                "\nFleet: {} × {} at peak, {} on average, {} committed.",
                i.peak,
                escape(&i.instance_type),
                sig3(Some(i.mean)),
                i.committed
            );
        }
        for n in &o.notes {
            let _ = writeln!(s, "\n- {}", escape(n));
        }
        let _ = writeln!(s, "\n</details>\n");
    }
    let _ = writeln!(s, "## Assumptions\n");
    for a in &r.assumptions {
        let _ = writeln!(s, "- {}", escape(a));
    }
    let _ = writeln!(s, "\n## Inputs\n");
    let _ = writeln!(s, "- scenario: {}; seed {}", escape(&r.inputs.scenario), r.seed);
    for t in &r.inputs.traces {
        let _ = writeln!(
            s,
            "- trace {} ({}, {} bytes, sha256 {})",
            escape(&t.path),
            escape(&t.format),
            count(t.bytes),
            t.sha256
        );
    }
    for p in &r.inputs.price_tables {
        let v = if p.verified { "" } else { ", some figures unverified" };
        let _ = writeln!(
            s,
            "- prices {} ({}, effective {}{v})",
            escape(&p.id),
            escape(&p.region),
            escape(&p.effective_date)
        );
    }
    let _ = writeln!(s, "\n_{} — report schema {}_", escape(&r.tool), r.schema_version);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_section_of_a_fixed_report() {
        let md = render(&crate::report::model::sample_report());
        for needle in [
            "# faascost report",
            "| lambda **(cheapest)** | serverless | $12.50 | $150.00 | 1.0% |",
            "**Verdict:** lambda is the only option that meets the 1000 ms p99 added-latency SLO",
            "- `trace-input` a trace warning &lt;script&gt;",
            "<details><summary>lambda — aws-lambda 1024 MB arm64 &lt;b&gt;</summary>",
            "| Requests | 62.5 | 1M requests | $0.200 | $12.50 |",
            "- a note \\| with a pipe",
            "## Assumptions",
        ] {
            assert!(md.contains(needle), "missing {needle:?} in:\n{md}");
        }
        // The cheapest option never changes over the horizon here, so no break-even line.
        assert!(!md.contains("From month"));
    }

    #[test]
    fn escapes_markup_from_traces() {
        assert_eq!(escape("a|b<script>"), "a\\|b&lt;script&gt;");
        assert_eq!(escape("x\ny"), "x y");
        assert_eq!(escape("[link](http://x)"), "\\[link\\](http://x)");
    }
}
