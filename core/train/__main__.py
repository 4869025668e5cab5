import sys

from core.train.worker import run

sys.exit(run(sys.argv[1]))
