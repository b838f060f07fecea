"""Fixtures the command line's tests share."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import EXAMPLE, Result


@pytest.fixture
def loaded(run: Callable[..., Result]) -> Callable[..., Result]:
    """``quorum load`` of the example into the test's database, then the same runner for what follows."""
    assert run("load", EXAMPLE).code == 0
    return run
