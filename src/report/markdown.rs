//! Markdown rendering of a `Report`, sized for a pull-request comment or a CI job summary:
//! the verdict, whether the workload fits serverless and why, and the warnings first, then the
//! workload, the comparison table, each option's
//! bill folded in a `<details>` block, the assumptions and the inputs. Strings from traces never reach this page unescaped.

use std::fmt::Write;

use super::format::{count, percent, quantity, unit_price, usd};
use super::model::{OptionReport, Recommendations, Report};
use super::recommend::{
    break_even_sentence, favours_label, key_reason, mix_sentence, overall_sentence, reason_value, short_name,
    shown_functions, verdict_label,
};

/// The most characters report.md may have: a GitHub pull-request comment holds 65,536; the
/// rest is head-room for a wrapper a CI job adds.
pub const MAX_CHARS: usize = 60_000;

/// Most warnings listed in full; the rest are counted (all are in report.json).
const MAX_WARNINGS: usize = 25;

/// Longest text taken from a trace or a warning, in characters, before it is cut with `…`.
const MAX_TEXT: usize = 1_000;

/// `text` cut to `MAX_TEXT` characters.
fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_TEXT) {
        Some((at, _)) => format!("{}…", &text[..at]).into(),
        None => text.into(),
    }
}

/// Neutralises what would act in a rendered comment, shared by both escapes: control and bidi
/// characters become visible escapes, `@` gets a zero-width joiner (no `@mention` pings), and
/// `scheme://` / `www.` become `scheme[:]//` / `www[.]` (no live links).
fn neutralise(text: &str) -> String {
    let text = crate::report::sanitize::terminal(text);
    let text = clip(&text);
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(ch) = rest.chars().next() {
        if rest.starts_with("://") {
            out.push_str("[:]//");
            rest = &rest[3..];
            continue;
        }
        if rest.len() >= 4 && rest.is_char_boundary(4) && rest[..4].eq_ignore_ascii_case("www.") {
            out.push_str(&rest[..3]);
            out.push_str("[.]");
            rest = &rest[4..];
            continue;
        }
        out.push(ch);
        if ch == '@' {
            out.push('\u{200D}');
        }
        rest = &rest[ch.len_utf8()..];
    }
    out
}

/// Escapes text for a Markdown table cell or paragraph: pipes, HTML, emphasis, link and heading
/// markers, plus everything `neutralise` handles (mentions, links, controls, bidi overrides).
pub fn escape(text: &str) -> String {
    let text = neutralise(text);
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// Escapes text inside raw HTML (the `<summary>` of a folded block), where Markdown escapes
/// would show as backslashes: HTML entities, plus everything `neutralise` handles.
pub fn escape_html(text: &str) -> String {
    let text = neutralise(text);
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// The assumptions with repeats folded: "option: sentence" lines that say the same sentence
/// for several options become one line naming them all, at the first one's place.
pub fn grouped_assumptions(r: &Report) -> Vec<String> {
    let ids: Vec<&str> = r.options.iter().map(|o| o.id.as_str()).collect();
    // (sentence, the options that state it) in first-seen order, or a line kept as it is.
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for a in &r.assumptions {
        let split = ids.iter().find_map(|id| {
            a.strip_prefix(id)
                .and_then(|rest| rest.strip_prefix(": "))
                .map(|rest| (*id, rest))
        });
        match split {
            Some((id, sentence)) => match groups.iter_mut().find(|(s, who)| s == sentence && !who.is_empty()) {
                Some((_, who)) => who.push(id),
                None => groups.push((sentence.to_string(), vec![id])),
            },
            None => groups.push((a.clone(), Vec::new())),
        }
    }
    groups
        .into_iter()
        .map(|(sentence, who)| match who.len() {
            0 => sentence,
            _ => format!("{}: {sentence}", who.join(", ")),
        })
        .collect()
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
    format!(
        "| {}{} | {} | {} | {} | {} | {} | {} |",
        escape(&o.id),
        mark,
        o.kind.name(),
        monthly,
        horizon,
        percent(o.cold_start_rate),
        quantity(o.added_latency_ms.map(|l| l.p99)),
        if o.meets_slo { "yes" } else { "**no**" },
    )
}

/// One option's folded block: limits, bill, behaviour, fleet, notes.
fn option_details(o: &OptionReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<details><summary>{} — {}</summary>\n",
        escape_html(&o.id),
        escape_html(&o.description)
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
            Some(p) => unit_price(p),
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
            quantity(Some(l.quantity)),
            escape(&l.unit),
            price,
            cost
        );
    }
    let mut facts = Vec::new();
    if let Some(l) = o.added_latency_ms {
        facts.push(format!(
            "added latency p50 / p95 / p99 {} / {} / {} ms",
            quantity(Some(l.p50)),
            quantity(Some(l.p95)),
            quantity(Some(l.p99))
        ));
    }
    if let Some(l) = o.latency_ms {
        facts.push(format!(
            "end-to-end p99 {} ms (the workload's own execution time included)",
            quantity(Some(l.p99))
        ));
    }
    facts.extend(super::format::load_facts(o));
    if !facts.is_empty() {
        let _ = writeln!(s, "\n{}.", facts.join("; "));
    }
    if let Some(i) = &o.instances {
        let _ = writeln!(
            s,
            "\nFleet: {} × {} at peak, {} on average, {} committed.",
            count(u64::from(i.peak)),
            escape(&i.instance_type),
            quantity(Some(i.mean)),
            count(u64::from(i.committed))
        );
    }
    for n in &o.notes {
        let _ = writeln!(s, "\n- {}", escape(n));
    }
    let _ = writeln!(s, "\n</details>\n");
    s
}

