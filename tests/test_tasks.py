import numpy as np
import pytest

from core.data import series, synthetic, tasks
from core.data.tables import load_vega, select_columns
from core.training.losses import mse

CLASSIFICATION = {"temporal_order", "copy_first"}
LAST_STEP_ONLY = {"adding", "temporal_order", "copy_first"}


def batch(task, T=20, B=8, seed=0):
    return tasks.make_batch(task, T, B, np.random.default_rng(seed))


@pytest.mark.parametrize("task", tasks.TASKS)
def test_shapes_masks_and_kind(task):
    info = tasks.task_info(task)
    b = batch(task, T=20, B=8)
    assert b.x.shape == (20, 8, info.input_size) and np.isfinite(b.x).all()
    assert b.kind == info.kind == ("classification" if task in CLASSIFICATION else "regression")
    if b.kind == "classification":
        assert b.target.shape == (20, 8) and np.issubdtype(b.target.dtype, np.integer)
        assert b.target.min() >= 0 and b.target.max() < info.output_size
    else:
        assert b.target.shape == (20, 8, info.output_size) and np.isfinite(b.target).all()
    expected = np.zeros((20, 8))
    if task in LAST_STEP_ONLY:
        expected[-1] = 1.0
    else:
        expected[:] = 1.0
    np.testing.assert_array_equal(b.mask, expected)


@pytest.mark.parametrize("task", tasks.TASKS)
def test_same_generator_state_same_batch(task):
    a, b, c = batch(task, seed=3), batch(task, seed=3), batch(task, seed=4)
    for name in ("x", "target", "mask"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.x, c.x) or not np.array_equal(a.target, c.target)


@pytest.mark.parametrize("task", ["sine", "lorenz", "weather", "seattle_temps"])
def test_next_step_tasks_target_the_next_input(task):
    b = batch(task, T=30, B=6)
    np.testing.assert_array_equal(b.target[:-1], b.x[1:])


