"""Locust load tests for govchain's three user groups (authorities, IoT hubs, citizens).

``python -m loadtests.run`` runs them headless against a local stack; see
``loadtests/README.md``.
"""
