use std::path::Path;

use super::*;
use crate::report::format::usd;
use crate::report::model::{sample_report, Report};

fn example() -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/report.json");
    Report::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Two viable options whose cumulative costs cross: `steady` pays 100 a month, `upfront` 200
/// then 50, so `upfront` ties at month 3 and is cheaper in total from month 4.
fn crossing() -> Report {
    let mut r = sample_report();
    let mut steady = r.options[0].clone();
    steady.id = "steady".into();
    steady.monthly_cost_by_month_usd = vec![Money::from_micro(100_000_000); 4];
    steady.horizon_cost_usd = Some(Money::from_micro(400_000_000));
    let mut upfront = steady.clone();
    upfront.id = "upfront".into();
    upfront.monthly_cost_by_month_usd = [200, 50, 50, 50]
        .iter()
        .map(|d| Money::from_micro(d * 1_000_000))
        .collect();
    upfront.horizon_cost_usd = Some(Money::from_micro(350_000_000));
    r.options = vec![steady, upfront];
    r.verdict.horizon_months = 4;
    r.cheapest_changes = vec![crate::report::model::CheapestChange {
        month: 2,
        option: Some("upfront".into()),
    }];
    r
}

#[test]
fn cumulative_costs_end_at_the_horizon_total() {
    let r = example();
    let mut priced = 0;
    for o in &r.options {
        let c = cumulative_costs(o);
        assert_eq!(c.len(), o.monthly_cost_by_month_usd.len(), "{}", o.id);
        assert_eq!(c.last().copied(), o.horizon_cost_usd, "{}", o.id);
        priced += usize::from(o.horizon_cost_usd.is_some());
    }
    assert!(priced >= 2);
}

#[test]
fn break_evens_mark_where_the_cheapest_in_total_changes() {
    let evens = break_evens(&crossing());
    assert_eq!(
        evens,
        vec![BreakEven {
            month: 4,
            at_month: 3.0,
            at_usd: 300.0,
            from: "steady".into(),
            to: "upfront".into()
        }]
    );
    // The example report's winner leads in total from the first month: no break-even.
    assert!(break_evens(&example()).is_empty());
    let cumulative = svg(&crossing(), ChartKind::Cumulative);
    assert!(
        cumulative.contains("break-even: upfront cheaper in total from month 4"),
        "{cumulative}"
    );
    let monthly = svg(&crossing(), ChartKind::MonthlyCost);
    assert!(monthly.contains("from month 2: upfront cheapest"), "{monthly}");
}

