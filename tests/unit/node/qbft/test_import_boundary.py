"""The consensus core imports neither py-evm, nor sockets/asyncio/clocks, nor the node.

The rule is the import-linter contract "The QBFT consensus core is pure" in
``pyproject.toml``, enforced by ``lint-imports`` (lazy imports inside functions included).
These tests check that the contract covers the core and its pure neighbours and forbids
every other module of the node, so a module added later is forbidden, not allowed by omission.
"""

from __future__ import annotations

from tests.support.import_contracts import ROOT, forbidden_contract, submodules

NODE = ROOT / "node" / "govchain_node"
CONSENSUS = NODE / "consensus"
#: The pure modules beside and below the core: the vote tally, the byte codecs (RLP, header
#: extraData), signing and hashing.
PURE = {
    "govchain_node.consensus.qbft",
    "govchain_node.consensus.voting",
    "govchain_node.codec",
    "govchain_node.signing",
}
#: What the pure modules may import from the node besides each other.
SHARED = {"govchain_node.errors", "govchain_node.consensus"}
NO_IO = {"eth", "web3", "asyncio", "socket", "ssl", "selectors", "threading", "time"}


def test_the_package_exists_with_its_modules() -> None:
    names = {p.stem for p in (CONSENSUS / "qbft").glob("*.py")}
    assert {"core", "messages", "encoding", "validators"} <= names
    assert (CONSENSUS / "voting.py").is_file()
    assert (NODE / "signing.py").is_file()
    assert {"extra_data", "strict_rlp", "errors"} <= {p.stem for p in (NODE / "codec").glob("*.py")}


def test_the_contract_covers_the_core_and_its_pure_neighbours() -> None:
    contract = forbidden_contract("govchain_node.consensus.qbft")
    assert set(contract["source_modules"]) == PURE


def test_the_contract_forbids_evm_io_and_clocks() -> None:
    forbidden = set(forbidden_contract("govchain_node.consensus.qbft")["forbidden_modules"])
    assert forbidden >= NO_IO


def test_the_contract_forbids_every_other_module_of_the_node() -> None:
    forbidden = set(forbidden_contract("govchain_node.consensus.qbft")["forbidden_modules"])
    node = submodules(NODE, "govchain_node") | submodules(CONSENSUS, "govchain_node.consensus")
    others = node - PURE - SHARED
    assert "govchain_node.rpc" in others
    assert others - forbidden == set(), "add these to the contract's forbidden_modules"
    assert forbidden & (PURE | SHARED) == set()
