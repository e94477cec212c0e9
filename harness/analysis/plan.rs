//! What a verdict costs before it is paid for (docs/methods.md §7, `jestbench
//! plan`): per claim row of a pilot, how many worlds of 1, 2 or 4 learners would
//! be expected to decide it (every definition's interval, at the row's
//! Holm-adjusted level, leaving out the threshold, with the given power at the
//! pilot's estimate), and what those runs cost in core-hours at the pilot's own
//! measured seconds.

use serde::Serialize;

use super::claims::{Claim, Verdict};
use crate::stats::power::Pilot;

/// What a pilot's runs of one experiment cost, as measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Cost {
    /// Seconds of all its learner runs (training and evaluation) and of its
    /// references (training and embedding the pool), one core each.
    pub run_seconds: f64,
    pub reference_seconds: f64,
    /// Its design: worlds (seeds on one world count as worlds of one learner)
    /// and learners per world.
    pub worlds: usize,
    pub learners: usize,
}

impl Cost {
    /// Core-hours of `worlds` × `learners` for every cell: runs scale with both,
    /// references with the worlds (one world's references serve all its runs).
    pub fn hours(&self, worlds: usize, learners: usize) -> f64 {
        let pilot_runs = (self.worlds * self.learners).max(1) as f64;
        let runs = self.run_seconds * (worlds * learners) as f64 / pilot_runs;
        let refs = self.reference_seconds * worlds as f64 / self.worlds.max(1) as f64;
        (runs + refs) / 3600.0
    }
}

/// One design's answer: worlds needed (None: beyond the largest considered).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Design {
    pub learners: usize,
    pub worlds: Option<usize>,
    pub core_hours: Option<f64>,
}

/// The plan of one claim row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowPlan {
    pub claim: String,
    pub measured: String,
    pub verdict: String,
    /// The pilot's design and whether its worlds varied (else the world variance
    /// is unknown and the plan assumes none: a lower bound).
    pub pilot_worlds: usize,
    pub pilot_learners: usize,
    pub worlds_varied: bool,
    pub world_share: Option<f64>,
    /// Why no design is given, where none is.
    pub note: String,
    pub designs: Vec<Design>,
}

/// The plans of `claims` that have a threshold, each costed from its
/// experiments' `costs`.
pub fn plan(
    claims: &[Claim],
    costs: &std::collections::BTreeMap<String, Cost>,
    learners: &[usize],
    power: f64,
    max_worlds: usize,
) -> Vec<RowPlan> {
    claims
        .iter()
        .filter(|c| c.verdict != Verdict::NotMeasured && c.threshold.is_some())
        .map(|c| row_plan(c, costs, learners, power, max_worlds))
        .collect()
}

fn row_plan(
    c: &Claim,
    costs: &std::collections::BTreeMap<String, Cost>,
    learners: &[usize],
    power: f64,
    max_worlds: usize,
) -> RowPlan {
    let cost: Vec<&Cost> = c.experiments.iter().filter_map(|e| costs.get(e)).collect();
    let comp = c.variance.as_ref();
    let est = c.estimate.as_ref();
    let pilot_worlds = est.map_or(0, |e| e.seeds);
    let pilot_learners = comp.map_or(1, |v| v.learners.max(1));
    let mut out = RowPlan {
        claim: c.claim.clone(),
        measured: est
            .map(|e| format!("{:.3}", e.point.mid))
            .unwrap_or_else(|| "—".into()),
        verdict: c.verdict.text().to_string(),
        pilot_worlds,
        pilot_learners,
        worlds_varied: comp.is_some(),
        world_share: comp.map(|v| v.world_share),
        note: String::new(),
        designs: Vec::new(),
    };
    let Some(t) = c.threshold else {
        out.note = "no threshold: nothing to decide".into();
        return out;
    };
    if c.definitions.is_empty() {
        out.note = "no estimate: nothing to decide".into();
        return out;
    }
    // Every definition must decide (a row decided under one reading only is
    // definition-sensitive), at the row's Holm-adjusted level.
    let mut needs: Vec<(f64, f64)> = Vec::new();
    for def in &c.definitions {
        let e = &def.estimate;
        let Some(d) = e.distance_to(t) else {
            out.note = format!(
                "{}: censored estimate; the sweep's budgets, not the replicates, bound it",
                def.name
            );
            return out;
        };
        if !e.se.is_finite() || e.se <= 0.0 {
            out.note = format!("{}: no standard error (fewer than 2 replicates)", def.name);
            return out;
        }
        needs.push((d, e.se));
    }
    for &l in learners {
        let per_def: Vec<Option<usize>> = needs
            .iter()
            .map(|&(d, se)| {
                let pilot = Pilot {
                    se,
                    worlds: pilot_worlds,
                    learners: pilot_learners,
                    // Without worlds in the pilot: learner variance only (a lower bound).
                    world_var: comp.map_or(0.0, |v| v.world_var),
                    learner_var: comp.map_or(1.0, |v| v.learner_var),
                };
                pilot.worlds_needed(d, l, (c.adjusted_level, power), max_worlds)
            })
            .collect();
        let w = per_def.iter().try_fold(0usize, |m, w| w.map(|w| m.max(w)));
        out.designs.push(Design {
            learners: l,
            worlds: w,
            core_hours: w.map(|w| cost.iter().map(|c| c.hours(w, l)).sum()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_scale_with_worlds_and_runs_with_both() {
        let c = Cost {
            run_seconds: 3600.0,
            reference_seconds: 360.0,
            worlds: 5,
            learners: 2,
        };
        assert!((c.hours(5, 2) - 1.1).abs() < 1e-12);
        assert!((c.hours(10, 2) - 2.2).abs() < 1e-12);
        assert!((c.hours(5, 4) - 2.1).abs() < 1e-12);
    }
}
