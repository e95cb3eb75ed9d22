"""Regression for issue 13 item 12: an unreachable, hung or garbling notary or node.

Real sockets on 127.0.0.1: a closed port (refused), a server that accepts and never
answers (timeout) and servers that answer bytes that are not the API.  The SDK must
raise its own errors naming the URL (sync and async alike), and ``govchain notarize``
/ ``govchain status`` must print one line on stderr, no traceback, and exit 3.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from govchain_client.errors import (
    ConnectError,
    ProtocolError,
    RequestTimeoutError,
    TransportError,
)
from govchain_client.notary import AsyncNotaryClient, NotaryClient, RetryPolicy
from govchain_client.rpc import JsonRpcClient
from govchain_core.digest import digest_bytes
from govchain_core.errors import ChainError
from tests.support.bad_servers import GARBAGE, HANG, HTML_PAGE, BadServer, closed_port
from tests.support.client_stack import govchain

DIGEST = digest_bytes(b"Bescheid")
ONE_TRY = RetryPolicy(attempts=1)


@pytest.fixture(params=["refused", "hanging", "garbage", "html"])
def dead_end(request: pytest.FixtureRequest) -> Iterator[tuple[str, type[TransportError]]]:
    """A URL where no notary answers, and the SDK error expected for it."""
    if request.param == "refused":
        yield closed_port(), ConnectError
        return
    reply, expected = {
        "hanging": (HANG, RequestTimeoutError),
        "garbage": (GARBAGE, ProtocolError),
        "html": (HTML_PAGE, ProtocolError),
    }[request.param]
    with BadServer(reply) as server:
        yield server.url, expected


def test_sync_client_raises_the_sdk_error_naming_the_url(
    dead_end: tuple[str, type[TransportError]],
) -> None:
    url, expected = dead_end
    with (
        NotaryClient(url, "k", timeout=0.5, retry=ONE_TRY) as client,
        pytest.raises(expected) as caught,
    ):
        client.submit("certificate", [DIGEST])
    assert type(caught.value) is expected
    assert caught.value.url == url
    assert url in str(caught.value)


def test_async_client_raises_the_same_errors(dead_end: tuple[str, type[TransportError]]) -> None:
    url, expected = dead_end

    async def submit() -> None:
        async with AsyncNotaryClient(url, "k", timeout=0.5, retry=ONE_TRY) as client:
            await client.submit("certificate", [DIGEST])

    with pytest.raises(expected) as caught:
        asyncio.run(submit())
    assert type(caught.value) is expected
    assert caught.value.url == url


def test_json_rpc_client_raises_transport_errors_that_are_chain_errors(
    dead_end: tuple[str, type[TransportError]],
) -> None:
    url, expected = dead_end
    with JsonRpcClient(url, timeout=0.5) as client, pytest.raises(expected) as caught:
        client.call("eth_blockNumber")
    assert isinstance(caught.value, ChainError)  # the verifier's "could not check"


def test_connection_failures_are_retried_then_raised() -> None:
    with BadServer(HANG) as server:
        retry = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)
        with (
            NotaryClient(server.url, timeout=0.3, retry=retry) as client,
            pytest.raises(RequestTimeoutError, match="waiting for the answer"),
        ):
            client.lookup(DIGEST)
        assert server.accepted == 3


def test_garbage_is_not_retried() -> None:
    with BadServer(GARBAGE) as server:
        with (
            NotaryClient(server.url, retry=RetryPolicy(attempts=3)) as client,
            pytest.raises(ProtocolError),
        ):
            client.lookup(DIGEST)
        assert server.accepted == 1


def _notarize(url: str, folder: Path) -> subprocess.CompletedProcess[str]:
    (folder / "bescheid.pdf").write_bytes(b"Bescheid")
    return govchain(
        "notarize", str(folder), "--kind", "certificate", "--notary", url, "--timeout", "0.5",
        cwd=folder,
    )  # fmt: skip


def _revoke(url: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return govchain("status", "revoke", "0" * 32, "--notary", url, "--timeout", "0.5", cwd=folder)


@pytest.mark.parametrize("command", [_notarize, _revoke], ids=["notarize", "status"])
def test_cli_prints_one_line_and_exits_3(
    command: Callable[[str, Path], subprocess.CompletedProcess[str]],
    dead_end: tuple[str, type[TransportError]],
    tmp_path: Path,
) -> None:
    url, _ = dead_end
    result = command(url, tmp_path)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert url in lines[0]
    assert "--notary" in lines[0]  # what to do
    assert not list(tmp_path.glob("*.govchain.*"))


def test_cli_names_a_url_without_scheme_and_exits_3(tmp_path: Path) -> None:
    result = _notarize("127.0.0.1:8000", tmp_path)
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "govchain notarize: unusable URL 127.0.0.1:8000: Request URL is missing an 'http://' "
        "or 'https://' protocol.; is the notary running at that address? Set it with --notary "
        "or GOVCHAIN_NOTARY_URL"
    ]


def _problem(status: str, title: str, extra: str = "") -> bytes:
    body = f'{{"title": "{title}", "status": {status.split()[0]}}}'.encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/problem+json\r\n{extra}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


@pytest.mark.parametrize(
    ("reply", "code", "attempts", "message"),
    [
        (_problem("503 Service Unavailable", "Backlog full", "Retry-After: 0\r\n"), 3, 5, "busy"),
        (_problem("401 Unauthorized", "Unauthorized"), 1, 1, "Unauthorized"),
    ],
    ids=["busy", "refused"],
)
def test_cli_tells_busy_from_refused(
    reply: bytes, code: int, attempts: int, message: str, tmp_path: Path
) -> None:
    with BadServer(reply) as server:
        result = _notarize(server.url, tmp_path)
        assert server.accepted == attempts
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
