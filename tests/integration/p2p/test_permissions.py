"""Peers beyond the static list (e.g. a newly voted-in validator) and peers voted out."""

from __future__ import annotations

from pathlib import Path

from govchain_node.p2p.identity import NodeIdentity
from govchain_node.p2p.transport import Transport
from tests.integration.p2p.mesh import Inbox, run
from tests.support.p2p_material import config, make_ca, make_node, new_signing_key, peer
from tests.support.waiting import eventually


def test_extra_allowed_admits_a_new_validator_and_revalidate_drops_it(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    existing = make_node(tmp_path / "existing", authority)
    newcomer = make_node(
        tmp_path / "new", authority, signing_key=new_signing_key(below=existing.address)
    )
    validators = {newcomer.address}

    def is_validator(identity: NodeIdentity) -> bool:
        return identity.address in validators

    async def scenario() -> None:
        inbox = Inbox()
        # ``existing`` has no static entry for the newcomer; only the validator set admits it.
        server = Transport(config(existing), inbox, extra_allowed=is_validator)
        port = await server.start()
        client = Transport(config(newcomer, (peer(existing, port),)), Inbox())
        await client.start()
        try:
            await server.wait_connected(1, 10)
            await client.wait_connected(1, 10)
            assert client.send(existing.address, 0x30, b"hello from the new validator")
            await eventually(lambda: bool(inbox.messages), what="delivery")
            assert server.revalidate() == 0
            validators.clear()  # voted out
            assert server.revalidate() == 1
            await eventually(lambda: server.connected_peers() == [], what="drop")
            # and it cannot come back while it is not a validator
            await eventually(
                lambda: "handshake failed" in client.peer_status()[0].last_error,
                what="refused redial",
            )
            assert server.connected_peers() == []
        finally:
            await client.stop()
            await server.stop()

    run(scenario())
