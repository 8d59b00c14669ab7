"""The live view's charts: drawn once per runs-and-progress, for every session that shows them."""
from dataclasses import replace

from core.data.tasks import task_info
from core.training.config import TrainConfig
from core.training.train import train
from ui.runtime import live
from ui.runtime.engine import RunStatus


def test_the_same_progress_is_drawn_once_and_new_progress_is_drawn_anew():
    cfg = TrainConfig(task="adding", seq_len=10, hidden_size=8, steps=60, probe_every=20)
    full = train(cfg)
    early = replace(full, loss=full.loss[:30], grad_norm=full.grad_norm[:30], clipped=full.clipped[:30])
    info = task_info("adding")
    at = lambda h: [RunStatus("running", None, len(h.loss), 60, h, None)]                  # noqa: E731
    first = live.live_charts(["k-live"], ["LSTM"], at(early), info)
    again = live.live_charts(["k-live"], ["LSTM"], at(replace(early)), info)      # another session
    later = live.live_charts(["k-live"], ["LSTM"], at(full), info)
    assert again is first and later is not first
    points = lambda spec: max(len(v) for v in spec["datasets"].values())          # noqa: E731
    assert points(first[0]) == 30 and points(later[0]) == 60                       # the runs' own steps
    assert live.live_charts(["k-live"], ["LSTM"], [RunStatus("queued", 1, 0, 60, None, None)], info) is None