/// Text elements of an SVG, unescaped back to plain text (so amounts and names compare).
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
        .filter_map(|t| t.split_once("</text>").map(|(text, _)| text.trim().to_string()))
        .map(|t| {
            t.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn the_cumulative_chart_labels_its_axes_each_option_and_each_horizon_total() {
    let r = example();
    let svg = svg(&r, ChartKind::Cumulative);
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    let t = texts(&svg);
    let has = |s: &str| t.iter().any(|x| x == s);
    assert!(has("Cumulative cost over the 36-month horizon"), "{t:?}");
    assert!(has("month of the horizon (traffic growth applied)"));
    assert!(has("cumulative cost (USD)"));
    for o in &r.options {
        if let Some(h) = o.horizon_cost_usd {
            assert!(has(&legend_name(o)), "no legend entry for {}: {t:?}", o.id);
            assert!(has(&usd(h)), "no horizon total {} for {}", usd(h), o.id);
        }
    }
    assert!(has(
        "not drawn, cannot run (platform limit): lambda-arm64, lambda-x86, azure-consumption, hybrid-t3-lambda"
    ));
    assert!(has("cloud-run-containers (misses SLO)"));
}

#[test]
fn the_bill_chart_stacks_components_and_says_cannot_run() {
    let r = example();
    let svg = svg(&r, ChartKind::Bill);
    let t = texts(&svg);
    let has = |s: &str| t.iter().any(|x| x == s);
    assert!(has("First month's cost by option and component"));
    assert!(has("cost in the first month (USD)"));
    for c in ["compute", "requests", "load balancer", "commitment"] {
        assert!(has(c), "no legend entry {c}: {t:?}");
    }
    assert!(!has("logs"), "no option has a log line");
    for o in &r.options {
        assert!(has(&o.id), "no row for {}", o.id);
    }
    assert_eq!(
        t.iter()
            .filter(|x| x.as_str() == "cannot run: platform timeout limit")
            .count(),
        4
    );
    assert!(has("$484.23"), "cloud-run's first month: {t:?}");
    assert!(has("$356.93 · misses SLO"));
    // The components add up to the option's first month exactly.
    for o in r.options.iter().filter(|o| o.feasible) {
        let parts = bill::by_component(o);
        assert_eq!(Money::sum(parts.values(), "t").ok(), o.monthly_cost_usd, "{}", o.id);
    }
}

#[test]
fn the_latency_chart_shows_percentiles_against_the_slo() {
    let r = example();
    let t = texts(&svg(&r, ChartKind::AddedLatency));
    let has = |s: &str| t.iter().any(|x| x == s);
    for s in [
        "p50 added latency",
        "p95 added latency",
        "p99 added latency",
        "SLO: p99 added latency ≤ 1 s",
        "added latency (log scale; 0 ms drawn as no bar)",
        "1.2 min (over the SLO)",
        "cannot run: platform limit",
        "p50, p95, p99: 0 ms (no cold start, no queueing)",
    ] {
        assert!(has(s), "missing {s:?} in {t:?}");
    }
    assert_eq!(latency::duration(246.3), "246 ms");
    assert_eq!(latency::duration(2701.9), "2.7 s");
    assert_eq!(latency::duration(0.0), "0 ms");
}

#[test]
fn the_monthly_chart_plots_cost_against_traffic_and_ends_at_the_last_month() {
    let r = example();
    let t = texts(&svg(&r, ChartKind::MonthlyCost));
    let has = |s: &str| t.iter().any(|x| x == s);
    assert!(has("cost in that month (USD)"));
    // The example grows 2 % a month: x is the traffic multiple, from ×1.0 to 1.02^35 = ×2.0.
    assert!(
        has("traffic in that month, × the traced traffic (growth applied month by month)"),
        "{t:?}"
    );
    assert!(has("×1.0") && has("×1.9"), "{t:?}");
    assert!((r.traffic_multiple_by_month[35] - 1.02f64.powi(35)).abs() < 1e-12);
    for o in r.options.iter().filter(|o| o.feasible) {
        assert!(has(&usd(*o.monthly_cost_by_month_usd.last().unwrap())), "{}", o.id);
    }
}

#[test]
fn charts_are_deterministic_and_pngs_are_pngs() {
    let r = example();
    for kind in ChartKind::ALL {
        assert_eq!(svg(&r, kind), svg(&r, kind), "{kind:?}");
        let png = png(&r, kind);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{kind:?}");
        assert_eq!(png, super::png(&r, kind), "{kind:?}");
    }
}

#[test]
fn names_with_markup_are_escaped_in_the_svg() {
    let mut r = example();
    let hostile = "<script>alert(\"x\")</script> @everyone";
    // The winner (cloud-run), renamed everywhere the report names it.
    r.options[3].id = hostile.into();
    let g = r.ranges.as_mut().unwrap();
    g.winner = Some(hostile.into());
    g.options[3].id = hostile.into();
    let series = r.series.as_mut().unwrap();
    series.concurrency.as_mut().unwrap().serverless[0].option = hostile.into();
    series.keep_alive.as_mut().unwrap().option = hostile.into();
    series.added_latency_quantiles[0].option = hostile.into();
    let sizing = series.right_sizing.as_mut().unwrap();
    sizing.option = hostile.into();
    sizing.functions[0].function = hostile.into();
    for kind in ChartKind::ALL {
        let svg = svg(&r, kind);
        assert!(!svg.contains("<script"), "{kind:?}");
        assert!(svg.contains("&lt;script&gt;"), "{kind:?}");
    }
}

#[test]
fn a_report_with_nothing_to_draw_still_renders() {
    let mut r = sample_report();
    r.options.clear();
    r.verdict.horizon_months = 0;
    for kind in ChartKind::ALL {
        assert!(svg(&r, kind).starts_with("<svg"), "{kind:?}");
        assert!(!png(&r, kind).is_empty());
    }
    let mut r = example();
    for o in &mut r.options {
        o.feasible = false;
    }
    for kind in ChartKind::ALL {
        assert!(svg(&r, kind).starts_with("<svg"), "{kind:?}");
    }
}

#[test]
fn spread_keeps_labels_apart_and_in_order() {
    assert_eq!(spread(&[100, 105, 300], 16, 0, 400), vec![100, 116, 300]);
    assert_eq!(spread(&[395, 398], 16, 0, 400), vec![384, 400]);
    assert_eq!(usd_tick(0.0), "$0");
    assert_eq!(usd_tick(1500.0), "$1.5k");
    assert_eq!(usd_tick(20_000.0), "$20k");
    assert_eq!(usd_tick(2.5), "$2.50");
}

#[test]
fn long_names_are_cut_to_fit_and_many_options_still_render() {
    let mut r = example();
    let template = r.options[3].clone();
    r.options = (0..14)
        .map(|i| {
            let mut o = template.clone();
            o.id = format!("option-{i}-with-a-very-long-name-that-would-run-into-the-plot-area");
            o
        })
        .collect();
    for kind in ChartKind::ALL {
        let t = texts(&svg(&r, kind));
        if matches!(kind, ChartKind::Bill | ChartKind::AddedLatency) {
            let names: Vec<&String> = t.iter().filter(|x| x.starts_with("option-")).collect();
            assert_eq!(names.len(), 14, "{kind:?}");
            assert!(
                names.iter().all(|n| n.ends_with('…') && text_width(n, TICK_PX) <= 260),
                "{kind:?}: {names:?}"
            );
        }
    }
}

#[test]
fn the_tornado_orders_inputs_by_swing_and_names_the_flip() {
    let r = sample_report();
    let t = texts(&svg(&r, ChartKind::Tornado));
    let at = |s: &str| t.iter().position(|x| x == s);
    let cpu = at("cpu_bound_fraction (0.2 – 0.9)").unwrap_or_else(|| panic!("{t:?}"));
    let cold = at("cold_start_latency (×0.5 – ×2)").unwrap_or_else(|| panic!("{t:?}"));
    assert!(cpu < cold, "the larger swing is drawn first: {t:?}");
    assert!(at("flips: 0.9 → ec2 <b>").is_some(), "{t:?}");
    assert!(at("lambda (winner) at the low value").is_some(), "{t:?}");
    assert!(at("cost over 12 months (USD)").is_some(), "{t:?}");
    // An input that does not flip the verdict has no note.
    assert_eq!(t.iter().filter(|x| x.starts_with("flips:")).count(), 1);
    let mut none = sample_report();
    none.ranges = None;
    let t = texts(&svg(&none, ChartKind::Tornado));
    assert!(
        t.iter().any(|x| x == "This report carries no ranges: nothing to draw"),
        "{t:?}"
    );
}

#[test]
fn the_range_chart_writes_each_options_p10_to_p90() {
    let r = sample_report();
    let t = texts(&svg(&r, ChartKind::CostRange));
    assert!(t.iter().any(|x| x == "P10 $118.80 – P90 $123.60"), "{t:?}");
    assert!(
        t.iter().any(|x| x == "How wide each option's 12-month cost is"),
        "{t:?}"
    );
    let r = example();
    let t = texts(&svg(&r, ChartKind::CostRange));
    let ranged = r.ranges.as_ref().unwrap();
    for o in r.options.iter().filter(|o| !o.feasible) {
        assert!(
            ranged.options.iter().any(|g| g.id == o.id && g.horizon_usd.is_none()),
            "{}",
            o.id
        );
    }
    assert_eq!(
        t.iter().filter(|x| *x == "cannot run: platform limit").count(),
        r.options.iter().filter(|o| !o.feasible).count()
    );
    let mut none = sample_report();
    none.ranges = None;
    let t = texts(&svg(&none, ChartKind::CostRange));
    assert!(
        t.iter().any(|x| x == "This report carries no ranges: nothing to draw"),
        "{t:?}"
    );
}

#[test]
fn the_concurrency_chart_draws_in_flight_steps_over_the_fleets_capacity() {
    let r = sample_report();
    let t = texts(&svg(&r, ChartKind::Concurrency));
    let has = |s: &str| t.iter().any(|x| x == s);
    assert!(has("Requests in flight against the server fleet's capacity"), "{t:?}");
    // A six-minute window is drawn in minutes, whole counts only on the y axis.
    assert!(has("minutes from the start of the trace window"), "{t:?}");
    assert!(has("requests in flight / request slots"));
    assert!(has("3 min") && has("2") && !has("0.5"), "{t:?}");
    assert!(texts(&svg(&example(), ChartKind::Concurrency))
        .iter()
        .any(|x| x == "hours from the start of the trace window"));
    assert!(has("lambda: most requests in flight per minute (peak 3)"), "{t:?}");
    assert!(
        has("ec2 capacity: instances billed × 2 request slots (t3.medium), fewest per minute"),
        "{t:?}"
    );
    let drawn = svg(&r, ChartKind::Concurrency);
    assert!(
        drawn.contains("<polygon") && drawn.contains("<polyline"),
        "no area or line drawn"
    );
    let mut none = sample_report();
    none.series = None;
    let t = texts(&svg(&none, ChartKind::Concurrency));
    assert!(
        t.iter()
            .any(|x| x == "This report carries no concurrency series: nothing to draw"),
        "{t:?}"
    );
}

#[test]
fn the_keep_alive_chart_has_both_axes_and_marks_the_options_window() {
    let r = sample_report();
    let t = texts(&svg(&r, ChartKind::KeepAlive));
    let has = |s: &str| t.iter().any(|x| x == s);
    for s in [
        "Keep-alive trade-off of lambda: cold starts against idle memory",
        "keep-alive window (minutes, log scale)",
        "requests that met a cold start",
        "idle memory-time (GB-s)",
        "lambda: share of requests that met a cold start (left axis)",
        "idle memory-time of warm instances over the 60 min window (right axis)",
        "lambda's keep-alive: provider (fixed:10m)",
        "1 min",
        "10 min",
        "60 min",
    ] {
        assert!(has(s), "missing {s:?} in {t:?}");
    }
    // The left axis reaches the largest share (20 %), the right one the largest idle GB-s (400).
    assert!(has("20%"), "{t:?}");
    assert!(t.iter().any(|x| x == "400"), "{t:?}");
    let mut none = sample_report();
    none.series.as_mut().unwrap().keep_alive = None;
    let t = texts(&svg(&none, ChartKind::KeepAlive));
    assert!(t
        .iter()
        .any(|x| x == "This report carries no keep-alive trade-off: nothing to draw"));
}

#[test]
fn the_latency_cdf_labels_percentiles_and_latencies() {
    let r = example();
    let t = texts(&svg(&r, ChartKind::LatencyCdf));
    let has = |s: &str| t.iter().any(|x| x == s);
    for s in [
        "Added latency by percentile (CDF) per option",
        "requests with at most this added latency",
        "added latency (log scale in 1 + ms; 0 at the left)",
        "50%",
        "99%",
        "99.9%",
        "100% (max)",
        "0 ms",
        "1 s",
        "SLO: p99 added latency ≤ 1 s",
        "not drawn, cannot run (platform limit): lambda-arm64, lambda-x86, azure-consumption, hybrid-t3-lambda",
    ] {
        assert!(has(s), "missing {s:?} in {t:?}");
    }
    // Every simulated option is in the legend.
    let q = &r.series.as_ref().unwrap().added_latency_quantiles;
    assert_eq!(q.len(), r.options.iter().filter(|o| o.feasible).count());
    for o in r.options.iter().filter(|o| o.feasible) {
        assert!(has(&legend_name(o)), "{}", o.id);
    }
    // Quantiles ascend in share and in latency.
    for o in q {
        assert!(
            o.quantiles
                .windows(2)
                .all(|w| w[0].share < w[1].share && w[0].ms <= w[1].ms),
            "{o:?}"
        );
    }
}

#[test]
fn the_right_sizing_chart_writes_each_functions_figures() {
    let r = sample_report();
    let t = texts(&svg(&r, ChartKind::RightSizing));
    let has = |s: &str| t.iter().any(|x| x == s);
    assert!(
        has("Memory right-sizing of the busiest functions on aws-lambda (arm64)"),
        "{t:?}"
    );
    assert!(has("app/<b>f</b>"), "{t:?}");
    assert!(
        has("1,000 invocations · cheapest allowed 512 MB, $4.00 a month · traced 512 MB, $4.00 · at lambda 1 GB, $5.00 · floor 256 MB"),
        "{t:?}"
    );
    assert!(has("memory per instance (log scale)"));
    assert!(has("USD a month"));
    assert!(has("128 MB") && has("512 MB") && has("1 GB"), "{t:?}");
    assert!(has("lambda's configured 1 GB"), "{t:?}");
    let mut none = sample_report();
    none.series.as_mut().unwrap().right_sizing = None;
    let t = texts(&svg(&none, ChartKind::RightSizing));
    assert!(t
        .iter()
        .any(|x| x == "This report carries no right-sizing curve: nothing to draw"));
}

#[test]
fn the_behaviour_charts_of_the_example_show_its_series() {
    let r = example();
    let s = r.series.as_ref().expect("the example report carries schema 4's series");
    let c = s.concurrency.as_ref().unwrap();
    assert_eq!(c.serverless.len(), 1);
    assert_eq!(c.serverless[0].option, "cloud-run");
    // At most 720 points, peaks kept: the series' peak is the option's peak concurrency.
    assert!(c.serverless[0].max_in_flight.len() <= crate::report::series::MAX_POINTS);
    let peak = c.serverless[0].max_in_flight.iter().max().copied().map(u64::from);
    assert_eq!(peak, r.option("cloud-run").unwrap().peak_concurrency);
    let fleet = c.fleet.as_ref().unwrap();
    assert_eq!(fleet.option, "ec2-t3-static");
    let k = s.keep_alive.as_ref().unwrap();
    assert_eq!(k.option, "cloud-run");
    // Its own window's point is the analyzed run.
    let own = k
        .points
        .iter()
        .find(|p| Some(f64::from(p.keep_alive_min)) == k.option_keep_alive_min);
    assert_eq!(
        own.map(|p| p.cold_start_share),
        r.option("cloud-run").unwrap().cold_start_rate
    );
    let z = s.right_sizing.as_ref().unwrap();
    assert_eq!((z.option.as_str(), z.platform.as_str()), ("cloud-run", "gcp-cloud-run"));
    assert!(!z.functions.is_empty() && z.functions.len() <= 3);
    assert!(z.functions.windows(2).all(|w| w[0].invocations >= w[1].invocations));
}
