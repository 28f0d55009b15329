//! AWS Fargate: the task sizes it offers, the `ARCH:VCPUvcpu-MEMgb` type ids, and its bill
//! (vCPU- and GB-hours per architecture, on demand or under a Compute Savings Plan).

use super::meter::{checked_cost, Meter, MS_PER_HOUR_U};
use super::models::{commitment_assumption, instance_billed_ms};
use super::{unpriced_term, CostError};
use crate::usage::{Arch, Usage};

/// Whether Fargate offers a task of `vcpu` vCPUs and `memory_mb` MB: 0.25 vCPU with 0.5, 1 or
/// 2 GB; 0.5 vCPU with 1–4 GB, 1 vCPU with 2–8 GB, 2 vCPU with 4–16 GB, 4 vCPU with 8–30 GB
/// (1 GB steps); 8 vCPU with 16–60 GB (4 GB steps); 16 vCPU with 32–120 GB (8 GB steps).
/// The error lists the memory sizes of that vCPU count, or the vCPU counts.
pub fn fargate_size(vcpu: f64, memory_mb: u32) -> Result<(), String> {
    let gb = |list: &[u32]| list.iter().map(|g| g * 1_024).collect::<Vec<u32>>();
    let steps = |from: u32, to: u32, step: usize| gb(&(from..=to).step_by(step).collect::<Vec<u32>>());
    let sizes_mb: Vec<u32> = match (vcpu * 4.0).round() as u32 {
        _ if (vcpu * 4.0).fract() != 0.0 => Vec::new(),
        1 => vec![512, 1_024, 2_048],
        2 => steps(1, 4, 1),
        4 => steps(2, 8, 1),
        8 => steps(4, 16, 1),
        16 => steps(8, 30, 1),
        32 => steps(16, 60, 4),
        64 => steps(32, 120, 8),
        _ => Vec::new(),
    };
    if sizes_mb.is_empty() {
        return Err(format!(
            "Fargate has no {vcpu}-vCPU task; expected 0.25, 0.5, 1, 2, 4, 8 or 16 vCPU"
        ));
    }
    if !sizes_mb.contains(&memory_mb) {
        let shown: Vec<String> = sizes_mb.iter().map(|m| format!("{}", *m as f64 / 1_024.0)).collect();
        return Err(format!(
            "Fargate has no {vcpu}-vCPU task with {memory_mb} MB; expected one of {} GB (× 1,024 MB)",
            shown.join(", ")
        ));
    }
    Ok(())
}

/// Parses a Fargate task size `ARCH:VCPUvcpu-MEMgb` into (arch, milli-vCPU, MB); a size
/// Fargate does not offer (`fargate_size`) is an error.
pub fn parse_fargate_type(id: &str) -> Result<(Arch, u128, u128), CostError> {
    let bad = |problem: &str| CostError::InstanceType {
        instance_type: id.to_string(),
        problem: problem.to_string(),
        expected: "ARCH:VCPUvcpu-MEMgb, e.g. x86:1vcpu-2gb or arm64:0.25vcpu-0.5gb".to_string(),
    };
    let (arch, size) = id
        .split_once(':')
        .ok_or_else(|| bad("no ':' between architecture and size"))?;
    let arch = match arch {
        "x86" => Arch::X86,
        "arm64" => Arch::Arm64,
        _ => return Err(bad("architecture is not x86 or arm64")),
    };
    let (cpu, mem) = size
        .split_once('-')
        .ok_or_else(|| bad("no '-' between vCPU and memory"))?;
    let cpu: f64 = cpu
        .strip_suffix("vcpu")
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| bad("vCPU part is not a number followed by 'vcpu'"))?;
    let mem: f64 = mem
        .strip_suffix("gb")
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| bad("memory part is not a number followed by 'gb'"))?;
    if !(cpu > 0.0 && cpu <= 16.0 && mem > 0.0 && mem <= 120.0) {
        return Err(bad("size out of Fargate's range (0.25–16 vCPU, 0.5–120 GB)"));
    }
    // One rule with `cost --vcpu/--memory-mb`: only the task sizes Fargate offers.
    let mem_mb = (mem * 1024.0).round();
    if mem_mb.fract() != 0.0 || (mem * 1024.0 - mem_mb).abs() > 1e-9 {
        return Err(bad("memory is not a whole number of MB"));
    }
    fargate_size(cpu, mem_mb as u32).map_err(|e| bad(&e))?;
    Ok((arch, (cpu * 1000.0).round() as u128, mem_mb as u128))
}

