//! Memory right-sizing: one panel per busy function, its monthly cost alone on the platform at
//! each memory size swept (`tune`'s model), the sizes it may not use (below the memory floor,
//! over the timeout) hollow, the size traced crossed, the cheapest allowed size ringed, and the
//! option's configured size a dashed line; the figures are written above each panel.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::*;
use crate::report::model::{RightSizing, SizingCurve};
use crate::units::group_thousands;

const HEADER_PX: u32 = 50;
const PANEL_PX: u32 = 230;
/// The last panel's extra room for the axis description.
const DESC_PX: u32 = 26;
const MARK_GREEN: RGBColor = RGBColor(0x00, 0x80, 0x40);

fn sizing(r: &Report) -> Option<&RightSizing> {
    r.series
        .as_ref()?
        .right_sizing
        .as_ref()
        .filter(|s| s.functions.iter().any(|f| !f.points.is_empty()))
}

fn curves(s: &RightSizing) -> impl Iterator<Item = &SizingCurve> {
    s.functions.iter().filter(|f| !f.points.is_empty())
}

fn legend(r: &Report) -> Vec<LegendItem> {
    let Some(s) = sizing(r) else {
        return Vec::new();
    };
    let colour = colour_of_option(r, &s.option);
    let mut items = vec![
        LegendItem {
            text: "monthly cost of the function alone at that size".into(),
            colour,
            swatch: Swatch::Line,
        },
        LegendItem {
            text: "not allowed: below the memory floor or over the timeout".into(),
            colour: GREY,
            swatch: Swatch::Hollow,
        },
        LegendItem {
            text: "the size traced".into(),
            colour: BLACK,
            swatch: Swatch::Cross,
        },
        LegendItem {
            text: "the cheapest allowed size".into(),
            colour: MARK_GREEN,
            swatch: Swatch::Ring,
        },
    ];
    if let Some(mb) = s.option_memory_mb {
        items.push(LegendItem {
            text: format!("{}'s configured {}", s.option, mb_text(mb)),
            colour,
            swatch: Swatch::Dashed,
        });
    }
    items
}

fn panels(r: &Report) -> u32 {
    sizing(r).map_or(1, |s| curves(s).count() as u32)
}

pub(super) fn size(r: &Report) -> (u32, u32) {
    (
        WIDTH,
        TITLE_BAND + panels(r) * (HEADER_PX + PANEL_PX) + DESC_PX + legend_height(&legend(r), WIDTH),
    )
}

/// `512 MB`, `1 GB`, `1.5 GB`.
fn mb_text(mb: u32) -> String {
    if mb >= 1024 && mb.is_multiple_of(512) {
        format!("{} GB", trim(f64::from(mb) / 1024.0))
    } else {
        format!("{} MB", group_thousands(u64::from(mb)))
    }
}

/// The cost at `mb` on the curve.
fn cost_at(c: &SizingCurve, mb: u32) -> Option<Money> {
    c.points.iter().find(|p| p.memory_mb == mb).map(|p| p.monthly_cost_usd)
}

/// The panel's second header line: the cheapest allowed size, the traced one, the option's.
fn figures(c: &SizingCurve, s: &RightSizing) -> String {
    let at = |mb: u32| cost_at(c, mb).map_or(String::new(), |m| format!(", {}", usd_label(m)));
    let mut parts = vec![format!("{} invocations", group_thousands(c.invocations))];
    parts.push(match c.cheapest_mb {
        Some(mb) => format!("cheapest allowed {}{} a month", mb_text(mb), at(mb)),
        None => format!(
            "no size allowed: {}",
            c.refusal.as_deref().unwrap_or("every size breaks a limit")
        ),
    });
    parts.push(format!("traced {}{}", mb_text(c.traced_mb), at(c.traced_mb)));
    if let Some(mb) = s.option_memory_mb {
        parts.push(format!("at {} {}{}", s.option, mb_text(mb), at(mb)));
    }
    parts.push(format!("floor {}", mb_text(c.floor_mb)));
    parts.join(" · ")
}

pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (title, rest) = root.split_vertically(TITLE_BAND);
    let n = panels(r);
    let (body, legend_area) = rest.split_vertically(n * (HEADER_PX + PANEL_PX) + DESC_PX);
    let Some(s) = sizing(r) else {
        draw_title(&title, "Memory right-sizing of the busiest functions")?;
        return draw_message(
            &body,
            "This report carries no right-sizing curve: nothing to draw",
            PANEL_PX,
        );
    };
    draw_title(
        &title,
        &format!(
            "Memory right-sizing of the busiest functions on {} ({})",
            s.platform, s.arch
        ),
    )?;
    draw_legend(&legend_area, &legend(r))?;
    let colour = colour_of_option(r, &s.option);
    let mut area = body;
    for (k, c) in curves(s).enumerate() {
        let last = k as u32 + 1 == n;
        let height = HEADER_PX + PANEL_PX + if last { DESC_PX } else { 0 };
        let (panel, below) = area.split_vertically(height);
        area = below;
        let (header, plot) = panel.split_vertically(HEADER_PX);
        let left = Pos::new(HPos::Left, VPos::Top);
        header.draw_text(
            &fit(&c.function, AXIS_PX, WIDTH - 40),
            &font(AXIS_PX).pos(left),
            (20, 4),
        )?;
        header.draw_text(
            &fit(&figures(c, s), TICK_PX, WIDTH - 40),
            &font(TICK_PX).pos(left),
            (20, 26),
        )?;
        draw_panel(&plot, c, s, colour, last)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    c: &SizingCurve,
    s: &RightSizing,
    colour: RGBColor,
    last: bool,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let lo = c.points.iter().map(|p| p.memory_mb).min().unwrap_or(128).max(1) as f64;
    let hi = c
        .points
        .iter()
        .map(|p| p.memory_mb)
        .chain(s.option_memory_mb)
        .max()
        .unwrap_or(1024) as f64;
    let hi = hi.max(lo * 2.0);
    let ticks: Vec<f64> = (0..24)
        .map(|k| f64::from(1u32 << k))
        .filter(|&m| m >= lo && m <= hi)
        .collect();
    let costs: Vec<f64> = c.points.iter().map(|p| p.monthly_cost_usd.to_f64()).collect();
    let (c_lo, c_hi) = (
        costs.iter().copied().fold(f64::INFINITY, f64::min),
        costs.iter().copied().fold(0.0, f64::max),
    );
    let pad = ((c_hi - c_lo) * 0.08).max(c_hi.abs() * 0.02).max(0.01);
    let (y_lo, y_hi) = ((c_lo - pad).max(0.0), c_hi + pad);
    let mut chart = ChartBuilder::on(plot)
        .margin_top(4)
        .margin_left(10)
        .margin_right(24)
        .margin_bottom(4)
        .x_label_area_size(if last { 40 + DESC_PX } else { 36 })
        .y_label_area_size(text_width(&usd_tick(y_hi), TICK_PX) + 44)
        .build_cartesian_2d(
            ((lo / 1.15)..(hi * 1.15)).log_scale().with_key_points(ticks),
            y_lo..y_hi,
        )?;
    let mut mesh = chart.configure_mesh();
    mesh.label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_PX))
        .bold_line_style(LIGHT_GREY)
        .light_line_style(WHITE)
        .y_labels(5)
        .y_desc("USD a month")
        .x_label_formatter(&|v| mb_text(v.round() as u32))
        .y_label_formatter(&|v| usd_tick(*v));
    if last {
        mesh.x_desc("memory per instance (log scale)");
    }
    mesh.draw()?;

    if let Some(mb) = s.option_memory_mb {
        // Dashes in data units: 24 on, 24 off over the panel's height.
        let step = (y_hi - y_lo) / 48.0;
        let x = f64::from(mb);
        chart.draw_series((0..24).map(|k| {
            let y = y_lo + 2.0 * k as f64 * step;
            PathElement::new(vec![(x, y), (x, y + step)], colour.stroke_width(2))
        }))?;
    }
    let points: Vec<(f64, f64)> = c
        .points
        .iter()
        .map(|p| (f64::from(p.memory_mb), p.monthly_cost_usd.to_f64()))
        .collect();
    chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?;
    chart.draw_series(c.points.iter().zip(&points).map(|(p, &xy)| {
        if p.allowed {
            Circle::new(xy, 4, colour.filled())
        } else {
            Circle::new(xy, 5, GREY.stroke_width(2))
        }
    }))?;
    if let Some(m) = cost_at(c, c.traced_mb) {
        chart.draw_series(std::iter::once(Cross::new(
            (f64::from(c.traced_mb), m.to_f64()),
            7,
            BLACK.stroke_width(2),
        )))?;
    }
    if let Some((mb, m)) = c.cheapest_mb.and_then(|mb| cost_at(c, mb).map(|m| (mb, m))) {
        chart.draw_series(std::iter::once(Circle::new(
            (f64::from(mb), m.to_f64()),
            10,
            MARK_GREEN.stroke_width(3),
        )))?;
    }
    Ok(())
}
