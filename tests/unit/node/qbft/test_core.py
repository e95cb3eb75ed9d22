"""Unit tests of the core's rules, one rule per test, on four validators (f = 1, quorum 3)."""

from __future__ import annotations

import pytest

from govchain_node.consensus.qbft.core import round_timeout
from govchain_node.consensus.qbft.events import (
    Action,
    BlockCandidate,
    Broadcast,
    CommitBlock,
    MessageReceived,
    NewChainHead,
    Persist,
    RequestBlock,
    RoundTimerExpired,
    StartRoundTimer,
)
from govchain_node.consensus.qbft.messages import (
    Commit,
    CommitPayload,
    Message,
    Prepare,
    PreparedRound,
    PreparePayload,
    Proposal,
    ProposalPayload,
    RoundChange,
    RoundChangePayload,
    Signed,
)
from govchain_node.consensus.qbft.state import Persisted, PreparedCertificate
from tests.simulation import blocks
from tests.unit.node.qbft.harness import Net, Validator


def sent(actions: tuple[Action, ...]) -> list[Message]:
    return [a.message for a in actions if isinstance(a, Broadcast)]


def of_type(actions: tuple[Action, ...], kind: type) -> list[Message]:
    return [m for m in sent(actions) if isinstance(m, kind)]


def deliver(node: Validator, *messages: Message) -> tuple[Action, ...]:
    out: list[Action] = []
    for message in messages:
        out += node.feed(MessageReceived(message))
    return tuple(out)


def propose_round0(net: Net, payload: bytes = b"tx") -> Proposal:
    proposer = net.proposer(0)
    assert RequestBlock(1, 0) in proposer.actions
    actions = proposer.feed(BlockCandidate(1, 0, net.block(0, payload)))
    (proposal,) = of_type(actions, Proposal)
    assert isinstance(proposal, Proposal)
    return proposal


def prepare(net: Net, who: Validator, block: bytes, round_: int = 0) -> Prepare:
    return Prepare(net.sign(who, PreparePayload(1, round_, net.digest(block))))


def commit(net: Net, who: Validator, block: bytes, round_: int = 0) -> Commit:
    info = blocks.inspect(block)
    assert info is not None
    seal = net.signers[who.address].sign(info.seal_hash)
    return Commit(net.sign(who, CommitPayload(1, round_, info.digest, seal)))


# ---------------------------------------------------------------------- happy path


def test_only_the_round_zero_proposer_requests_a_block_and_everyone_starts_a_timer() -> None:
    net = Net()
    assert RequestBlock(1, 0) in net.proposer(0).actions
    for node in net.nodes:
        assert StartRoundTimer(1, 0, 1.0) in node.actions
        assert (RequestBlock(1, 0) in node.actions) == (node is net.proposer(0))


def test_proposer_broadcasts_the_proposal_and_its_own_prepare() -> None:
    net = Net()
    proposal = propose_round0(net)
    assert of_type(net.proposer(0).actions, Prepare)
    assert proposal.signed.payload == ProposalPayload(1, 0, net.block(0))


def test_replica_prepares_a_valid_proposal() -> None:
    net = Net()
    proposal = propose_round0(net)
    (p,) = of_type(deliver(net.replica(0), proposal), Prepare)
    assert isinstance(p, Prepare)
    assert p.signed.payload == PreparePayload(1, 0, net.digest(net.block(0)))


def test_quorum_edge_two_prepares_do_not_commit_three_do_and_persist_first() -> None:
    net = Net()
    node = net.replica(0)
    block = net.block(0)
    deliver(node, propose_round0(net))  # node's own prepare: 1
    assert not of_type(deliver(node, prepare(net, net.proposer(0), block)), Commit)  # 2
    actions = deliver(node, prepare(net, net.replica(0, 2), block))  # 3 = quorum
    (c,) = of_type(actions, Commit)
    persist = [i for i, a in enumerate(actions) if isinstance(a, Persist)]
    send = [i for i, a in enumerate(actions) if isinstance(a, Broadcast)]
    assert persist
    assert persist[0] < send[0]
    record = next(a for a in actions if isinstance(a, Persist)).record
    assert record.prepared is not None
    assert record.prepared.digest == net.digest(block)
    assert isinstance(c, Commit)


