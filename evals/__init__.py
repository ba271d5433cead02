"""Measurement: evaluation runners and benchmarks."""
