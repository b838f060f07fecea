"""The published JSON Schemas accept every bundled example and reject what the loader rejects."""

from __future__ import annotations

import json
import tomllib
from datetime import date, time
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT

SCHEMAS = ROOT / "docs" / "schema"
FOLDERS = sorted(p.parent for p in (ROOT / "examples").rglob("partnership.toml"))


def as_json(value):
    """TOML dates and times as an editor's TOML-to-JSON bridge shows them: strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((SCHEMAS / name.replace(".toml", ".schema.json")).read_text()))


@pytest.mark.parametrize("folder", FOLDERS, ids=[str(f.relative_to(ROOT)) for f in FOLDERS])
def test_examples_validate(folder: Path) -> None:
    for path in folder.glob("*.toml"):
        errors = list(validator(path.name).iter_errors(as_json(tomllib.loads(path.read_text()))))
        assert errors == [], f"{path}: {errors[0].message}"


def test_schema_rejects_unknown_keys_and_bad_times() -> None:
    doc = {
        "agencies": [
            {"id": "police", "name": "Police", "colour": "blue", "shifts": {"E": {"start": "7am", "end": "16:00"}}}
        ]
    }
    messages = [e.message for e in validator("agencies.toml").iter_errors(doc)]
    assert any("colour" in m for m in messages)
    assert any("7am" in m for m in messages)
