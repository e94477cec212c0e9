//! The `train` section as a file writes it: the selector as a word (the results'
//! method names, or the older `independent` with `mode`), resolved into
//! [`TrainSpec`]'s selector and mode on reading.

use serde::Deserialize;

use super::{
    default_beta1, default_beta2, default_clip_norm, default_eps, default_gain, default_lr,
    default_n_chunks, default_scoring, default_weight_decay, FlexiSpec, TrainSpec,
};
use crate::score::Scoring;
use crate::select::{IndependentMode, SelectorWord};

/// The `train` section as written: [`TrainSpec`]'s keys with the selector as a
/// word and `mode` optional. Defaults here are the schema's defaults (README).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TrainFile {
    steps: usize,
    batch_size: usize,
    #[serde(default)]
    filter_ratio: Option<f64>,
    #[serde(default)]
    super_batch: Option<usize>,
    #[serde(default = "uniform")]
    selector: SelectorWord,
    #[serde(default = "default_scoring")]
    scoring: Scoring,
    #[serde(default)]
    mode: Option<IndependentMode>,
    #[serde(default = "default_n_chunks")]
    n_chunks: usize,
    #[serde(default = "default_gain")]
    gain: f64,
    #[serde(default = "default_lr")]
    lr: f64,
    #[serde(default)]
    warmup_steps: usize,
    #[serde(default = "default_beta1")]
    beta1: f64,
    #[serde(default = "default_beta2")]
    beta2: f64,
    #[serde(default = "default_eps")]
    eps: f64,
    #[serde(default = "default_weight_decay")]
    weight_decay: f64,
    #[serde(default = "default_clip_norm")]
    clip_norm: f64,
    #[serde(default)]
    flexi: FlexiSpec,
}

impl TryFrom<TrainFile> for TrainSpec {
    type Error = String;

    fn try_from(f: TrainFile) -> Result<TrainSpec, String> {
        let (selector, mode) = f.selector.resolve(f.mode)?;
        Ok(TrainSpec {
            steps: f.steps,
            batch_size: f.batch_size,
            filter_ratio: f.filter_ratio,
            super_batch: f.super_batch,
            selector,
            scoring: f.scoring,
            mode,
            n_chunks: f.n_chunks,
            gain: f.gain,
            lr: f.lr,
            warmup_steps: f.warmup_steps,
            beta1: f.beta1,
            beta2: f.beta2,
            eps: f.eps,
            weight_decay: f.weight_decay,
            clip_norm: f.clip_norm,
            flexi: f.flexi,
        })
    }
}

fn uniform() -> SelectorWord {
    SelectorWord::find("uniform").expect("uniform is registered")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn train(yaml: &str) -> Result<TrainSpec, String> {
        serde_yaml::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn each_spelling_gives_one_configuration_and_one_hash() {
        let base = "steps: 10\nbatch_size: 8\n";
        for (new, old) in [
            ("selector: independent_topk", "selector: independent"),
            (
                "selector: independent_topk",
                "selector: independent\nmode: topk",
            ),
            (
                "selector: independent_sample",
                "selector: independent\nmode: sample",
            ),
            (
                "selector: independent_sample\nmode: sample",
                "selector: independent\nmode: sample",
            ),
            ("selector: jest", "selector: jest\nmode: topk"),
        ] {
            let a = train(&format!("{base}{new}")).unwrap();
            let b = train(&format!("{base}{old}")).unwrap();
            assert_eq!(a, b, "{new} vs {old}");
            assert_eq!(crate::names::config_hash(&a), crate::names::config_hash(&b));
            assert!(!serde_yaml::to_string(&a).unwrap().contains("independent_"));
        }
        let t = train(&format!("{base}selector: independent_sample")).unwrap();
        assert_eq!(t.method().as_str(), "independent_sample");
    }

    #[test]
    fn a_name_and_a_mode_that_disagree_are_refused() {
        let e = train("steps: 10\nbatch_size: 8\nselector: independent_topk\nmode: sample")
            .unwrap_err();
        assert!(
            e.contains("`independent_topk` contradicts `mode: sample`"),
            "{e}"
        );
        let e = train("steps: 10\nbatch_size: 8\nselector: indepedent_topk").unwrap_err();
        assert!(e.contains("independent_sample"), "{e}");
    }

    #[test]
    fn the_file_form_has_every_key_of_the_spec() {
        // A key added to TrainSpec but not to TrainFile would be dropped silently
        // on reading: every serialised key must read back to the same spec.
        let t = train(
            "steps: 3\nbatch_size: 4\nfilter_ratio: 0.5\nselector: jest\nscoring: hard_learner\nn_chunks: 2\ngain: 3\nlr: 0.1\nwarmup_steps: 1\nbeta1: 0.5\nbeta2: 0.6\neps: 0.001\nweight_decay: 0.2\nclip_norm: 2\nflexi: {resolution: 2, score_low_res: true, low_res_share: 0.5}",
        )
        .unwrap();
        let back = train(&serde_yaml::to_string(&t).unwrap()).unwrap();
        assert_eq!(t, back);
        let keys = serde_yaml::to_value(&t).unwrap();
        assert_eq!(keys.as_mapping().unwrap().len(), 17);
    }
}
