//! The world map (issue 29): one row per world of the experiments that sweep their
//! data, with the same-data verdict there, JEST's gain over uniform split into what
//! the noise-filter oracle recovers and what remains, and the concept diagnostics.

use super::Block;
use crate::analysis::world::{Diagnostics, World};
use crate::analysis::Analysis;
use crate::method::Method;
use crate::stats::CensoredInterval;

/// A world's setting in short words: `misaligned=0.5, zipf=1.5, curated=pool`.
pub(super) fn world_name(setting: &str) -> String {
    if setting.is_empty() {
        return "(one setting)".into();
    }
    setting
        .split(';')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let k = k.rsplit('.').next().unwrap_or(k);
            let k = match k {
                "curated_concepts" => "curated",
                "filter_ratio" => "f",
                other => other,
            };
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn gain(ci: &CensoredInterval) -> String {
    format!(
        "{:+.3} [{:+.3}, {:+.3}]",
        ci.point.mid, ci.lower_bound, ci.upper_bound
    )
}

fn opt_gain(ci: &Option<CensoredInterval>) -> String {
    ci.as_ref().map_or("—".into(), gain)
}

fn of(w: &World, m: Method) -> Option<&Diagnostics> {
    w.methods.iter().find(|d| d.method == m)
}

fn pair(w: &World, f: impl Fn(&Diagnostics) -> String) -> String {
    match (of(w, Method::JEST), of(w, Method::ORACLE)) {
        (Some(j), Some(o)) => format!("{} / {}", f(j), f(o)),
        (Some(j), None) => f(j),
        _ => "—".into(),
    }
}

fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{:.0}%", 100.0 * v)
    } else {
        "—".into()
    }
}

fn acc(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "—".into()
    }
}

/// Counts of a gain's intervals above, below and straddling zero.
fn signs<'a>(cis: impl Iterator<Item = &'a CensoredInterval>) -> (usize, usize, usize) {
    cis.fold((0, 0, 0), |(up, down, open), ci| {
        if ci.lower_bound > 0.0 {
            (up + 1, down, open)
        } else if ci.upper_bound < 0.0 {
            (up, down + 1, open)
        } else {
            (up, down, open + 1)
        }
    })
}

