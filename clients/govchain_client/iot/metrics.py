"""The bridge's counters and gauges in the Prometheus text exposition format.

Counters live in the spool (updated in the same transactions as the data they
count), so they survive restarts and any process (``govchain iot-bridge status``,
a node-exporter textfile job) can read them while the bridge runs.
"""

from __future__ import annotations

from govchain_client.iot.spool import Spool

_HELP = {
    "messages": (
        "govchain_iot_messages_total",
        "MQTT messages by outcome (stored, duplicate, rejected)",
        "outcome",
    ),
    "rejected": ("govchain_iot_rejected_total", "Rejected messages by reason", "reason"),
    "submissions": ("govchain_iot_submissions_total", "Batch submissions by outcome", "outcome"),
    "submitted_readings": (
        "govchain_iot_submitted_readings_total",
        "Readings accepted by the notary",
        "outcome",
    ),
    "receipts": ("govchain_iot_receipts_total", "Receipts collected", "state"),
}


def render(spool: Spool) -> str:
    """All metrics of one spool as Prometheus text."""
    lines: list[str] = []
    counters = spool.counters()
    for name, (metric, help_text, label) in _HELP.items():
        lines += [f"# HELP {metric} {help_text}", f"# TYPE {metric} counter"]
        for (counter, value_label), value in sorted(counters.items()):
            if counter == name:
                lines.append(f'{metric}{{{label}="{_escape(value_label)}"}} {value}')
    lines += [
        "# HELP govchain_iot_readings Readings in the spool by state",
        "# TYPE govchain_iot_readings gauge",
    ]
    for state, count in spool.states().items():
        lines.append(f'govchain_iot_readings{{state="{state}"}} {count}')
    _, oldest = spool.waiting()
    lines += [
        "# HELP govchain_iot_oldest_unbatched_seconds Age of the oldest unbatched reading",
        "# TYPE govchain_iot_oldest_unbatched_seconds gauge",
        f"govchain_iot_oldest_unbatched_seconds {oldest or 0:.3f}",
    ]
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
