//! One name per selector. Experiment files and the CLI take the names the results'
//! `method` column and the reports use: `uniform`, `independent_topk`,
//! `independent_sample`, `jest`, `oracle`. The older spelling, `independent` with
//! `train.mode`, still reads, so every committed file keeps its meaning; a run's
//! configuration is serialised as `selector` + `mode` whichever way it was written,
//! so its hash (and so its run id) does not depend on the spelling.

use serde::Deserialize;

use super::recipe::{
    default_beta1, default_beta2, default_clip_norm, default_eps, default_gain, default_lr,
    default_n_chunks, default_scoring, default_weight_decay, FlexiSpec, IndependentMode, Scoring,
    SelectorName, TrainSpec,
};

/// A selector as a user writes it (`train.selector`, `--selector`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SelectorWord {
    Uniform,
    IndependentTopk,
    IndependentSample,
    Jest,
    Oracle,
    /// The older spelling: independent prioritisation with `train.mode` (top-k by default).
    Independent,
}

impl SelectorWord {
    /// The selector and independent prioritisation's mode this word names, given
    /// the `mode` written beside it (if any). A name that says its mode and a
    /// `mode` that says the other is refused rather than resolved silently.
    pub fn resolve(
        self,
        mode: Option<IndependentMode>,
    ) -> Result<(SelectorName, IndependentMode), String> {
        let named = match self {
            SelectorWord::IndependentTopk => Some(IndependentMode::Topk),
            SelectorWord::IndependentSample => Some(IndependentMode::Sample),
            _ => None,
        };
        if let (Some(n), Some(m)) = (named, mode) {
            if n != m {
                return Err(format!(
                    "selector `{}` contradicts `mode: {}`: the name says the mode, so drop `mode` (or write the other name)",
                    self.as_str(),
                    mode_str(m)
                ));
            }
        }
        let mode = named.or(mode).unwrap_or(IndependentMode::Topk);
        let name = match self {
            SelectorWord::Uniform => SelectorName::Uniform,
            SelectorWord::IndependentTopk
            | SelectorWord::IndependentSample
            | SelectorWord::Independent => SelectorName::Independent,
            SelectorWord::Jest => SelectorName::Jest,
            SelectorWord::Oracle => SelectorName::Oracle,
        };
        Ok((name, mode))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SelectorWord::Uniform => "uniform",
            SelectorWord::IndependentTopk => "independent_topk",
            SelectorWord::IndependentSample => "independent_sample",
            SelectorWord::Jest => "jest",
            SelectorWord::Oracle => "oracle",
            SelectorWord::Independent => "independent",
        }
    }
}

fn mode_str(m: IndependentMode) -> &'static str {
    match m {
        IndependentMode::Topk => "topk",
        IndependentMode::Sample => "sample",
    }
}

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
    SelectorWord::Uniform
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
            assert_eq!(super::super::config_hash(&a), super::super::config_hash(&b));
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
