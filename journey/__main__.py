"""``python -m journey``: see ``journey.cli``."""

import sys

from journey.cli import main

sys.exit(main())