/// Renders the report as Markdown, at most `MAX_CHARS` characters: the verdict, warnings and
/// comparison always; the per-option details, assumptions and inputs while they fit, then a
/// note saying what was left out.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let months = r.verdict.horizon_months;
    let _ = writeln!(s, "# faascost report\n");
    let _ = writeln!(s, "**Verdict:** {}\n", escape(&r.verdict.headline));
    if let Some(rec) = &r.recommendations {
        s.push_str(&fit_lead(rec, months));
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(s, "**Warnings** ({}):\n", r.warnings.len());
        for w in r.warnings.iter().take(MAX_WARNINGS) {
            let who = w
                .option
                .as_deref()
                .map(|o| format!(" {}:", escape(o)))
                .unwrap_or_default();
            let _ = writeln!(s, "- `{}`{who} {}", w.code, escape(&w.message));
        }
        if r.warnings.len() > MAX_WARNINGS {
            let _ = writeln!(
                s,
                "- … and {} more warning(s), all in report.json",
                count((r.warnings.len() - MAX_WARNINGS) as u64)
            );
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
        "| option | kind | monthly cost | {months}-month cost | cold starts | p99 added latency (ms) | meets SLO |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---|");
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
    if !r.break_even.is_empty() {
        let _ = writeln!(
            s,
            "\nBreak-even traffic, on cost alone (the whole workload's traffic scaled; each server option sized by its capacity rule, \
             in report.json):\n"
        );
        for b in &r.break_even {
            let _ = writeln!(s, "- {}", escape(&break_even_sentence(b)));
        }
    }
    let _ = writeln!(
        s,
        "\nAdded latency is what the platform adds to a request (cold-start init, waiting for a slot); \
         the SLO of {} ms applies to its p99.",
        quantity(Some(r.verdict.latency_slo_ms))
    );
    if let Some(g) = &r.ranges {
        s.push('\n');
        s.push_str(&ranges_block(g, months, r.seed));
    }

    // Detail, in order, while it fits.
    let mut blocks = Vec::new();
    if let Some(rec) = &r.recommendations {
        blocks.push(functions_block(rec));
    }
    blocks.push("\n## Options\n\n".to_string());
    blocks.extend(r.options.iter().map(option_details));
    let mut assumptions = String::from("## Assumptions\n\n");
    for a in grouped_assumptions(r) {
        let _ = writeln!(assumptions, "- {}", escape(&a));
    }
    blocks.push(assumptions);
    let mut inputs = String::from("\n## Inputs\n\n");
    let _ = writeln!(inputs, "- scenario: {}; seed {}", escape(&r.inputs.scenario), r.seed);
    for t in &r.inputs.traces {
        let _ = writeln!(
            inputs,
            "- trace {} ({}, {} bytes, sha256 {})",
            escape(&t.path),
            escape(&t.format),
            count(t.bytes),
            escape(&t.sha256)
        );
    }
    for p in &r.inputs.price_tables {
        let v = if p.verified { "" } else { ", some figures unverified" };
        let _ = writeln!(
            inputs,
            "- prices {} ({}, effective {}{v})",
            escape(&p.id),
            escape(&p.region),
            escape(&p.effective_date)
        );
    }
    blocks.push(inputs);
    let generated = r
        .generated_at
        .as_deref()
        .map(|t| format!(" — generated {}", escape(t)))
        .unwrap_or_default();
    let footer = format!(
        "\n_{} — report schema {}{generated}_\n",
        escape(&r.tool),
        r.schema_version
    );

    // Room for the footer and a truncation note.
    const NOTE_ROOM: usize = 400;
    let mut used = s.chars().count() + footer.chars().count();
    let mut omitted = 0;
    for block in &blocks {
        let n = block.chars().count();
        if omitted == 0 && used + n + NOTE_ROOM <= MAX_CHARS {
            s.push_str(block);
            used += n;
        } else {
            omitted += 1;
        }
    }
    if omitted > 0 {
        let _ = writeln!(
            s,
            "\n_Truncated to fit a pull-request comment ({} characters at most): {omitted} of {} detail \
             sections left out. report.json has everything; `faascost report --from report.json --format table` \
             shows it in a terminal._",
            count(MAX_CHARS as u64),
            blocks.len()
        );
    }
    s.push_str(&footer);
    s
}

