"""Benchmarks, run as modules (see docs/benchmarks.md); not collected by pytest."""
