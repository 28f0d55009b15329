//! The fit recommendations as every renderer words them: verdict labels, a reason's value
//! and threshold in their unit, the reason that carries a function's verdict, which functions
//! are shown first (the largest bills), and the sentences that lead the report. Renderers
//! escape what these return.

use super::format::{count, percent, quantity, usd};
use super::model::{Favours, FitVerdict, FunctionFit, PairBreakEven, Reason, Recommendations};
use crate::money::Money;

/// Functions listed in report.md and report.html (all are in report.json and functions.csv).
pub const MAX_FUNCTIONS_SHOWN: usize = 40;

/// A verdict in words.
pub fn verdict_label(v: FitVerdict) -> &'static str {
    match v {
        FitVerdict::Serverless => "serverless",
        FitVerdict::ServerlessProvisioned => "serverless + provisioned concurrency",
        FitVerdict::Servers => "servers / containers",
        FitVerdict::Hybrid => "hybrid",
        FitVerdict::NoneViable => "no viable option",
    }
}

/// Which side a reason speaks for, in words.
pub fn favours_label(f: Favours) -> &'static str {
    match f {
        Favours::Serverless => "for serverless",
        Favours::Servers => "for servers",
        Favours::Neither => "neutral",
    }
}

/// A long id (Azure's 64-hex hashes) cut to its first 12 characters and `…`.
pub fn short_name(name: &str) -> String {
    if name.chars().count() > 24 {
        let head: String = name.chars().take(12).collect();
        format!("{head}…")
    } else {
        name.to_string()
    }
}

/// A value or threshold of a reason in its unit.
pub fn reason_value(r: &Reason, v: f64) -> String {
    match r.unit.as_str() {
        "share of minutes" | "share of capacity" | "share of requests" => percent(Some(v)),
        "ms" | "MB" | "bytes" | "requests" | "invocations" => format!("{} {}", quantity(Some(v)), r.unit),
        "yes (1) or no (0)" => if v >= 1.0 { "yes" } else { "no" }.to_string(),
        _ => format!("{}×", quantity(Some(v))),
    }
}

/// The reason that carries a function's verdict: the first one favouring its side (the first
/// reason for a hybrid or when none does).
pub fn key_reason(f: &FunctionFit) -> Option<&Reason> {
    let side = match f.choice.verdict {
        FitVerdict::Serverless | FitVerdict::ServerlessProvisioned => Some(Favours::Serverless),
        FitVerdict::Servers | FitVerdict::NoneViable => Some(Favours::Servers),
        FitVerdict::Hybrid => None,
    };
    side.and_then(|s| f.reasons.iter().find(|r| r.favours == s))
        .or_else(|| f.reasons.first())
}

/// The functions to list: largest first-month bill first, then most invocations, then the
/// trace's order; at most `MAX_FUNCTIONS_SHOWN`.
pub fn shown_functions(rec: &Recommendations) -> Vec<&FunctionFit> {
    let mut v: Vec<(usize, &FunctionFit)> = rec.functions.iter().enumerate().collect();
    v.sort_by(|(i, a), (j, b)| {
        b.choice
            .monthly_cost_usd
            .cmp(&a.choice.monthly_cost_usd)
            .then(b.invocations.cmp(&a.invocations))
            .then(i.cmp(j))
    });
    v.into_iter().take(MAX_FUNCTIONS_SHOWN).map(|(_, f)| f).collect()
}

/// How many functions fit each architecture: `199 serverless, 1 servers / containers`.
pub fn mix_sentence(rec: &Recommendations) -> String {
    let order = [
        FitVerdict::Serverless,
        FitVerdict::ServerlessProvisioned,
        FitVerdict::Servers,
        FitVerdict::Hybrid,
        FitVerdict::NoneViable,
    ];
    let parts: Vec<String> = order
        .iter()
        .filter_map(|v| {
            rec.overall
                .functions_by_verdict
                .get(v.name())
                .map(|n| format!("{} {}", count(*n), verdict_label(*v)))
        })
        .collect();
    if parts.is_empty() {
        "no functions".to_string()
    } else {
        parts.join(", ")
    }
}

/// The whole workload's recommendation in one sentence (unescaped).
pub fn overall_sentence(rec: &Recommendations, horizon_months: u32) -> String {
    let c = &rec.overall.choice;
    let Some(option) = &c.option else {
        return "Whole workload: no option of the scenario runs it within every platform limit and the SLO.".into();
    };
    let saving = match (&c.runner_up, c.monthly_saving_usd, c.horizon_saving_usd) {
        (Some(next), Some(m), Some(h)) if m < Money::default() => format!(
            " It costs {} a month more than {next} today, but {} less over {horizon_months} months.",
            usd(Money::default().checked_sub(m, "saving").unwrap_or(m)),
            usd(h)
        ),
        (Some(next), Some(m), Some(h)) => format!(
            " It costs {} a month less than {next} ({} over {horizon_months} months).",
            usd(m),
            usd(h)
        ),
        _ => " It is the only viable option.".to_string(),
    };
    format!(
        "Whole workload: {} on {option}.{saving} Confidence: {}.",
        verdict_label(c.verdict),
        c.confidence.name()
    )
}

/// One pair's break-even in a sentence (unescaped).
pub fn break_even_sentence(b: &PairBreakEven) -> String {
    match (b.requests_per_month, b.traffic_multiple) {
        (Some(n), Some(x)) => {
            let mut s = format!(
                "{} costs less than {} from {} requests a month ({}× today's {})",
                b.provisioned,
                b.serverless,
                count(n),
                quantity(Some(x)),
                count(b.requests_per_month_today)
            );
            if let (Some(k), Some(server), Some(serverless)) =
                (b.instances, b.server_monthly_usd, b.serverless_monthly_usd)
            {
                s.push_str(&format!(
                    ", on {k} instance(s): {} against {} a month",
                    usd(server),
                    usd(serverless)
                ));
            }
            s
        }
        _ => format!(
            "{} does not cost less than {}{}",
            b.provisioned,
            b.serverless,
            b.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(unit: &str, favours: Favours) -> Reason {
        Reason {
            feature: "f".into(),
            value: 0.25,
            threshold: 0.5,
            unit: unit.into(),
            favours,
            explanation: "x".into(),
        }
    }

    #[test]
    fn values_print_in_their_unit() {
        assert_eq!(
            reason_value(&reason("share of minutes", Favours::Neither), 0.25),
            "25.0%"
        );
        assert_eq!(
            reason_value(&reason("ms", Favours::Neither), 1_330_129.2),
            "1,330,129 ms"
        );
        assert_eq!(reason_value(&reason("ratio", Favours::Neither), 5.25), "5.25×");
    }

    /// A winner that costs more in the first month than the runner-up but less over the
    /// horizon (growth) says both, never "$-1.00 less".
    #[test]
    fn a_winner_dearer_today_says_so() {
        let mut rec = crate::report::model::sample_report().recommendations.unwrap();
        rec.overall.choice.runner_up = Some("ec2".into());
        rec.overall.choice.monthly_saving_usd = Some(Money::from_micro(-1_000_000));
        rec.overall.choice.horizon_saving_usd = Some(Money::from_micro(30_000_000));
        assert_eq!(
            overall_sentence(&rec, 36),
            "Whole workload: serverless on lambda. It costs $1.00 a month more than ec2 today, but $30.00 less over \
             36 months. Confidence: high."
        );
    }

    #[test]
    fn long_hashes_are_cut_and_short_names_kept() {
        assert_eq!(short_name(&"a".repeat(64)), format!("{}…", "a".repeat(12)));
        assert_eq!(short_name("checkout"), "checkout");
    }
}
