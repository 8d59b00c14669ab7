"""The parts of deploy/local: children (process groups), cluster (Dask), balancer (HAProxy), running."""
