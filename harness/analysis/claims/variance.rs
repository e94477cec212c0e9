//! Where a claim row's uncertainty lives (docs/methods.md §7): the world and
//! learner components of its comparisons' per-run effect (the method's final
//! score minus uniform's, seed by seed), pooled over the row's comparisons with
//! each comparison centred on its own mean. A world is one draw of one
//! experiment: the comparisons of an experiment share its worlds (each world's
//! runs of every setting are one group, as the nested bootstrap resamples them).

use super::{Claim, Ctx};
use crate::method::Method;
use crate::stats::components::{components, Components};

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
    let (mut values, mut groups) = (Vec::new(), Vec::new());
    let experiments: Vec<&String> = {
        let mut e: Vec<&String> = chosen
            .iter()
            .map(|c| &ctx.cells[c.method].experiment)
            .collect();
        e.sort();
        e.dedup();
        e
    };
    for c in &chosen {
        let k = experiments
            .iter()
            .position(|e| **e == ctx.cells[c.method].experiment)
            .unwrap_or(0);
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
        let mean = pairs.iter().map(|p| p.0).sum::<f64>() / pairs.len() as f64;
        for (d, w) in pairs {
            values.push(d - mean);
            groups.push(Some(((k as u64) << 32) | (w & 0xffff_ffff)));
        }
    }
    components(&values, &groups)
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
