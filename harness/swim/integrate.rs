//! Trajectories of a Hamiltonian vector field and the energy drift along them.
//!
//! The implicit midpoint rule x_{n+1} = x_n + h·J∇H((x_n + x_{n+1})/2) is
//! symplectic for any H (separable or not, as the double pendulum's is not), so
//! on the exact H its energy error stays bounded (O(h²)) instead of drifting. The
//! implicit equation F(y) = y − x_n − h·J∇H((x_n + y)/2) = 0 is solved by a
//! simplified Newton iteration from the explicit Euler guess: the Jacobian
//! I − (h/2)·J·∇²H, with the Hessian from central differences of the gradient,
//! is formed once per step (again after every [`REFRESH`] iterations), and the
//! iteration stops when the update falls below 1e-13·(1 + ‖y‖∞), or after
//! [`MAX_ITERATIONS`]. (A plain fixed-point iteration stalls on learned fields,
//! whose sampled neurons can be steep: h·Lip(∇Ĥ) is not always below 1.)
//!
//! Energy drift of a learned H (what users of Hamiltonian networks look at): the
//! trajectory is integrated with the learned gradient, and the *true* energy is
//! read along it: max_t |H(x_t) − H(x_0)|.

use super::systems::symplectic;

pub const MAX_ITERATIONS: usize = 50;
pub const REFRESH: usize = 8;

/// Solves M z = r in place (Gaussian elimination with partial pivoting; M is d×d,
/// row-major). Returns false when M is singular.
fn solve_dense(m: &mut [f64], r: &mut [f64], d: usize) -> bool {
    for c in 0..d {
        let p = (c..d)
            .max_by(|&a, &b| m[a * d + c].abs().total_cmp(&m[b * d + c].abs()))
            .unwrap_or(c);
        // NaN pivots count as singular.
        if m[p * d + c].abs().partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return false;
        }
        if p != c {
            for k in 0..d {
                m.swap(p * d + k, c * d + k);
            }
            r.swap(p, c);
        }
        for i in c + 1..d {
            let f = m[i * d + c] / m[c * d + c];
            for k in c..d {
                m[i * d + k] -= f * m[c * d + k];
            }
            r[i] -= f * r[c];
        }
    }
    for c in (0..d).rev() {
        let mut v = r[c];
        for k in c + 1..d {
            v -= m[c * d + k] * r[k];
        }
        r[c] = v / m[c * d + c];
    }
    true
}

/// The Newton matrix I − (h/2)·J·∇²H(mid), row-major, Hessian by central
/// differences of `grad`.
fn newton_matrix(grad: &impl Fn(&[f64], &mut [f64]), mid: &[f64], h: f64) -> Vec<f64> {
    let d = mid.len();
    let (mut up, mut down, mut col, mut jcol) =
        (vec![0.0; d], vec![0.0; d], vec![0.0; d], vec![0.0; d]);
    let mut m = vec![0.0; d * d];
    let mut probe = mid.to_vec();
    for c in 0..d {
        let delta = 1e-6 * (1.0 + mid[c].abs());
        probe[c] = mid[c] + delta;
        grad(&probe, &mut up);
        probe[c] = mid[c] - delta;
        grad(&probe, &mut down);
        probe[c] = mid[c];
        for i in 0..d {
            col[i] = (up[i] - down[i]) / (2.0 * delta);
        }
        symplectic(&col, &mut jcol);
        for i in 0..d {
            m[i * d + c] = f64::from(u8::from(i == c)) - 0.5 * h * jcol[i];
        }
    }
    m
}

