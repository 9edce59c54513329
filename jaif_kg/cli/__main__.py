"""``python -m jaif_kg.cli``: the same as the ``jaif-kg`` command."""

import sys

from jaif_kg.cli import main

sys.exit(main())
