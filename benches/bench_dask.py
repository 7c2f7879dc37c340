"""Benchmarks of fastmi.dask against the in-memory calls (issue 9 targets).

Groups (ratio table at the end, MEDIAN times; see conftest.py), each on a
``distributed.LocalCluster`` of two worker processes, one thread each, the
data already held by the workers:

``dask-binned-1e8``
    ``fastmi.dask.discrete_mi`` over chunks of 1e7 samples (the x and y halves of
    a chunk made by one task, as the columns of one row group) vs
    ``fastmi.discrete_mi(x, y, n_jobs=2)`` in memory (target: the distributed
    call at >= 0.6x the in-memory throughput). The values are equal, bit for bit.
``dask-features-1e5x200``
    ``fastmi.dask.mutual_info_regression`` over two blocks of 100 features (one held
    by each worker) vs the
    in-memory call with ``n_jobs=2`` (target: >= 0.5x). Equal, bit for bit.

``fastmi bench --dask`` measures the same with 1 and 2 workers, and the
memory of each worker during a binned pass (src/fastmi/bench/dask_cases.py).
Timing targets are reported, never asserted (the machine is shared and noisy).
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import pytest

import fastmi

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import dask  # noqa: E402

import fastmi.dask as fd  # noqa: E402
from fastmi.bench.dask_cases import SATURATION, _chunk, _pairs, column_blocks  # noqa: E402

N_BINNED, CHUNK = 100_000_000, 10_000_000
N_FEATURES, P_FEATURES, BLOCK = 100_000, 200, 100  # one block per worker (see dask_cases.py)
SEED = 20240601


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # worker-saturation 1.0: one chunk read ahead per thread, not two (dask_cases.py)
    with dask.config.set({"distributed.scheduler.worker-saturation": SATURATION}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                     silence_logs=50) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def binned_data(sized: Any, client: Any) -> Any:
    """x and y in memory here, and the same samples held by the workers in chunks whose
    x and y halves were made by one task (the columns of one row group), as a reader of
    Parquet or Zarr leaves them: each worker holds both halves of its chunks."""
    n = sized(N_BINNED, 200_000)
    chunk = sized(CHUNK, 30_000)
    sizes = [min(chunk, n - s) for s in range(0, n, chunk)]
    x = np.concatenate([_chunk(SEED, i, m, 0) for i, m in enumerate(sizes)])
    y = np.concatenate([_chunk(SEED, i, m, 1) for i, m in enumerate(sizes)])
    hx, hy = client.persist(list(_pairs(SEED, sizes)))
    distributed.wait([hx, hy])
    return x, y, hx, hy


@pytest.fixture(scope="module")
def feature_data(sized: Any, client: Any) -> Any:
    n = sized(N_FEATURES, 2_000)
    rng = np.random.RandomState(0)
    X = rng.standard_normal((n, P_FEATURES))
    target = X[:, 0] + np.sin(X[:, 1]) + 0.5 * rng.standard_normal(n)
    Xd = column_blocks(client, X, BLOCK)
    distributed.wait(Xd)
    return X, target, Xd


@pytest.mark.benchmark(group="dask-binned-1e8")
def test_binned_in_memory(benchmark: Any, binned_data: Any) -> None:
    x, y, _, _ = binned_data
    benchmark.extra_info.update(subject=False, max_ratio=1 / 0.6, target="dask >= 0.6x the in-memory throughput")
    bins = iter(range(32, 64))

    def setup() -> Any:
        return (x, y), {"bins": next(bins), "n_jobs": 2}

    value = benchmark.pedantic(fastmi.discrete_mi, setup=setup, rounds=3)
    assert value > 0.5


@pytest.mark.benchmark(group="dask-binned-1e8")
def test_binned_dask(benchmark: Any, binned_data: Any) -> None:
    x, y, hx, hy = binned_data
    benchmark.extra_info["subject"] = True
    bins = iter(range(32, 64))  # a new bin count per round: no result still held is reused
    used: list[int] = []

    def setup() -> Any:
        used.append(next(bins))
        return (hx, hy), {"bins": used[-1]}

    value = benchmark.pedantic(fd.discrete_mi, setup=setup, rounds=3)
    assert value == fastmi.discrete_mi(x, y, bins=used[-1])


@pytest.mark.benchmark(group="dask-features-1e5x200")
def test_features_in_memory(benchmark: Any, feature_data: Any) -> None:
    X, target, _ = feature_data
    benchmark.extra_info.update(subject=False, max_ratio=1 / 0.5, target="dask >= 0.5x the in-memory speed")
    mi = benchmark.pedantic(fastmi.mutual_info_regression, args=(X, target),
                            kwargs={"random_state": 0, "n_jobs": 2}, rounds=1)
    assert int(np.argmax(mi)) == 0


@pytest.mark.benchmark(group="dask-features-1e5x200")
def test_features_dask(benchmark: Any, feature_data: Any) -> None:
    X, target, Xd = feature_data
    benchmark.extra_info["subject"] = True
    mi = benchmark.pedantic(fd.mutual_info_regression, args=(Xd, target), kwargs={"random_state": 0}, rounds=1)
    assert np.array_equal(mi, fastmi.mutual_info_regression(X, target, random_state=0))