/// The states x_0 … x_steps of the implicit midpoint rule with step `h`, the
/// gradient given by `grad(x, out)`. Stops early (shorter output) if a state
/// stops being finite.
pub fn implicit_midpoint(
    grad: impl Fn(&[f64], &mut [f64]),
    start: &[f64],
    h: f64,
    steps: usize,
) -> Vec<Vec<f64>> {
    let d = start.len();
    let mut out = Vec::with_capacity(steps + 1);
    out.push(start.to_vec());
    let (mut g, mut f, mut mid) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
    let mut x = start.to_vec();
    for _ in 0..steps {
        // Explicit Euler guess.
        grad(&x, &mut g);
        symplectic(&g, &mut f);
        let mut y: Vec<f64> = x.iter().zip(&f).map(|(a, b)| a + h * b).collect();
        let mut jacobian = Vec::new();
        for it in 0..MAX_ITERATIONS {
            for j in 0..d {
                mid[j] = 0.5 * (x[j] + y[j]);
            }
            if it % REFRESH == 0 {
                jacobian = newton_matrix(&grad, &mid, h);
            }
            grad(&mid, &mut g);
            symplectic(&g, &mut f);
            // −F(y), then the update.
            let mut r: Vec<f64> = (0..d).map(|j| x[j] + h * f[j] - y[j]).collect();
            let mut m = jacobian.clone();
            if !solve_dense(&mut m, &mut r, d) {
                break;
            }
            let mut change = 0.0f64;
            for j in 0..d {
                y[j] += r[j];
                change = change.max(r[j].abs());
            }
            let size = y.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            // Stop when converged, or when the change is NaN.
            if change.partial_cmp(&(1e-13 * (1.0 + size))) != Some(std::cmp::Ordering::Greater) {
                break;
            }
        }
        if y.iter().any(|v| !v.is_finite()) {
            break;
        }
        x = y;
        out.push(x.clone());
    }
    out
}

/// max_t |H(x_t) − H(x_0)| along `states` (infinite when the trajectory stopped
/// short of `steps + 1` states because it blew up).
pub fn energy_drift(energy: impl Fn(&[f64]) -> f64, states: &[Vec<f64>], steps: usize) -> f64 {
    if states.len() < steps + 1 {
        return f64::INFINITY;
    }
    let e0 = energy(&states[0]);
    states
        .iter()
        .map(|x| (energy(x) - e0).abs())
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swim::HamiltonianSystem;

    #[test]
    fn the_exact_hamiltonian_conserves_energy_without_drift() {
        for sys in [
            HamiltonianSystem::SinglePendulum,
            HamiltonianSystem::HenonHeiles,
            HamiltonianSystem::DoublePendulum,
        ] {
            let t = sys.default_trajectory();
            let steps = (t.horizon / t.step).round() as usize;
            let grad = |x: &[f64], out: &mut [f64]| sys.gradient(x, out);
            let short = implicit_midpoint(grad, &t.start, t.step, steps);
            let long = implicit_midpoint(grad, &t.start, t.step, 10 * steps);
            let e = |x: &[f64]| sys.energy(x);
            let (d1, d10) = (
                energy_drift(e, &short, steps),
                energy_drift(e, &long, 10 * steps),
            );
            // Bounded O(h²) oscillation, and no secular growth over ten times longer.
            assert!(
                d1 < 1e-4,
                "{sys:?}: drift {d1:e} over {} time units",
                t.horizon
            );
            assert!(
                d10 < 2.0 * d1 + 1e-12,
                "{sys:?}: {d10:e} over 10x vs {d1:e}"
            );
        }
        // Explicit Euler on the pendulum, for contrast, gains energy steadily.
        let sys = HamiltonianSystem::SinglePendulum;
        let (mut x, h) = (vec![1.0, 0.0], 0.01);
        let mut f = vec![0.0; 2];
        for _ in 0..2000 {
            sys.vector_field(&x, &mut f);
            x = vec![x[0] + h * f[0], x[1] + h * f[1]];
        }
        assert!(sys.energy(&x) - sys.energy(&[1.0, 0.0]) > 1e-3);
    }

    #[test]
    fn a_blown_up_trajectory_has_infinite_drift() {
        let grad = |x: &[f64], out: &mut [f64]| {
            out[0] = 0.0;
            out[1] = x[0].exp() * 1e300;
        };
        let s = implicit_midpoint(grad, &[1.0, 0.0], 0.1, 10);
        assert!(s.len() < 11);
        assert_eq!(energy_drift(|x| x[0], &s, 10), f64::INFINITY);
    }
}
