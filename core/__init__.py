"""Yardstick: instruments, the run-folder contract, the DuckDB store, importers, jobs, analysis, views and sharing —
plain Python, no UI. Pages and the CLI are thin faces over this package; nothing here imports Streamlit.

The package is imported as `yardstick` (its folder is core/): a user's GPU job writes `from yardstick.record.recorder
import Recorder`, a name no research repository's own `core` package can shadow.
"""
if __name__ != "yardstick":
    raise ImportError(f"Yardstick's package is imported as `yardstick`, not `{__name__}` (its source folder is core/); "
                      "install it with `make install` (or `pip install -e .`) and `import yardstick`.")
