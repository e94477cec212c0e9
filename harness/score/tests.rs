use super::*;
use crate::model::Mat;
use dfdx::prelude::*;

#[test]
fn each_rule_forms_a_as_specified_on_device_and_host() {
    let dev = Cpu::default();
    let l = vec![1.0, 2.0, 3.0, 4.0];
    let r = vec![0.5, 2.5, -1.0, 1.0];
    let want = [
        (Scoring::Learnability, vec![0.5, -0.5, 4.0, 3.0]),
        (Scoring::HardLearner, vec![1.0, 2.0, 3.0, 4.0]),
        (Scoring::EasyReference, vec![-0.5, -2.5, 1.0, -1.0]),
    ];
    for (rule, w) in want {
        assert_eq!(combine_host(rule, &l, &r), w);
        let (ln, rn) = needs(rule);
        let lt: Option<Mat<Cpu>> = ln.then(|| dev.tensor_from_vec(l.clone(), (2, 2)));
        let rt: Option<Mat<Cpu>> = rn.then(|| dev.tensor_from_vec(r.clone(), (2, 2)));
        assert_eq!(combine(rule, lt, rt).as_vec(), w);
    }
}

#[test]
fn batch_and_mean_learnability() {
    // A = [[1, 2, 0], [4, 5, 1], [0, 0, 3]].
    let a = ScoreMatrix::new(3, vec![1.0, 2.0, 0.0, 4.0, 5.0, 1.0, 0.0, 0.0, 3.0]);
    // {0, 1}: (1 + 2 + 4 + 5) / 2 = 6.
    assert_eq!(a.batch_learnability(&[0, 1]), 6.0);
    assert_eq!(a.batch_learnability(&[2]), 3.0);
    // mean diag = 3, mean off-diagonal = 7/6; b = 2: 3 + 7/6.
    assert!((a.mean_learnability(2) - (3.0 + 7.0 / 6.0)).abs() < 1e-12);
    // The mean over all 2-subsets equals it.
    let subsets = [[0, 1], [0, 2], [1, 2]];
    let avg: f64 = subsets.iter().map(|s| a.batch_learnability(s)).sum::<f64>() / 3.0;
    assert!((avg - a.mean_learnability(2)).abs() < 1e-12);
}

/// |got − want| ≤ 1e-5 · max(|want|, 1).
fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-5 * want.abs().max(1.0)
}

