//! The first month's bill of each option as a horizontal bar stacked by component (compute,
//! requests, front door, load balancer, logs, commitment, other), the total at the bar's end;
//! an option that breaks a platform limit shows "cannot run" in place of a bar.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::*;

const ROW_PX: u32 = 40;
const AXIS_BAND: u32 = 64;
const MAX_NAME_PX: u32 = 260;

/// The colour of a component.
fn component_colour(c: Component) -> RGBColor {
    match c {
        Component::Commitment => RGBColor(0xD5, 0x5E, 0x00),
        Component::Compute => RGBColor(0x00, 0x72, 0xB2),
        Component::Requests => RGBColor(0x56, 0xB4, 0xE9),
        Component::FrontDoor => RGBColor(0xE6, 0x9F, 0x00),
        Component::LoadBalancer => RGBColor(0x00, 0x9E, 0x73),
        Component::Logs => RGBColor(0xCC, 0x79, 0xA7),
        Component::Other => RGBColor(0x99, 0x99, 0x99),
    }
}

/// An option's priced first-month lines summed by component, exact.
pub fn by_component(o: &OptionReport) -> BTreeMap<Component, Money> {
    let mut out = BTreeMap::new();
    for l in &o.cost_lines {
        if let Some(c) = l.cost_usd {
            let e = out.entry(component_of(l)).or_insert(Money::ZERO);
            *e = e.checked_add(c, "a component of a bill").unwrap_or(*e);
        }
    }
    out
}

fn legend(r: &Report) -> Vec<LegendItem> {
    let present: Vec<Component> = Component::ALL
        .into_iter()
        .filter(|c| r.options.iter().any(|o| by_component(o).contains_key(c)))
        .collect();
    present
        .into_iter()
        .map(|c| LegendItem {
            text: c.label().to_string(),
            colour: component_colour(c),
            swatch: Swatch::Box,
        })
        .collect()
}

pub(super) fn size(r: &Report) -> (u32, u32) {
    let rows = r.options.len().max(1) as u32;
    (
        WIDTH,
        TITLE_BAND + rows * ROW_PX + AXIS_BAND + legend_height(&legend(r), WIDTH),
    )
}

fn cannot_run(o: &OptionReport) -> String {
    let limits: Vec<&str> = o.limits.iter().map(|l| l.limit.name()).collect();
    if limits.is_empty() {
        "cannot run: not priced".to_string()
    } else {
        format!("cannot run: platform {} limit", limits.join(" and "))
    }
}

fn total_label(o: &OptionReport) -> Option<String> {
    let m = o.monthly_cost_usd?;
    let mut s = usd_label(m);
    if !o.complete {
        s = format!("≥ {s} (some lines not priced)");
    }
    if !o.meets_slo {
        s.push_str(" · misses SLO");
    }
    Some(s)
}

pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> Drawn
where
    DB::ErrorType: 'static,
{
    let rows = r.options.len().max(1) as u32;
    let plot = frame(
        root,
        "First month's cost by option and component",
        rows * ROW_PX + AXIS_BAND,
        &legend(r),
    )?;

    let n = r.options.len() as f64;
    let max = r
        .options
        .iter()
        .filter_map(|o| o.monthly_cost_usd)
        .map(|m| m.to_f64())
        .fold(0.0, f64::max);
    let widest_total = r
        .options
        .iter()
        .filter_map(total_label)
        .map(|t| text_width(&t, TICK_PX))
        .max()
        .unwrap_or(0);
    let names: Vec<String> = r.options.iter().map(|o| fit(&o.id, TICK_PX, MAX_NAME_PX)).collect();
    let name_px = names.iter().map(|s| text_width(s, TICK_PX)).max().unwrap_or(0) + 16;

    // Leave room after the longest bar for its total.
    let plot_w = WIDTH.saturating_sub(30 + name_px).max(1) as f64;
    let room = (widest_total as f64 + 12.0) / plot_w;
    let x_top = if max > 0.0 { max / (1.0 - room.min(0.6)) } else { 1.0 };
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
            .x_desc("cost in the first month (USD)")
            .x_label_formatter(&|v| usd_tick(*v))
            .y_label_formatter(&|_| String::new())
            .set_tick_mark_size(LabelAreaPosition::Left, 0)
            .disable_y_mesh(),
    )
    .draw()?;

    let (x_px, _) = chart.plotting_area().get_pixel_range();
    let mut by_kind: BTreeMap<Component, Vec<Rectangle<(f64, f64)>>> = BTreeMap::new();
    for (i, o) in r.options.iter().enumerate() {
        let yc = n - i as f64 - 0.5;
        let (_, y) = chart.backend_coord(&(0.0, yc));
        root.draw_text(
            &names[i],
            &font(TICK_PX).pos(Pos::new(HPos::Right, VPos::Center)),
            (x_px.start - 8, y),
        )?;
        let Some(total) = o.monthly_cost_usd.filter(|_| o.feasible) else {
            root.draw_text(
                &cannot_run(o),
                &coloured(TICK_PX, GREY).pos(Pos::new(HPos::Left, VPos::Center)),
                (x_px.start + 8, y),
            )?;
            continue;
        };
        let mut x0 = 0.0;
        let parts = by_component(o);
        for c in Component::ALL {
            if let Some(m) = parts.get(&c) {
                let x1 = x0 + m.to_f64();
                by_kind.entry(c).or_default().push(Rectangle::new(
                    [(x0, yc - 0.32), (x1, yc + 0.32)],
                    component_colour(c).filled(),
                ));
                x0 = x1;
            }
        }
        let end = chart.backend_coord(&(total.to_f64(), yc)).0;
        root.draw_text(
            &total_label(o).unwrap_or_default(),
            &font(TICK_PX).pos(Pos::new(HPos::Left, VPos::Center)),
            (end + 6, y),
        )?;
    }
    for (_, rects) in by_kind {
        chart.draw_series(rects)?;
    }
    Ok(())
}
