"""The pocket lab: synthetic word problems and a tiny Llama that Yardstick builds and SFT-trains itself, so a
real TRL GRPO run finishes on a laptop CPU in minutes. See problems.py, build.py."""
