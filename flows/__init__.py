"""Prefect flows: each reads top to bottom as the campaign's steps. No SQL, Jinja or YAML here."""
