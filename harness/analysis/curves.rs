//! The calibrated speed-up of one selector over uniform from per-seed learning
//! curves given as arrays (the Python package's `speedup`): the curves become
//! rows in the minimal results schema and go through the analysis every report
//! runs, so the figure is the report's to the last digit.

use serde::Serialize;

use super::claims::{Rule, Verdict};
use super::compare::{Reading, Target};
use super::{Analysis, Axis};
use crate::log::Row;
use crate::stats::CensoredInterval;
use crate::stats::Estimator;
use crate::train::{foreign, JestRow};

/// One reading of the speed-up (docs/methods.md §6).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ReadSpeedup {
    /// The estimate (NaN when censored), and the bounds it is known within.
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// The 95% interval; an end at ±∞ is open.
    pub lower: f64,
    pub upper: f64,
    /// Share of bootstrap resamples whose speed-up is censored.
    pub censored_share: f64,
    /// The verdict against the threshold, when one was given.
    pub verdict: Option<Verdict>,
}

/// Both readings, and their one verdict.
#[derive(Clone, Debug, Serialize)]
pub struct CurveSpeedup {
    /// Uniform's seed-mean final score: the level both readings are to.
    pub target_score: f64,
    /// Uniform's trained steps over the selector's first-reaching step (the paper's).
    pub trained: Option<ReadSpeedup>,
    /// Uniform's first-reaching step over the selector's (iso-accuracy).
    pub first_reaching: Option<ReadSpeedup>,
    /// `Verdict::combine` of the two readings' verdicts (definition-sensitive when
    /// they disagree); `None` without a threshold.
    pub verdict: Option<Verdict>,
}

/// Per-seed curves: `baseline[s][k]` and `selector[s][k]` at `steps[k]`.
/// Seeds are paired by index when both give the same number.
pub fn speedup(
    steps: &[usize],
    baseline: &[Vec<f64>],
    selector: &[Vec<f64>],
    threshold: Option<f64>,
    worlds: Option<&[u64]>,
) -> Result<CurveSpeedup, String> {
    if let Some(w) = worlds {
        if w.len() != baseline.len() || w.len() != selector.len() {
            return Err(format!(
                "worlds: {} entries; give one per seed row ({} baseline, {} selector rows, paired by row)",
                w.len(),
                baseline.len(),
                selector.len()
            ));
        }
    }
    if steps.len() < 2 {
        return Err(format!(
            "steps: {} evaluation points; give at least 2",
            steps.len()
        ));
    }
    if let Some(k) = steps.windows(2).position(|w| w[1] <= w[0]) {
        return Err(format!(
            "steps: must increase, but steps[{}] = {} follows {}",
            k + 1,
            steps[k + 1],
            steps[k]
        ));
    }
    for (name, curves) in [("baseline", baseline), ("selector", selector)] {
        if curves.len() < 2 {
            return Err(format!(
                "{name}: {} seeds; give at least 2 (rows are seeds)",
                curves.len()
            ));
        }
        for (s, c) in curves.iter().enumerate() {
            if c.len() != steps.len() {
                return Err(format!(
                    "{name}: seed {s} has {} points, steps has {}",
                    c.len(),
                    steps.len()
                ));
            }
            if let Some(k) = c.iter().position(|x| !x.is_finite()) {
                return Err(format!(
                    "{name}: entry [{s}, {k}] is {}: scores must be finite",
                    c[k]
                ));
            }
        }
    }
    if let Some(t) = threshold {
        if !(t.is_finite() && t > 0.0) {
            return Err(format!("threshold {t}: must be a positive number"));
        }
    }
    let mut text = foreign::REQUIRED.join(",") + "\n";
    for (method, f, curves) in [("uniform", 0.0, baseline), ("jest", 0.5, selector)] {
        for (seed, c) in curves.iter().enumerate() {
            for (step, y) in steps.iter().zip(c) {
                text += &format!("curves,{method},{f},{seed},{step},{y:e}\n");
            }
        }
    }
    let mut rows = foreign::parse(&text)?;
    // Seeds of one world are resampled together (docs/methods.md §7).
    if let Some(w) = worlds {
        for r in &mut rows {
            let seed = r.common().seed as usize;
            if let Some(j) = r.get_mut::<JestRow>() {
                j.world = w.get(seed).copied();
            }
        }
    }
    let est = Estimator::CHOSEN;
    let mut a = Analysis::begin(&rows, Vec::new(), false, &est).map_err(|e| e.to_string())?;
    let rows: Vec<JestRow> = rows.into_iter().filter_map(Row::take).collect();
    let part = super::jest::analyse(&rows, &est, false, &mut a);
    a.parts.insert(crate::method::Family::JEST, part);
    let c = a
        .jest()
        .comparisons
        .first()
        .ok_or("no comparison: the curves have no complete runs")?;
    let s = c.speedup(Target::Final, Axis::Iterations);
    let rule = threshold.map(Rule::AtLeast);
    let read = |r: Reading| -> Option<ReadSpeedup> {
        let ci: CensoredInterval = s.reading(r).0?;
        Some(ReadSpeedup {
            estimate: ci.point.mid,
            low: ci.point.lo,
            high: ci.point.hi,
            lower: ci.lower_bound,
            upper: ci.upper_bound,
            censored_share: ci.censored_share,
            verdict: rule.map(|r| r.verdict(&ci)),
        })
    };
    let (trained, first_reaching) = (read(Reading::Trained), read(Reading::FirstReaching));
    let verdicts: Vec<Verdict> = [trained, first_reaching]
        .iter()
        .flatten()
        .filter_map(|r| r.verdict)
        .collect();
    Ok(CurveSpeedup {
        target_score: s.target_score,
        trained,
        first_reaching,
        verdict: rule.map(|_| Verdict::combine(&verdicts)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_speed_up_is_found_and_bad_shapes_are_named() {
        // Uniform on g(s), the selector on g(2s): a 2x speed-up.
        let steps: Vec<usize> = (0..=10).map(|k| k * 100).collect();
        let g = |s: f64, seed: usize| 0.3 + 0.4 * (1.0 - (-s / 333.0).exp()) + 0.002 * seed as f64;
        let curves = |k: f64| -> Vec<Vec<f64>> {
            (0..5)
                .map(|seed| steps.iter().map(|&s| g(k * s as f64, seed)).collect())
                .collect()
        };
        let r = speedup(&steps, &curves(1.0), &curves(2.0), Some(1.5), None).unwrap();
        let t = r.trained.unwrap();
        assert!((t.estimate - 2.0).abs() < 0.1, "{t:?}");
        assert!(t.lower <= 2.0 && 2.0 <= t.upper, "{t:?}");
        assert_eq!(r.verdict, Some(Verdict::Holds));
        let e = speedup(&steps, &curves(1.0)[..1], &curves(2.0), None, None).unwrap_err();
        assert!(e.contains("baseline: 1 seeds"), "{e}");
        let mut short = curves(2.0);
        short[3].pop();
        let e = speedup(&steps, &curves(1.0), &short, None, None).unwrap_err();
        assert!(
            e.contains("selector: seed 3 has 10 points, steps has 11"),
            "{e}"
        );
    }
}
