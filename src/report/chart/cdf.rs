//! Added latency by percentile per option (a CDF): each option's quantiles as the models
//! report them (serverless: 14 points from p50 through the tail to the maximum; fleets: p50, p95, p99) as
//! points, each share held until the next point's latency (a step: a lower bound of the CDF,
//! nothing is drawn between the reported quantiles that the models did not report), on a percentile axis spaced by nines (log of 1 / (1 − share)) and a
//! latency axis that is logarithmic in 1 + ms (so 0 ms sits at its left end). Options with the same quantiles are
//! dodged by a few pixels so each line stays visible. The SLO is a dashed line.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::*;
use crate::report::model::OptionQuantiles;

const PLOT_PX: u32 = 440;
/// Where the maximum (share 1) sits on the nines axis, above p99.9 (3).
const NINES_MAX: f64 = 3.6;
/// Pixels between dodged lines (right and up, option by option).
const DODGE_PX: i32 = 2;

/// Latency axis value of `ms` (drawn on a log scale): 1 + ms.
fn x_of(ms: f64) -> f64 {
    1.0 + ms.max(0.0)
}

/// Percentile axis value of a share (drawn on a log scale): 1 / (1 − share), whose logarithm
/// is the number of nines; the maximum at [`NINES_MAX`] nines.
fn y_of(share: f64) -> f64 {
    let max = 10f64.powf(NINES_MAX);
    if share >= 1.0 {
        max
    } else {
        (1.0 / (1.0 - share)).min(max)
    }
}

const SHARE_TICKS: [(f64, &str); 6] = [
    (0.5, "50%"),
    (0.9, "90%"),
    (0.95, "95%"),
    (0.99, "99%"),
    (0.999, "99.9%"),
    (1.0, "100% (max)"),
];

/// Latency ticks, ms: 0, 10 ms, 100 ms, 1 s, 10 s, 1 min, 10 min, 1 h, 10 h (no 1 ms: it
/// would crowd 0).
const MS_TICKS: [f64; 9] = [0.0, 10.0, 100.0, 1e3, 1e4, 6e4, 6e5, 3.6e6, 3.6e7];

fn quantiles(r: &Report) -> &[OptionQuantiles] {
    r.series.as_ref().map_or(&[], |s| s.added_latency_quantiles.as_slice())
}

/// The options drawn, with their position in the report.
fn drawn(r: &Report) -> Vec<(usize, &OptionReport, &OptionQuantiles)> {
    r.options
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            quantiles(r)
                .iter()
                .find(|q| q.option == o.id && !q.quantiles.is_empty())
                .map(|q| (i, o, q))
        })
        .collect()
}

fn legend(r: &Report) -> Vec<LegendItem> {
    if quantiles(r).is_empty() {
        return Vec::new();
    }
    let mut items: Vec<LegendItem> = drawn(r)
        .into_iter()
        .map(|(i, o, _)| LegendItem {
            text: legend_name(o),
            colour: option_colour(i),
            swatch: Swatch::Line,
        })
        .collect();
    items.push(LegendItem {
        text: format!(
            "SLO: p99 added latency ≤ {}",
            super::latency::duration(r.verdict.latency_slo_ms)
        ),
        colour: SLO_RED,
        swatch: Swatch::Dashed,
    });
    items.extend(cannot_run_item(r));
    items
}

pub(super) fn size(r: &Report) -> (u32, u32) {
    (WIDTH, TITLE_BAND + PLOT_PX + legend_height(&legend(r), WIDTH))
}

pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> Drawn
where
    DB::ErrorType: 'static,
{
    let plot = frame(
        root,
        "Added latency by percentile (CDF) per option",
        PLOT_PX,
        &legend(r),
    )?;
    let lines = drawn(r);
    if lines.is_empty() {
        let text = if quantiles(r).is_empty() {
            "This report carries no latency quantiles: nothing to draw"
        } else {
            "No option ran: no latency to draw"
        };
        return draw_message(&plot, text, PLOT_PX);
    }
    let slo = r.verdict.latency_slo_ms;
    let max_ms = lines
        .iter()
        .flat_map(|(_, _, q)| q.quantiles.iter().map(|p| p.ms))
        .fold(slo, f64::max);
    let top_ms = MS_TICKS.iter().copied().find(|&t| t >= max_ms).unwrap_or(max_ms);
    let x_ticks: Vec<f64> = MS_TICKS.iter().copied().filter(|&t| t <= top_ms).map(x_of).collect();
    let y_ticks: Vec<f64> = SHARE_TICKS.iter().map(|(s, _)| y_of(*s)).collect();
    let y_label = |v: &f64| {
        SHARE_TICKS
            .iter()
            .find(|(s, _)| (y_of(*s) / v - 1.0).abs() < 1e-9)
            .map_or(String::new(), |(_, l)| l.to_string())
    };
    let mut chart = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_left(10)
        .margin_right(30)
        .margin_bottom(4)
        .x_label_area_size(48)
        .y_label_area_size(text_width("100% (max)", TICK_PX) + 44)
        .build_cartesian_2d(
            // A little room left of 0 ms, for the dodged lines.
            (1f64 / 1.25..x_of(top_ms) * 1.1).log_scale().with_key_points(x_ticks),
            (y_of(0.5) / 1.4..y_of(1.0) * 1.4).log_scale().with_key_points(y_ticks),
        )?;
    chart
        .configure_mesh()
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_PX))
        .bold_line_style(LIGHT_GREY)
        .light_line_style(WHITE)
        .x_desc("added latency (log scale in 1 + ms; 0 at the left)")
        .y_desc("requests with at most this added latency")
        .x_label_formatter(&|v| super::latency::duration(*v - 1.0))
        .y_label_formatter(&y_label)
        .draw()?;

    let (_, y_px) = chart.plotting_area().get_pixel_range();
    let x = chart.backend_coord(&(x_of(slo), 0.0)).0;
    for y in (y_px.start..y_px.end).step_by(10) {
        root.draw(&PathElement::new(
            vec![(x, y), (x, (y + 6).min(y_px.end))],
            SLO_RED.stroke_width(2),
        ))?;
    }
    for (k, (i, o, q)) in lines.iter().enumerate() {
        let dodge = k as i32 * DODGE_PX;
        let points: Vec<(i32, i32)> = q
            .quantiles
            .iter()
            .map(|p| {
                let (px, py) = chart.backend_coord(&(x_of(p.ms), y_of(p.share)));
                (px + dodge, py - dodge)
            })
            .collect();
        // Each share held until the next quantile's latency: right, then up.
        let mut steps = Vec::with_capacity(points.len() * 2);
        for (j, &p) in points.iter().enumerate() {
            if j > 0 {
                steps.push((p.0, points[j - 1].1));
            }
            steps.push(p);
        }
        let colour = option_colour(*i);
        let width = if r.verdict.cheapest_option.as_deref() == Some(o.id.as_str()) {
            3
        } else {
            2
        };
        root.draw(&PathElement::new(steps, colour.stroke_width(width)))?;
        for p in points {
            root.draw(&Circle::new(p, 4, colour.filled()))?;
        }
    }
    Ok(())
}
