"""The run-folder contract: what a job's process writes and the app ingests — all a user's GPU job imports
(`from yardstick.record.recorder import Recorder`). folder.py owns the format (version, kinds, file names), config.py
the training run's settings, kinds.py the evaluation's, chat.py the one reader of chat messages. Loads no store, UI
or plotting library (an import-linter contract)."""
