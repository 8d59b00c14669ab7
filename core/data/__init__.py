"""What a network learns from: the tasks, synthetic memory problems, time series, a person's CSV."""
