"""Publishing the partnership files' JSON Schemas (generated from ``rotas.schema``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rotas.schema import FILES

SCHEMA_URL = "https://json-schema.org/draft/2020-12/schema"


def schema_documents() -> dict[str, dict[str, Any]]:
    """File name of each schema (``people.schema.json``) to its JSON Schema."""
    from scheduler.solver.request_file import RequestsFile

    models: dict[str, type[BaseModel]] = {**FILES, "requests.toml": RequestsFile}
    out = {}
    for name, model in models.items():
        doc = {"$schema": SCHEMA_URL, **model.model_json_schema()}
        out[name.replace(".toml", ".schema.json")] = doc
    return out


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, doc in schema_documents().items():
        path = folder / name
        path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
