"""``python -m fastmi``: the same command line as the ``fastmi`` console script."""

import sys

from fastmi.cli import main

if __name__ == "__main__":
    sys.exit(main())
