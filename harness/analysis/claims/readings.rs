//! What the claims built from several comparisons share (the ablations and the
//! trends): a comparison's speed-up under each reading, statistics of several
//! speed-ups with their bootstrap replicates combined index by index, the seeds
//! and experiments behind them, and how both readings are written.

use super::{show_bounds, Ctx, Measure};
use crate::analysis::cells::Axis;
use crate::analysis::compare::{Comparison, Reading, Target};
use crate::stats::Bounds;

/// A comparison's speed-up to uniform's final in iterations under one reading:
/// point and replicates.
pub(super) fn speedup(c: &Comparison, r: Reading) -> Option<(Bounds, &[Option<Bounds>])> {
    let (ci, reps) = c.speedup(Target::Final, Axis::Iterations).reading(r);
    Some((ci?.point, reps))
}

/// The fewest seeds behind any of the comparisons (their cells' completed runs).
pub(super) fn seeds_of<'a>(ctx: &Ctx, cs: impl IntoIterator<Item = &'a Comparison>) -> usize {
    cs.into_iter()
        .flat_map(|c| [c.method, c.baseline])
        .map(|i| ctx.cells[i].units())
        .min()
        .unwrap_or(0)
}

/// The experiments of the comparisons' cells.
pub(super) fn experiments_of<'a>(
    ctx: &Ctx,
    cs: impl IntoIterator<Item = &'a Comparison>,
) -> Vec<String> {
    cs.into_iter()
        .map(|c| ctx.cells[c.method].experiment.clone())
        .collect()
}

/// Index-wise combination of replicates (undefined where any part is).
pub(super) fn combine(
    parts: &[&[Option<Bounds>]],
    f: impl Fn(&[Bounds]) -> Bounds,
) -> Vec<Option<Bounds>> {
    let n = parts.iter().map(|p| p.len()).min().unwrap_or(0);
    (0..n)
        .map(|k| {
            let xs: Option<Vec<Bounds>> = parts.iter().map(|p| p[k]).collect();
            xs.map(|xs| f(&xs))
        })
        .collect()
}

/// Bootstrap replicates of one statistic.
pub(super) type Replicates = Vec<Option<Bounds>>;
/// Per reading: the statistic's value and replicates.
pub(super) type PerReading = Vec<(Reading, Bounds, Replicates)>;

/// Per reading, a statistic of several comparisons' speed-ups: its value and its
/// replicates (combined index by index), or None where a part is undefined.
pub(super) fn per_reading(
    cs: &[&Comparison],
    f: impl Fn(&[Bounds]) -> Bounds,
) -> Option<PerReading> {
    Reading::BOTH
        .iter()
        .map(|&r| {
            let parts: Vec<(Bounds, &[Option<Bounds>])> =
                cs.iter().map(|c| speedup(c, r)).collect::<Option<_>>()?;
            let point = f(&parts.iter().map(|p| p.0).collect::<Vec<_>>());
            let reps = combine(&parts.iter().map(|p| p.1).collect::<Vec<_>>(), &f);
            Some((r, point, reps))
        })
        .collect()
}

pub(super) fn measures(
    v: Vec<(Reading, Bounds, Vec<Option<Bounds>>)>,
    seeds: usize,
) -> Vec<Measure> {
    v.into_iter()
        .map(|(r, point, replicates)| Measure {
            name: r.name().into(),
            point,
            replicates,
            seeds,
        })
        .collect()
}

/// "trained steps: a; first-reaching: b".
pub(super) fn both_text(v: &[(Reading, Bounds, Replicates)], unit: &str) -> String {
    v.iter()
        .map(|(r, p, _)| format!("{} {}", show_bounds(*p, unit), short(*r)))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn short(r: Reading) -> &'static str {
    match r {
        Reading::Trained => "(trained steps)",
        Reading::FirstReaching => "(first-reaching)",
    }
}
