//! Ops labour, the one cost line the evaluation adds itself: hours per server per month ×
//! the loaded hourly rate, both user inputs from the scenario's `[ops]` table.

use crate::cost::CostLine;
use crate::units::Usd;

/// Ops labour for `servers` servers on average: hours per server per month × loaded rate.
pub fn ops_line(servers: f64, hours_per_server_per_month: f64, rate_usd_per_hour: f64) -> CostLine {
    let hours = servers * hours_per_server_per_month;
    CostLine {
        offering: "ops".into(),
        name: "Ops labour".into(),
        unit: "hours".into(),
        quantity: hours,
        unit_price_usd: Some(rate_usd_per_hour),
        cost: Usd::from_f64(hours * rate_usd_per_hour),
        verified: true,
        source: "scenario [ops] (user input)".into(),
        note: Some(format!(
            "{servers:.2} servers × {hours_per_server_per_month} h per server per month × ${rate_usd_per_hour}/h"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_labour_arithmetic() {
        // 2.5 servers × 4 h × $80/h = $800.
        let l = ops_line(2.5, 4.0, 80.0);
        assert_eq!(l.quantity, 10.0);
        assert_eq!(l.cost.unwrap().cents(), 80_000);
    }
}
