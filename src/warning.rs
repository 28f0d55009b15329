//! Typed warnings: every caveat that can change a decision carries a stable code (for CI gates
//! and scripts), the option it concerns when there is one, and a sentence for people. Codes
//! are part of the report schema: renaming one is a schema change.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a warning is about. The serialized names are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningCode {
    /// A problem in the input traces (skipped rows, missing joins, implausible windows).
    TraceInput,
    /// The trace covers less than a day: monthly and horizon costs rest on a large scale factor.
    ShortWindow,
    /// Costs are extrapolated from a window shorter than a month by a stated factor.
    Extrapolated,
    /// The option breaks a platform limit (timeout, memory, payload): it cannot run this workload.
    LimitExceeded,
    /// The concurrency limit refused requests.
    Throttled,
    /// The fleet sat at its maximum size: demand beyond it queued.
    FleetAtMax,
    /// `static-peak` sizing wanted more instances than `max_instances`.
    StaticPeakCapped,
    /// Offered load exceeded the fleet's capacity (utilization above 100 %).
    Overloaded,
    /// Some cost lines have no price: the total is a lower bound.
    Unpriced,
    /// Prices not read from a vendor source.
    UnverifiedPrices,
    /// No option meets the SLO and every platform limit.
    NoViableOption,
}

impl WarningCode {
    /// The stable name, as serialized.
    pub fn name(self) -> &'static str {
        match self {
            WarningCode::TraceInput => "trace-input",
            WarningCode::ShortWindow => "short-window",
            WarningCode::Extrapolated => "extrapolated",
            WarningCode::LimitExceeded => "limit-exceeded",
            WarningCode::Throttled => "throttled",
            WarningCode::FleetAtMax => "fleet-at-max",
            WarningCode::StaticPeakCapped => "static-peak-capped",
            WarningCode::Overloaded => "overloaded",
            WarningCode::Unpriced => "unpriced",
            WarningCode::UnverifiedPrices => "unverified-prices",
            WarningCode::NoViableOption => "no-viable-option",
        }
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// Stable code.
    pub code: WarningCode,
    /// The option it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// What happened and what it means, in one or two sentences.
    pub message: String,
}

impl Warning {
    /// A warning about the whole run.
    pub fn run(code: WarningCode, message: impl Into<String>) -> Self {
        Warning {
            code,
            option: None,
            message: message.into(),
        }
    }

    /// A warning about one option.
    pub fn option(code: WarningCode, option: &str, message: impl Into<String>) -> Self {
        Warning {
            code,
            option: Some(option.to_string()),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    /// `[code] option 'x': message`, as printed on stderr.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.option {
            Some(o) => write!(f, "[{}] option '{o}': {}", self.code, self.message),
            None => write!(f, "[{}] {}", self.code, self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_to_their_stable_names() {
        for code in [
            WarningCode::TraceInput,
            WarningCode::ShortWindow,
            WarningCode::Extrapolated,
            WarningCode::LimitExceeded,
            WarningCode::Throttled,
            WarningCode::FleetAtMax,
            WarningCode::StaticPeakCapped,
            WarningCode::Overloaded,
            WarningCode::Unpriced,
            WarningCode::UnverifiedPrices,
            WarningCode::NoViableOption,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.name()));
            assert_eq!(serde_json::from_str::<WarningCode>(&json).unwrap(), code);
        }
        let w = Warning::option(WarningCode::Throttled, "lambda", "10% throttled");
        assert_eq!(w.to_string(), "[throttled] option 'lambda': 10% throttled");
    }
}
