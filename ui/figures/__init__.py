"""Figure builders: pure functions from core results to Plotly/Altair figures. No Streamlit."""
