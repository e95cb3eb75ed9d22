"""StatusRegistry: transitions, history, events, and who may change a leaf."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govchain_contracts import State
from govchain_core.merkle import leaf_hash
from tests.integration.contracts.deploy import Deployment, deploy
from tests.integration.contracts.evm import Account, Chain, Contract, Receipt, RevertError, reverts

LEAF = leaf_hash(b'{"v":1,"kind":"certificate"}')
NEWER = leaf_hash(b'{"v":1,"kind":"certificate","supersedes":"..."}')
ZERO = b"\x00" * 32


def status(statuses: Contract, issuer: Account, leaf: bytes = LEAF) -> tuple[int, int, bytes, int]:
    result: tuple[int, int, bytes, int] = statuses.call("status", issuer.address, leaf)
    return result


def history(statuses: Contract, issuer: Account, leaf: bytes = LEAF) -> list[tuple[object, ...]]:
    count = statuses.call("historyCount", issuer.address, leaf)
    return [statuses.call("historyEntry", issuer.address, leaf, i) for i in range(count)]


def changed(statuses: Contract, receipt: Receipt) -> dict[str, object]:
    (event,) = statuses.events(receipt, "StatusChanged")
    return event.args


def test_untouched_leaf_is_valid(deployment: Deployment, issuer: Account) -> None:
    assert status(deployment.statuses, issuer) == (State.VALID, 0, ZERO, 0)
    assert deployment.statuses.call("historyCount", issuer.address, LEAF) == 0
    with reverts("HistoryIndexOutOfRange") as caught:
        deployment.statuses.call("historyEntry", issuer.address, LEAF, 0)
    assert caught[0].arguments == (0, 0)


def test_suspend_and_reinstate(deployment: Deployment, issuer: Account) -> None:
    statuses = deployment.statuses
    suspended = statuses.transact("suspend", LEAF, 17, sender=issuer)
    assert changed(statuses, suspended) == {
        "issuer": issuer.checksum,
        "leafHash": LEAF,
        "state": State.SUSPENDED,
        "supersededBy": ZERO,
        "reason": 17,
    }
    assert status(statuses, issuer) == (State.SUSPENDED, suspended.timestamp, ZERO, 17)
    with reverts("AlreadySuspended") as caught:
        statuses.transact("suspend", LEAF, 18, sender=issuer)
    assert caught[0].arguments == (LEAF,)

    deployment.chain.advance(60)
    reinstated = statuses.transact("reinstate", LEAF, 2, sender=issuer)
    assert changed(statuses, reinstated)["state"] == State.VALID
    assert status(statuses, issuer) == (State.VALID, reinstated.timestamp, ZERO, 2)
    with reverts("NotSuspended") as caught:
        statuses.transact("reinstate", LEAF, 2, sender=issuer)
    assert caught[0].arguments == (LEAF, State.VALID)
    assert history(statuses, issuer) == [
        (State.SUSPENDED, suspended.timestamp, suspended.block_number, ZERO, 17),
        (State.VALID, reinstated.timestamp, reinstated.block_number, ZERO, 2),
    ]
    with reverts("HistoryIndexOutOfRange") as caught:
        statuses.call("historyEntry", issuer.address, LEAF, 2)
    assert caught[0].arguments == (2, 2)


def test_revocation_is_final(deployment: Deployment, issuer: Account) -> None:
    statuses = deployment.statuses
    statuses.transact("suspend", LEAF, 1, sender=issuer)
    revoked = statuses.transact("revoke", LEAF, 4_000_000_000, sender=issuer)
    assert changed(statuses, revoked)["state"] == State.REVOKED
    assert status(statuses, issuer) == (State.REVOKED, revoked.timestamp, ZERO, 4_000_000_000)
    attempts: list[tuple[str, tuple[object, ...]]] = [
        ("suspend", (LEAF, 1)),
        ("reinstate", (LEAF, 1)),
        ("revoke", (LEAF, 1)),
        ("supersede", (LEAF, NEWER, 1)),
    ]
    for function, args in attempts:
        with reverts("AlreadyRevoked") as caught:
            statuses.transact(function, *args, sender=issuer)
        assert caught[0].arguments == (LEAF,)
    assert statuses.call("historyCount", issuer.address, LEAF) == 2


def test_supersede(deployment: Deployment, issuer: Account) -> None:
    statuses = deployment.statuses
    receipt = statuses.transact("supersede", LEAF, NEWER, 9, sender=issuer)
    assert changed(statuses, receipt) == {
        "issuer": issuer.checksum,
        "leafHash": LEAF,
        "state": State.SUPERSEDED,
        "supersededBy": NEWER,
        "reason": 9,
    }
    assert status(statuses, issuer) == (State.SUPERSEDED, receipt.timestamp, NEWER, 9)
    for function, args in (("suspend", (LEAF, 1)), ("supersede", (LEAF, LEAF[::-1], 1))):
        with reverts("AlreadySuperseded") as caught:
            statuses.transact(function, *args, sender=issuer)
        assert caught[0].arguments == (LEAF, NEWER)
    with reverts("NotSuspended") as caught:
        statuses.transact("reinstate", LEAF, 1, sender=issuer)
    assert caught[0].arguments == (LEAF, State.SUPERSEDED)

    # A superseded leaf can still be revoked; its history keeps the pointer.
    revoked = statuses.transact("revoke", LEAF, 3, sender=issuer)
    assert status(statuses, issuer) == (State.REVOKED, revoked.timestamp, ZERO, 3)
    assert history(statuses, issuer) == [
        (State.SUPERSEDED, receipt.timestamp, receipt.block_number, NEWER, 9),
        (State.REVOKED, revoked.timestamp, revoked.block_number, ZERO, 3),
    ]
    assert status(statuses, issuer, NEWER) == (State.VALID, 0, ZERO, 0)


def test_supersede_a_suspended_leaf(deployment: Deployment, issuer: Account) -> None:
    deployment.statuses.transact("suspend", LEAF, 1, sender=issuer)
    deployment.statuses.transact("supersede", LEAF, NEWER, 2, sender=issuer)
    assert status(deployment.statuses, issuer)[0] == State.SUPERSEDED


@pytest.mark.parametrize("newer", [ZERO, LEAF])
def test_supersede_needs_another_leaf(
    deployment: Deployment, issuer: Account, newer: bytes
) -> None:
    with reverts("InvalidSupersedingLeaf") as caught:
        deployment.statuses.transact("supersede", LEAF, newer, 1, sender=issuer)
    assert caught[0].arguments == (newer,)


NEWEST = leaf_hash(b'{"v":1,"kind":"certificate","supersedes":"newer"}')


def test_supersession_cycles_are_refused(deployment: Deployment, issuer: Account) -> None:
    """A by B, then B by A; and A -> B -> C, then C by A: the edge closing a cycle
    always names a superseded successor."""
    statuses = deployment.statuses
    statuses.transact("supersede", LEAF, NEWER, 1, sender=issuer)
    with reverts("SuccessorNotCurrent") as caught:
        statuses.transact("supersede", NEWER, LEAF, 1, sender=issuer)
    assert caught[0].arguments == (LEAF, State.SUPERSEDED)
    statuses.transact("supersede", NEWER, NEWEST, 1, sender=issuer)
    with reverts("SuccessorNotCurrent"):
        statuses.transact("supersede", NEWEST, LEAF, 1, sender=issuer)
    assert status(statuses, issuer, NEWEST)[0] == State.VALID


def test_a_revoked_leaf_cannot_supersede(deployment: Deployment, issuer: Account) -> None:
    statuses = deployment.statuses
    statuses.transact("revoke", NEWER, 1, sender=issuer)
    with reverts("SuccessorNotCurrent") as caught:
        statuses.transact("supersede", LEAF, NEWER, 1, sender=issuer)
    assert caught[0].arguments == (NEWER, State.REVOKED)
    statuses.transact("suspend", NEWEST, 1, sender=issuer)  # a suspended one may
    statuses.transact("supersede", LEAF, NEWEST, 1, sender=issuer)
    assert status(statuses, issuer)[:3:2] == (State.SUPERSEDED, NEWEST)


def test_successors_are_read_in_the_caller_s_own_records(
    deployment: Deployment, issuer: Account
) -> None:
    """Another issuer's statuses of the same leaf hash do not bind this issuer."""
    other = deployment.chain.accounts[6]
    deployment.register_issuer(other)
    deployment.statuses.transact("revoke", NEWER, 1, sender=other)
    deployment.statuses.transact("supersede", LEAF, NEWER, 1, sender=issuer)
    assert status(deployment.statuses, issuer)[0] == State.SUPERSEDED


