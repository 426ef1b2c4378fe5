"""Shared fixtures."""

from __future__ import annotations

import pytest
from helpers import run_model

from ecosystem import EcosystemModel


@pytest.fixture(scope="module")
def small_model() -> EcosystemModel:
    """A small default model after 24 months: contracts, ties and exits have had time to happen.

    Module-scoped: tests must only read it.
    """
    return run_model(24, 7, n_smbs=60, n_vendors=12)
