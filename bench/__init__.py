"""Benchmarks of issue 9: a synthetic prefecture, imports, a phase flow, reports (`python -m bench`)."""