def test_quorum_of_valid_seals_finalises_with_the_seals() -> None:
    net = Net()
    node = net.replica(0)
    block = net.block(0)
    deliver(node, propose_round0(net))
    deliver(node, commit(net, net.nodes[0], block), commit(net, net.nodes[2], block))
    assert not [a for a in node.actions if isinstance(a, CommitBlock)]
    actions = deliver(node, commit(net, net.nodes[3], block))
    (final,) = [a for a in actions if isinstance(a, CommitBlock)]
    assert final.block == block
    assert len(final.seals) == 3


def test_commit_with_an_invalid_seal_is_not_counted() -> None:
    net = Net()
    node = net.replica(0)
    block = net.block(0)
    deliver(node, propose_round0(net))
    bad = Commit(net.sign(net.nodes[3], CommitPayload(1, 0, net.digest(block), bytes(65))))
    deliver(node, commit(net, net.nodes[0], block), commit(net, net.nodes[2], block), bad)
    assert not [a for a in node.actions if isinstance(a, CommitBlock)]
    assert node.state.ignored["bad-seal"] == 1


def test_commits_arriving_before_the_proposal_count_once_it_is_accepted() -> None:
    net = Net()
    node = net.replica(0)
    block = net.block(0)
    deliver(node, *(commit(net, v, block) for v in net.nodes if v is not node))
    actions = deliver(node, propose_round0(net))
    assert [a for a in actions if isinstance(a, CommitBlock)]


# ---------------------------------------------------------------------- hostile input


def test_non_validator_bad_signature_wrong_height_duplicates_are_counted_not_fatal() -> None:
    net = Net()
    node = net.replica(0)
    proposal = propose_round0(net)
    outsider = net.keyring.new_signer(b"outsider")
    net.signers[outsider.address] = outsider
    digest = net.digest(net.block(0))
    deliver(node, Prepare(net.sign(outsider.address, PreparePayload(1, 0, digest))))
    forged = net.sign(net.nodes[2], PreparePayload(1, 0, digest))
    deliver(node, Prepare(type(forged)(forged.payload, bytes(65))))
    deliver(node, Prepare(net.sign(net.nodes[2], PreparePayload(9, 0, digest))))
    deliver(node, proposal, proposal)
    other = Proposal(net.sign(net.proposer(0), ProposalPayload(1, 0, net.block(0, b"other"))))
    deliver(node, other)
    assert dict(node.state.ignored) == {
        "non-validator": 1,
        "bad-signature": 1,
        "wrong-height": 1,
        "duplicate-proposal": 2,
    }


def test_proposal_from_a_validator_that_is_not_the_proposer_is_ignored() -> None:
    net = Net()
    block = net.block(0)
    wrong = Proposal(net.sign(net.nodes[2], ProposalPayload(1, 0, block)))
    assert not sent(deliver(net.nodes[1], wrong))
    assert net.nodes[1].state.ignored["not-proposer"] == 1


def test_invalid_block_is_not_prepared() -> None:
    net = Net()
    block = net.block(0, b"INVALID tx")
    bad = Proposal(net.sign(net.proposer(0), ProposalPayload(1, 0, block)))
    assert not sent(deliver(net.replica(0), bad))
    assert net.replica(0).state.ignored["invalid-block"] == 1


# ---------------------------------------------------------------------- timers and rounds


def test_timeout_doubles_per_round_and_is_capped() -> None:
    net = Net(base_timeout=1.0, max_timeout=8.0)
    config = net.nodes[0].config
    assert [round_timeout(config, r) for r in range(7)] == [1, 2, 4, 8, 8, 8, 8]
    assert round_timeout(config, 10_000) == 8.0
    node = net.nodes[1]
    durations = []
    for r in range(5):
        actions = node.feed(RoundTimerExpired(1, r))
        durations += [a.duration for a in actions if isinstance(a, StartRoundTimer)]
    assert durations == [2, 4, 8, 8, 8]


def test_timer_expiry_moves_to_the_next_round_with_a_round_change() -> None:
    net = Net()
    node = net.nodes[1]
    actions = node.feed(RoundTimerExpired(1, 0))
    (rc,) = of_type(actions, RoundChange)
    assert isinstance(rc, RoundChange)
    assert rc.signed.payload == RoundChangePayload(1, 1, None)
    assert node.state.round == 1
    assert isinstance(actions[0], Persist)
    assert node.feed(RoundTimerExpired(1, 0)) == ()  # stale timer
    assert node.state.ignored["stale-timer"] == 1


