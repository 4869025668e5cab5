"""The run-folder contract: what a training process (the worker, or a user's own GPU job through the recorder) writes and the app ingests. Loads no store, UI or plotting library."""
