//! `faascost pricing list|show|validate`: the price tables (built-in, or `--pricing DIR`)
//! as the user sees them, and validation of a directory with file:line:key errors.

use anyhow::{anyhow, Context};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{PricingArgs, PricingCommand};
use crate::pricing::{Catalog, PriceTable, Tier};

/// Loads the built-in tables, or those of `dir`.
pub fn load_catalog(dir: Option<&Path>) -> anyhow::Result<Catalog> {
    match dir {
        None => Catalog::embedded().map_err(|e| anyhow!("built-in price tables are invalid: {e}")),
        Some(d) => Catalog::load_dir(d).map_err(|e| anyhow!("{e}")),
    }
}

/// Runs `faascost pricing …`.
pub fn run(args: &PricingArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match &args.command {
        PricingCommand::List { pricing, json } => {
            let catalog = load_catalog(pricing.as_deref())?;
            if *json {
                let rows: Vec<_> = catalog
                    .tables
                    .values()
                    .map(|t| {
                        serde_json::json!({
                            "id": t.id, "name": t.name, "provider": t.provider, "model": t.model,
                            "regions": t.regions, "other_regions": t.other_regions,
                            "effective_date": t.effective_date,
                            "fully_verified": t.fully_verified(), "origin": t.origin,
                        })
                    })
                    .collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
            } else {
                writeln!(
                    out,
                    "{:<30} {:<20} {:<14} {:<11} verified",
                    "id", "model", "regions", "effective"
                )?;
                for t in catalog.tables.values() {
                    let model = serde_json::to_value(t.model)?.as_str().unwrap_or_default().to_string();
                    writeln!(
                        out,
                        "{:<30} {:<20} {:<14} {:<11} {}",
                        t.id,
                        model,
                        regions_column(t),
                        t.effective_date,
                        if t.fully_verified() { "all" } else { "partly (see show)" }
                    )?;
                }
            }
        }
        PricingCommand::Show { id, pricing, json } => {
            let catalog = load_catalog(pricing.as_deref())?;
            let table = catalog.get(id).map_err(|e| anyhow!(e))?;
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(table)?)?;
            } else {
                show(&mut out, table)?;
            }
        }
        PricingCommand::Validate { dir } => {
            let catalog = match dir {
                Some(d) => Catalog::load_dir(d).map_err(|e| anyhow!("{e}"))?,
                None => Catalog::embedded().map_err(|e| anyhow!("{e}"))?,
            };
            let unverified: usize = catalog.tables.values().filter(|t| !t.fully_verified()).count();
            writeln!(
                out,
                "{} price table(s) valid ({}); {} contain unverified figures",
                catalog.tables.len(),
                dir.as_ref()
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|| "built-in".to_string()),
                unverified
            )
            .context("writing to stdout")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The list's regions column: the table's regions, then its other regions marked `*` (priced
/// only through regional entries).
fn regions_column(t: &PriceTable) -> String {
    t.regions
        .iter()
        .cloned()
        .chain(t.other_regions.iter().map(|r| format!("{r}*")))
        .collect::<Vec<_>>()
        .join(",")
}

fn mark(verified: bool) -> &'static str {
    if verified {
        ""
    } else {
        "  [unverified]"
    }
}

fn show(out: &mut impl Write, t: &PriceTable) -> anyhow::Result<()> {
    writeln!(out, "{} — {}", t.id, t.name)?;
    writeln!(
        out,
        "provider {}, regions {}, effective {}, {} (from {})",
        t.provider,
        t.regions.join(", "),
        t.effective_date,
        t.currency,
        t.origin
    )?;
    if !t.other_regions.is_empty() {
        writeln!(
            out,
            "other regions {}: priced only where an entry below shows an 'in REGION' rate",
            t.other_regions.join(", ")
        )?;
    }
    for n in &t.notes {
        writeln!(out, "  note: {n}")?;
    }
    if !t.prices.is_empty() {
        writeln!(out, "prices:")?;
    }
    for (k, p) in &t.prices {
        let per = if p.per == 1 {
            String::new()
        } else {
            format!(" per {}", p.per)
        };
        let label = format!("  {k}");
        write_rate(out, &label, &p.tiers, &p.unit, &per, p.verified, &p.source)?;
        for (region, r) in &p.regional {
            let label = format!("    in {region}");
            write_rate(out, &label, &r.tiers, &p.unit, &per, r.verified, &r.source)?;
        }
    }
    if !t.free.is_empty() {
        writeln!(out, "free grants (per month):")?;
    }
    for (k, f) in &t.free {
        let kind = if f.included {
            "included in plan"
        } else if f.new_accounts_only {
            "12-month new-account offer, --new-account-offers"
        } else {
            "permanent grant, --free-tier"
        };
        let regions = t.regions.join("/");
        let scope = if f.home_regions_only {
            format!("; in {regions} only")
        } else if f.valued_at_home_price && !t.other_regions.is_empty() {
            format!("; elsewhere worth this quantity at the {regions} price")
        } else {
            String::new()
        };
        writeln!(out, "  {k}: {} ({kind}{scope}){}", f.quantity, mark(f.verified))?;
    }
    if !t.instances.is_empty() {
        writeln!(out, "instances:")?;
    }
    for (k, i) in &t.instances {
        writeln!(
            out,
            "  {k}: {} vCPU, {} GiB, ${}/h{}",
            i.vcpu,
            i.memory_gib,
            i.per_hour.to_f64(),
            mark(i.verified)
        )?;
        for (c, u) in &i.commitments {
            writeln!(out, "      {c}: ${}/h{}", u.to_f64(), mark(i.commitments_verified))?;
        }
        for (region, r) in &i.regional {
            writeln!(out, "    in {region}: ${}/h{}", r.per_hour.to_f64(), mark(r.verified))?;
            for (c, u) in &r.commitments {
                writeln!(out, "      {c}: ${}/h{}", u.to_f64(), mark(r.verified))?;
            }
            writeln!(out, "      source: {}", r.source)?;
        }
    }
    let r = &t.rules;
    writeln!(
        out,
        "rules: duration grain {} ms, minimum {} ms, memory grain {} MB (min {}, max {}), INIT billed {} (cap {} ms), PC grain {} ms, storage included {} MB{}",
        r.duration_grain_ms,
        r.minimum_duration_ms,
        r.memory_grain_mb,
        r.memory_minimum_mb,
        r.memory_maximum_mb,
        r.init_billed,
        r.init_cap_ms,
        r.provisioned_grain_ms,
        r.included_storage_mb,
        mark(r.verified)
    )?;
    if let Some(b) = &t.behaviour {
        writeln!(out, "behaviour:{}", mark(b.verified))?;
        writeln!(out, "  {}", serde_json::to_string(b)?)?;
    }
    Ok(())
}

/// One rate of `pricing show`: flat on one line, tiered one line per tier, then its source.
fn write_rate(
    out: &mut impl Write,
    label: &str,
    tiers: &[Tier],
    unit: &str,
    per: &str,
    verified: bool,
    source: &str,
) -> std::io::Result<()> {
    if tiers.len() == 1 {
        writeln!(
            out,
            "{label}: ${} per {unit}{per}{}",
            tiers[0].usd.to_f64(),
            mark(verified)
        )?;
    } else {
        writeln!(out, "{label}: per {unit}{per}{}", mark(verified))?;
        for tier in tiers {
            match tier.up_to {
                Some(u) => writeln!(out, "      up to {u}: ${}", tier.usd.to_f64())?,
                None => writeln!(out, "      above:  ${}", tier.usd.to_f64())?,
            }
        }
    }
    writeln!(out, "      source: {source}")
}
