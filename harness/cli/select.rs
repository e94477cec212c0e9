//! `jestbench select`: run a selector on embeddings from files.
//!
//! The four files hold one super-batch: row i of each is candidate i's learner and
//! reference embeddings of views A and B. Rows are used as given (normalise them if
//! your model does). Logits are t·<a_i, b_j> + c with each model's t and c from flags.

use std::path::{Path, PathBuf};

use super::UsageError;
use crate::data::files::read_view;
use crate::data::Matrix;
use crate::experiment::{parse_name, IndependentMode, Scoring, SelectorWord};
use crate::score::{needs, ScoreMatrix, Scores};
use crate::select::{self, ChoiceError};

#[derive(clap::Args, Debug)]
pub struct SelectArgs {
    /// Learner embeddings of view A (.npy or .csv), one row per candidate.
    #[arg(long)]
    pub learner_a: PathBuf,
    /// Learner embeddings of view B.
    #[arg(long)]
    pub learner_b: PathBuf,
    /// Reference embeddings of view A.
    #[arg(long)]
    pub reference_a: Option<PathBuf>,
    /// Reference embeddings of view B.
    #[arg(long)]
    pub reference_b: Option<PathBuf>,
    /// Learning batch size b.
    #[arg(long)]
    pub b: usize,
    /// uniform, independent_topk, independent_sample or jest (the results' method
    /// names; `independent` with --mode is the older spelling).
    #[arg(long, default_value = "jest", value_parser = parse_name::<SelectorWord>)]
    pub selector: SelectorWord,
    /// learnability, hard_learner or easy_reference.
    #[arg(long, default_value = "learnability", value_parser = parse_name::<Scoring>)]
    pub scoring: Scoring,
    /// With `--selector independent`: topk (the default) or sample.
    #[arg(long, value_parser = parse_name::<IndependentMode>)]
    pub mode: Option<IndependentMode>,
    /// JEST's number of chunks: the batch of b is drawn in this many blocks of
    /// b / n_chunks, each conditioned on the blocks before it (b must divide).
    #[arg(long, default_value_t = 16)]
    pub n_chunks: usize,
    /// The sampling temperature's inverse: each block is drawn with probabilities
    /// proportional to exp(gain × conditional score); large is near-greedy.
    #[arg(long, default_value_t = 100.0)]
    pub gain: f64,
    /// Seed of the draw (ChaCha8): the same inputs and seed give the same batch.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The learner's temperature t (not its log).
    #[arg(long, default_value_t = 10.0)]
    pub learner_temperature: f64,
    /// The learner's logit bias c (SigLIP's sigmoid loss: logits t·<a, b> + c).
    #[arg(long, default_value_t = -10.0, allow_hyphen_values = true)]
    pub learner_bias: f64,
    /// The reference's temperature t (not its log).
    #[arg(long, default_value_t = 10.0)]
    pub reference_temperature: f64,
    /// The reference's logit bias c.
    #[arg(long, default_value_t = -10.0, allow_hyphen_values = true)]
    pub reference_bias: f64,
    /// Also print the score matrix A and each chunk's conditional scores.
    #[arg(long)]
    pub dump_scores: bool,
}

/// The largest super-batch whose mean learnability is printed: it reads every
/// one of the B² entries (about a second at this size), selection O(B·b).
const MEAN_MAX: usize = 16_384;

fn load(path: &Path) -> anyhow::Result<Matrix> {
    Ok(read_view(path, "label")?.features)
}

/// Checks the flags against the `n` candidates before anything is computed: the
/// choice they ask for, through the library's check, its messages naming the flags.
fn check_flags(args: &SelectArgs, n: usize) -> Result<select::Choice, UsageError> {
    let (name, mode) = args
        .selector
        .resolve(args.mode)
        .map_err(|m| UsageError(format!("--selector {}: {m}", args.selector.as_str())))?;
    if name.registration().needs_kinds {
        return Err(UsageError(format!(
            "--selector {} needs to know which pairs are clean, which embeddings from files do not say",
            args.selector.as_str()
        )));
    }
    let choice = select::Choice {
        settings: select::Settings {
            selector: name,
            mode,
            n_chunks: args.n_chunks,
            gain: args.gain,
        },
        scoring: args.scoring,
        b: args.b,
        seed: args.seed,
        trace: args.dump_scores,
    };
    choice.check(n).map_err(|e| {
        UsageError(match e {
            ChoiceError::BatchSize { b, n } => {
                format!("--b {b}: must be between 1 and the {n} candidates")
            }
            ChoiceError::Chunks { b, n_chunks } => {
                format!("--b {b} is not divisible by --n-chunks {n_chunks}")
            }
            ChoiceError::Gain(g) => format!("--gain {g}: must be finite"),
        })
    })?;
    for (name, v) in [
        ("--learner-temperature", args.learner_temperature),
        ("--reference-temperature", args.reference_temperature),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(UsageError(format!("{name} {v}: must be a positive number")));
        }
    }
    Ok(choice)
}

