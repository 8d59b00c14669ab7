"""What the success-against-length table says, computed from its rows (core.training.sweep.Row). Pure."""
from ui.readings.thresholds import MOSTLY   # "solves most seeds": more than this share of the finished runs

NAMES = {"rnn": "plain RNN (tanh)", "lstm": "LSTM"}


def longest_mostly_solved(rows, model):
    """The longest T at which ``model`` solved more than MOSTLY of its finished runs, or None."""
    Ts = [r.T for r in rows if r.model == model and r.finished and r.share > MOSTLY]
    return max(Ts) if Ts else None


def progress(rows):
    runs = sum(r.runs for r in rows)
    done = sum(r.finished for r in rows)
    return f"{done} of {runs} runs finished."


def reading(rows):
    """One or two sentences: up to which length each model solves most seeds, and the run count."""
    if not any(r.finished for r in rows):
        return "No run has finished yet. " + progress(rows)
    parts = []
    for model in ("lstm", "rnn"):
        mine = [r for r in rows if r.model == model and r.finished]
        if not mine:
            continue
        table = ", ".join(f"T = {r.T}: {r.solved}/{r.finished}" for r in mine)
        T = longest_mostly_solved(rows, model)
        verdict = (f"solves most seeds up to T = {T}" if T is not None
                   else "solves no seed at any length tried" if not any(r.solved for r in mine)
                   else "does not solve most seeds at any length tried")
        parts.append(f"The {NAMES[model]} {verdict} ({table}).")
    return " ".join(parts) + " " + progress(rows)
