//! Report stage: the versioned `Report` (`model`, built from a run by `build`) and pure
//! renderers that read only a `&Report`: terminal tables (`table`, comfy-table's only home),
//! Markdown (`markdown`), a self-contained HTML page (`html`) and its charts (`chart`,
//! plotters' only home); number formatting lives in `format`, CI gates in `gate`, safe
//! file writing in `write`.

pub mod build;
pub mod chart;
pub mod format;
pub mod gate;
pub mod html;
pub mod markdown;
pub mod model;
pub mod table;
pub mod write;