/// AWS Fargate: vCPU-hours and GB-hours per architecture, 1-minute minimum per task. Under a
/// commitment each task is paid every hour of the month at the term's rates (prices
/// `vcpu-hours-ARCH-TERM` and `gb-hours-ARCH-TERM`, a Compute Savings Plan sized to the
/// committed tasks), with its term, upfront share and break-even stated; a term the table
/// lacks for an architecture is a "not priced" line naming the terms it has.
pub(super) fn fargate(m: &mut Meter<'_>, usage: &Usage) -> Result<(), CostError> {
    let commitment = m.opts.commitment.clone();
    let mut vcpu = [0u128; 2]; // milli-vCPU·ms
    let mut mem = [0u128; 2]; // MB·ms
    let mut sizes: [Vec<(String, u128, u128)>; 2] = Default::default();
    for iu in &usage.instances {
        let (arch, cpu_milli, mem_mb) = parse_fargate_type(&iu.instance_type)?;
        let a = if arch == Arch::Arm64 { 1 } else { 0 };
        let ms = instance_billed_ms(m, iu.instance_ms, iu.launches, 0);
        // A commitment is paid for every hour of its term, used or not: each task (launch) at
        // least the whole period.
        let ms = match &commitment {
            Some(_) => ms.max(iu.launches as u128 * m.period_ms as u128),
            None => ms,
        };
        vcpu[a] += cpu_milli * ms;
        mem[a] += mem_mb * ms;
        sizes[a].push((iu.instance_type.clone(), cpu_milli, mem_mb));
    }
    for (a, name) in ["x86", "arm64"].iter().enumerate() {
        let (vcpu_key, gb_key) = (format!("vcpu-hours-{name}"), format!("gb-hours-{name}"));
        let Some(term) = &commitment else {
            let q = m.monthly(vcpu[a]);
            m.charge(&format!("vCPU-hours {name}"), &vcpu_key, q, 1000 * MS_PER_HOUR_U, 0);
            let q = m.monthly(mem[a]);
            m.charge(&format!("GB-hours {name}"), &gb_key, q, 1024 * MS_PER_HOUR_U, 0);
            continue;
        };
        if vcpu[a] == 0 {
            continue;
        }
        let suffix = format!(" (commitment {term})");
        let (vcpu_term, gb_term) = (format!("{vcpu_key}-{term}"), format!("{gb_key}-{term}"));
        if !(m.table.prices.contains_key(&vcpu_term) && m.table.prices.contains_key(&gb_term)) {
            let hours = m.monthly(vcpu[a]) as f64 / (1000 * MS_PER_HOUR_U) as f64;
            let why = unpriced_term(m.table, &[&vcpu_key, &gb_key], term, &format!("Fargate {name}"));
            m.not_priced(&format!("vCPU-hours {name}{suffix}"), "vCPU-hours", hours, why.clone());
            let gb_hours = m.monthly(mem[a]) as f64 / (1024 * MS_PER_HOUR_U) as f64;
            m.not_priced(&format!("GB-hours {name}{suffix}"), "GB-hours", gb_hours, why);
            continue;
        }
        let q = m.monthly(vcpu[a]);
        m.charge(
            &format!("vCPU-hours {name}{suffix}"),
            &vcpu_term,
            q,
            1000 * MS_PER_HOUR_U,
            0,
        );
        let q = m.monthly(mem[a]);
        m.charge(
            &format!("GB-hours {name}{suffix}"),
            &gb_term,
            q,
            1024 * MS_PER_HOUR_U,
            0,
        );
        for (task, cpu_milli, mem_mb) in &sizes[a] {
            let rates = [(&vcpu_key, &gb_key), (&vcpu_term, &gb_term)].map(|(v, g)| {
                Some(
                    checked_cost(m.first_rate(v)?, *cpu_milli, 1_000)?
                        + checked_cost(m.first_rate(g)?, *mem_mb, 1_024)?,
                )
            });
            if let [Some(on_demand), Some(rate)] = rates {
                commitment_assumption(m, &format!("Fargate task {task}"), term, rate, on_demand);
            }
        }
    }
    Ok(())
}
