//! Charts of a `Report`, plotters' only home: pure functions from `&Report` to SVG text (for
//! report.html) or PNG bytes (for a picture), drawn with the bundled DejaVu Sans font
//! (`dejavu` crate, via plotters' `ab_glyph` feature) so no system font is needed and the same
//! report gives byte-identical output on any machine. Text in the SVG is XML-escaped by
//! plotters' SVG backend (`<`, `>`, `&`, quotes).
//!
//! The charts the Report supports: the first month's bill by option stacked by component
//! (`Bill`), the cumulative cost over the horizon with break-evens (`Cumulative`), the monthly
//! cost in each month of the horizon as traffic grows (`MonthlyCost`), and the added-latency
//! percentiles against the SLO (`AddedLatency`), the tornado of the uncertain inputs
//! (`Tornado`) and each option's P10–P90 horizon cost (`CostRange`) when the report carries
//! ranges; and, from the report's behaviour series (schema 4), requests in flight against a
//! server fleet's capacity (`Concurrency`), the keep-alive trade-off (`KeepAlive`), each
//! option's added-latency CDF (`LatencyCdf`) and the memory right-sizing curve (`RightSizing`).
//! Money is summed exactly (`Money`) and turned into floats only to place marks.

mod bill;
mod cdf;
mod components;
mod concurrency;
mod cumulative;
mod keepalive;
mod latency;
mod monthly;
mod range;
mod sizing;
mod tornado;

pub use components::{component_of, Component};
pub use cumulative::{break_evens, cumulative_costs, BreakEven};

use std::error::Error;
use std::sync::Once;

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::usd;
use super::model::{OptionReport, Report};
use crate::money::Money;

/// One chart of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// First month's cost by option, stacked by component; infeasible options "cannot run".
    Bill,
    /// Cumulative cost over the horizon per option, break-evens marked.
    Cumulative,
    /// Monthly cost in each month of the horizon, months where the cheapest option changes marked.
    MonthlyCost,
    /// p50/p95/p99 added latency per option against the SLO.
    AddedLatency,
    /// The winner's and runner-up's horizon cost at each uncertain input's low and high value.
    Tornado,
    /// Each option's horizon cost: P10–P90 of the Monte Carlo runs within the cases' range.
    CostRange,
    /// Requests in flight over the window against the cheapest server fleet's capacity.
    Concurrency,
    /// Cold-start share and idle memory-time at several keep-alive windows.
    KeepAlive,
    /// Each option's added latency by percentile.
    LatencyCdf,
    /// Monthly cost against memory size for the busiest functions.
    RightSizing,
}

impl ChartKind {
    /// Every chart, in the order report.html shows them.
    pub const ALL: [ChartKind; 10] = [
        ChartKind::Cumulative,
        ChartKind::Bill,
        ChartKind::MonthlyCost,
        ChartKind::AddedLatency,
        ChartKind::LatencyCdf,
        ChartKind::Concurrency,
        ChartKind::KeepAlive,
        ChartKind::RightSizing,
        ChartKind::Tornado,
        ChartKind::CostRange,
    ];

    /// A file-name stem (`cumulative-cost` → `cumulative-cost.svg`).
    pub fn stem(self) -> &'static str {
        match self {
            ChartKind::Bill => "first-month-bill",
            ChartKind::Cumulative => "cumulative-cost",
            ChartKind::MonthlyCost => "monthly-cost",
            ChartKind::AddedLatency => "added-latency",
            ChartKind::Tornado => "sensitivity-tornado",
            ChartKind::CostRange => "cost-ranges",
            ChartKind::Concurrency => "concurrency",
            ChartKind::KeepAlive => "keep-alive",
            ChartKind::LatencyCdf => "latency-cdf",
            ChartKind::RightSizing => "right-sizing",
        }
    }
}

/// The chart as SVG text (a complete `<svg>` element with a `viewBox`, no XML prolog).
pub fn svg(r: &Report, kind: ChartKind) -> String {
    let size = size(r, kind);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root, r, kind).expect("drawing into memory with the bundled font cannot fail");
        root.present().expect("an SVG string backend cannot fail");
    }
    out
}

/// The chart as a PNG image (RGB, the SVG's size in pixels).
pub fn png(r: &Report, kind: ChartKind) -> Vec<u8> {
    use image::ImageEncoder;
    let (w, h) = size(r, kind);
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw(&root, r, kind).expect("drawing into memory with the bundled font cannot fail");
        root.present().expect("a buffer backend cannot fail");
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&pixels, w, h, image::ColorType::Rgb8)
        .expect("encoding a PNG into memory cannot fail");
    out
}

