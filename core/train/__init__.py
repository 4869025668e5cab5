"""Training: the worker process (worker.py, `yardstick train CONFIG`) and the recorder (recorder.py) that any
GRPO script can use to write a run folder. Nothing here opens the store."""
