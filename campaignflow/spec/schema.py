"""JSON Schema of campaign files, generated from the models (for editors' completion)."""

from __future__ import annotations

import json
from pathlib import Path

from .models import Campaign


def campaign_schema() -> dict:
    schema = Campaign.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://campaignflow.local/schema.json"
    return schema


def write_schema(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(campaign_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
