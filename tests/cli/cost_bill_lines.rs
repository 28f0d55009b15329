//! `cost`'s bill lines beyond compute (issue 11): the permanent free grants apart from the
//! 12-month new-account offers, internet egress, ALB LCUs from request and response bytes,
//! Cloud Run instance-based billing and provisioned-concurrency windows. Figures by hand in
//! each test's comment.

use super::common::json;

fn bill(args: &[&str]) -> serde_json::Value {
    json(&[&["cost", "--platform"][..], args, &["--json"]].concat())
}

fn cents(v: &serde_json::Value) -> i64 {
    v["monthly_cost_cents"].as_i64().unwrap()
}

#[test]
fn the_api_gateway_grant_is_a_new_account_offer_off_by_default() {
    // 3M requests of 100 ms at 128 MB on Lambda with a REST API:
    // Lambda requests 3 × $0.20 = $0.60; duration 3e6 × 0.1 s × 0.125 GB = 37,500 GB-s ×
    // $0.0000166667 = $0.62500125; REST 3 × $3.50 = $10.50. Total $11.72500125 → 1,173 cents.
    let base = ["aws-lambda", "--requests", "3000000", "--front-door", "rest-api"];
    assert_eq!(cents(&bill(&base)), 1173);
    // --free-tier (permanent grants): Lambda's 1M requests and 400,000 GB-s are free → requests
    // 2 × $0.20 = $0.40, duration $0; the REST API still 3M → $10.50. Total $10.90.
    let v = bill(&[&base[..], &["--free-tier"]].concat());
    assert_eq!(cents(&v), 1090);
    let said = v["assumptions"].as_array().unwrap();
    assert!(said.iter().any(|a| a
        .as_str()
        .unwrap()
        .starts_with("12-month new-account offers not applied")));
    // --new-account-offers too: REST 2M × $3.50 = $7.00 → $7.40.
    assert_eq!(
        cents(&bill(&[&base[..], &["--free-tier", "--new-account-offers"]].concat())),
        740
    );
}
