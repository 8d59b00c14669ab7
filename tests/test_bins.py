"""core.data.bins: the one binner of every chart's time axis."""
import numpy as np
import pytest

from core.data.bins import bin_columns


def test_a_short_axis_is_left_alone():
    z = np.arange(12.0).reshape(3, 4)
    b = bin_columns(z, 4, "mean")
    assert b.width == 1 and np.array_equal(b.values, z)
    assert list(b.starts) == [0, 1, 2, 3] and list(b.centres) == [0, 1, 2, 3]


def test_mean_keeps_the_sign_and_averages_a_short_last_bin_over_its_own_steps():
    b = bin_columns(np.array([[1.0, -1.0, 2.0, 4.0, -3.0]]), 3, "mean")    # bins (1,-1) (2,4) (-3)
    assert b.width == 2
    np.testing.assert_allclose(b.values, [[0.0, 3.0, -3.0]])
    np.testing.assert_allclose(b.centres, [0.5, 2.5, 4.0])
    assert list(b.starts) == [0, 2, 4]


def test_max_keeps_a_spike_and_the_bins_cover_every_step():
    z = np.ones((2, 1000))
    z[0, 503] = 1e9
    b = bin_columns(z, 400, "max")
    assert b.width == 3 and b.values.shape == (2, 334) and b.starts[1] == 3
    assert b.values[0, 503 // 3] == 1e9 and np.all(np.delete(b.values[0], 503 // 3) == 1)


def test_any_marks_the_bin_of_an_event_only():
    fired = np.zeros(2500, dtype=bool)
    fired[7] = True
    b = bin_columns(fired, 1000, "any")
    assert b.width == 3 and len(b.values) == 834 and list(np.flatnonzero(b.values)) == [2]


@pytest.mark.parametrize("how", ["mean", "max"])
def test_a_bin_holding_inf_or_nan_is_not_finite(how):
    z = np.array([[1.0, np.inf, 2.0, 4.0, np.nan, 0.0]])
    b = bin_columns(z, 3, how)
    assert not np.isfinite(b.values[0, 0]) and not np.isfinite(b.values[0, 2])
    assert b.values[0, 1] == (3.0 if how == "mean" else 4.0)


def test_the_mean_of_huge_finite_steps_is_finite():
    b = bin_columns(np.full(4, 1e308), 2, "mean")
    np.testing.assert_allclose(b.values, [1e308, 1e308])


def test_a_one_dimensional_series_and_an_empty_one():
    b = bin_columns(np.arange(10.0), 1000, "mean")
    assert b.width == 1 and list(b.values) == list(range(10))
    assert bin_columns(np.zeros(0), 1000, "max").values.shape == (0,)


@pytest.mark.parametrize("args, message", [((np.ones(3), 0, "mean"), "max_bins must be a whole number >= 1"),
                                           ((np.ones(3), 2, "median"), "how must be one of")])
def test_bad_arguments_are_refused_by_name(args, message):
    with pytest.raises(ValueError, match=message):
        bin_columns(*args)