/// Compares the fused path with the unfused dfdx matrices on one super-batch:
/// every entry, the diagonal, row and column sums, batch sums, and JEST's choice.
fn fused_equals_unfused(
    learner: &crate::model::TwoTower<Cpu>,
    reference: &crate::train::Reference,
    pool: &crate::data::Pairs,
    block: &[usize],
) {
    use crate::backend::Backend;
    use crate::score::{FusedScores, PairModel, ScoreInput};
    use crate::select::{Candidates, Jest, Selector};
    let dev = Cpu::default();
    let n = block.len();
    let eye = crate::model::loss::identity(&dev, n);
    let idx = dev.tensor_from_vec(block.to_vec(), (n,));
    let xa = crate::model::to_device(&dev, &pool.a.gather(block));
    let xb = crate::model::to_device(&dev, &pool.b.gather(block));
    let cached = reference.to_device(&dev);
    for rule in [
        Scoring::Learnability,
        Scoring::HardLearner,
        Scoring::EasyReference,
    ] {
        let (nl, nr) = needs(rule);
        let l = nl.then(|| learner_matrix(learner, xa.clone(), xb.clone(), &eye));
        let r = nr.then(|| reference_matrix(&cached, &idx, &eye));
        let whole = ScoreMatrix::new(n, combine(rule, l, r).as_vec());
        // The learner's view through the CPU's host towers (the training path).
        let pool_dev = (
            crate::model::to_device(&dev, &pool.a),
            crate::model::to_device(&dev, &pool.b),
        );
        let batch = crate::backend::Batch {
            host: pool,
            device: (&pool_dev.0, &pool_dev.1),
            items: block,
        };
        let view = dev.learner_view(learner, &batch, 1);
        let emb = learner.embed(&learner.theta, xa.clone(), xb.clone());
        for (h, d) in view
            .a
            .iter()
            .chain(&view.b)
            .zip(emb.a.as_vec().iter().chain(&emb.b.as_vec()))
        {
            assert!((h - d).abs() < 1e-5, "host tower {h} vs dfdx {d}");
        }
        // At a low resolution (Flexi-JEST's cheap scoring) too: the host's grouped
        // first layer against dfdx's averaging and summing matrices.
        for r in [2, 3] {
            let host = dev.learner_view(learner, &batch, r);
            let dfdx = crate::backend::dfdx_view(learner, &batch, r);
            assert_ne!(host.a, view.a, "r = {r} changes the view");
            for (h, d) in host
                .a
                .iter()
                .chain(&host.b)
                .zip(dfdx.a.iter().chain(&dfdx.b))
            {
                assert!((h - d).abs() < 1e-5, "r = {r}: host tower {h} vs dfdx {d}");
            }
        }
        let fused = FusedScores::new(ScoreInput {
            rule,
            learner: nl.then(|| view.clone()),
            reference: nr.then(|| PairModel {
                a: reference.a.gather(block).data,
                b: reference.b.gather(block).data,
                dim: reference.embed,
                temperature: reference.temperature,
                bias: reference.bias,
            }),
        });
        for i in 0..n {
            for j in 0..n {
                let (f, w) = (fused.entry(i, j) as f64, whole.get(i, j) as f64);
                assert!(close(f, w), "{rule:?} A[{i},{j}]: fused {f}, unfused {w}");
            }
        }
        for (f, w) in fused.diagonal().iter().zip(whole.diagonal()) {
            assert!(close(*f as f64, w as f64));
        }
        let chosen = [3, n / 2, n - 1, 0];
        let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
        fused.add_cross(&chosen, &mut a);
        whole.add_cross(&chosen, &mut b);
        for (x, y) in a.iter().zip(&b) {
            assert!(close(*x, *y), "row and column sums: {x} vs {y}");
        }
        assert!(close(fused.block_sum(&chosen), whole.block_sum(&chosen)));
        // The same seed gives the same joint selection on either path.
        let choose = |s: &dyn Scores| {
            Jest::new(4, 100.0)
                .select(
                    Candidates::scored(s),
                    16,
                    &mut crate::data::rng::chacha(7, 3),
                )
                .chosen
        };
        assert_eq!(
            choose(&fused),
            choose(&whole),
            "{rule:?}: selections differ"
        );
    }
}

#[test]
fn the_fused_path_equals_the_unfused_one_on_a_trained_models_super_batch() {
    use crate::data::Dataset;
    let text = "name: t\nseeds: [0]\ndataset:\n  seed: 3\n  synthetic: {concepts: 12, latent_dim: 6, dim_a: 10, dim_b: 8, pool: 1500, curated: 300, eval_concepts: 6, eval_per_concept: 20}\n  misaligned: 0.3\nmodel: {hidden: [24], embed: 12}\ntrain: {steps: 150, batch_size: 16, filter_ratio: 0.8, selector: jest, n_chunks: 4}\neval: {every: 150}\nreference: {steps: 100}\n";
    let config = &crate::train::RunConfig::from_test_yaml(text);
    let data = Dataset::build(&config.dataset, std::path::Path::new(".")).unwrap();
    let dev = Cpu::default();
    let reference = crate::train::reference::train(&dev, config, &data).unwrap();
    let learner = crate::train::tests_support::trained_learner(&dev, config, &data, &reference);
    let block: Vec<usize> = (0..80).map(|k| (k * 17) % data.pool.len()).collect();
    fused_equals_unfused(&learner, &reference, &data.pool, &block);
}

#[test]
fn the_fused_path_equals_the_unfused_one_on_random_inputs() {
    use crate::data::{rng, Matrix, Pairs};
    use crate::model::ModelSpec;
    let dev = Cpu::default();
    let spec = ModelSpec {
        hidden: vec![16],
        embed: 9,
        temperature_init: 10.0,
        bias_init: -10.0,
    };
    let learner = crate::model::TwoTower::init(&dev, &spec, 7, 5, 11);
    let mut r = rng::chacha(5, 0);
    let n = 60;
    let pool = Pairs {
        a: Matrix::new(n, 7, rng::normals(&mut r, n * 7, 1.0)),
        b: Matrix::new(n, 5, rng::normals(&mut r, n * 5, 1.0)),
        labels: None,
    };
    let unit = |m: Matrix| {
        let mut m = m;
        for i in 0..m.rows {
            let norm = m.row(i).iter().map(|x| x * x).sum::<f32>().sqrt();
            m.row_mut(i).iter_mut().for_each(|x| *x /= norm);
        }
        m
    };
    let reference = crate::train::Reference {
        a: unit(Matrix::new(n, 9, rng::normals(&mut r, n * 9, 1.0))),
        b: unit(Matrix::new(n, 9, rng::normals(&mut r, n * 9, 1.0))),
        temperature: 7.0,
        bias: -6.0,
        embed: 9,
        cost: Default::default(),
        metrics: crate::train::EvalMetrics::undefined(),
        step: 0,
    };
    let block: Vec<usize> = (0..n).rev().collect();
    fused_equals_unfused(&learner, &reference, &pool, &block);
}

