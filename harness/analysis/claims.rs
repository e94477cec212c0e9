//! The claims table: each claim of SPEC §1, the measured value with its 95% CI, the
//! accounting used, and a verdict by a rule written next to it.

use serde::Serialize;

use super::cells::{Axis, Cell, Target};
use super::compare::Comparison;
use crate::experiment::Method;
use crate::stats::{self, percentile_interval, Interval};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Holds,
    DoesNotHold,
    Inconclusive,
    NotMeasured,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Holds => "holds at this scale",
            Verdict::DoesNotHold => "does not hold at this scale",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotMeasured => "not measured in these results",
        }
    }
}

/// One row of the claims table.
#[derive(Clone, Debug, Serialize)]
pub struct Claim {
    pub claim: String,
    /// What was measured, in words (which cells, which statistic).
    pub measured: String,
    pub estimate: Option<Interval>,
    pub accounting: String,
    pub verdict: Verdict,
    pub rule: String,
}

/// Verdict on a threshold: holds if the CI's lower bound ≥ t, fails if its upper < t.
fn against(ci: &Interval, t: f64) -> Verdict {
    if ci.lower_bound >= t {
        Verdict::Holds
    } else if ci.upper_bound < t || ci.upper_bound.is_nan() {
        Verdict::DoesNotHold
    } else {
        Verdict::Inconclusive
    }
}

fn not_measured(claim: &str, rule: &str, accounting: &str) -> Claim {
    Claim {
        claim: claim.into(),
        measured: "—".into(),
        estimate: None,
        accounting: accounting.into(),
        verdict: Verdict::NotMeasured,
        rule: rule.into(),
    }
}

/// Replicate-wise combination of several comparisons' speed-up replicates
/// (undefined — did not reach — counts as a speed-up of 0 here).
fn combine(parts: &[&[Option<f64>]], f: impl Fn(&[f64]) -> f64) -> Vec<Option<f64>> {
    let n = parts.iter().map(|p| p.len()).min().unwrap_or(0);
    (0..n)
        .map(|k| {
            let xs: Vec<f64> = parts.iter().map(|p| p[k].unwrap_or(0.0)).collect();
            let v = f(&xs);
            v.is_finite().then_some(v)
        })
        .collect()
}

fn point(values: &[Option<f64>], f: impl Fn(&[f64]) -> f64) -> f64 {
    let xs: Vec<f64> = values.iter().map(|v| v.unwrap_or(0.0)).collect();
    f(&xs)
}

struct Ctx<'a> {
    cells: &'a [Cell],
    comparisons: &'a [Comparison],
}

impl Ctx<'_> {
    /// Comparisons of `method` whose setting sweeps exactly `key` among the keys
    /// that vary, sorted by that key's value.
    fn along(&self, method: Method, key: &str) -> Vec<(f64, &Comparison)> {
        let mut v: Vec<(f64, &Comparison)> = self
            .comparisons
            .iter()
            .filter(|c| self.cells[c.method].method == method)
            .filter_map(|c| Some((self.cells[c.method].numeric(key)?, c)))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Several experiments may sweep the key: keep the one with most levels.
        let best = v
            .iter()
            .map(|(_, c)| self.cells[c.method].experiment.clone())
            .max_by_key(|e| {
                v.iter()
                    .filter(|(_, c)| &self.cells[c.method].experiment == e)
                    .count()
            });
        v.retain(|(_, c)| Some(&self.cells[c.method].experiment) == best.as_ref());
        v
    }

    fn speedup<'b>(&self, c: &'b Comparison, axis: Axis) -> (Option<f64>, &'b [Option<f64>]) {
        let s = c.speedup(Target::Final, axis);
        (s.interval.map(|i| i.point_estimate), &s.replicates)
    }
}

/// The largest speed-up of `method` over any cell, on `axis`, against `threshold`.
fn headline(ctx: &Ctx, claim: &str, axis: Axis, threshold: f64) -> Claim {
    let rule = format!(
        "the largest seed-mean speed-up to uniform's final score over all JEST cells; holds if its 95% CI lies at or above {threshold}x, does not hold if the CI lies below, else inconclusive"
    );
    let best = ctx
        .comparisons
        .iter()
        .filter(|c| ctx.cells[c.method].method == Method::Jest)
        .filter_map(|c| Some((c.speedup(Target::Final, axis).interval?, c)))
        .max_by(|a, b| a.0.point_estimate.total_cmp(&b.0.point_estimate));
    match best {
        None => not_measured(claim, &rule, axis.label()),
        Some((ci, c)) => Claim {
            claim: claim.into(),
            measured: format!(
                "{:.2}x ({})",
                ci.point_estimate,
                ctx.cells[c.method].label()
            ),
            estimate: Some(ci),
            accounting: axis.label().into(),
            verdict: against(&ci, threshold),
            rule,
        },
    }
}

