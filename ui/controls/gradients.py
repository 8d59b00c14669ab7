"""The controls of the gradient pages, read off each page's settings dataclass
(core.gradients.settings): its field names are the URL schema, its labels, ranges and defaults the
widgets'. Nothing is written twice."""
from dataclasses import fields

from core.gradients import settings
from core.gradients.settings import TRUNCATE_HELP  # noqa: F401  (the training controls share it)
from ui.controls.params import Choice, Slider


def specs(cls):
    """One widget spec per field of the settings dataclass ``cls``, in its order."""
    out = []
    for f in fields(cls):
        m = f.metadata
        if m["options"] is not None:
            out.append(Choice(f.name, m["label"], tuple(m["options"]), f.default, m["labels"],
                              help=m["help"]))
        else:
            lo, hi = m["range"][:2]
            out.append(Slider(f.name, m["label"], lo, hi, f.default, m["step"], help=m["help"]))
    return tuple(out)


FORWARD_CONTROLS = specs(settings.ForwardSettings)
BPTT_CONTROLS = specs(settings.BPTTSettings)
LSTM_CONTROLS = specs(settings.GatesSettings)
COMPARE_CONTROLS = specs(settings.CompareSettings)
truncate = next(s for s in BPTT_CONTROLS if s.key == "truncate")
