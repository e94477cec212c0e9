"""Type stubs of the native module (python/src/lib.rs). The public API is the
``jestbench`` package's; these functions take numpy arrays already on the host."""

import os
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

__version__: str

def learnability(
    learner_a: np.ndarray,
    learner_b: np.ndarray,
    reference_a: Optional[np.ndarray],
    reference_b: Optional[np.ndarray],
    learner_temperature: float,
    learner_bias: float,
    reference_temperature: float,
    reference_bias: float,
    scoring: str,
    diagonal_only: bool,
) -> np.ndarray: ...
def select(
    learner_a: np.ndarray,
    learner_b: np.ndarray,
    reference_a: Optional[np.ndarray],
    reference_b: Optional[np.ndarray],
    b: int,
    selector: str,
    n_chunks: int,
    gain: float,
    mode: Optional[str],
    seed: int,
    scoring: str,
    learner_temperature: float,
    learner_bias: float,
    reference_temperature: float,
    reference_bias: float,
    kinds: Optional[np.ndarray],
) -> np.ndarray: ...
def select_from_matrix(
    scores: np.ndarray,
    b: int,
    selector: str,
    n_chunks: int,
    gain: float,
    mode: Optional[str],
    seed: int,
    kinds: Optional[np.ndarray],
) -> np.ndarray: ...
def jest_with_uniforms(
    learner_a: np.ndarray,
    learner_b: np.ndarray,
    reference_a: Optional[np.ndarray],
    reference_b: Optional[np.ndarray],
    b: int,
    n_chunks: int,
    gain: float,
    scoring: str,
    learner_temperature: float,
    learner_bias: float,
    reference_temperature: float,
    reference_bias: float,
    uniforms: np.ndarray,
) -> Tuple[np.ndarray, np.ndarray]: ...
def speedup(
    steps: List[int],
    baseline: np.ndarray,
    selector: np.ndarray,
    threshold: Optional[float],
    worlds: Optional[List[int]] = None,
) -> Dict[str, Any]: ...
def read_results(path: Union[str, "os.PathLike[str]"]) -> str: ...
def read_tables(path: Union[str, "os.PathLike[str]"]) -> Tuple[str, List[Tuple[str, str]]]: ...
def methods() -> List[str]: ...
def verdicts() -> List[str]: ...
def check_name(name: str) -> None: ...
def time_native_select(
    learner_a: np.ndarray,
    learner_b: np.ndarray,
    reference_a: np.ndarray,
    reference_b: np.ndarray,
    b: int,
    n_chunks: int,
    seed: int,
    reps: int,
) -> List[float]: ...
