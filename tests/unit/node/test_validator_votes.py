"""Header votes on the node's chain: the tally per block, this node's proposals, the RPC."""

from __future__ import annotations

import pytest

from govchain_node.chain import Ledger
from govchain_node.codec.extra_data import VANITY_LENGTH, ExtraData, Vote
from govchain_node.consensus.voting import ValidatorHistory, VoteProposals, VoteTally
from govchain_node.errors import RpcReplyError
from govchain_node.genesis import GenesisSpec
from govchain_node.keys import Account
from govchain_node.rpc.qbft_methods import QbftMethods
from govchain_node.storage import MemoryKeyValueStore

V0, V1, V2, V3 = sorted(Account.from_private_key(bytes([i]) * 32).address for i in range(1, 5))
OUTSIDER = Account.from_private_key(b"\x09" * 32).address
EPOCH = 6


@pytest.fixture
def ledger() -> Ledger:
    genesis = GenesisSpec(
        chain_id=1337,
        timestamp=1_700_000_000,
        gas_limit=30_000_000,
        validators=(V0, V1, V2, V3),
        allow_list=(),
        alloc={},
        epoch_length=EPOCH,
    )
    return Ledger(MemoryKeyValueStore(), genesis)


def history_of(ledger: Ledger) -> ValidatorHistory:
    genesis = ledger.genesis
    return ValidatorHistory(ledger.header_by_number, genesis.validators, genesis.epoch_length)


def append(ledger: Ledger, history: ValidatorHistory, proposer: bytes, vote: Vote | None) -> None:
    """Commit the next block as the driver builds it: the tally's set, one vote."""
    number = ledger.head.block_number + 1
    validators = history.validators_for(number)
    extra = ExtraData(bytes(VANITY_LENGTH), validators, vote, 0, ())
    built = ledger.build_block(
        [], timestamp=ledger.head.timestamp + 1, coinbase=proposer, extra=extra
    )
    ledger.commit_block(built, ())


def test_a_majority_of_add_votes_admits_a_validator_from_the_next_block(ledger: Ledger) -> None:
    history = history_of(ledger)
    for proposer in (V0, V1):
        append(ledger, history, proposer, Vote(OUTSIDER, True))
    assert history.tally_after(2).validators == (V0, V1, V2, V3)  # 2 of 4 is not > 50 %
    assert history.tally_after(2).pending_for(OUTSIDER, True) == 2
    append(ledger, history, V2, Vote(OUTSIDER, True))
    assert history.validators_for(3) == (V0, V1, V2, V3)
    assert history.validators_for(4) == tuple(sorted((V0, V1, V2, V3, OUTSIDER)))
    assert history.tally_after(3).votes == {}


def test_votes_of_non_validators_and_repeated_votes_do_not_count(ledger: Ledger) -> None:
    history = history_of(ledger)
    append(ledger, history, V0, Vote(OUTSIDER, True))
    append(ledger, history, V0, Vote(OUTSIDER, True))  # the same voter again
    append(ledger, history, OUTSIDER, Vote(OUTSIDER, True))  # not a validator
    assert history.tally_after(3).pending_for(OUTSIDER, True) == 1
    assert OUTSIDER not in history.validators_for(4)


def test_an_epoch_block_drops_pending_votes(ledger: Ledger) -> None:
    history = history_of(ledger)
    proposers = [V0, V1, V2, V3, V0]
    for proposer in proposers[:2]:
        append(ledger, history, proposer, Vote(V3, False))
    for proposer in proposers[2:]:
        append(ledger, history, proposer, None)
    append(ledger, history, V1, None)  # block 6: the epoch block
    assert history.tally_after(5).pending_for(V3, False) == 2
    assert history.tally_after(6).votes == {}
    append(ledger, history, V2, Vote(V3, False))  # would have been the third vote
    assert history.validators_for(8) == (V0, V1, V2, V3)