pub fn select(args: SelectArgs) -> anyhow::Result<()> {
    let la = load(&args.learner_a)?;
    let lb = load(&args.learner_b)?;
    let n = la.rows;
    let same_shape = |m: &Matrix, p: &Path| -> Result<(), UsageError> {
        if m.rows != n || m.cols != la.cols {
            return Err(UsageError(format!(
                "{}: {}×{} embeddings, but {} holds {}×{}: every file must hold the same candidates at the same width",
                p.display(), m.rows, m.cols, args.learner_a.display(), n, la.cols
            )));
        }
        Ok(())
    };
    same_shape(&lb, &args.learner_b)?;
    let choice = check_flags(&args, n)?;
    let name = choice.settings.selector;
    let (_, needs_r) = needs(args.scoring);
    // The reference is read when the rule needs it and the selector scores, or
    // when its A is to be printed.
    let reference = if needs_r && (name.scores() || args.dump_scores) {
        match (&args.reference_a, &args.reference_b) {
            (Some(pa), Some(pb)) => {
                let (ra, rb) = (load(pa)?, load(pb)?);
                if ra.rows != n || rb.rows != n {
                    return Err(UsageError(format!(
                        "reference files must hold the same {n} candidates"
                    ))
                    .into());
                }
                if ra.cols != rb.cols {
                    return Err(
                        UsageError("reference A and B embeddings differ in width".into()).into(),
                    );
                }
                Some((ra, rb))
            }
            _ if name.scores() => {
                return Err(UsageError(format!(
                    "scoring `{}` needs --reference-a and --reference-b",
                    args.scoring.as_str()
                ))
                .into())
            }
            _ => None,
        }
    } else {
        None
    };
    let embeddings = select::Embeddings {
        learner: (&la, &lb),
        reference: reference.as_ref().map(|(a, b)| (a, b)),
        learner_model: select::PairModel {
            temperature: args.learner_temperature,
            bias: args.learner_bias,
        },
        reference_model: select::PairModel {
            temperature: args.reference_temperature,
            bias: args.reference_bias,
        },
    };
    let at = |m: String| UsageError(format!("{}: {m}", args.learner_a.display()));
    // A's entries on demand (the training loop's fused path, which checks the
    // embeddings first); the whole matrix only for --dump-scores, and only where
    // the rule's models were given.
    let scorable = !needs_r || reference.is_some();
    let fused = if name.scores() || (args.dump_scores && scorable) {
        Some(embeddings.fused(args.scoring).map_err(UsageError)?)
    } else {
        embeddings.check().map_err(UsageError)?;
        None
    };
    let dense = match (&fused, args.dump_scores) {
        (Some(f), true) => {
            select::check_score_memory(n).map_err(at)?;
            Some(f.matrix())
        }
        _ => None,
    };
    let scores: Option<&dyn Scores> = fused
        .as_ref()
        .filter(|_| name.scores())
        .map(|f| f as &dyn Scores);
    let sel = select::choose(n, scores, None, &choice).map_err(UsageError)?;
    print(&args, scores, dense.as_ref(), &sel);
    Ok(())
}

fn print(
    args: &SelectArgs,
    scores: Option<&dyn Scores>,
    dense: Option<&ScoreMatrix>,
    sel: &select::Selection,
) {
    let join = |v: &[usize]| {
        v.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    say!("chosen: {}", join(&sel.chosen));
    if let Some(a) = scores {
        say!("learnability: {:.6}", a.batch_learnability(&sel.chosen));
        if a.len() <= MEAN_MAX {
            say!(
                "super-batch mean learnability: {:.6}",
                a.mean_learnability(args.b)
            );
        } else {
            say!(
                "super-batch mean learnability: not computed for B = {} > {MEAN_MAX} (it reads all B² entries; selection reads O(B·b))",
                a.len()
            );
        }
    }
    if !args.dump_scores {
        return;
    }
    let Some(a) = dense else {
        say!(
            "A: not computed (scoring `{}` needs --reference-a and --reference-b)",
            args.scoring.as_str()
        );
        return;
    };
    let n = a.n;
    say!(
        "A ({n}×{n}, rows i, columns j, scoring {}):",
        args.scoring.as_str()
    );
    for i in 0..n {
        let row: Vec<String> = (0..n).map(|j| format!("{:.6}", a.get(i, j))).collect();
        say!("{}", row.join(" "));
    }
    for (k, c) in sel.chunks.iter().enumerate() {
        say!("chunk {k}: chosen {}", join(&c.chosen));
        let scores: Vec<String> = c
            .scores
            .iter()
            .map(|s| {
                if s.is_nan() {
                    "-".into()
                } else {
                    format!("{s:.6}")
                }
            })
            .collect();
        say!("chunk {k} conditional scores: {}", scores.join(" "));
    }
}
