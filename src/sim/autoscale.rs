//! Fleet sizing policies for the provisioned-server model, behind one trait: a fixed fleet
//! sized for the trace's peak (`StaticPeak`) and AWS-style target tracking on utilization
//! (`TargetTracking`: desired = ceil(current × observed / target), scale-out immediately,
//! scale-in only after a cooldown; min/max). Boot delay is applied by the engine
//! (`sim::provisioned`), so a policy only says how many instances it wants.

use super::load::LoadProfile;

/// A fleet sizing policy, asked once before the first minute and after every minute.
pub trait Autoscaler {
    /// Instances running when the window opens (a running system's fleet for the first minute).
    fn initial(&self, load: &LoadProfile, slots_per_instance: f64) -> u32;
    /// Desired instances after `minute`, given the ready instances and the observed
    /// utilization (offered work over ready capacity; above 1 when overloaded).
    fn desired(&mut self, minute: usize, ready: u32, utilization: f64) -> u32;
    /// A short description for reports.
    fn describe(&self) -> String;
}

/// Instances needed to carry `erlangs` of load at `target_utilization` of each instance's slots.
pub fn instances_for(erlangs: f64, slots_per_instance: f64, target_utilization: f64) -> u32 {
    if erlangs <= 0.0 {
        return 0;
    }
    // `as` saturates: an absurd load gives u32::MAX instances, never a wrap.
    (erlangs / (slots_per_instance * target_utilization)).ceil() as u32
}

/// A fixed fleet: the trace's peak minute at the target utilization, plus spares (N+1),
/// and never fewer than the minimum kept for availability across zones.
#[derive(Debug, Clone, PartialEq)]
pub struct StaticPeak {
    /// Utilization the peak minute may reach (0–1).
    pub target_utilization: f64,
    /// Spare instances on top of the peak need (1 = N+1).
    pub spare_instances: u32,
    /// Minimum instances (e.g. 2 for two availability zones).
    pub min_instances: u32,
    /// Maximum instances: the fleet never exceeds it, even when the peak needs more.
    pub max_instances: u32,
}

impl StaticPeak {
    /// The fleet the peak minute asks for, before `max_instances` caps it.
    pub fn uncapped(&self, load: &LoadProfile, slots_per_instance: f64) -> u32 {
        let need = instances_for(load.peak_erlangs(), slots_per_instance, self.target_utilization);
        need.saturating_add(self.spare_instances).max(self.min_instances).max(1)
    }
}

impl Autoscaler for StaticPeak {
    fn initial(&self, load: &LoadProfile, slots_per_instance: f64) -> u32 {
        self.uncapped(load, slots_per_instance).min(self.max_instances.max(1))
    }

    fn desired(&mut self, _minute: usize, ready: u32, _utilization: f64) -> u32 {
        ready
    }

    fn describe(&self) -> String {
        format!(
            "static-peak: peak minute at {:.0}% utilization + {} spare, {}–{} instances",
            self.target_utilization * 100.0,
            self.spare_instances,
            self.min_instances,
            self.max_instances
        )
    }
}

/// A fleet of exactly `instances`, whatever the load (the committed base of a hybrid option).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedFleet {
    /// Instances.
    pub instances: u32,
}

impl Autoscaler for FixedFleet {
    fn initial(&self, _load: &LoadProfile, _slots_per_instance: f64) -> u32 {
        self.instances
    }

    fn desired(&mut self, _minute: usize, _ready: u32, _utilization: f64) -> u32 {
        self.instances
    }

    fn describe(&self) -> String {
        format!("fixed fleet of {}", self.instances)
    }
}

/// Target tracking on utilization.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetTracking {
    /// Utilization to hold (0–1).
    pub target_utilization: f64,
    /// Fewest instances.
    pub min_instances: u32,
    /// Most instances.
    pub max_instances: u32,
    /// Minutes after any scale action before scaling in again.
    pub scale_in_cooldown_minutes: usize,
    last_action_minute: Option<usize>,
}

impl TargetTracking {
    /// A target-tracking policy.
    pub fn new(
        target_utilization: f64,
        min_instances: u32,
        max_instances: u32,
        scale_in_cooldown_minutes: usize,
    ) -> Self {
        TargetTracking {
            target_utilization,
            min_instances: min_instances.max(1),
            max_instances: max_instances.max(min_instances.max(1)),
            scale_in_cooldown_minutes,
            last_action_minute: None,
        }
    }
}

impl Autoscaler for TargetTracking {
    fn initial(&self, load: &LoadProfile, slots_per_instance: f64) -> u32 {
        let first = load.minutes.first().map(|m| m.erlangs()).unwrap_or(0.0);
        instances_for(first, slots_per_instance, self.target_utilization).clamp(self.min_instances, self.max_instances)
    }

    fn desired(&mut self, minute: usize, ready: u32, utilization: f64) -> u32 {
        let want = ((ready as f64 * utilization / self.target_utilization).ceil() as u32)
            .clamp(self.min_instances, self.max_instances);
        let cooled = self
            .last_action_minute
            .is_none_or(|last| minute >= last + self.scale_in_cooldown_minutes);
        let decided = if want < ready && !cooled { ready } else { want };
        if decided != ready {
            self.last_action_minute = Some(minute);
        }
        decided
    }

    fn describe(&self) -> String {
        format!(
            "autoscale: target {:.0}% utilization, {}–{} instances, scale-in cooldown {} min",
            self.target_utilization * 100.0,
            self.min_instances,
            self.max_instances,
            self.scale_in_cooldown_minutes
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizing_arithmetic() {
        // 7.2 Erlangs on 4-slot instances at 60 %: 7.2 / 2.4 = 3 instances exactly.
        assert_eq!(instances_for(7.2, 4.0, 0.6), 3);
        assert_eq!(instances_for(7.3, 4.0, 0.6), 4);
        assert_eq!(instances_for(0.0, 4.0, 0.6), 0);
    }

    #[test]
    fn static_peak_never_exceeds_max_instances() {
        use crate::sim::load::MinuteLoad;
        // 30 Erlangs at the peak on 2-slot instances at 50 %: 30 needed + 1 spare = 31.
        let load = LoadProfile {
            minutes: vec![MinuteLoad {
                arrivals: 1_800.0,
                work_ms: 1_800_000.0,
                busy_ms: 1_800_000.0,
                carried: 0.0,
                work_sq_ms2: 1.8e9,
            }],
            service_quantiles_ms: vec![1_000.0; 100],
        };
        let s = StaticPeak {
            target_utilization: 0.5,
            spare_instances: 1,
            min_instances: 2,
            max_instances: 12,
        };
        assert_eq!(s.uncapped(&load, 2.0), 31);
        assert_eq!(s.initial(&load, 2.0), 12);
    }

    #[test]
    fn target_tracking_scales_out_now_and_in_after_cooldown() {
        let mut t = TargetTracking::new(0.5, 1, 10, 5);
        // 4 ready at 100 % utilization → ceil(4 × 1 / 0.5) = 8.
        assert_eq!(t.desired(0, 4, 1.0), 8);
        // Utilization falls: want 2, but the cooldown (5 min after minute 0) holds until minute 5.
        assert_eq!(t.desired(3, 8, 0.1), 8);
        assert_eq!(t.desired(5, 8, 0.1), 2);
        // Never above max or below min.
        assert_eq!(t.desired(20, 2, 10.0), 10);
        assert_eq!(t.desired(40, 10, 0.0), 1);
    }
}
