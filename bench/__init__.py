"""Benchmarks: a generator for large data sets and the measurements in docs/benchmarks.md."""
