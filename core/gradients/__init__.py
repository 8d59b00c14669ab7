"""One gradient run of an untrained network, and the theory drawn beside it."""
