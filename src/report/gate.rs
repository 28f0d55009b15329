//! CI gates on a finished report: each gate the user set is a rule over the `Report`; a gate
//! that fails makes the command exit 1 (after the reports are written), with one line per
//! failure on stderr. The first gate is `--fail-on-warning`; cost thresholds build on this.

use super::model::Report;

/// A rule the user asked the run to pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// Fail when the report carries any warning.
    NoWarnings,
}

/// Why a gate failed, one line each.
pub fn failures(report: &Report, gates: &[Gate]) -> Vec<String> {
    let mut out = Vec::new();
    for gate in gates {
        match gate {
            Gate::NoWarnings => {
                if !report.warnings.is_empty() {
                    let codes: std::collections::BTreeSet<&str> =
                        report.warnings.iter().map(|w| w.code.name()).collect();
                    out.push(format!(
                        "--fail-on-warning: the report has {} warning(s) ({})",
                        report.warnings.len(),
                        codes.into_iter().collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_warning_fails_only_with_warnings() {
        let mut r = crate::report::model::sample_report();
        let f = failures(&r, &[Gate::NoWarnings]);
        assert_eq!(
            f,
            vec!["--fail-on-warning: the report has 1 warning(s) (trace-input)".to_string()]
        );
        assert!(failures(&r, &[]).is_empty());
        r.warnings.clear();
        assert!(failures(&r, &[Gate::NoWarnings]).is_empty());
    }
}
