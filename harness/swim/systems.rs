//! The Hamiltonian systems of Rahma, Datar & Dietrich (arXiv 2411.17511), all
//! constants 1, with their energies, exact gradients and the domains and test
//! trajectories this harness uses by default.
//!
//! A state is x = (q₁ … q_dof, p₁ … p_dof); its time derivative is
//! (q', p') = (∂H/∂p, −∂H/∂q). Gradients are written out by hand and checked
//! against central differences in the tests.

use std::f64::consts::PI;

use crate::swim::{HamiltonianSpec, HamiltonianSystem, TrajectorySpec};

impl HamiltonianSystem {
    /// H(x).
    pub fn energy(self, x: &[f64]) -> f64 {
        match self {
            HamiltonianSystem::SinglePendulum => {
                let (q, p) = (x[0], x[1]);
                0.5 * p * p + (1.0 - libm::cos(q))
            }
            HamiltonianSystem::HenonHeiles => {
                let (q1, q2, p1, p2) = (x[0], x[1], x[2], x[3]);
                0.5 * (p1 * p1 + p2 * p2) + 0.5 * (q1 * q1 + q2 * q2) + q1 * q1 * q2
                    - q2 * q2 * q2 / 3.0
            }
            HamiltonianSystem::DoublePendulum => {
                let (q1, q2, p1, p2) = (x[0], x[1], x[2], x[3]);
                let (s, c) = libm::sincos(q1 - q2);
                let kinetic = (p1 * p1 + 2.0 * p2 * p2 - 2.0 * p1 * p2 * c) / (2.0 * (1.0 + s * s));
                kinetic - 2.0 * libm::cos(q1) - libm::cos(q2)
            }
        }
    }

    /// ∇H(x) = (∂H/∂q, ∂H/∂p), written into `out`.
    pub fn gradient(self, x: &[f64], out: &mut [f64]) {
        match self {
            HamiltonianSystem::SinglePendulum => {
                out[0] = libm::sin(x[0]);
                out[1] = x[1];
            }
            HamiltonianSystem::HenonHeiles => {
                let (q1, q2, p1, p2) = (x[0], x[1], x[2], x[3]);
                out[0] = q1 + 2.0 * q1 * q2;
                out[1] = q2 + q1 * q1 - q2 * q2;
                out[2] = p1;
                out[3] = p2;
            }
            HamiltonianSystem::DoublePendulum => {
                // T = N / D with N = p₁² + 2p₂² − 2p₁p₂ cos Δ, D = 2(1 + sin² Δ),
                // Δ = q₁ − q₂: ∂N/∂q₁ = 2p₁p₂ sin Δ, ∂D/∂q₁ = 4 sin Δ cos Δ, and
                // ∂T/∂q₂ = −∂T/∂q₁.
                let (q1, q2, p1, p2) = (x[0], x[1], x[2], x[3]);
                let (s, c) = libm::sincos(q1 - q2);
                let num = p1 * p1 + 2.0 * p2 * p2 - 2.0 * p1 * p2 * c;
                let den = 2.0 * (1.0 + s * s);
                let dt_dq1 = (2.0 * p1 * p2 * s * den - num * 4.0 * s * c) / (den * den);
                out[0] = dt_dq1 + 2.0 * libm::sin(q1);
                out[1] = -dt_dq1 + libm::sin(q2);
                out[2] = (2.0 * p1 - 2.0 * p2 * c) / den;
                out[3] = (4.0 * p2 - 2.0 * p1 * c) / den;
            }
        }
    }

    /// The paper's sampling domain, [lo, hi] per coordinate (q's then p's).
    pub fn default_domain(self) -> Vec<[f64; 2]> {
        match self {
            HamiltonianSystem::SinglePendulum => vec![[-2.0 * PI, 2.0 * PI], [-1.0, 1.0]],
            HamiltonianSystem::HenonHeiles => vec![[-5.0, 5.0]; 4],
            HamiltonianSystem::DoublePendulum => {
                vec![[-PI, PI], [-PI, PI], [-1.0, 1.0], [-1.0, 1.0]]
            }
        }
    }

