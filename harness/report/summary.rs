//! `summary.csv`: one row per (comparison, target, axis), the numbers of the
//! speed-up tables in machine-readable form.

use crate::analysis::Analysis;
use crate::stats::Reached;

pub fn csv(a: &Analysis) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "experiment",
        "method",
        "setting",
        "baseline",
        "target",
        "target_score",
        "axis",
        "baseline_reached",
        "method_reached",
        "speedup",
        "speedup_lower",
        "speedup_upper",
        "not_reached_share",
        "final_score",
        "final_lower",
        "final_upper",
        "baseline_final_score",
        "welch_t",
        "welch_df",
        "p_value",
        "p_holm",
        "hedges_g",
    ])
    .expect("in-memory csv");
    let num = |v: f64| {
        if v.is_finite() {
            v.to_string()
        } else {
            String::new()
        }
    };
    let reached = |r: Reached| match r {
        Reached::At(x) => x.to_string(),
        Reached::Never => "never".into(),
    };
    for c in &a.comparisons {
        let (cell, base) = (&a.cells[c.method], &a.cells[c.baseline]);
        for s in &c.speedups {
            let (pt, lo, hi, share) = match s.interval {
                Some(i) => (
                    num(i.point_estimate),
                    num(i.lower_bound),
                    num(i.upper_bound),
                    num(i.undefined_share),
                ),
                None => (
                    "not reached".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ),
            };
            w.write_record([
                cell.experiment.clone(),
                cell.method.to_string(),
                cell.setting.clone(),
                base.label(),
                s.target.name().into(),
                num(s.target_score),
                s.axis.name().into(),
                reached(s.baseline_reached),
                reached(s.method_reached),
                pt,
                lo,
                hi,
                share,
                num(c.final_score.point_estimate),
                num(c.final_score.lower_bound),
                num(c.final_score.upper_bound),
                num(c.baseline_final_score.point_estimate),
                c.welch.map_or(String::new(), |x| num(x.t)),
                c.welch.map_or(String::new(), |x| num(x.df)),
                c.welch.map_or(String::new(), |x| num(x.p_value)),
                num(c.holm_p),
                c.hedges_g.map_or(String::new(), num),
            ])
            .expect("in-memory csv");
        }
    }
    String::from_utf8(w.into_inner().expect("in-memory csv")).expect("utf-8")
}