@pytest.mark.parametrize(
    ("function", "extra"),
    [("suspend", ()), ("reinstate", ()), ("revoke", ()), ("supersede", (NEWER,))],
)
def test_every_change_checks_leaf_and_caller(
    deployment: Deployment, issuer: Account, outsider: Account, function: str, extra: tuple[bytes]
) -> None:
    statuses = deployment.statuses
    with reverts("ZeroLeafHash"):
        statuses.transact(function, ZERO, *extra, 1, sender=issuer)
    with reverts("NotActiveIssuer") as caught:
        statuses.transact(function, LEAF, *extra, 1, sender=outsider)
    assert caught[0].arguments == (outsider.checksum,)


def test_inactive_issuer_cannot_change_status(deployment: Deployment) -> None:
    chain, expiring = deployment.chain, deployment.chain.accounts[6]
    deployment.register_issuer(expiring, valid_until=chain.now + 10)
    deployment.statuses.transact("suspend", LEAF, 1, sender=expiring)
    chain.advance(20)
    with reverts("NotActiveIssuer"):
        deployment.statuses.transact("reinstate", LEAF, 1, sender=expiring)
    assert status(deployment.statuses, expiring)[0] == State.SUSPENDED


def test_issuers_only_change_their_own_leaves(deployment: Deployment, issuer: Account) -> None:
    other = deployment.chain.accounts[6]
    deployment.register_issuer(other)
    deployment.statuses.transact("revoke", LEAF, 1, sender=other)
    assert status(deployment.statuses, other)[0] == State.REVOKED
    assert status(deployment.statuses, issuer) == (State.VALID, 0, ZERO, 0)
    deployment.statuses.transact("suspend", LEAF, 1, sender=issuer)  # unaffected by `other`
    assert status(deployment.statuses, issuer)[0] == State.SUSPENDED


