"""fastmi.dask against the in-memory calls, bit for bit, on a real
distributed.LocalCluster of two worker processes."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import warnings
from typing import Any, Iterator

import numpy as np
import numpy.typing as npt
import pytest

import fastmi

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
import dask  # noqa: E402

import fastmi.dask as fd  # noqa: E402

pytestmark = pytest.mark.dask


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with dask.config.set({"distributed.worker.daemon": False, "distributed.admin.tick.limit": "10s"}):
        cluster = distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=50
        )
        c = distributed.Client(cluster)
        try:
            yield c
        finally:
            c.close()
            cluster.close()


def _data(n: int, seed: int = 0) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    return x, x + 0.7 * rng.standard_normal(n)


def test_import_fastmi_does_not_import_dask() -> None:
    code = "import sys, fastmi; fastmi.discrete_mi([0.0, 1.0], [1.0, 0.0]); print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("bins", [10, [7, 3], np.linspace(-2.0, 2.0, 9), 300])  # 300: a sparse table in memory
def test_discrete_mi_bit_identical(client: Any, bins: Any) -> None:
    x, y = _data(10_007)
    got = fd.discrete_mi(da.from_array(x, chunks=999), da.from_array(y, chunks=1234), bins=bins)
    assert got == fastmi.discrete_mi(x, y, bins=bins)  # the same float, not merely close


def test_discrete_mi_single_and_empty_chunks(client: Any) -> None:
    x, y = _data(3001, seed=1)
    want = fastmi.discrete_mi(x, y, bins=12, base=np.e)
    assert fd.discrete_mi(da.from_array(x, chunks=-1), da.from_array(y, chunks=-1), bins=12, base=np.e) == want
    chunks = ((0, 300, 700, 0, 0, 1500, 501, 0),)
    xs, ys = da.from_array(x, chunks=chunks), da.from_array(y, chunks=chunks)
    assert xs.chunks == chunks
    assert fd.discrete_mi(xs, ys, bins=12, base=np.e) == want


def test_discrete_mi_constant_and_ints(client: Any) -> None:
    x = np.repeat(np.arange(7, dtype=np.int32), 300)
    y = np.full(x.shape, 3.0)
    assert fd.discrete_mi(da.from_array(x, chunks=500), da.from_array(y, chunks=500)) == fastmi.discrete_mi(x, y)
    assert fd.discrete_mi(da.from_array(x, chunks=500), da.from_array(x, chunks=500), bins=7) == pytest.approx(
        np.log2(7), rel=1e-12
    )


def test_float32_binned_as_in_memory(client: Any) -> None:
    # float32 samples are binned on float32 edges, as numpy and the in-memory functions do
    rng = np.random.default_rng(4)
    x = (rng.integers(1, 20, 3000) * np.float32(0.1)).astype(np.float32)
    y = (rng.integers(1, 20, 3000) * np.float32(0.1)).astype(np.float32)
    x[:2] = y[:2] = np.float32(0.1), np.float32(1.9)  # edges every 0.2: on the samples
    want = fastmi.discrete_mi(x, y, bins=9)
    assert want != fastmi.discrete_mi(x.astype(np.float64), y.astype(np.float64), bins=9)
    assert fd.discrete_mi(da.from_array(x, chunks=700), da.from_array(y, chunks=700), bins=9) == want
    assert fd.discrete_mi(da.from_array(x, chunks=700), da.from_array(y, chunks=900), bins=9) == want
    assert fd.entropy(da.from_array(x, chunks=700), method="binned", bins=9) == fastmi.entropy(x, method="binned", bins=9)
    X = np.column_stack([x, y])
    got = fd.pairwise_mi(da.from_array(X, chunks=(1000, 2)), method="binned", bins=9)
    assert np.array_equal(got, fastmi.pairwise_mi(X, method="binned", bins=9))


def test_discrete_mi_series(client: Any) -> None:
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    x, y = _data(2000, seed=2)
    frame = dd.from_pandas(pd.DataFrame({"x": x, "y": y}), npartitions=3)
    assert fd.discrete_mi(frame["x"], frame["y"], bins=8) == fastmi.discrete_mi(x, y, bins=8)


def test_discrete_mi_bad_input(client: Any) -> None:
    x, y = _data(1000)
    x[777] = np.nan
    with pytest.raises(ValueError, match=r"^x contains NaN at row 777; every sample must be finite$"):
        fd.discrete_mi(da.from_array(x, chunks=100), da.from_array(y, chunks=100))
    with pytest.raises(ValueError, match="same number of samples"):
        fd.discrete_mi(da.from_array(y, chunks=100), da.from_array(y[:-1], chunks=100))
    with pytest.raises(ValueError, match="bins"):
        fd.discrete_mi(da.from_array(y, chunks=100), da.from_array(y, chunks=100), bins=0)


@pytest.mark.parametrize("method", ["binned", "discrete"])
def test_entropy_bit_identical(client: Any, method: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal(5003) if method == "binned" else rng.integers(-5, 40, 5003).astype(float)
    want = fastmi.entropy(x, method=method, bins=17)
    assert fd.entropy(da.from_array(x, chunks=700), method=method, bins=17) == want
    assert fd.entropy(da.from_array(x, chunks=-1), method=method, bins=17) == want


@pytest.mark.parametrize("bins", [17, 1, np.linspace(-1.5, 2.0, 8), [-3.0, 0.0, 0.1, 5.0], [-1.5e308, 0.25, 1.5e308]])
def test_binned_entropy_edges_constants_and_empty_chunks(client: Any, bins: Any) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal(4001)  # explicit edges leave samples outside: they are not counted
    chunks = ((1000, 0, 1500, 1, 0, 1500),)
    wide = np.tile([-1e308, 0.0, 1e308, 0.5, 3.0, -7.0, 1e308], 573)[:4001]  # max - min overflows
    for data in (x, np.full(4001, 2.5), np.repeat([1.0, 7.0], [4000, 1]), wide):
        try:
            want = fastmi.entropy(data, method="binned", bins=bins)
        except ValueError as exc:  # every sample outside the edges: the same error
            with pytest.raises(ValueError, match=re.escape(str(exc))):
                fd.entropy(da.from_array(data, chunks=chunks), method="binned", bins=bins)
            continue
        assert fd.entropy(da.from_array(data, chunks=chunks), method="binned", bins=bins) == want
        lazy = fd.entropy(da.from_array(data, chunks=chunks), method="binned", bins=bins, compute=False)
        assert lazy.compute() == want


def test_unknown_chunk_sizes(client: Any) -> None:
    # chunks of unknown length (a boolean selection): the same numbers
    x, y = _data(6007, seed=7)
    dx, dy = da.from_array(x, chunks=1000), da.from_array(y, chunks=1000)
    keep = dx > -np.inf  # every sample, but dask cannot know it
    ux, uy = dx[keep], dy[keep]
    assert np.isnan(ux.shape[0])
    assert fd.discrete_mi(ux, uy, bins=13) == fastmi.discrete_mi(x, y, bins=13)
    assert fd.discrete_mi(ux, dy, bins=13) == fastmi.discrete_mi(x, y, bins=13)
    assert fd.entropy(ux, method="binned", bins=13) == fastmi.entropy(x, method="binned", bins=13)


# older dask (2024.x) warns when a local scheduler runs beside a distributed client, as
# these tests do on purpose
_LOCAL_BESIDE_CLIENT = "ignore:Running on a single-machine scheduler:UserWarning"


@pytest.mark.filterwarnings(_LOCAL_BESIDE_CLIENT)
def test_nothing_computed_before_compute() -> None:
    calls: list[int] = []

    def boom(block: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        calls.append(1)
        raise RuntimeError("computed")

    meta = np.empty(0)
    x = da.from_array(np.arange(100.0), chunks=10).map_blocks(boom, dtype=np.float64, meta=meta)
    X = da.from_array(np.ones((100, 4)), chunks=(50, 2)).map_blocks(boom, dtype=np.float64, meta=np.empty((0, 0)))
    assert calls == []
    with dask.config.set(scheduler="sync"):
        lazy = [
            fd.discrete_mi(x, x, compute=False),
            fd.entropy(x, method="binned", compute=False),
            fd.entropy(x, method="discrete", compute=False),
            fd.mutual_info_regression(X, x, random_state=0, compute=False),
            fd.mutual_info_classif(X, x, random_state=0, compute=False),
            fd.pairwise_mi(X, compute=False),
            fd.mi_test(x, x, n_permutations=5, compute=False),
        ]
        assert calls == []
        for obj in lazy:
            with pytest.raises(RuntimeError, match="computed"):
                obj.compute()
    assert calls


@pytest.mark.filterwarnings(_LOCAL_BESIDE_CLIENT)
def test_local_scheduler_without_client() -> None:
    x, y = _data(4000, seed=4)
    with dask.config.set(scheduler="threads"):
        assert fd.discrete_mi(da.from_array(x, chunks=333), da.from_array(y, chunks=333)) == fastmi.discrete_mi(x, y)


def _features(n: int, p: int, seed: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    # integer values, heavily tied: the tie-breaking noise decides the
    # neighbours, so a block noised with another slice of the stream differs
    rng = np.random.RandomState(seed)
    X = np.round(2 * rng.standard_normal((n, p)))
    return X, np.round(X[:, 0] + X[:, 2] ** 2 + 0.5 * rng.standard_normal(n))


@pytest.mark.parametrize("chunks", [(400, 3), (-1, -1), (123, 5)])
def test_mutual_info_regression_bit_identical(client: Any, chunks: tuple[int, int]) -> None:
    X, y = _features(400, 11, 5)
    mask = np.zeros(11, dtype=bool)
    mask[[1, 7]] = True
    for discrete in ("auto", mask):
        want = fastmi.mutual_info_regression(X, y, discrete_features=discrete, random_state=3)
        got = fd.mutual_info_regression(
            da.from_array(X, chunks=chunks), da.from_array(y, chunks=100), discrete_features=discrete, random_state=3
        )
        assert np.array_equal(got, want)


def test_mutual_info_classif_and_random_state_instance(client: Any) -> None:
    X, y = _features(300, 9, 6)
    labels = (y > 0).astype(int) + (y > 1)
    mask = np.array([False, True] + [False] * 7)
    rng_a, rng_b = np.random.RandomState(11), np.random.RandomState(11)
    rng_a.standard_normal(3)  # a cached gauss value in the state
    rng_b.standard_normal(3)
    want = fastmi.mutual_info_classif(X, labels, discrete_features=mask, random_state=rng_a)
    got = fd.mutual_info_classif(da.from_array(X, chunks=(300, 2)), labels, discrete_features=mask,
                                 random_state=rng_b)
    assert np.array_equal(got, want)
    assert rng_a.standard_normal() == rng_b.standard_normal()  # advanced alike
    want = fastmi.mutual_info_regression(X, y, random_state=rng_a)
    got = fd.mutual_info_regression(da.from_array(X, chunks=(300, 4)), y, random_state=rng_b)
    assert np.array_equal(got, want)
    assert rng_a.standard_normal() == rng_b.standard_normal()


def test_feature_frames_as_in_memory(client: Any) -> None:
    # dask DataFrames always failed (to_dask_array(lengths=False) is refused by dask),
    # and pandas frames with bool, nullable or categorical columns crashed in dask's
    # rechunking of an object array; both now read as the in-memory call reads them
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"f": rng.randn(120), "g": rng.randn(120), "b": rng.randn(120) > 0,
                      "i": pd.array(rng.randint(0, 3, 120), dtype="Int64")})
    y = X["f"].to_numpy() + rng.randn(120)
    labels = (y > 0).astype(int)
    for frame in (X, dd.from_pandas(X, npartitions=3)):
        got = fd.mutual_info_regression(frame, y, random_state=0)
        assert np.array_equal(got, fastmi.mutual_info_regression(X, y, random_state=0))
        got = fd.mutual_info_classif(frame, labels, random_state=0)
        assert np.array_equal(got, fastmi.mutual_info_classif(X, labels, random_state=0))


def test_feature_errors_name_the_column_of_X(client: Any) -> None:
    rng = np.random.RandomState(0)
    X = rng.randn(100, 6)
    X[10, 4] = np.nan
    with pytest.raises(ValueError, match="row 10, column 4"):
        fd.mutual_info_classif(da.from_array(X, chunks=(100, 3)), rng.randint(0, 2, 100))


def test_entropy_method_is_required() -> None:
    # the in-memory default is "kl", which Dask does not have: a default of its own
    # returned another estimate for the same call (2.57 against 1.93 bits)
    with pytest.raises(TypeError, match="method"):
        fd.entropy(np.arange(10.0))  # type: ignore[call-arg]


@pytest.mark.parametrize("method", ["ksg", "binned"])
def test_pairwise_mi_bit_identical(client: Any, method: str) -> None:
    rng = np.random.default_rng(7)
    X = rng.standard_normal((300, 7))
    X[:, 3] = X[:, 0] + 0.1 * X[:, 3]
    X[:, 5] = 1.0  # constant
    want = fastmi.pairwise_mi(X, method=method, bins=6)
    got = fd.pairwise_mi(da.from_array(X, chunks=(100, 3)), method=method, bins=6, pairs_per_task=4)
    assert np.array_equal(got, want, equal_nan=True)


@pytest.mark.parametrize("conditional", [False, True, "discrete"])
def test_mi_test_same_null(client: Any, conditional: Any) -> None:
    rng = np.random.default_rng(8)
    z = rng.standard_normal(300)
    x, y = z + rng.standard_normal(300), z + rng.standard_normal(300)
    zz = None if not conditional else np.round(z) if conditional == "discrete" else z
    # a discrete z as given: its samples' candidates among equal z are drawn at random, as in memory
    off = {"tie_breaking": "off"} if conditional == "discrete" else {}
    want = fastmi.mi_test(x, y, zz, n_permutations=23, random_state=4, **off)
    for per in (1, 5, 23):
        got = fd.mi_test(da.from_array(x, chunks=70), y, zz, n_permutations=23, random_state=4,
                         permutations_per_task=per, **off)
        assert got.statistic == want.statistic and got.pvalue == want.pvalue
        assert np.array_equal(got.null_distribution, want.null_distribution)


@pytest.mark.parametrize("conditional", [False, True])
def test_mi_test_of_the_same_samples_warns_as_in_memory(client: Any, conditional: bool) -> None:
    # the prepare task's checks warned in the task, where the warning was recorded and lost
    rng = np.random.default_rng(10)
    v = rng.standard_normal(300)
    z = v + rng.standard_normal(300) if conditional else None
    with pytest.warns(RuntimeWarning, match="^x and y are the same samples") as mem:
        want = fastmi.mi_test(v, v, z, n_permutations=9, random_state=1)
    with pytest.warns(RuntimeWarning, match="^x and y are the same samples") as dsk:
        got = fd.mi_test(da.from_array(v, chunks=70), da.from_array(v, chunks=70), z, n_permutations=9,
                         random_state=1)
    same = [str(w.message) for w in mem if w.category is RuntimeWarning]
    assert same and same == [str(w.message) for w in dsk if w.category is RuntimeWarning]
    assert dsk[0].filename == __file__  # the caller's line, as in memory
    assert got.pvalue == want.pvalue == 1 / 10


@pytest.mark.parametrize("random_state", [None, 3, "generator"])
def test_tied_data_same_noise_as_in_memory(client: Any, random_state: Any) -> None:
    # rounded data: the tie-breaking noise is added once, in the prepare task, with
    # the in-memory seed (a Generator as advanced by the permutation seeds)
    rng = np.random.default_rng(9)
    z = rng.standard_normal(300)
    x, y = np.round(z + rng.standard_normal(300), 1), np.round(z + rng.standard_normal(300), 1)
    X = np.column_stack([x, y, np.round(z, 1), z, x])  # a repeated tied column: its twin, as in memory

    def state() -> Any:
        return np.random.default_rng(11) if random_state == "generator" else random_state

    with pytest.warns(fastmi.TiedSamplesWarning, match="repeated values"):
        want_m = fastmi.pairwise_mi(X, random_state=state())
    with pytest.warns(fastmi.TiedSamplesWarning, match="repeated values"):
        got_m = fd.pairwise_mi(da.from_array(X, chunks=(100, 2)), random_state=state(), pairs_per_task=2)
    assert np.array_equal(got_m, want_m, equal_nan=True)
    with pytest.warns(fastmi.TiedSamplesWarning, match="repeated values"):
        want = fastmi.mi_test(x, y, z, n_permutations=9, random_state=state())
    with pytest.warns(fastmi.TiedSamplesWarning, match="repeated values"):
        got = fd.mi_test(da.from_array(x, chunks=70), y, z, n_permutations=9, random_state=state(),
                         permutations_per_task=4)
    assert got.statistic == want.statistic  # None: the noise's fixed default seed
    if random_state is not None:  # None: the permutations come from fresh entropy, in memory too
        assert np.array_equal(got.null_distribution, want.null_distribution)
    off = fd.mi_test(x, y, z, n_permutations=9, random_state=state(), tie_breaking="off")
    assert off.statistic != want.statistic  # the noise mattered


def test_persisted_data_one_graph_same_numbers(client: Any) -> None:
    # chunks already held by the workers: both passes in one graph (a chunk is not
    # read twice), the same bits as in memory; chunks still to be made: two graphs
    from fastmi.dask._graph import held

    x, y = _data(5000, seed=21)
    dx, dy = client.persist([da.from_array(x, chunks=700), da.from_array(y, chunks=700)])
    assert held(dx) and held(dy)
    assert not held(dx + 1.0)
    assert fd.discrete_mi(dx, dy, bins=9) == fastmi.discrete_mi(x, y, bins=9)
    assert fd.discrete_mi(dx + 1.0, dy, bins=9) == fastmi.discrete_mi(x + 1.0, y, bins=9)
    assert fd.entropy(dx, method="binned", bins=9) == fastmi.entropy(x, method="binned", bins=9)


def _pair_block(i: int, m: int) -> npt.NDArray[np.float64]:
    """Chunk i of x and y, made by one task (the two columns of one row group)."""
    return np.random.default_rng([5, i]).standard_normal((2, m))


def test_columns_of_one_task_read_once_per_pass(client: Any) -> None:
    # x and y chunks made by one task: that task runs once per pass (range, then
    # counts), never once for x and once for y (which dask's per-collection graph
    # optimisation would do: each chain would take it in, and x_i and y_i could
    # then be made on different workers, one shipped to the other)
    from dask.delayed import delayed
    from distributed import get_task_stream

    sizes = [3000, 3000, 3000, 1234]
    pairs = [da.from_delayed(delayed(_pair_block, pure=True)(i, m), shape=(2, m), dtype=np.float64)
             for i, m in enumerate(sizes)]
    px, py = da.concatenate([p[0] for p in pairs]), da.concatenate([p[1] for p in pairs])
    with get_task_stream(client) as ts:
        got = fd.discrete_mi(px, py, bins=11)
    made = [t for t in ts.data if "pair_block" in str(t["key"])]
    assert len(made) == 2 * len(sizes)
    whole = np.concatenate([_pair_block(i, m) for i, m in enumerate(sizes)], axis=1)
    assert got == fastmi.discrete_mi(whole[0], whole[1], bins=11)


def _read_block(row: int, block_info: Any = None) -> npt.NDArray[np.float64]:
    """Chunk i of x (row 0) or y (row 1), read blockwise (as from_zarr reads)."""
    info = block_info[None]
    return _pair_block(info["chunk-location"][0], info["chunk-shape"][0])[row]


@pytest.mark.skipif(tuple(int(p) for p in dask.__version__.split(".")[:2]) < (2025, 1),
                    reason="dask 2024 keeps map_blocks reads apart from the tasks that use them "
                           "(the results are the same; only a chunk's time in memory differs)")
def test_blockwise_reads_fused_into_the_counting_tasks(client: Any) -> None:
    # x and y read chunk by chunk by blockwise tasks (from_zarr, from_array, map_blocks):
    # each read runs inside fastmi's task for its chunk (made, counted and freed there),
    # never as a task of its own whose result would wait in memory or move
    from distributed import get_task_stream

    sizes = (3000, 3000, 3000, 1234)
    x, y = (da.map_blocks(_read_block, row, chunks=(sizes,), dtype=np.float64) for row in (0, 1))
    with get_task_stream(client) as ts:
        got = fd.discrete_mi(x, y, bins=11)
    keys = [str(t["key"]) for t in ts.data]
    assert not any("read_block" in k for k in keys)
    assert sum("_block_ranges" in k for k in keys) == len(sizes)  # the counting tasks: fused into the sum's
    whole = np.concatenate([_pair_block(i, m) for i, m in enumerate(sizes)], axis=1)
    assert got == fastmi.discrete_mi(whole[0], whole[1], bins=11)


def _slow(block: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    time.sleep(0.05)
    return block


def test_worker_killed_mid_computation(client: Any) -> None:
    x, y = _data(20_000, seed=9)
    xs = da.from_array(x, chunks=500).map_blocks(_slow, dtype=np.float64, meta=np.empty(0))
    ys = da.from_array(y, chunks=500)
    future = client.compute(fd.discrete_mi(xs, ys, bins=9, compute=False))
    deadline = time.monotonic() + 20
    while not client.processing() or not any(client.processing().values()):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)
    nanny = next(iter(client.cluster.workers.values()))
    killed = nanny.worker_address
    assert not future.done()
    # the worker dies mid-computation (its nanny starts another); by its pid, not through
    # distributed's AsyncProcess.kill, which asks asyncio for a loop that this thread
    # lacks (a DeprecationWarning on Python 3.12+)
    os.kill(nanny.process.process.pid, signal.SIGKILL)
    assert future.result(timeout=60) == fastmi.discrete_mi(x, y, bins=9)
    assert killed not in client.scheduler_info()["workers"]  # it really died


def _bit_state(random_state: Any) -> bytes:
    """The state of the bit generator a random_state draws from, comparable with ==."""
    import pickle

    if isinstance(random_state, np.random.Generator):
        return pickle.dumps(random_state.bit_generator.state)
    if isinstance(random_state, np.random.BitGenerator):
        return pickle.dumps(random_state.state)
    return pickle.dumps(random_state.get_state(legacy=False))


@pytest.mark.parametrize("conditional", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_mi_test_leaves_the_generator_where_in_memory_does(client: Any, conditional: bool,
                                                           ties: bool) -> None:
    # the tie-breaking noise's seed was drawn from a copy of the Generator inside the
    # prepare task, so the caller's generator ended one draw behind fastmi.mi_test's
    # (with ties), and the next call with it gave other numbers. (A bit generator or a
    # RandomState is refused, in memory and on Dask alike, as by every estimator:
    # tests/test_dask_parity.py)
    rng = np.random.default_rng(12)
    z = rng.standard_normal(240)
    x, y = z + rng.standard_normal(240), z + rng.standard_normal(240)
    if ties:
        x, y = np.round(x, 1), np.round(y, 1)
    zz = np.round(z, 1) if conditional else None
    mine, theirs = np.random.default_rng(5), np.random.default_rng(5)
    for _ in range(3):  # successive calls with the same generator
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
            want = fastmi.mi_test(x, y, zz, n_permutations=11, random_state=theirs)
            got = fd.mi_test(da.from_array(x, chunks=70), y, zz, n_permutations=11, random_state=mine,
                             permutations_per_task=4)
        assert got.statistic == want.statistic
        assert np.array_equal(got.null_distribution, want.null_distribution)
        assert _bit_state(mine) == _bit_state(theirs)


def test_mi_test_refused_call_draws_nothing(client: Any) -> None:
    # in memory the data are checked before the permutations' seeds are drawn
    x, y = _data(100, seed=3)
    mine, theirs = np.random.default_rng(6), np.random.default_rng(6)
    for f, r, xs in ((fastmi.mi_test, theirs, x), (fd.mi_test, mine, da.from_array(x, chunks=40))):
        with pytest.raises(ValueError, match="k must be smaller"):
            f(xs, y, k=100, n_permutations=5, random_state=r)
    assert _bit_state(mine) == _bit_state(theirs) == _bit_state(np.random.default_rng(6))


def test_pairwise_mi_leaves_the_generator_where_in_memory_does(client: Any) -> None:
    rng = np.random.default_rng(13)
    X = np.round(rng.standard_normal((200, 3)), 1)
    mine, theirs = np.random.default_rng(7), np.random.default_rng(7)
    for _ in range(2):
        with pytest.warns(fastmi.TiedSamplesWarning):
            want = fastmi.pairwise_mi(X, random_state=theirs)
        with pytest.warns(fastmi.TiedSamplesWarning):
            got = fd.pairwise_mi(da.from_array(X, chunks=(100, 2)), random_state=mine)
        assert np.array_equal(got, want, equal_nan=True)
        assert _bit_state(mine) == _bit_state(theirs)


@pytest.mark.parametrize("chunks", [((300,), (2, 0, 3)), ((100, 0, 200), (0, 2, 0, 3, 0)), ((300,), (0, 5))])
def test_feature_scoring_with_empty_column_chunks(client: Any, chunks: Any) -> None:
    # an empty chunk of columns became an (n, 0) block, refused with "X has shape (300, 0):
    # at least one feature is needed" although X has 5 features
    X, y = _features(300, 5, 8)
    labels = (y > 0).astype(int)
    dX = da.from_array(X, chunks=chunks)
    assert dX.chunks == chunks
    mask = np.array([False, True, False, False, True])
    for discrete in ("auto", mask):
        want = fastmi.mutual_info_regression(X, y, discrete_features=discrete, random_state=2)
        got = fd.mutual_info_regression(dX, y, discrete_features=discrete, random_state=2)
        assert np.array_equal(got, want)
        want = fastmi.mutual_info_classif(X, labels, discrete_features=discrete, random_state=2)
        got = fd.mutual_info_classif(dX, labels, discrete_features=discrete, random_state=2)
        assert np.array_equal(got, want)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fastmi.TiedSamplesWarning)
        assert np.array_equal(fd.pairwise_mi(dX), fastmi.pairwise_mi(X), equal_nan=True)


def test_errors_raised_in_tasks_keep_the_in_memory_class(client: Any) -> None:
    # y is checked in a task on a worker: None was read as a 0-D array (a plain ValueError)
    from fastmi.exceptions import InvalidParameterError

    X, y = _features(60, 3, 1)
    for f in (fastmi.mutual_info_regression, fd.mutual_info_regression):
        with pytest.raises(InvalidParameterError, match="y must be an array-like"):
            f(X, None)


# --------------------------------------------------------------------------- joint entropy (2-D x)


def _joint_samples(n: int, seed: int) -> npt.NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    return np.column_stack([z, z + 0.5 * rng.standard_normal(n), rng.standard_normal(n)])


@pytest.mark.parametrize("bins", [7, [5, np.linspace(-2.0, 2.0, 6), 3], [2000, 2000, 2]])  # the last: 8e6 cells, sparse
def test_binned_entropy_of_2d_x_bit_identical(client: Any, bins: Any) -> None:
    # fastmi.entropy takes x of shape (n, d) (the joint entropy); fastmi.dask.entropy refused it
    X = _joint_samples(4001, seed=30)
    want = fastmi.entropy(X, method="binned", bins=bins)
    for chunks in ((700, 2), (4001, 3), ((1000, 0, 1500, 1, 0, 1500), (1, 2))):
        assert fd.entropy(da.from_array(X, chunks=chunks), method="binned", bins=bins) == want
    assert fd.entropy(X, method="binned", bins=bins, base=np.e) == fastmi.entropy(X, method="binned", bins=bins,
                                                                                    base=np.e)
    lazy = fd.entropy(da.from_array(X, chunks=(900, 1)), method="binned", bins=bins, compute=False)
    assert lazy.compute() == want
    one = X[:, :1]  # one column: as 1-D x
    assert fd.entropy(da.from_array(one, chunks=(700, 1)), method="binned", bins=7) == fastmi.entropy(
        one, method="binned", bins=7) == fastmi.entropy(X[:, 0], method="binned", bins=7)


def test_entropy_of_2d_x_float32_and_frames(client: Any) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(31)
    X = (rng.integers(1, 20, (3000, 2)) * np.float32(0.1)).astype(np.float32)  # edges on samples: float32 edges
    want = fastmi.entropy(X, method="binned", bins=9)
    assert want != fastmi.entropy(X.astype(np.float64), method="binned", bins=9)
    assert fd.entropy(da.from_array(X, chunks=(700, 1)), method="binned", bins=9) == want
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1]})
    for f in (frame, dd.from_pandas(frame, npartitions=3)):
        assert fd.entropy(f, method="binned", bins=9) == fastmi.entropy(frame, method="binned", bins=9) == want
        assert fd.entropy(f, method="discrete") == fastmi.entropy(frame, method="discrete")


@pytest.mark.parametrize("kind", ["int", "float", "text", "object"])
def test_discrete_entropy_of_2d_x_bit_identical(client: Any, kind: str) -> None:
    rng = np.random.default_rng(32)
    L = rng.integers(-3, 40, (5003, 3))
    L[:, 1] = L[:, 0] // 3 + rng.integers(0, 2, 5003)
    X: npt.NDArray[Any] = {"int": L, "float": L * 0.5, "text": L.astype(str),
                           "object": L.astype(str).astype(object)}[kind]
    want = fastmi.entropy(X, method="discrete")
    assert fd.entropy(da.from_array(X, chunks=(700, 2)), method="discrete") == want
    assert fd.entropy(da.from_array(X, chunks=((2000, 0, 3003), (3,))), method="discrete") == want
    assert fd.entropy(X, method="discrete", base=np.e) == fastmi.entropy(X, method="discrete", base=np.e)
    assert fd.entropy(da.from_array(X[:, :1], chunks=(600, 1)), method="discrete") == fastmi.entropy(
        X[:, :1], method="discrete")


def test_entropy_refuses_kl_saying_why() -> None:
    with pytest.raises(ValueError, match="no method='kl'.*all the samples in one process"):
        fd.entropy(da.from_array(np.arange(10.0), chunks=5), method="kl")
    # the suggestion names every method fastmi.dask.entropy has
    with pytest.raises(ValueError, match="use method='binned', 'miller_madow' or 'discrete', or fastmi.entropy"):
        fd.entropy(da.from_array(np.arange(10.0), chunks=5), method="kl", compute=False)


# --------------------------------------------------------------------------- Miller-Madow entropy


def _miller_madow_numpy(x: npt.NDArray[np.float64], bins: Any, base: float) -> float:
    """An independent Miller-Madow estimate: numpy.histogram's (histogramdd's, for a 2-D x)
    counts, the plug-in entropy -sum p log p plus (m - 1) / (2n) nats (m occupied cells,
    n samples counted), in units of log(base)."""
    counts = (np.histogram(x, bins=bins) if x.ndim == 1 else np.histogramdd(x, bins=bins))[0].ravel()
    c = counts[counts > 0]
    n = c.sum()
    p = c / n
    return float((-(p * np.log(p)).sum() + (c.shape[0] - 1) / (2.0 * n)) / np.log(base))


# (data, bins): 1-D and 2-D x; tables of at most 2**20 cells (dense per chunk) and larger ones
# (each chunk's occupied cells, merged): 2**21 bins of a 1-D x, 8e6 cells of a 3-D x
_MM_CASES = {
    "1-D": (1, 17),
    "1-D edges": (1, np.linspace(-1.5, 2.0, 8)),  # samples outside the edges are not counted
    "1-D sparse": (1, 2**21),
    "2-D": (3, 7),
    "2-D specs": (3, [5, np.linspace(-2.0, 2.0, 6), 3]),
    "2-D sparse": (3, [2000, 2000, 2]),
}


def _mm_data(d: int) -> npt.NDArray[np.float64]:
    return np.random.default_rng(34).standard_normal(4001) if d == 1 else _joint_samples(4001, seed=35)


@pytest.mark.parametrize("case", list(_MM_CASES), ids=list(_MM_CASES))
def test_miller_madow_entropy_bit_identical(client: Any, case: str) -> None:
    # fastmi.entropy(method="miller_madow") was refused on Dask; now the same float, for
    # every chunking (empty chunks included), both table layouts, every base
    d, bins = _MM_CASES[case]
    x = _mm_data(d)
    specs = bins if isinstance(bins, list) else [bins] * d
    cells = int(np.prod([len(b) - 1 if np.ndim(b) else b for b in specs]))
    assert (cells > 2**20) == case.endswith("sparse")  # the table layout the case is meant to reach
    cols = () if d == 1 else (1,)
    chunkings = [(700,) + cols, (-1,) + cols, ((1000, 0, 1500, 1, 0, 1500),) + cols]
    for base in (2, np.e, 10.0):
        want = fastmi.entropy(x, method="miller_madow", bins=bins, base=base)
        # the correction matters here: the binned estimate is another float
        assert want != fastmi.entropy(x, method="binned", bins=bins, base=base)
        for chunks in chunkings:
            got = fd.entropy(da.from_array(x, chunks=chunks), method="miller_madow", bins=bins, base=base)
            assert got == want, (base, chunks)
    want = fastmi.entropy(x, method="miller_madow", bins=bins)
    assert fd.entropy(x, method="miller_madow", bins=bins) == want  # an array: one chunk
    lazy = fd.entropy(da.from_array(x, chunks=chunkings[2]), method="miller_madow", bins=bins, compute=False)
    assert lazy.compute() == want


@pytest.mark.parametrize("case", list(_MM_CASES), ids=list(_MM_CASES))
def test_miller_madow_entropy_against_numpy(client: Any, case: str) -> None:
    # an independent computation (numpy's histogram, the textbook sums): equal to
    # 1e-12 relative (the summation orders differ; the bits are compared with memory above)
    d, bins = _MM_CASES[case]
    x = _mm_data(d)
    for base in (2, np.e):
        got = fd.entropy(da.from_array(x, chunks=((1000, 0, 1500, 1, 0, 1500),) + ((1,) if d > 1 else ())),
                         method="miller_madow", bins=bins, base=base)
        assert got == pytest.approx(_miller_madow_numpy(x, bins, base), rel=1e-12, abs=0)
        # the plug-in entropy alone is farther than the tolerance: the correction is tested
        plugin = fd.entropy(da.from_array(x, chunks=700 if d == 1 else (700, 1)), method="binned", bins=bins,
                            base=base)
        assert plugin != pytest.approx(_miller_madow_numpy(x, bins, base), rel=1e-6)


def test_miller_madow_entropy_frames_constants_and_no_sample(client: Any) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(36)
    X = (rng.integers(1, 20, (3000, 2)) * np.float32(0.1)).astype(np.float32)  # float32 edges, as in memory
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1]})
    want = fastmi.entropy(frame, method="miller_madow", bins=9, base=np.e)
    assert want != fastmi.entropy(frame, method="binned", bins=9, base=np.e)
    for f in (frame, dd.from_pandas(frame, npartitions=3)):
        assert fd.entropy(f, method="miller_madow", bins=9, base=np.e) == want
    series = pd.Series(pd.array(X[:, 0], dtype="Float32"))
    want = fastmi.entropy(series, method="miller_madow", bins=9)
    assert want != fastmi.entropy(series, method="binned", bins=9)
    assert fd.entropy(dd.from_pandas(series, npartitions=4), method="miller_madow", bins=9) == want
    # one occupied cell: no correction, 0 as in memory
    const = np.full(1001, 2.5)
    want = fastmi.entropy(const, method="miller_madow", bins=5)
    assert fd.entropy(da.from_array(const, chunks=((500, 0, 501),)), method="miller_madow", bins=5) == want == 0.0
    # every sample outside explicit edges: the in-memory error
    with pytest.raises(ValueError, match="no sample falls inside the bin edges"):
        fastmi.entropy(np.arange(10.0), method="miller_madow", bins=[20.0, 21.0])
    with pytest.raises(ValueError, match="no sample falls inside the bin edges"):
        fd.entropy(da.from_array(np.arange(10.0), chunks=3), method="miller_madow", bins=[20.0, 21.0])


# --------------------------------------------------------------------------- tables beyond 2**28 cells


def test_discrete_mi_beyond_2_28_cells(client: Any) -> None:
    # 20000 x 20000 bins (4e8 cells): refused on Dask (a dense table per chunk), counted
    # sparsely in memory; now the occupied cells of each chunk, merged by a tree
    rng = np.random.default_rng(33)
    n = 60_000
    x = rng.integers(0, 20_000, n).astype(np.float64)
    y = (x + rng.integers(0, 3, n)) % 20_000
    bins = (20_000, 20_000)
    assert bins[0] * bins[1] > 2**28
    want = fastmi.discrete_mi(x, y, bins=bins)
    dx, dy = da.from_array(x, chunks=7000), da.from_array(y, chunks=7000)
    assert fd.discrete_mi(dx, dy, bins=bins) == want
    assert fd.discrete_mi(dx, da.from_array(y, chunks=9000), bins=bins, base=np.e) == fastmi.discrete_mi(
        x, y, bins=bins, base=np.e)
    assert fd.discrete_mi(dx, dy, bins=bins, compute=False).compute() == want
    # few occupied rows and columns: their table is summed by the native code
    few = np.round(x / 2000.0)
    want = fastmi.discrete_mi(few, y, bins=bins)
    assert fd.discrete_mi(da.from_array(few, chunks=7000), dy, bins=bins) == want


def test_discrete_mi_sparse_series_and_edges(client: Any) -> None:
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(34)
    x = rng.standard_normal(20_000)
    y = x + rng.standard_normal(20_000)
    frame = dd.from_pandas(pd.DataFrame({"x": x, "y": y}), npartitions=4)
    for bins in ([1500, 1000], [np.linspace(-1.0, 1.0, 1501), np.linspace(-2.0, 3.0, 901)]):  # samples outside
        want = fastmi.discrete_mi(x, y, bins=bins)
        assert fd.discrete_mi(frame["x"], frame["y"], bins=bins) == want
        assert fd.discrete_mi(da.from_array(x, chunks=3000), da.from_array(y, chunks=3000), bins=bins) == want


# --------------------------------------------------------------------------- other bit generators


_BIT_GENERATORS = [np.random.PCG64, np.random.Philox, np.random.SFC64, np.random.MT19937]


@pytest.mark.parametrize("bit_generator", _BIT_GENERATORS, ids=lambda b: b.__name__)
def test_drop_ins_take_a_random_state_on_any_bit_generator(client: Any, bit_generator: Any) -> None:
    # a RandomState on PCG64 (or another non-MT19937 generator) was refused; in memory
    # numpy draws its noise: the same values, and the generator left where memory leaves it
    X, y = _features(300, 7, 10)
    labels = (y > 0).astype(int) + (y > 1)
    mask = np.array([False, True, False, False, True, False, False])
    mine, theirs = np.random.RandomState(bit_generator(4)), np.random.RandomState(bit_generator(4))
    mine.standard_normal(1)  # a cached gauss value in the state
    theirs.standard_normal(1)
    dX = da.from_array(X, chunks=(300, 3))
    for name, target, discrete in (("mutual_info_regression", y, "auto"), ("mutual_info_classif", labels, mask),
                                   ("mutual_info_regression", y, mask)):
        want = getattr(fastmi, name)(X, target, discrete_features=discrete, random_state=theirs)
        got = getattr(fd, name)(dX, target, discrete_features=discrete, random_state=mine)
        assert np.array_equal(got, want)
        assert _bit_state(mine) == _bit_state(theirs)
        assert mine.get_state(legacy=False)["gauss"] == theirs.get_state(legacy=False)["gauss"]


def test_other_bit_generators_in_small_draws_lazily_and_refused(monkeypatch: Any) -> None:
    # numpy draws the noise a few values at a time (here 5: every row of X's noise
    # matrix in several draws); compute=False advances the generator as memory does;
    # a refused call (NaN in X, found in a task) leaves it where it was, as in memory
    import fastmi.dask._features as features

    monkeypatch.setattr(features, "_DRAW", 5)
    X, y = _features(120, 9, 11)
    mine, theirs = np.random.RandomState(np.random.PCG64(8)), np.random.RandomState(np.random.PCG64(8))
    with dask.config.set(scheduler="sync"):
        for chunks in ((120, 2), (120, 9)):
            want = fastmi.mutual_info_regression(X, y, random_state=theirs)
            lazy = fd.mutual_info_regression(da.from_array(X, chunks=chunks), y, random_state=mine, compute=False)
            assert _bit_state(mine) == _bit_state(theirs)
            assert np.array_equal(lazy.compute(), want)
        bad = X.copy()
        bad[3, 4] = np.nan
        for f, r, data in ((fastmi.mutual_info_regression, theirs, bad),
                           (fd.mutual_info_regression, mine, da.from_array(bad, chunks=(120, 3)))):
            with pytest.raises(ValueError, match="NaN"):
                f(data, y, random_state=r)
        assert _bit_state(mine) == _bit_state(theirs)


class _TaggedPCG64(np.random.PCG64):
    """A bit generator whose constructor needs arguments (as third-party ones may):
    ``type(g)()`` fails; it pickles (and deep-copies) through its own __reduce__."""

    def __init__(self, seed: int, tag: str) -> None:
        super().__init__(seed)
        self.tag = tag

    def __reduce__(self) -> Any:
        return _tagged_pcg64, (self.tag, self.state)


def _tagged_pcg64(tag: str, state: Any) -> _TaggedPCG64:
    generator = _TaggedPCG64(0, tag)
    generator.state = state
    return generator


def test_drop_ins_take_a_bit_generator_whose_constructor_needs_arguments() -> None:
    # the noise stream of a RandomState on another bit generator was rebuilt in each task
    # as RandomState(type(bit_generator)()), which failed for a constructor with arguments;
    # the task now gets a copy of the RandomState itself
    X, y = _features(150, 5, 12)
    mine, theirs = np.random.RandomState(_TaggedPCG64(4, "a")), np.random.RandomState(_TaggedPCG64(4, "a"))
    mine.standard_normal(1)
    theirs.standard_normal(1)
    with dask.config.set(scheduler="sync"):
        for chunks in ((150, 2), (150, 5)):
            want = fastmi.mutual_info_regression(X, y, random_state=theirs)
            got = fd.mutual_info_regression(da.from_array(X, chunks=chunks), y, random_state=mine)
            assert np.array_equal(got, want)
            assert _bit_state(mine) == _bit_state(theirs)


def test_mt19937_drawn_by_numpy_where_memory_draws_with_numpy(monkeypatch: Any) -> None:
    # where the native normal stream is not numpy's (native_noise_ok() False), the
    # in-memory call draws an MT19937 RandomState's noise with numpy; fastmi.dask read
    # and skipped it natively all the same. Any native use of the stream now fails here.
    import fastmi.dask._features as features
    import fastmi.sklearn.noise as noise
    from fastmi import _native

    def native(*args: Any) -> Any:
        raise AssertionError("the native noise stream was used")

    monkeypatch.setattr(noise, "native_noise_ok", lambda: False)
    monkeypatch.setattr(features, "native_noise_ok", lambda: False, raising=False)
    for name in ("add_normal_noise", "add_normal_noise_columns", "skip_normals"):
        monkeypatch.setattr(_native, name, native)
    X, y = _features(120, 6, 13)
    labels = (y > 0).astype(int)
    mine, theirs = np.random.RandomState(5), np.random.RandomState(5)
    with dask.config.set(scheduler="sync"):
        for f, target in (("mutual_info_regression", y), ("mutual_info_classif", labels)):
            want = getattr(fastmi, f)(X, target, random_state=theirs)
            got = getattr(fd, f)(da.from_array(X, chunks=(120, 4)), target, random_state=mine)
            assert np.array_equal(got, want)
            assert _bit_state(mine) == _bit_state(theirs)
            assert np.array_equal(getattr(fd, f)(X, target, random_state=3), getattr(fastmi, f)(X, target,
                                                                                                random_state=3))


# --------------------------------------------------------------------------- pandas extension dtypes


def test_extension_dtypes_binned_as_in_memory(client: Any) -> None:
    # nullable (Float32, Int16) and pyarrow columns were taken for float64 (numpy has no
    # dtype for them), so float32 samples were binned on float64 edges where memory bins
    # them on float32 ones: 3.115 bits against 3.151; each partition now reports the
    # dtype it is read in, promoted as the in-memory call promotes the columns
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(40)
    a = (rng.integers(1, 20, 3000) * np.float32(0.1)).astype(np.float32)
    b = (rng.integers(1, 20, 3000) * np.float32(0.1)).astype(np.float32)
    small = rng.integers(0, 5, 3000)
    frames = [pd.DataFrame({"a": pd.array(a, dtype="Float32"), "b": pd.array(b, dtype="Float32")}),
              pd.DataFrame({"a": a, "b": pd.array(small, dtype="Int16")})]
    try:
        import pyarrow as pa

        frames.append(pd.DataFrame({"a": pd.array(a, dtype=pd.ArrowDtype(pa.float32())),
                                    "b": pd.array(small, dtype="Int16")}))
    except ImportError:
        pass
    for frame in frames:
        want = fastmi.entropy(frame, method="binned", bins=9)
        assert want != fastmi.entropy(frame.astype("float64"), method="binned", bins=9)
        for f in (frame, dd.from_pandas(frame, npartitions=3)):
            assert fd.entropy(f, method="binned", bins=9) == want
            assert fd.entropy(f, method="binned", bins=9, compute=False).compute() == want
    sa, sb = pd.Series(pd.array(a, dtype="Float32")), pd.Series(pd.array(b, dtype="Float32"))
    da_, db_ = dd.from_pandas(sa, npartitions=3), dd.from_pandas(sb, npartitions=4)
    want = fastmi.entropy(sa, method="binned", bins=9)
    assert want != fastmi.entropy(a.astype(np.float64), method="binned", bins=9)
    assert fd.entropy(da_, method="binned", bins=9) == want
    want = fastmi.discrete_mi(sa, sb, bins=9)
    assert want != fastmi.discrete_mi(a.astype(np.float64), b.astype(np.float64), bins=9)
    db_ = dd.from_pandas(sb, npartitions=3)
    assert fd.discrete_mi(da_, db_, bins=9) == want
    # a float64 y beside a float32 x: float64 edges for both, as in memory
    assert fd.discrete_mi(da_, dd.from_pandas(pd.Series(b.astype(np.float64)), npartitions=3),
                          bins=9) == fastmi.discrete_mi(sa, b.astype(np.float64), bins=9)


# --------------------------------------------------------------------------- errors of the whole x


def _error(f: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises((ValueError, TypeError)) as info:
        f(*args, **kwargs)
    return f"{info.type.__name__}: {info.value}"


def test_nonfinite_errors_name_what_memory_names(client: Any) -> None:
    # a chunk raised for its own non-finite values: the row counted inside the chunk
    # (15005 read as row 5), and, with several chunks at fault, whichever failed first
    # (x[:, 1] where memory names x[:, 0], "infinity" where memory says NaN); each chunk
    # now reports them, and the error is the in-memory one for the whole x (the binned
    # paths too: check_finite's first row in the whole x, its column, its kind, the count)
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(41)
    X = rng.standard_normal((5000, 2))
    X[10, 1] = np.nan
    X[4000, 0] = np.nan
    X[4500, 0] = np.inf
    x = rng.integers(0, 9, 20_000).astype(float)
    x[15005] = np.nan
    x[15007] = np.inf
    for data, chunks in ((X, (1000, 2)), (x, 3000), (x, ((15006, 0, 4994),))):
        for method in ("discrete", "binned"):
            want = _error(fastmi.entropy, data, method=method)
            assert _error(fd.entropy, da.from_array(data, chunks=chunks), method=method) == want
            lazy = fd.entropy(da.from_array(data, chunks=chunks), method=method, compute=False)
            assert _error(lazy.compute) == want
            frame = pd.DataFrame(data) if data.ndim == 2 else pd.Series(data)
            assert _error(fd.entropy, dd.from_pandas(frame, npartitions=7), method=method) == want
    assert "row 4000" in _error(fastmi.entropy, X, method="discrete")
    assert _error(fastmi.entropy, X, method="binned") == (
        "ValueError: x contains NaN at row 10, column 1 (3 non-finite values in all); every sample must be finite")
    assert _error(fastmi.entropy, x, method="binned") == (
        "ValueError: x contains NaN at row 15005 (2 non-finite values in all); every sample must be finite")
    # infinity in the first chunk, NaN in a later one: memory names the infinity (the first
    # row), counting both; x before y
    y = rng.standard_normal(20_000)
    y[3] = np.inf
    y[17_000] = np.nan
    z = rng.standard_normal(20_000)
    z[19_999] = -np.inf
    for a, b in ((y, z), (z, y), (z, z[::-1].copy())):
        want = _error(fastmi.discrete_mi, a, b)
        assert _error(fd.discrete_mi, da.from_array(a, chunks=3000), da.from_array(b, chunks=3000)) == want
        assert _error(fd.discrete_mi, dd.from_pandas(pd.Series(a), npartitions=5),
                      dd.from_pandas(pd.Series(b), npartitions=5)) == want
    assert _error(fastmi.discrete_mi, y, z) == (
        "ValueError: x contains infinity at row 3 (2 non-finite values in all); every sample must be finite")
    assert _error(fastmi.discrete_mi, z, z[::-1].copy()) == (
        "ValueError: x contains infinity at row 19999; every sample must be finite")


def test_frame_without_columns_refused_as_in_memory(client: Any) -> None:
    # "x has no column: ..." where memory says "x has shape (5, 0): ..."
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    for rows in (5, 0):
        frame = pd.DataFrame(index=range(rows))
        for method in ("binned", "discrete"):
            want = _error(fastmi.entropy, frame, method=method)
            assert _error(fd.entropy, dd.from_pandas(frame, npartitions=2), method=method) == want
            assert _error(fd.entropy, frame, method=method) == want
            lazy = fd.entropy(dd.from_pandas(frame, npartitions=2), method=method, compute=False)
            assert _error(lazy.compute) == want
        # the shape is refused before bins are read, as in memory
        want = _error(fastmi.entropy, frame, method="binned", bins="auto")
        assert _error(fd.entropy, dd.from_pandas(frame, npartitions=2), method="binned", bins="auto") == want
