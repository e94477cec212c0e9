use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::*;
use crate::data::rng::{chacha, normal};
use crate::score::{ScoreMatrix, Scores};

fn matrix(n: usize, mut f: impl FnMut(usize, usize) -> f32) -> ScoreMatrix {
    ScoreMatrix::new(n, (0..n * n).map(|k| f(k / n, k % n)).collect())
}

#[test]
fn uniform_draws_distinct_and_covers_evenly() {
    let mut rng = chacha(5, 0);
    let mut counts = [0usize; 10];
    for _ in 0..20_000 {
        let s = Uniform.select(Candidates::unscored(10), 3, &mut rng);
        let mut c = s.chosen.clone();
        c.sort_unstable();
        c.dedup();
        assert_eq!(c.len(), 3);
        for i in s.chosen {
            counts[i] += 1;
        }
    }
    // Each item is chosen with probability 3/10: 6000 expected, sd ≈ 65.
    for c in counts {
        assert!((c as f64 - 6000.0).abs() < 400.0, "{counts:?}");
    }
}

#[test]
fn conditional_scores_by_hand() {
    // A = [[1, 2, 0, 0], [3, 4, 0, 1], [0, 5, 6, 0], [7, 0, 0, 8]].
    let a = ScoreMatrix::new(
        4,
        vec![
            1., 2., 0., 0., 3., 4., 0., 1., 0., 5., 6., 0., 7., 0., 0., 8.,
        ],
    );
    assert_eq!(conditional_scores(&a, &[]), vec![1.0, 4.0, 6.0, 8.0]);
    // After choosing item 1: score_i = A_ii + A_1i + A_i1.
    // i=0: 1 + 3 + 2 = 6; i=2: 6 + 0 + 5 = 11; i=3: 8 + 1 + 0 = 9.
    let s = conditional_scores(&a, &[1]);
    assert_eq!((s[0], s[2], s[3]), (6.0, 11.0, 9.0));
    // After {1, 2}: i=0: 6 + A_20 + A_02 = 6; i=3: 9 + A_23 + A_32 = 9.
    let s = conditional_scores(&a, &[1, 2]);
    assert_eq!((s[0], s[3]), (6.0, 9.0));
}

#[test]
fn jest_traces_match_the_oracle_chunk_by_chunk() {
    let n = 40;
    let mut r = chacha(11, 0);
    let a = matrix(n, |_, _| normal(&mut r) as f32);
    let mut jest = Jest {
        n_chunks: 4,
        gain: 2.0,
        trace: true,
    };
    let sel = jest.select(Candidates::scored(&a), 12, &mut chacha(1, 2));
    // Chunk sizes add up to b; nothing is chosen twice.
    assert_eq!(sel.chunks.len(), 4);
    assert!(sel.chunks.iter().all(|c| c.chosen.len() == 3));
    assert_eq!(sel.chosen.len(), 12);
    let mut uniq = sel.chosen.clone();
    uniq.sort_unstable();
    uniq.dedup();
    assert_eq!(uniq.len(), 12);
    // Each chunk drew from the conditional scores given the chunks before it, and
    // already-chosen items were excluded.
    let mut before: Vec<usize> = Vec::new();
    for c in &sel.chunks {
        let oracle = conditional_scores(&a, &before);
        for (i, (got, want)) in c.scores.iter().zip(&oracle).enumerate() {
            if before.contains(&i) {
                assert!(got.is_nan());
            } else {
                assert!((got - want).abs() < 1e-9, "item {i}");
            }
        }
        assert!(c.chosen.iter().all(|k| !before.contains(k)));
        before.extend(&c.chosen);
    }
    assert_eq!(before, sel.chosen);
}

