"""``python -m loadtests.run``: run the locust scenarios headless, bounded in time.

Without ``--host`` it starts ``govchain up`` itself in a temporary data directory on
free loopback ports, so a load test never touches a developer's ``govchain-data`` or
ports 8000/8545, and stops it with SIGINT (the clean shutdown path ``govchain up``
documents for Ctrl-C) afterwards. The self-started stack has its rate limits raised
(``GOVCHAIN_NOTARY_DEFAULT_CLIENT_RATE`` and ``…_PUBLIC_READ_*``): the run measures
the service's capacity, and from one loopback address every simulated citizen would
otherwise share one public-read bucket. Against ``--host`` the limits of that stack
apply, and a 429 counts as a failure, as it would for a user.

Writes ``<out>/loadtest_stats.csv`` (and locust's other CSVs) and ``<out>/report.html``,
then prints a summary; the exit status is 1 when any request failed.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
CSV_PREFIX = "loadtest"
RAISED_LIMITS = {
    "GOVCHAIN_NOTARY_DEFAULT_CLIENT_RATE": "100000",
    "GOVCHAIN_NOTARY_PUBLIC_READ_RATE": "100000",
    "GOVCHAIN_NOTARY_PUBLIC_READ_BURST": "200000",
}
STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0


@dataclasses.dataclass(frozen=True)
class Summary:
    """The ``Aggregated`` row of locust's ``*_stats.csv``: the figures a report quotes."""

    requests: int
    failures: int
    requests_per_s: float
    median_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def _number(text: str) -> float:
    """Locust writes ``N/A`` for percentiles of names without requests."""
    try:
        return float(text)
    except ValueError:
        return 0.0


def read_summary(stats_csv: Path) -> Summary:
    """Parse the aggregated row; ``ValueError`` if the file has none (locust did not run)."""
    with stats_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("Name") == "Aggregated":
                return Summary(
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    requests_per_s=_number(row["Requests/s"]),
                    median_ms=_number(row["50%"]),
                    p95_ms=_number(row["95%"]),
                    p99_ms=_number(row["99%"]),
                )
    raise ValueError(f"{stats_csv} has no Aggregated row")


def free_port() -> int:
    """A loopback port nothing listens on now (the usual bind-to-0 race is acceptable)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll ``/readyz`` until 200; fail early if the stack exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"govchain up exited with status {process.returncode}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (clean shutdown), then SIGKILL if it does not exit in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def up_command(data_dir: Path, port: int, rpc_port: int, ws_port: int) -> list[str]:
    """``govchain up`` on loopback with the given ports, through this interpreter."""
    return [
        sys.executable,
        "-c",
        "from govchain_client.cli import main; main()",
        "up",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--rpc-port",
        str(rpc_port),
        "--ws-port",
        str(ws_port),
    ]


@contextlib.contextmanager
def local_stack(data_dir: Path, log_path: Path) -> Iterator[tuple[str, str]]:
    """Run ``govchain up`` on free loopback ports; yield its URL and the dev API key."""
    port, rpc_port, ws_port = free_port(), free_port(), free_port()
    command = up_command(data_dir, port, rpc_port, ws_port)
    env = {**os.environ, **RAISED_LIMITS}
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            wait_ready(url, process, STARTUP_TIMEOUT)
            key = (data_dir / "dev-api-key").read_text(encoding="utf-8").strip()
            yield url, key
        finally:
            stop(process)


def locust_command(host: str, seconds: int, users: int, spawn_rate: float, out: Path) -> list[str]:
    """The headless locust invocation; ``--stop-timeout`` lets requests in flight finish."""
    return [
        sys.executable,
        "-m",
        "locust",
        "--headless",
        "-f",
        str(LOCUSTFILE),
        "--host",
        host,
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--csv",
        str(out / CSV_PREFIX),
        "--html",
        str(out / "report.html"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]


def run_locust(
    host: str, api_key: str, seconds: int, users: int, spawn_rate: float, out: Path
) -> Summary:
    """Run locust to completion (bounded: run time plus stop timeout plus slack)."""
    env = {**os.environ, "GOVCHAIN_API_KEY": api_key}
    command = locust_command(host, seconds, users, spawn_rate, out)
    # locust exits 1 when any request failed; the summary says so, so do not raise here
    subprocess.run(command, env=env, timeout=seconds + 60, check=False)
    return read_summary(out / f"{CSV_PREFIX}_stats.csv")


def format_summary(summary: Summary, out: Path) -> str:
    """The lines printed after a run: the figures and where the reports are."""
    return "\n".join(
        [
            f"requests:   {summary.requests}",
            f"failures:   {summary.failures} ({summary.failure_ratio:.2%})",
            f"throughput: {summary.requests_per_s:.1f} requests/s",
            f"latency:    p50 {summary.median_ms:.0f} ms, p95 {summary.p95_ms:.0f} ms, "
            f"p99 {summary.p99_ms:.0f} ms",
            f"CSV:        {out / CSV_PREFIX}_stats.csv",
            f"HTML:       {out / 'report.html'}",
        ]
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtests.run", description=__doc__)
    parser.add_argument("--seconds", type=int, default=60, help="run time (default 60)")
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument(
        "--spawn-rate", type=float, default=0.0, help="users/s (default: all in 5 s)"
    )
    parser.add_argument("--host", default="", help="notary base URL (default: start govchain up)")
    parser.add_argument("--api-key", default=os.environ.get("GOVCHAIN_API_KEY", ""))
    parser.add_argument("--out", type=Path, default=Path("test-artifacts/loadtest"))
    args = parser.parse_args(argv)
    if args.seconds < 1 or args.users < 1:
        parser.error("--seconds and --users must be positive")
    if args.host and not args.api_key:
        parser.error("--host needs --api-key (or GOVCHAIN_API_KEY)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    spawn_rate = args.spawn_rate or max(args.users / 5, 1.0)
    if args.host:
        summary = run_locust(args.host, args.api_key, args.seconds, args.users, spawn_rate, out)
    else:
        with tempfile.TemporaryDirectory(prefix="govchain-load-") as tmp:
            log = out / "govchain-up.log"
            with local_stack(Path(tmp) / "data", log) as (url, key):
                print(f"govchain up at {url} (log: {log})", flush=True)
                summary = run_locust(url, key, args.seconds, args.users, spawn_rate, out)
    print(format_summary(summary, out))
    return 1 if summary.failures or not summary.requests else 0


if __name__ == "__main__":
    sys.exit(main())
