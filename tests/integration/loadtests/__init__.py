"""Load-test runner tests: a short real locust run against a real ``govchain up``."""