def test_f_plus_one_round_changes_for_higher_rounds_make_a_node_jump() -> None:
    net = Net()  # f = 1
    node = net.nodes[1]
    deliver(node, RoundChange(net.round_change(net.nodes[2], 5)))
    assert node.state.round == 0  # one may be faulty
    actions = deliver(node, RoundChange(net.round_change(net.nodes[3], 7)))
    assert node.state.round == 5  # the lowest round that f + 1 of them reached
    (rc,) = of_type(actions, RoundChange)
    assert isinstance(rc, RoundChange)
    assert rc.signed.payload.round == 5


def test_quorum_of_round_changes_lets_the_proposer_request_a_fresh_block() -> None:
    net = Net()
    proposer = net.proposer(1)
    proposer.feed(RoundTimerExpired(1, 0))
    deliver(proposer, *(RoundChange(net.round_change(v, 1)) for v in net.nodes[2:4]))
    assert RequestBlock(1, 1) in proposer.actions
    actions = proposer.feed(BlockCandidate(1, 1, net.block(1)))
    (proposal,) = of_type(actions, Proposal)
    assert isinstance(proposal, Proposal)
    assert len(proposal.round_changes) == 3
    assert proposal.prepares == ()


def test_proposer_reproposes_the_highest_prepared_block_with_its_certificate() -> None:
    net = Net()
    proposer = net.proposer(2)
    old = net.block(0, b"prepared-in-0")
    newer = blocks.make_block(1, net.head[0], net.proposer(1).address, b"prepared-in-1", 1)
    cert0 = PreparedRound(0, net.digest(old))
    cert1 = PreparedRound(1, net.digest(newer))
    proposer.feed(RoundTimerExpired(1, 0))
    proposer.feed(RoundTimerExpired(1, 1))
    a, b = net.nodes[0], net.nodes[1]
    rc_a = RoundChange(net.round_change(a, 2, cert0), old, net.prepares(old, 0))
    rc_b = RoundChange(net.round_change(b, 2, cert1), newer, net.prepares(newer, 1))
    actions = deliver(proposer, rc_a, rc_b)
    (proposal,) = of_type(actions, Proposal)
    assert isinstance(proposal, Proposal)
    block = proposal.signed.payload.block
    assert block == blocks.make_block(1, net.head[0], net.proposer(1).address, b"prepared-in-1", 2)
    assert {p.payload.round for p in proposal.prepares} == {1}


# ---------------------------------------------------------------------- justification


def _justified_round1(net: Net, block: bytes, prepared: PreparedRound | None = None) -> Proposal:
    rcs = tuple(net.round_change(v, 1, prepared) for v in net.nodes[:3])
    prepares: tuple[Signed[PreparePayload], ...] = ()
    if prepared is not None:
        certificate = PreparePayload(1, prepared.round, prepared.digest)
        prepares = tuple(net.sign(v, certificate) for v in net.nodes[:3])
    payload = ProposalPayload(1, 1, block)
    return Proposal(net.sign(net.proposer(1), payload), rcs, prepares)


def test_round_one_proposal_without_justification_is_rejected() -> None:
    net = Net()
    node = net.nodes[3]
    node.feed(RoundTimerExpired(1, 0))
    bare = Proposal(net.sign(net.proposer(1), ProposalPayload(1, 1, net.block(1))))
    assert not of_type(deliver(node, bare), Prepare)
    assert node.state.ignored["unjustified-proposal"] == 1


def test_justified_future_round_proposal_moves_the_replica_and_is_prepared() -> None:
    net = Net()
    node = net.nodes[3]
    actions = deliver(node, _justified_round1(net, net.block(1)))
    assert node.state.round == 1
    assert of_type(actions, Prepare)


def test_proposal_must_carry_the_highest_prepared_block() -> None:
    net = Net()
    prepared_block = net.block(0, b"locked")
    cert = PreparedRound(0, net.digest(prepared_block))
    node = net.nodes[3]
    other = _justified_round1(net, net.block(1, b"something else"), cert)
    assert not of_type(deliver(node, other), Prepare)
    reproposal = blocks.make_block(1, net.head[0], net.proposer(0).address, b"locked", 1)
    good = _justified_round1(net, reproposal, cert)
    assert of_type(deliver(node, good), Prepare)


def test_forged_or_repeated_round_changes_do_not_make_a_quorum() -> None:
    net = Net()
    node = net.nodes[3]
    mine = net.round_change(net.proposer(1), 1)
    forged = type(mine)(RoundChangePayload(1, 1, None), net.nodes[2].address + bytes(45))
    proposal = Proposal(
        net.sign(net.proposer(1), ProposalPayload(1, 1, net.block(1))), (mine, mine, forged), ()
    )
    assert not of_type(deliver(node, proposal), Prepare)
    assert node.state.ignored["unjustified-proposal"] == 1