#[test]
fn large_gain_makes_jest_greedy_and_independent_topk_exact() {
    // With gain → ∞ each chunk takes the highest conditional scores.
    let a = ScoreMatrix::new(
        4,
        vec![
            1., 2., 0., 0., 3., 4., 0., 1., 0., 5., 6., 0., 7., 0., 0., 8.,
        ],
    );
    let mut jest = Jest::new(2, 1e6);
    // Chunk 1 (size 1): the top diagonal, item 3 (8). Then scores given {3}:
    // i=0: 1 + 7 + 0 = 8; i=1: 4 + 0 + 1 = 5; i=2: 6. Chunk 2 takes item 0.
    assert_eq!(
        jest.select(Candidates::scored(&a), 2, &mut chacha(0, 0))
            .chosen,
        vec![3, 0]
    );
    let mut ind = Independent {
        mode: IndependentMode::Topk,
        gain: 1.0,
    };
    assert_eq!(
        ind.select(Candidates::scored(&a), 2, &mut chacha(0, 0))
            .chosen,
        vec![3, 2]
    );
}

/// Exact probability that successive sampling with weights w takes {i, j} in its
/// first two draws.
fn pair_probability(w: &[f64], i: usize, j: usize) -> f64 {
    let t: f64 = w.iter().sum();
    let (pi, pj) = (w[i] / t, w[j] / t);
    pi * pj / (1.0 - pi) + pj * pi / (1.0 - pj)
}

#[test]
fn first_chunk_frequencies_match_exact_without_replacement_probabilities() {
    // B = 6, b = 4 in 2 chunks of 2: the first chunk is {i, j} with the exact
    // successive-sampling probability of p ∝ exp(gain · A_ii).
    let diag: [f64; 6] = [0.0, 0.5, 1.0, 1.5, -0.5, 2.0];
    let gain = 0.8;
    let a = matrix(6, |i, j| if i == j { diag[i] as f32 } else { 0.3 });
    let w: Vec<f64> = diag.iter().map(|d| (gain * d).exp()).collect();
    let pairs: Vec<(usize, usize)> = (0..6)
        .flat_map(|i| (i + 1..6).map(move |j| (i, j)))
        .collect();
    let draws = 30_000;
    let mut counts = vec![0usize; pairs.len()];
    let mut jest = Jest {
        n_chunks: 2,
        gain,
        trace: true,
    };
    let mut rng = chacha(2024, 0);
    for _ in 0..draws {
        let sel = jest.select(Candidates::scored(&a), 4, &mut rng);
        let mut first = sel.chunks[0].chosen.clone();
        first.sort_unstable();
        let k = pairs
            .iter()
            .position(|&p| p == (first[0], first[1]))
            .unwrap();
        counts[k] += 1;
    }
    let chi2: f64 = pairs
        .iter()
        .zip(&counts)
        .map(|(&(i, j), &c)| {
            let e = draws as f64 * pair_probability(&w, i, j);
            (c as f64 - e).powi(2) / e
        })
        .sum();
    let p = 1.0 - ChiSquared::new((pairs.len() - 1) as f64).unwrap().cdf(chi2);
    assert!(p > 0.001, "chi2 = {chi2}, p = {p}, counts {counts:?}");
}

#[test]
fn independent_sampling_matches_exact_probabilities() {
    let diag: [f64; 5] = [0.2, -1.0, 0.7, 0.0, 1.1];
    let a = matrix(5, |i, j| if i == j { diag[i] as f32 } else { -9.0 });
    let w: Vec<f64> = diag.iter().map(|d| d.exp()).collect();
    let mut ind = Independent {
        mode: IndependentMode::Sample,
        gain: 1.0,
    };
    let pairs: Vec<(usize, usize)> = (0..5)
        .flat_map(|i| (i + 1..5).map(move |j| (i, j)))
        .collect();
    let mut counts = vec![0usize; pairs.len()];
    let mut rng = chacha(77, 0);
    let draws = 20_000;
    for _ in 0..draws {
        let mut c = ind.select(Candidates::scored(&a), 2, &mut rng).chosen;
        c.sort_unstable();
        counts[pairs.iter().position(|&p| p == (c[0], c[1])).unwrap()] += 1;
    }
    let chi2: f64 = pairs
        .iter()
        .zip(&counts)
        .map(|(&(i, j), &c)| {
            let e = draws as f64 * pair_probability(&w, i, j);
            (c as f64 - e).powi(2) / e
        })
        .sum();
    let p = 1.0 - ChiSquared::new((pairs.len() - 1) as f64).unwrap().cdf(chi2);
    assert!(p > 0.001, "chi2 = {chi2}, p = {p}");
}

