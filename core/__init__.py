"""Yardstick core: instruments, the DuckDB store, importers and audits — plain Python, no UI.

Pages and the CLI are thin faces over this package; nothing here imports Streamlit.
"""
