"""Rebuild the committed contract artifacts from ``contracts/src`` with the pinned solc.

    python -m govchain_contracts.build            # rewrite artifacts/*.json
    python -m govchain_contracts.build --check    # exit 1 if they differ from the sources

The compiler is the ``solc`` npm package pinned in the root ``package.json`` (solc-js,
run by ``contracts/compile.mjs`` under Node), because no native solc binary can be
downloaded where govchain is built. Every setting that influences the bytecode is
chosen here and recorded in each artifact together with the compiler version and the
SHA-256 of every source, so a reviewer can tell what an artifact was built from.

This module is a development tool: it needs a source checkout, Node and the npm
packages. The runtime loader (``govchain_contracts.load``) needs none of them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govchain_contracts.errors import BuildError

SOLC_VERSION = "0.8.30"
"""The solc release the artifacts must come from (solc-js reports it with a suffix)."""

EVM_VERSION = "prague"
"""The newest fork py-evm 0.12 executes; also solc 0.8.30's default, pinned explicitly."""

SETTINGS: dict[str, Any] = {
    "evmVersion": EVM_VERSION,
    "optimizer": {"enabled": True, "runs": 1000},
    "viaIR": False,
    "metadata": {"bytecodeHash": "ipfs"},
    "outputSelection": {
        "*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "metadata"]}
    },
}

CONTRACTS = ("AnchorRegistry", "IssuerRegistry", "StatusRegistry")
"""The deployable contracts; each gets ``artifacts/<name>.json``."""

PACKAGE_DIR = Path(__file__).resolve().parent
ARTIFACT_DIR = PACKAGE_DIR / "artifacts"
CONTRACTS_DIR = PACKAGE_DIR.parent
SOURCE_DIR = CONTRACTS_DIR / "src"
COMPILE_SCRIPT = CONTRACTS_DIR / "compile.mjs"


@dataclass(frozen=True)
class CompilerRun:
    """What one solc run produced."""

    version: str
    output: Mapping[str, Any]


def read_sources(source_dir: Path = SOURCE_DIR) -> dict[str, str]:
    """All ``*.sol`` files of ``source_dir`` by file name, sorted."""
    paths = sorted(source_dir.glob("*.sol"))
    if not paths:
        raise BuildError(f"no Solidity sources in {source_dir}")
    return {path.name: path.read_text(encoding="utf-8") for path in paths}


def source_hashes(sources: Mapping[str, str]) -> dict[str, str]:
    """SHA-256 (hex) of each source's UTF-8 bytes."""
    return {
        name: hashlib.sha256(text.encode("utf-8")).hexdigest()
        for name, text in sorted(sources.items())
    }


def standard_input(sources: Mapping[str, str]) -> dict[str, Any]:
    """The solc standard-JSON input compiling ``sources`` with ``SETTINGS``."""
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sorted(sources.items())},
        "settings": SETTINGS,
    }


def node_executable() -> str:
    """``$GOVCHAIN_NODE`` or the ``node`` on PATH."""
    node = os.environ.get("GOVCHAIN_NODE") or shutil.which("node")
    if not node:
        raise BuildError("Node.js is needed to run solc-js; set GOVCHAIN_NODE or PATH")
    return node


def run_solc(compiler_input: Mapping[str, Any]) -> CompilerRun:
    """Compile with solc-js through ``compile.mjs``; raise ``BuildError`` on any error."""
    completed = subprocess.run(
        [node_executable(), str(COMPILE_SCRIPT)],
        input=json.dumps(compiler_input),
        capture_output=True,
        text=True,
        check=False,
        cwd=CONTRACTS_DIR,
    )
    if completed.returncode != 0:
        raise BuildError(f"solc-js failed: {completed.stderr.strip()}")
    result = json.loads(completed.stdout)
    run = CompilerRun(version=result["version"], output=result["output"])
    if not run.version.startswith(SOLC_VERSION + "+"):
        raise BuildError(f"solc {run.version} found, {SOLC_VERSION} pinned (npm ci?)")
    problems = [d for d in run.output.get("errors", []) if d.get("severity") == "error"]
    if problems:
        raise BuildError("\n".join(d.get("formattedMessage", d["message"]) for d in problems))
    return run


def compiler_warnings(run: CompilerRun) -> list[str]:
    """Formatted warnings of a successful run."""
    return [
        d.get("formattedMessage", d["message"])
        for d in run.output.get("errors", [])
        if d.get("severity") != "error"
    ]


def render_artifacts(run: CompilerRun, sources: Mapping[str, str]) -> dict[str, str]:
    """Artifact file name -> file text (stable formatting, so diffs stay reviewable)."""
    hashes = source_hashes(sources)
    files: dict[str, str] = {}
    for name in CONTRACTS:
        source_name = f"{name}.sol"
        compiled = run.output["contracts"][source_name][name]
        artifact = {
            "contractName": name,
            "sourceName": source_name,
            "abi": compiled["abi"],
            "bytecode": "0x" + compiled["evm"]["bytecode"]["object"],
            "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
            "metadata": compiled["metadata"],
            "compiler": {"name": "solc-js", "version": run.version},
            "settings": SETTINGS,
            "sources": {source: {"sha256": digest} for source, digest in hashes.items()},
        }
        files[f"{name}.json"] = json.dumps(artifact, indent=2, sort_keys=True) + "\n"
    return files


def build_artifacts(source_dir: Path = SOURCE_DIR) -> dict[str, str]:
    """Compile the sources and return the artifact files they produce."""
    sources = read_sources(source_dir)
    run = run_solc(standard_input(sources))
    for warning in compiler_warnings(run):
        print(warning, file=sys.stderr)
    return render_artifacts(run, sources)


def differing_artifacts(
    expected: Mapping[str, str], artifact_dir: Path = ARTIFACT_DIR
) -> list[str]:
    """Names of artifact files that are missing, stale, or not produced by the sources."""
    present = {path.name for path in artifact_dir.glob("*.json")}
    stale = [
        name
        for name, text in expected.items()
        if name not in present or (artifact_dir / name).read_text(encoding="utf-8") != text
    ]
    return sorted(stale + sorted(present - expected.keys()))


def write_artifacts(files: Mapping[str, str], artifact_dir: Path = ARTIFACT_DIR) -> None:
    """Replace the artifact directory's JSON files with ``files``."""
    artifact_dir.mkdir(parents=True, exist_ok=True)
    for path in artifact_dir.glob("*.json"):
        if path.name not in files:
            path.unlink()
    for name, text in files.items():
        (artifact_dir / name).write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govchain_contracts.build")
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed artifacts, write nothing"
    )
    args = parser.parse_args(argv)
    try:
        files = build_artifacts()
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        stale = differing_artifacts(files)
        for name in stale:
            print(f"stale: {ARTIFACT_DIR / name}", file=sys.stderr)
        return 1 if stale else 0
    write_artifacts(files)
    print(f"wrote {len(files)} artifacts to {ARTIFACT_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
