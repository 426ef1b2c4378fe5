"""``python -m ecosystem``: the same as the ``smb-eco`` command."""

import sys

from .cli import main

sys.exit(main())
