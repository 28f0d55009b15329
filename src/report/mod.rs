//! Report stage: the versioned `Report` (`model`, built from a run by `build`) and pure
//! renderers that read only a `&Report`: terminal tables (`table`, comfy-table's only home),
//! Markdown (`markdown`), CSV (`csv`), a self-contained HTML page (`html`) and its charts
//! (`chart`, plotters' only home), dispatched by format in `render`; the comparison of two
//! reports in `diff`; the behaviour series the charts plot, chosen and bounded, in `series`; the ranges' table rows in `ranges_rows`, number formatting in `format`, the terminal sanitizer in `sanitize`, CI
//! gates in `gate`, safe writing of a run's set of files in `write`.

pub mod build;
pub mod chart;
pub mod csv;
pub mod diff;
pub mod fit_table;
pub mod format;
pub mod gate;
pub mod html;
pub mod markdown;
pub mod model;
pub mod ranges_rows;
pub mod recommend;
pub mod render;
pub mod sanitize;
pub mod series;
#[cfg(test)]
mod snapshot_tests;
pub mod table;
pub mod write;
