"""``python -m loadtests.run`` end to end, and its CSV parsing.

Why a real run: the locustfile talks to the notary by URL and JSON shape only, so a
renamed route, a changed response body or a new required field would only show up as
failed requests at load-test time; a short run against a real ``govchain up`` catches
that in CI. Ten seconds with a handful of users is enough for every task to fire.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from loadtests.run import Summary, format_summary, read_summary

ROOT = Path(__file__).resolve().parents[3]
STATS_HEADER = [
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Median Response Time",
    "Average Response Time",
    "Min Response Time",
    "Max Response Time",
    "Average Content Size",
    "Requests/s",
    "Failures/s",
    "50%",
    "66%",
    "75%",
    "80%",
    "90%",
    "95%",
    "98%",
    "99%",
    "99.9%",
    "99.99%",
    "100%",
]


def _write_stats(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STATS_HEADER)
        writer.writerows(rows)


def _row(name: str, count: int, failures: int, rps: str, p50: str, p95: str, p99: str) -> list[str]:
    row = ["", name, str(count), str(failures), p50, "1", "1", "1", "1", rps, "0"]
    row += [p50, p50, p50, p50, p95, p95, p99, p99, p99, p99, p99]
    return row


def test_read_summary_takes_the_aggregated_row(tmp_path: Path) -> None:
    stats = tmp_path / "s.csv"
    _write_stats(
        stats,
        [
            _row("GET /", 10, 0, "1.0", "4", "9", "10"),
            _row("Aggregated", 282, 3, "14.58", "9", "42", "58"),
        ],
    )
    summary = read_summary(stats)
    assert summary == Summary(282, 3, 14.58, 9.0, 42.0, 58.0)
    assert summary.failure_ratio == pytest.approx(3 / 282)
    assert "p95 42 ms" in format_summary(summary, tmp_path)


def test_read_summary_tolerates_na_percentiles(tmp_path: Path) -> None:
    stats = tmp_path / "s.csv"
    _write_stats(stats, [_row("Aggregated", 0, 0, "0", "N/A", "N/A", "N/A")])
    assert read_summary(stats) == Summary(0, 0, 0.0, 0.0, 0.0, 0.0)


def test_read_summary_refuses_a_file_without_aggregate(tmp_path: Path) -> None:
    stats = tmp_path / "s.csv"
    _write_stats(stats, [_row("GET /", 1, 0, "1", "1", "1", "1")])
    with pytest.raises(ValueError, match="Aggregated"):
        read_summary(stats)


@pytest.mark.timeout(120)
def test_short_run_against_govchain_up(tmp_path: Path) -> None:
    """10 s, 8 users, all three groups: reports written, requests made, none failed."""
    out = tmp_path / "results"
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "loadtests.run"),
            *("--seconds", "10", "--users", "8", "--spawn-rate", "8", "--out", str(out)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    stats = out / "loadtest_stats.csv"
    assert stats.is_file()
    assert (out / "loadtest_failures.csv").is_file()
    html = out / "report.html"
    assert html.is_file()
    assert "locust" in html.read_text(encoding="utf-8").lower()
    summary = read_summary(stats)
    assert summary.requests > 0
    assert summary.failures == 0
    with stats.open(newline="", encoding="utf-8") as handle:
        names = {row["Name"] for row in csv.DictReader(handle)}
    # each user group reached the notary at least once
    assert {"GET /", "POST /v1/digests [iot]", "POST /v1/digests [batch]"} <= names
