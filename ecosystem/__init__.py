"""An agent-based simulation of SMB-vendor outsourcing ecosystems.

Small and medium businesses decide which business functions to make or buy, select and
contract vendors, monitor them, build trust, innovate with them, and suffer when a vendor
shirks, misrepresents its quality, leaks data or fails. Four theory perspectives act through
switchable mechanisms: transaction cost economics, the resource-based view, network theory and
agency theory. See ``docs/ODD.md``.
"""

from .model import EcosystemModel
from .parameters import PARAMETERS, validate_parameters

__all__ = ["PARAMETERS", "EcosystemModel", "validate_parameters"]
__version__ = "0.1.0"
