"""``python -m miroir.cli``: the ``miroir`` command."""

import sys

from miroir.cli import main

sys.exit(main())