#[test]
fn joint_beats_independent_beats_uniform_on_learnability() {
    // A fixed scenario with in-batch structure: A_ij = u_i + u_j + noise, so what a
    // candidate adds depends on the batch it joins.
    let n = 256;
    let b = 32;
    let mut r = chacha(3, 0);
    let u: Vec<f64> = (0..n).map(|_| normal(&mut r)).collect();
    let a = matrix(n, |i, j| {
        (0.1 * (u[i] + u[j])
            + 0.05 * normal(&mut r)
            + if i == j { 0.2 * normal(&mut r) } else { 0.0 }) as f32
    });
    let mean = |sel: &mut dyn Selector| {
        let mut rng = chacha(9, 1);
        (0..50)
            .map(|_| a.batch_learnability(&sel.select(Candidates::scored(&a), b, &mut rng).chosen))
            .sum::<f64>()
            / 50.0
    };
    let jest = mean(&mut Jest::new(4, 100.0));
    let independent = mean(&mut Independent {
        mode: IndependentMode::Sample,
        gain: 100.0,
    });
    let uniform = mean(&mut Uniform);
    assert!(
        jest > independent && independent > uniform,
        "jest {jest}, independent {independent}, uniform {uniform}"
    );
    assert!((uniform - a.mean_learnability(b)).abs() < 0.1 * a.mean_learnability(b).abs() + 0.05);
}

/// docs/methods.md §5: the oracle's b are drawn uniformly from the clean candidates — never
/// another kind while enough are clean, every clean pair equally often
/// (chi-square), every b-subset of the clean ones possible; with fewer clean than
/// b it keeps them all and fills uniformly from the rest.
#[test]
fn the_oracle_draws_uniformly_among_clean_items_only() {
    use crate::data::PairKind::{self, *};
    let kinds: Vec<PairKind> = [
        Clean, Misaligned, Clean, HeavyNoise, Clean, Duplicate, Clean, Clean, Misaligned, Clean,
        Clean, Misaligned,
    ]
    .to_vec();
    let clean: Vec<usize> = (0..kinds.len()).filter(|&i| kinds[i] == Clean).collect();
    assert_eq!(clean.len(), 7);
    fn candidates(k: &[PairKind]) -> Candidates<'_> {
        Candidates {
            n: k.len(),
            scores: None,
            kinds: Some(k),
        }
    }
    let mut rng = chacha(9, 0);
    let draws = 21_000;
    let mut counts = vec![0usize; kinds.len()];
    let mut subsets = std::collections::BTreeMap::new();
    for _ in 0..draws {
        let mut s = Oracle.select(candidates(&kinds), 3, &mut rng).chosen;
        s.sort_unstable();
        let before = s.len();
        s.dedup();
        assert_eq!(s.len(), before, "distinct");
        assert_eq!(s.len(), 3);
        for &i in &s {
            assert_eq!(kinds[i], Clean, "picked item {i}, a {:?}", kinds[i]);
            counts[i] += 1;
        }
        *subsets.entry(s).or_insert(0usize) += 1;
    }
    // Each clean item: 3/7 of the draws (9000 expected).
    let expected = draws as f64 * 3.0 / 7.0;
    let chi2: f64 = clean
        .iter()
        .map(|&i| (counts[i] as f64 - expected).powi(2) / expected)
        .sum();
    let p = 1.0 - ChiSquared::new(6.0).unwrap().cdf(chi2);
    assert!(p > 0.001, "chi2 = {chi2}, p = {p}, counts {counts:?}");
    // All C(7, 3) = 35 subsets occur, each about 600 times.
    assert_eq!(subsets.len(), 35);
    let chi2: f64 = subsets
        .values()
        .map(|&c| (c as f64 - 600.0).powi(2) / 600.0)
        .sum();
    let p = 1.0 - ChiSquared::new(34.0).unwrap().cdf(chi2);
    assert!(p > 0.001, "subsets: chi2 = {chi2}, p = {p}");
    // b = 9 > 7 clean: all seven, and two of the five others, uniformly.
    let mut others = vec![0usize; kinds.len()];
    for _ in 0..5_000 {
        let s = Oracle.select(candidates(&kinds), 9, &mut rng).chosen;
        assert_eq!(s.len(), 9);
        for &i in &clean {
            assert!(s.contains(&i));
        }
        for &i in s.iter().filter(|&&i| kinds[i] != Clean) {
            others[i] += 1;
        }
    }
    for (i, &c) in others
        .iter()
        .enumerate()
        .filter(|(i, _)| kinds[*i] != Clean)
    {
        // 2/5 of 5000 = 2000 expected, sd ≈ 35.
        assert!((c as f64 - 2000.0).abs() < 200.0, "item {i}: {c}");
    }
}

