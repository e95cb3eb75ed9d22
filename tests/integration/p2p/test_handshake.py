"""Mutual TLS + signed hello between real sockets: who gets in and who is turned away."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from govchain_node.p2p import codes
from govchain_node.p2p.errors import ListenError
from govchain_node.p2p.identity import NodeIdentity, Role
from govchain_node.p2p.transport import PeerSpec, Transport, TransportConfig
from tests.integration.p2p.mesh import Inbox, run, start_link
from tests.support.p2p_material import (
    ImpostorSigner,
    config,
    make_ca,
    make_node,
    make_pair,
    new_signing_key,
    peer,
)
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import eventually


def test_two_nodes_of_one_consortium_connect_and_exchange_frames(tmp_path: Path) -> None:
    low, high = make_pair(tmp_path)

    async def scenario() -> None:
        high_inbox, low_inbox = Inbox(), Inbox()
        server, client, _ = await start_link(low, high, high_inbox, low_inbox)
        try:
            await client.wait_connected(1, 10)
            await server.wait_connected(1, 10)
            assert client.send(high.address, 0x30, b"to high")
            assert server.broadcast(0x31, b"to all") == 1
            await eventually(
                lambda: bool(high_inbox.messages and low_inbox.messages), what="delivery"
            )
            assert high_inbox.messages == [(low.address, 0x30, b"to high")]
            assert low_inbox.messages == [(high.address, 0x31, b"to all")]
            (status,) = client.peer_status()
            assert status.connected
            assert status.outbound
            assert status.role is Role.VALIDATOR
            assert server.peer_status()[0].outbound is False
            assert not client.send(b"\x00" * 20, 0x30, b"nobody")
        finally:
            await client.stop()
            await server.stop()

    run(scenario())


async def _refused(victim_config: TransportConfig, rogue_config: TransportConfig) -> str:
    """Start both; the rogue dials; returns the rogue's recorded handshake failure."""
    victim_inbox = Inbox()
    victim = Transport(victim_config, victim_inbox)
    port = await victim.start()
    counter = TcpProxy("127.0.0.1", port)  # counts the rogue's attempts
    spec = rogue_config.peers[0]
    rogue_config = TransportConfig(
        **{
            **{f: getattr(rogue_config, f) for f in rogue_config.__dataclass_fields__},
            "peers": (PeerSpec(spec.identity, "127.0.0.1", await counter.start()),),
        }
    )
    rogue = Transport(rogue_config, Inbox())
    await rogue.start()
    try:
        await eventually(lambda: rogue.peer_status()[0].last_error != "", what="refusal")
        # The rogue redials only once its previous attempt is over, and the proxy then
        # closes the victim's end too: a late acceptance of the first attempt would show.
        await eventually(lambda: counter.attempts >= 3, what="two redials after the refusal")
        assert victim.connected_peers() == []
        assert rogue.connected_peers() == []
        assert all(s.connects == 0 for s in victim.peer_status())
        assert all(s.connects == 0 for s in rogue.peer_status())
        assert victim_inbox.messages == []
        return rogue.peer_status()[0].last_error
    finally:
        await rogue.stop()
        await counter.stop()
        await victim.stop()