/// The world map section, when the analysis has worlds.
pub(super) fn world_map(a: &Analysis, b: &mut Vec<Block>) {
    let worlds = &a.jest().worlds;
    if worlds.is_empty() {
        return;
    }
    b.push(Block::Heading(2, "World map".into()));
    let verdicts: Vec<String> = worlds
        .iter()
        .filter_map(|w| w.same_data.as_ref().map(|s| s.verdict.text().to_string()))
        .collect();
    let mut tally: Vec<(String, usize)> = Vec::new();
    for v in &verdicts {
        match tally.iter_mut().find(|(t, _)| t == v) {
            Some((_, n)) => *n += 1,
            None => tally.push((v.clone(), 1)),
        }
    }
    let (up, down, open) = signs(worlds.iter().filter_map(|w| w.remainder.as_ref()));
    let with_oracle = up + down + open;
    let mut para = format!(
        "{} worlds (settings of experiments that sweep their data). The same-data verdict per world (one schedule, secondary evidence; the paper's figure for the world's f): {}. JEST's final score over the noise-filter oracle's (the \"rest\" column, 95% interval paired by seed): above it in {up} of {with_oracle} worlds, below in {down}, undecided in {open}.",
        worlds.len(),
        if tally.is_empty() {
            "none".to_string()
        } else {
            tally
                .iter()
                .map(|(t, n)| format!("{t} in {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    // Does the rest follow how far JEST cuts same-concept pairs (in-batch
    // negatives that are not negatives) below the oracle's batches?
    if let Some(c) = a.jest().concept_cut {
        para.push_str(&format!(
            " Across worlds, the rest correlates at r = {:.2} ({} worlds) with how far JEST cuts the share of same-concept pairs in its batches (in a contrastive loss, negatives that are not negatives) below the oracle's.",
            c.r, c.worlds
        ));
    }
    b.push(Block::Para(para));
    let rows: Vec<Vec<String>> = worlds
        .iter()
        .map(|w| {
            let same = match &w.same_data {
                Some(s) => match &s.estimate {
                    Some(e) => format!(
                        "{}: {:.2}x {}",
                        s.verdict.text(),
                        e.point.mid,
                        super::bracket(e)
                    ),
                    None => s.verdict.text().to_string(),
                },
                None => "—".into(),
            };
            vec![
                format!("{}: {}", w.experiment, world_name(&w.setting)),
                format!("{}", w.filter_ratio),
                format!("{:.3}", w.uniform),
                w.oracle.map_or("—".into(), |v| format!("{v:.3}")),
                format!("{:.3}", w.jest),
                gain(&w.jest_gain),
                opt_gain(&w.oracle_gain),
                opt_gain(&w.remainder),
                same,
                pair(w, |d| format!("{} ({})", pct(d.late[2]), pct(d.offered[2]))),
                pair(w, |d| {
                    format!("{} ({})", pct(d.same_concept), pct(d.offered_same_concept))
                }),
                pair(w, |d| d.by_bucket.map(acc).join("·")),
            ]
        })
        .collect();
    let labels: Vec<String> = worlds
        .iter()
        .map(|w| format!("{}: {}", w.experiment, world_name(&w.setting)))
        .collect();
    let short = |v: &str| -> String {
        match v {
            "holds at this scale" => "holds".into(),
            "does not hold at this scale" => "does not hold".into(),
            other => other.split([',', ' ']).next().unwrap_or(other).into(),
        }
    };
    let speedups = super::svg::heatmap::Column {
        title: "same-data speed-up, verdict".into(),
        log: true,
        cells: worlds
            .iter()
            .map(|w| match &w.same_data {
                Some(s) => {
                    let exact = s.estimate.as_ref().filter(|e| !e.point.is_censored());
                    (
                        exact.map(|e| e.point.mid),
                        match exact {
                            Some(e) => format!("{:.2}x {}", e.point.mid, short(s.verdict.text())),
                            None => short(s.verdict.text()),
                        },
                    )
                }
                None => (None, "—".into()),
            })
            .collect(),
    };
    let gains =
        |title: &str, pick: &dyn Fn(&crate::analysis::world::World) -> Option<CensoredInterval>| {
            super::svg::heatmap::Column {
                title: title.into(),
                log: false,
                cells: worlds
                    .iter()
                    .map(|w| match pick(w) {
                        Some(ci) => (Some(ci.point.mid), format!("{:+.3}", ci.point.mid)),
                        None => (None, "—".into()),
                    })
                    .collect(),
            }
        };
    let columns = [
        speedups,
        gains("JEST − uniform", &|w| Some(w.jest_gain)),
        gains("oracle − uniform (noise)", &|w| w.oracle_gain),
        gains("JEST − oracle (rest)", &|w| w.remainder),
    ];
    if let Ok(svg) = super::svg::heatmap::heatmap(
        "World map: worlds by same-data speed-up and JEST's gains",
        &labels,
        &columns,
    ) {
        b.push(Block::Figure {
            file: "world-map.svg".into(),
            svg,
            caption: "One row per world: the same-data speed-up to uniform's final (its verdict beside it; grey where censored) and the final-score gains, each column coloured on its own scale. The table below gives every interval and the concept diagnostics.".into(),
        });
    }
    let table = Block::Table {
        header: [
            "world",
            "f",
            "uniform",
            "oracle",
            "JEST",
            "JEST − uniform",
            "oracle − uniform (noise)",
            "JEST − oracle (rest)",
            "same-data speed-up (verdict)",
            "tail share, JEST / oracle (offered)",
            "same-concept pairs, JEST / oracle (offered)",
            "zero-shot head·torso·tail, JEST / oracle",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    b.push(Block::Details {
        summary: "The world map as a table: every interval, the concept diagnostics".into(),
        blocks: vec![table],
    });
    b.push(Block::Para("Scores are seed-mean final zero-shot accuracies. The noise column is what a perfect filter of corrupted pairs gains over uniform (the oracle trains on clean pairs only); the rest is what JEST gains beyond it. Concept buckets are equal-mass thirds of the pool ranked by concept frequency (head: the most frequent concepts, a third of the pool together); a uniform draw sees about a third of each. Tail share and same-concept pairs (the share of a batch's pairs whose two items share a concept: in a contrastive loss, negatives that are not negatives) are over the last evaluation window; zero-shot accuracy by bucket is over the eval concepts of each bucket (— where the eval set has none).".into()));
}
