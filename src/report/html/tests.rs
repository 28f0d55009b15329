use std::path::Path;

use super::*;
use crate::report::model::{sample_report, Report};
use crate::warning::Warning;

fn example() -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/report.json");
    Report::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

const EVIL_ID: &str = "<script>alert(\"x\")</script>'@everyone";
const EVIL_DESCRIPTION: &str = "\" onmouseover=\"alert(1)\" x=\"<script src=//evil.example/x.js></script>";

/// A report whose trace-derived strings try to inject markup everywhere they appear.
fn hostile() -> Report {
    let mut r = sample_report();
    let o = &mut r.options[0];
    o.id = EVIL_ID.into();
    o.description = EVIL_DESCRIPTION.into();
    o.cost_lines[0].name = "<img src=x onerror=alert(1)> @everyone".into();
    o.notes.push("function <script>fetch('//x')</script> @here".into());
    r.verdict.cheapest_option = Some(EVIL_ID.into());
    r.verdict.headline = format!("{EVIL_ID} is the cheapest");
    r.warnings.push(Warning::option(
        WarningCode::Throttled,
        EVIL_ID,
        "function <ScRiPt>alert(1)</ScRiPt> throttled @everyone",
    ));
    r.assumptions.push("<style>body{display:none}</style>".into());
    r
}

#[test]
fn markup_from_traces_is_inert() {
    let html = render(&hostile());
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "raw script tag in:\n{html}");
    assert!(!lower.contains("<img"), "raw img tag");
    assert_eq!(lower.matches("<style").count(), 1, "only the page's own style element");
    assert!(!html.contains(" onmouseover=\""), "an attribute escaped its quotes");
    // Attribute values are quoted and escaped.
    assert!(html.contains("data-option=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;@everyone\""));
    // Text is escaped and kept: the reader sees what the trace said.
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;@everyone is the cheapest"));
    assert!(html.contains("&quot; onmouseover=&quot;alert(1)&quot; x=&quot;&lt;script src=//evil.example/x.js&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; @everyone"));
    assert!(html.contains("function &lt;ScRiPt&gt;alert(1)&lt;/ScRiPt&gt; throttled @everyone"));
    assert!(html.contains("&lt;style&gt;body{display:none}&lt;/style&gt;"));
    // A function name in the right-sizing chart, drawn as SVG text.
    assert!(!html.contains("<b>f</b>") && html.contains("app/&lt;b&gt;f&lt;/b&gt;"));
}

#[test]
fn the_page_makes_no_external_request() {
    for r in [example(), hostile()] {
        let html = render(&r);
        let lower = html.to_lowercase();
        // Every `<` from the report is escaped, so each raw `<` opens one of the page's own tags.
        let tags: Vec<&str> = lower
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
            .collect();
        for tag in &tags {
            let name = tag.split([' ', '\n', '/']).next().unwrap_or("");
            assert!(
                ![
                    "script",
                    "link",
                    "img",
                    "iframe",
                    "object",
                    "embed",
                    "image",
                    "use",
                    "foreignobject"
                ]
                .contains(&name),
                "tag {tag:?}"
            );
            for attr in [" src=", "href=\"http", "href=\"//", " on", "xlink:href"] {
                assert!(!tag.contains(attr), "tag {tag:?} has {attr:?}");
            }
        }
        assert!(!lower.contains("url(") && !lower.contains("@import"));
        // The only URL is the SVG namespace, which is a name, not a request.
        assert_eq!(
            lower.matches("http://").count(),
            lower.matches("http://www.w3.org/2000/svg").count()
        );
        assert!(!lower.contains("https:"));
        assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\""));
    }
}