/// One tower in f64, written out here independently of the harness's paths:
/// dense layers with ReLU between them, then x / sqrt(Σx² + 1e-12).
fn tower_f64(
    theta: &[f32],
    layers: &[(crate::model::Slot, crate::model::Slot)],
    x: &[f32],
) -> Vec<f64> {
    let mut h: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    for (l, (w, b)) in layers.iter().enumerate() {
        let mut out = vec![0.0f64; w.cols];
        for (o, slot) in out.iter_mut().enumerate() {
            *slot = theta[b.offset + o] as f64
                + (0..w.rows)
                    .map(|i| h[i] * theta[w.offset + i * w.cols + o] as f64)
                    .sum::<f64>();
        }
        if l + 1 < layers.len() {
            out.iter_mut().for_each(|v| *v = v.max(0.0));
        }
        h = out;
    }
    let norm = (h.iter().map(|v| v * v).sum::<f64>() + 1e-12).sqrt();
    h.iter().map(|v| v / norm).collect()
}

/// −log σ(z·(t·⟨a, b⟩ + c)) in f64, with z = +1 for a matching pair.
fn pair_loss_f64(a: &[f64], b: &[f64], t: f64, c: f64, matching: bool) -> f64 {
    let logit = t * a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() + c;
    let x = if matching { logit } else { -logit };
    // −log σ(x) = softplus(−x).
    (-x).max(0.0) + (-x.abs()).exp().ln_1p()
}

