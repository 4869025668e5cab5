import sys

from yardstick.jobs.worker import run

sys.exit(run(sys.argv[1]))
