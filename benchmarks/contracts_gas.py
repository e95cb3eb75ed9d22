"""Contract gas report: ``python -m benchmarks.contracts_gas``.

Runs the committed artifacts on the in-memory py-evm (Prague) harness of the contract
tests and prints the gas of whole transactions (21,000 intrinsic and calldata
included), as a receipt's ``gasUsed`` shows it:

- ``anchor`` with a consistency proof for logs of 10^3, 10^6 and 10^9 leaves, from
  several earlier checkpoints: one leaf back, a typical batch back, half the log back,
  and from the size whose proof is longest;
- the first ``anchor`` of an issuer (no proof), status changes, issuer registration
  by vote, and the deployments.

Logs of 10^6 and 10^9 leaves are never built: in a log whose leaves are all equal,
every perfect subtree of height k has the same hash, so roots and proofs cost
O(log² n) hashes (``tests/integration/contracts/synthetic.py``). The contract cannot
tell: it hashes exactly what it would for any other log of that size.

Figures only, no assertions; the target is ≤ 100,000 gas per anchor.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from govchain_contracts import ContractName, Role, load
from tests.integration.contracts.deploy import Deployment, deploy
from tests.integration.contracts.evm import Account, Chain, Contract
from tests.integration.contracts.synthetic import UniformLog

TARGET = 100_000
LOG_SIZES = (10**3, 10**6, 10**9)
BATCH = 1_000


def earlier_sizes(size: int) -> Iterator[tuple[str, int]]:
    """Earlier checkpoints to prove consistency from, labelled."""
    yield "one leaf back", size - 1
    if size > BATCH:
        yield f"{BATCH:,} leaves back", size - BATCH
    yield "half the log back", size // 2 + 1
    yield "longest proof", longest_proof_from(size)


def longest_proof_from(size: int) -> int:
    """2^k - 1 below ``size``: old trees whose proof needs the most hashes."""
    return (1 << (size.bit_length() - 1)) - 1


def anchor_gas(chain: Chain, d: Deployment, issuer: Account, old: int, new: int) -> tuple[int, int]:
    """Gas of anchoring ``new`` after ``old`` on a fresh AnchorRegistry, and the proof length."""
    log = UniformLog()
    anchors = chain.deploy(load("AnchorRegistry"), d.registry.address)
    anchors.transact("anchor", old, log.root(old), 0, [], sender=issuer)
    proof = log.consistency_proof(old, new)
    receipt = anchors.transact("anchor", new, log.root(new), old, proof, sender=issuer)
    return receipt.gas_used, len(proof)


def print_anchor_table(chain: Chain, d: Deployment, issuer: Account) -> None:
    print(f"{'anchor with proof':<44}{'proof':>6}{'gas':>10}  target {TARGET:,}")
    for size in LOG_SIZES:
        for label, old in earlier_sizes(size):
            gas, length = anchor_gas(chain, d, issuer, old, size)
            verdict = "ok" if gas <= TARGET else f"+{gas - TARGET:,}"
            print(f"  {size:>13,} leaves, {label:<21}{length:>6}{gas:>10,}  {verdict}")


def deployment_gas(chain: Chain, d: Deployment) -> dict[str, int]:
    """Deploy each contract once more and read the gas from the receipt."""
    results: dict[str, int] = {}
    deployer = chain.accounts[0]
    constructor_args: dict[ContractName, tuple[object, ...]] = {
        "IssuerRegistry": ([m.address for m in d.members],),
        "AnchorRegistry": (d.registry.address,),
        "StatusRegistry": (d.registry.address,),
    }
    for name, args in constructor_args.items():
        chain.deploy(load(name), *args, sender=deployer)
        assert chain.last_receipt is not None
        results[name] = chain.last_receipt.gas_used
    return results


def other_operations(chain: Chain, d: Deployment, issuer: Account) -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = []
    log = UniformLog()
    anchors = chain.deploy(load("AnchorRegistry"), d.registry.address)
    rows.append(
        ("anchor, first checkpoint (no proof)", first_anchor(anchors, issuer, log.root(1000)))
    )
    statuses = d.statuses
    leaf, newer = log.root(1), log.root(2)
    for function, args in (
        ("suspend", (leaf, 1)),
        ("reinstate", (leaf, 2)),
        ("supersede", (leaf, newer, 3)),
        ("revoke", (leaf, 4)),
        ("revoke", (newer, 4)),
    ):
        gas = statuses.transact(function, *args, sender=issuer).gas_used
        rows.append((f"status: {function} ({history_note(statuses, issuer, args[0])})", gas))
    newcomer = chain.accounts[7]
    propose = d.registry.transact(
        "proposeSetIssuer",
        newcomer.address,
        "Stadt Köln, Straßenverkehrsamt",
        "05315000",
        Role.CERTIFICATE | Role.IOT,
        0,
        0,
        sender=d.members[0],
    )
    proposal = d.registry.call("proposalCount")
    vote = d.registry.transact("vote", proposal, sender=d.members[1])
    rows.append(("register issuer: proposeSetIssuer (3 members)", propose.gas_used))
    rows.append(("register issuer: deciding vote (executes)", vote.gas_used))
    return rows


def first_anchor(anchors: Contract, issuer: Account, root: bytes) -> int:
    return anchors.transact("anchor", 1000, root, 0, [], sender=issuer).gas_used


def history_note(statuses: Contract, issuer: Account, leaf: bytes) -> str:
    count = statuses.call("historyCount", issuer.address, leaf)
    return "first change" if count == 1 else f"change #{count}"


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    chain = Chain()
    d = deploy(chain)
    issuer = chain.accounts[5]
    d.register_issuer(issuer)
    print("govchain contracts, gas per transaction (py-evm 0.12, Prague)\n")
    print_anchor_table(chain, d, issuer)
    print()
    for label, gas in other_operations(chain, d, issuer):
        print(f"  {label:<50}{gas:>10,}")
    print()
    for name, gas in deployment_gas(chain, d).items():
        print(f"  {'deploy ' + name:<50}{gas:>10,}")


if __name__ == "__main__":
    main()