/// The whole workload's fit, its reasons and the verdict mix over functions.
fn fit_lead(rec: &Recommendations, months: u32) -> String {
    let mut s = String::from("## Does it fit serverless?\n\n");
    let _ = writeln!(s, "**{}**\n", escape(&overall_sentence(rec, months)));
    let _ = writeln!(s, "| | reason | value | threshold |\n|---|---|---:|---:|");
    for reason in &rec.overall.reasons {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            favours_label(reason.favours),
            escape(&reason.explanation),
            escape(&reason_value(reason, reason.value)),
            escape(&reason_value(reason, reason.threshold))
        );
    }
    let _ = writeln!(
        s,
        "\nPer function ({} in all): {}. Each function is priced as if deployed alone; see Functions below and \
         functions.csv.\n",
        count(rec.functions.len() as u64),
        escape(&mix_sentence(rec))
    );
    s
}

/// "How sure is this?": whether the verdict holds across the range (or which input flips it),
/// each option's P10–P90, the tornado.
fn ranges_block(g: &crate::report::model::Ranges, months: u32, seed: u64) -> String {
    use crate::report::ranges_rows as rows;
    let table = |s: &mut String, header: &[String], rows: Vec<Vec<String>>, align: &str| {
        let cells: Vec<String> = header.iter().map(|h| escape(h)).collect();
        let _ = writeln!(s, "| {} |\n{align}", cells.join(" | "));
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
    };
    let mut s = String::from("## How sure is this?\n\n");
    let _ = writeln!(s, "**{}**\n", escape(&g.summary));
    table(
        &mut s,
        &rows::option_header(months),
        rows::option_rows(g).into_iter().map(Vec::from).collect(),
        "|---|---:|---:|---:|---:|",
    );
    let _ = writeln!(
        s,
        "\nSensitivity (tornado), the input that moves the costs most first:\n"
    );
    table(
        &mut s,
        &rows::tornado_header(g),
        rows::tornado_rows(g).into_iter().map(Vec::from).collect(),
        "|---|---|---:|---:|---:|---|",
    );
    let _ = writeln!(s, "\n{}\n", escape(&rows::method_note(g, seed)));
    s
}

