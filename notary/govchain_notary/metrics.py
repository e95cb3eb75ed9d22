"""Prometheus metrics, one registry per app (tests build many apps in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.accepted = Counter(
            "govchain_notary_digests_accepted_total",
            "Digests durably accepted (committed).",
            registry=self.registry,
        )
        self.checkpoints = Counter(
            "govchain_notary_checkpoints_anchored_total",
            "Checkpoints anchored on chain.",
            registry=self.registry,
        )
        self.rejected = Counter(
            "govchain_notary_backpressure_rejections_total",
            "Submissions refused with 503 because the backlog is full.",
            registry=self.registry,
        )
        self.backlog = Gauge(
            "govchain_notary_backlog_digests",
            "Accepted digests not yet anchored.",
            registry=self.registry,
        )
        self.unmerged_digests = Gauge(
            "govchain_notary_unmerged_digests",
            "Committed digests not yet merged into the digest index (found, but by a"
            " second probe).",
            registry=self.registry,
        )
        self.requests = Histogram(
            "govchain_notary_request_seconds",
            "HTTP request latency by route and status.",
            ["method", "route", "status"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=self.registry,
        )
