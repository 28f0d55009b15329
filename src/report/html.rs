//! report.html: one self-contained page for people deciding — no script, no external request
//! (no CDN, no web font; a Content-Security-Policy forbids both), CSS and the charts (SVG from
//! `chart`) inline, readable printed. The first screen holds the verdict, the saving, the
//! warnings by code and the cumulative-cost chart; below come the options table, the other
//! charts, each option's bill, limits and notes, the workload, the assumptions and the inputs.
//! Every string from a trace or the report is HTML-escaped, in text and in attributes.

use std::fmt::Write;

use super::chart::{self, break_evens, component_of, ChartKind};
use super::format::{count, percent, sig3, usd};
use super::model::{OptionReport, Report};
use crate::warning::{Warning, WarningCode};

/// Escapes text for HTML text and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ink: #1b1b1b; --muted: #5a5a5a; --line: #d8d8d8; --good: #0a6b3d; --bad: #a40000; --warn-bg: #fff6e0; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1320px; padding: 16px 24px 48px; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
h1 { font-size: 22px; margin: 4px 0 8px; color: var(--muted); font-weight: 600; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 6px; }
.verdict { font-size: 21px; line-height: 1.35; font-weight: 600; margin: 0 0 8px; }
.saving { font-size: 16px; margin: 0 0 14px; }
.saving strong { color: var(--good); }
.first { display: grid; grid-template-columns: minmax(0, 2.6fr) minmax(260px, 1fr); gap: 20px; align-items: start; }
.warnings { background: var(--warn-bg); border: 1px solid #eed9a4; border-radius: 6px; padding: 8px 12px; font-size: 13px; }
.warnings h2 { font-size: 15px; margin: 2px 0 6px; border: 0; padding: 0; }
.warnings h3 { font-size: 13px; margin: 8px 0 2px; }
.warnings ul { margin: 0; padding-left: 18px; }
.warnings li { margin: 2px 0; overflow-wrap: anywhere; }
.none { color: var(--muted); }
figure { margin: 0 0 16px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.charts figure { max-width: 960px; margin-bottom: 28px; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 6px 0 10px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td.id a { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr.cheapest td { background: #eaf6ef; }
tr.total td { font-weight: 600; border-top: 2px solid var(--line); }
.bad { color: var(--bad); font-weight: 600; }
.ok { color: var(--good); }
.muted { color: var(--muted); }
code { font-size: 0.92em; background: #f2f2f2; padding: 0 3px; border-radius: 3px; }
.option { border: 1px solid var(--line); border-radius: 6px; padding: 4px 14px 8px; margin: 12px 0; break-inside: avoid; }
.option h3 { margin-top: 10px; }
ul.plain { padding-left: 20px; }
li { overflow-wrap: anywhere; }
footer { margin-top: 32px; font-size: 12px; color: var(--muted); }
@media (max-width: 900px) { .first { grid-template-columns: 1fr; } body { padding: 12px; } table { font-size: 13px; } th, td { padding: 4px 5px; } }
@media print {
  @page { margin: 14mm; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  .first { grid-template-columns: 1fr; }
  figure, table, .warnings { break-inside: avoid; }
  .wide { overflow: visible; }
  table { font-size: 8.5pt; }
  th, td { padding: 3px 4px; }
  h2 { break-after: avoid; }
  tr.cheapest td, th, .warnings { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Renders the report as one self-contained HTML page.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let months = r.verdict.horizon_months;
    let _ = writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    );
    let _ = writeln!(
        s,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    );
    let _ = writeln!(
        s,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    );
    let title = match &r.verdict.cheapest_option {
        Some(o) => format!("faascost report: {o} is the cheapest over {months} months"),
        None => "faascost report: no viable option".to_string(),
    };
    let _ = writeln!(s, "<title>{}</title>", escape(&title));
    let _ = writeln!(s, "<style>{STYLE}</style>\n</head>\n<body>");

    // First screen: verdict, saving, warnings, cumulative cost.
    let _ = writeln!(s, "<header>\n<h1>faascost report</h1>");
    let _ = writeln!(s, "<p class=\"verdict\">{}</p>", escape(&r.verdict.headline));
    match (
        &r.verdict.cheapest_option,
        &r.verdict.runner_up,
        r.verdict.saving_vs_runner_up_usd,
    ) {
        (Some(best), Some(next), Some(saving)) => {
            let _ = writeln!(
                s,
                "<p class=\"saving\">Saving: <strong>{}</strong> over {months} months by choosing <b>{}</b> over the runner-up <b>{}</b>.</p>",
                usd(saving),
                escape(best),
                escape(next)
            );
        }
        (Some(best), _, _) => {
            let _ = writeln!(
                s,
                "<p class=\"saving\"><b>{}</b> is the only viable option: no saving to compare.</p>",
                escape(best)
            );
        }
        _ => {
            let _ = writeln!(
                s,
                "<p class=\"saving bad\">No option is viable: none runs within every platform limit, fully priced, meeting the SLO.</p>"
            );
        }
    }
    let _ = writeln!(s, "</header>\n<div class=\"first\">");
    let _ = writeln!(
        s,
        "<figure id=\"cumulative-cost\">\n{}",
        chart::svg(r, ChartKind::Cumulative)
    );
    let _ = writeln!(s, "<figcaption>{}</figcaption>\n</figure>", break_even_caption(r));
    warnings(&mut s, r);
    let _ = writeln!(s, "</div>");

    options_table(&mut s, r);
    if let Some(rec) = &r.recommendations {
        fit::section(&mut s, rec, months);
    }
    fit::break_even(&mut s, r);
    if let Some(g) = &r.ranges {
        ranges::section(&mut s, g, r);
    }

    let _ = writeln!(s, "<h2 id=\"charts\">Charts</h2>\n<div class=\"charts\">");
    for (kind, caption) in [
        (
            ChartKind::Bill,
            "The first month's bill of each option, stacked by component; the total at the end of each bar.".to_string(),
        ),
        (
            ChartKind::AddedLatency,
            format!(
                "Latency the platform adds to a request (cold-start init, waiting for a free slot); the SLO holds the p99 to {} ms.",
                sig3(Some(r.verdict.latency_slo_ms))
            ),
        ),
        (
            ChartKind::MonthlyCost,
            "The cost in each month as traffic grows; the x axis is the month number (the growth rate is in the assumptions). Dashed: misses the SLO.".to_string(),
        ),
    ] {
        let _ = writeln!(
            s,
            "<figure id=\"{}\">\n{}<figcaption>{}</figcaption>\n</figure>",
            kind.stem(),
            chart::svg(r, kind),
            escape(&caption)
        );
    }
    behaviour_charts(&mut s, r);
    let _ = writeln!(s, "</div>");

    let _ = writeln!(s, "<h2>Each option</h2>");
    for (i, o) in r.options.iter().enumerate() {
        option_section(&mut s, i, o, r);
    }

    workload(&mut s, r);

    let _ = writeln!(s, "<h2>Assumptions</h2>\n<ul class=\"plain\">");
    for a in &r.assumptions {
        let _ = writeln!(s, "<li>{}</li>", escape(a));
    }
    let _ = writeln!(s, "</ul>");

    inputs(&mut s, r);
    let _ = writeln!(
        s,
        "<footer>{} — report schema {}; seed {}{}.</footer>",
        escape(&r.tool),
        r.schema_version,
        r.seed,
        r.generated_at
            .as_deref()
            .map(|t| format!("; generated {}", escape(t)))
            .unwrap_or_default()
    );
    let _ = writeln!(s, "</body>\n</html>");
    s
}

/// One chart as a figure with its caption (escaped).
fn figure(s: &mut String, r: &Report, kind: ChartKind, caption: &str) {
    let _ = writeln!(
        s,
        "<figure id=\"{}\">\n{}<figcaption>{}</figcaption>\n</figure>",
        kind.stem(),
        chart::svg(r, kind),
        escape(caption)
    );
}

/// The charts of the report's behaviour series (schema 4): the latency CDF, requests in flight
/// against a fleet, the keep-alive trade-off (with its figures as a table) and right-sizing.
fn behaviour_charts(s: &mut String, r: &Report) {
    let Some(series) = &r.series else {
        return;
    };
    if !series.added_latency_quantiles.is_empty() {
        figure(
            s,
            r,
            ChartKind::LatencyCdf,
            "Added latency by percentile: the points are the quantiles each model reports (serverless: 14 points from \
             p50 through the tail to the maximum; server fleets: p50, p95, p99), each held until the next; options with the same \
             quantiles are offset by a few pixels so every line shows.",
        );
    }
    if let Some(c) = &series.concurrency {
        let fleet = c.fleet.as_ref().map_or(String::new(), |f| {
            format!(
                " The shaded area is {}'s capacity: the fewest {} instances billed in each step × {} request slots each; \
                 above it that fleet would have queued requests.",
                f.option, f.instance_type, f.slots_per_instance
            )
        });
        figure(
            s,
            r,
            ChartKind::Concurrency,
            &format!(
                "The most requests in flight at once in each {}-minute step of the trace window, as the serverless \
                 simulation replayed them.{fleet}",
                c.minutes_per_point
            ),
        );
    }
    if let Some(k) = &series.keep_alive {
        let read_off = k.read_off_min.map_or(String::new(), |m| {
            format!(
                " The {m}-minute window is replayed and the shorter ones read off that replay (the requests a \
                 shorter window leaves without a warm instance, the idle time it cuts): exact but for init \
                 timing — on faascost's test workload within 2 % in cold-start share and 1 % in idle \
                 memory-time of a replay, the p99 up to 20 % lower where instances take several requests."
            )
        });
        figure(
            s,
            r,
            ChartKind::KeepAlive,
            &format!(
                "{} {} each fixed keep-alive window, everything else as analyzed: a longer window \
                 keeps more instances warm (more idle memory-time, billed only where the platform bills idle \
                 instances) and meets fewer cold starts. Its own policy: {}.{read_off}",
                k.option,
                if k.read_off_min.is_some() {
                    "at"
                } else {
                    "re-simulated with"
                },
                k.option_keep_alive
            ),
        );
        keep_alive_table(s, k);
    }
    if let Some(z) = &series.right_sizing {
        let caption = format!(
            "Each of the busiest functions priced alone on {} ({}) at every memory size the platform offers, with \
             tune's model: {}",
            z.platform,
            z.arch,
            z.assumptions.join("; ")
        );
        figure(s, r, ChartKind::RightSizing, &caption);
    }
}

/// The keep-alive trade-off's figures.
fn keep_alive_table(s: &mut String, k: &super::model::KeepAliveTradeoff) {
    let _ = writeln!(
        s,
        "<div class=\"wide\"><table class=\"keep-alive\">\n<thead><tr><th class=\"num\">keep-alive</th><th class=\"num\">cold starts</th><th class=\"num\">idle memory-time (GB-s)</th><th class=\"num\">p99 added (ms)</th></tr></thead>\n<tbody>"
    );
    for p in &k.points {
        let own = k.option_keep_alive_min == Some(f64::from(p.keep_alive_min));
        let _ = writeln!(
            s,
            "<tr{}><td class=\"num\">{} min{}</td><td class=\"num\">{:.2}%</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            if own { " class=\"cheapest\"" } else { "" },
            p.keep_alive_min,
            if own { " (its own)" } else { "" },
            p.cold_start_share * 100.0,
            count(p.idle_gb_seconds.round() as u64),
            sig3(Some(p.p99_added_latency_ms))
        );
    }
    let _ = writeln!(s, "</tbody></table></div>");
}

fn break_even_caption(r: &Report) -> String {
    let mut parts = Vec::new();
    let evens = break_evens(r);
    if evens.is_empty() {
        match &r.verdict.cheapest_option {
            Some(best) => parts.push(format!(
                "No break-even within the horizon: {} stays the cheapest viable option in total every month.",
                escape(best)
            )),
            None => parts.push("No viable option, so no break-even.".to_string()),
        }
    }
    for b in &evens {
        parts.push(format!(
            "Break-even: from month {}, {} costs less in total than {}.",
            b.month,
            escape(&b.to),
            escape(&b.from)
        ));
    }
    for c in &r.cheapest_changes {
        parts.push(format!(
            "From month {}, the cheapest viable option in that month is {}.",
            c.month,
            escape(c.option.as_deref().unwrap_or("none"))
        ));
    }
    parts.push("Dashed lines miss the SLO; the amount at the end of each line is its horizon total.".to_string());
    parts.join(" ")
}

/// The warnings by code. A message is shown in full when it concerns the whole run, the
/// recommended option or the runner-up (it bears on the decision); a warning about another
/// option names it with a link to its section, where the message is in full.
fn warnings(s: &mut String, r: &Report) {
    let warnings = &r.warnings;
    let _ = writeln!(s, "<section class=\"warnings\" id=\"warnings\">");
    if warnings.is_empty() {
        let _ = writeln!(s, "<h2>Warnings</h2>\n<p class=\"none\">None.</p>\n</section>");
        return;
    }
    let _ = writeln!(s, "<h2>Warnings ({})</h2>", warnings.len());
    let decisive = [r.verdict.cheapest_option.as_deref(), r.verdict.runner_up.as_deref()];
    // By code, codes in the order they first appear.
    let mut codes: Vec<WarningCode> = Vec::new();
    for w in warnings {
        if !codes.contains(&w.code) {
            codes.push(w.code);
        }
    }
    for code in codes {
        let group: Vec<&Warning> = warnings.iter().filter(|w| w.code == code).collect();
        let _ = writeln!(s, "<h3><code>{}</code> ({})</h3>\n<ul>", code.name(), group.len());
        let (full, brief): (Vec<&Warning>, Vec<&Warning>) = group
            .into_iter()
            .partition(|w| w.option.is_none() || decisive.contains(&w.option.as_deref()));
        for w in full {
            let who = w
                .option
                .as_deref()
                .map(|o| format!("<b>{}</b>: ", option_link(r, o)))
                .unwrap_or_default();
            let _ = writeln!(s, "<li>{who}{}</li>", escape(&w.message));
        }
        if !brief.is_empty() {
            let names: Vec<String> = brief
                .iter()
                .filter_map(|w| w.option.as_deref())
                .map(|o| option_link(r, o))
                .collect();
            let _ = writeln!(
                s,
                "<li>{} <span class=\"muted\">(details under each option)</span></li>",
                names.join(", ")
            );
        }
        let _ = writeln!(s, "</ul>");
    }
    let _ = writeln!(s, "</section>");
}

/// An option's id, escaped, linked to its section when the report has it.
fn option_link(r: &Report, id: &str) -> String {
    match r.options.iter().position(|o| o.id == id) {
        Some(i) => format!("<a href=\"#option-{i}\">{}</a>", escape(id)),
        None => escape(id),
    }
}

fn status(o: &OptionReport) -> (&'static str, &'static str) {
    if !o.feasible {
        ("cannot run", "bad")
    } else if !o.complete {
        ("lower bound: lines not priced", "bad")
    } else if !o.meets_slo {
        ("misses SLO", "bad")
    } else {
        ("viable", "ok")
    }
}

fn options_table(s: &mut String, r: &Report) {
    let months = r.verdict.horizon_months;
    let _ = writeln!(s, "<h2>Options</h2>\n<div class=\"wide\"><table>\n<thead><tr><th>option</th><th>kind</th><th>platform</th><th class=\"num\">first month</th><th class=\"num\">{months}-month total</th><th class=\"num\">cold starts</th><th class=\"num\">p99 latency (ms)</th><th class=\"num\">p99 added (ms)</th><th>status</th></tr></thead>\n<tbody>");
    let cheapest = r.verdict.cheapest_option.as_deref();
    for (i, o) in r.options.iter().enumerate() {
        let is_cheapest = Some(o.id.as_str()) == cheapest;
        let class = if is_cheapest { " class=\"cheapest\"" } else { "" };
        let mark = if is_cheapest { " <b>(cheapest)</b>" } else { "" };
        let (monthly, horizon) = match (o.monthly_cost_usd, o.horizon_cost_usd) {
            (Some(m), Some(h)) if o.complete => (usd(m), usd(h)),
            (Some(m), Some(h)) => (format!("≥ {}", usd(m)), format!("≥ {}", usd(h))),
            _ => ("-".to_string(), "-".to_string()),
        };
        let (text, tone) = status(o);
        let _ = writeln!(
            s,
            "<tr{class} data-option=\"{}\"><td class=\"id\"><a href=\"#option-{i}\">{}</a>{mark}</td><td>{}</td><td>{}</td><td class=\"num\">{monthly}</td><td class=\"num\">{horizon}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{tone}\">{text}</td></tr>",
            escape(&o.id),
            escape(&o.id),
            o.kind.name(),
            escape(&o.platform),
            percent(o.cold_start_rate),
            ms(o.latency_ms.map(|l| l.p99)),
            ms(o.added_latency_ms.map(|l| l.p99)),
        );
    }
    let _ = writeln!(s, "</tbody>\n</table></div>");
}

/// A measurement (ms, a quantity) with thousands separators from 100 up (`116,452`), 3
/// significant digits below.
fn ms(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() && v >= 100.0 => count(v.round() as u64),
        other => sig3(other),
    }
}

fn option_section(s: &mut String, i: usize, o: &OptionReport, r: &Report) {
    let (text, tone) = status(o);
    let _ = writeln!(
        s,
        "<section class=\"option\" id=\"option-{i}\" data-option=\"{}\">\n<h3>{} <span class=\"{tone}\">— {text}</span></h3>\n<p>{} <span class=\"muted\">({}, {})</span></p>",
        escape(&o.id),
        escape(&o.id),
        escape(&o.description),
        o.kind.name(),
        escape(&o.platform)
    );
    let own: Vec<&Warning> = r
        .warnings
        .iter()
        .filter(|w| w.option.as_deref() == Some(o.id.as_str()))
        // A limit-exceeded warning says what the limits list below says: shown once.
        .filter(|w| w.code != WarningCode::LimitExceeded || o.limits.is_empty())
        .collect();
    if !own.is_empty() {
        let _ = writeln!(s, "<ul class=\"plain\">");
        for w in own {
            let _ = writeln!(s, "<li><code>{}</code> {}</li>", w.code.name(), escape(&w.message));
        }
        let _ = writeln!(s, "</ul>");
    }
    if !o.limits.is_empty() {
        let _ = writeln!(s, "<p class=\"bad\">Cannot run here:</p>\n<ul class=\"plain\">");
        for l in &o.limits {
            let _ = writeln!(s, "<li>{}</li>", escape(&l.sentence()));
        }
        let _ = writeln!(s, "</ul>");
    }
    if !o.cost_lines.is_empty() {
        let _ = writeln!(s, "<div class=\"wide\"><table>\n<thead><tr><th>line</th><th>component</th><th class=\"num\">quantity</th><th>unit</th><th class=\"num\">unit price</th><th class=\"num\">first month</th></tr></thead>\n<tbody>");
        for l in &o.cost_lines {
            let price = match l.unit_price_usd {
                Some(p) => format!("${}", sig3(Some(p))),
                None => "not priced".into(),
            };
            let cost = l.cost_usd.map(usd).unwrap_or_else(|| "not priced".into());
            let flag = if l.verified {
                String::new()
            } else {
                " <span class=\"muted\">(unverified)</span>".to_string()
            };
            let note = l
                .note
                .as_deref()
                .map(|n| format!("<br><span class=\"muted\">{}</span>", escape(n)))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "<tr><td>{}{flag}{note}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{price}</td><td class=\"num\">{cost}</td></tr>",
                escape(&l.name),
                component_of(l).label(),
                ms(Some(l.quantity)),
                escape(&l.unit),
            );
        }
        if let Some(m) = o.monthly_cost_usd {
            let bound = if o.complete { "" } else { "≥ " };
            let _ = writeln!(
                s,
                "<tr class=\"total\"><td colspan=\"5\">first month</td><td class=\"num\">{bound}{}</td></tr>",
                usd(m)
            );
        }
        if let Some(h) = o.horizon_cost_usd {
            let bound = if o.complete { "" } else { "≥ " };
            let _ = writeln!(
                s,
                "<tr class=\"total\"><td colspan=\"5\">{} months</td><td class=\"num\">{bound}{}</td></tr>",
                r.verdict.horizon_months,
                usd(h)
            );
        }
        let _ = writeln!(s, "</tbody>\n</table></div>");
    }
    let mut facts = Vec::new();
    if let Some(n) = o.requests {
        facts.push(format!("{} requests in the window", count(n)));
    }
    if let Some(c) = o.cold_start_rate {
        facts.push(format!("cold starts {}", percent(Some(c))));
    }
    if let Some(l) = o.added_latency_ms {
        facts.push(format!(
            "added latency p50 / p95 / p99 {} / {} / {} ms",
            ms(Some(l.p50)),
            ms(Some(l.p95)),
            ms(Some(l.p99))
        ));
    }
    facts.extend(super::format::load_facts(o));
    if let Some(f) = &o.instances {
        facts.push(format!(
            "fleet {} × {} at peak, {} on average, {} committed",
            f.peak,
            escape(&f.instance_type),
            sig3(Some(f.mean)),
            f.committed
        ));
    }
    if !facts.is_empty() {
        let _ = writeln!(s, "<p>{}.</p>", facts.join("; "));
    }
    if !o.notes.is_empty() {
        let _ = writeln!(s, "<ul class=\"plain muted\">");
        for n in &o.notes {
            let _ = writeln!(s, "<li>{}</li>", escape(n));
        }
        let _ = writeln!(s, "</ul>");
    }
    let _ = writeln!(s, "</section>");
}

fn workload(s: &mut String, r: &Report) {
    let w = &r.workload;
    let _ = writeln!(
        s,
        "<h2>Workload</h2>\n<p>{} functions in {} apps, {} invocations over {} minutes; {} of apps invoked at most once an hour on average.</p>",
        count(w.functions),
        count(w.apps),
        count(w.invocations),
        count(w.minutes),
        percent(w.apps_avg_rate_at_most_1_per_hour)
    );
}

fn inputs(s: &mut String, r: &Report) {
    let _ = writeln!(s, "<h2>Inputs</h2>\n<ul class=\"plain\">");
    let _ = writeln!(s, "<li>scenario {}; seed {}</li>", escape(&r.inputs.scenario), r.seed);
    for t in &r.inputs.traces {
        let _ = writeln!(
            s,
            "<li>trace <code>{}</code> ({}, {} bytes, sha256 <code>{}</code>)</li>",
            escape(&t.path),
            escape(&t.format),
            count(t.bytes),
            escape(&t.sha256)
        );
    }
    for p in &r.inputs.price_tables {
        let v = if p.verified { "" } else { ", some figures unverified" };
        let _ = writeln!(
            s,
            "<li>prices {} ({}, effective {}{v}; {})</li>",
            escape(&p.id),
            escape(&p.region),
            escape(&p.effective_date),
            escape(&p.origin)
        );
    }
    let _ = writeln!(s, "</ul>");
}

mod fit;
mod ranges;
#[cfg(test)]
mod tests;