/// docs/methods.md §2: L, R and A = L − R for a super-batch of a trained learner and
/// reference, computed here in f64 from the learner's parameters and the
/// reference's cached embeddings, against what the training loop's scoring path
/// (the CPU backend: host towers, fused entries) hands the selectors; and the same
/// inputs give the same scores, bit for bit.
#[test]
fn the_scoring_path_agrees_with_an_independent_f64_computation() {
    use crate::backend::{Backend, Batch};
    use crate::data::Dataset;
    use crate::score::{FusedScores, PairModel, ScoreInput};
    let text = "name: t\nseeds: [0]\ndataset:\n  seed: 4\n  synthetic: {concepts: 12, latent_dim: 6, dim_a: 10, dim_b: 8, pool: 1500, curated: 300, eval_concepts: 6, eval_per_concept: 20}\n  misaligned: 0.3\nmodel: {hidden: [24, 16], embed: 12}\ntrain: {steps: 120, batch_size: 16, filter_ratio: 0.8, selector: jest, n_chunks: 4}\neval: {every: 120}\nreference: {steps: 100}\n";
    let config = &crate::train::RunConfig::from_test_yaml(text);
    let data = Dataset::build(&config.dataset, std::path::Path::new(".")).unwrap();
    let dev = Cpu::default();
    let reference = crate::train::reference::train(&dev, config, &data).unwrap();
    let learner = crate::train::tests_support::trained_learner(&dev, config, &data, &reference);
    let block: Vec<usize> = (0..80).map(|k| (k * 37 + 11) % data.pool.len()).collect();
    let n = block.len();

    // Independent f64: the learner's embeddings from its parameters and the inputs.
    let theta = learner.theta.as_vec();
    let l = &learner.layout;
    let (t, c) = (
        (theta[l.log_temperature.offset] as f64).exp(),
        theta[l.bias.offset] as f64,
    );
    let la: Vec<Vec<f64>> = block
        .iter()
        .map(|&i| tower_f64(&theta, &l.tower_a, data.pool.a.row(i)))
        .collect();
    let lb: Vec<Vec<f64>> = block
        .iter()
        .map(|&i| tower_f64(&theta, &l.tower_b, data.pool.b.row(i)))
        .collect();
    let ra: Vec<Vec<f64>> = block
        .iter()
        .map(|&i| reference.a.row(i).iter().map(|&v| v as f64).collect())
        .collect();
    let rb: Vec<Vec<f64>> = block
        .iter()
        .map(|&i| reference.b.row(i).iter().map(|&v| v as f64).collect())
        .collect();
    let (rt, rc) = (reference.temperature as f64, reference.bias as f64);
    let big_l = |i: usize, j: usize| pair_loss_f64(&la[i], &lb[j], t, c, i == j);
    let big_r = |i: usize, j: usize| pair_loss_f64(&ra[i], &rb[j], rt, rc, i == j);
    let a64 = |i: usize, j: usize| big_l(i, j) - big_r(i, j);

    // The training loop's path.
    let (pa, pb) = (
        crate::model::to_device(&dev, &data.pool.a),
        crate::model::to_device(&dev, &data.pool.b),
    );
    let batch = Batch {
        host: &data.pool,
        device: (&pa, &pb),
        items: &block,
    };
    let input = || ScoreInput {
        rule: Scoring::Learnability,
        learner: Some(dev.learner_view(&learner, &batch, 1)),
        reference: Some(PairModel {
            a: reference.a.gather(&block).data,
            b: reference.b.gather(&block).data,
            dim: reference.embed,
            temperature: reference.temperature,
            bias: reference.bias,
        }),
    };
    let tol = |want: f64| 2e-5 * want.abs().max(1.0);
    let fused = FusedScores::new(input());
    let mut worst = 0.0f64;
    for i in 0..n {
        for j in 0..n {
            let (got, want) = (fused.entry(i, j) as f64, a64(i, j));
            assert!(
                (got - want).abs() <= tol(want),
                "A[{i},{j}]: {got} vs f64 {want} (L {}, R {})",
                big_l(i, j),
                big_r(i, j)
            );
            worst = worst.max((got - want).abs() / want.abs().max(1.0));
        }
    }
    eprintln!("largest relative difference of A from f64: {worst:.2e}");
    let scores = dev.scores(input());
    for (i, &d) in scores.diagonal().iter().enumerate() {
        assert!((d as f64 - a64(i, i)).abs() <= tol(a64(i, i)), "A[{i},{i}]");
    }
    let chosen = [5, 0, n - 1, 40];
    let mut acc = vec![0.0f64; n];
    scores.add_cross(&chosen, &mut acc);
    for (i, &got) in acc.iter().enumerate() {
        let want: f64 = chosen.iter().map(|&k| a64(k, i) + a64(i, k)).sum();
        assert!(
            (got - want).abs() <= 4.0 * tol(want),
            "row and column sums at {i}: {got} vs {want}"
        );
    }
    let want: f64 = chosen
        .iter()
        .flat_map(|&i| chosen.iter().map(move |&j| (i, j)))
        .map(|(i, j)| a64(i, j))
        .sum();
    assert!((scores.block_sum(&chosen) - want).abs() <= 16.0 * tol(want));
    // Determinism: the same inputs, the same bits.
    let again = dev.scores(input());
    assert_eq!(scores.diagonal(), again.diagonal());
    let mut acc2 = vec![0.0f64; n];
    again.add_cross(&chosen, &mut acc2);
    assert_eq!(acc, acc2);
}

#[test]
fn tiled_add_cross_is_the_plain_loop_bit_for_bit() {
    // n not a multiple of the tile or the block, and n·|chosen| above the parallel
    // threshold, so both the serial and the parallel paths and the ragged tails run.
    for (n, picks) in [(37usize, 5usize), (1_003, 97)] {
        let mut g = crate::data::rng::chacha(7, n as u64);
        let values: Vec<f32> = (0..n * n)
            .map(|_| crate::data::rng::normal(&mut g) as f32)
            .collect();
        let a = ScoreMatrix::new(n, values);
        let chosen: Vec<usize> = (0..picks).map(|j| (j * 389 + 11) % n).collect();
        let start: Vec<f64> = (0..n).map(|i| i as f64 * 0.125 - 3.0).collect();
        let mut want = start.clone();
        for &k in &chosen {
            for (i, s) in want.iter_mut().enumerate() {
                *s += a.get(k, i) as f64 + a.get(i, k) as f64;
            }
        }
        let mut got = start;
        a.add_cross(&chosen, &mut got);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&want), "n = {n}");
    }
}
