//! Snapshot tests (insta): every renderer on one fixed `Report` (`model::sample_report`), so a
//! change in any output is seen and reviewed in the diff of `src/report/snapshots/`.

use super::model::sample_report;
use super::render::Format;
use super::table::Width;

#[test]
fn every_renderer_on_the_fixed_report() {
    let r = sample_report();
    for format in [Format::Json, Format::Md, Format::Csv, Format::Html] {
        insta::assert_snapshot!(
            format!("sample_{}", format.name()),
            format.render(&r, false, Width::Unlimited)
        );
    }
    insta::assert_snapshot!("sample_table_80", Format::Table.render(&r, false, Width::Columns(80)));
    insta::assert_snapshot!("sample_table_wide", Format::Table.render(&r, true, Width::Unlimited));
}
