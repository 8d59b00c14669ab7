"""Each gradient page's settings, declared once: defaults, labels and ranges read by the widgets, the
URL schema and validation; defaults that show each page's point."""
from dataclasses import fields

import numpy as np
import pytest

from core.gradients import experiment, settings
from core.gradients.settings import PAGES, BPTTSettings, CompareSettings, GatesSettings, defaults
from ui.controls.gradients import specs
from ui.controls.params import Choice, Slider
from ui.figures.gradients import reach_ratio


@pytest.mark.parametrize("cls", PAGES.values(), ids=PAGES.keys())
def test_the_widgets_are_the_fields(cls):
    for f, s in zip(fields(cls), specs(cls), strict=True):
        assert s.key == f.name and s.label == f.metadata["label"] and s.default == f.default
        if isinstance(s, Slider):
            assert (s.min, s.max) == tuple(f.metadata["range"][:2]) and s.min <= s.default <= s.max
        else:
            assert isinstance(s, Choice) and s.options == tuple(f.metadata["options"])
    cls()                                                          # the defaults are valid


@pytest.mark.parametrize("cls", PAGES.values(), ids=PAGES.keys())
def test_every_message_names_the_label(cls):
    for f in fields(cls):
        m = f.metadata
        bad = "nonsense" if m["options"] else m["range"][1] + 1
        with pytest.raises(ValueError) as err:
            cls(**{f.name: bad})
        assert str(err.value).startswith(m["label"] + " must be")
        assert "_" not in f.name or f.name not in str(err.value)              # never the code name


def test_whole_numbers_and_finite_numbers():
    with pytest.raises(ValueError, match="Sequence length T must be a whole number from 2 to 1000; got 2.5"):
        BPTTSettings(seq_len=2.5)
    with pytest.raises(ValueError, match=r"Forget-gate bias b_f must be a finite number; got nan"):
        GatesSettings(forget_bias=float("nan"))
    assert BPTTSettings(seq_len=np.int64(40)).seq_len == 40 and type(BPTTSettings(seq_len=np.int64(40)).seq_len) is int
    assert defaults(BPTTSettings)["spectral_radius"] == 0.9


def test_bptt_defaults_make_the_bound_say_it_must_fade():
    run = experiment.run(experiment.setup_of(BPTTSettings(), "rnn"))
    assert run.spectrum.sigma_max == pytest.approx(run.spectrum.spectral_radius, rel=1e-9)
    assert run.spectrum.rate == pytest.approx(0.9, rel=1e-9) and reach_ratio(run.dh_norm) < 1e-6


def test_compare_defaults_keep_the_contract():
    c = CompareSettings()
    rnn = reach_ratio(experiment.run(experiment.setup_of(c, "rnn")).dh_norm)
    lstm = reach_ratio(experiment.run(experiment.setup_of(c, "lstm")).dh_norm)
    assert lstm >= 1e-2 and lstm >= 1000 * rnn


def test_setup_of_keeps_only_the_models_own_fields():
    c = CompareSettings(forget_bias=2.0, spectral_radius=0.5)
    r, l = experiment.setup_of(c, "rnn"), experiment.setup_of(c, "lstm")
    assert r.spectral_radius == 0.5 and r.forget_bias == experiment.GradientSetup.forget_bias
    assert l.forget_bias == 2.0 and l.spectral_radius == experiment.GradientSetup.spectral_radius
    assert experiment.setup_of(GatesSettings(), "lstm") == experiment.setup_of(
        GatesSettings(), "lstm")                                      # one cache key


def test_labels_come_from_one_place():
    assert settings.BPTTSettings.__dataclass_fields__["seq_len"].metadata["label"] == "Sequence length T"
    with pytest.raises(ValueError, match="Clipping threshold c must be above 0"):
        experiment.GradientSetup(clip_threshold=0.0)
