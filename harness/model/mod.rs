/*!
The two-tower model of docs/methods.md §2, generic over the dfdx device.

Each tower is an MLP (ReLU between layers) ending in a linear projection to width
`embed`, L2-normalised. All learnable numbers — both towers, the SigLIP log-temperature
t' and bias c — live in one flat device vector `theta`; a [`Layout`] names the slice of
each parameter. One vector means the optimiser is a few fused element-wise ops and
the gradient norm one reduction, whatever the depth: few kernels per step, which is
what dfdx's many-small-kernels cost profile rewards.
*/

pub mod flexi;
pub mod host;
mod layout;
pub mod loss;
pub mod optim;
mod spec;

use dfdx::prelude::*;

pub use layout::{Layout, Slot};
pub use spec::ModelSpec;

use crate::data::rng;

/// 2-D f32 tensor with runtime shape on device `D`, tape `T`.
pub type Mat<D, T = NoneTape> = Tensor<(usize, usize), f32, D, T>;
/// Flat parameter vector.
pub type Flat<D, T = NoneTape> = Tensor<(usize,), f32, D, T>;
/// Row indices on device `D` (a gather's argument).
pub type Indices<D> = Tensor<(usize,), usize, D>;

/// Model parameters on a device.
#[derive(Clone, Debug)]
pub struct TwoTower<D: Device<f32>> {
    pub layout: Layout,
    pub theta: Flat<D>,
}

/// The two towers' embeddings of a batch, L2-normalised, rows aligned.
pub struct Embeddings<D: Device<f32>, T> {
    pub a: Mat<D, T>,
    pub b: Mat<D, T>,
}

/// Norm floor inside the L2 normalisation (avoids 0/0 for a zero embedding).
const NORM_EPS: f32 = 1e-12;

impl<D: Device<f32>> TwoTower<D> {
    /// Initialises on the host from `(seed, INIT)` (LeCun-normal weights, zero biases,
    /// t' = ln t_init, c = c_init), so the CPU and CUDA start bit-identical.
    pub fn init(dev: &D, spec: &ModelSpec, dim_a: usize, dim_b: usize, seed: u64) -> Self {
        let layout = Layout::new(spec, dim_a, dim_b);
        let mut r = rng::chacha(seed, rng::stream::INIT);
        let mut host = vec![0.0f32; layout.len()];
        for slot in layout.weights() {
            let std = 1.0 / (slot.rows as f64).sqrt();
            let v = rng::normals(&mut r, slot.len(), std);
            host[slot.range()].copy_from_slice(&v);
        }
        host[layout.log_temperature.offset] = libm::log(spec.temperature_init) as f32;
        host[layout.bias.offset] = spec.bias_init as f32;
        let theta = dev.tensor_from_vec(host, (layout.len(),));
        TwoTower { layout, theta }
    }

    /// Embeds both views. `theta` carries the tape (gradients) or not (scoring, eval).
    pub fn embed<T>(&self, theta: &Flat<D, T>, a: Mat<D>, b: Mat<D>) -> Embeddings<D, T>
    where
        T: Tape<f32, D> + Merge<T> + Merge<NoneTape> + Default,
    {
        Embeddings {
            a: self.tower(theta, &self.layout.tower_a, a),
            b: self.tower(theta, &self.layout.tower_b, b),
        }
    }

    /// One tower on a batch of inputs: MLP, projection, L2 normalisation.
    pub fn tower<T>(&self, theta: &Flat<D, T>, layers: &[(Slot, Slot)], x: Mat<D>) -> Mat<D, T>
    where
        T: Tape<f32, D> + Merge<T> + Merge<NoneTape> + Default,
    {
        self.tower_mixed(theta, layers, x, 0, 1)
    }

    /// One tower at resolution r (Flexi-JEST's analog): the inputs averaged in groups
    /// of r, the first layer's weight rows summed over the same groups; r = 1 is
    /// `tower` itself.
    pub fn tower_at<T>(
        &self,
        theta: &Flat<D, T>,
        layers: &[(Slot, Slot)],
        x: Mat<D>,
        r: usize,
    ) -> Mat<D, T>
    where
        T: Tape<f32, D> + Merge<T> + Merge<NoneTape> + Default,
    {
        let n = x.shape().0;
        self.tower_mixed(theta, layers, x, n, r)
    }

