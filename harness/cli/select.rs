//! `jestbench select`: run a selector on embeddings from files.
//!
//! The four files hold one super-batch: row i of each is candidate i's learner and
//! reference embeddings of views A and B. Rows are used as given (normalise them if
//! your model does). Logits are t·<a_i, b_j> + c with each model's t and c from flags.

use std::path::{Path, PathBuf};

use super::UsageError;
use crate::data::files::read_view;
use crate::data::{rng, Matrix};
use crate::model::loss::pair_loss_reference;
use crate::score::{combine_host, needs, ScoreMatrix};
use crate::select::{Independent, Jest, Selector, Uniform};
use crate::spec::{IndependentMode, Scoring, SelectorName};

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
    #[arg(long, value_enum, default_value = "jest")]
    pub selector: SelectorArg,
    #[arg(long, value_enum, default_value = "learnability")]
    pub scoring: ScoringArg,
    /// Independent prioritisation: topk or sample.
    #[arg(long, value_enum, default_value = "topk")]
    pub mode: ModeArg,
    #[arg(long, default_value_t = 16)]
    pub n_chunks: usize,
    #[arg(long, default_value_t = 100.0)]
    pub gain: f64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The learner's temperature t (not its log).
    #[arg(long, default_value_t = 10.0)]
    pub learner_temperature: f64,
    #[arg(long, default_value_t = -10.0, allow_hyphen_values = true)]
    pub learner_bias: f64,
    #[arg(long, default_value_t = 10.0)]
    pub reference_temperature: f64,
    #[arg(long, default_value_t = -10.0, allow_hyphen_values = true)]
    pub reference_bias: f64,
    /// Also print the score matrix A and each chunk's conditional scores.
    #[arg(long)]
    pub dump_scores: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SelectorArg {
    Uniform,
    Independent,
    Jest,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ScoringArg {
    Learnability,
    HardLearner,
    EasyReference,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ModeArg {
    Topk,
    Sample,
}

fn load(path: &Path) -> anyhow::Result<Matrix> {
    Ok(read_view(path, "label")?.features)
}

/// Pair-loss matrix of one model on the host: l_ij = −log σ(z_ij (t<a_i, b_j> + c)).
fn pair_losses(a: &Matrix, b: &Matrix, t: f64, c: f64) -> Vec<f32> {
    let n = a.rows;
    let mut logits = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            let dot: f64 = a
                .row(i)
                .iter()
                .zip(b.row(j))
                .map(|(x, y)| *x as f64 * *y as f64)
                .sum();
            logits[i * n + j] = t * dot + c;
        }
    }
    pair_loss_reference(&logits, n)
        .into_iter()
        .map(|x| x as f32)
        .collect()
}

pub fn select(args: SelectArgs) -> anyhow::Result<()> {
    let scoring = match args.scoring {
        ScoringArg::Learnability => Scoring::Learnability,
        ScoringArg::HardLearner => Scoring::HardLearner,
        ScoringArg::EasyReference => Scoring::EasyReference,
    };
    let selector_name = match args.selector {
        SelectorArg::Uniform => SelectorName::Uniform,
        SelectorArg::Independent => SelectorName::Independent,
        SelectorArg::Jest => SelectorName::Jest,
    };
    let la = load(&args.learner_a)?;
    let lb = load(&args.learner_b)?;
    let n = la.rows;
    let check = |m: &Matrix, p: &Path| -> anyhow::Result<()> {
        if m.rows != n || m.cols != la.cols {
            return Err(UsageError(format!(
                "{}: {}×{} embeddings, but {} holds {}×{}: every file must hold the same candidates at the same width",
                p.display(), m.rows, m.cols, args.learner_a.display(), n, la.cols
            ))
            .into());
        }
        Ok(())
    };
    check(&lb, &args.learner_b)?;
    if args.b == 0 || args.b > n {
        return Err(UsageError(format!(
            "--b {}: must be between 1 and the {n} candidates",
            args.b
        ))
        .into());
    }
    if selector_name == SelectorName::Jest
        && (args.n_chunks == 0 || !args.b.is_multiple_of(args.n_chunks))
    {
        return Err(UsageError(format!(
            "--b {} is not divisible by --n-chunks {}",
            args.b, args.n_chunks
        ))
        .into());
    }
    for (name, v) in [
        ("--learner-temperature", args.learner_temperature),
        ("--reference-temperature", args.reference_temperature),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(UsageError(format!("{name} {v}: must be a positive number")).into());
        }
    }
    let (needs_l, needs_r) = needs(scoring);
    let learner = if needs_l {
        pair_losses(&la, &lb, args.learner_temperature, args.learner_bias)
    } else {
        vec![0.0; n * n]
    };
    let reference = if needs_r && selector_name.scores() {
        let (pa, pb) = match (&args.reference_a, &args.reference_b) {
            (Some(a), Some(b)) => (a, b),
            _ => {
                return Err(UsageError(format!(
                    "scoring `{}` needs --reference-a and --reference-b",
                    scoring.as_str()
                ))
                .into())
            }
        };
        let (ra, rb) = (load(pa)?, load(pb)?);
        if ra.rows != n || rb.rows != n {
            return Err(
                UsageError(format!("reference files must hold the same {n} candidates")).into(),
            );
        }
        if ra.cols != rb.cols {
            return Err(UsageError("reference A and B embeddings differ in width".into()).into());
        }
        pair_losses(&ra, &rb, args.reference_temperature, args.reference_bias)
    } else {
        vec![0.0; n * n]
    };
    let a = ScoreMatrix::new(n, combine_host(scoring, &learner, &reference));
    let mut selector: Box<dyn Selector> = match selector_name {
        SelectorName::Uniform => Box::new(Uniform),
        SelectorName::Independent => Box::new(Independent {
            mode: match args.mode {
                ModeArg::Topk => IndependentMode::Topk,
                ModeArg::Sample => IndependentMode::Sample,
            },
            gain: args.gain,
        }),
        SelectorName::Jest => Box::new(Jest {
            n_chunks: args.n_chunks,
            gain: args.gain,
            trace: args.dump_scores,
        }),
    };
    let mut r = rng::chacha(args.seed, rng::stream::SELECT);
    let sel = selector.select(selector_name.scores().then_some(&a), n, args.b, &mut r);
    let join = |v: &[usize]| {
        v.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!("chosen: {}", join(&sel.chosen));
    if selector_name.scores() {
        println!("learnability: {:.6}", a.batch_learnability(&sel.chosen));
        println!(
            "super-batch mean learnability: {:.6}",
            a.mean_learnability(args.b)
        );
    }
    if args.dump_scores {
        println!(
            "A ({n}×{n}, rows i, columns j, scoring {}):",
            scoring.as_str()
        );
        for i in 0..n {
            let row: Vec<String> = (0..n).map(|j| format!("{:.6}", a.get(i, j))).collect();
            println!("{}", row.join(" "));
        }
        for (k, c) in sel.chunks.iter().enumerate() {
            println!("chunk {k}: chosen {}", join(&c.chosen));
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
            println!("chunk {k} conditional scores: {}", scores.join(" "));
        }
    }
    Ok(())
}
