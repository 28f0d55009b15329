//! Added latency (cold-start init and waiting for a free slot) per option: p50, p95 and p99 as
//! bars on a log axis, against the p99 SLO line. An option that cannot run, or was not
//! simulated, says so in place of its bars.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::*;

const ROW_PX: u32 = 60;
const AXIS_BAND: u32 = 64;
const MAX_NAME_PX: u32 = 260;
const VALUE_PX: f64 = 12.0;

const PERCENTILES: [(&str, RGBColor); 3] = [
    ("p50", RGBColor(0xA6, 0xCE, 0xE3)),
    ("p95", RGBColor(0x44, 0x8E, 0xC6)),
    ("p99", RGBColor(0x08, 0x3C, 0x7C)),
];

/// Milliseconds as people read them: `0 ms`, `246 ms`, `2.7 s`, `73 s`, `12 min`.
pub(super) fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{} ms", trim_to(ms, 0))
    } else if ms < 60_000.0 {
        format!("{} s", trim_to(ms / 1000.0, 1))
    } else {
        format!("{} min", trim_to(ms / 60_000.0, 1))
    }
}

fn trim_to(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}

fn legend(r: &Report) -> Vec<LegendItem> {
    let mut items: Vec<LegendItem> = PERCENTILES
        .iter()
        .map(|(name, colour)| LegendItem {
            text: format!("{name} added latency"),
            colour: *colour,
            swatch: Swatch::Box,
        })
        .collect();
    items.push(LegendItem {
        text: format!("SLO: p99 added latency ≤ {}", duration(r.verdict.latency_slo_ms)),
        colour: SLO_RED,
        swatch: Swatch::Dashed,
    });
    items
}

pub(super) fn size(r: &Report) -> (u32, u32) {
    let rows = r.options.len().max(1) as u32;
    (
        WIDTH,
        TITLE_BAND + rows * ROW_PX + AXIS_BAND + legend_height(&legend(r), WIDTH),
    )
}

pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report) -> Drawn
where
    DB::ErrorType: 'static,
{
    let rows = r.options.len().max(1) as u32;
    let plot = frame(
        root,
        "Latency the platform adds: cold starts and queueing",
        rows * ROW_PX + AXIS_BAND,
        &legend(r),
    )?;

    let slo = r.verdict.latency_slo_ms;
    let max = r
        .options
        .iter()
        .filter_map(|o| o.added_latency_ms)
        .map(|l| l.p50.max(l.p95).max(l.p99))
        .fold(slo, f64::max)
        .max(10.0);
    // Room on the right of the longest bar for its value.
    let top = max * 6.0;
    let n = r.options.len() as f64;
    let names: Vec<String> = r.options.iter().map(|o| fit(&o.id, TICK_PX, MAX_NAME_PX)).collect();
    let name_px = names.iter().map(|s| text_width(s, TICK_PX)).max().unwrap_or(0) + 16;

    let mut chart = ChartBuilder::on(&plot)
        .margin_top(4)
        .margin_left(10)
        .margin_right(20)
        .margin_bottom(4)
        .x_label_area_size(48)
        .y_label_area_size(name_px)
        .build_cartesian_2d((1f64..top).log_scale(), 0f64..n.max(1.0))?;
    house_mesh(
        chart
            .configure_mesh()
            .x_desc("added latency (log scale; 0 ms drawn as no bar)")
            .x_label_formatter(&|v| duration(*v))
            .y_label_formatter(&|_| String::new())
            .set_tick_mark_size(LabelAreaPosition::Left, 0)
            .disable_y_mesh(),
    )
    .draw()?;

    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    // Texts drawn last, over the bars and the SLO line: (text, size, colour, x, y, white backdrop).
    let mut labels: Vec<(String, f64, RGBColor, i32, i32, bool)> = Vec::new();
    for (i, o) in r.options.iter().enumerate() {
        let yc = n - i as f64 - 0.5;
        let (_, y) = chart.backend_coord(&(1.0, yc));
        root.draw_text(
            &names[i],
            &font(TICK_PX).pos(Pos::new(HPos::Right, VPos::Center)),
            (x_px.start - 8, y),
        )?;
        let lat = match (o.feasible, o.added_latency_ms) {
            (true, Some(l)) => l,
            (feasible, _) => {
                let text = if feasible {
                    "not simulated"
                } else {
                    "cannot run: platform limit"
                };
                root.draw_text(
                    text,
                    &coloured(TICK_PX, GREY).pos(Pos::new(HPos::Left, VPos::Center)),
                    (x_px.start + 8, y),
                )?;
                continue;
            }
        };
        if lat.p99 < 1.0 {
            let text = if lat.p50.max(lat.p95).max(lat.p99) == 0.0 {
                "p50, p95, p99: 0 ms (no cold start, no queueing)".to_string()
            } else {
                format!(
                    "p50 / p95 / p99: {} / {} / {}",
                    duration(lat.p50),
                    duration(lat.p95),
                    duration(lat.p99)
                )
            };
            labels.push((text, TICK_PX, BLACK, x_px.start + 8, y, true));
            continue;
        }
        for (k, ((_, colour), v)) in PERCENTILES.iter().zip([lat.p50, lat.p95, lat.p99]).enumerate() {
            let y0 = yc + 0.33 - k as f64 * 0.22;
            let y1 = y0 - 0.2;
            let end = v.max(1.0).min(top);
            if v >= 1.0 {
                chart.draw_series(std::iter::once(Rectangle::new([(1.0, y0), (end, y1)], colour.filled())))?;
            }
            let (xe, ym) = chart.backend_coord(&(end, (y0 + y1) / 2.0));
            let over = k == 2 && v > slo;
            let text = if over {
                format!("{} (over the SLO)", duration(v))
            } else {
                duration(v)
            };
            let w = text_width(&text, VALUE_PX) as i32;
            let colour = if over { SLO_RED } else { BLACK };
            if v < 1.0 {
                labels.push((text, VALUE_PX, colour, x_px.start + 4, ym, true));
            } else if xe + 4 + w <= x_px.end {
                labels.push((text, VALUE_PX, colour, xe + 4, ym, true));
            } else {
                // No room after the bar: inside its end, white on the bar.
                labels.push((text, VALUE_PX, WHITE, (xe - 4 - w).max(x_px.start + 4), ym, false));
            }
        }
    }

    // The SLO over the bars, the values over the SLO line.
    let x = chart.backend_coord(&(slo.max(1.0), 0.0)).0;
    for y in (y_px.start..y_px.end).step_by(10) {
        root.draw(&PathElement::new(
            vec![(x, y), (x, (y + 6).min(y_px.end))],
            SLO_RED.stroke_width(2),
        ))?;
    }
    for (text, px, colour, x, y, backdrop) in labels {
        if backdrop {
            let w = text_width(&text, px) as i32;
            let h = (px * 0.4) as i32;
            root.draw(&Rectangle::new(
                [(x - 2, y - h), (x + w + 2, y + h)],
                WHITE.mix(0.85).filled(),
            ))?;
        }
        root.draw_text(
            &text,
            &coloured(px, colour).pos(Pos::new(HPos::Left, VPos::Center)),
            (x, y),
        )?;
    }
    Ok(())
}
