//! The world map (issue 29): per sweep setting ("world") of an experiment, JEST's
//! final-score gain over uniform split into what the noise-filter oracle recovers
//! and what remains, the same-data verdict there, and the concept diagnostics that
//! say where the remainder comes from (head, torso and tail shares of the trained
//! batches, same-concept pairs in them, zero-shot accuracy by concept bucket).

use serde::Serialize;

use super::cells::Cell;
use super::claims::{Claim, Verdict};
use super::compare::Comparison;
use crate::method::Method;
use crate::stats::{self, Bounds, CensoredInterval, Estimator, Scale};

/// One world of one experiment.
#[derive(Clone, Debug, Serialize)]
pub struct World {
    pub experiment: String,
    /// The cells' setting (`key=value;…`, the selector aside).
    pub setting: String,
    pub filter_ratio: f64,
    /// Seeds behind the gains (the fewest of the cells compared).
    pub seeds: usize,
    /// Seed-mean final scores.
    pub uniform: f64,
    pub jest: f64,
    pub oracle: Option<f64>,
    pub independent: Option<f64>,
    /// JEST − uniform, oracle − uniform (what a perfect noise filter recovers) and
    /// JEST − oracle (what it does not explain), paired by seed, 95% intervals.
    pub jest_gain: CensoredInterval,
    pub oracle_gain: Option<CensoredInterval>,
    pub remainder: Option<CensoredInterval>,
    /// The same-data claim row of this world (its verdict and speed-up), if any.
    pub same_data: Option<SameData>,
    /// Per method: the concept diagnostics.
    pub methods: Vec<Diagnostics>,
}

/// A same-data row as the world map shows it.
#[derive(Clone, Debug, Serialize)]
pub struct SameData {
    pub id: String,
    pub short: String,
    pub verdict: Verdict,
    pub estimate: Option<CensoredInterval>,
}

/// One method's concept diagnostics in one world.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnostics {
    pub method: Method,
    pub final_score: f64,
    /// Head, torso and tail shares of the trained batches over the first and the
    /// last evaluation window, and of the super-batches offered over the last.
    pub early: [f64; 3],
    pub late: [f64; 3],
    pub offered: [f64; 3],
    /// Same-concept share of the trained batches' pairs (last window), and of the
    /// super-batches'.
    pub same_concept: f64,
    pub offered_same_concept: f64,
    /// Zero-shot accuracy on head, torso and tail concepts at the end.
    pub by_bucket: [f64; 3],
}

impl Diagnostics {
    fn of(c: &Cell) -> Option<Diagnostics> {
        let (first, last) = (c.concepts.first()?, c.concepts.last()?);
        Some(Diagnostics {
            method: c.method,
            final_score: c.final_score.map_or(f64::NAN, |f| f.point_estimate),
            early: first.selected,
            late: last.selected,
            offered: last.superbatch,
            same_concept: last.same_concept[0],
            offered_same_concept: last.same_concept[1],
            by_bucket: c.final_by_bucket,
        })
    }
}

/// How JEST's gain beyond the noise-filter oracle (the remainder) follows how far
/// JEST cuts the share of same-concept pairs in its batches below the oracle's,
/// across worlds: Pearson's r over the worlds where both are defined.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ConceptCut {
    pub r: f64,
    pub worlds: usize,
}

/// [`ConceptCut`] over `worlds`, where r is defined.
pub fn concept_cut(worlds: &[World]) -> Option<ConceptCut> {
    fn of(w: &World, m: Method) -> Option<&Diagnostics> {
        w.methods.iter().find(|d| d.method == m)
    }
    let (x, y): (Vec<f64>, Vec<f64>) = worlds
        .iter()
        .filter_map(|w| {
            let r = w.remainder.as_ref()?.point.mid;
            let cut = of(w, Method::ORACLE)?.same_concept - of(w, Method::JEST)?.same_concept;
            (r.is_finite() && cut.is_finite()).then_some((cut, r))
        })
        .unzip();
    let r = crate::stats::pearson(&x, &y);
    r.is_finite().then_some(ConceptCut { r, worlds: x.len() })
}

/// Every world with a uniform and a JEST cell, in cell order; none unless some
/// experiment sweeps a `dataset.` key (the worlds differ in their data).
pub fn worlds(
    cells: &[Cell],
    comparisons: &[Comparison],
    claims: &[Claim],
    est: &Estimator,
) -> Vec<World> {
    let swept_data = |exp: &str| {
        cells
            .iter()
            .filter(|c| c.experiment == exp)
            .any(|c| c.sweep.iter().any(|(k, _)| k.starts_with("dataset.")))
    };
    let mut out = Vec::new();
    for j in comparisons
        .iter()
        .filter(|c| cells[c.method].method == Method::JEST)
    {
        let cj = &cells[j.method];
        if !swept_data(&cj.experiment) || !cj.full_resolution {
            continue;
        }
        let of = |m: Method| {
            comparisons.iter().find(|c| {
                let x = &cells[c.method];
                x.method == m && x.experiment == cj.experiment && x.setting == cj.setting
            })
        };
        let (o, ind) = (of(Method::ORACLE), of(Method::INDEPENDENT_TOPK));
        let b = &cells[j.baseline];
        let base = stats::mean_replicates_in(&b.final_scores(), &b.groups());
        let seeds = [Some(j), o]
            .into_iter()
            .flatten()
            .flat_map(|c| [c.method, c.baseline])
            .map(|i| cells[i].units())
            .min()
            .unwrap_or(0);
        let u = j.baseline_final_score.point_estimate;
        let diff = |x: &[Option<f64>], y: &[Option<f64>], point: f64| {
            let reps: Vec<Option<Bounds>> = x
                .iter()
                .zip(y)
                .map(|(a, b)| Some(Bounds::exact((*a)? - (*b)?)))
                .collect();
            est.interval(Bounds::exact(point), &reps, seeds, Scale::Linear, 0.95)
        };
        let jv = j.final_score.point_estimate;
        let jest_gain = diff(&j.final_replicates, &base, jv - u);
        let (oracle_gain, remainder) = match o {
            Some(o) => {
                let ov = o.final_score.point_estimate;
                (
                    Some(diff(&o.final_replicates, &base, ov - u)),
                    Some(diff(&j.final_replicates, &o.final_replicates, jv - ov)),
                )
            }
            None => (None, None),
        };
        let same_data = claims
            .iter()
            .find(|r| {
                r.id.starts_with("same-data-")
                    && r.setting == cj.setting
                    && r.experiments == [cj.experiment.clone()]
            })
            .map(|r| SameData {
                id: r.id.clone(),
                short: r.short.clone(),
                verdict: r.verdict,
                estimate: r.estimate,
            });
        let mut methods = Vec::new();
        for m in [
            Method::UNIFORM,
            Method::INDEPENDENT_TOPK,
            Method::JEST,
            Method::ORACLE,
        ] {
            if let Some(c) = cells
                .iter()
                .find(|c| c.method == m && c.experiment == cj.experiment && c.setting == cj.setting)
            {
                methods.extend(Diagnostics::of(c));
            }
        }
        out.push(World {
            experiment: cj.experiment.clone(),
            setting: cj.setting.clone(),
            filter_ratio: cj.filter_ratio,
            seeds,
            uniform: u,
            jest: jv,
            oracle: o.map(|o| o.final_score.point_estimate),
            independent: ind.map(|i| i.final_score.point_estimate),
            jest_gain,
            oracle_gain,
            remainder,
            same_data,
            methods,
        });
    }
    out
}
