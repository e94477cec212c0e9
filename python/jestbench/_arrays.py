"""Arrays from any framework as numpy arrays on the host.

An argument may be a numpy array, anything that speaks the DLPack protocol
(``__dlpack__``: PyTorch, JAX, CuPy, TensorFlow, numpy itself) or anything numpy
can read through ``__array__``. Arrays already on the host are read without a
copy where DLPack allows it; arrays on an accelerator (a CUDA or ROCm device, a
TPU) are copied to the host once, here, and that copy is what the harness reads.
Nothing is converted silently that would change values: float16 widens to
float32 exactly; bfloat16, integers and complex numbers are refused with the
conversion to make.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

# DLPack device types (dlpack.h): the host, and CUDA's pinned host memory.
_HOST_DEVICES = (1, 3)
_DEVICE_NAMES = {2: "CUDA", 4: "OpenCL", 7: "Vulkan", 8: "Metal", 9: "VPI", 10: "ROCm",
                 13: "CUDA managed", 14: "oneAPI"}


def _framework(x: Any) -> str:
    module = type(x).__module__.split(".")[0]
    return {"torch": "PyTorch", "jax": "JAX", "jaxlib": "JAX", "cupy": "CuPy",
            "tensorflow": "TensorFlow"}.get(module, module)


def _cast_hint(name: str, x: Any) -> str:
    fw = _framework(x)
    if fw == "PyTorch":
        return f"{name}.float()"
    if fw == "JAX":
        return f"{name}.astype(jnp.float32)"
    return f"{name}.astype(np.float32)"


def _refuse_grad(name: str, x: Any) -> None:
    if getattr(x, "requires_grad", False):
        raise TypeError(
            f"{name}: a tensor that requires grad; pass {name}.detach() "
            "(selection needs no gradient)")


def _on_host(name: str, x: Any) -> np.ndarray:
    """One copy of an accelerator array on the host (or the host array itself)."""
    _refuse_grad(name, x)
    device = None
    if hasattr(x, "__dlpack_device__"):
        try:
            device = int(x.__dlpack_device__()[0])
        except Exception:  # an object that claims DLPack but cannot say where it lives
            device = None
    if device is not None and device in _HOST_DEVICES and hasattr(x, "__dlpack__"):
        try:
            return np.from_dlpack(x)
        except (BufferError, TypeError, RuntimeError, ValueError):
            pass  # e.g. bfloat16, which numpy cannot hold: numpy's own reading below
    elif device is not None:
        # On an accelerator: copy to the host once. DLPack's cross-device copy
        # where the producer offers it, else the framework's own way to the host.
        try:
            return np.from_dlpack(x, device="cpu", copy=True)
        except (BufferError, TypeError, RuntimeError, ValueError, NotImplementedError):
            pass
        for move in ("cpu", "get"):  # PyTorch's .cpu(), CuPy's .get()
            if callable(getattr(x, move, None)):
                moved = getattr(x, move)()
                if isinstance(moved, np.ndarray):
                    return moved
                if hasattr(moved, "numpy"):
                    try:
                        return moved.numpy()
                    except (TypeError, RuntimeError) as e:
                        raise TypeError(_dtype_message(name, x, str(getattr(x, "dtype", "")))) from e
    try:
        return np.asarray(x)
    except (TypeError, RuntimeError, ValueError) as e:
        dtype = str(getattr(x, "dtype", ""))
        if dtype and not any(t in dtype for t in ("float32", "float64")):
            raise TypeError(_dtype_message(name, x, dtype)) from e
        where = _DEVICE_NAMES.get(device, "an accelerator") if device else "its device"
        raise TypeError(
            f"{name}: a {type(x).__name__} ({_framework(x)}) that could not be copied from "
            f"{where} to the host ({e}); pass a numpy array, or an array that supports "
            "DLPack or __array__") from e


def _dtype_message(name: str, x: Any, dtype: str) -> str:
    return (f"{name}: dtype {dtype.replace('torch.', '')} cannot be read; embeddings and scores "
            f"are float32 or float64: convert first ({_cast_hint(name, x)})")


def host_array(name: str, x: Any, allow_none: bool = False) -> Optional[np.ndarray]:
    """``x`` as a numpy float32 or float64 array on the host (see the module)."""
    if x is None:
        if allow_none:
            return None
        raise TypeError(f"{name}: expected an array, found None")
    if isinstance(x, np.ndarray):
        a = x
    elif isinstance(x, (list, tuple)):
        a = np.asarray(x, dtype=np.float64)
    else:
        a = _on_host(name, x)
    if a.dtype == np.float16:
        return a.astype(np.float32)  # exact
    if a.dtype not in (np.float32, np.float64):
        raise TypeError(_dtype_message(name, x, str(getattr(x, "dtype", a.dtype))))
    return a


def framework_array(name: str, x: Any) -> Any:
    """``x`` left in its framework (on its device) when it is an array a framework
    owns, checked as :func:`host_array` would check it (gradient, dtype); a list
    or tuple becomes a numpy array."""
    if isinstance(x, (list, tuple)):
        return np.asarray(x, dtype=np.float64)
    _refuse_grad(name, x)
    dtype = str(getattr(x, "dtype", ""))
    if not any(t in dtype for t in ("float16", "float32", "float64")) or "bfloat16" in dtype:
        raise TypeError(_dtype_message(name, x, dtype or type(x).__name__))
    if not hasattr(x, "shape"):
        raise TypeError(f"{name}: expected an array, found {type(x).__name__}")
    return x


def host_integers(name: str, x: Any) -> Optional[np.ndarray]:
    """Integer or boolean labels (the oracle's kinds) on the host."""
    if x is None:
        return None
    a = x if isinstance(x, np.ndarray) else np.asarray(x) if isinstance(x, (list, tuple)) \
        else _on_host(name, x)
    if a.dtype == np.bool_:
        return a
    if np.issubdtype(a.dtype, np.integer):
        return a.astype(np.int64, copy=False)
    raise TypeError(
        f"{name}: expected integers (0 clean, 1 misaligned, 2 heavy noise, 3 duplicate) "
        f"or booleans (True: clean), found dtype {a.dtype}")
