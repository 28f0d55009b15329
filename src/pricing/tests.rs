//! Price-table validation: the built-in tables load, and each kind of broken table (unknown
//! key, negative price, tiers out of order, missing source, bad date …) is reported with
//! its file, line and key.

use super::*;

const GOOD: &str = r#"schema_version = 1
id = "demo"
name = "Demo"
provider = "aws"
model = "aws-lambda"
currency = "USD"
effective_date = "2026-11-22"
regions = ["us-east-1"]

[prices.requests]
unit = "requests"
per = 1000000
usd = 0.20
source = "https://example.com/pricing"
verified = true

[prices.duration-x86]
unit = "GB-s"
tiers = [
  { up_to = 6000000000, usd = 0.0000166667 },
  { usd = 0.000015 },
]
source = "https://example.com/pricing"
verified = false
"#;

fn errors(text: &str) -> Vec<PricingError> {
    table::parse_table("t.toml", text).unwrap_err()
}

fn invalid(e: &PricingError) -> (usize, &str) {
    match e {
        PricingError::Invalid { line, key, .. } => (*line, key.as_str()),
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn built_in_tables_are_valid_and_complete() {
    let c = Catalog::embedded().unwrap();
    assert_eq!(c.tables.len(), EMBEDDED.len());
    let lambda = c.get("aws-lambda").unwrap();
    assert_eq!(lambda.model, Model::AwsLambda);
    assert_eq!(lambda.prices["duration-x86"].tiers.len(), 3);
    assert_eq!(lambda.rules.provisioned_grain_ms, 300_000);
    assert_eq!(lambda.rules.init_cap_ms, 10_000);
    for t in c.tables.values() {
        assert!(t.prices.values().all(|p| !p.source.is_empty()), "{}", t.id);
        assert!(t.instances.values().all(|i| !i.source.is_empty()), "{}", t.id);
    }
    // Unverified figures stay marked: Lambda PC x86 is pricing-facts X.
    assert!(!lambda.prices["provisioned-concurrency-x86"].verified);
    assert!(c.get("nope").unwrap_err().contains("aws-lambda"));
}

#[test]
fn behaviour_is_exposed_without_prices() {
    let c = Catalog::embedded().unwrap();
    let b = c.get("aws-lambda").unwrap().behaviour.as_ref().unwrap();
    assert_eq!(
        b.cpu,
        Some(CpuScaling {
            mb_per_vcpu: 1769,
            max_vcpu: 6.0
        })
    );
    assert_eq!(b.timeout_ms, Some(900_000));
    assert_eq!(b.account_concurrency_limit, Some(1000));
    assert_eq!(
        b.memory,
        MemoryOptions::Range {
            min_mb: 128,
            max_mb: 10_240,
            step_mb: 1
        }
    );
    assert!(!b.cold_start["java"].verified);
    assert!(b.sources["cpu"].verified && !b.sources["default_keep_alive_ms"].verified);
    assert!(c.get("aws-ec2").unwrap().behaviour.is_none());
    // Every serverless platform's table states its facts, with one runtime naming.
    for p in crate::platform::ServerlessPlatform::ALL {
        let b = c
            .get(p.id())
            .unwrap()
            .behaviour
            .as_ref()
            .unwrap_or_else(|| panic!("{p} has no [behaviour]"));
        assert!(b.memory.allows(b.default_memory_mb), "{p}");
        assert!(
            b.cold_start.keys().all(|r| behaviour::RUNTIMES.contains(&r.as_str())),
            "{p}"
        );
    }
}

#[test]
fn good_table_parses() {
    let t = table::parse_table("t.toml", GOOD).unwrap();
    assert_eq!(t.prices["requests"].per, 1_000_000);
    assert_eq!(t.prices["duration-x86"].tiers[0].up_to, Some(6_000_000_000));
    assert_eq!(t.prices["duration-x86"].tiers[0].usd.pico(), 16_666_700);
    assert!(!t.fully_verified());
}

#[test]
fn unknown_key_names_line_and_key() {
    let text = GOOD.replace("unit = \"GB-s\"", "unit = \"GB-s\"\ncolour = \"red\"");
    let e = errors(&text);
    match &e[0] {
        PricingError::Toml { line, message, .. } => {
            assert_eq!(*line, 19);
            assert!(message.contains("colour"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e[0].to_string().starts_with("t.toml:19:"));
}

#[test]
fn negative_price_names_line_and_key() {
    let e = errors(&GOOD.replace("usd = 0.20", "usd = -0.20"));
    assert_eq!(invalid(&e[0]), (13, "prices.requests.usd"));
    assert!(e[0].to_string().contains("negative"));
}

#[test]
fn tiers_out_of_order() {
    let text = GOOD.replace(
        "{ usd = 0.000015 }",
        "{ up_to = 5000000000, usd = 0.000015 },\n  { usd = 0.00001 }",
    );
    let e = errors(&text);
    assert_eq!(invalid(&e[0]), (21, "prices.duration-x86.tiers[1].up_to"));
    assert!(e[0].to_string().contains("out of order"));
}

#[test]
fn missing_source_and_verified_flag() {
    let text = GOOD.replace("source = \"https://example.com/pricing\"\nverified = true\n", "");
    let e = errors(&text);
    let keys: Vec<_> = e.iter().map(|x| invalid(x).1.to_string()).collect();
    assert_eq!(keys, vec!["prices.requests.source", "prices.requests.verified"]);
    assert_eq!(invalid(&e[0]).0, 10);
}

#[test]
fn bad_date_currency_model_and_schema() {
    let text = GOOD
        .replace("2026-11-22", "2026-02-30")
        .replace("\"USD\"", "\"EUR\"")
        .replace("model = \"aws-lambda\"", "model = \"heroku\"")
        .replace("schema_version = 1", "schema_version = 7");
    let e = errors(&text);
    let got: Vec<_> = e.iter().map(invalid).collect();
    assert_eq!(
        got,
        vec![
            (1, "schema_version"),
            (5, "model"),
            (6, "currency"),
            (7, "effective_date")
        ]
    );
}

#[test]
fn last_tier_bound_and_both_usd_and_tiers() {
    let text = GOOD.replace("{ usd = 0.000015 }", "{ up_to = 9000000000, usd = 0.000015 }");
    assert_eq!(invalid(&errors(&text)[0]).1, "prices.duration-x86.tiers[1].up_to");
    let text = GOOD.replace("unit = \"GB-s\"", "unit = \"GB-s\"\nusd = 1.0");
    assert_eq!(invalid(&errors(&text)[0]).1, "prices.duration-x86.usd");
}

#[test]
fn free_grant_for_unknown_price() {
    let text = format!("{GOOD}\n[free.nothing]\nquantity = 5\nsource = \"x\"\nverified = true\n");
    let e = errors(&text);
    assert_eq!(invalid(&e[0]).1, "free.nothing");
}

#[test]
fn directory_errors_are_all_reported_and_duplicates_caught() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), GOOD).unwrap();
    std::fs::write(dir.path().join("b.toml"), GOOD).unwrap();
    std::fs::write(dir.path().join("c.toml"), GOOD.replace("usd = 0.20", "usd = -1.0")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let e = Catalog::load_dir(dir.path()).unwrap_err();
    assert_eq!(e.0.len(), 2, "{e}");
    let text = e.to_string();
    assert!(text.contains("b.toml:1: key 'id'"), "{text}");
    assert!(text.contains("c.toml:13: key 'prices.requests.usd'"), "{text}");
    let empty = tempfile::tempdir().unwrap();
    assert!(Catalog::load_dir(empty.path())
        .unwrap_err()
        .to_string()
        .contains("no *.toml"));
}

#[test]
fn shipped_directory_validates() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/pricing");
    let c = Catalog::load_dir(std::path::Path::new(dir)).unwrap();
    assert_eq!(c.tables.len(), EMBEDDED.len());
}

const BEHAVIOUR: &str = r#"
[behaviour]
instance_scope = "function"
per_instance_concurrency_default = 1
per_instance_concurrency_max = 1
memory_min_mb = 128
memory_max_mb = 1024
default_memory_mb = 128
default_keep_alive_ms = 600000
default_runtime = "python"
source = "https://example.com/limits"
verified = true

[behaviour.sources.memory]
source = "https://example.com/memory"
verified = true

[behaviour.cold_start.python]
distribution = "lognormal"
median_ms = 200
sigma = 0.3
source = "https://example.com/cold"
verified = false
"#;

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_with(text: &str, needle: &str) -> usize {
    error::line_of(text, text.find(needle).expect("needle in text"))
}

fn with_behaviour(edit: impl Fn(&str) -> String) -> String {
    format!("{GOOD}{}", edit(BEHAVIOUR))
}

#[test]
fn behaviour_section_parses() {
    let t = table::parse_table("t.toml", &with_behaviour(|b| b.to_string())).unwrap();
    let b = t.behaviour.unwrap();
    assert_eq!(b.instance_scope, InstanceScope::Function);
    assert_eq!(b.account_concurrency_limit, None);
    assert_eq!(b.cpu, None);
    assert_eq!(b.ephemeral_storage_mb, 0);
    assert_eq!(b.memory.configure_mb(129), 129);
    assert_eq!(b.memory.configure_mb(4096), 1024);
    assert_eq!(
        b.cold_start["python"].dist,
        ColdStartDist::Lognormal {
            median_ms: 200.0,
            sigma: 0.3
        }
    );
    assert_eq!(b.sources["memory"].source, "https://example.com/memory");
}

#[test]
fn billing_facts_are_not_behaviour() {
    // Grains, minimums and INIT billing are [rules], applied by the cost engine only.
    let text = with_behaviour(|b| {
        b.replace(
            "verified = true\n\n[behaviour.sources",
            "verified = true\nbills_init = true\n\n[behaviour.sources",
        )
    });
    match &errors(&text)[0] {
        PricingError::Toml { line, message, .. } => {
            assert!(message.contains("bills_init"), "{message}");
            assert!(*line >= line_with(&text, "[behaviour]"), "{line}");
        }
        other => panic!("expected a TOML error, got {other:?}"),
    }
    // A missing fact is named too.
    let text = with_behaviour(|b| b.replace("default_runtime = \"python\"\n", ""));
    assert!(errors(&text)[0].to_string().contains("default_runtime"));
}

#[test]
fn behaviour_values_are_checked_at_their_line() {
    let text = with_behaviour(|b| b.replace("cold_start.python", "cold_start.nodejs"));
    let e = errors(&text);
    let keys: Vec<(usize, &str)> = e.iter().map(invalid).collect();
    assert!(
        keys.contains(&(
            line_with(&text, "[behaviour.cold_start.nodejs]"),
            "behaviour.cold_start.nodejs"
        )),
        "{keys:?}"
    );
    // The default runtime then has no figure either.
    assert!(
        keys.contains(&(line_with(&text, "default_runtime"), "behaviour.default_runtime")),
        "{keys:?}"
    );
    assert!(e[0].to_string().contains("node, go"), "{}", e[0]);

    let text = with_behaviour(|b| b.replace("sigma = 0.3", "sigma = 0.3\nms = 5"));
    let e = errors(&text);
    assert_eq!(invalid(&e[0]).1, "behaviour.cold_start.python.ms", "{e:?}");

    let text = with_behaviour(|b| b.replace("instance_scope = \"function\"", "instance_scope = \"region\""));
    assert_eq!(
        invalid(&errors(&text)[0]),
        (line_with(&text, "instance_scope"), "behaviour.instance_scope")
    );
    // One service for the whole workload is a deployment choice, set per option, not a table's.
    let text = with_behaviour(|b| b.replace("instance_scope = \"function\"", "instance_scope = \"workload\""));
    let e = errors(&text);
    assert_eq!(
        invalid(&e[0]),
        (line_with(&text, "instance_scope"), "behaviour.instance_scope")
    );
    assert!(
        e[0].to_string().contains("a deployment choice") && e[0].to_string().contains("--instance-scope"),
        "{}",
        e[0]
    );

    let text = with_behaviour(|b| {
        b.replace(
            "per_instance_concurrency_default = 1",
            "per_instance_concurrency_default = 8",
        )
    });
    assert_eq!(
        invalid(&errors(&text)[0]),
        (
            line_with(&text, "per_instance_concurrency_default"),
            "behaviour.per_instance_concurrency_default"
        )
    );

    let text = with_behaviour(|b| b.replace("[behaviour.sources.memory]", "[behaviour.sources.grain]"));
    assert_eq!(invalid(&errors(&text)[0]).1, "behaviour.sources.grain");
}

#[test]
fn instance_caps_are_read_and_a_default_past_the_limit_is_refused_at_its_line() {
    let caps = |default: u32, limit: u32| {
        with_behaviour(|b| {
            b.replace(
                "default_runtime = \"python\"\n",
                &format!(
                    "default_runtime = \"python\"\nmax_instances_default = {default}\nmax_instances_limit = {limit}\n"
                ),
            )
        })
    };
    let b = table::parse_table("t.toml", &caps(10, 1_000))
        .unwrap()
        .behaviour
        .unwrap();
    assert_eq!(
        (b.max_instances_default, b.max_instances_limit),
        (Some(10), Some(1_000))
    );
    let text = caps(26, 25);
    let e = errors(&text);
    assert_eq!(
        invalid(&e[0]),
        (
            line_with(&text, "max_instances_default"),
            "behaviour.max_instances_default"
        )
    );
    assert!(e[0].to_string().contains("26 is outside 1 to 25"), "{}", e[0]);
    let text = caps(0, 25);
    assert!(errors(&text)[0].to_string().contains("0 is outside 1 to 25"));
    // The shipped tables: App Runner's MaxSize, Container Apps' maxReplicas; Lambda has none.
    let catalog = crate::pricing::Catalog::embedded().unwrap();
    let facts = |id: &str| {
        let b = catalog.tables[id].behaviour.as_ref().unwrap();
        (b.max_instances_default, b.max_instances_limit)
    };
    assert_eq!(facts("aws-app-runner"), (Some(25), Some(25)));
    assert_eq!(facts("azure-container-apps"), (Some(10), Some(1_000)));
    assert_eq!(facts("aws-lambda"), (None, None));
}

#[test]
fn cold_start_memory_and_cpu_facts_are_checked_at_their_line() {
    // A memory-scaled init needs CPU ∝ memory.
    let section =
        "\n[behaviour.cold_start_memory]\nreference_mb = 512\ncpu_share = 0.25\nsource = \"x\"\nverified = false\n";
    let text = with_behaviour(|b| format!("{b}{section}"));
    assert_eq!(
        invalid(&errors(&text)[0]),
        (
            line_with(&text, "[behaviour.cold_start_memory]"),
            "behaviour.cold_start_memory"
        )
    );
    // With CPU ∝ memory (1,024 MB a vCPU) it parses: ×(0.25 × 0.5 / 0.125 + 0.75) = ×1.75 at
    // 128 MB, ×1 at 512 MB, ×(0.25 × 0.5 / 1 + 0.75) = ×0.875 at 1,024 MB and above.
    let cpu = |b: &str| {
        b.replace(
            "verified = true\n\n[behaviour.sources",
            "verified = true\nmb_per_vcpu = 1024\nmax_vcpu = 2.0\n\n[behaviour.sources",
        )
    };
    let text = with_behaviour(|b| format!("{}{section}", cpu(b)));
    let b = table::parse_table("t.toml", &text).unwrap().behaviour.unwrap();
    assert!((b.cold_start_scale(128) - 1.75).abs() < 1e-12);
    assert!((b.cold_start_scale(512) - 1.0).abs() < 1e-12);
    assert!((b.cold_start_scale(1024) - 0.875).abs() < 1e-12);
    assert!((b.cold_start_scale(2048) - 0.875).abs() < 1e-12);
    let text = with_behaviour(|b| format!("{}{}", cpu(b), section.replace("0.25", "1.5")));
    assert_eq!(
        invalid(&errors(&text)[0]),
        (line_with(&text, "cpu_share"), "behaviour.cold_start_memory.cpu_share")
    );
    // A fixed instance vCPU only where CPU does not scale with memory.
    let text = with_behaviour(|b| cpu(b).replace("default_runtime", "instance_vcpu = 1.0\ndefault_runtime"));
    assert_eq!(
        invalid(&errors(&text)[0]),
        (line_with(&text, "instance_vcpu"), "behaviour.instance_vcpu")
    );
    let text = with_behaviour(|b| {
        b.replace(
            "default_runtime",
            "instance_vcpu = 0.0\ninit_limit_ms = 10000\ndefault_runtime",
        )
    });
    assert_eq!(
        invalid(&errors(&text)[0]),
        (line_with(&text, "instance_vcpu"), "behaviour.instance_vcpu")
    );
    let text = with_behaviour(|b| {
        b.replace(
            "default_runtime",
            "instance_vcpu = 2.0\ninit_limit_ms = 10000\ncpu_aware_routing = true\ndefault_runtime",
        )
    });
    let b = table::parse_table("t.toml", &text).unwrap().behaviour.unwrap();
    assert_eq!(
        (b.instance_vcpu_at(128), b.init_limit_ms, b.cpu_aware_routing),
        (Some(2.0), Some(10_000), true)
    );
}

#[test]
fn memory_is_a_range_or_a_grid() {
    let grid = |b: &str| {
        b.replace(
            "memory_min_mb = 128\nmemory_max_mb = 1024\n",
            "memory_sizes_mb = [512, 2048, 4096]\n",
        )
        .replace("default_memory_mb = 128", "default_memory_mb = 2048")
    };
    let t = table::parse_table("t.toml", &with_behaviour(grid)).unwrap();
    let m = t.behaviour.unwrap().memory;
    assert_eq!(m, MemoryOptions::Sizes(vec![512, 2048, 4096]));
    assert_eq!(m.to_string(), "512, 2048 or 4096 MB");
    assert!(m.allows(2048) && !m.allows(1024));
    // A default off the grid names the allowed sizes.
    let text = with_behaviour(|b| grid(b).replace("default_memory_mb = 2048", "default_memory_mb = 1024"));
    let e = errors(&text);
    assert_eq!(
        invalid(&e[0]),
        (line_with(&text, "default_memory_mb"), "behaviour.default_memory_mb")
    );
    assert!(e[0].to_string().contains("512, 2048 or 4096 MB"), "{}", e[0]);
    // Sizes out of order.
    let text = with_behaviour(|b| grid(b).replace("[512, 2048, 4096]", "[2048, 512]"));
    assert_eq!(invalid(&errors(&text)[0]).1, "behaviour.memory_sizes_mb[1]");
    // Both a range and a grid.
    let text = with_behaviour(|b| {
        b.replace(
            "memory_max_mb = 1024\n",
            "memory_max_mb = 1024\nmemory_sizes_mb = [512]\n",
        )
    });
    assert_eq!(
        invalid(&errors(&text)[0]),
        (line_with(&text, "[behaviour]"), "behaviour.memory_min_mb")
    );
}

#[test]
fn cold_start_syntax() {
    assert_eq!(
        ColdStartDist::parse("250").unwrap(),
        ColdStartDist::Constant { ms: 250 }
    );
    assert_eq!(
        ColdStartDist::parse("exp:253").unwrap(),
        ColdStartDist::Exponential { mean_ms: 253.0 }
    );
    let ln = ColdStartDist::parse("lognormal:200:0.5").unwrap();
    // mean = 200 · e^{0.125} = 226.63
    assert!((ln.mean_ms() - 226.6297).abs() < 1e-3);
    assert!(ColdStartDist::parse("uniform:5:1").is_err());
    assert!(ColdStartDist::parse("gamma:1").is_err());
    assert!(ColdStartDist::parse("-3").is_err());
    for text in ["250", "exp:253", "lognormal:225:0.21", "uniform:5:9"] {
        assert_eq!(ColdStartDist::parse(text).unwrap().to_string(), text);
    }
}

#[test]
fn cold_start_quantiles_are_the_closed_forms() {
    // Lognormal: the median at p = 0.5; at Φ(1) = 0.841345 it is median · e^σ = 200 · e^0.5 =
    // 329.744. Exponential: at 1 − 1/e the mean, 253. Uniform 5–9 at 0.25: 6. Constant: itself.
    let ln = ColdStartDist::parse("lognormal:200:0.5").unwrap();
    assert!((ln.quantile_ms(0.5) - 200.0).abs() < 1e-9);
    assert!((ln.quantile_ms(0.841_344_746) - 329.744).abs() < 1e-2);
    let exp = ColdStartDist::parse("exp:253").unwrap();
    assert!((exp.quantile_ms(1.0 - (-1.0f64).exp()) - 253.0).abs() < 1e-9);
    assert_eq!(ColdStartDist::parse("uniform:5:9").unwrap().quantile_ms(0.25), 6.0);
    assert_eq!(ColdStartDist::parse("250").unwrap().quantile_ms(0.9), 250.0);
}

#[test]
fn a_price_beyond_any_real_one_is_an_input_error() {
    let e = errors(&GOOD.replacen("usd = 0.20", "usd = 999999999999999", 1));
    let msg = e[0].to_string();
    assert!(
        msg.contains("t.toml:") && msg.contains("999999999999999") && msg.contains("1,000,000"),
        "{msg}"
    );
    assert!(table::parse_table("t.toml", &GOOD.replacen("usd = 0.20", "usd = 1000000", 1)).is_ok());
}

#[test]
fn commitment_terms_name_their_length_and_upfront_share() {
    let t = CommitmentTerm::parse("ri-standard-3yr-no-upfront").unwrap();
    assert_eq!((t.years, t.upfront_percent), (3, 0));
    assert_eq!(CommitmentTerm::parse("compute-sp-1yr-no-upfront").unwrap().years, 1);
    // An hourly rate cannot state an upfront fee: partial and all upfront are refused.
    assert!(CommitmentTerm::parse("ri-standard-1yr-partial-upfront")
        .unwrap_err()
        .contains("not a no-upfront term"));
    assert!(CommitmentTerm::parse("ri-5yr-no-upfront")
        .unwrap_err()
        .contains("no 1yr or 3yr"));
    assert!(CommitmentTerm::parse("1yr-no-upfront").is_err());
}

const INSTANCES: &str = r#"schema_version = 1
id = "demo-vm"
name = "Demo VMs"
provider = "aws"
model = "instances"
currency = "USD"
effective_date = "2026-12-02"
regions = ["us-east-1"]

[instances.small]
vcpu = 2
memory_gib = 4
usd_per_hour = 0.10
commitments = { "ri-standard-1yr-no-upfront" = 0.06 }
COMMITMENTS_SOURCE
source = "https://example.com/on-demand"
verified = true
"#;

#[test]
fn sustained_use_tiers_are_four_shares_from_the_full_price_down() {
    let with = |tiers: &str| INSTANCES.replace("COMMITMENTS_SOURCE\n", &format!("sustained_use_tiers = {tiers}\n"));
    let t = table::parse_table("t.toml", &with("[1.0, 0.8678, 0.733, 0.6]")).unwrap();
    assert_eq!(
        t.instances["small"].sustained_use_tiers_bps,
        vec![10_000, 8_678, 7_330, 6_000]
    );
    let t = table::parse_table("t.toml", &INSTANCES.replace("COMMITMENTS_SOURCE\n", "")).unwrap();
    assert!(
        t.instances["small"].sustained_use_tiers_bps.is_empty(),
        "none unless stated"
    );
    // Three quarters, a first share below the full price, a share above the one before, a
    // fraction of a basis point, a share of 0, a share above 1, no discount at all: each refused
    // at the key's line.
    for bad in [
        "[1.0, 0.8, 0.6]",
        "[0.9, 0.8, 0.6, 0.4]",
        "[1.0, 0.6, 0.8, 0.4]",
        "[1.0, 0.86785, 0.733, 0.6]",
        "[1.0, 0.8, 0.6, 0.0]",
        "[1.0, 1.2, 0.7, 0.6]",
        "[1.5, 0.8678, 0.733, 0.6]",
        "[1.0, 1.0, 1.0, 1.0]",
    ] {
        let text = with(bad);
        let line = 1 + text.lines().position(|l| l.starts_with("sustained_use_tiers")).unwrap();
        assert_eq!(
            invalid(&errors(&text)[0]),
            (line, "instances.small.sustained_use_tiers"),
            "{bad}"
        );
    }
}

#[test]
fn commitment_prices_carry_their_own_source_and_verification() {
    // No commitments_source: the commitment prices share the instance's source and flag.
    let t = table::parse_table("t.toml", &INSTANCES.replace("COMMITMENTS_SOURCE\n", "")).unwrap();
    let i = &t.instances["small"];
    assert_eq!(i.commitments_source, "https://example.com/on-demand");
    assert!(i.commitments_verified && t.fully_verified());
    // A third-party commitment source: the on-demand price stays verified, the commitment
    // prices are not, and so the table is not fully verified.
    let own = "commitments_source = \"a third-party copy\"\ncommitments_verified = false\n";
    let t = table::parse_table("t.toml", &INSTANCES.replace("COMMITMENTS_SOURCE\n", own)).unwrap();
    let i = &t.instances["small"];
    assert!(i.verified && !i.commitments_verified && !t.fully_verified());
    assert_eq!(i.commitments_source, "a third-party copy");
    // A commitments source needs its verified flag, at the instance's line.
    let errs = errors(&INSTANCES.replace("COMMITMENTS_SOURCE\n", "commitments_source = \"x\"\n"));
    assert_eq!(invalid(&errs[0]), (10, "instances.small.commitments_verified"));
    // … and commitment prices to describe.
    let text = INSTANCES
        .replace("commitments = { \"ri-standard-1yr-no-upfront\" = 0.06 }\n", "")
        .replace("COMMITMENTS_SOURCE\n", own);
    assert_eq!(invalid(&errors(&text)[0]), (10, "instances.small.commitments_source"));
}

#[test]
fn regional_prices_replace_the_table_s_own_and_are_validated() {
    let regional =
        "regional.eu-west-1 = { usd_per_hour = 0.12, commitments = { \"ri-standard-1yr-no-upfront\" = 0.07 }, \
                    source = \"https://example.com/eu\", verified = false }\n";
    let text = INSTANCES
        .replace(
            "regions = [\"us-east-1\"]",
            "regions = [\"us-east-1\"]\nother_regions = [\"eu-west-1\", \"ap-southeast-1\"]",
        )
        .replace("COMMITMENTS_SOURCE\n", regional);
    let t = table::parse_table("t.toml", &text).unwrap();
    assert!(t.covers("eu-west-1") && t.covers("ap-southeast-1") && !t.covers("us-west-2"));
    assert_eq!(t.all_regions(), ["us-east-1", "eu-west-1", "ap-southeast-1"]);
    let i = &t.instances["small"];
    // In the table's `regions` the type's own fields apply; in eu-west-1 its entry, with that
    // entry's source and flag for on demand and commitments alike; ap-southeast-1 has none.
    let own = &t.regions;
    assert_eq!(i.in_region("us-east-1", own).as_deref(), Some(i));
    let eu = i.in_region("eu-west-1", own).unwrap();
    assert_eq!(eu.per_hour, crate::units::Usd::from_f64(0.12).unwrap());
    let ri = &eu.commitments["ri-standard-1yr-no-upfront"];
    assert_eq!(*ri, crate::units::Usd::from_f64(0.07).unwrap());
    assert_eq!((eu.source.as_str(), eu.verified), ("https://example.com/eu", false));
    let commitments = (eu.commitments_source.as_str(), eu.commitments_verified);
    assert_eq!(commitments, ("https://example.com/eu", false));
    assert_eq!((eu.vcpu, eu.memory_gib), (2.0, 4.0));
    assert!(i.in_region("ap-southeast-1", own).is_none());
    assert_eq!(i.priced_regions(own), ["us-east-1", "eu-west-1"]);
    // An unverified regional price makes the table not fully verified, and its region only
    // (ap-southeast-1 has no entry: the type is not priced there).
    assert!(i.verified && i.commitments_verified && !t.fully_verified());
    assert!(t.verified_in("us-east-1") && !t.verified_in("eu-west-1") && t.verified_in("ap-southeast-1"));
    // A region outside the table's other regions (one of its `regions` included) is refused at
    // its line, and so is a region listed in both.
    let at_home = text.replace("regional.eu-west-1", "regional.us-east-1");
    assert_eq!(
        invalid(&errors(&at_home)[0]),
        (16, "instances.small.regional.us-east-1")
    );
    let e = errors(&text.replace("regional.eu-west-1", "regional.mars-1"));
    assert_eq!(invalid(&e[0]), (16, "instances.small.regional.mars-1"));
    assert!(
        e[0].to_string().contains("not one of the table's other regions"),
        "{}",
        e[0]
    );
    let both = text.replace("other_regions = [\"eu-west-1\"", "other_regions = [\"us-east-1\"");
    assert_eq!(invalid(&errors(&both)[0]).1, "other_regions");
    // Listed twice, empty, or beside a global table (whose figures apply everywhere): refused.
    for (from, to, said) in [
        ("\"ap-southeast-1\"]", "\"eu-west-1\"]", "listed twice"),
        ("\"ap-southeast-1\"]", "\" \"]", "an empty region id"),
        (
            "regions = [\"us-east-1\"]",
            "regions = [\"global\"]",
            "beside a global table",
        ),
    ] {
        let e = errors(&text.replace(from, to));
        assert!(
            e.iter()
                .any(|e| invalid(e).1 == "other_regions" && e.to_string().contains(said)),
            "{said}: {e:?}"
        );
    }
    // Each entry needs its source and flag, and valid commitment terms.
    let no_source = text.replace("source = \"https://example.com/eu\", ", "");
    let key = "instances.small.regional.eu-west-1.source";
    assert_eq!(invalid(&errors(&no_source)[0]), (16, key));
    let bad_term = text.replace("\"ri-standard-1yr-no-upfront\" = 0.07", "\"ri-5yr\" = 0.07");
    let key = "instances.small.regional.eu-west-1.commitments.ri-5yr";
    assert_eq!(invalid(&errors(&bad_term)[0]), (16, key));
}

#[test]
fn a_region_is_verified_when_the_figures_that_price_it_are() {
    // requests verified at home; duration-x86 verified too; eu-west-1's requests entry as given,
    // duration-x86 without one there (not priced there, so it does not count).
    let with = |home_requests: bool, eu_requests: bool, grant: &str| {
        let text = GOOD
            .replace("verified = false", "verified = true")
            .replacen("verified = true", &format!("verified = {home_requests}"), 1)
            .replace(
                "regions = [\"us-east-1\"]",
                "regions = [\"us-east-1\"]\nother_regions = [\"eu-west-1\"]",
            )
            .replace(
                "[prices.duration-x86]",
                &format!(
                    "[prices.requests.regional.eu-west-1]\nusd = 0.25\nsource = \"https://example.com/eu\"\n\
                     verified = {eu_requests}\n\n{grant}[prices.duration-x86]"
                ),
            );
        table::parse_table("t.toml", &text).unwrap()
    };
    let t = with(true, false, "");
    assert!(t.verified_in("us-east-1") && !t.verified_in("eu-west-1") && !t.fully_verified());
    let t = with(true, true, "");
    assert!(t.verified_in("us-east-1") && t.verified_in("eu-west-1") && t.fully_verified());
    // The home price unverified: home is not, eu-west-1 is (it bills its own rate) unless a
    // grant is valued at the home price there.
    let t = with(false, true, "");
    assert!(!t.verified_in("us-east-1") && t.verified_in("eu-west-1"));
    let grant = |valued: bool, verified: bool| {
        format!(
            "[free.requests]\nquantity = 1000000\nvalued_at_home_price = {valued}\n\
             source = \"https://example.com/free\"\nverified = {verified}\n\n"
        )
    };
    let t = with(false, true, &grant(true, true));
    assert!(!t.verified_in("eu-west-1"));
    let t = with(false, true, &grant(false, true));
    assert!(t.verified_in("eu-west-1"));
    // An unverified grant counts in every region.
    let t = with(true, true, &grant(false, false));
    assert!(!t.verified_in("us-east-1") && !t.verified_in("eu-west-1"));
}

#[test]
fn regional_unit_prices_are_validated_and_replace_the_rate() {
    let text = GOOD
        .replace("regions = [\"us-east-1\"]", "regions = [\"us-east-1\"]\nother_regions = [\"eu-west-1\"]")
        .replace(
            "[prices.duration-x86]",
            "[prices.requests.regional.eu-west-1]\nusd = 0.25\nsource = \"https://example.com/eu\"\nverified = false\n\n[prices.duration-x86]",
        );
    let t = table::parse_table("t.toml", &text).unwrap();
    let own = &t.regions;
    let p = &t.prices["requests"];
    assert_eq!(p.in_region("us-east-1", own).as_deref(), Some(p));
    let eu = p.in_region("eu-west-1", own).unwrap();
    assert_eq!(eu.tiers[0].usd, crate::units::Usd::from_f64(0.25).unwrap());
    assert_eq!((eu.source.as_str(), eu.verified), ("https://example.com/eu", false));
    assert_eq!((eu.unit.as_str(), eu.per), (p.unit.as_str(), p.per));
    assert_eq!(p.priced_regions(own), ["us-east-1", "eu-west-1"]);
    // A price without an entry there is not priced there (its own figures hold in `regions`).
    assert!(t.prices["duration-x86"].in_region("eu-west-1", own).is_none());
    assert!(!t.fully_verified());
    // A region the table does not list as other, and an entry without a price, are refused by name.
    let e = errors(&text.replace("requests.regional.eu-west-1", "requests.regional.eu-west-9"));
    assert_eq!(invalid(&e[0]).1, "prices.requests.regional.eu-west-9");
    let e = errors(&text.replace("usd = 0.25\n", ""));
    assert_eq!(invalid(&e[0]).1, "prices.requests.regional.eu-west-1");
}
