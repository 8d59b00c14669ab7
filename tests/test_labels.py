"""Words on a chart or a control say what the code computes: the bound's exponent and the truncation's
reach and cost."""
import numpy as np
import pytest

from core.gradients import experiment
from core.gradients.experiment import GradientSetup
from ui.controls import gradients as gradient_controls
from ui.controls import training as training_controls
from ui.controls.gradients import TRUNCATE_HELP
from ui.figures import gradients as figures
from ui.lesson.steps import STEPS


def test_the_bound_label_names_the_last_step_t_minus_1_as_the_curve_uses_it():
    T = 50
    run = experiment.run(GradientSetup(seq_len=T, hidden_size=8, spectral_radius=1.1, loss_at="last"))
    fig = figures.profile_figure(figures.bound_view(run))
    bound = next(c for c in fig.data if c.name == figures.BOUND_NAME)
    measured = np.asarray(fig.data[0].y, dtype=np.float64)
    y, t = np.asarray(bound.y, dtype=np.float64), np.asarray(bound.x)
    # ‖∂L/∂h_(T−1)‖ (γσ_max)^(T−1−t): the measured value at T − 1 times the rate to the power T − 1 − t
    assert y[-1] == pytest.approx(measured[-1], rel=1e-12) and t[-1] == T - 1
    shown = ~np.isnan(y)                      # the bound is cut where it leaves the measured data's frame
    assert shown[-10:].all()
    np.testing.assert_allclose(y[shown], (measured[-1] * run.spectrum.rate ** (T - 1 - t))[shown], rtol=1e-12)
    assert "T−1−t" in figures.BOUND_NAME and "h<sub>T−1</sub>" in figures.BOUND_NAME
    assert "T−t" not in figures.BOUND_NAME.replace("T−1−t", "")


@pytest.mark.parametrize("k", [1, 4, 7])
def test_truncation_cuts_each_loss_after_at_most_k_steps_as_its_help_says(k):
    T = 30
    run = experiment.run(GradientSetup(seq_len=T, hidden_size=6, truncate=k))
    transport = experiment.transport(run, sequence=0)
    for j, s in enumerate(transport.loss_steps):
        reached = np.flatnonzero(transport.dh_norm[j] > 0)
        assert len(reached) <= k and reached.max() == s and reached.min() == s - s % k
    assert "at most k steps" in TRUNCATE_HELP


def test_no_truncation_text_promises_a_saving():
    # the backward pass runs over every step whatever k is: the help says so and promises nothing else
    assert "Same cost here" in TRUNCATE_HELP and "cheap" not in TRUNCATE_HELP.lower()
    assert gradient_controls.truncate.help == TRUNCATE_HELP == training_controls.truncate.help
    said = [step.intro for step in STEPS if "trunc" in step.intro.lower()]
    assert said and not any("cheap" in text.lower() for text in said), said
