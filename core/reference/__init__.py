"""The readable reference: a vanilla RNN and an LSTM written the way the equations are, to be read.

Each model is a step function returning ``(outputs, cache)``, its backward twin taking
``(d<outputs>, cache)``, and a plain loop over time built from the two (CS231n ``rnn_layers.py`` and
d2l.ai style). Every equation is written right above the line that computes it. The app computes with
the fast, vectorised path (``core.networks.rnn``, ``core.networks.lstm``); a test holds the two equal in float64.

A student opens ``rnn.py`` first, then ``lstm.py``.
"""