/// The functions with the largest bills, one row each with the reason that carries the verdict.
fn functions_block(rec: &Recommendations) -> String {
    let shown = shown_functions(rec);
    let mut s = String::from("\n## Functions\n\n");
    if shown.len() < rec.functions.len() {
        let _ = writeln!(
            s,
            "The {} functions with the largest bills of {}; every function is in functions.csv and report.json.\n",
            shown.len(),
            count(rec.functions.len() as u64)
        );
    }
    let _ = writeln!(
        s,
        "| function | trigger | invocations | fits | option | monthly cost | saving / month | confidence | why |\n\
         |---|---|---:|---|---|---:|---:|---|---|"
    );
    for f in shown {
        let c = &f.choice;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
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
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::sample_report;

    #[test]
    fn renders_every_section_of_a_fixed_report() {
        let md = render(&sample_report());
        for needle in [
            "# faascost report",
            "| option | kind | monthly cost | 12-month cost | cold starts | p99 added latency (ms) | meets SLO |",
            "| lambda **(cheapest)** | serverless | $12.50 | $150.00 | 1.0% | 0 | yes |",
            "**Verdict:** lambda is the only option that meets the 1000 ms p99 added-latency SLO",
            "- `trace-input` a trace warning &lt;script&gt;",
            "<details><summary>lambda — aws-lambda 1024 MB arm64 &lt;b&gt;</summary>",
            "| Requests | 62.5 | 1M requests | $0.20 | $12.50 |",
            "- a note \\| with a pipe",
            "## Assumptions",
            "## How sure is this?",
            "| lambda | $9.90 – $10.30 | $118.80 / $120.00 / $123.60 | $100.00 – $260.00 | 3 of 3 |",
            "| cpu\\_bound\\_fraction | 0.2 – 0.5 – 0.9 | $100.00 / $260.00 | - / - | $160.00 | flips at 0.9: ec2 &lt;b&gt; |",
        ] {
            assert!(md.contains(needle), "missing {needle:?} in:\n{md}");
        }
        // The ranges follow the comparison and precede the details.
        let at = |s: &str| md.find(s).unwrap();
        assert!(at("| option | kind |") < at("## How sure is this?"));
        assert!(at("## How sure is this?") < at("## Assumptions"));
        // The misleading end-to-end "p99 latency" column is gone (execution time is the workload's).
        assert!(!md.contains("p99 latency (ms)"), "{md}");
        // The cheapest option never changes over the horizon here, so no break-even line.
        assert!(!md.contains("From month"));
    }

    #[test]
    fn escapes_markup_from_traces() {
        assert_eq!(escape("a|b<script>"), "a\\|b&lt;script&gt;");
        assert_eq!(escape("x\ny"), "x y");
        assert_eq!(escape("[link](http://x)"), "\\[link\\](http\\[:\\]//x)");
    }

    /// Strings from traces cannot ping people, link, inject HTML or reorder text in a comment.
    #[test]
    fn neutralises_what_would_act_in_a_comment() {
        let mut r = sample_report();
        r.options[0].description =
            "@everyone <script>alert(1)</script> see https://evil.example/x \u{202E}cod.exe www.evil.example".into();
        r.options[0].notes = vec!["ping @octocat\u{1b}[2J at http://x.example".into()];
        r.warnings[0].message = "function @here\u{2066}name <img src=x>".into();
        let md = render(&r);
        for bad in [
            "@everyone",
            "@octocat",
            "@here",
            "<script>",
            "<img",
            "https://",
            "http://",
            "www.evil",
            "\u{202E}",
            "\u{2066}",
            "\u{1b}",
        ] {
            assert!(!md.contains(bad), "{bad:?} survived in:\n{md}");
        }
        for good in [
            "<summary>lambda — @\u{200D}everyone &lt;script&gt;alert(1)&lt;/script&gt; see https[:]//evil.example/x \\u{202e}cod.exe www[.]evil.example</summary>",
            "- ping @\u{200D}octocat\\\\u{1b}\\[2J at http\\[:\\]//x.example",
            "function @\u{200D}here\\\\u{2066}name &lt;img src=x&gt;",
        ] {
            assert!(md.contains(good), "missing {good:?} in:\n{md}");
        }
    }

    #[test]
    fn repeated_assumptions_are_grouped_across_options() {
        let mut r = sample_report();
        let mut other = r.options[0].clone();
        other.id = "lambda-x86".into();
        r.options.push(other);
        r.assumptions = vec![
            "free tier: off".into(),
            "lambda: aws-lambda: quantities scaled to a 730-hour month".into(),
            "lambda: arm64".into(),
            "lambda-x86: aws-lambda: quantities scaled to a 730-hour month".into(),
            "lambda-x86: x86".into(),
        ];
        assert_eq!(
            grouped_assumptions(&r),
            [
                "free tier: off",
                "lambda, lambda-x86: aws-lambda: quantities scaled to a 730-hour month",
                "lambda: arm64",
                "lambda-x86: x86",
            ]
        );
    }

    #[test]
    fn a_huge_report_is_cut_to_fit_a_pull_request_comment() {
        let mut r = sample_report();
        let template = r.options[0].clone();
        r.options = (0..400)
            .map(|i| {
                let mut o = template.clone();
                o.id = format!("option-{i}");
                o.notes = vec!["n".repeat(2_000); 3];
                o
            })
            .collect();
        r.warnings = vec![r.warnings[0].clone(); 1_000];
        let md = render(&r);
        let chars = md.chars().count();
        assert!(chars <= MAX_CHARS, "{chars} characters");
        assert!(chars > MAX_CHARS - 5_000, "uses the room it has: {chars}");
        assert!(md.contains("- … and 975 more warning(s), all in report.json"), "{md}");
        assert!(md.contains("_Truncated to fit a pull-request comment (60,000 characters at most):"));
        assert!(md.starts_with("# faascost report\n\n**Verdict:**"));
        assert!(
            md.contains("| option-399 | serverless |"),
            "the comparison is never cut"
        );
        assert!(md.ends_with("_faascost test — report schema 5_\n"));
        // A normal report is not cut.
        assert!(!render(&sample_report()).contains("Truncated"));
    }
}
