"""httpx errors become the SDK's, by the most specific match (``govchain_client._transport``)."""

from __future__ import annotations

import httpx
import pytest

from govchain_client import errors
from govchain_client._transport import answer_json, mapped_errors
from govchain_client.chain_reader import verify_with_node
from govchain_core.deployment import Deployment
from govchain_core.errors import ChainError
from govchain_core.receipt_codec import receipt_from_object
from govchain_core.verify import Verdict
from tests.conftest import load_vectors
from tests.support.bad_servers import BadServer

URL = "http://notary.test"
REQUEST = httpx.Request("GET", URL)

CASES = [
    (httpx.ConnectError("refused", request=REQUEST), errors.ConnectError),
    (httpx.ProxyError("proxy down", request=REQUEST), errors.ConnectError),
    (httpx.ConnectTimeout("t", request=REQUEST), errors.RequestTimeoutError),
    (httpx.ReadTimeout("t", request=REQUEST), errors.RequestTimeoutError),
    (httpx.WriteTimeout("t", request=REQUEST), errors.RequestTimeoutError),
    (httpx.PoolTimeout("t", request=REQUEST), errors.RequestTimeoutError),
    (httpx.ReadError("reset", request=REQUEST), errors.NetworkError),
    (httpx.WriteError("broken pipe", request=REQUEST), errors.NetworkError),
    (httpx.CloseError("x", request=REQUEST), errors.NetworkError),
    (httpx.RemoteProtocolError("garbage", request=REQUEST), errors.ProtocolError),
    (httpx.LocalProtocolError("x", request=REQUEST), errors.ProtocolError),
    (httpx.DecodingError("bad gzip", request=REQUEST), errors.ProtocolError),
    (httpx.TooManyRedirects("loop", request=REQUEST), errors.ProtocolError),
    (httpx.UnsupportedProtocol("no scheme", request=REQUEST), errors.InvalidUrlError),
    (httpx.InvalidURL("bad port"), errors.InvalidUrlError),
    (httpx.TransportError("other", request=REQUEST), errors.TransportError),
]


@pytest.mark.parametrize(("raised", "expected"), CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_most_specific_match(raised: Exception, expected: type[errors.TransportError]) -> None:
    with pytest.raises(errors.TransportError) as caught, mapped_errors(URL):
        raise raised
    assert type(caught.value) is expected
    assert caught.value.url == URL
    assert caught.value.__cause__ is raised
    assert isinstance(caught.value, errors.ClientError)
    assert isinstance(caught.value, ChainError)


def test_every_httpx_transport_error_class_is_mapped_below_the_root() -> None:
    """A new httpx subclass still lands in the tree (at worst as ``TransportError``)."""
    classes = [c for c in vars(httpx).values() if isinstance(c, type)]
    for cls in classes:
        if issubclass(cls, httpx.RequestError):
            with pytest.raises(errors.TransportError), mapped_errors(URL):
                raise cls("x", request=REQUEST)


def test_timeouts_name_the_phase() -> None:
    with pytest.raises(errors.RequestTimeoutError) as caught, mapped_errors(URL):
        raise httpx.ConnectTimeout("", request=REQUEST)
    assert str(caught.value) == f"no answer in time from {URL}: timed out while connecting"


def test_other_exceptions_pass_unchanged() -> None:
    with pytest.raises(KeyError), mapped_errors(URL):
        raise KeyError("not an httpx error")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 100_000, "nests deeper"),
        (b"<html></html>", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b"1" * 2000, "bytes, more than 1000"),
    ],
)
def test_answers_are_parsed_bounded(body: bytes, reason: str) -> None:
    response = httpx.Response(200, content=body)
    with pytest.raises(errors.ProtocolError, match=reason):
        answer_json(response, URL, max_bytes=1000 if len(body) == 2000 else 10**6)


def test_an_answer_with_duplicate_keys_is_refused() -> None:
    """The stdlib keeps the last of two equal keys; another parser may keep the first."""
    response = httpx.Response(
        200, content=b'{"jsonrpc":"2.0","id":1,"result":"0x1","result":"0x2"}'
    )
    with pytest.raises(errors.ProtocolError, match="duplicate key 'result'"):
        answer_json(response, URL)


def test_a_node_answering_duplicate_keys_gives_could_not_check() -> None:
    """A real socket answering ``eth_chainId`` twice in one object: the consortium's chain id
    first, another last.  Read last-wins, the check said not_valid at /anchor/chain_id."""
    body = b'{"jsonrpc":"2.0","id":1,"result":"0x539","result":"0x1"}'
    reply = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    receipt = receipt_from_object(load_vectors("receipts.json")["valid"][0]["receipt"])
    deployment = Deployment(1337, receipt.anchor.registry, "0x" + "a2" * 20, "0x" + "a3" * 20)
    with BadServer(reply) as node:
        report = verify_with_node(receipt, node.url, deployment, timeout=2.0)
    assert report.verdict is Verdict.COULD_NOT_CHECK
    step = report.failed_step
    assert step is not None
    assert step.name == "anchor"
    assert "duplicate key 'result'" in str(step.details["error"])
