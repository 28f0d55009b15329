//! CSV rendering of a `Report` for spreadsheets: `options.csv`, one row per option. Written
//! with the `csv` crate (quoting), and every text cell a spreadsheet would execute — one that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return — is neutralised with a leading
//! `'` (OWASP CSV injection); numbers we write ourselves are left as numbers. Money is the exact
//! decimal string of report.json. `functions.csv` has one row per function with its fit: the
//! verdict, the option, its cost and saving, the trace features and every reason.

use super::model::{FunctionFit, OptionReport, Report};

/// A text cell safe to open in a spreadsheet.
pub fn text_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn num<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The header of options.csv.
pub const OPTIONS_HEADER: [&str; 34] = [
    "id",
    "kind",
    "platform",
    "description",
    "feasible",
    "complete",
    "verified",
    "meets_slo",
    "viable",
    "cheapest",
    "monthly_cost_usd",
    "horizon_months",
    "horizon_cost_usd",
    "requests",
    "cold_start_rate",
    "added_latency_p50_ms",
    "added_latency_p95_ms",
    "added_latency_p99_ms",
    "end_to_end_p99_ms",
    "peak_concurrency",
    "throttles",
    "fleet_instance_type",
    "fleet_peak",
    "fleet_mean",
    "fleet_committed",
    "utilization_mean",
    "slo_violation_minutes",
    "limits",
    "monthly_cost_p10_usd",
    "monthly_cost_p50_usd",
    "monthly_cost_p90_usd",
    "horizon_cost_p10_usd",
    "horizon_cost_p50_usd",
    "horizon_cost_p90_usd",
];

fn row(r: &Report, o: &OptionReport) -> Vec<String> {
    let i = o.instances.as_ref();
    let limits: Vec<String> = o.limits.iter().map(|l| l.sentence()).collect();
    let range = r.ranges.as_ref().and_then(|g| g.options.iter().find(|g| g.id == o.id));
    let monthly = range.and_then(|g| g.monthly_usd);
    let horizon = range.and_then(|g| g.horizon_usd);
    vec![
        text_cell(&o.id),
        o.kind.name().to_string(),
        text_cell(&o.platform),
        text_cell(&o.description),
        o.feasible.to_string(),
        o.complete.to_string(),
        o.verified.to_string(),
        o.meets_slo.to_string(),
        o.viable.to_string(),
        (r.verdict.cheapest_option.as_deref() == Some(o.id.as_str())).to_string(),
        num(o.monthly_cost_usd),
        r.verdict.horizon_months.to_string(),
        num(o.horizon_cost_usd),
        num(o.requests),
        num(o.cold_start_rate),
        num(o.added_latency_ms.map(|l| l.p50)),
        num(o.added_latency_ms.map(|l| l.p95)),
        num(o.added_latency_ms.map(|l| l.p99)),
        num(o.latency_ms.map(|l| l.p99)),
        num(o.peak_concurrency),
        num(o.throttles),
        i.map(|i| text_cell(&i.instance_type)).unwrap_or_default(),
        num(i.map(|i| i.peak)),
        num(i.map(|i| i.mean)),
        num(i.map(|i| i.committed)),
        num(o.utilization.map(|u| u.mean)),
        num(o.slo_violation_minutes),
        text_cell(&limits.join("; ")),
        num(monthly.map(|p| p.p10)),
        num(monthly.map(|p| p.p50)),
        num(monthly.map(|p| p.p90)),
        num(horizon.map(|p| p.p10)),
        num(horizon.map(|p| p.p50)),
        num(horizon.map(|p| p.p90)),
    ]
}

/// options.csv: a header and one row per option, in the report's order.
pub fn options(r: &Report) -> String {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(OPTIONS_HEADER).expect("writing to memory");
    for o in &r.options {
        w.write_record(row(r, o)).expect("writing to memory");
    }
    let bytes = w.into_inner().expect("writing to memory");
    String::from_utf8(bytes).expect("every cell is UTF-8")
}

