"""Benchmarks: a synthetic prefecture, imports, a phase flow, reports (`python -m bench`)."""