fn size(r: &Report, kind: ChartKind) -> (u32, u32) {
    match kind {
        ChartKind::Bill => bill::size(r),
        ChartKind::Cumulative => cumulative::size(r),
        ChartKind::MonthlyCost => monthly::size(r),
        ChartKind::AddedLatency => latency::size(r),
        ChartKind::Tornado => tornado::size(r),
        ChartKind::CostRange => range::size(r),
        ChartKind::Concurrency => concurrency::size(r),
        ChartKind::KeepAlive => keepalive::size(r),
        ChartKind::LatencyCdf => cdf::size(r),
        ChartKind::RightSizing => sizing::size(r),
    }
}

type Drawn = Result<(), Box<dyn Error>>;

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, r: &Report, kind: ChartKind) -> Drawn
where
    DB::ErrorType: 'static,
{
    register_font();
    root.fill(&WHITE)?;
    match kind {
        ChartKind::Bill => bill::draw(root, r),
        ChartKind::Cumulative => cumulative::draw(root, r),
        ChartKind::MonthlyCost => monthly::draw(root, r),
        ChartKind::AddedLatency => latency::draw(root, r),
        ChartKind::Tornado => tornado::draw(root, r),
        ChartKind::CostRange => range::draw(root, r),
        ChartKind::Concurrency => concurrency::draw(root, r),
        ChartKind::KeepAlive => keepalive::draw(root, r),
        ChartKind::LatencyCdf => cdf::draw(root, r),
        ChartKind::RightSizing => sizing::draw(root, r),
    }
}

/// The family every text is drawn in: the bundled DejaVu Sans is registered under it, and a
/// browser showing the SVG uses its own sans-serif.
const FAMILY: &str = "sans-serif";
/// Chart width in pixels (the SVG scales to the page).
const WIDTH: u32 = 960;
const TITLE_PX: f64 = 20.0;
const AXIS_PX: f64 = 16.0;
const TICK_PX: f64 = 14.0;
const LEGEND_PX: f64 = 15.0;

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold());
    });
}

fn font(px: f64) -> TextStyle<'static> {
    coloured(px, BLACK)
}

fn coloured(px: f64, colour: RGBColor) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&colour)
}

/// Width of `text` in pixels at `px`.
fn text_width(text: &str, px: f64) -> u32 {
    register_font();
    (FAMILY, px).into_font().box_size(text).map(|(w, _)| w).unwrap_or(0)
}

/// `text` cut with an ellipsis to fit `max_px` wide.
fn fit(text: &str, px: f64, max_px: u32) -> String {
    if text_width(text, px) <= max_px {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let s: String = chars.iter().collect::<String>() + "…";
        if text_width(&s, px) <= max_px {
            return s;
        }
    }
    "…".to_string()
}

/// Okabe–Ito colours (distinguishable with colour-blindness), by option position.
const OPTION_COLOURS: [RGBColor; 9] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0x88, 0x88, 0x88),
    RGBColor(0x8C, 0x56, 0x1E),
];

/// The options' colours as RGB bytes, in order (for checking a picture of the charts).
pub fn option_rgb() -> Vec<[u8; 3]> {
    OPTION_COLOURS.iter().map(|c| [c.0, c.1, c.2]).collect()
}

/// The colour of the option at `index` in the report (the same in every chart).
fn option_colour(index: usize) -> RGBColor {
    OPTION_COLOURS[index % OPTION_COLOURS.len()]
}

const GREY: RGBColor = RGBColor(0x60, 0x60, 0x60);
const LIGHT_GREY: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
const SLO_RED: RGBColor = RGBColor(0xC0, 0x00, 0x00);

/// How an option's line or bar is drawn and named in a legend.
fn legend_name(o: &OptionReport) -> String {
    let mut s = o.id.clone();
    if !o.complete {
        s.push_str(" (lower bound)");
    }
    if !o.meets_slo {
        s.push_str(" (misses SLO)");
    }
    s
}

/// The legend line naming the options a chart leaves out because they cannot run (a platform
/// limit), if any.
fn cannot_run_item(r: &Report) -> Option<LegendItem> {
    let cannot: Vec<&str> = r
        .options
        .iter()
        .filter(|o| !o.feasible)
        .map(|o| o.id.as_str())
        .collect();
    (!cannot.is_empty()).then(|| LegendItem {
        text: format!("not drawn, cannot run (platform limit): {}", cannot.join(", ")),
        colour: GREY,
        swatch: Swatch::None,
    })
}

