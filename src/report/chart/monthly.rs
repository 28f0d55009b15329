//! Monthly cost per option against the traffic multiple of each month of the horizon (cost vs
//! traffic, `traffic_multiple_by_month`), with the months where the cheapest viable option
//! changes (`cheapest_changes`) marked. With no growth every multiple is 1: the x axis is then
//! the month number.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::cumulative::{legend, line_width, plotted, whole};
use super::*;

const PLOT_PX: u32 = 400;

pub(super) fn size(r: &Report) -> (u32, u32) {
    (WIDTH, TITLE_BAND + PLOT_PX + legend_height(&legend(r), WIDTH))
}

pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> Drawn
where
    DB::ErrorType: 'static,
{
    let plot = frame(
        root,
        "Monthly cost as traffic grows over the horizon",
        PLOT_PX,
        &legend(r),
    )?;

    let series: Vec<(usize, &OptionReport)> = plotted(r).collect();
    if series.is_empty() {
        return draw_no_cost(&plot, PLOT_PX);
    }
    let months = series
        .iter()
        .map(|(_, o)| o.monthly_cost_by_month_usd.len())
        .max()
        .unwrap_or(1);
    let top = axis_top(
        series
            .iter()
            .flat_map(|(_, o)| o.monthly_cost_by_month_usd.iter().map(|m| m.to_f64()))
            .fold(0.0, f64::max),
    );
    let end_labels: Vec<(usize, String)> = series
        .iter()
        .map(|(i, o)| (*i, usd_label(*o.monthly_cost_by_month_usd.last().unwrap())))
        .collect();
    let right = end_labels
        .iter()
        .map(|(_, l)| text_width(l, TICK_PX))
        .max()
        .unwrap_or(0)
        + 24;
    // x of month m (1-based): its traffic multiple, or the month itself when traffic is flat.
    let multiples = &r.traffic_multiple_by_month;
    let by_traffic = multiples.len() >= months && multiples.iter().any(|&x| (x - multiples[0]).abs() > 1e-9);
    let x_of = |m: usize| -> f64 {
        if by_traffic {
            multiples[m - 1]
        } else {
            m as f64
        }
    };
    let (x_min, x_max) = if by_traffic {
        let lo = multiples[..months].iter().copied().fold(f64::INFINITY, f64::min);
        let hi = multiples[..months].iter().copied().fold(0.0, f64::max);
        (lo, hi.max(lo * 1.01))
    } else {
        (1.0, (months as f64).max(2.0))
    };
    let x_desc = if by_traffic {
        "traffic in that month, × the traced traffic (growth applied month by month)"
    } else {
        "month of the horizon (no traffic growth)"
    };

    let mut chart = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_left(10)
        .margin_right(right)
        .margin_bottom(4)
        .x_label_area_size(48)
        .y_label_area_size(text_width(&usd_tick(top), TICK_PX) + 44)
        .build_cartesian_2d(x_min..x_max, 0f64..top)?;
    let x_label = |v: &f64| if by_traffic { format!("×{v:.1}") } else { whole(*v) };
    house_mesh(
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("cost in that month (USD)")
            .x_label_formatter(&x_label)
            .y_label_formatter(&|v| usd_tick(*v)),
    )
    .draw()?;

    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    // Months from which the cheapest viable option in that month changes.
    for c in &r.cheapest_changes {
        let x = chart.backend_coord(&(x_of(c.month as usize), 0.0)).0;
        for y in (y_px.start..y_px.end).step_by(10) {
            root.draw(&PathElement::new(
                vec![(x, y), (x, (y + 5).min(y_px.end))],
                GREY.stroke_width(1),
            ))?;
        }
        let text = format!(
            "from month {}: {} cheapest",
            c.month,
            c.option.as_deref().unwrap_or("no viable option")
        );
        let text = fit(&text, TICK_PX, 360);
        let w = text_width(&text, TICK_PX) as i32;
        let tx = if x + 6 + w < x_px.end { x + 6 } else { x - 6 - w };
        root.draw_text(
            &text,
            &font(TICK_PX).pos(Pos::new(HPos::Left, VPos::Top)),
            (tx, y_px.start + 4),
        )?;
    }

    for (i, o) in &series {
        let points: Vec<(f64, f64)> = o
            .monthly_cost_by_month_usd
            .iter()
            .enumerate()
            .map(|(m, v)| (x_of(m + 1), v.to_f64()))
            .collect();
        draw_option_line(
            &mut chart,
            points,
            option_colour(*i),
            o.meets_slo.then(|| line_width(r, o)),
        )?;
    }

    let ys: Vec<i32> = series
        .iter()
        .map(|(_, o)| {
            let last = x_of(o.monthly_cost_by_month_usd.len());
            chart
                .backend_coord(&(last, o.monthly_cost_by_month_usd.last().unwrap().to_f64()))
                .1
        })
        .collect();
    draw_end_labels(root, &end_labels, &ys, x_px.end, y_px.clone())?;
    Ok(())
}
