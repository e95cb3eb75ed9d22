"""A consortium written by ``init`` comes up as a full TLS mesh from its node.toml files."""

from __future__ import annotations

import http.server
import json
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from govchain_node.consensus.consortium import Consortium, ConsortiumSpec, init_consortium
from govchain_node.consensus.consortium_cli import register
from govchain_node.p2p.gossip import Gossip
from govchain_node.p2p.settings import P2pSettings, transport_config
from govchain_node.p2p.transport import Transport
from tests.integration.p2p.free_ports import free_port_block
from tests.integration.p2p.mesh import run
from tests.support.p2p_material import FAST
from tests.support.waiting import eventually


@pytest.fixture
def consortium(tmp_path: Path) -> Consortium:
    base = free_port_block(5 * 10)
    return init_consortium(tmp_path / "c", ConsortiumSpec(validators=4, members=1, base_port=base))


def test_nodes_started_from_their_configs_form_a_full_mesh(consortium: Consortium) -> None:
    async def scenario() -> None:
        transports: list[Transport] = []
        received: list[list[bytes]] = []
        for node in consortium.nodes:
            node_dir = consortium.node_dir(node)
            document = tomllib.loads((node_dir / "node.toml").read_text())
            settings = P2pSettings.from_mapping(document["p2p"], node_dir)
            inbox: list[bytes] = []
            received.append(inbox)

            def accept(raw: bytes, peer: bytes | None, inbox: list[bytes] = inbox) -> bool:
                inbox.append(raw)
                return True

            gossip = Gossip(on_transaction=accept)
            config = transport_config(settings, document["chain_id"], **FAST)
            transport = Transport(config, gossip.handle_frame)
            gossip.attach(transport)
            transports.append(transport)
        try:
            for transport in transports:
                await transport.start()
            for transport in transports:
                await transport.wait_connected(len(transports) - 1, 15)
            member = transports[-1]
            assert member.broadcast(0x10, b"tx from the member") == 4
            await eventually(lambda: all(r == [b"tx from the member"] for r in received[:-1]))
        finally:
            for transport in transports:
                await transport.stop()

    run(scenario())


class _FakeRpc(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if request["method"] == "eth_blockNumber":
            body = {"jsonrpc": "2.0", "id": request["id"], "result": "0x2a"}
        else:
            body = {
                "jsonrpc": "2.0",
                "id": request["id"],
                "error": {"code": -32601, "message": "no"},
            }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def node0_rpc(consortium: Consortium) -> Iterator[None]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", consortium.nodes[0].rpc_port), _FakeRpc)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield
    server.shutdown()
    server.server_close()


@pytest.mark.usefixtures("node0_rpc")
def test_status_prints_heights_and_which_nodes_are_down(consortium: Consortium) -> None:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(
        app, ["consortium", "status", "--dir", str(consortium.directory), "--timeout", "2"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "height 42" in lines[1]
    assert "peers ?" in lines[1]  # this node has no net_peerCount
    assert sum("not running" in line for line in lines) == 4
