//! The tornado: for each uncertain input, by swing (the largest at the top), the horizon cost of
//! the verdict's winner (thick bar) and of its runner-up (thin bar) from the input's low value
//! (light) to its high value (dark) around the typical cost (the scenario's values, a dashed
//! line); an input whose low or high value names another winner says so in red under its name.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::*;
use crate::report::model::Sensitivity;

const ROW_PX: u32 = 64;
const AXIS_BAND: u32 = 64;
const NAME_PX: u32 = 300;

/// The option's colour in every chart (its position in the report), grey when it is not there.
fn colour_of(r: &Report, id: Option<&str>) -> RGBColor {
    id.and_then(|id| r.options.iter().position(|o| o.id == id))
        .map(option_colour)
        .unwrap_or(GREY)
}

/// `colour` mixed halfway with white: the low value's half of a bar.
fn light(colour: RGBColor) -> RGBColor {
    let mix = |c: u8| ((u16::from(c) + 255) / 2) as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

fn legend(r: &Report) -> Vec<LegendItem> {
    let Some(g) = &r.ranges else {
        return Vec::new();
    };
    let mut items = Vec::new();
    for (id, role) in [(&g.winner, "winner"), (&g.runner_up, "runner-up")] {
        if let Some(id) = id {
            let colour = colour_of(r, Some(id));
            items.push(LegendItem {
                text: format!("{id} ({role}) at the low value"),
                colour: light(colour),
                swatch: Swatch::Box,
            });
            items.push(LegendItem {
                text: "at the high value".into(),
                colour,
                swatch: Swatch::Box,
            });
        }
    }
    items.push(LegendItem {
        text: "typical (the scenario's values)".into(),
        colour: BLACK,
        swatch: Swatch::Dashed,
    });
    items
}

fn rows(r: &Report) -> u32 {
    r.ranges.as_ref().map(|g| g.sensitivity.len()).unwrap_or(0).max(1) as u32
}

pub(super) fn size(r: &Report) -> (u32, u32) {
    (
        WIDTH,
        TITLE_BAND + rows(r) * ROW_PX + AXIS_BAND + legend_height(&legend(r), WIDTH),
    )
}

/// The typical horizon cost of an option of the report.
fn typical(r: &Report, id: Option<&str>) -> Option<Money> {
    let id = id?;
    r.options.iter().find(|o| o.id == id)?.horizon_cost_usd
}

/// The red note under an input whose low or high value names another winner.
fn flip_note(s: &Sensitivity, winner: Option<&str>) -> Option<String> {
    let mut parts = Vec::new();
    for (value, at) in [(&s.low, &s.winner_at_low), (&s.high, &s.winner_at_high)] {
        if at.as_deref() != winner {
            parts.push(format!("{value} → {}", at.as_deref().unwrap_or("none viable")));
        }
    }
    (!parts.is_empty()).then(|| format!("flips: {}", parts.join(", ")))
}

pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> Drawn
where
    DB::ErrorType: 'static,
{
    let n = rows(r);
    let plot = frame(
        root,
        &format!(
            "What moves the verdict: {}-month cost at each input's low and high value",
            r.verdict.horizon_months
        ),
        n * ROW_PX + AXIS_BAND,
        &legend(r),
    )?;
    let Some(g) = r.ranges.as_ref().filter(|g| !g.sensitivity.is_empty()) else {
        let style = font(AXIS_PX).pos(Pos::new(HPos::Center, VPos::Center));
        plot.draw_text(
            "This report carries no ranges: nothing to draw",
            &style,
            (WIDTH as i32 / 2, (n * ROW_PX) as i32 / 2),
        )?;
        return Ok(());
    };
    let (winner, runner_up) = (g.winner.as_deref(), g.runner_up.as_deref());
    let mut amounts: Vec<f64> = g
        .sensitivity
        .iter()
        .flat_map(|s| {
            [
                s.winner_horizon_low_usd,
                s.winner_horizon_high_usd,
                s.runner_up_horizon_low_usd,
                s.runner_up_horizon_high_usd,
            ]
        })
        .chain([typical(r, winner), typical(r, runner_up)])
        .flatten()
        .map(Money::to_f64)
        .collect();
    amounts.push(0.0);
    let max = amounts.iter().copied().fold(0.0, f64::max);
    let rows_f = f64::from(n);
    let mut chart = ChartBuilder::on(&plot)
        .margin_top(4)
        .margin_left(10)
        .margin_right(30)
        .margin_bottom(4)
        .x_label_area_size(48)
        .y_label_area_size(NAME_PX)
        .build_cartesian_2d(0f64..axis_top(max), 0f64..rows_f)?;
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
    let name_style = font(TICK_PX).pos(Pos::new(HPos::Right, VPos::Center));
    let flip_style = coloured(TICK_PX, SLO_RED).pos(Pos::new(HPos::Right, VPos::Center));
    for (i, s) in g.sensitivity.iter().enumerate() {
        let yc = rows_f - i as f64 - 0.5;
        let (_, y) = chart.backend_coord(&(0.0, yc));
        let name = format!("{} ({} – {})", s.input.name(), s.low, s.high);
        root.draw_text(&fit(&name, TICK_PX, NAME_PX - 16), &name_style, (x_px.start - 8, y - 9))?;
        if let Some(note) = flip_note(s, winner) {
            root.draw_text(
                &fit(&note, TICK_PX, NAME_PX - 16),
                &flip_style,
                (x_px.start - 8, y + 10),
            )?;
        }
        for (id, low, high, offset, half) in [
            (winner, s.winner_horizon_low_usd, s.winner_horizon_high_usd, 0.1, 0.2),
            (
                runner_up,
                s.runner_up_horizon_low_usd,
                s.runner_up_horizon_high_usd,
                -0.22,
                0.08,
            ),
        ] {
            let (Some(base), Some(id)) = (typical(r, id), id) else {
                continue;
            };
            let colour = colour_of(r, Some(id));
            let yb = yc + offset;
            for (end, c) in [(low, light(colour)), (high, colour)] {
                if let Some(end) = end {
                    let (a, b) = (base.to_f64().min(end.to_f64()), base.to_f64().max(end.to_f64()));
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(a, yb - half), (b, yb + half)],
                        c.filled(),
                    )))?;
                }
            }
            chart.draw_series(DashedLineSeries::new(
                vec![(base.to_f64(), yb - half - 0.04), (base.to_f64(), yb + half + 0.04)],
                3,
                2,
                BLACK.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}
