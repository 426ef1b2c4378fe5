"""``python -m ecosystem``: the same as the ``smb-eco`` command."""

import sys

from .interface.cli import main

sys.exit(main())
