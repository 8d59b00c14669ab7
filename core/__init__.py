"""Pure-NumPy recurrent networks that record everything: forward, backward, training, theory.

Nothing here imports Streamlit or Plotly, so every function can be used from a notebook.
Arrays are time-major float64: inputs ``(T, B, D)``, states ``(T, B, H)``, outputs ``(T, B, O)``.
"""
