# Type stubs for the native module built from _sklearn_core.pyx (marshalling only).
import numpy as np
import numpy.typing as npt

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]

def feature_mi(
    xc: _F64 | None, xd: _F64 | None, n: int,
    y: _F64 | None, y_codes: _I64 | None, y_labels: int,
    k: int, n_threads: int, interruptible: bool,
) -> tuple[_F64, _F64]: ...
def add_noise(
    x: _F64, c: _F64, key: npt.NDArray[np.uint32], pos: int, has_gauss: int, gauss: float,
    n_threads: int, interruptible: bool,
) -> tuple[int, int, float]: ...
def codes_mi(a: _I64, na: int, b: _I64, nb: int, interruptible: bool) -> float: ...
def table_mi(row: _I64, col: _I64, count: _I64, pi: _I64, pj: _I64, interruptible: bool) -> float: ...