    /// A bounded test orbit well inside the default domain, 20 time units in steps
    /// of 0.01: the pendulum from (q, p) = (1, 0) (energy 0.46, |p| ≤ 0.96);
    /// Hénon–Heiles from q = (0.3, 0), p = (0, 0.3) (energy 0.09 < 1/6, a bounded
    /// orbit); the double pendulum from q = (0.3, −0.3), p = 0 (energy 0.13 above
    /// the minimum, |p| < 0.8).
    pub fn default_trajectory(self) -> TrajectorySpec {
        let start = match self {
            HamiltonianSystem::SinglePendulum => vec![1.0, 0.0],
            HamiltonianSystem::HenonHeiles => vec![0.3, 0.0, 0.0, 0.3],
            HamiltonianSystem::DoublePendulum => vec![0.3, -0.3, 0.0, 0.0],
        };
        TrajectorySpec {
            start,
            horizon: 20.0,
            step: 0.01,
        }
    }

    /// (q', p') = (∂H/∂p, −∂H/∂q): the time derivative at x.
    pub fn vector_field(self, x: &[f64], out: &mut [f64]) {
        let mut g = vec![0.0; x.len()];
        self.gradient(x, &mut g);
        symplectic(&g, out);
    }
}

/// J∇H: from a gradient (∂H/∂q, ∂H/∂p) to the time derivative (∂H/∂p, −∂H/∂q).
pub fn symplectic(grad: &[f64], out: &mut [f64]) {
    let dof = grad.len() / 2;
    for i in 0..dof {
        out[i] = grad[dof + i];
        out[dof + i] = -grad[i];
    }
}

impl HamiltonianSpec {
    pub fn domain(&self) -> Vec<[f64; 2]> {
        self.domain
            .clone()
            .unwrap_or_else(|| self.system.default_domain())
    }

    pub fn trajectory(&self) -> TrajectorySpec {
        self.trajectory
            .clone()
            .unwrap_or_else(|| self.system.default_trajectory())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_match_central_differences() {
        let states: [&[f64]; 3] = [
            &[0.7, -0.4],
            &[0.3, -1.2, 0.8, 0.5],
            &[1.1, -0.6, 0.4, -0.9],
        ];
        for (sys, x) in [
            HamiltonianSystem::SinglePendulum,
            HamiltonianSystem::HenonHeiles,
            HamiltonianSystem::DoublePendulum,
        ]
        .into_iter()
        .zip(states)
        {
            let mut g = vec![0.0; x.len()];
            sys.gradient(x, &mut g);
            for j in 0..x.len() {
                let h = 1e-6;
                let (mut a, mut b) = (x.to_vec(), x.to_vec());
                a[j] += h;
                b[j] -= h;
                let fd = (sys.energy(&a) - sys.energy(&b)) / (2.0 * h);
                assert!((fd - g[j]).abs() < 1e-8, "{sys:?} ∂{j}: {fd} vs {}", g[j]);
            }
        }
    }

    #[test]
    fn default_orbits_start_inside_their_domains() {
        for sys in [
            HamiltonianSystem::SinglePendulum,
            HamiltonianSystem::HenonHeiles,
            HamiltonianSystem::DoublePendulum,
        ] {
            let d = sys.default_domain();
            let t = sys.default_trajectory();
            assert_eq!(d.len(), 2 * sys.dof());
            assert!(t.start.iter().zip(&d).all(|(v, [lo, hi])| lo < v && v < hi));
        }
        // The Hénon–Heiles orbit lies below the escape energy 1/6.
        let e = HamiltonianSystem::HenonHeiles.energy(&[0.3, 0.0, 0.0, 0.3]);
        assert!(e < 1.0 / 6.0, "{e}");
    }
}