def test_round_change_claiming_a_certificate_without_a_prepare_quorum_is_rejected() -> None:
    net = Net()
    node = net.nodes[1]
    block = net.block(0, b"claimed")
    claim = PreparedRound(0, net.digest(block))
    weak = RoundChange(net.round_change(net.nodes[2], 1, claim), block, net.prepares(block, 0, 2))
    deliver(node, weak)
    assert node.state.ignored["bad-round-change"] == 1
    assert net.nodes[2].address not in node.state.round_changes


# ---------------------------------------------------------------------- persistence


def test_restart_resumes_one_round_later_and_keeps_reporting_its_certificate() -> None:
    net = Net()
    block = net.block(0, b"prepared")
    cert = PreparedCertificate(0, net.digest(block), block, net.prepares(block, 0))
    node = net.make(net.nodes[1].address, persisted=Persisted(1, 0, cert))
    assert node.state.round == 1
    (rc,) = of_type(node.actions, RoundChange)
    assert isinstance(rc, RoundChange)
    assert rc.signed.payload.prepared == PreparedRound(0, cert.digest)
    assert rc.prepared_block == block


def test_a_persisted_record_of_an_older_height_is_ignored() -> None:
    net = Net()
    node = net.make(net.nodes[1].address, persisted=Persisted(1, 3, None))
    node.feed(NewChainHead(1, net.validators, net.nodes[0].address))
    assert (node.state.height, node.state.round) == (2, 0)


def test_a_fresh_block_must_name_its_proposer_as_coinbase() -> None:
    net = Net()
    foreign = blocks.make_block(1, net.head[0], net.nodes[2].address, b"tx", 0)
    proposal = Proposal(net.sign(net.proposer(0), ProposalPayload(1, 0, foreign)))
    assert not of_type(deliver(net.replica(0), proposal), Prepare)
    assert net.replica(0).state.ignored["unjustified-proposal"] == 1


def test_round_changes_with_two_digests_prepared_in_one_round_are_rejected() -> None:
    net = Net()
    a = net.block(0, b"a")
    b = net.block(0, b"b")
    rcs = (
        net.round_change(net.nodes[0], 1, PreparedRound(0, net.digest(a))),
        net.round_change(net.nodes[1], 1, PreparedRound(0, net.digest(b))),
        net.round_change(net.nodes[2], 1, None),
    )
    reproposal = blocks.make_block(1, net.head[0], net.proposer(0).address, b"a", 1)
    payload = ProposalPayload(1, 1, reproposal)
    proposal = Proposal(net.sign(net.proposer(1), payload), rcs, net.prepares(a, 0))
    assert not of_type(deliver(net.nodes[3], proposal), Prepare)


@pytest.mark.parametrize("round_in_digest", [True, False])
def test_reproposal_is_justified_with_either_digest_convention(round_in_digest: bool) -> None:
    """Besu's digest binds the round; the round-free on-chain hash does not."""
    net = Net(round_in_digest=round_in_digest)
    prepared_block = net.block(0, b"locked")
    cert = PreparedRound(0, net.digest(prepared_block))
    reproposal = blocks.make_block(1, net.head[0], net.proposer(0).address, b"locked", 1)
    assert (net.digest(reproposal) != cert.digest) == round_in_digest
    node = net.nodes[3]
    (p,) = of_type(deliver(node, _justified_round1(net, reproposal, cert)), Prepare)
    assert isinstance(p, Prepare)
    assert p.signed.payload.digest == net.digest(reproposal)


def test_validator_order_in_the_head_does_not_change_the_proposer() -> None:
    net = Net()
    node = net.nodes[1]
    node.feed(NewChainHead(1, tuple(reversed(net.validators)), net.nodes[0].address))
    assert node.state.validators == net.validators
    assert RequestBlock(2, 0) in node.actions  # nodes[1] follows nodes[0] in address order


def test_messages_far_ahead_are_dropped_but_round_changes_are_kept() -> None:
    net = Net()
    node = net.nodes[1]
    far = node.config.future_rounds + 1
    block = net.block(0)
    deliver(node, prepare(net, net.nodes[2], block, round_=far))
    assert node.state.ignored["round-too-far"] == 1
    deliver(node, RoundChange(net.round_change(net.nodes[2], far)))
    assert node.state.round_changes[net.nodes[2].address].signed.payload.round == far
