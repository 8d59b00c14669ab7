"""The guided lesson as a student opens it (AppTest): every step opens without an exception, says what
to notice with the numbers of its own run, poses its question, and ?step=k opens step k."""
import re

import numpy as np
import pytest

import apptest
from core.gradients import experiment
from ui.lesson.steps import STEPS, step_number
from ui.readings import lesson as words
from ui.readings import thresholds as th


def numbers_in(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?", text.replace("−", "-"))]


@pytest.mark.parametrize("k", range(1, len(STEPS) + 1))
def test_each_step_opens_with_its_sentence_from_its_numbers(k):
    at = apptest.open_page("lesson", step=k)
    step = STEPS[k - 1]
    assert at.header[0].value == f"{k}. {step.title}"
    nums = words.numbers(step.key, experiment.run(experiment.GradientSetup(**step.setup)))
    other = (words.numbers(step.key, experiment.run(experiment.GradientSetup(**step.other)))
             if step.other else None)
    said = at.info[0].value
    assert said == f"**What to notice.** {words.notice(step.key, nums, other)}"
    assert step.question in at.success[0].value
    assert len(at.get("plotly_chart")) == len(step.views)
    assert [b.disabled for b in at.button][:2] == [k == 1, k == len(STEPS)]


def test_the_sentences_state_their_numbers_and_words():
    runs = {s.key: experiment.run(experiment.GradientSetup(**s.setup)) for s in STEPS}
    n = words.numbers("vanishing", runs["vanishing"])
    assert n["share"] < th.VANISHES and "vanishes" in words.notice("vanishing", n)
    assert f"{n['share']:.1e}" in words.notice("vanishing", n)
    n = words.numbers("exploding", runs["exploding"])
    assert n["share"] > th.EXPLODES and words.notice("exploding", n).endswith("it explodes.")
    n = words.numbers("clipping", runs["clipping"])
    assert n["after"] == pytest.approx(1.0) and n["before"] > 1
    assert f"{n['before']:.3g}" in words.notice("clipping", n)
    run = runs["truncation"]
    n = words.numbers("truncation", run)
    assert n["earliest"] == 40 and (run.dh_norm[:, :40] == 0).all() and (run.dh_norm[:, 40:] > 0).all()
    assert "exactly 0 for every t < 40" in words.notice("truncation", n)
    n = words.numbers("cell", runs["cell"])
    assert n["f"] == pytest.approx(float(runs["cell"].trace.f.mean()))
    assert f"f = {n['f']:.2f}" in words.notice("cell", n)
    fwd = words.numbers("forward", runs["forward"])
    assert fwd["biggest"] < 1 and f"{fwd['biggest']:.3f}" in words.notice("forward", fwd)
    back = words.numbers("backward", runs["backward"])
    assert back["rate"] ** (back["T"] - 1) == pytest.approx(back["share"])
    # the words follow the thresholds, not the step
    assert [words.share_word(s) for s in (1e-7, 1e-3, 1.0, 1e3, 1e7, np.inf)] == \
        ["vanishes", "fades", "reaches back", "grows", "explodes", "overflows"]


def test_the_last_step_says_which_model_keeps_more():
    lstm = {"T": 100, "share": 0.05}
    assert "the LSTM's keeps 5e+15× more" in words.notice("long_lag", lstm, {"share": 1e-17})
    assert "the RNN's keeps 5e+00× more" in words.notice("long_lag", {"T": 10, "share": 0.1}, {"share": 0.5})


def test_a_link_opens_its_step_and_a_bad_one_says_so():
    assert step_number("3") == 3 and step_number("0") is None and step_number("x") is None
    at = apptest.open_page("lesson", step="x")
    assert "not a step of the lesson" in at.info[0].value and at.header[0].value.startswith("1. ")


def test_next_and_back_walk_the_steps():
    at = apptest.open_page("lesson", step=8)
    at.button(key="next-top").click().run()
    assert at.header[0].value.startswith("9. ") and at.query_params["step"] == "9"
    at.button(key="back-bottom").click().run()
    assert at.header[0].value.startswith("8. ")
