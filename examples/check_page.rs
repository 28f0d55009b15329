//! Checks what headless Chromium made of report.html (`scripts/check-html.sh`): the screenshot
//! is a PNG that is not one colour and shows the charts (at least `MIN_PIXELS` pixels drawn
//! exactly in the charts' option colours, which text and page chrome never use), and the net
//! log holds no request the page made (Blink's subresource and frame-navigation loads; the
//! browser's own update and sign-in requests carry other traffic annotations). Prints what it
//! saw and exits 1 naming each failed check. With `--whole-page` the page must also end above
//! the screenshot's last row (else its lower part went unchecked):
//! `cargo run --example check_page -- [--whole-page] screenshot.png [net-log.json]`.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::Context;
use faascost::report::chart::option_rgb;

/// Pixels in option colours a page with its charts drawn shows at least (one chart line alone
/// is thousands).
const MIN_PIXELS: usize = 500;

/// Chromium's traffic annotations of loads a page starts: `blink_resource_loader` (images,
/// style sheets, fonts, fetches) and `navigation_url_loader` (frames).
const PAGE_ANNOTATIONS: [u64; 2] = [101_845_102, 63_171_670];

/// Schemes that never leave the machine.
const LOCAL_SCHEMES: [&str; 6] = ["file:", "data:", "about:", "blob:", "chrome:", "chrome-extension:"];

/// The screenshot's problems, after printing what it shows. The page's background is the
/// colour of the bottom-right pixel; content in the last row means the page ran past the
/// window, so part of it went unchecked.
fn check_screenshot(path: &str, whole_page: bool) -> anyhow::Result<Vec<String>> {
    let img = image::open(path)
        .with_context(|| format!("{path}: not a readable PNG"))?
        .to_rgb8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let palette = option_rgb();
    let background: [u8; 3] = raw[raw.len().saturating_sub(3)..].try_into().unwrap_or([255; 3]);
    let (mut charted, mut last_row, mut uniform) = (0usize, None, true);
    for (i, px) in raw.chunks_exact(3).enumerate() {
        if px != background {
            uniform = false;
            last_row = Some(i / w.max(1));
        }
        if palette.iter().any(|c| c == px) {
            charted += 1;
        }
    }
    println!(
        "{path}: {w} × {h} px, content down to row {}, {charted} pixels in the charts' option colours",
        last_row.map_or("none".to_string(), |r| r.to_string())
    );
    let mut problems = Vec::new();
    if uniform {
        problems.push("the screenshot is one colour: nothing rendered".to_string());
    }
    if whole_page && last_row.is_some_and(|r| r + 1 >= h) {
        problems.push(format!(
            "the page runs past the {h}-pixel window: the part below went unchecked (take a taller screenshot)"
        ));
    }
    if charted < MIN_PIXELS {
        problems.push(format!(
            "fewer than {MIN_PIXELS} pixels in the charts' colours: the charts did not render"
        ));
    }
    Ok(problems)
}

/// The URLs of network requests the page made, from a Chromium net log (`--log-net-log`).
fn page_requests(path: &str) -> anyhow::Result<BTreeSet<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{path}: cannot read the net log"))?;
    let log: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{path}: not a net log"))?;
    let alive = log["constants"]["logEventTypes"]["REQUEST_ALIVE"]
        .as_u64()
        .with_context(|| format!("{path}: no REQUEST_ALIVE event type in the net log's constants"))?;
    let events = log["events"]
        .as_array()
        .with_context(|| format!("{path}: no events in the net log"))?;
    Ok(events
        .iter()
        .filter(|e| e["type"].as_u64() == Some(alive))
        .filter(|e| {
            e["params"]["traffic_annotation"]
                .as_u64()
                .is_some_and(|a| PAGE_ANNOTATIONS.contains(&a))
        })
        .filter_map(|e| e["params"]["url"].as_str())
        .filter(|url| !LOCAL_SCHEMES.iter().any(|s| url.starts_with(s)))
        .map(str::to_string)
        .collect())
}

fn main() -> anyhow::Result<ExitCode> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let whole_page = args.first().is_some_and(|a| a == "--whole-page");
    if whole_page {
        args.remove(0);
    }
    let mut args = args.into_iter();
    let Some(shot) = args.next() else {
        anyhow::bail!("usage: check_page [--whole-page] <screenshot.png> [net-log.json]");
    };
    let mut problems = check_screenshot(&shot, whole_page)?;
    if let Some(net_log) = args.next() {
        let requests = page_requests(&net_log)?;
        println!("{net_log}: {} network request(s) by the page", requests.len());
        for url in &requests {
            problems.push(format!("the page made a network request: {url}"));
        }
    }
    for p in &problems {
        eprintln!("check_page: {p}");
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
