//! Report stage: the versioned `Report` (`model`, built from a run by `build`) and pure
//! renderers that read only a `&Report`: terminal tables (`table`, comfy-table's only home)
//! and Markdown (`markdown`); number formatting lives in `format`, CI gates in `gate`, safe
//! file writing in `write`.

pub mod build;
pub mod format;
pub mod gate;
pub mod markdown;
pub mod model;
pub mod table;
pub mod write;
