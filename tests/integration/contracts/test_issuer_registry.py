"""IssuerRegistry: membership governance, issuer records, roles and validity."""

from __future__ import annotations

from typing import Any

import pytest

from govchain_contracts import ProposalKind, ProposalStatus, Role, load
from tests.integration.contracts.deploy import AGS_KOELN, Deployment, deploy
from tests.integration.contracts.evm import Account, Chain, Contract, Receipt, reverts

ISSUER_FIELDS = (
    "name",
    "ags",
    "roles",
    "validFrom",
    "validUntil",
    "active",
    "registeredAt",
    "removedAt",
)
PROPOSAL_FIELDS = (
    "kind",
    "status",
    "target",
    "proposer",
    "createdAt",
    "votes",
    "name",
    "ags",
    "roles",
    "validFrom",
    "validUntil",
)


def issuer_info(registry: Contract, account: Account) -> dict[str, Any]:
    return dict(zip(ISSUER_FIELDS, registry.call("getIssuer", account.address), strict=True))


def proposal_info(registry: Contract, proposal: int) -> dict[str, Any]:
    return dict(zip(PROPOSAL_FIELDS, registry.call("getProposal", proposal), strict=True))


def proposal_id(registry: Contract, receipt: Receipt) -> int:
    (created,) = registry.events(receipt, "ProposalCreated")
    return int(created.args["id"])


def propose_issuer(
    registry: Contract,
    proposer: Account,
    issuer: Account,
    *,
    name: str = "Kreis Mettmann, Straßenverkehrsamt",
    ags: str = "05158000",
    roles: int = Role.CERTIFICATE,
    valid_from: int = 0,
    valid_until: int = 0,
) -> int:
    receipt = registry.transact(
        "proposeSetIssuer",
        issuer.address,
        name,
        ags,
        roles,
        valid_from,
        valid_until,
        sender=proposer,
    )
    return proposal_id(registry, receipt)


