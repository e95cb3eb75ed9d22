"""Hostile input never crashes the core, and the core never signs two blocks in one round."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from govchain_node.consensus.qbft.events import (
    BlockCandidate,
    Broadcast,
    Event,
    MessageReceived,
    NewChainHead,
    RoundTimerExpired,
)
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
from tests.unit.node.qbft.harness import Net

NET = Net()
SENDERS = [*NET.nodes, None]  # None: a garbage signature
heights = st.integers(0, 3)
rounds = st.integers(0, 4)
payloads = st.binary(max_size=3)


@st.composite
def events(draw: st.DrawFn) -> Event:
    kind = draw(st.sampled_from(["proposal", "prepare", "commit", "rc", "timer", "candidate"]))
    height, round_ = draw(heights), draw(rounds)
    proposer = NET.nodes[draw(st.integers(0, 3))].address
    block = blocks.make_block(height, NET.head[0], proposer, draw(payloads), draw(rounds))
    digest = NET.digest(block)
    if kind == "timer":
        return RoundTimerExpired(height, round_)
    if kind == "candidate":
        return BlockCandidate(height, round_, block)
    sender = draw(st.sampled_from(SENDERS))

    def sign(payload: P) -> Signed[P]:
        if sender is None:
            return Signed(payload, draw(st.binary(min_size=65, max_size=65)))
        return NET.sign(sender, payload)

    message: Message
    if kind == "proposal":
        justification = tuple(sign(RoundChangePayload(height, round_, None)) for _ in range(3))
        message = Proposal(sign(ProposalPayload(height, round_, block)), justification, ())
    elif kind == "prepare":
        message = Prepare(sign(PreparePayload(height, round_, digest)))
    elif kind == "commit":
        seal = draw(st.binary(min_size=65, max_size=65))
        message = Commit(sign(CommitPayload(height, round_, digest, seal)))
    else:
        prepared = draw(st.none() | st.just(PreparedRound(max(round_ - 1, 0), digest)))
        rc = sign(RoundChangePayload(height, round_, prepared))
        message = RoundChange(rc, block if prepared else None, ())
    return MessageReceived(message)


@settings(max_examples=300)
@given(st.lists(events(), max_size=40), st.integers(0, 3))
def test_random_input_never_crashes_and_never_equivocates(stream: list[Event], who: int) -> None:
    node = NET.make(NET.nodes[who].address)
    signed: dict[tuple[str, int, int], bytes] = {}
    for event in stream:
        for action in node.feed(event):
            if not isinstance(action, Broadcast):
                continue
            message = action.message
            payload = message.signed.payload
            digest = blocks.signed_digest(message)
            if digest is None:
                continue
            key = (type(message).__name__, payload.height, payload.round)
            assert signed.setdefault(key, digest) == digest
        if isinstance(event, RoundTimerExpired) and event.round > 2:
            node.feed(NewChainHead(node.state.height, NET.validators, NET.nodes[0].address))
