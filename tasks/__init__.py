"""Prefect tasks: thin wrappers that add retries, logging and artifacts around one domain call each.

Tasks are steps of a campaign, never rows: bulk work happens in SQL inside the domain call.
"""
