//! Each experiment's figures: learning curves, speed-ups against a swept key,
//! iso-accuracy curves and diagnostics, folded in the report.

use super::*;
use crate::analysis::Knob;

pub(super) fn figures(
    a: &Analysis,
    exp: &str,
    idx: &[usize],
    comps: &[&Comparison],
    b: &mut Vec<Block>,
) -> Result<(), ReportError> {
    let mut settings: Vec<&str> = idx
        .iter()
        .map(|&i| a.jest().cells[i].setting.as_str())
        .collect();
    settings.sort_by(|x, y| crate::names::natural_cmp(x, y));
    settings.dedup();
    let mut curves = Vec::new();
    let mut diagnostics = Vec::new();
    for setting in settings {
        let group: Vec<&Cell> = idx
            .iter()
            .map(|&i| &a.jest().cells[i])
            .filter(|c| c.setting == setting)
            .collect();
        let name = if setting.is_empty() {
            "all".to_string()
        } else {
            setting.replace(';', ", ")
        };
        let tag = slug(if setting.is_empty() { "all" } else { setting });
        for axis in Axis::PLOTTED {
            curves.push(Block::Figure {
                file: format!("{}-curves-{tag}-{}.svg", slug(exp), axis.name()),
                svg: svg::learning_curves(&format!("{exp}: {name}"), &group, axis)?,
                caption: format!(
                    "{exp}, {name}: seed-mean score vs {} with point-wise 95% bootstrap bands.",
                    axis.label()
                ),
            });
        }
        if let Some(s) =
            svg::clean_shares(&format!("{exp}: clean pairs trained on, {name}"), &group)?
        {
            diagnostics.push(Block::Figure {
                file: format!("{}-clean-{tag}.svg", slug(exp)),
                svg: s,
                caption: format!("{exp}, {name}: seed-mean share of clean pairs in the batches each selector trained on, per evaluation window; grey, in the super-batches offered."),
            });
        }
        if let Some(s) =
            svg::tail_shares(&format!("{exp}: tail concepts trained on, {name}"), &group)?
        {
            diagnostics.push(Block::Figure {
                file: format!("{}-concepts-{tag}.svg", slug(exp)),
                svg: s,
                caption: format!("{exp}, {name}: seed-mean share of tail concepts (the least frequent concepts, together a third of the pool) in the batches each selector trained on, per evaluation window; grey, in the super-batches offered. Above grey: the selector rebalances the stream towards rare concepts."),
            });
        }
        if let Some(s) = svg::filtering(&format!("{exp}: filtering, {name}"), &group)? {
            diagnostics.push(Block::Figure {
                file: format!("{}-filtering-{tag}.svg", slug(exp)),
                svg: s,
                caption: format!("{exp}, {name}: of the pairs each selector dropped, the share that were corrupted (precision), and of the corrupted pairs offered, the share it dropped (recall)."),
            });
        }
        let refs: Vec<&Cell> = group.clone();
        if let Some(s) = svg::learnability(&format!("{exp}: learnability, {name}"), &refs)? {
            diagnostics.push(Block::Figure {
                file: format!("{}-learnability-{tag}.svg", slug(exp)),
                svg: s,
                caption: format!("{exp}, {name}: seed-mean learnability (Σ_ij A_ij / b) of the batches each selector trained on, on the model state that chose them."),
            });
        }
    }
    let mut trends = Vec::new();
    for knob in Knob::ALL {
        let key = knob.key();
        let panels = svg::speedup_vs(knob, &a.jest().cells, comps)?;
        let n = panels.len();
        for (k, s) in panels.into_iter().enumerate() {
            let part = if n > 1 {
                format!("-{}", k + 1)
            } else {
                String::new()
            };
            trends.push(Block::Figure {
                file: format!("{}-speedup-vs-{}{part}.svg", slug(exp), slug(key)),
                svg: s,
                caption: format!("{exp}: iteration speed-up to uniform's final score vs {key}, with 95% CIs (1 = no speed-up){}.", if n > 1 { format!(", panel {} of {n} (the same x axis, each panel its own y range)", k + 1) } else { String::new() }),
            });
        }
    }
    for knob in Knob::SCALE {
        // Only for a ladder: an experiment a scale claim on this knob designates
        // (the batch-size ablation sweeps b at a fixed super-batch, not a rung).
        let ladder = crate::analysis::claims::CLAIMS.iter().any(|d| {
            matches!(d.statistic, crate::analysis::claims::Statistic::ScaleTrend { knob: k } if k == knob)
                && d.designated().iter().any(|e| e == exp)
        });
        if !ladder {
            continue;
        }
        if let Some(s) = svg::scale_extrapolation(knob, &a.jest().cells, comps)? {
            let key = knob.key();
            trends.push(Block::Figure {
                file: format!("{}-scale-{}.svg", slug(exp), slug(key)),
                svg: s,
                caption: format!("{exp}: JEST's iteration speed-up to uniform's final (trained-steps reading, 95% CIs) at each rung of {key}, the pooled fit of log2 speed-up on log2 {key} (one intercept per setting; censored rungs drawn, not fitted) and, right of the grey vertical line, its extension two doublings past the ladder inside the 95% prediction band: an extrapolation, not a verdict (docs/methods.md §5 Scale trends)."),
            });
        }
    }
    b.extend(trends);
    // Per-cell figures on pages of their own: the report's page stays light.
    let page = |file: String, title: String, blocks: Vec<Block>| Block::Page {
        file,
        title,
        blocks,
    };
    if !diagnostics.is_empty() {
        b.push(page(
            format!("{}-diagnostics", slug(exp)),
            format!("{exp}: selection diagnostics (kinds of pairs, filtering, learnability), per setting"),
            diagnostics,
        ));
    }
    b.push(page(
        format!("{}-curves", slug(exp)),
        format!("{exp}: learning curves, per setting"),
        curves,
    ));
    Ok(())
}