def add_member(d: Deployment, account: Account) -> None:
    """Add a member with votes of a bare majority of the current members."""
    members = [m for m in d.chain.accounts if d.registry.call("isMember", m.address)]
    receipt = d.registry.transact("proposeAddMember", account.address, sender=members[0])
    proposal = proposal_id(d.registry, receipt)
    for voter in members[1 : len(members) // 2 + 1]:
        d.registry.transact("vote", proposal, sender=voter)
    assert d.registry.call("isMember", account.address)


# ---------------------------------------------------------------------- constructor


def test_constructor_sets_initial_members(deployment: Deployment) -> None:
    registry = deployment.registry
    assert registry.call("members") == [m.checksum for m in deployment.members]
    assert registry.call("memberCount") == 3
    assert all(registry.call("isMember", m.address) for m in deployment.members)
    assert not registry.call("isMember", deployment.chain.accounts[3].address)
    assert registry.call("proposalCount") == 0
    assert registry.call("issuers") == []


@pytest.mark.parametrize(
    ("members", "error"),
    [
        ([], "EmptyMemberSet"),
        ([b"\x00" * 20], "ZeroAddress"),
        (["a0", "a1", "a0"], "AlreadyMember"),
    ],
)
def test_constructor_rejects_bad_member_sets(chain: Chain, members: list[Any], error: str) -> None:
    addresses = [chain.accounts[int(m[1])].address if isinstance(m, str) else m for m in members]
    with reverts(error):
        chain.deploy(load("IssuerRegistry"), addresses)


def test_role_constants_match_python_enum(deployment: Deployment) -> None:
    registry = deployment.registry
    for role in Role:
        assert registry.call(f"ROLE_{role.name}") == role.value
    assert registry.call("ALL_ROLES") == sum(Role)


# ---------------------------------------------------------------------- voting


def test_proposal_executes_on_strict_majority(deployment: Deployment) -> None:
    registry, (a, b, _) = deployment.registry, deployment.members
    newcomer = deployment.chain.accounts[3]
    receipt = registry.transact("proposeAddMember", newcomer.address, sender=a)
    proposal = proposal_id(registry, receipt)
    assert proposal == 1
    created = registry.events(receipt, "ProposalCreated")[0].args
    assert created["kind"] == ProposalKind.ADD_MEMBER
    assert created["target"] == newcomer.checksum
    assert created["proposer"] == a.checksum
    vote = registry.events(receipt, "VoteCast")[0].args
    assert (vote["votes"], vote["memberCount"]) == (1, 3)
    assert proposal_info(registry, proposal)["status"] == ProposalStatus.OPEN
    assert not registry.call("isMember", newcomer.address)

    receipt = registry.transact("vote", proposal, sender=b)
    assert [e.name for e in registry.events(receipt)] == [
        "VoteCast",
        "MemberAdded",
        "ProposalExecuted",
    ]
    assert registry.call("isMember", newcomer.address)
    assert registry.call("memberCount") == 4
    info = proposal_info(registry, proposal)
    assert info["status"] == ProposalStatus.EXECUTED
    assert info["votes"] == 2


def test_single_member_executes_its_own_proposal_at_once(chain: Chain) -> None:
    d = deploy(chain, member_count=1)
    receipt = d.registry.transact(
        "proposeAddMember", chain.accounts[1].address, sender=d.members[0]
    )
    assert [e.name for e in d.registry.events(receipt)][-1] == "ProposalExecuted"
    assert d.registry.call("memberCount") == 2


def test_tie_does_not_execute(deployment: Deployment) -> None:
    add_member(deployment, deployment.chain.accounts[3])
    registry = deployment.registry
    a, b, c = deployment.members
    proposal = propose_issuer(registry, a, deployment.chain.accounts[6])
    registry.transact("vote", proposal, sender=b)  # 2 of 4: a tie is no majority
    assert proposal_info(registry, proposal)["status"] == ProposalStatus.OPEN
    assert proposal_info(registry, proposal)["votes"] == 2
    with reverts("MajorityNotReached") as caught:
        registry.transact("execute", proposal, sender=a)
    assert caught[0].arguments == (proposal, 2, 4)
    registry.transact("vote", proposal, sender=c)
    assert proposal_info(registry, proposal)["status"] == ProposalStatus.EXECUTED
    assert registry.call("isActive", deployment.chain.accounts[6].address)


def test_double_votes_are_rejected(deployment: Deployment) -> None:
    registry, (a, b, _) = deployment.registry, deployment.members
    add_member(deployment, deployment.chain.accounts[3])
    proposal = propose_issuer(registry, a, deployment.chain.accounts[6])
    with reverts("AlreadyVoted") as caught:
        registry.transact("vote", proposal, sender=a)  # the proposer voted by proposing
    assert caught[0].arguments == (proposal, a.checksum)
    registry.transact("vote", proposal, sender=b)
    with reverts("AlreadyVoted"):
        registry.transact("vote", proposal, sender=b)
    assert registry.call("hasVoted", proposal, b.address)
    assert not registry.call("hasVoted", proposal, deployment.members[2].address)


def test_outsiders_cannot_take_part(deployment: Deployment, outsider: Account) -> None:
    registry = deployment.registry
    proposal = propose_issuer(registry, deployment.members[0], deployment.chain.accounts[6])
    calls: list[tuple[str, tuple[Any, ...]]] = [
        ("proposeAddMember", (outsider.address,)),
        ("proposeRemoveMember", (deployment.members[0].address,)),
        ("proposeSetIssuer", (outsider.address, "X", AGS_KOELN, 1, 0, 0)),
        ("proposeRemoveIssuer", (outsider.address,)),
        ("proposeChangeRoles", (outsider.address, 1)),
        ("vote", (proposal,)),
        ("execute", (proposal,)),
        ("cancel", (proposal,)),
    ]
    for function, args in calls:
        with reverts("NotMember") as caught:
            registry.transact(function, *args, sender=outsider)
        assert caught[0].arguments == (outsider.checksum,)


def test_unknown_and_closed_proposals(deployment: Deployment) -> None:
    registry, (a, b, _) = deployment.registry, deployment.members
    for function in ("vote", "execute", "cancel"):
        with reverts("UnknownProposal"):
            registry.transact(function, 7, sender=a)
    with reverts("UnknownProposal"):
        registry.call("getProposal", 7)
    with reverts("UnknownProposal"):
        registry.call("getProposal", 0)

    executed = propose_issuer(registry, a, deployment.chain.accounts[6])
    registry.transact("vote", executed, sender=b)
    cancelled = propose_issuer(registry, a, deployment.chain.accounts[7])
    registry.transact("cancel", cancelled, sender=a)
    for proposal, status in (
        (executed, ProposalStatus.EXECUTED),
        (cancelled, ProposalStatus.CANCELLED),
    ):
        for function in ("vote", "execute", "cancel"):
            with reverts("ProposalNotOpen") as caught:
                registry.transact(function, proposal, sender=deployment.members[2])
            assert caught[0].arguments == (proposal, status)


def test_cancel_is_for_the_proposer_only(deployment: Deployment) -> None:
    registry, (a, b, c) = deployment.registry, deployment.members
    proposal = propose_issuer(registry, a, deployment.chain.accounts[6])
    with reverts("NotProposer") as caught:
        registry.transact("cancel", proposal, sender=b)
    assert caught[0].arguments == (proposal, b.checksum)
    receipt = registry.transact("cancel", proposal, sender=a)
    assert [e.name for e in registry.events(receipt)] == ["ProposalCancelled"]
    assert proposal_info(registry, proposal)["status"] == ProposalStatus.CANCELLED
    assert not registry.call("isActive", deployment.chain.accounts[6].address)
    with reverts("ProposalNotOpen"):
        registry.transact("vote", proposal, sender=c)


def test_orphaned_proposals_can_be_cancelled_by_any_member(deployment: Deployment) -> None:
    registry, (a, b, c) = deployment.registry, deployment.members
    orphan = propose_issuer(registry, a, deployment.chain.accounts[6])
    removal = proposal_id(registry, registry.transact("proposeRemoveMember", a.address, sender=b))
    with reverts("NotProposer"):
        registry.transact("cancel", orphan, sender=c)  # a is still a member
    registry.transact("vote", removal, sender=c)
    receipt = registry.transact("cancel", orphan, sender=c)
    assert registry.events(receipt, "ProposalCancelled")
    assert proposal_info(registry, orphan)["status"] == ProposalStatus.CANCELLED


def test_removing_a_non_voter_lets_an_open_proposal_pass(deployment: Deployment) -> None:
    """4 members, 2 votes (tie); removing a member who did not vote makes 2 of 3."""
    chain, registry = deployment.chain, deployment.registry
    add_member(deployment, chain.accounts[3])
    a, b, c = deployment.members
    d = chain.accounts[3]
    pending = propose_issuer(registry, a, chain.accounts[6])
    registry.transact("vote", pending, sender=b)

    removal = proposal_id(registry, registry.transact("proposeRemoveMember", c.address, sender=a))
    registry.transact("vote", removal, sender=b)
    receipt = registry.transact("vote", removal, sender=d)
    assert [e.name for e in registry.events(receipt)][-2:] == ["MemberRemoved", "ProposalExecuted"]
    assert registry.call("members") == [a.checksum, b.checksum, d.checksum]

    assert proposal_info(registry, pending)["votes"] == 2
    assert proposal_info(registry, pending)["status"] == ProposalStatus.OPEN
    receipt = registry.transact("execute", pending, sender=d)
    assert [e.name for e in registry.events(receipt)] == ["IssuerRegistered", "ProposalExecuted"]
    assert registry.call("isActive", chain.accounts[6].address)


def test_votes_of_removed_members_stop_counting(deployment: Deployment) -> None:
    chain, registry = deployment.chain, deployment.registry
    add_member(deployment, chain.accounts[3])
    add_member(deployment, chain.accounts[4])
    a, b, c = deployment.members
    d, e = chain.accounts[3], chain.accounts[4]
    pending = propose_issuer(registry, a, chain.accounts[6])
    registry.transact("vote", pending, sender=b)  # 2 of 5
    removal = proposal_id(registry, registry.transact("proposeRemoveMember", b.address, sender=c))
    registry.transact("vote", removal, sender=d)
    registry.transact("vote", removal, sender=e)  # 3 of 5: b is out
    assert not registry.call("isMember", b.address)
    assert proposal_info(registry, pending)["votes"] == 1  # only a's vote counts now
    assert not registry.call("hasVoted", pending, b.address)
    with reverts("MajorityNotReached") as caught:
        registry.transact("execute", pending, sender=a)
    assert caught[0].arguments == (pending, 1, 4)
    with reverts("NotMember"):
        registry.transact("vote", pending, sender=b)

    # b comes back: its old vote stays void, but it may vote again in its new term.
    add_member(deployment, b)
    assert proposal_info(registry, pending)["votes"] == 1
    registry.transact("vote", pending, sender=b)
    registry.transact("vote", pending, sender=c)  # 3 of 5
    assert proposal_info(registry, pending)["status"] == ProposalStatus.EXECUTED


def test_member_removal_rules(chain: Chain) -> None:
    d = deploy(chain, member_count=1)
    (only,) = d.members
    with reverts("CannotRemoveLastMember"):
        d.registry.transact("proposeRemoveMember", only.address, sender=only)
    with reverts("NotMember") as caught:
        d.registry.transact("proposeRemoveMember", chain.accounts[1].address, sender=only)
    assert caught[0].arguments == (chain.accounts[1].checksum,)
    with reverts("AlreadyMember"):
        d.registry.transact("proposeAddMember", only.address, sender=only)
    with reverts("ZeroAddress"):
        d.registry.transact("proposeAddMember", b"\x00" * 20, sender=only)


def test_last_member_is_kept_at_execution_too(chain: Chain) -> None:
    """Two crossing removals: once one passes, the other would empty the consortium."""
    d = deploy(chain, member_count=2)
    a, b = d.members
    remove_a = proposal_id(
        d.registry, d.registry.transact("proposeRemoveMember", a.address, sender=a)
    )
    remove_b = proposal_id(
        d.registry, d.registry.transact("proposeRemoveMember", b.address, sender=b)
    )
    d.registry.transact("vote", remove_b, sender=a)  # 2 of 2: b leaves
    assert proposal_info(d.registry, remove_a)["votes"] == 1  # a's vote: 1 of 1
    with reverts("CannotRemoveLastMember"):
        d.registry.transact("execute", remove_a, sender=a)
    assert d.registry.call("members") == [a.checksum]


def test_a_member_can_vote_to_remove_itself(deployment: Deployment) -> None:
    registry, (a, b, c) = deployment.registry, deployment.members
    removal = proposal_id(registry, registry.transact("proposeRemoveMember", a.address, sender=a))
    registry.transact("vote", removal, sender=b)
    assert registry.call("members") == [c.checksum, b.checksum]  # swap-and-pop
    with reverts("NotMember"):
        registry.transact("proposeAddMember", a.address, sender=a)


def test_execution_rechecks_the_action(deployment: Deployment) -> None:
    """Two proposals for the same member: the second can no longer be applied."""
    registry, (a, b, c) = deployment.registry, deployment.members
    newcomer = deployment.chain.accounts[3]
    first = proposal_id(registry, registry.transact("proposeAddMember", newcomer.address, sender=a))
    second = proposal_id(
        registry, registry.transact("proposeAddMember", newcomer.address, sender=b)
    )
    registry.transact("vote", first, sender=c)  # 2 of 3: newcomer added, 4 members now
    registry.transact("vote", second, sender=c)  # 2 of 4: no majority yet
    with reverts("AlreadyMember"):
        registry.transact("vote", second, sender=a)  # 3 of 4: the action fails
    assert proposal_info(registry, second)["status"] == ProposalStatus.OPEN
    assert not registry.call("hasVoted", second, a.address)
    registry.transact("cancel", second, sender=b)


# ---------------------------------------------------------------------- issuers


def test_register_issuer(deployment: Deployment) -> None:
    chain, registry, (a, b, _) = deployment.chain, deployment.registry, deployment.members
    issuer = chain.accounts[6]
    until = chain.now + 1000
    proposal = propose_issuer(
        registry, a, issuer, roles=Role.CERTIFICATE | Role.IOT, valid_until=until
    )
    info = proposal_info(registry, proposal)
    assert info["kind"] == ProposalKind.SET_ISSUER
    assert info["target"] == issuer.checksum
    assert info["proposer"] == a.checksum
    assert (info["name"], info["ags"]) == ("Kreis Mettmann, Straßenverkehrsamt", "05158000")
    assert info["roles"] == Role.CERTIFICATE | Role.IOT
    assert issuer_info(registry, issuer)["registeredAt"] == 0
    assert not registry.call("isActive", issuer.address)

    receipt = registry.transact("vote", proposal, sender=b)
    (registered,) = registry.events(receipt, "IssuerRegistered")
    assert registered.args == {
        "issuer": issuer.checksum,
        "name": "Kreis Mettmann, Straßenverkehrsamt",
        "ags": "05158000",
        "roles": Role.CERTIFICATE | Role.IOT,
        "validFrom": 0,
        "validUntil": until,
    }
    assert issuer_info(registry, issuer) == {
        "name": "Kreis Mettmann, Straßenverkehrsamt",
        "ags": "05158000",
        "roles": Role.CERTIFICATE | Role.IOT,
        "validFrom": 0,
        "validUntil": until,
        "active": True,
        "registeredAt": receipt.timestamp,
        "removedAt": 0,
    }
    assert registry.call("issuers") == [issuer.checksum]


def test_update_issuer_keeps_registration_time(deployment: Deployment, issuer: Account) -> None:
    registry, (a, b, _) = deployment.registry, deployment.members
    registered_at = issuer_info(registry, issuer)["registeredAt"]
    deployment.chain.advance(100)
    proposal = propose_issuer(registry, a, issuer, name="Stadt Köln", ags="053150000000", roles=8)
    receipt = registry.transact("vote", proposal, sender=b)
    assert [e.name for e in registry.events(receipt)] == [
        "VoteCast",
        "IssuerUpdated",
        "ProposalExecuted",
    ]
    info = issuer_info(registry, issuer)
    assert (info["name"], info["ags"], info["roles"]) == ("Stadt Köln", "053150000000", 8)
    assert info["registeredAt"] == registered_at
    assert registry.call("issuers") == [issuer.checksum]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"roles": 0}, "InvalidRoles"),
        ({"roles": 16}, "InvalidRoles"),
        ({"roles": 0x81}, "InvalidRoles"),
        ({"valid_from": 200, "valid_until": 199}, "InvalidValidity"),
        ({"name": ""}, "InvalidName"),
        ({"name": "x" * 129}, "InvalidName"),
        ({"name": "ä" * 65}, "InvalidName"),  # 130 bytes of UTF-8
        ({"ags": ""}, "InvalidAgs"),
        ({"ags": "0531500"}, "InvalidAgs"),
        ({"ags": "053150000"}, "InvalidAgs"),
        ({"ags": "0531500a"}, "InvalidAgs"),
        ({"ags": "05315 00"}, "InvalidAgs"),
        ({"ags": "05315000000/"}, "InvalidAgs"),
        ({"ags": "0531500:"}, "InvalidAgs"),
    ],
)
def test_set_issuer_rejects_invalid_records(
    deployment: Deployment, overrides: dict[str, Any], error: str
) -> None:
    with reverts(error):
        propose_issuer(
            deployment.registry, deployment.members[0], deployment.chain.accounts[6], **overrides
        )
    assert deployment.registry.call("proposalCount") == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "x" * 128},
        {"name": "ä" * 64},
        {"ags": "099999999999"},
        {"valid_from": 200, "valid_until": 200},
        {"roles": 15},
    ],
)
def test_set_issuer_accepts_boundary_records(
    deployment: Deployment, overrides: dict[str, Any]
) -> None:
    propose_issuer(
        deployment.registry, deployment.members[0], deployment.chain.accounts[6], **overrides
    )
    assert deployment.registry.call("proposalCount") == 1