def test_a_fresh_history_replays_the_chain_to_the_same_tallies(ledger: Ledger) -> None:
    history = history_of(ledger)
    script: list[tuple[bytes, Vote | None]] = [
        (V0, Vote(OUTSIDER, True)),
        (V1, Vote(OUTSIDER, True)),
        (V2, Vote(OUTSIDER, True)),  # OUTSIDER in from block 4
        (V3, Vote(V0, False)),
        (OUTSIDER, Vote(V0, False)),
        (V1, None),  # epoch block 6: V0's two drop votes vanish
        (V2, Vote(V0, False)),
        (V3, Vote(V0, False)),
        (OUTSIDER, Vote(V0, False)),  # 3 of 5: V0 out from block 10
        (V1, None),
    ]
    for proposer, vote in script:
        append(ledger, history, proposer, vote)
    assert V0 in history.validators_for(9)
    assert history.validators_for(10) == tuple(sorted((V1, V2, V3, OUTSIDER)))
    warm = [history.tally_after(n) for n in range(len(script) + 1)]
    cold = history_of(ledger)
    assert [cold.tally_after(n) for n in reversed(range(len(script) + 1))] == warm[::-1]


def test_proposals_skip_votes_without_effect_and_take_turns() -> None:
    proposals = VoteProposals()
    tally = VoteTally((V0, V1, V2, V3))
    assert proposals.choose(tally, V0) is None
    proposals.propose(V1, True)  # already a validator: nothing to do
    assert proposals.choose(tally, V0) is None
    proposals.propose(OUTSIDER, True)
    proposals.propose(V3, False)
    chosen = {proposals.choose(tally, V0), proposals.choose(tally, V0)}
    assert chosen == {Vote(OUTSIDER, True), Vote(V3, False)}
    cast = VoteTally(tally.validators, {(V0, OUTSIDER): True})
    assert proposals.choose(cast, V0) == Vote(V3, False)  # ours is already counted
    assert proposals.choose(cast, V1) in {Vote(OUTSIDER, True), Vote(V3, False)}
    assert proposals.discard(V3) is True
    assert proposals.discard(V3) is False
    assert proposals.pending() == {V1: True, OUTSIDER: True}


def test_qbft_rpc_methods_report_votes_and_validators(ledger: Ledger) -> None:
    history = history_of(ledger)
    proposals = VoteProposals()
    rpc = QbftMethods(ledger, proposals).table
    outsider = "0x" + OUTSIDER.hex()
    assert rpc["qbft_proposeValidatorVote"]([outsider, True]) is True
    assert rpc["qbft_getPendingVotes"]([]) == {outsider: True}
    assert rpc["qbft_discardValidatorVote"]([outsider]) is True
    assert rpc["qbft_getPendingVotes"]([]) == {}
    for proposer in (V0, V1, V2):
        append(ledger, history, proposer, Vote(OUTSIDER, True))
    append(ledger, history, V3, None)
    original = ["0x" + v.hex() for v in (V0, V1, V2, V3)]
    grown = ["0x" + v.hex() for v in sorted((V0, V1, V2, V3, OUTSIDER))]
    assert rpc["qbft_getValidatorsByBlockNumber"](["0x3"]) == original
    assert rpc["qbft_getValidatorsByBlockNumber"](["latest"]) == grown
    assert rpc["qbft_getValidatorsByBlockNumber"](["earliest"]) == original
    assert rpc["qbft_getValidatorsByBlockNumber"](["0x63"]) is None
    head_hash = "0x" + ledger.head.hash.hex()
    assert rpc["qbft_getValidatorsByBlockHash"]([head_hash]) == grown
    assert rpc["qbft_getValidatorsByBlockHash"](["0x" + "00" * 32]) is None


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("qbft_proposeValidatorVote", ["0x1234", True]),
        ("qbft_proposeValidatorVote", ["0x" + "11" * 20, "yes"]),
        ("qbft_proposeValidatorVote", ["0x" + "11" * 20]),
        ("qbft_discardValidatorVote", []),
        ("qbft_getValidatorsByBlockNumber", ["3"]),
        ("qbft_getValidatorsByBlockHash", ["0x12"]),
        ("qbft_getPendingVotes", ["extra"]),
    ],
)
def test_bad_parameters_are_invalid_params(
    ledger: Ledger, method: str, params: list[object]
) -> None:
    with pytest.raises(RpcReplyError) as caught:
        QbftMethods(ledger, VoteProposals()).table[method](list(params))
    assert caught.value.code == -32602


def test_votes_are_refused_without_a_consortium(ledger: Ledger) -> None:
    rpc = QbftMethods(ledger, None).table
    with pytest.raises(RpcReplyError, match="consortium"):
        rpc["qbft_proposeValidatorVote"](["0x" + "11" * 20, True])
    assert rpc["qbft_getPendingVotes"]([]) == {}
    assert rpc["qbft_getValidatorsByBlockNumber"](["latest"]) == [
        "0x" + v.hex() for v in (V0, V1, V2, V3)
    ]
