"""Campaign spec: models, YAML loader with source positions, cross-reference checks."""

from .errors import SpecError, SpecIssue
from .kinds import date_field, effective_fields, natural_key
from .loader import LoadedCampaign, load, load_cached
from .models import Campaign

__all__ = [
    "Campaign",
    "date_field",
    "LoadedCampaign",
    "SpecError",
    "SpecIssue",
    "effective_fields",
    "load",
    "load_cached",
    "natural_key",
]