/// The header of functions.csv.
pub const FUNCTIONS_HEADER: [&str; 19] = [
    "function",
    "app",
    "trigger",
    "invocations",
    "verdict",
    "option",
    "platform",
    "configuration",
    "runner_up",
    "monthly_cost_usd",
    "monthly_saving_usd",
    "horizon_saving_usd",
    "confidence",
    "duty_cycle",
    "peak_to_mean",
    "inter_arrival_cv",
    "cold_start_share",
    "cost_ratio",
    "reasons",
];

fn function_row(f: &FunctionFit) -> Vec<String> {
    let c = &f.choice;
    let feature = |name: &str| num(f.reasons.iter().find(|r| r.feature == name).map(|r| r.value));
    let reasons: Vec<String> = f.reasons.iter().map(|r| r.explanation.clone()).collect();
    vec![
        text_cell(&f.function),
        text_cell(&f.app),
        text_cell(&f.trigger),
        f.invocations.to_string(),
        c.verdict.name().to_string(),
        text_cell(c.option.as_deref().unwrap_or_default()),
        text_cell(c.platform.as_deref().unwrap_or_default()),
        text_cell(c.configuration.as_deref().unwrap_or_default()),
        text_cell(c.runner_up.as_deref().unwrap_or_default()),
        num(c.monthly_cost_usd),
        num(c.monthly_saving_usd),
        num(c.horizon_saving_usd),
        c.confidence.name().to_string(),
        feature("duty_cycle"),
        feature("peak_to_mean"),
        feature("inter_arrival_cv"),
        feature("cold_start_share"),
        feature("cost_ratio"),
        text_cell(&reasons.join("; ")),
    ]
}

/// functions.csv: a header and one row per function, in the trace's order (a header only when
/// the report has no recommendations).
pub fn functions(r: &Report) -> String {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(FUNCTIONS_HEADER).expect("writing to memory");
    for f in r.recommendations.iter().flat_map(|rec| &rec.functions) {
        w.write_record(function_row(f)).expect("writing to memory");
    }
    let bytes = w.into_inner().expect("writing to memory");
    String::from_utf8(bytes).expect("every cell is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    #[test]
    fn one_row_per_option_with_exact_money() {
        let csv = options(&crate::report::model::sample_report());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(lines[0].starts_with("id,kind,platform,description,feasible,"));
        assert_eq!(lines[0].split(',').count(), OPTIONS_HEADER.len());
        // The Monte Carlo percentiles of the sample's ranges close the row.
        assert!(
            lines[1].ends_with(",9.900000,10.000000,10.300000,118.800000,120.000000,123.600000"),
            "{csv}"
        );
        assert!(
            lines[1].starts_with(
                "lambda,serverless,aws-lambda,aws-lambda 1024 MB arm64 <b>,true,true,true,true,true,true,12.500000,12,150.000000,1000,0.01,0,0,0,0,3,0,"
            ),
            "{csv}"
        );
    }

    #[test]
    fn spreadsheet_formulas_are_neutralised_but_our_numbers_are_not() {
        let mut r = crate::report::model::sample_report();
        r.options[0].id = "=HYPERLINK(\"http://evil\",\"x\")".into();
        r.options[0].description = "+cmd|' /C calc'!A0".into();
        r.options[0].platform = "@SUM(1+1)".into();
        let mut second = r.options[0].clone();
        second.id = "-2+3".into();
        second.description = "\tTAB".into();
        second.platform = "\rCR".into();
        second.monthly_cost_usd = Some(Money::from_micro(-2_500_000));
        r.options.push(second);
        let text = options(&r);
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<::csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(&rows[0][0], "'=HYPERLINK(\"http://evil\",\"x\")");
        assert_eq!(&rows[0][2], "'@SUM(1+1)");
        assert_eq!(&rows[0][3], "'+cmd|' /C calc'!A0");
        assert_eq!(&rows[1][0], "'-2+3");
        assert_eq!(&rows[1][2], "'\rCR");
        assert_eq!(&rows[1][3], "'\tTAB");
        // A negative amount we computed stays a number.
        assert_eq!(&rows[1][10], "-2.500000");
        for row in &rows {
            for (i, cell) in row.iter().enumerate() {
                if i != 10 {
                    assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
                }
            }
        }
    }
}