def test_registry_address(deployment: Deployment) -> None:
    registry = deployment.statuses.call("registry")
    assert registry.lower() == "0x" + deployment.registry.address.hex()


# ---------------------------------------------------------------------- model check

OPERATIONS = ("suspend", "reinstate", "revoke", "supersede")
_leaf_counter = iter(range(1, 2**62))


@dataclass
class Model:
    """The transition table of the contract's NatSpec, in Python."""

    leaf: bytes
    state: State = State.VALID
    superseded_by: bytes = ZERO
    entries: list[tuple[State, bytes, int]] = field(default_factory=list)

    def expected_error(self, operation: str, newer: bytes) -> str | None:
        if operation == "supersede" and newer in (ZERO, self.leaf):
            return "InvalidSupersedingLeaf"  # arguments are checked before the state
        if self.state == State.REVOKED:
            return "AlreadyRevoked"
        if operation == "reinstate":
            return None if self.state == State.SUSPENDED else "NotSuspended"
        if operation in ("suspend", "supersede") and self.state == State.SUPERSEDED:
            return "AlreadySuperseded"
        if operation == "suspend" and self.state == State.SUSPENDED:
            return "AlreadySuspended"
        return None

    def apply(self, operation: str, newer: bytes, reason: int) -> None:
        self.state = {
            "suspend": State.SUSPENDED,
            "reinstate": State.VALID,
            "revoke": State.REVOKED,
            "supersede": State.SUPERSEDED,
        }[operation]
        self.superseded_by = newer if operation == "supersede" else ZERO
        self.entries.append((self.state, self.superseded_by, reason))


def revert_name(statuses: Contract, issuer: Account, function: str, *args: object) -> str | None:
    """Send the transaction; the custom error's name if it reverted, else None."""
    try:
        statuses.transact(function, *args, sender=issuer)
    except RevertError as exc:
        return exc.name
    return None


@pytest.fixture(scope="module")
def model_deployment() -> tuple[Deployment, Account]:
    d = deploy(Chain(account_count=6))
    issuer = d.chain.accounts[5]
    d.register_issuer(issuer)
    return d, issuer


@settings(max_examples=max(5, settings().max_examples // 16))
@given(
    st.lists(
        st.tuples(
            st.sampled_from(OPERATIONS),
            st.sampled_from(["newer", "zero", "self"]),
            st.integers(min_value=0, max_value=2**32 - 1),
        ),
        max_size=6,
    )
)
def test_random_operation_sequences_follow_the_model(
    model_deployment: tuple[Deployment, Account], operations: list[tuple[str, str, int]]
) -> None:
    """Each example works on a leaf of its own, so one deployment serves them all."""
    d, issuer = model_deployment
    leaf = leaf_hash(next(_leaf_counter).to_bytes(8, "big"))
    model = Model(leaf)
    for operation, which, reason in operations:
        newer = {"newer": NEWER, "zero": ZERO, "self": leaf}[which]
        args = (leaf, newer, reason) if operation == "supersede" else (leaf, reason)
        expected = model.expected_error(operation, newer)
        assert revert_name(d.statuses, issuer, operation, *args) == expected, model.state
        if expected is None:
            model.apply(operation, newer, reason)
    state, _, superseded_by, reason = status(d.statuses, issuer, leaf)
    assert (state, superseded_by) == (model.state, model.superseded_by)
    assert reason == (model.entries[-1][2] if model.entries else 0)
    assert [(e[0], e[3], e[4]) for e in history(d.statuses, issuer, leaf)] == model.entries
