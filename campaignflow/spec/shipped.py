"""The ready campaigns shipped in `campaign_specs/`."""

from __future__ import annotations

from pathlib import Path


def shipped_root() -> Path:
    """The repository's campaign_specs folder."""
    return Path(__file__).resolve().parents[2] / "campaign_specs"


def shipped_campaigns() -> dict[str, Path]:
    """Campaign folder name -> folder, for every folder holding a campaign.yaml."""
    root = shipped_root()
    return {p.parent.name: p.parent for p in sorted(root.glob("*/campaign.yaml"))}
