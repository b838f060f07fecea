"""Keep a library from importing its optional extras, for a faster start."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_optional(*names: str) -> Iterator[None]:
    """Inside the block, importing ``names`` fails as if they were not installed (unless already imported).

    A ``None`` entry in ``sys.modules`` is Python's documented way to make an import raise ImportError;
    the entries are removed afterwards, so later imports (OR-Tools needs numpy and pandas) work as usual.
    """
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # typeshed: modules only; None blocks the import
    try:
        yield
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