#[test]
fn the_first_screen_has_the_verdict_saving_warnings_and_cumulative_chart_in_that_order() {
    let r = example();
    let html = render(&r);
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("missing {needle:?}"));
    let verdict = at("<p class=\"verdict\">ec2-t3-static is the cheapest option over 36 months at $20,622.81");
    let saving = at("Saving: <strong>$4,555.16</strong> over 36 months by choosing <b>ec2-t3-static</b> over the runner-up <b>cloud-run</b>.");
    let chart = at("<figure id=\"cumulative-cost\">");
    let warnings = at("<h2>Warnings (9)</h2>");
    let table = at("<h2>Options</h2>");
    assert!(verdict < saving && saving < chart && chart < warnings && warnings < table);
    assert!(html.contains("<h3><code>limit-exceeded</code> (4)</h3>"));
    assert!(html.contains("<h3><code>overloaded</code> (3)</h3>"));
    // Warnings about options that do not bear on the decision link to the option's section,
    // where the message is in full; the winner's warnings are in full on the first screen.
    assert!(html.contains("<li><a href=\"#option-4\">ec2-m7g-autoscale</a>, <a href=\"#option-6\">fargate-autoscale</a>, <a href=\"#option-7\">cloud-run-containers</a> <span class=\"muted\">(details under each option)</span></li>"));
    assert!(html.contains("<h3><code>extrapolated</code> (1)</h3>"));
    assert!(html.contains("<li><code>overloaded</code> offered load exceeded the ready capacity (utilization above 100 %) in 11 of 1,440 minutes"));
    assert!(html.contains("<td class=\"num\">115,938</td><td class=\"num\">72,743</td>"));
    assert!(html.contains(
        "No break-even within the horizon: ec2-t3-static stays the cheapest viable option in total every month."
    ));
    for needle in [
        "<tr class=\"cheapest\" data-option=\"ec2-t3-static\"><td class=\"id\"><a href=\"#option-5\">ec2-t3-static</a> <b>(cheapest)</b></td>",
        "<td class=\"num\">$365.41</td><td class=\"num\">$20,622.81</td>",
        "<h2 id=\"charts\">Charts</h2>",
        "<figure id=\"first-month-bill\">",
        "<figure id=\"added-latency\">",
        "<figure id=\"monthly-cost\">",
        "<figure id=\"latency-cdf\">",
        "<figure id=\"concurrency\">",
        "<figure id=\"keep-alive\">",
        "<table class=\"keep-alive\">",
        "<tr class=\"cheapest\"><td class=\"num\">15 min (its own)</td><td class=\"num\">0.35%</td>",
        "<figure id=\"right-sizing\">",
        "<h2 id=\"ranges\">How sure is this?</h2>",
        "<p class=\"verdict ok\">The verdict holds across the range: ec2-t3-static is the cheapest viable option in every low and high case and in 5 of 5 Monte Carlo runs over arrival randomness.</p>",
        "<figure id=\"sensitivity-tornado\">",
        "<figure id=\"cost-ranges\">",
        "<section class=\"option\" id=\"option-0\" data-option=\"lambda-arm64\">",
        "the workload runs longer than the timeout",
        "<td>t3.medium instance-hours (committed: 15 instances, paid whether used or not)<br><span class=\"muted\">commitment ri-standard-1yr-no-upfront; 2 vCPU, 4 GiB</span></td><td>commitment</td>",
        "<tr class=\"total\"><td colspan=\"5\">36 months</td><td class=\"num\">$20,622.81</td></tr>",
        "<h2>Assumptions</h2>",
        "growth: traffic × (1 + 0.02)^month over 36 months",
        "<h2>Inputs</h2>",
        "@media print",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    assert_eq!(html.matches("<svg").count(), 10);
    // A limit breach is said once per option (under "Cannot run here"), not again as a warning.
    assert_eq!(html.matches("runs longer than the timeout of").count(), 4);
    assert!(html.ends_with("</html>\n"));
}

#[test]
fn rendering_is_deterministic() {
    let r = example();
    assert_eq!(render(&r), render(&r));
    let back = Report::from_json(&r.to_json(), "r.json").unwrap();
    assert_eq!(render(&back), render(&r));
}

#[test]
fn no_viable_option_and_a_single_option_read_well() {
    let r = sample_report();
    let html = render(&r);
    assert!(html.contains("<b>lambda</b> is the only viable option: no saving to compare."));
    let mut r = sample_report();
    r.verdict.cheapest_option = None;
    r.options[0].feasible = false;
    let html = render(&r);
    assert!(html.contains("No option is viable"));
    assert!(html.contains("No viable option, so no break-even."));
}

#[test]
fn escape_covers_text_and_attributes() {
    assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
    assert_eq!(escape("@everyone"), "@everyone");
}

#[test]
fn a_break_even_is_explained_under_the_cumulative_chart() {
    use crate::money::Money;
    let mut r = sample_report();
    let mut steady = r.options[0].clone();
    steady.id = "steady".into();
    steady.monthly_cost_by_month_usd = vec![Money::from_micro(100_000_000); 4];
    let mut upfront = steady.clone();
    upfront.id = "upfront".into();
    upfront.monthly_cost_by_month_usd = [200, 50, 50, 50]
        .iter()
        .map(|d| Money::from_micro(d * 1_000_000))
        .collect();
    r.options = vec![steady, upfront];
    r.verdict.horizon_months = 4;
    let html = render(&r);
    assert!(html.contains("Break-even: from month 4, upfront costs less in total than steady."));
}
