"""Losses, clipping and optimizers, the settings of a run, and live training with its probes."""
