"""Figure builders (pure: core results in, Plotly/Altair figures out) and the app's shared widgets."""