def test_set_issuer_rejects_zero_address(deployment: Deployment) -> None:
    with reverts("ZeroAddress"):
        deployment.registry.transact(
            "proposeSetIssuer", b"\x00" * 20, "X", AGS_KOELN, 1, 0, 0, sender=deployment.members[0]
        )


def test_validity_window_is_inclusive(deployment: Deployment) -> None:
    chain, registry = deployment.chain, deployment.registry
    issuer = chain.accounts[6]
    start, end = chain.now + 100, chain.now + 200
    deployment.register_issuer(issuer, valid_from=start, valid_until=end)
    assert issuer_info(registry, issuer)["registeredAt"] != 0
    for now, active in ((start - 1, False), (start, True), (end, True), (end + 1, False)):
        chain.set_time(now)
        assert registry.call("isActive", issuer.address) is active
        assert registry.call("hasRole", issuer.address, Role.CERTIFICATE) is active
        assert issuer_info(registry, issuer)["active"] is active


def test_has_role(deployment: Deployment) -> None:
    registry, issuer = deployment.registry, deployment.chain.accounts[6]
    deployment.register_issuer(issuer, roles=Role.REGISTER | Role.DATASET)
    expected = {
        0: False,
        Role.CERTIFICATE: False,
        Role.REGISTER: True,
        Role.IOT: False,
        Role.DATASET: True,
        Role.REGISTER | Role.DATASET: True,
        Role.REGISTER | Role.IOT: False,
    }
    for role, held in expected.items():
        assert registry.call("hasRole", issuer.address, role) is held
    assert not registry.call("hasRole", deployment.chain.accounts[7].address, Role.REGISTER)


