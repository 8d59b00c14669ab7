"""The lesson's pictures are the recorded gradients: each frame of the step-through shows exactly the
gradients backpropagation has reached, and the unrolled picture labels each node with its own norm."""
import numpy as np
import pytest

from core.gradients import experiment
from ui.figures import stepthrough as st_fig
from ui.figures import unrolled


@pytest.fixture(scope="module")
def rnn():
    return experiment.run(experiment.GradientSetup(model="rnn", task="adding", seq_len=12, batch_size=3))


@pytest.fixture(scope="module")
def lstm():
    return experiment.run(experiment.GradientSetup(model="lstm", task="adding", seq_len=20, batch_size=2,
                                                   hidden_size=6, forget_bias=3.0))


def test_every_frame_is_the_recorded_gradient_up_to_where_it_has_reached(rnn):
    dh = rnn.dh_norm
    B, T = dh.shape
    fig = st_fig.stepthrough_figure(dh)
    assert len(fig.frames) == T
    for k, frame in enumerate(fig.frames):
        t0 = T - 1 - k
        z = np.array(frame.data[0].z, dtype=float)
        np.testing.assert_allclose(10 ** z[:, t0:], dh[:, t0:], rtol=1e-12)
        assert np.isnan(z[:, :t0]).all()
        strip = frame.data[1]
        np.testing.assert_array_equal(strip.x, np.arange(t0, T))
        np.testing.assert_array_equal(strip.customdata, dh[0, t0:])
        np.testing.assert_array_equal(frame.data[2].x, np.arange(t0))
        assert frame.layout.shapes[0].x0 == t0
    # the first frame is what the figure opens on: only the loss step
    assert np.isnan(np.array(fig.data[0].z, dtype=float)[:, :-1]).all()
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
    assert len(fig.layout.sliders[0].steps) == T


def test_a_long_sequence_moves_several_steps_per_frame_and_still_ends_at_t0():
    dh = np.exp(-np.arange(250.0))[None, :].repeat(2, axis=0)[:, ::-1].copy()
    fig = st_fig.stepthrough_figure(dh, max_frames=100)
    assert len(fig.frames) <= 101
    last = np.array(fig.frames[-1].data[0].z, dtype=float)
    np.testing.assert_allclose(10 ** last, dh, rtol=1e-12)


def test_unrolled_labels_are_the_norms(rnn, lstm):
    for run in (rnn, lstm):
        fig = unrolled.unrolled_figure(run)
        v = unrolled.node_values(run)
        steps = unrolled.shown_steps(run.setup.seq_len)
        h = next(tr for tr in fig.data if tr.name == "‖∂L/∂h_t‖")
        np.testing.assert_array_equal(h.customdata, run.dh_norm[0, steps])
        notes = [a.text for a in fig.layout.annotations]
        for value in v["h"]:
            assert unrolled.label(value) in notes
        assert list(h.text) == [f"h<sub>{t}</sub>" for t in steps]
    c = next(tr for tr in unrolled.unrolled_figure(lstm).data if tr.name == "‖∂L/∂c_t‖")
    np.testing.assert_array_equal(c.customdata, lstm.dc_norm[0, unrolled.shown_steps(20)])
    notes = [a.text for a in unrolled.unrolled_figure(lstm).layout.annotations]
    f = lstm.trace.f[:, 0].mean(axis=1)
    assert f"f = {f[19]:.2f}" in notes and "…" in notes        # 20 steps: two, a gap, the last six


def test_shown_steps():
    np.testing.assert_array_equal(unrolled.shown_steps(5), np.arange(5))
    np.testing.assert_array_equal(unrolled.shown_steps(100, 8), [0, 1, 94, 95, 96, 97, 98, 99])


def test_the_unrolled_steps_sentence_states_the_numbers_its_picture_labels():
    """Step 1's sentence and its picture speak of the same sequence: its two numbers are labels."""
    from ui.lesson.steps import STEPS
    from ui.readings import lesson as words
    from ui.lesson.views import run_of
    step = next(s for s in STEPS if s.key == "unrolled")
    run = run_of(step.setup)
    sentence = words.notice("unrolled", words.numbers("unrolled", run))
    labels = [unrolled.label(v) for v in unrolled.node_values(run)["h"]]
    import re
    first, last = re.search(r"‖∂L/∂h_0‖ = (\S+) against (\S+) at h_", sentence).groups()
    assert (first, last) == (labels[0], labels[-1]), (sentence, labels)
