"""One line of plain-words reading under each training chart, computed from the runs' numbers.

``runs`` is a list of ``(label, History)``, as for ui.figures.training. Pure: no Streamlit.
"""
import numpy as np

from ui.figures.gates import pow10


def _g(v, spec=".3g"):
    """``v`` in ``spec``, switching to powers of ten for the huge values of a run that exploded."""
    if not np.isfinite(v):
        return "not finite"
    return format(v, ".2e") if abs(v) >= 1e5 and spec != ".3g" else format(v, spec)


def loss_reading(runs, info):
    parts = []
    for label, h in runs:
        if not len(h.loss):
            parts.append(f"{label} stopped before its first update")
            continue
        recent = min(50, len(h.loss))
        last = float(np.mean(h.loss[-recent:]))
        text = (f"{label}: mean loss of the last {recent} step{'s' if recent > 1 else ''}"
                + (" before it stopped" if h.stopped_at is not None else "") + f" {_g(last)}")
        if info.baseline:
            ratio = last / info.baseline
            text += (f", {'below' if ratio < 1 else 'above'} the trivial predictor's {info.baseline:.3g}"
                     + (f" ({ratio:.3g}×)" if 1e-3 < ratio < 1e3 else ""))
        if h.accuracy is not None:
            text += f", accuracy {np.mean(h.accuracy[-n:]):.0%}"
        parts.append(text)
    return ". ".join(parts) + "."


def grad_reading(runs):
    parts = []
    for label, h in runs:
        if not len(h.grad_norm):
            parts.append(f"{label} recorded no gradient")
            continue
        i = int(np.argmax(h.grad_norm))
        fired = int(h.clipped.sum())
        text = f"{label}: largest norm {_g(h.grad_norm[i])} at step {i}, "
        text += ("no clipping, so every gradient went into its update as it was" if h.config.clip == "none"
                 else f"clipping fired on {fired} of {len(h.clipped)} steps ({fired / len(h.clipped):.0%})")
        parts.append(text)
    return ". ".join(parts) + "."


def reach(dh_norm):
    """‖∂L/∂h_0‖ / ‖∂L/∂h_{T-1}‖ of each probe: how much of the last step's gradient reaches t = 0."""
    with np.errstate(all="ignore"):
        return dh_norm[:, 0] / dh_norm[:, -1]


def heatmap_reading(runs, zrange):
    top = 10.0 ** zrange[1]
    parts = []
    for label, h in runs:
        r = reach(h.dh_norm)
        text = (f"{label}: the gradient at t = 0 is {_g(r[0], '.2g')}× the last step's before "
                f"training and {_g(r[-1], '.2g')}× at step {h.probe_steps[-1]}")
        with np.errstate(invalid="ignore"):
            rows = int(np.any(~(h.dh_norm <= top), axis=1).sum())      # NaN counts as beyond
        if rows:
            text += f" ({rows} of its {len(h.dh_norm)} rows go past {pow10(zrange[1])} or overflow)"
        parts.append(text)
    shared = (f" The heatmaps share one log colour range, {pow10(zrange[0])} to {pow10(zrange[1])}."
              if len(runs) > 1 else "")
    return ("Each row is one measurement on the same probe batch; colour is the size of ∂L/∂h_t. "
            + "; ".join(parts) + "." + shared)


def spectrum_reading(runs):
    return "; ".join(f"{label}: ρ {_g(h.spectral_radius[0], '.3f')} → {_g(h.spectral_radius[-1], '.3f')},"
                     f" σ_max {_g(h.sigma_max[0], '.3f')} → {_g(h.sigma_max[-1], '.3f')}"
                     for label, h in runs) + ", from the first measurement to the last."


def forget_reading(runs):
    return "; ".join(f"{label}: mean f {_g(h.forget_mean[0], '.2f')} → {_g(h.forget_mean[-1], '.2f')}"
                     for label, h in runs if h.config.model == "lstm") + \
        ". Near 1, the cell state keeps its content and its gradient from step to step."


def forecast_reading(column, truth, prediction, persistence):
    """Root mean squared error of the model and of 'the next row is like this one', in the file's units."""
    with np.errstate(all="ignore"):
        model = float(np.sqrt(np.mean((prediction - truth) ** 2)))
        naive = float(np.sqrt(np.mean((persistence - truth) ** 2)))
    verdict = "better than" if model < naive else "no better than"
    return (f"{column}: typical error (RMSE) {_g(model)} in the file's units, {verdict} repeating the row "
            f"before ({_g(naive)}), over {len(truth)} held-out rows.")


def status_words(label, status):
    """A run's state (ui.runtime.engine.RunStatus) in words, for the line above its progress bar."""
    if status.state == "queued":
        where = ("next in line for a worker" if status.position == 1 else
                 f"{status.position - 1} runs ahead of it on its worker" if status.position
                 else "waiting for a free worker")
        return f"{label}: queued, {where}."
    if status.state == "running":
        if not status.step:
            return f"{label}: starting."
        loss = "" if status.history is None or not len(status.history.loss) else \
            f", loss {_g(float(status.history.loss[-1]))}"
        return f"{label}: step {status.step} of {status.steps}{loss}."
    if status.state == "done":
        h = status.history
        if h is not None and h.stopped_at is not None:
            return f"{label}: blew up at step {h.stopped_at} (inf/NaN), and stopped there."
        if h is not None and h.solved_at is not None:
            return f"{label}: solved at step {h.solved_at}."
        return f"{label}: done, {status.step} step{'' if status.step == 1 else 's'}."
    return f"{label}: {status.message}"


def differs_words(shown, current, labels):
    """What the settings on the controls change from the runs shown, or None if nothing.

    ``shown`` and ``current``: lists of TrainConfigs; ``labels``: field name -> the control's label."""
    if shown == current:
        return None
    changes = []
    for field, label in labels.items():
        if not hasattr(shown[0], field):            # a page setting, e.g. "side by side"
            continue
        before, after = {getattr(c, field) for c in shown}, {getattr(c, field) for c in current}
        if before != after:
            changes.append(f"{label} {_list(before)} → {_list(after)}")
    if len(shown) != len(current):
        changes.append(f"{len(shown)} run{'s' if len(shown) > 1 else ''} → {len(current)} side by side")
    what = "; ".join(changes) if changes else "other runs side by side"
    return f"The settings differ from the run shown ({what}). Press Train to run them."


def _list(values):
    return " / ".join(sorted(format(v, "g") if isinstance(v, float) else str(v) for v in values))


def blow_up_words(message, controls_shown):
    """A blown-up run's message (core.training.train: what happened, then "Try: " the controls to
    change, by their labels). In projector mode there are no controls on screen: the remedy is said
    without pointing at them."""
    if controls_shown:
        return message
    return message.split(" Try: ")[0] + " Norm clipping or a smaller learning rate keeps such a run finite."