/// What every registered selector must provide, checked for each: a new selector
/// is a module with a `REGISTRATION` and one line in `selectors!`, and this test
/// holds it to the rest.
#[test]
fn every_registered_selector_provides_what_a_selector_must() {
    let all_methods = crate::select::methods();
    let (n, b, n_chunks) = (64, 16, 4);
    let a = matrix(n, |i, j| ((i * 7 + j * 3) % 11) as f32 - 5.0);
    let kinds: Vec<PairKind> = (0..n)
        .map(|i| {
            if i % 3 == 0 {
                PairKind::Misaligned
            } else {
                PairKind::Clean
            }
        })
        .collect();
    for (k, r) in SELECTORS.iter().enumerate() {
        // A name of its own, written as an identifier; a word for it and for each
        // of its methods, resolving back to it.
        assert!(crate::names::is_identifier(r.name), "{}", r.name);
        assert!(
            SELECTORS[..k].iter().all(|o| o.name != r.name),
            "{} twice",
            r.name
        );
        let name = SelectorName::all().nth(k).unwrap();
        assert_eq!(name.as_str(), r.name);
        let (s, _) = SelectorWord::find(r.name).unwrap().resolve(None).unwrap();
        assert_eq!(s, name);
        // At least one method, of the JEST family, known to the results reader,
        // and each the method of the mode it implies.
        assert!(!r.methods.is_empty(), "{}: no method", r.name);
        for &(m, implies) in r.methods {
            assert_eq!(m.family(), crate::method::Family::JEST, "{m}");
            assert!(all_methods.contains(&m), "{m} is not read back");
            let (s, mode) = SelectorWord::find(m.as_str())
                .unwrap()
                .resolve(None)
                .unwrap();
            assert_eq!(s, name, "{m}");
            if let Some(implied) = implies {
                assert_eq!(mode, implied, "{m}");
                assert_eq!(r.method(implied), m);
            }
        }
        for mode in [IndependentMode::Topk, IndependentMode::Sample] {
            assert!(r.methods.iter().any(|x| x.0 == r.method(mode)));
        }
        // Built from its settings, it is itself, and chooses b distinct candidates
        // of B, the same ones for the same seed; it asks for entries of A exactly
        // when it scores, and runs without A when it does not.
        let settings = Settings {
            selector: name,
            mode: IndependentMode::Topk,
            n_chunks,
            gain: 1.0,
        };
        let choose = |seed: u64| {
            let mut sel = build(&settings);
            assert_eq!(sel.name(), r.name);
            assert_eq!(sel.needs_scores(), r.scores);
            assert_eq!(sel.scored_entries(n, b) > 0, r.scores, "{}", r.name);
            let c = Candidates {
                n,
                scores: r.scores.then_some(&a as &dyn Scores),
                kinds: r.needs_kinds.then_some(&kinds[..]),
            };
            sel.select(c, b, &mut chacha(seed, 0)).chosen
        };
        let chosen = choose(3);
        let mut distinct = chosen.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), b, "{}: {chosen:?}", r.name);
        assert!(chosen.iter().all(|&i| i < n));
        assert_eq!(chosen, choose(3), "{}: not seeded", r.name);
        assert_eq!((r.build)(&settings, true).name(), r.name);
    }
}
