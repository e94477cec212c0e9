//! What changed between two analyses of the same claims (`jestbench compare OLD
//! NEW`), as criterion.rs says what changed between two benchmark runs: per claim
//! row, the change in its estimate with a 95% interval, "improved", "regressed"
//! or "no change" by whether that interval excludes no change, and whether the
//! verdict moved; then what differs in configuration and provenance.
//!
//! The two analyses' seeds are independent samples: on the claim's scale (log
//! for ratios) the change is the difference of the estimates, its standard error
//! the root sum of squares of their bootstrap standard errors, and the interval
//! uses Student's t with the smaller seed count less one degrees of freedom
//! (Welch's approximation, conservatively). A censored estimate on either side
//! leaves the change unmeasured, and says so.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::claims::{Claim, Rule, Verdict, CLAIMS};
use super::Analysis;
use crate::stats::interval::t_quantile;
use crate::stats::Scale;

/// How a claim row moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    Improved,
    Regressed,
    NoChange,
    /// Censored or without an interval on one side.
    NotComparable,
    OnlyOld,
    OnlyNew,
}

impl Movement {
    pub fn text(self) -> &'static str {
        match self {
            Movement::Improved => "improved",
            Movement::Regressed => "regressed",
            Movement::NoChange => "no change",
            Movement::NotComparable => "not comparable (censored or no interval)",
            Movement::OnlyOld => "only in OLD",
            Movement::OnlyNew => "only in NEW",
        }
    }
}

/// One claim row in both analyses.
#[derive(Clone, Debug, Serialize)]
pub struct RowChange {
    /// The claim id and the row's place among that claim's rows of its experiments.
    pub key: String,
    pub claim: String,
    pub old_verdict: Option<String>,
    pub new_verdict: Option<String>,
    pub old_estimate: Option<f64>,
    pub new_estimate: Option<f64>,
    /// NEW over OLD (ratios) or NEW minus OLD (differences), with its interval.
    pub change: Option<(f64, f64, f64)>,
    pub scale: Scale,
    pub movement: Movement,
}

impl RowChange {
    pub fn verdict_changed(&self) -> bool {
        self.old_verdict != self.new_verdict
    }
}

/// Everything that differs.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub rows: Vec<RowChange>,
    /// Sweep cells (experiment, configuration hash) in one analysis only.
    pub cells_only_old: Vec<String>,
    pub cells_only_new: Vec<String>,
    pub old_commits: Vec<String>,
    pub new_commits: Vec<String>,
}

impl Change {
    pub fn regressions(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.movement == Movement::Regressed)
            .count()
    }
}

/// Claim rows keyed by id, their experiments and their place among those.
fn keyed(a: &Analysis) -> BTreeMap<String, &Claim> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for c in &a.claims {
        let group = (c.id.clone(), c.experiments.join(","));
        let n = seen.entry(group.clone()).or_default();
        out.insert(format!("{}[{}]#{}", group.0, group.1, n), c);
        *n += 1;
    }
    out
}

/// Whether a larger value is better for this claim (its rule's direction).
fn higher_is_better(id: &str) -> bool {
    let rule = CLAIMS
        .iter()
        .find(|d| d.id == id)
        .map_or(Rule::AtLeast(0.0), |d| d.rule());
    rule != Rule::NotPositive
}

fn scale_of(c: &Claim) -> Scale {
    c.estimate.map_or(Scale::Log, |e| e.scale)
}

/// The change of one row: (change, lower, upper) on the claim's own terms.
fn row_change(old: &Claim, new: &Claim) -> Option<(f64, f64, f64)> {
    let (o, n) = (old.estimate?, new.estimate?);
    let (po, pn) = (o.point.value()?, n.point.value()?);
    if !(o.se.is_finite() && n.se.is_finite()) || o.seeds < 2 || n.seeds < 2 {
        return None;
    }
    let scale = o.scale;
    let to = |v: f64| match scale {
        Scale::Log => v.ln(),
        Scale::Linear => v,
    };
    let back = |v: f64| match scale {
        Scale::Log => v.exp(),
        Scale::Linear => v,
    };
    if scale == Scale::Log && (po <= 0.0 || pn <= 0.0) {
        return None;
    }
    let d = to(pn) - to(po);
    let se = (o.se * o.se + n.se * n.se).sqrt();
    let t = t_quantile(o.seeds.min(n.seeds) - 1, 0.975);
    Some((back(d), back(d - t * se), back(d + t * se)))
}

/// OLD against NEW.
pub fn change(old: &Analysis, new: &Analysis) -> Change {
    let (ko, kn) = (keyed(old), keyed(new));
    let keys: BTreeSet<&String> = ko.keys().chain(kn.keys()).collect();
    let mut rows = Vec::new();
    for key in keys {
        let (o, n) = (ko.get(key), kn.get(key));
        let judged = |c: &&Claim| !matches!(c.verdict, Verdict::NotMeasured);
        // A claim neither side measures is no change to report.
        if !o.is_some_and(judged) && !n.is_some_and(judged) {
            continue;
        }
        let any = o.or(n).expect("a key from one side");
        let scale = scale_of(any);
        let change = match (o, n) {
            (Some(o), Some(n)) if judged(o) && judged(n) => row_change(o, n),
            _ => None,
        };
        let movement = match (o, n, change) {
            (Some(_), None, _) => Movement::OnlyOld,
            (None, Some(_), _) => Movement::OnlyNew,
            (_, _, None) => Movement::NotComparable,
            (_, _, Some((_, lo, hi))) => {
                let none = if scale == Scale::Log { 1.0 } else { 0.0 };
                let better = higher_is_better(&any.id);
                if lo > none {
                    if better {
                        Movement::Improved
                    } else {
                        Movement::Regressed
                    }
                } else if hi < none {
                    if better {
                        Movement::Regressed
                    } else {
                        Movement::Improved
                    }
                } else {
                    Movement::NoChange
                }
            }
        };
        let value = |c: Option<&&Claim>| c.and_then(|c| c.estimate).and_then(|e| e.point.value());
        rows.push(RowChange {
            key: key.clone(),
            claim: format!("{} ({})", any.short, any.experiments.join(", ")),
            old_verdict: o.map(|c| c.verdict.text().to_string()),
            new_verdict: n.map(|c| c.verdict.text().to_string()),
            old_estimate: value(o),
            new_estimate: value(n),
            change,
            scale,
            movement,
        });
    }
    let cells = |a: &Analysis| -> BTreeSet<String> {
        a.jest()
            .cells
            .iter()
            .map(|c| format!("{} {} ({})", c.experiment, c.label(), c.config_hash))
            .collect()
    };
    let (co, cn) = (cells(old), cells(new));
    Change {
        rows,
        cells_only_old: co.difference(&cn).cloned().collect(),
        cells_only_new: cn.difference(&co).cloned().collect(),
        old_commits: old.commits.clone(),
        new_commits: new.commits.clone(),
    }
}
