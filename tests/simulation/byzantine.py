"""Byzantine validators: an honest core whose outgoing messages are rewritten.

Behaviours (each node gets one; at most f of them, a duplicated key counts as one):

- ``equivocate``: as proposer, sends one block to half of the peers and another to the rest;
- ``bad-seal``: COMMITs carry a seal that is not a signature over the block;
- ``wrong-digest``: PREPAREs and COMMITs name a random digest;
- ``forged-rc``: ROUND-CHANGEs claim a prepared certificate it does not have (its own
  PREPARE repeated, others' with forged signatures); proposals for round > 0 carry a
  justification of repeated and forged ROUND-CHANGEs for a fresh block;
- ``silent``: sends nothing (a crash the others cannot tell from slowness);
- ``twin``: two processes with one key, both running the honest core (equivocation by
  accident, as after a botched fail-over).

Plus a non-validator process that sprays well-formed, validly signed messages of every
kind (:func:`spam`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govchain_node.consensus.qbft import validators as vset
from govchain_node.consensus.qbft.encoding import signing_hash
from govchain_node.consensus.qbft.messages import (
    Commit,
    CommitPayload,
    Message,
    P,
    Prepare,
    PreparedRound,
    PreparePayload,
    Proposal,
    ProposalPayload,
    RoundChange,
    RoundChangePayload,
    Signed,
)
from tests.simulation import blocks

if TYPE_CHECKING:
    from govchain_node.signing import FakeSigner
    from tests.simulation.sim import SimNode, Simulator

Outgoing = list[tuple[Message, list[int] | None]]


def _sign(signer: FakeSigner, payload: P) -> Signed[P]:
    return Signed(payload, signer.sign(signing_hash(payload)))


def _forged(payload: P, claimed: bytes, sim: Simulator) -> Signed[P]:
    """A signature that claims to come from ``claimed`` but was not made with its key."""
    return Signed(payload, claimed + sim.rng.randbytes(45))


def _fresh_block(sim: Simulator, node: SimNode, height: int, round_: int, tag: bytes) -> bytes:
    payload = tag + sim.rng.randbytes(8)
    return blocks.make_block(height, node.head[0], node.signer.address, payload, round_)


def transform(sim: Simulator, node: SimNode, message: Message) -> Outgoing:
    sim.stats.byzantine_messages += 1
    behaviour = node.behaviour
    if behaviour == "silent":
        return []
    if behaviour == "equivocate" and isinstance(message, Proposal):
        return _equivocate(sim, node, message)
    if behaviour == "bad-seal" and isinstance(message, Commit):
        p = message.signed.payload
        bad = CommitPayload(p.height, p.round, p.digest, sim.rng.randbytes(65))
        return [(Commit(_sign(node.signer, bad)), None)]
    if behaviour == "wrong-digest" and isinstance(message, Prepare | Commit):
        return [(_wrong_digest(sim, node, message), None)]
    if behaviour == "forged-rc" and isinstance(message, RoundChange | Proposal):
        return [(_forge_justification(sim, node, message), None)]
    return [(message, None)]


def _equivocate(sim: Simulator, node: SimNode, message: Proposal) -> Outgoing:
    p = message.signed.payload
    other = _fresh_block(sim, node, p.height, p.round, b"EQUIVOCATION")
    alt = Proposal(
        _sign(node.signer, ProposalPayload(p.height, p.round, other)),
        message.round_changes,
        message.prepares,
    )
    peers = [x.index for x in sim.nodes if x.index != node.index]
    sim.rng.shuffle(peers)
    half = len(peers) // 2
    return [(message, peers[:half]), (alt, peers[half:])]


def _wrong_digest(sim: Simulator, node: SimNode, message: Prepare | Commit) -> Message:
    digest = sim.rng.randbytes(32)
    if isinstance(message, Prepare):
        p = message.signed.payload
        return Prepare(_sign(node.signer, PreparePayload(p.height, p.round, digest)))
    c = message.signed.payload
    return Commit(_sign(node.signer, CommitPayload(c.height, c.round, digest, c.seal)))


def _forge_justification(sim: Simulator, node: SimNode, message: RoundChange | Proposal) -> Message:
    height, round_ = message.signed.payload.height, message.signed.payload.round
    quorum = vset.quorum(len(sim.validators))
    others = [v for v in sim.validators if v != node.signer.address]
    if isinstance(message, RoundChange):
        if round_ < 1:
            return message
        block = _fresh_block(sim, node, height, round_ - 1, b"FORGED-PREPARED")
        info = blocks.inspect(block)
        assert info is not None
        mine = _sign(node.signer, PreparePayload(height, round_ - 1, info.digest))
        prepares = (mine,) * quorum + tuple(
            _forged(PreparePayload(height, round_ - 1, info.digest), v, sim) for v in others
        )
        claim = RoundChangePayload(height, round_, PreparedRound(round_ - 1, info.digest))
        return RoundChange(_sign(node.signer, claim), block, prepares)
    if round_ == 0:
        return message
    own_rc = _sign(node.signer, RoundChangePayload(height, round_, None))
    forged = tuple(_forged(RoundChangePayload(height, round_, None), v, sim) for v in others)
    block = _fresh_block(sim, node, height, round_, b"FORGED-JUSTIFICATION")
    payload = ProposalPayload(height, round_, block)
    return Proposal(_sign(node.signer, payload), (own_rc,) * quorum + forged, ())


def spam(sim: Simulator) -> None:
    """A non-validator sends validly signed messages of every kind to every node."""
    targets = [node for node in sim.nodes if node.up]
    if not targets:
        return
    victim = sim.rng.choice(targets)
    height, round_ = victim.state.height, victim.state.round
    signer = sim.outsider
    block = blocks.make_block(height, victim.head[0], signer.address, b"OUTSIDER", round_)
    info = blocks.inspect(block)
    assert info is not None
    seal = signer.sign(info.seal_hash)
    messages: list[Message] = [
        Proposal(_sign(signer, ProposalPayload(height, round_, block))),
        Prepare(_sign(signer, PreparePayload(height, round_, info.digest))),
        Commit(_sign(signer, CommitPayload(height, round_, info.digest, seal))),
        RoundChange(_sign(signer, RoundChangePayload(height, round_ + 1, None))),
    ]
    for message in messages:
        for node in targets:
            sim.stats.spam += 1
            sim.push(sim.rng.uniform(*sim.scenario.delay), "deliver", (-1, node.index, message))