/// A legend entry: a swatch (filled box, solid or dashed line) and its text.
struct LegendItem {
    text: String,
    colour: RGBColor,
    swatch: Swatch,
}

#[derive(Clone, Copy, PartialEq)]
enum Swatch {
    Box,
    Line,
    Dashed,
    /// A ring (a marked point).
    Ring,
    /// A cross (a marked point).
    Cross,
    /// A hollow grey circle (a point not allowed).
    Hollow,
    /// No swatch: a note (an option not drawn).
    None,
}

const SWATCH_PX: i32 = 22;
const LEGEND_ROW_PX: i32 = 22;
const LEGEND_GAP_PX: i32 = 24;
const LEGEND_PAD_PX: i32 = 16;

/// Rows of a legend laid out left to right within `width`.
fn legend_rows(items: &[LegendItem], width: u32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut x = LEGEND_PAD_PX;
    for (i, item) in items.iter().enumerate() {
        let w = SWATCH_PX + 6 + text_width(&item.text, LEGEND_PX) as i32;
        if rows.is_empty() || (x + w > width as i32 - LEGEND_PAD_PX && !rows.last().unwrap().is_empty()) {
            rows.push(Vec::new());
            x = LEGEND_PAD_PX;
        }
        rows.last_mut().unwrap().push(i);
        x += w + LEGEND_GAP_PX;
    }
    rows
}

/// Height a legend strip needs.
fn legend_height(items: &[LegendItem], width: u32) -> u32 {
    if items.is_empty() {
        0
    } else {
        legend_rows(items, width).len() as u32 * LEGEND_ROW_PX as u32 + 12
    }
}

/// Draws a legend strip filling `area`, rows of swatches and texts.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, items: &[LegendItem]) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (width, _) = area.dim_in_pixel();
    let style = font(LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
    for (row, indices) in legend_rows(items, width).iter().enumerate() {
        let y = 6 + row as i32 * LEGEND_ROW_PX + LEGEND_ROW_PX / 2;
        let mut x = LEGEND_PAD_PX;
        for &i in indices {
            let item = &items[i];
            match item.swatch {
                Swatch::Box => {
                    area.draw(&Rectangle::new(
                        [(x, y - 7), (x + SWATCH_PX, y + 7)],
                        item.colour.filled(),
                    ))?;
                }
                Swatch::Line => {
                    area.draw(&PathElement::new(
                        vec![(x, y), (x + SWATCH_PX, y)],
                        item.colour.stroke_width(3),
                    ))?;
                }
                Swatch::Dashed => {
                    for k in 0..3 {
                        let x0 = x + k * 8;
                        area.draw(&PathElement::new(
                            vec![(x0, y), (x0 + 5, y)],
                            item.colour.stroke_width(3),
                        ))?;
                    }
                }
                Swatch::Ring => {
                    area.draw(&Circle::new((x + SWATCH_PX / 2, y), 7, item.colour.stroke_width(2)))?;
                }
                Swatch::Cross => {
                    area.draw(&Cross::new((x + SWATCH_PX / 2, y), 6, item.colour.stroke_width(2)))?;
                }
                Swatch::Hollow => {
                    area.draw(&Circle::new((x + SWATCH_PX / 2, y), 5, item.colour.stroke_width(2)))?;
                }
                Swatch::None => {}
            }
            let room = width.saturating_sub((x + SWATCH_PX + 6 + LEGEND_PAD_PX).max(0) as u32);
            area.draw_text(&fit(&item.text, LEGEND_PX, room), &style, (x + SWATCH_PX + 6, y))?;
            x += SWATCH_PX + 6 + text_width(&item.text, LEGEND_PX) as i32 + LEGEND_GAP_PX;
        }
    }
    Ok(())
}

/// A chart's title, centred at the top of `area`.
fn draw_title<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    let style = (FAMILY, TITLE_PX, FontStyle::Bold)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(&fit(title, TITLE_PX, w - 20), &style, (w as i32 / 2, 10))?;
    Ok(())
}

/// Splits a chart into its title band, a plot of `plot_px` and the legend below it, draws the
/// title and the legend, and returns the plot area.
fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    plot_px: u32,
    legend: &[LegendItem],
) -> Result<DrawingArea<DB, Shift>, Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    let (title_area, rest) = root.split_vertically(TITLE_BAND);
    let (plot, legend_area) = rest.split_vertically(plot_px);
    draw_title(&title_area, title)?;
    draw_legend(&legend_area, legend)?;
    Ok(plot)
}

