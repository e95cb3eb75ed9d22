"""Real-process tests of a local QBFT consortium."""