@pytest.mark.parametrize("T", [2, 10, 20, 57, 100])
def test_adding_markers_in_range_and_target_is_their_sum(T):
    b = batch("adding", T=T, B=400, seed=1)
    marks = b.x[:, :, 1]
    assert set(np.unique(marks)) <= {0.0, 1.0}
    assert (marks.sum(axis=0) == 2).all()
    t1 = marks.argmax(axis=0)                                   # the first marked step
    t2 = T - 1 - marks[::-1].argmax(axis=0)                     # the last marked step
    assert (t1 < max(1, T // 10)).all() and (t1 < max(1, 0.1 * T)).all()
    assert (t2 >= max(1, T // 10)).all() and (t2 < max(2, T // 2)).all() and (t2 <= 0.5 * T).all()
    v = b.x[:, :, 0]
    assert ((v >= 0) & (v < 1)).all()
    cols = np.arange(400)
    np.testing.assert_array_equal(b.target[-1, :, 0], v[t1, cols] + v[t2, cols])
    assert (b.target[:-1] == 0).all()


def test_adding_baseline_is_measured_one_sixth():
    info = tasks.task_info("adding")
    assert info.baseline == pytest.approx(1 / 6) and "0.167" in info.baseline_text
    b = batch("adding", T=30, B=20000, seed=2)
    loss, _ = mse(np.ones_like(b.target), b.target, b.mask)     # always predict 1
    assert loss == pytest.approx(1 / 6, abs=0.006)


def test_sine_baseline_is_the_measured_persistence_loss():
    b = batch("sine", T=50, B=4000, seed=5)
    loss, _ = mse(b.x, b.target, b.mask)                        # predict "same as now"
    assert loss == pytest.approx(tasks.task_info("sine").baseline, rel=0.05)


def test_lorenz_is_normalized_and_follows_the_equations():
    z, scaler = series.lorenz_reference()
    np.testing.assert_allclose(z.reshape(-1, 3).mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(z.reshape(-1, 3).std(axis=0), 1.0, rtol=1e-9)
    b = batch("lorenz", T=10, B=5)
    s = scaler.invert(b.x[3])                                   # (B, 3) in the system's own units
    for _ in range(series.EVERY):
        s = series._rk4(s)
    np.testing.assert_allclose(scaler.apply(s), b.target[3], rtol=1e-9, atol=1e-9)
    assert tasks.task_info("lorenz").baseline == pytest.approx(series.lorenz_baseline())


@pytest.mark.parametrize("T", [4, 20, 100, 137])
def test_temporal_order_labels_match_the_symbols(T):
    b = batch("temporal_order", T=T, B=300, seed=6)
    sym = b.x.argmax(axis=2)                                    # (T, B)
    assert (b.x.sum(axis=2) == 1).all()                         # one-hot
    assert (sym[0] == synthetic.BEGIN).all() and (sym[-1] == synthetic.END).all()
    lo1, hi1, lo2, hi2 = synthetic.order_ranges(T)
    for col in range(300):
        where = np.flatnonzero(sym[:, col] < 2)                 # X = 0, Y = 1
        assert len(where) == 2
        assert lo1 <= where[0] <= hi1 and lo2 <= where[1] <= hi2
        assert b.target[-1, col] == 2 * sym[where[0], col] + sym[where[1], col]
    assert set(np.unique(sym[1:-1])) <= {0, 1, 2, 3, 4, 5}


def test_temporal_order_ranges_follow_the_paper_and_fit_every_length():
    assert synthetic.order_ranges(100) == (10, 20, 50, 60)
    for T in range(4, 400):
        lo1, hi1, lo2, hi2 = synthetic.order_ranges(T)
        assert 1 <= lo1 <= hi1 < lo2 <= hi2 <= T - 2, T


def test_copy_first_asks_for_the_first_symbol():
    b = batch("copy_first", T=12, B=200)
    sym = b.x.argmax(axis=2)
    np.testing.assert_array_equal(b.target[-1], sym[0])
    assert (sym[0] < synthetic.K_COPY).all()
    assert (sym[1:-1] == synthetic.K_COPY).all() and (sym[-1] == synthetic.K_COPY + 1).all()


@pytest.mark.parametrize("task, classes", [("temporal_order", 4), ("copy_first", synthetic.K_COPY)])
def test_classification_baseline_is_a_uniform_guess(task, classes):
    info = tasks.task_info(task)
    assert info.baseline == pytest.approx(np.log(classes)) and f"{np.log(classes):.3f}" in info.baseline_text


def test_weather_is_seattle_standardized_with_a_persistence_baseline():
    raw = select_columns(load_vega("seattle-weather"), series.WEATHER_COLUMNS)
    z, scaler = series.vega_series("weather")
    assert z.shape == (1461, 4)
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaler.invert(z), raw, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(raw[0], [12.8, 5.0, 0.0, 4.7])   # 2012/01/01 in the file
    info = tasks.task_info("weather")
    assert info.baseline == pytest.approx(np.mean(np.diff(z, axis=0) ** 2))
    assert info.max_seq_len == 1460


def test_series_batch_cuts_windows_of_the_data():
    data = np.arange(60.0).reshape(30, 2)
    b = tasks.series_batch(data, 5, 4, np.random.default_rng(0))
    assert b.x.shape == b.target.shape == (5, 4, 2) and b.kind == "regression"
    np.testing.assert_array_equal(b.target, b.x + 2.0)          # the next row
    np.testing.assert_array_equal(np.diff(b.x[:, :, 0], axis=0), 2.0)
    with pytest.raises(ValueError, match=r"data has 30 rows; a window of seq_len = 30 needs .* 31 rows"):
        tasks.series_batch(data, 30, 4, np.random.default_rng(0))
    data[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"data contains NaN or inf \(first at index \(3, 1\)\)"):
        tasks.series_batch(data, 5, 4, np.random.default_rng(0))


def test_standardize_round_trips_and_keeps_a_constant_column():
    data = np.array([[1.0, 5.0], [3.0, 5.0], [8.0, 5.0]])
    z, scaler = tasks.standardize(data)
    np.testing.assert_allclose(z[:, 0].std(), 1.0)
    np.testing.assert_array_equal(z[:, 1], 0.0)
    np.testing.assert_allclose(scaler.invert(z), data)
    info = tasks.task_info("series", data)
    assert info.input_size == info.output_size == 2 and info.max_seq_len == 2


@pytest.mark.parametrize("args, match", [
    (("addition", 10, 4), r"task must be one of .*'adding'.*; got 'addition'"),
    (("series", 10, 4), r"task 'series' needs your data: use series_batch"),
    (("adding", 1, 4), r"seq_len must be a whole number >= 2 for the adding task; got 1"),
    (("temporal_order", 3, 4), r"seq_len must be a whole number >= 4 for the temporal_order task"),
    (("weather", 1461, 4), r"seq_len must be a whole number from 2 to 1460 for the weather task"),
    (("sine", 10.5, 4), r"seq_len must be .*; got 10.5"),
    (("sine", 10, 0), r"batch_size must be a whole number >= 1; got 0"),
    (("sine", 10, True), r"batch_size must be a whole number >= 1; got True"),
])
def test_bad_arguments_are_named_with_their_value(args, match):
    with pytest.raises(ValueError, match=match):
        tasks.make_batch(*args, np.random.default_rng(0))


def test_every_task_explains_itself():
    for task in tasks.TASKS:
        info = tasks.task_info(task)
        assert info.name == task and info.title and info.description.endswith(".")
        assert f"{info.baseline:.3f}" in info.baseline_text
