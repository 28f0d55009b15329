//! Workload characterization.
