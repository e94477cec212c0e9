//! The claims table, its rules, and JEST's share of the oracle's gain as a small
//! table of its own.

use super::*;

/// The id of the oracle-share diagnostic: one small table of its own, not rows of
/// the claims table.
pub(super) const SHARE: &str = "oracle-share";
/// The heading of its table.
pub(super) const SHARE_HEADING: &str = "JEST's share of the oracle's gain";

/// JEST's share of the oracle's gain, per setting, in percent, as one small table.
fn oracle_shares(a: &Analysis, b: &mut Vec<Block>) {
    let rows: Vec<&crate::analysis::Claim> = a.claims.iter().filter(|c| c.id == SHARE).collect();
    if rows
        .iter()
        .all(|c| c.verdict == crate::analysis::Verdict::NotMeasured)
    {
        return;
    }
    let final_of = |exp: &str, setting: &str, m: crate::method::Method| {
        a.jest()
            .cells
            .iter()
            .find(|c| c.experiment == exp && c.setting == setting && c.method == m)
            .and_then(|c| c.final_score)
            .map_or("—".to_string(), |f| format!("{:.3}", f.point_estimate))
    };
    let pct = |v: f64| {
        if v.is_finite() {
            format!("{:.0}%", 100.0 * v)
        } else if v > 0.0 {
            "∞".into()
        } else {
            "n.r.".into()
        }
    };
    use crate::method::Method;
    let table: Vec<Vec<String>> = rows
        .iter()
        .filter(|c| c.verdict != crate::analysis::Verdict::NotMeasured)
        .map(|c| {
            let exp = c.experiments.first().map_or("", String::as_str);
            let share = match &c.estimate {
                Some(e) => format!(
                    "{} [{}, {}]",
                    pct(e.point.mid),
                    pct(e.lower_bound),
                    pct(e.upper_bound)
                ),
                None => "undefined: the oracle's gain is within its noise".into(),
            };
            vec![
                format!("{exp}: {}", world::world_name(&c.setting)),
                final_of(exp, &c.setting, Method::UNIFORM),
                final_of(exp, &c.setting, Method::ORACLE),
                final_of(exp, &c.setting, Method::JEST),
                share,
            ]
        })
        .collect();
    b.push(Block::Heading(3, SHARE_HEADING.into()));
    b.push(Block::Para("A diagnostic without a threshold (docs/methods.md §5): (JEST − uniform) / (oracle − uniform) in seed-mean final score, with its 95% bootstrap-t interval; above 100%, JEST gains more than a perfect noise filter. Undefined where the oracle's gain over uniform is within its noise (a share of noise is no number).".into()));
    b.push(Block::Table {
        header: [
            "setting",
            "uniform",
            "oracle",
            "JEST",
            "JEST's share of the oracle's gain",
        ]
        .map(String::from)
        .to_vec(),
        rows: table,
    });
}

