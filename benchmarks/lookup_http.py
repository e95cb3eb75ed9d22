"""Public lookups of distinct digests over HTTP, writer plus N reader processes:
``python -m benchmarks.lookup_http [--readers 1,2] [--db PATH]``.

Builds (or reuses, with ``--db``) the SQLite log of ``benchmarks.lookup_path``
(10^6 leaves of one issuer, anchored every 10,000 but the last interval), then for
each count N in ``--readers``:

- starts ``govchain notary run --readers N`` (the notary's own uvicorn settings: its
  bounded httptools protocol, the default event loop) on the database; with N = 0
  the writer itself is loaded;
- drives keep-alive lookups of distinct random anchored digests, spread over the
  reader ports, from ``--workers`` load generator processes for ``--seconds``
  (``notary_throughput.lookups``: raw asyncio streams, every answer must be 200);
- prints requests/s, p50/p99, ``os.getloadavg()`` and the CPU seconds per request
  of the notary processes (``/proc``);
- the floor, in the same run: the same load generator against N processes of a
  trivial ASGI app answering a fixed body of a lookup's size under the same uvicorn
  settings, what no lookup can go beyond on this machine.

Prints figures and the machine's conditions; asserts nothing but 200 answers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from benchmarks import machine
from benchmarks.lookup_path import ISSUER, build, fill_digest
from benchmarks.notary_throughput import lookups, process_cpu_seconds
from tests.support.ports import free_port

CHECKPOINT_EVERY = 10_000


def notary_env(data_dir: Path, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "GOVCHAIN_NOTARY_DATA_DIR": str(data_dir),
        "GOVCHAIN_NOTARY_DATABASE_URL": url,
        "GOVCHAIN_NOTARY_CHAIN": "memory",
        "GOVCHAIN_NOTARY_ISSUERS": f'[{{"address": "{ISSUER}"}}]',
        "GOVCHAIN_NOTARY_PUBLIC_READ_RATE": "1000000000",
        "GOVCHAIN_NOTARY_PUBLIC_READ_BURST": "1000000000",
        "GOVCHAIN_NOTARY_LOG_LEVEL": "WARNING",
    }


def start_notary(data_dir: Path, url: str, port: int, readers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "govchain_client.cli", "notary", "run"]
    command += ["--port", str(port), "--readers", str(readers)]
    process = subprocess.Popen(command, env=notary_env(data_dir, url), stdout=subprocess.DEVNULL)
    for ready in range(port, port + readers + 1):
        wait_ready(f"http://127.0.0.1:{ready}/readyz", process)
    return process


def start_floor(port: int, body_size: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "benchmarks.lookup_http", "--serve-floor", str(port)]
    command += ["--body-size", str(body_size)]
    process = subprocess.Popen(command)
    wait_ready(f"http://127.0.0.1:{port}/readyz", process)
    return process


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(1200):
        if process.poll() is not None:
            raise SystemExit(f"the server for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not get ready")


def serve_floor(port: int, body_size: int) -> None:
    """A trivial ASGI app under the notary's uvicorn settings: a fixed JSON body."""
    import uvicorn

    from govchain_notary.http_limits import BoundedHttpToolsProtocol

    body = b'{"x":"' + b"a" * max(0, body_size - 8) + b'"}'
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, http=BoundedHttpToolsProtocol)


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports free a moment ago (readers take the
    ports after the writer's)."""
    while True:
        first = free_port()
        if first + count > 65_535:
            continue
        try:
            for port in range(first + 1, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first


def family(process: subprocess.Popen[bytes]) -> list[int]:
    """The process and its descendants (the reader processes), by pid, from ``/proc``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found = [process.pid]
    for pid in found:  # grows while walking: breadth first
        found += [child for child, parent in parents.items() if parent == pid]
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    return sum(process_cpu_seconds(pid) for pid in pids)


def measure(
    what: str,
    pids: Sequence[int],
    ports: list[int],
    digests: list[str],
    args: argparse.Namespace,
) -> None:
    before = cpu_seconds(pids)
    started = time.perf_counter()
    found = lookups(ports, digests, args.seconds, args.workers)
    spent = cpu_seconds(pids) - before
    elapsed = time.perf_counter() - started
    p50 = statistics.median(found) * 1000
    p99 = found[min(len(found) - 1, int(0.99 * len(found)))] * 1000
    print(
        f"  {what}: {len(found) / args.seconds:,.0f} requests/s, p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, server CPU {spent / len(found) * 1e6:.0f} us/request "
        f"({spent / elapsed:.2f} cores), "
        f"os.getloadavg() = {tuple(round(x, 2) for x in os.getloadavg())}"
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the process, then any of its descendants left (they hold the ports)."""
    pids = family(process)
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pid in pids[1:]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


def one_count(readers: int, url: str, path: Path, digests: list[str], args: Any) -> None:
    port = free_ports(readers + 1)
    print(f"readers = {readers}")
    notary = start_notary(path.parent, url, port, readers)
    try:
        ports = list(range(port + 1, port + readers + 1)) or [port]
        sample = httpx.get(f"http://127.0.0.1:{ports[0]}/v1/digests/{digests[0]}", timeout=10)
        sample.raise_for_status()
        measure("lookups of distinct digests", family(notary), ports, digests, args)
    finally:
        stop(notary)
    floors = [start_floor(floor_port, len(sample.content)) for floor_port in ports]
    try:
        pids = [p for floor in floors for p in family(floor)]
        measure("floor: fixed body, same uvicorn", pids, ports, digests, args)
    finally:
        for floor in floors:
            stop(floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="reuse (or build once) this SQLite file")
    parser.add_argument("--readers", default="1,2", help="reader counts, e.g. 0,1,2")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2, help="load generator processes")
    parser.add_argument("--serve-floor", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--body-size", type=int, default=2_000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_floor is not None:
        serve_floor(args.serve_floor, args.body_size)
        return
    path = args.db or Path(tempfile.mkdtemp(prefix="lookup-http-")) / "notary.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        started = time.perf_counter()
        build(url, args.leaves, CHECKPOINT_EVERY)
        print(f"built {args.leaves:,} leaves in {time.perf_counter() - started:.0f} s: {url}")
    anchored = args.leaves - (args.leaves % CHECKPOINT_EVERY or CHECKPOINT_EVERY)
    count = min(anchored, 400_000)  # distinct: no digest is asked twice in a run
    digests = [fill_digest(i) for i in random.Random(1).sample(range(anchored), count)]
    print(f"{args.leaves:,} leaves, anchored up to {anchored:,}; {machine.describe()}")
    for readers in (int(n) for n in args.readers.split(",")):
        one_count(readers, url, path, digests, args)


if __name__ == "__main__":
    main()
