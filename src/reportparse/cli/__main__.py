"""`python -m reportparse.cli`: the same as the `reportparse` command."""

import sys

from . import main

sys.exit(main())
