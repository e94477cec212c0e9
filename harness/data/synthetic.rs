//! docs/methods.md §3 synthetic multimodal "web" data.
//!
//! K concepts with centres μ_k ~ N(0, I) in a latent space of `latent_dim`; concept k
//! has web frequency ∝ 1/(k+1)^zipf. An example of concept k has latent
//! z = μ_k + spread·ε; its views are fixed random two-layer maps
//! f_v(z) = tanh(z W1 + b1) W2, rescaled to unit RMS, plus observation noise.
//! The evaluation concepts are a seeded random subset (head and tail alike); the
//! curated set is clean and balanced, with `curated_eval_weight` of it drawn from the
//! evaluation concepts (or, with `curated_concepts: pool`, drawn with the pool's
//! frequencies). Web noise is applied afterwards by `noise`.

use rand::Rng;

use super::rng::{self, stream};
use super::{CuratedConcepts, SyntheticSpec};
use super::{Dataset, Matrix, Pairs, Prototypes};

/// A fixed random non-linear map from the latent space to one view.
struct ViewMap {
    w1: Matrix,
    b1: Vec<f32>,
    w2: Matrix,
    /// Divides the output so that views of concept centres have unit RMS.
    scale: f32,
}

impl ViewMap {
    fn sample(r: &mut impl Rng, latent: usize, hidden: usize, out: usize) -> ViewMap {
        let w1 = Matrix::new(
            latent,
            hidden,
            rng::normals(r, latent * hidden, 1.0 / libm::sqrt(latent as f64)),
        );
        let b1 = rng::normals(r, hidden, 0.5);
        let w2 = Matrix::new(
            hidden,
            out,
            rng::normals(r, hidden * out, 1.0 / libm::sqrt(hidden as f64)),
        );
        ViewMap {
            w1,
            b1,
            w2,
            scale: 1.0,
        }
    }

    fn apply(&self, z: &[f32]) -> Vec<f32> {
        let h: Vec<f32> = (0..self.w1.cols)
            .map(|j| {
                let mut s = self.b1[j];
                for (k, &zk) in z.iter().enumerate() {
                    s += zk * self.w1.data[k * self.w1.cols + j];
                }
                libm::tanhf(s)
            })
            .collect();
        (0..self.w2.cols)
            .map(|j| {
                let mut s = 0.0f32;
                for (k, &hk) in h.iter().enumerate() {
                    s += hk * self.w2.data[k * self.w2.cols + j];
                }
                s / self.scale
            })
            .collect()
    }

    /// Sets `scale` so that the map of `points` has unit RMS.
    fn calibrate(&mut self, points: &Matrix) {
        let mut ss = 0.0f64;
        for i in 0..points.rows {
            ss += self
                .apply(points.row(i))
                .iter()
                .map(|&x| (x as f64) * (x as f64))
                .sum::<f64>();
        }
        let rms = libm::sqrt(ss / (points.rows * self.w2.cols) as f64);
        self.scale = if rms > 0.0 { rms as f32 } else { 1.0 };
    }
}

struct World<'a> {
    spec: &'a SyntheticSpec,
    centres: Matrix,
    view_a: ViewMap,
    view_b: ViewMap,
}

impl World<'_> {
    /// n examples of the given concepts, clean (observation noise only).
    fn examples(&self, r: &mut impl Rng, concepts: &[usize]) -> Pairs {
        let s = self.spec;
        let mut a = Vec::with_capacity(concepts.len() * s.dim_a);
        let mut b = Vec::with_capacity(concepts.len() * s.dim_b);
        for &k in concepts {
            let z: Vec<f32> = self
                .centres
                .row(k)
                .iter()
                .map(|&m| m + (rng::normal(r) * s.concept_spread) as f32)
                .collect();
            for (view, out) in [(&self.view_a, &mut a), (&self.view_b, &mut b)] {
                for x in view.apply(&z) {
                    out.push(x + (rng::normal(r) * s.observation_noise) as f32);
                }
            }
        }
        Pairs {
            a: Matrix::new(concepts.len(), s.dim_a, a),
            b: Matrix::new(concepts.len(), s.dim_b, b),
            labels: Some(concepts.to_vec()),
        }
    }
}

/// Generates the clean pool, curated set, eval split and prototypes for `seed`.
pub fn generate(s: &SyntheticSpec, seed: u64) -> Dataset {
    let mut w = rng::chacha(seed, stream::WORLD);
    let centres = Matrix::new(
        s.concepts,
        s.latent_dim,
        rng::normals(&mut w, s.concepts * s.latent_dim, 1.0),
    );
    let mut view_a = ViewMap::sample(&mut w, s.latent_dim, s.view_hidden, s.dim_a);
    let mut view_b = ViewMap::sample(&mut w, s.latent_dim, s.view_hidden, s.dim_b);
    view_a.calibrate(&centres);
    view_b.calibrate(&centres);
    let eval_concepts: Vec<usize> =
        rng::permutation(&mut w, s.concepts)[..s.eval_concepts].to_vec();
    let world = World {
        spec: s,
        centres,
        view_a,
        view_b,
    };

    // Web pool: Zipf-distributed concepts.
    let zipf: Vec<f64> = (0..s.concepts)
        .map(|k| libm::pow(k as f64 + 1.0, -s.zipf))
        .collect();
    let cdf = rng::cumulative(&zipf);
    let mut r = rng::chacha(seed, stream::POOL);
    let pool_concepts: Vec<usize> = (0..s.pool)
        .map(|_| rng::categorical(&mut r, &cdf))
        .collect();
    let pool = world.examples(&mut r, &pool_concepts);

    // Curated: `curated_eval_weight` of it from the evaluation concepts, the rest
    // balanced over all concepts or drawn like the pool.
    let mut r = rng::chacha(seed, stream::CURATED);
    let cur_concepts: Vec<usize> = (0..s.curated)
        .map(|_| {
            if r.gen::<f64>() < s.curated_eval_weight {
                eval_concepts[r.gen_range(0..eval_concepts.len())]
            } else {
                match s.curated_concepts {
                    CuratedConcepts::Balanced => r.gen_range(0..s.concepts),
                    CuratedConcepts::Pool => rng::categorical(&mut r, &cdf),
                }
            }
        })
        .collect();
    let curated = world.examples(&mut r, &cur_concepts);

    // Held-out eval: eval_per_concept clean pairs of each evaluation concept;
    // labels are class indices into the evaluation concepts.
    let mut r = rng::chacha(seed, stream::EVAL);
    let eval_src: Vec<usize> = eval_concepts
        .iter()
        .flat_map(|&k| std::iter::repeat_n(k, s.eval_per_concept))
        .collect();
    let mut eval = world.examples(&mut r, &eval_src);
    eval.labels = Some(
        (0..eval_concepts.len())
            .flat_map(|c| std::iter::repeat_n(c, s.eval_per_concept))
            .collect(),
    );

    // Prototypes: the B view of each evaluation concept's noise-free latent.
    let mut proto = Vec::with_capacity(eval_concepts.len() * s.dim_b);
    for &k in &eval_concepts {
        proto.extend(world.view_b.apply(world.centres.row(k)));
    }
    Dataset {
        pool_kinds: Vec::new(),
        pool_buckets: Vec::new(),
        pool,
        curated,
        eval,
        prototypes: Prototypes::Inputs(Matrix::new(eval_concepts.len(), s.dim_b, proto)),
        n_classes: eval_concepts.len(),
        eval_concepts,
    }
}
