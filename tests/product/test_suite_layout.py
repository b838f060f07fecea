"""The suite's own layout: test files grouped like the code, and the slow marks naming tests that exist.

The quick set (`-m "not slow"`) leaves out the tests that tests/conftest.py names in END_TO_END; a test
renamed or moved without its entry there would quietly join the quick set, so each entry is checked here
against the test files themselves."""

from __future__ import annotations

import ast

from tests.conftest import END_TO_END, TESTS


def test_every_test_file_sits_in_a_group_that_is_a_package() -> None:
    """A test module belongs to the folder of the stage it tests (or product/, for the whole product), and
    each folder is a package, so tests import each other's helpers as tests.<group>.<module>."""
    flat = sorted(p.name for p in TESTS.glob("test_*.py"))
    assert flat == [], "put each in the folder of the stage it tests (tests/rotas, tests/solver, ...)"
    folders = {p.parent for p in TESTS.rglob("test_*.py") if "__snapshots__" not in p.parts}
    assert len(folders) > 5
    assert sorted(str(f.relative_to(TESTS)) for f in folders if not (f / "__init__.py").exists()) == []


def test_every_test_named_slow_exists() -> None:
    defined: dict[str, set[str]] = {}
    for entry in sorted(END_TO_END):
        path, name = entry.split("::")
        assert (TESTS / path).is_file(), entry
        if path not in defined:
            tree = ast.parse((TESTS / path).read_text(encoding="utf-8"))
            defined[path] = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        assert name in defined[path], entry
