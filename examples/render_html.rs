//! Renders a report.json to a self-contained report.html, and each chart as SVG and PNG, without
//! re-simulating: `cargo run --example render_html -- reports/report.json target/html [report.html]`.
//! Used by `scripts/check-html.sh` to look at the page and the charts.

use std::path::PathBuf;

use anyhow::Context;
use faascost::report::chart::{self, ChartKind};
use faascost::report::html;
use faascost::report::model::Report;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(input), Some(dir)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: render_html <report.json> <output dir> [html file name]");
    };
    let name = args.next().unwrap_or_else(|| PathBuf::from("report.html"));
    let report = Report::load(&input)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let page = dir.join(name);
    std::fs::write(&page, html::render(&report)).with_context(|| format!("{}: cannot write", page.display()))?;
    println!("{}", page.display());
    for kind in ChartKind::ALL {
        for (ext, bytes) in [
            ("svg", chart::svg(&report, kind).into_bytes()),
            ("png", chart::png(&report, kind)),
        ] {
            let path = dir.join(format!("{}.{ext}", kind.stem()));
            std::fs::write(&path, bytes).with_context(|| format!("{}: cannot write", path.display()))?;
            println!("{}", path.display());
        }
    }
    Ok(())
}
