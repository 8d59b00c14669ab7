"""The fast path: the vanilla RNN and the LSTM, forward and backward through time, recording everything."""
