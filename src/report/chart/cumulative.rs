//! Cumulative cost over the horizon per option (`monthly_cost_by_month_usd` summed exactly),
//! with a marker where the cheapest-in-total viable option changes: a break-even.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::*;

/// The cost accumulated by the end of each month of the horizon (index 0 = month 1), exact:
/// the last one is the option's `horizon_cost_usd`. Empty when the option is not priced.
pub fn cumulative_costs(o: &OptionReport) -> Vec<Money> {
    let mut acc = Money::ZERO;
    o.monthly_cost_by_month_usd
        .iter()
        .map(|m| {
            acc = acc
                .checked_add(*m, "a cumulative cost")
                .unwrap_or(Money::from_micro(i64::MAX));
            acc
        })
        .collect()
}

/// A point of the horizon where another viable option becomes the cheapest in total.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakEven {
    /// The first month (1-based) whose cumulative total the new option wins.
    pub month: u32,
    /// Where the two cumulative lines cross, in months from the start (between `month − 1` and `month`).
    pub at_month: f64,
    /// The cumulative cost where they cross, USD (for placing the marker only).
    pub at_usd: f64,
    /// The option cheapest in total before.
    pub from: String,
    /// The option cheapest in total from `month` on.
    pub to: String,
}

/// Break-evens among the viable options (the ones a verdict may pick): the months where the
/// option with the lowest cumulative cost changes. Ties keep the earlier leader.
pub fn break_evens(r: &Report) -> Vec<BreakEven> {
    let viable: Vec<(&OptionReport, Vec<Money>)> = r
        .options
        .iter()
        .filter(|o| o.viable && !o.monthly_cost_by_month_usd.is_empty())
        .map(|o| (o, cumulative_costs(o)))
        .collect();
    let months = viable.iter().map(|(_, c)| c.len()).min().unwrap_or(0);
    let leader = |m: usize, keep: Option<usize>| -> usize {
        let mut best = keep.unwrap_or(0);
        for (i, (_, c)) in viable.iter().enumerate() {
            if c[m] < viable[best].1[m] {
                best = i;
            }
        }
        best
    };
    let mut out = Vec::new();
    if months == 0 {
        return out;
    }
    let mut current = leader(0, None);
    for m in 1..months {
        let next = leader(m, Some(current));
        if next != current {
            let (old, new) = (&viable[current].1, &viable[next].1);
            let d0 = new[m - 1].to_f64() - old[m - 1].to_f64();
            let d1 = new[m].to_f64() - old[m].to_f64();
            let t = if d0 - d1 > 0.0 {
                (d0 / (d0 - d1)).clamp(0.0, 1.0)
            } else {
                1.0
            };
            let y0 = old[m - 1].to_f64();
            out.push(BreakEven {
                month: m as u32 + 1,
                at_month: m as f64 + t,
                at_usd: y0 + t * (old[m].to_f64() - y0),
                from: viable[current].0.id.clone(),
                to: viable[next].0.id.clone(),
            });
            current = next;
        }
    }
    out
}

const PLOT_PX: u32 = 440;

/// The options drawn: feasible and priced month by month.
pub(super) fn plotted(r: &Report) -> impl Iterator<Item = (usize, &OptionReport)> {
    r.options
        .iter()
        .enumerate()
        .filter(|(_, o)| o.feasible && !o.monthly_cost_by_month_usd.is_empty())
}

pub(super) fn legend(r: &Report) -> Vec<LegendItem> {
    let mut items: Vec<LegendItem> = plotted(r)
        .map(|(i, o)| LegendItem {
            text: legend_name(o),
            colour: option_colour(i),
            swatch: if o.meets_slo { Swatch::Line } else { Swatch::Dashed },
        })
        .collect();
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
    let months = r.verdict.horizon_months;
    let plot = frame(
        root,
        &format!("Cumulative cost over the {months}-month horizon"),
        PLOT_PX,
        &legend(r),
    )?;

    let series: Vec<(usize, &OptionReport, Vec<Money>)> =
        plotted(r).map(|(i, o)| (i, o, cumulative_costs(o))).collect();
    if series.is_empty() {
        return draw_no_cost(&plot, PLOT_PX);
    }
    let x_max = series.iter().map(|(_, _, c)| c.len()).max().unwrap_or(1).max(1) as f64;
    let top = axis_top(
        series
            .iter()
            .filter_map(|(_, _, c)| c.last())
            .map(|m| m.to_f64())
            .fold(0.0, f64::max),
    );
    let end_labels: Vec<(usize, String)> = series
        .iter()
        .map(|(i, _, c)| (*i, usd_label(*c.last().unwrap())))
        .collect();
    let right = end_labels
        .iter()
        .map(|(_, l)| text_width(l, TICK_PX))
        .max()
        .unwrap_or(0)
        + 24;

    let mut chart = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_left(10)
        .margin_right(right)
        .margin_bottom(4)
        .x_label_area_size(48)
        .y_label_area_size(text_width(&usd_tick(top), TICK_PX) + 44)
        .build_cartesian_2d(0f64..x_max, 0f64..top)?;
    house_mesh(
        chart
            .configure_mesh()
            .x_desc("month of the horizon (traffic growth applied)")
            .y_desc("cumulative cost (USD)")
            .x_label_formatter(&|v| whole(*v))
            .y_label_formatter(&|v| usd_tick(*v)),
    )
    .draw()?;

    for (i, o, c) in &series {
        let points: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
            .chain(c.iter().enumerate().map(|(m, v)| (m as f64 + 1.0, v.to_f64())))
            .collect();
        draw_option_line(
            &mut chart,
            points,
            option_colour(*i),
            o.meets_slo.then(|| line_width(r, o)),
        )?;
    }

    // The horizon totals at the right end of each line, pushed apart so none overlap.
    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    let ys: Vec<i32> = series
        .iter()
        .map(|(_, _, c)| chart.backend_coord(&(x_max, c.last().unwrap().to_f64())).1)
        .collect();
    draw_end_labels(root, &end_labels, &ys, x_px.end, y_px.clone())?;

    for b in break_evens(r) {
        let (x, y) = chart.backend_coord(&(b.at_month, b.at_usd));
        root.draw(&Circle::new((x, y), 6, BLACK.stroke_width(2)))?;
        let text = format!("break-even: {} cheaper in total from month {}", b.to, b.month);
        let text = fit(&text, TICK_PX, 420);
        let w = text_width(&text, TICK_PX) as i32;
        // Above and to the left of the crossing, kept inside the plot.
        let tx = (x - w - 10).max(x_px.start + 4);
        let ty = (y - 24).max(y_px.start + 10);
        root.draw(&Rectangle::new(
            [(tx - 3, ty - 9), (tx + w + 3, ty + 9)],
            WHITE.mix(0.85).filled(),
        ))?;
        root.draw_text(&text, &font(TICK_PX).pos(Pos::new(HPos::Left, VPos::Center)), (tx, ty))?;
    }
    Ok(())
}

/// The verdict's winner is drawn thicker.
pub(super) fn line_width(r: &Report, o: &OptionReport) -> u32 {
    if r.verdict.cheapest_option.as_deref() == Some(o.id.as_str()) {
        4
    } else {
        2
    }
}

/// A tick at a whole number of months, nothing between.
pub(super) fn whole(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}