def test_certificate_from_another_ca_is_refused(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    victim = make_node(tmp_path / "victim", authority)
    foreign_ca = make_ca(tmp_path / "foreign-ca")
    rogue = make_node(
        tmp_path / "rogue",
        foreign_ca,
        signing_key=new_signing_key(below=victim.address),
        trust=victim.files.ca,  # it even trusts our CA: the victim must still refuse it
    )
    error = run(_refused(config(victim, (peer(rogue, 1),)), config(rogue, (peer(victim, 1),))))
    assert "handshake failed" in error


def test_expired_certificate_is_refused(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    victim = make_node(tmp_path / "victim", authority)
    now = datetime.datetime.now(datetime.UTC)
    rogue = make_node(
        tmp_path / "rogue",
        authority,
        signing_key=new_signing_key(below=victim.address),
        not_before=now - datetime.timedelta(days=30),
        not_after=now - datetime.timedelta(days=1),
    )
    error = run(_refused(config(victim, (peer(rogue, 1),)), config(rogue, (peer(victim, 1),))))
    assert "handshake failed" in error


def test_valid_certificate_for_an_address_not_in_the_peer_list_is_refused(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    victim = make_node(tmp_path / "victim", authority)
    friend = make_node(tmp_path / "friend", authority)
    outsider = make_node(
        tmp_path / "outsider", authority, signing_key=new_signing_key(below=victim.address)
    )
    error = run(_refused(config(victim, (peer(friend, 1),)), config(outsider, (peer(victim, 1),))))
    assert "handshake failed" in error


def test_member_certificate_is_refused_where_a_validator_is_expected(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    victim = make_node(tmp_path / "victim", authority)
    key = new_signing_key(below=victim.address)
    as_member = make_node(tmp_path / "member", authority, role=Role.MEMBER, signing_key=key)
    listed_as = NodeIdentity(as_member.address, Role.VALIDATOR)
    victim_config = config(victim, (PeerSpec(listed_as, "127.0.0.1", 1),))
    run(_refused(victim_config, config(as_member, (peer(victim, 1),))))


def test_hello_signed_by_a_key_other_than_the_certificates_is_refused(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    victim = make_node(tmp_path / "victim", authority)
    stolen_identity_key = new_signing_key(below=victim.address)
    # The attacker holds a valid TLS key for the validator's address, not its secp256k1 key.
    impostor = make_node(tmp_path / "impostor", authority, certified_key=stolen_identity_key)
    signer = ImpostorSigner(impostor.address, new_signing_key())
    error = run(
        _refused(
            config(victim, (peer(impostor, 1),)),
            config(impostor, (peer(victim, 1),), signer=signer),
        )
    )
    assert "handshake failed" in error


def test_dialled_peer_presenting_another_identity_is_refused(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    expected = make_node(tmp_path / "expected", authority)
    squatter = make_node(tmp_path / "squatter", authority)
    dialer = make_node(
        tmp_path / "dialer",
        authority,
        signing_key=new_signing_key(below=min(expected.address, squatter.address)),
    )

    async def scenario() -> str:
        # The squatter listens where the dialer expects ``expected`` and lists the dialer.
        server = Transport(config(squatter, (peer(dialer, 1),)), Inbox())
        port = await server.start()
        client = Transport(config(dialer, (peer(expected, port),)), Inbox())
        await client.start()
        try:
            await eventually(lambda: client.peer_status()[0].last_error != "", what="refusal")
            assert client.connected_peers() == []
            return client.peer_status()[0].last_error
        finally:
            await client.stop()
            await server.stop()

    assert "certificate binds" in run(scenario())


def test_dialled_peer_with_a_certificate_from_another_ca_is_refused(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    target = make_node(tmp_path / "target", authority)
    dialer = make_node(
        tmp_path / "dialer", authority, signing_key=new_signing_key(below=target.address)
    )
    # Same address and key as ``target``, but certified by a foreign CA.
    forged = make_node(
        tmp_path / "forged",
        make_ca(tmp_path / "foreign"),
        signing_key=target.signing_key,
        trust=dialer.files.ca,
    )

    async def scenario() -> str:
        server = Transport(config(forged, (peer(dialer, 1),)), Inbox())
        port = await server.start()
        client = Transport(config(dialer, (peer(target, port),)), Inbox())
        await client.start()
        try:
            await eventually(lambda: client.peer_status()[0].last_error != "", what="refusal")
            assert client.connected_peers() == []
            assert server.connected_peers() == []
            return client.peer_status()[0].last_error
        finally:
            await client.stop()
            await server.stop()

    assert "CERTIFICATE_VERIFY_FAILED" in run(scenario())


def test_busy_listen_port_and_reserved_codes_are_named_errors(tmp_path: Path) -> None:
    low, high = make_pair(tmp_path)

    async def scenario() -> None:
        first = Transport(config(high), Inbox())
        port = await first.start()
        try:
            with pytest.raises(ListenError, match=str(port)):
                await Transport(config(low, port=port), Inbox()).start()
            with pytest.raises(ValueError, match="connection protocol"):
                first.send(low.address, codes.PING, b"")
            with pytest.raises(ValueError, match="connection protocol"):
                first.broadcast(codes.HELLO, b"")
        finally:
            await first.stop()

    run(scenario())
