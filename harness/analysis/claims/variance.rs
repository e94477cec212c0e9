//! Where a claim row's uncertainty lives (docs/methods.md §7): the world and
//! learner components of its comparisons' per-run effect (the method's final
//! score minus uniform's, seed by seed), each of the row's comparisons
//! decomposed on its own and the components averaged. A world is one draw of
//! one experiment: the comparisons of an experiment share its worlds, and the
//! interval resamples them together.

use super::{Claim, Ctx};
use crate::method::Method;
use crate::stats::components::{pooled, Components};

/// The components behind `row`: its experiments' comparisons of a selector with
/// uniform, those of its setting where it names one; `None` where no run drew a
/// world (or too few did).
pub(super) fn of_row(ctx: &Ctx, row: &Claim) -> Option<Components> {
    let ours: Vec<_> = ctx
        .comparisons
        .iter()
        .filter(|c| {
            let m = &ctx.cells[c.method];
            row.experiments.contains(&m.experiment)
                && ctx.cells[c.baseline].method == Method::UNIFORM
                && !ctx.is_repeat(c)
        })
        .collect();
    let parts: Vec<&str> = row.setting.split(';').filter(|p| !p.is_empty()).collect();
    let in_setting: Vec<_> = ours
        .iter()
        .copied()
        .filter(|c| {
            let s = &ctx.cells[c.method].sweep;
            !parts.is_empty()
                && parts
                    .iter()
                    .all(|p| s.iter().any(|(k, v)| *p == format!("{k}={v}")))
        })
        .collect();
    let chosen = if in_setting.is_empty() {
        ours
    } else {
        in_setting
    };
    // The selector's own comparisons where the row has any besides the oracle's.
    let not_oracle: Vec<_> = chosen
        .iter()
        .copied()
        .filter(|c| ctx.cells[c.method].method != Method::ORACLE)
        .collect();
    let chosen = if not_oracle.is_empty() {
        chosen
    } else {
        not_oracle
    };
    let experiments: Vec<&String> = {
        let mut e: Vec<&String> = chosen
            .iter()
            .map(|c| &ctx.cells[c.method].experiment)
            .collect();
        e.sort();
        e.dedup();
        e
    };
    let mut sets = Vec::new();
    let mut learners = 0;
    for c in &chosen {
        let k = experiments
            .iter()
            .position(|e| **e == ctx.cells[c.method].experiment)
            .unwrap_or(0) as u64;
        let base: std::collections::BTreeMap<u64, f64> = ctx.cells[c.baseline]
            .complete()
            .iter()
            .map(|r| (r.seed, r.final_score()))
            .collect();
        let pairs: Vec<(f64, u64)> = ctx.cells[c.method]
            .complete()
            .iter()
            .filter_map(|r| Some((r.final_score() - base.get(&r.seed)?, r.world?)))
            .collect();
        if pairs.is_empty() {
            continue;
        }
        let worlds: std::collections::BTreeSet<u64> = pairs.iter().map(|p| p.1).collect();
        learners = learners.max(pairs.len() / worlds.len());
        let groups = pairs
            .iter()
            .map(|p| Some((k << 32) | (p.1 & 0xffff_ffff)))
            .collect();
        sets.push((pairs.iter().map(|p| p.0).collect(), groups));
    }
    pooled(&sets, learners)
}

/// The sentence a row's measurement ends with.
pub(super) fn words(c: Option<&Components>) -> String {
    match c {
        Some(c) => format!(
            "Variance of the per-run effect (final score minus uniform's): {}.",
            c.words()
        ),
        None => "Variance: one world (the data, curated set, reference and evaluation set held fixed; the interval is over learner seeds only).".into(),
    }
}