/// A statistic of several comparisons, with its bootstrap CI, judged against 0.
fn signed(
    claim: &str,
    measured: String,
    accounting: &str,
    rule: &str,
    pt: f64,
    reps: &[Option<f64>],
) -> Claim {
    let ci = percentile_interval(pt, reps, 0.95);
    Claim {
        claim: claim.into(),
        measured,
        estimate: Some(ci),
        accounting: accounting.into(),
        verdict: above_zero(&ci),
        rule: rule.into(),
    }
}

/// Against 0: holds if the CI lies above 0, fails if it lies below, else inconclusive.
fn above_zero(ci: &Interval) -> Verdict {
    if ci.lower_bound > 0.0 {
        Verdict::Holds
    } else if ci.upper_bound < 0.0 {
        Verdict::DoesNotHold
    } else {
        Verdict::Inconclusive
    }
}

/// Slope of `method`'s speed-up along a swept key, with its CI.
fn slope_claim(ctx: &Ctx, claim: &str, method: Method, key: &str, what: &str) -> Claim {
    let axis = Axis::Iterations;
    let rule = format!(
        "least-squares slope of the iteration speed-up (to uniform's final score) against {what}, bootstrapped over seeds; holds if its 95% CI lies above 0, does not hold if below, else inconclusive"
    );
    let pts = ctx.along(method, key);
    if pts.len() < 2 {
        return not_measured(claim, &rule, axis.label());
    }
    let xs: Vec<f64> = pts.iter().map(|(x, _)| *x).collect();
    let parts: Vec<&[Option<f64>]> = pts.iter().map(|(_, c)| ctx.speedup(c, axis).1).collect();
    let points: Vec<Option<f64>> = pts.iter().map(|(_, c)| ctx.speedup(c, axis).0).collect();
    let reps = combine(&parts, |ys| stats::slope(&xs, ys));
    let pt = point(&points, |ys| stats::slope(&xs, ys));
    let shown: Vec<String> = pts
        .iter()
        .zip(&points)
        .map(|((x, _), s)| match s {
            Some(s) => format!("{x}: {s:.2}x"),
            None => format!("{x}: not reached"),
        })
        .collect();
    signed(
        claim,
        format!("slope {pt:.3} ({})", shown.join(", ")),
        axis.label(),
        &rule,
        pt,
        &reps,
    )
}