    /// One tower on a batch whose first `n_low` rows run at resolution r and the
    /// rest at full resolution: the two parts meet after the first layer's
    /// product.
    ///
    /// Each parameter is sliced out of `theta` once and reused through
    /// `with_empty_tape`: dfdx 0.13's CPU `slice` backward assigns the gradient
    /// instead of adding it, so a second slice of the same weights would
    /// overwrite the first's gradient (its CUDA kernel adds).
    pub fn tower_mixed<T>(
        &self,
        theta: &Flat<D, T>,
        layers: &[(Slot, Slot)],
        x: Mat<D>,
        n_low: usize,
        r: usize,
    ) -> Mat<D, T>
    where
        T: Tape<f32, D> + Merge<T> + Merge<NoneTape> + Default,
    {
        let dev = x.device().clone();
        let (n, d) = *x.shape();
        let n_low = if r > 1 { n_low.min(n) } else { 0 };
        let (w0, b0) = &layers[0];
        let weight = matrix(theta, w0);
        let summed = |w: Mat<D, T>| group_matrix(&dev, d, r, false).retaped::<T>().matmul(w);
        let averaged = |x: Mat<D>| x.matmul(group_matrix(&dev, d, r, true)).retaped::<T>();
        let first: Mat<D, T> = if n_low == 0 {
            x.retaped::<T>().matmul(weight)
        } else if n_low == n {
            averaged(x).matmul(summed(weight))
        } else {
            let x_low = x.clone().slice((0..n_low, ..));
            let x_full = x.slice((n_low.., ..));
            let low = averaged(x_low).matmul(summed(weight.with_empty_tape()));
            let full = x_full.retaped::<T>().matmul(weight);
            (low, full).concat_along(Axis::<0>)
        };
        let mut h = first + vector(theta, b0).broadcast_like::<_, Axis<0>>(&(n, w0.cols));
        for (w, b) in &layers[1..] {
            h = h.relu();
            let weight = matrix(theta, w);
            let bias = vector(theta, b).broadcast_like::<_, Axis<0>>(&(n, w.cols));
            h = h.matmul(weight) + bias;
        }
        l2_normalise(h)
    }

    /// SigLIP logits t·<a_i, b_j> + c for every pair of a batch (docs/methods.md §2).
    pub fn logits<T>(&self, theta: &Flat<D, T>, e: Embeddings<D, T>) -> Mat<D, T>
    where
        T: Tape<f32, D> + Merge<T> + Merge<NoneTape> + Default,
    {
        let (na, nb) = (e.a.shape().0, e.b.shape().0);
        let sim = e.a.matmul(e.b.permute::<(usize, usize), Axes2<1, 0>>());
        let t = scalar(theta, &self.layout.log_temperature).exp();
        let c = scalar(theta, &self.layout.bias);
        sim * t.broadcast_like::<_, Axes2<0, 1>>(&(na, nb))
            + c.broadcast_like::<_, Axes2<0, 1>>(&(na, nb))
    }

    /// The temperature t = exp(t') and bias c, read to the host.
    pub fn temperature_and_bias(&self) -> (f32, f32) {
        let at = |s: &Slot| self.theta.clone().slice((s.offset..s.offset + 1,)).as_vec()[0];
        (
            libm::expf(at(&self.layout.log_temperature)),
            at(&self.layout.bias),
        )
    }
}

/// The d×⌈d/r⌉ group-mean matrix (`mean`: x·M averages each group of r features)
/// or the ⌈d/r⌉×d group-sum matrix (M·W sums each group of r weight rows).
fn group_matrix<D: Device<f32>>(dev: &D, d: usize, r: usize, mean: bool) -> Mat<D> {
    let g = flexi::groups(d, r);
    let mut v = vec![0.0f32; d * g];
    for i in 0..d {
        let k = i / r;
        let size = (r.min(d - k * r)) as f32;
        if mean {
            v[i * g + k] = 1.0 / size;
        } else {
            v[k * d + i] = 1.0;
        }
    }
    if mean {
        dev.tensor_from_vec(v, (d, g))
    } else {
        dev.tensor_from_vec(v, (g, d))
    }
}

/// View of one weight matrix of `theta` (shares the tape).
fn matrix<D: Device<f32>, T>(theta: &Flat<D, T>, s: &Slot) -> Mat<D, T>
where
    T: Tape<f32, D> + Default,
{
    theta
        .with_empty_tape()
        .slice((s.offset..s.offset + s.len(),))
        .reshape_like(&(s.rows, s.cols))
}

fn vector<D: Device<f32>, T>(theta: &Flat<D, T>, s: &Slot) -> Flat<D, T>
where
    T: Tape<f32, D> + Default,
{
    theta
        .with_empty_tape()
        .slice((s.offset..s.offset + s.len(),))
}

fn scalar<D: Device<f32>, T>(theta: &Flat<D, T>, s: &Slot) -> Tensor<(), f32, D, T>
where
    T: Tape<f32, D> + Default,
{
    vector(theta, s).reshape_like(&())
}

/// Rows divided by their L2 norm.
fn l2_normalise<D: Device<f32>, T>(h: Mat<D, T>) -> Mat<D, T>
where
    T: Tape<f32, D> + Merge<T> + Default,
{
    let shape = *h.shape();
    let squares = h.with_empty_tape().square().sum::<(usize,), Axis<1>>();
    let norm = (squares + NORM_EPS).sqrt();
    h / norm.broadcast_like::<_, Axis<1>>(&shape)
}

/// The value of a 0-d tensor, read to the host.
pub fn scalar_value<D: Device<f32>, T>(t: &Tensor<(), f32, D, T>) -> f32 {
    t.as_vec()[0]
}

/// Copies host rows to a device matrix.
pub fn to_device<D: Device<f32>>(dev: &D, m: &crate::data::Matrix) -> Mat<D> {
    dev.tensor_from_vec(m.data.clone(), (m.rows, m.cols))
}
