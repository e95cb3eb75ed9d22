"""The committed artifacts: loadable without a compiler, built from the current sources
with the pinned solc, and in step with the Python enums."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak

from govchain_contracts import (
    CONTRACT_NAMES,
    ContractName,
    ProposalKind,
    ProposalStatus,
    State,
    build,
    decode_error,
    load,
    signature,
)
from govchain_contracts.errors import BuildError

SOURCES = Path(build.__file__).resolve().parents[1] / "src"


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_artifacts_load_without_a_compiler(name: ContractName) -> None:
    artifact = load(name)
    assert artifact.name == name
    assert b"solcC\x00\x08\x1e" in artifact.deployed_bytecode  # CBOR metadata: solc 0.8.30
    assert artifact.deployed_bytecode
    assert artifact.deployed_bytecode in artifact.bytecode
    assert artifact.compiler_version.startswith(build.SOLC_VERSION + "+")
    assert artifact.settings["evmVersion"] == "prague"
    assert artifact.settings["optimizer"]["enabled"] is True
    assert json.loads(artifact.metadata)["settings"]["evmVersion"] == "prague"
    assert load(name) is artifact  # cached


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_artifacts_record_the_current_sources(name: ContractName) -> None:
    """Cheap staleness check that needs no Node: every source's SHA-256 matches."""
    current = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(SOURCES.glob("*.sol"))
    }
    assert dict(load(name).source_hashes) == current


def test_unknown_contract() -> None:
    with pytest.raises(KeyError, match="unknown contract"):
        load("Nope")


def test_abi_lookup_and_error_selectors() -> None:
    anchors = load("AnchorRegistry")
    entry = anchors.function("anchor")
    assert signature(entry) == "anchor(uint64,bytes32,uint64,bytes32[])"
    assert signature(anchors.event("Anchored")) == "Anchored(address,uint64,bytes32,uint64)"
    with pytest.raises(KeyError):
        anchors.function("nope")
    names = {spec.name for spec in anchors.errors.values()}
    assert names == {
        "NotActiveIssuer",
        "PrevSizeMismatch",
        "SizeNotIncreasing",
        "UnexpectedConsistencyProof",
        "InvalidConsistencyProof",
    }
    for selector, spec in anchors.errors.items():
        assert selector == keccak(text=f"{spec.name}({','.join(spec.arg_types)})")[:4]
    getter = load("IssuerRegistry").function("getIssuer")
    assert signature(getter) == "getIssuer(address)"
    assert getter["outputs"][0]["type"] == "tuple"


def test_decode_error() -> None:
    statuses = load("StatusRegistry")
    (selector,) = [s for s, e in statuses.errors.items() if e.name == "NotSuspended"]
    data = selector + encode(["bytes32", "uint8"], [b"\x01" * 32, 3])
    assert decode_error(data) == ("NotSuspended", (b"\x01" * 32, 3))
    assert decode_error(selector + b"\x00" * 5) is None  # truncated arguments
    assert decode_error(keccak(text="Error(string)")[:4] + encode(["string"], ["x"])) is None
    assert decode_error(b"") is None


def test_python_enums_match_the_solidity_enums() -> None:
    sources = {path.name: path.read_text() for path in SOURCES.glob("*.sol")}

    def members(source: str, enum: str) -> list[str]:
        body = sources[source].split(f"enum {enum} {{", 1)[1].split("}", 1)[0]
        return [word.strip() for word in body.split(",")]

    def python_names(enum: type[State | ProposalKind | ProposalStatus]) -> list[str]:
        return [m.name.replace("_", "").lower() for m in enum]

    assert python_names(State) == [m.lower() for m in members("StatusRegistry.sol", "State")]
    assert python_names(ProposalKind) == [
        m.lower() for m in members("IssuerRegistry.sol", "ProposalKind")
    ]
    assert python_names(ProposalStatus) == [
        m.lower() for m in members("IssuerRegistry.sol", "ProposalStatus")
    ]


def test_differing_artifacts_names_stale_missing_and_extra_files(tmp_path: Path) -> None:
    committed = build.ARTIFACT_DIR
    expected = {p.name: p.read_text() for p in committed.glob("*.json")}
    for name in expected:
        shutil.copy(committed / name, tmp_path / name)
    assert build.differing_artifacts(expected, tmp_path) == []
    (tmp_path / "AnchorRegistry.json").write_text("{}\n")
    (tmp_path / "StatusRegistry.json").unlink()
    (tmp_path / "Old.json").write_text("{}\n")
    assert build.differing_artifacts(expected, tmp_path) == [
        "AnchorRegistry.json",
        "Old.json",
        "StatusRegistry.json",
    ]
    build.write_artifacts(expected, tmp_path)
    assert build.differing_artifacts(expected, tmp_path) == []


@pytest.mark.npm
def test_committed_artifacts_match_a_fresh_build() -> None:
    """Recompile with the pinned solc-js; any difference means someone forgot
    `python -m govchain_contracts.build` (or the compiler/settings changed)."""
    fresh = build.build_artifacts()
    assert build.differing_artifacts(fresh) == []


@pytest.mark.npm
def test_compiler_errors_are_reported(tmp_path: Path) -> None:
    (tmp_path / "Broken.sol").write_text("pragma solidity 0.8.30; contract Broken { uint x = ; }")
    with pytest.raises(BuildError, match="ParserError"):
        build.build_artifacts(tmp_path)
