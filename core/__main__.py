import sys

from yardstick.cli import main

sys.exit(main())