def test_change_roles(deployment: Deployment, issuer: Account) -> None:
    registry, (a, b, _) = deployment.registry, deployment.members
    proposal = proposal_id(
        registry, registry.transact("proposeChangeRoles", issuer.address, Role.IOT, sender=a)
    )
    assert proposal_info(registry, proposal)["kind"] == ProposalKind.CHANGE_ROLES
    receipt = registry.transact("vote", proposal, sender=b)
    (changed,) = registry.events(receipt, "RolesChanged")
    assert changed.args == {
        "issuer": issuer.checksum,
        "previousRoles": Role.CERTIFICATE | Role.REGISTER,
        "roles": Role.IOT,
    }
    assert registry.call("hasRole", issuer.address, Role.IOT)
    assert not registry.call("hasRole", issuer.address, Role.CERTIFICATE)
    with reverts("RolesUnchanged") as caught:
        registry.transact("proposeChangeRoles", issuer.address, Role.IOT, sender=a)
    assert caught[0].arguments == (issuer.checksum, Role.IOT)
    with reverts("InvalidRoles"):
        registry.transact("proposeChangeRoles", issuer.address, 0, sender=a)
    with reverts("IssuerNotRegistered"):
        registry.transact("proposeChangeRoles", deployment.chain.accounts[7].address, 1, sender=a)