pub(super) fn claims(a: &Analysis, b: &mut Vec<Block>) {
    if a.claims.is_empty() {
        return;
    }
    b.push(Block::Heading(2, "Claims".into()));
    let per_definition = |c: &crate::analysis::Claim, adjusted: bool| -> String {
        if c.definitions.is_empty() {
            return match (adjusted, c.estimate.as_ref()) {
                (_, None) => "—".into(),
                (_, Some(e)) => bracket(e),
            };
        }
        c.definitions
            .iter()
            .map(|d| {
                let ci = if adjusted { &d.adjusted } else { &d.estimate };
                if c.definitions.len() == 1 {
                    bracket(ci)
                } else {
                    format!("{}: {}", d.name, bracket(ci))
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    b.push(Block::Para("One section per claim: its rows (one per experiment and setting that measures it), each with its unadjusted and Holm-adjusted intervals and its verdict; the verdict words are in the glossary under the answer table, the rules in docs/methods.md §6.".into()));
    let mut ids: Vec<&str> = Vec::new();
    for c in a.claims.iter().filter(|c| c.id != SHARE) {
        if !ids.contains(&c.id.as_str()) {
            ids.push(&c.id);
        }
    }
    for id in ids {
        let rows: Vec<&crate::analysis::Claim> = a.claims.iter().filter(|c| c.id == id).collect();
        let c0 = rows[0];
        b.push(Block::Heading(3, heading(c0)));
        let secondary = if rows.iter().any(|c| !c.designated) {
            format!(
                " Rows marked secondary are not the claim's designated evidence: they are shown and judged, but the claim's verdict comes from {}.",
                c0.evidence
            )
        } else {
            String::new()
        };
        b.push(Block::Para(format!(
            "{}. The paper: {}. Rule: {} ({}; `{}`).{secondary}",
            c0.claim,
            crate::analysis::claims::paper_figure(&c0.id),
            c0.rule,
            c0.spec,
            c0.id
        )));
        b.push(Block::Table {
            header: [
                "measured",
                "95% CI",
                "Holm-adjusted CI (level)",
                "accounting",
                "verdict",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .iter()
                .map(|c| {
                    vec![
                        c.measured.clone(),
                        per_definition(c, false),
                        if c.definitions.is_empty() {
                            "—".into()
                        } else {
                            format!("{} ({:.4})", per_definition(c, true), c.adjusted_level)
                        },
                        c.accounting.clone(),
                        format!("**{}**", verdict_words(c)),
                    ]
                })
                .collect(),
        });
    }
    oracle_shares(a, b);
    b.push(Block::Details {
        summary: "How the verdicts are read, and the FLOP accountings".into(),
        blocks: vec![
            Block::Para("The paper's same-data figures (1.5x, 3x, 4.5x fewer iterations at f = 0.5, 0.8, 0.9 to reach the uniform baseline's final score) are the yardstick for runs on the same data. Its headline 13x and 10x compare JEST++ (a larger, better-curated reference) with a SigLIP model trained on other data; here they become horizon factors: how much longer uniform must train, on the same data, to match JEST's score (10x: in the paper's FLOP accounting, for cheap-scoring runs). A speed-up that never reached its target is censored — below a bound, never a 0 — and so is one reached within the first evaluation interval (at least a bound); the lower end of an interval places censored resamples least favourably, the upper end most favourably. A row that censored values decide reads \"holds as a bound\" or \"fails as a bound\" (the least favourable placement still decides it), or \"bounded by the sweep\" (they leave it open). A headline factor that uniform never matches because it levels off below JEST counts no iterations: it reads \"a higher ceiling, not a faster rate\", with the rate (JEST's speed-up to fixed fractions of uniform's own gain) and the ceiling gap (the final-score difference at the longest budget) beside it. Same-data rows are read at the budget the analysis protocol fixes (experiments/protocol.yaml, docs/methods.md §7), with every budget's verdict shown and the profile summarised in words. An \"up to\" claim measured in several settings also gets a row for the best of them, its interval a max-statistic band over the settings (corrected for keeping the best). A verdict whose situation the calibration finds the estimator not to cover (coverage below the protocol's 0.93) reads \"undecided\". Speed-ups are read two ways (docs/methods.md §6): with uniform's trained steps as numerator (the paper's) and with uniform's first-reaching step (iso-accuracy, stricter on plateaus); a row that holds under one and not the other is \"definition-sensitive\". Crossings are placed by monotone cubic interpolation and carry the bracket between the linear and the cubic placement; intervals are bootstrap-t (t(n − 1) × the bootstrap standard error, on the log scale for ratios), the estimator that `jestbench calibrate` found to cover (docs/statistics.md). Verdicts are read from intervals Holm-adjusted over the report's claim rows; the unadjusted 95% intervals stand beside them. Rows from experiments other than a claim's designated evidence are marked secondary.".into()),
            Block::Para("FLOP accountings: *paper* counts learner towers only, F(B + 2b) per scoring iteration and 3Fb per uniform one (the scoring forward reused for the chosen batch, cached reference embeddings free); *+ reference scoring* adds the reference's towers over each super-batch; *+ reference training* also adds its whole training; *executed* is what this harness ran: learner towers, every pair entry scored or trained on (the B×B-type work, logged as `flops_pairs`), the reference's pass over the pool.".into()),
        ],
    });
}

/// A claim's section heading in the claims table (and the answer's link to it):
/// its short name, with the method and task for the sampled networks' rows.
pub(super) fn heading(c: &crate::analysis::Claim) -> String {
    if crate::report::answer::swim(&c.id) {
        label(c)
    } else {
        c.short.clone()
    }
}

/// A row's verdict in words, a secondary row's without the sentence saying where
/// the claim is judged (its section says it once).
fn verdict_words(c: &crate::analysis::Claim) -> String {
    let tail = format!("); the claim is judged on {}", c.evidence);
    match c
        .verdict_text
        .strip_prefix("secondary evidence (")
        .and_then(|t| t.strip_suffix(&tail))
    {
        Some(inner) => format!("{inner} (secondary)"),
        None => c.verdict_text.clone(),
    }
}

/// A claim row's label on the report's claims figure: its short name and the
/// setting it measures (SWIM rows: the method and the task their claim names).
pub(super) fn label(c: &crate::analysis::Claim) -> String {
    if let Some(n) = c
        .setting
        .strip_prefix("best of ")
        .and_then(|t| t.split(' ').next())
    {
        return format!("{} · best of {n} settings", c.short);
    }
    if !c.setting.is_empty() {
        return format!("{} · {}", c.short, super::world::world_name(&c.setting));
    }
    if c.id.starts_with("swim-") {
        let method = c.claim.split_whitespace().next().unwrap_or("");
        if let (Some(open), true) = (c.claim.rfind('('), c.claim.ends_with(')')) {
            return format!(
                "{method} {} · {}",
                c.short,
                &c.claim[open + 1..c.claim.len() - 1]
            );
        }
    }
    c.short.clone()
}
