"""``python -m ecosystem``: the same as the ``smb-eco`` command."""

from .interface.cli import console

console()
