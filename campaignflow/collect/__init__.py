"""Data collection: spreadsheet imports (all-or-nothing, idempotent), templates and the inbox."""

from .importer import ImportRejected, ImportResult, import_file
from .reader import FileRefused

__all__ = ["FileRefused", "ImportRejected", "ImportResult", "import_file"]
