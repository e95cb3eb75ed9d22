"""Tests of the benchmark report's parsing (the benchmarks themselves are not run)."""
