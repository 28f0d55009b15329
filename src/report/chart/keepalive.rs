//! The keep-alive trade-off of one serverless option: at each keep-alive window the
//! simulator was re-run with, the share of requests that met a cold start (left axis) and the
//! memory-time of instances kept warm but idle (right axis); a dashed line marks the option's
//! own window.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::*;
use crate::report::model::KeepAliveTradeoff;

const PLOT_PX: u32 = 400;
const IDLE_GREY: RGBColor = RGBColor(0x40, 0x40, 0x40);

fn tradeoff(r: &Report) -> Option<&KeepAliveTradeoff> {
    r.series.as_ref()?.keep_alive.as_ref().filter(|t| !t.points.is_empty())
}

/// The window's length in words: `24 h`, `90 min`.
fn period(minutes: f64) -> String {
    if minutes >= 120.0 {
        format!("{} h", trim(minutes / 60.0))
    } else {
        format!("{} min", trim(minutes))
    }
}

fn legend(r: &Report) -> Vec<LegendItem> {
    let Some(t) = tradeoff(r) else {
        return Vec::new();
    };
    vec![
        LegendItem {
            text: format!("{}: share of requests that met a cold start (left axis)", t.option),
            colour: colour_of_option(r, &t.option),
            swatch: Swatch::Line,
        },
        LegendItem {
            text: format!(
                "idle memory-time of warm instances over the {} window (right axis)",
                period(t.period_minutes)
            ),
            colour: IDLE_GREY,
            swatch: Swatch::Dashed,
        },
    ]
}

pub(super) fn size(r: &Report) -> (u32, u32) {
    (WIDTH, TITLE_BAND + PLOT_PX + legend_height(&legend(r), WIDTH))
}

/// A share as a percentage tick: `0%`, `0.5%`, `2%`.
fn pct_tick(v: f64) -> String {
    if v == 0.0 || v >= 10.0 {
        format!("{v:.0}%")
    } else {
        format!("{}%", trim_to_2(v))
    }
}

fn trim_to_2(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (title, rest) = root.split_vertically(TITLE_BAND);
    let (plot, legend_area) = rest.split_vertically(PLOT_PX);
    let Some(t) = tradeoff(r) else {
        draw_title(&title, "Keep-alive trade-off: cold starts against idle memory")?;
        return draw_message(
            &plot,
            "This report carries no keep-alive trade-off: nothing to draw",
            PLOT_PX,
        );
    };
    draw_title(
        &title,
        &format!("Keep-alive trade-off of {}: cold starts against idle memory", t.option),
    )?;
    draw_legend(&legend_area, &legend(r))?;
    let windows: Vec<f64> = t.points.iter().map(|p| f64::from(p.keep_alive_min)).collect();
    let lo = windows.iter().copied().fold(f64::INFINITY, f64::min).max(0.1);
    let hi = windows.iter().copied().fold(0.0, f64::max).max(lo * 2.0);
    let x_range = (lo / 1.25)..(hi * 1.25);
    // Headroom above the highest point for the own-window label.
    let share_top = axis_top(1.08 * t.points.iter().map(|p| p.cold_start_share * 100.0).fold(0.0, f64::max));
    let idle_top = axis_top(1.08 * t.points.iter().map(|p| p.idle_gb_seconds).fold(0.0, f64::max));
    let mut chart = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_left(10)
        .margin_right(10)
        .margin_bottom(4)
        .x_label_area_size(48)
        .y_label_area_size(text_width(&pct_tick(share_top), TICK_PX) + 44)
        .right_y_label_area_size(text_width(&count_tick(idle_top), TICK_PX) + 44)
        .build_cartesian_2d(
            x_range.clone().log_scale().with_key_points(windows.clone()),
            0f64..share_top,
        )?
        .set_secondary_coord(x_range.log_scale().with_key_points(windows.clone()), 0f64..idle_top);
    chart
        .configure_mesh()
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_PX))
        .bold_line_style(LIGHT_GREY)
        .light_line_style(WHITE)
        .x_desc("keep-alive window (minutes, log scale)")
        .y_desc("requests that met a cold start")
        .x_label_formatter(&|v| format!("{} min", trim(*v)))
        .y_label_formatter(&|v| pct_tick(*v))
        .draw()?;
    chart
        .configure_secondary_axes()
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_PX))
        .y_desc("idle memory-time (GB-s)")
        .y_label_formatter(&|v| count_tick(*v))
        .draw()?;

    // The option's own window.
    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    if let Some(own) = t.option_keep_alive_min.filter(|m| x_range_contains(lo, hi, *m)) {
        let x = chart.backend_coord(&(own, 0.0)).0;
        for y in (y_px.start..y_px.end).step_by(10) {
            root.draw(&PathElement::new(
                vec![(x, y), (x, (y + 5).min(y_px.end))],
                GREY.stroke_width(2),
            ))?;
        }
        let text = format!("{}'s keep-alive: {}", t.option, t.option_keep_alive);
        let text = fit(&text, TICK_PX, (x_px.end - x_px.start) as u32 / 2);
        let w = text_width(&text, TICK_PX) as i32;
        let tx = if x + 6 + w < x_px.end { x + 6 } else { x - 6 - w };
        root.draw(&Rectangle::new(
            [(tx - 3, y_px.start + 2), (tx + w + 3, y_px.start + 22)],
            WHITE.mix(0.85).filled(),
        ))?;
        root.draw_text(
            &text,
            &coloured(TICK_PX, GREY).pos(Pos::new(HPos::Left, VPos::Top)),
            (tx, y_px.start + 4),
        )?;
    }

    let colour = colour_of_option(r, &t.option);
    let shares: Vec<(f64, f64)> = t
        .points
        .iter()
        .map(|p| (f64::from(p.keep_alive_min), p.cold_start_share * 100.0))
        .collect();
    let idle: Vec<(f64, f64)> = t
        .points
        .iter()
        .map(|p| (f64::from(p.keep_alive_min), p.idle_gb_seconds))
        .collect();
    chart.draw_secondary_series(DashedLineSeries::new(idle.clone(), 8, 5, IDLE_GREY.stroke_width(2)))?;
    chart.draw_secondary_series(
        idle.iter()
            .map(|&p| EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], IDLE_GREY.filled())),
    )?;
    chart.draw_series(LineSeries::new(shares.clone(), colour.stroke_width(3)))?;
    chart.draw_series(shares.iter().map(|&p| Circle::new(p, 5, colour.filled())))?;
    Ok(())
}

fn x_range_contains(lo: f64, hi: f64, v: f64) -> bool {
    v >= lo / 1.25 && v <= hi * 1.25
}
