//! Requests in flight over the trace window for the verdict's serverless option(s), drawn as
//! steps over the cheapest server option's capacity (billed instances × request slots, a
//! shaded area): where a line rises above the area, that fleet would have queued requests.
//! Each step is one point of the report's series (the most in flight and the fewest instances
//! within its minutes).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::*;
use crate::report::model::ConcurrencySeries;

const PLOT_PX: u32 = 420;

fn series(r: &Report) -> Option<&ConcurrencySeries> {
    r.series.as_ref()?.concurrency.as_ref()
}

/// "per minute" or "per 3 min".
fn per_text(s: &ConcurrencySeries) -> String {
    match s.minutes_per_point {
        0 | 1 => "per minute".to_string(),
        n => format!("per {n} min"),
    }
}

fn legend(r: &Report) -> Vec<LegendItem> {
    let Some(s) = series(r) else {
        return Vec::new();
    };
    let mut items: Vec<LegendItem> = s
        .serverless
        .iter()
        .map(|l| LegendItem {
            text: format!(
                "{}: most requests in flight {} (peak {})",
                l.option,
                per_text(s),
                l.max_in_flight.iter().max().copied().unwrap_or(0)
            ),
            colour: colour_of_option(r, &l.option),
            swatch: Swatch::Line,
        })
        .collect();
    if let Some(f) = &s.fleet {
        items.push(LegendItem {
            text: format!(
                "{} capacity: instances billed × {} request slots ({}), fewest {}",
                f.option,
                f.slots_per_instance,
                f.instance_type,
                per_text(s)
            ),
            colour: tint(colour_of_option(r, &f.option)),
            swatch: Swatch::Box,
        });
    }
    items
}

/// A light tint of `c` for an area.
fn tint(c: RGBColor) -> RGBColor {
    let mix = |v: u8| ((u16::from(v) + 3 * 255) / 4) as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

pub(super) fn size(r: &Report) -> (u32, u32) {
    (WIDTH, TITLE_BAND + PLOT_PX + legend_height(&legend(r), WIDTH))
}

/// Steps through `values`, one per `step`: a horizontal run per point.
fn steps(values: impl Iterator<Item = f64>, step: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for (k, v) in values.enumerate() {
        out.push((k as f64 * step, v));
        out.push(((k + 1) as f64 * step, v));
    }
    out
}

pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> Drawn
where
    DB::ErrorType: 'static,
{
    let plot = frame(
        root,
        "Requests in flight against the server fleet's capacity",
        PLOT_PX,
        &legend(r),
    )?;
    let Some(s) = series(r) else {
        return draw_message(
            &plot,
            "This report carries no concurrency series: nothing to draw",
            PLOT_PX,
        );
    };
    let capacity: Option<Vec<f64>> = s.fleet.as_ref().map(|f| {
        f.min_instances
            .iter()
            .map(|&n| f64::from(n) * f64::from(f.slots_per_instance))
            .collect()
    });
    let points = s
        .serverless
        .iter()
        .map(|l| l.max_in_flight.len())
        .chain(capacity.iter().map(Vec::len))
        .max()
        .unwrap_or(0);
    if points == 0 {
        return draw_message(&plot, "No serverless or server option ran: nothing to draw", PLOT_PX);
    }
    // Hours on the x axis, or minutes for a window of three hours or less.
    let minutes_per_point = f64::from(s.minutes_per_point.max(1));
    let (unit, per_unit) = if points as f64 * minutes_per_point <= 180.0 {
        ("min", 1.0)
    } else {
        ("h", 60.0)
    };
    let step = minutes_per_point / per_unit;
    let x_max = points as f64 * step;
    let top = axis_top(
        s.serverless
            .iter()
            .flat_map(|l| l.max_in_flight.iter().map(|&v| f64::from(v)))
            .chain(capacity.iter().flatten().copied())
            .fold(0.0, f64::max),
    );
    let mut chart = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_left(10)
        .margin_right(24)
        .margin_bottom(4)
        .x_label_area_size(48)
        .y_label_area_size(text_width(&count_tick(top), TICK_PX) + 44)
        .build_cartesian_2d(0f64..x_max, 0f64..top)?;
    house_mesh(
        chart
            .configure_mesh()
            .x_desc(if unit == "h" {
                "hours from the start of the trace window"
            } else {
                "minutes from the start of the trace window"
            })
            .y_desc("requests in flight / request slots")
            .x_label_formatter(&|v| format!("{} {unit}", trim(*v)))
            .y_label_formatter(&|v| {
                if v.fract() == 0.0 {
                    count_tick(*v)
                } else {
                    String::new()
                }
            }),
    )
    .draw()?;
    if let (Some(f), Some(c)) = (&s.fleet, &capacity) {
        let colour = colour_of_option(r, &f.option);
        let line = steps(c.iter().copied(), step);
        chart.draw_series(std::iter::once(Polygon::new(
            std::iter::once((0.0, 0.0))
                .chain(line.iter().copied())
                .chain(std::iter::once((line.last().map_or(0.0, |p| p.0), 0.0)))
                .collect::<Vec<_>>(),
            tint(colour).filled(),
        )))?;
        chart.draw_series(LineSeries::new(line, colour.stroke_width(1)))?;
    }
    // Earlier lines wider, so a later one drawn over the same values leaves them visible.
    let n = s.serverless.len() as u32;
    for (k, l) in s.serverless.iter().enumerate() {
        let line = steps(l.max_in_flight.iter().map(|&v| f64::from(v)), step);
        let width = 2 + 2 * (n - 1 - k as u32).min(2);
        chart.draw_series(LineSeries::new(
            line,
            colour_of_option(r, &l.option).stroke_width(width),
        ))?;
    }
    Ok(())
}