/// Height of the title band.
const TITLE_BAND: u32 = 44;

/// A dollar amount for an axis tick: `$0`, `$950`, `$1.5k`, `$12k`, `$1.2M`.
fn usd_tick(v: f64) -> String {
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    if a >= 1e6 {
        format!("{sign}${}M", trim(a / 1e6))
    } else if a >= 1e3 {
        format!("{sign}${}k", trim(a / 1e3))
    } else if a >= 10.0 || a == 0.0 {
        format!("{sign}${a:.0}")
    } else {
        format!("{sign}${a:.2}")
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// An amount as the tables write it.
fn usd_label(m: Money) -> String {
    usd(m)
}

/// The upper end of a value axis: a little above `max`, never zero.
fn axis_top(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max * 1.08
    } else {
        1.0
    }
}

/// The house style of every chart's mesh: tick and axis-description fonts, light grid lines.
fn house_mesh<'m, 'a, 'b, X, Y, DB>(mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    DB: DrawingBackend,
{
    mesh.label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_PX))
        .bold_line_style(LIGHT_GREY)
        .light_line_style(WHITE)
}

/// The message a cost chart shows in its plot area when no option can run.
fn draw_no_cost<DB: DrawingBackend>(plot: &DrawingArea<DB, Shift>, plot_px: u32) -> Drawn
where
    DB::ErrorType: 'static,
{
    let style = font(AXIS_PX).pos(Pos::new(HPos::Center, VPos::Center));
    plot.draw_text(
        "No option can run this workload: no cost to draw",
        &style,
        (WIDTH as i32 / 2, plot_px as i32 / 2),
    )?;
    Ok(())
}

/// A message centred in `area` (`height` pixels tall) in place of a chart with nothing to draw.
fn draw_message<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, height: u32) -> Drawn
where
    DB::ErrorType: 'static,
{
    let style = font(AXIS_PX).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(text, &style, (WIDTH as i32 / 2, height as i32 / 2))?;
    Ok(())
}

/// A count for an axis tick: `0`, `950`, `1.5k`, `12k`, `1.2M`.
fn count_tick(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else if a >= 10.0 || a == 0.0 || (a - a.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The colour of the report's option `id` (grey when the report has no such option).
fn colour_of_option(r: &Report, id: &str) -> RGBColor {
    r.options
        .iter()
        .position(|o| o.id == id)
        .map(option_colour)
        .unwrap_or(GREY)
}

/// One option's cost line: solid (thicker for the winner) when it meets the SLO, else dashed.
fn draw_option_line<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    points: Vec<(f64, f64)>,
    colour: RGBColor,
    solid_width: Option<u32>,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    match solid_width {
        Some(w) => chart.draw_series(LineSeries::new(points, colour.stroke_width(w)))?,
        None => chart.draw_series(DashedLineSeries::new(points, 8, 5, colour.stroke_width(2)))?,
    };
    Ok(())
}

/// The amounts at the right end of the option lines (`ys`: each line's end in pixels, `at_x`:
/// the plot's right edge), pushed apart within `y_px` so none overlap, in each option's colour.
fn draw_end_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: &[(usize, String)],
    ys: &[i32],
    at_x: i32,
    y_px: std::ops::Range<i32>,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let placed = spread(ys, TICK_PX as i32 + 4, y_px.start, y_px.end);
    for ((i, text), y) in labels.iter().zip(placed) {
        let style = coloured(TICK_PX, option_colour(*i)).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw_text(text, &style, (at_x + 8, y))?;
    }
    Ok(())
}

/// Pushes label positions (pixels, top to bottom after sorting) apart to at least `gap`,
/// keeping their order; returns the adjusted positions in the input order.
fn spread(ys: &[i32], gap: i32, top: i32, bottom: i32) -> Vec<i32> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by_key(|&i| (ys[i], i));
    let mut placed = vec![0; ys.len()];
    let mut prev: Option<i32> = None;
    for &i in &order {
        let y = match prev {
            Some(p) if ys[i] < p + gap => p + gap,
            _ => ys[i].max(top),
        };
        placed[i] = y;
        prev = Some(y);
    }
    // If the stack ran past the bottom, shift it back up as a block.
    if let Some(&last) = order.last() {
        let over = placed[last] - bottom;
        if over > 0 {
            for p in placed.iter_mut() {
                *p -= over;
            }
        }
    }
    placed
}

#[cfg(test)]
mod tests;