def test_remove_and_register_again(deployment: Deployment, issuer: Account) -> None:
    chain, registry, (a, b, _) = deployment.chain, deployment.registry, deployment.members
    first_registration = issuer_info(registry, issuer)["registeredAt"]
    removal = proposal_id(
        registry, registry.transact("proposeRemoveIssuer", issuer.address, sender=a)
    )
    assert proposal_info(registry, removal)["kind"] == ProposalKind.REMOVE_ISSUER
    receipt = registry.transact("vote", removal, sender=b)
    assert [e.name for e in registry.events(receipt)][-2:] == ["IssuerRemoved", "ProposalExecuted"]
    info = issuer_info(registry, issuer)
    assert not info["active"]
    assert info["removedAt"] == receipt.timestamp
    assert info["registeredAt"] == first_registration
    assert info["name"]  # the record stays readable for old receipts
    assert not registry.call("isActive", issuer.address)
    assert not registry.call("hasRole", issuer.address, Role.CERTIFICATE)

    for function, args in (("proposeRemoveIssuer", ()), ("proposeChangeRoles", (Role.IOT,))):
        with reverts("IssuerNotRegistered"):
            registry.transact(function, issuer.address, *args, sender=a)

    chain.advance(50)
    proposal = propose_issuer(registry, a, issuer)
    receipt = registry.transact("vote", proposal, sender=b)
    assert registry.events(receipt, "IssuerRegistered")
    info = issuer_info(registry, issuer)
    assert info["active"]
    assert info["removedAt"] == 0
    assert info["registeredAt"] == receipt.timestamp > first_registration
    assert registry.call("issuers") == [issuer.checksum]


def test_remove_unknown_issuer(deployment: Deployment) -> None:
    with reverts("IssuerNotRegistered") as caught:
        deployment.registry.transact(
            "proposeRemoveIssuer",
            deployment.chain.accounts[7].address,
            sender=deployment.members[0],
        )
    assert caught[0].arguments == (deployment.chain.accounts[7].checksum,)


def test_unknown_issuer_reads_as_zero(deployment: Deployment) -> None:
    info = issuer_info(deployment.registry, deployment.chain.accounts[7])
    assert info == dict.fromkeys(ISSUER_FIELDS, 0) | {"name": "", "ags": "", "active": False}
    assert not deployment.registry.call("isActive", deployment.chain.accounts[7].address)


def test_issuer_list_keeps_registration_order(deployment: Deployment) -> None:
    accounts = deployment.chain.accounts[6:9]
    for account in accounts:
        deployment.register_issuer(account)
    assert deployment.registry.call("issuers") == [a.checksum for a in accounts]
