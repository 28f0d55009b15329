//! Each option's horizon cost as a range: P10–P90 of the Monte Carlo runs over arrival
//! randomness (a bar in the option's colour, the median a black tick) within the lowest and
//! highest cost of the inputs' low and high cases (a grey whisker), the P10–P90 written at the
//! end; an option that cannot run says so in place of a bar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::*;
use crate::report::model::OptionRange;

const ROW_PX: u32 = 40;
const AXIS_BAND: u32 = 64;
const MAX_NAME_PX: u32 = 260;

fn legend() -> Vec<LegendItem> {
    vec![
        LegendItem {
            text: "P10–P90 over the Monte Carlo runs (colour), median (black tick)".into(),
            colour: GREY,
            swatch: Swatch::Box,
        },
        LegendItem {
            text: "lowest to highest of the inputs' low and high cases".into(),
            colour: GREY,
            swatch: Swatch::Line,
        },
    ]
}

pub(super) fn size(r: &Report) -> (u32, u32) {
    let rows = r.options.len().max(1) as u32;
    (
        WIDTH,
        TITLE_BAND + rows * ROW_PX + AXIS_BAND + legend_height(&legend(), WIDTH),
    )
}

/// The range of the option `id`.
fn range_of<'a>(r: &'a Report, id: &str) -> Option<&'a OptionRange> {
    r.ranges.as_ref()?.options.iter().find(|o| o.id == id)
}

/// The text at the end of an option's row.
fn end_label(o: &OptionRange) -> Option<String> {
    match (o.horizon_usd, o.horizon_case_min_usd.zip(o.horizon_case_max_usd)) {
        (Some(p), _) if p.p10 == p.p90 => Some(format!("P10 = P90 = {}", usd_label(p.p10))),
        (Some(p), _) => Some(format!("P10 {} – P90 {}", usd_label(p.p10), usd_label(p.p90))),
        (None, Some((lo, hi))) => Some(format!("cases {} – {}", usd_label(lo), usd_label(hi))),
        (None, None) => None,
    }
}

pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> Drawn
where
    DB::ErrorType: 'static,
{
    let rows = r.options.len().max(1) as u32;
    let plot = frame(
        root,
        &format!("How wide each option's {}-month cost is", r.verdict.horizon_months),
        rows * ROW_PX + AXIS_BAND,
        &legend(),
    )?;
    let ranges: Vec<Option<&OptionRange>> = r.options.iter().map(|o| range_of(r, &o.id)).collect();
    let max = ranges
        .iter()
        .flatten()
        .flat_map(|o| [o.horizon_case_max_usd, o.horizon_usd.map(|p| p.p90)])
        .flatten()
        .map(Money::to_f64)
        .fold(0.0, f64::max);
    if max <= 0.0 {
        let style = font(AXIS_PX).pos(Pos::new(HPos::Center, VPos::Center));
        let text = if r.ranges.is_none() {
            "This report carries no ranges: nothing to draw"
        } else {
            "No option can run this workload: no cost to draw"
        };
        plot.draw_text(text, &style, (WIDTH as i32 / 2, (rows * ROW_PX) as i32 / 2))?;
        return Ok(());
    }
    let widest = ranges
        .iter()
        .flatten()
        .filter_map(|o| end_label(o))
        .map(|t| text_width(&t, TICK_PX))
        .max()
        .unwrap_or(0);
    let names: Vec<String> = r.options.iter().map(|o| fit(&o.id, TICK_PX, MAX_NAME_PX)).collect();
    let name_px = names.iter().map(|s| text_width(s, TICK_PX)).max().unwrap_or(0) + 16;
    let plot_w = WIDTH.saturating_sub(30 + name_px).max(1) as f64;
    let room = (widest as f64 + 12.0) / plot_w;
    let x_top = max / (1.0 - room.min(0.6));
    let n = r.options.len() as f64;
    let mut chart = ChartBuilder::on(&plot)
        .margin_top(4)
        .margin_left(10)
        .margin_right(20)
        .margin_bottom(4)
        .x_label_area_size(48)
        .y_label_area_size(name_px)
        .build_cartesian_2d(0f64..x_top, 0f64..n.max(1.0))?;
    house_mesh(
        chart
            .configure_mesh()
            .x_desc(format!("cost over {} months (USD)", r.verdict.horizon_months))
            .x_label_formatter(&|v| usd_tick(*v))
            .y_label_formatter(&|_| String::new())
            .set_tick_mark_size(LabelAreaPosition::Left, 0)
            .disable_y_mesh(),
    )
    .draw()?;
    let (x_px, _) = chart.plotting_area().get_pixel_range();
    for (i, (o, range)) in r.options.iter().zip(&ranges).enumerate() {
        let yc = n - i as f64 - 0.5;
        let (_, y) = chart.backend_coord(&(0.0, yc));
        root.draw_text(
            &names[i],
            &font(TICK_PX).pos(Pos::new(HPos::Right, VPos::Center)),
            (x_px.start - 8, y),
        )?;
        let Some(range) = range.filter(|g| o.feasible && end_label(g).is_some()) else {
            let text = if o.feasible {
                "no range"
            } else {
                "cannot run: platform limit"
            };
            root.draw_text(
                text,
                &coloured(TICK_PX, GREY).pos(Pos::new(HPos::Left, VPos::Center)),
                (x_px.start + 8, y),
            )?;
            continue;
        };
        let mut right = 0.0f64;
        if let Some((lo, hi)) = range.horizon_case_min_usd.zip(range.horizon_case_max_usd) {
            let (lo, hi) = (lo.to_f64(), hi.to_f64());
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(lo, yc), (hi, yc)],
                GREY.stroke_width(2),
            )))?;
            for x in [lo, hi] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, yc - 0.2), (x, yc + 0.2)],
                    GREY.stroke_width(2),
                )))?;
            }
            right = hi;
        }
        if let Some(p) = range.horizon_usd {
            let colour = option_colour(i);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(p.p10.to_f64(), yc - 0.28), (p.p90.to_f64(), yc + 0.28)],
                colour.filled(),
            )))?;
            let (a, b) = (
                chart.backend_coord(&(p.p10.to_f64(), yc)).0,
                chart.backend_coord(&(p.p90.to_f64(), yc)).0,
            );
            if b - a < 3 {
                // Narrower than a few pixels: an outlined box keeps it visible.
                root.draw(&Rectangle::new(
                    [(a - 2, y - 11), (b + 2, y + 11)],
                    colour.stroke_width(2),
                ))?;
            }
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(p.p50.to_f64(), yc - 0.34), (p.p50.to_f64(), yc + 0.34)],
                BLACK.stroke_width(2),
            )))?;
            right = right.max(p.p90.to_f64());
        }
        let end = chart.backend_coord(&(right, yc)).0;
        root.draw_text(
            &end_label(range).unwrap_or_default(),
            &font(TICK_PX).pos(Pos::new(HPos::Left, VPos::Center)),
            (end + 8, y),
        )?;
    }
    Ok(())
}