pub fn claims(cells: &[Cell], comparisons: &[Comparison]) -> Vec<Claim> {
    let ctx = Ctx { cells, comparisons };
    let mut out = vec![
        headline(
            &ctx,
            "Up to 13x fewer iterations than uniform (JEST)",
            Axis::Iterations,
            13.0,
        ),
        headline(
            &ctx,
            "Up to 10x fewer FLOPs than uniform (JEST)",
            Axis::FlopsPaper,
            10.0,
        ),
        slope_claim(
            &ctx,
            "(a) JEST's gains grow with the filtering ratio f",
            Method::Jest,
            "train.filter_ratio",
            "f",
        ),
    ];

    // (b) joint beats independent, at matched f; independent does not improve with f.
    let claim_b = "(b) Joint selection beats independent prioritisation";
    let rule_b = "mean over matched settings of (JEST − independent) iteration speed-up, bootstrapped; holds if its 95% CI lies above 0, does not hold if below, else inconclusive";
    let axis = Axis::Iterations;
    let mut pairs = Vec::new();
    for c in comparisons
        .iter()
        .filter(|c| cells[c.method].method == Method::Jest)
    {
        let twin = comparisons.iter().find(|o| {
            cells[o.method].method.is_independent()
                && cells[o.method].experiment == cells[c.method].experiment
                && cells[o.method].setting == cells[c.method].setting
        });
        if let Some(o) = twin {
            pairs.push((c, o));
        }
    }
    if pairs.is_empty() {
        out.push(not_measured(claim_b, rule_b, axis.label()));
    } else {
        let mut parts = Vec::new();
        let mut points = Vec::new();
        for (j, i) in &pairs {
            parts.push(ctx.speedup(j, axis).1);
            parts.push(ctx.speedup(i, axis).1);
            points.push(ctx.speedup(j, axis).0);
            points.push(ctx.speedup(i, axis).0);
        }
        let diff = |v: &[f64]| stats::mean(&v.chunks(2).map(|p| p[0] - p[1]).collect::<Vec<_>>());
        let reps = combine(&parts, diff);
        let pt = point(&points, diff);
        out.push(signed(
            claim_b,
            format!("mean difference {pt:.2}x over {} settings", pairs.len()),
            axis.label(),
            rule_b,
            pt,
            &reps,
        ));
    }
    let mut ind = slope_claim(
        &ctx,
        "(b') Independent prioritisation does not improve with f",
        Method::IndependentSample,
        "train.filter_ratio",
        "f",
    );
    if ind.verdict == Verdict::NotMeasured {
        ind = slope_claim(
            &ctx,
            &ind.claim,
            Method::IndependentTopk,
            "train.filter_ratio",
            "f",
        );
    }
    // The claim is the absence of a rise: a CI above 0 refutes it; a slope at or
    // below 0 supports it; a positive slope whose CI reaches 0 is inconclusive.
    ind.rule = "slope of independent's iteration speed-up against f, bootstrapped; does not hold if its 95% CI lies above 0 (it does improve with f), holds if the slope is at most 0, else inconclusive".into();
    ind.verdict = match (ind.verdict, ind.estimate) {
        (Verdict::NotMeasured, _) => Verdict::NotMeasured,
        (Verdict::Holds, _) => Verdict::DoesNotHold,
        (_, Some(ci)) if ci.point_estimate <= 0.0 => Verdict::Holds,
        _ => Verdict::Inconclusive,
    };
    out.push(ind);

    // (c) learnability beats hard learner and easy reference.
    let claim_c = "(c) Learnability scoring beats hard-learner and easy-reference scoring";
    let rule_c = "JEST's iteration speed-up with learnability minus the better of the other two rules, bootstrapped; holds if its 95% CI lies above 0, does not hold if below, else inconclusive";
    let by_rule = |rule: &str| {
        comparisons.iter().find(|c| {
            cells[c.method].method == Method::Jest
                && cells[c.method]
                    .sweep
                    .iter()
                    .any(|(k, v)| k == "train.scoring" && v == rule)
        })
    };
    match (
        by_rule("learnability"),
        by_rule("hard_learner"),
        by_rule("easy_reference"),
    ) {
        (Some(l), Some(h), Some(e)) => {
            let parts = [
                ctx.speedup(l, axis).1,
                ctx.speedup(h, axis).1,
                ctx.speedup(e, axis).1,
            ];
            let points = [
                ctx.speedup(l, axis).0,
                ctx.speedup(h, axis).0,
                ctx.speedup(e, axis).0,
            ];
            let f = |v: &[f64]| v[0] - v[1].max(v[2]);
            let reps = combine(&parts, f);
            let pt = point(&points, f);
            let show = |s: Option<f64>| s.map_or("not reached".to_string(), |s| format!("{s:.2}x"));
            out.push(signed(
                claim_c,
                format!(
                    "learnability {}, hard learner {}, easy reference {}",
                    show(points[0]),
                    show(points[1]),
                    show(points[2])
                ),
                axis.label(),
                rule_c,
                pt,
                &reps,
            ));
        }
        _ => out.push(not_measured(claim_c, rule_c, axis.label())),
    }

    out.push(slope_claim(
        &ctx,
        "(d) A better-curated reference gives larger gains",
        Method::Jest,
        "reference.quality",
        "reference quality q",
    ));

    // (e) smaller learning batch at fixed super-batch costs little.
    let claim_e = "(e) Shrinking the learning batch at a fixed super-batch costs little";
    let rule_e = "JEST's seed-mean final score at the smallest b minus at the largest b (same B, same iterations), bootstrapped; holds if its 95% CI lies above −0.01 (one accuracy point), does not hold if it lies below, else inconclusive";
    let mut by_b: Vec<(f64, &Comparison)> = comparisons
        .iter()
        .filter(|c| cells[c.method].method == Method::Jest)
        .filter_map(|c| Some((cells[c.method].numeric("train.batch_size")?, c)))
        .collect();
    by_b.sort_by(|a, b| a.0.total_cmp(&b.0));
    if by_b.len() >= 2 {
        let (small, large) = (by_b[0], by_b[by_b.len() - 1]);
        let parts = [&small.1.final_replicates[..], &large.1.final_replicates[..]];
        let f = |v: &[f64]| v[0] - v[1];
        let reps = combine(&parts, f);
        let pt = small.1.final_score.point_estimate - large.1.final_score.point_estimate;
        let ci = percentile_interval(pt, &reps, 0.95);
        let verdict = against(&ci, -0.01);
        out.push(Claim {
            claim: claim_e.into(),
            measured: format!(
                "b = {}: {:.3}, b = {}: {:.3}, difference {pt:+.3}",
                small.0,
                small.1.final_score.point_estimate,
                large.0,
                large.1.final_score.point_estimate
            ),
            estimate: Some(ci),
            accounting: "final zero-shot accuracy at equal iterations".into(),
            verdict,
            rule: rule_e.into(),
        });
    } else {
        out.push(not_measured(claim_e, rule_e, "final zero-shot accuracy"));
    }
    out
}
