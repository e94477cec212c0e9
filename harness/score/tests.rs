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
    use crate::experiment::Experiment;
    let text = "name: t\nseeds: [0]\ndataset:\n  seed: 3\n  synthetic: {concepts: 12, latent_dim: 6, dim_a: 10, dim_b: 8, pool: 1500, curated: 300, eval_concepts: 6, eval_per_concept: 20}\n  misaligned: 0.3\nmodel: {hidden: [24], embed: 12}\ntrain: {steps: 150, batch_size: 16, filter_ratio: 0.8, selector: jest, n_chunks: 4}\neval: {every: 150}\nreference: {steps: 100}\n";
    let exp = Experiment::parse(text, std::path::Path::new("t.yaml")).unwrap();
    let config = &exp.cells[0].config;
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
    use crate::experiment::ModelSpec;
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
    };
    let block: Vec<usize> = (0..n).rev().collect();
    fused_equals_unfused(&learner, &reference, &pool, &block);
}
