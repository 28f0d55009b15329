//! Report renderers: pure functions from computed results to text. Terminal tables live in
//! `table` (comfy-table's only home); number formatting in `format`.

pub mod format;
pub mod markdown;
pub mod model;
pub mod table;
pub mod write;
