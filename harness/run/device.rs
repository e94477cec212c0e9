//! Where tensors live. The CUDA feature gate is here and nowhere else: code that
//! runs on a device is a [`DeviceJob`], generic over dfdx's device, and
//! [`with_device`] runs it on the CPU or, in a build with the `cuda` feature, on
//! the first GPU.

use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use crate::backend::Backend;

/// The device a run trains on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    #[default]
    Cpu,
    Cuda,
}

impl DeviceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Cpu => "cpu",
            DeviceKind::Cuda => "cuda",
        }
    }
}

/// Work that runs on whichever device it is given.
pub trait DeviceJob {
    type Output;
    fn run<D: Backend>(self, dev: &D) -> Self::Output;
}

/// A device that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("--device cuda: this jestbench was built without CUDA; rebuild with `cargo build --release --features cuda` on a machine with the CUDA toolkit (or ../shared/tools/build-cuda.sh)")]
    NotBuilt,
    #[error("--device cuda: no usable GPU: {0}")]
    Unavailable(String),
}

/// Refuses a device this build cannot use, before any work starts.
pub fn check(kind: DeviceKind) -> Result<(), DeviceError> {
    match kind {
        DeviceKind::Cuda if !cfg!(feature = "cuda") => Err(DeviceError::NotBuilt),
        _ => Ok(()),
    }
}

/// Runs `job` on a fresh device of `kind` (seeded with 0; the harness seeds every
/// random stream itself).
pub fn with_device<J: DeviceJob>(kind: DeviceKind, job: J) -> Result<J::Output, DeviceError> {
    match kind {
        DeviceKind::Cpu => Ok(job.run(&Cpu::default())),
        DeviceKind::Cuda => on_cuda(job),
    }
}

#[cfg(feature = "cuda")]
fn on_cuda<J: DeviceJob>(job: J) -> Result<J::Output, DeviceError> {
    let dev = Cuda::try_build(0, 0).map_err(|e| DeviceError::Unavailable(format!("{e:?}")))?;
    Ok(job.run(&dev))
}

#[cfg(not(feature = "cuda"))]
fn on_cuda<J: DeviceJob>(_: J) -> Result<J::Output, DeviceError> {
    Err(DeviceError::NotBuilt)
}
