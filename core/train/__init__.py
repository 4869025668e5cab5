"""Training and evaluating models: worker.py trains a run folder's RunConfig with TRL's GRPO (and its held-out
evaluation), final.py runs a final evaluation, setup.py loads models and problems, pocket/ builds the pocket lab's
model. Run by the job worker; nothing here opens the store (an import-linter contract)."""
