//! `summary.csv`: one row per (comparison, target, axis), the numbers of the
//! speed-up tables in machine-readable form; `claims.csv`: the claims table.

use crate::analysis::Analysis;

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
        "baseline_x",
        "speedup",
        "speedup_kind",
        "speedup_bound",
        "speedup_lower",
        "speedup_upper",
        "censored_share",
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
    for c in &a.jest().comparisons {
        let (cell, base) = (&a.jest().cells[c.method], &a.jest().cells[c.baseline]);
        for s in &c.speedups {
            let (pt, kind, bound, lo, hi, share) = match s.interval {
                Some(i) => {
                    let (kind, bound) = if i.point.is_exact() {
                        ("exact", i.point.lo)
                    } else if i.point.hi.is_infinite() {
                        ("at_least", i.point.lo)
                    } else {
                        ("below", i.point.hi)
                    };
                    (
                        i.point.value().map_or(String::new(), num),
                        kind.to_string(),
                        num(bound),
                        num(i.lower_bound),
                        num(i.upper_bound),
                        num(i.censored_share),
                    )
                }
                None => (
                    String::new(),
                    "undefined".into(),
                    String::new(),
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
                s.target.name(),
                num(s.target_score),
                s.axis.name().into(),
                num(s.baseline_x),
                pt,
                kind,
                bound,
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

/// The claims table as CSV (what `index` summarises).
pub fn claims_csv(a: &Analysis) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "short",
        "spec",
        "claim",
        "measured",
        "point",
        "ci_lower",
        "ci_upper",
        "holm_lower",
        "holm_upper",
        "holm_level",
        "threshold",
        "verdict",
        "verdict_detail",
        "designated",
        "experiments",
        "setting",
        "seeds",
        "censored_share",
        "definition",
        "p_value",
    ])
    .expect("in-memory csv");
    for c in &a.claims {
        let ends = |e: Option<crate::stats::CensoredInterval>| {
            e.map_or((String::new(), String::new()), |e| {
                (e.lower_bound.to_string(), e.upper_bound.to_string())
            })
        };
        let (lo, hi) = ends(c.estimate);
        let (alo, ahi) = ends(c.adjusted);
        let point = c.estimate.map_or(String::new(), |e| {
            e.point.value().map_or(String::new(), |v| v.to_string())
        });
        w.write_record([
            c.id.as_str(),
            c.short.as_str(),
            c.spec.as_str(),
            c.claim.as_str(),
            c.measured.as_str(),
            &point,
            &lo,
            &hi,
            &alo,
            &ahi,
            &c.adjusted_level.to_string(),
            &c.threshold.map_or(String::new(), |t| t.to_string()),
            c.verdict.text(),
            &c.verdict_text,
            if c.designated { "yes" } else { "no" },
            &c.experiments.join(" "),
            &c.setting,
            &c.estimate.map_or(String::new(), |e| e.seeds.to_string()),
            &c.estimate
                .map_or(String::new(), |e| e.censored_share.to_string()),
            &c.definitions
                .first()
                .map_or(String::new(), |d| d.name.clone()),
            &c.p_value.map_or(String::new(), |p| p.to_string()),
        ])
        .expect("in-memory csv");
    }
    String::from_utf8(w.into_inner().expect("in-memory csv")).expect("utf-8")
}
