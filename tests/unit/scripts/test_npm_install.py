"""Regression for issue 13 item 17: ``scripts/test`` rewrote package-lock.json.

``scripts/npm-install`` now installs with ``npm ci`` (which never writes the lock),
the lock is complete (``npm install`` no longer has anything to add), an installed
tree that matches the lock is left alone, and a shared (symlinked) node_modules is
never reinstalled.  The install itself needs the registry; these checks do not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _checkout(tmp_path: Path) -> Path:
    """package.json, package-lock.json and scripts/ in a scratch directory."""
    for name in ("package.json", "package-lock.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    return tmp_path


def _installed_tree(root: Path) -> Path:
    """A node_modules holding, for every locked package, a package.json of its version."""
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for path, entry in lock["packages"].items():
        if path.startswith("node_modules/") and not entry.get("optional"):
            (root / path).mkdir(parents=True, exist_ok=True)
            (root / path / "package.json").write_text(json.dumps({"version": entry["version"]}))
    binding = "node_modules/@nomicfoundation/edr-linux-x64-gnu"  # else the script fetches it
    (root / binding).mkdir(parents=True, exist_ok=True)
    version = lock["packages"][binding]["version"]
    (root / binding / "package.json").write_text(json.dumps({"version": version}))
    return root / "node_modules"


def _run(checkout: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["scripts/npm-install"], cwd=checkout, capture_output=True, text=True, timeout=60
    )


def test_the_lock_file_is_complete(tmp_path: Path) -> None:
    """``npm install`` has nothing to add, so nothing rewrites it (this was the rewrite)."""
    checkout = _checkout(tmp_path)
    before = (checkout / "package-lock.json").read_bytes()
    result = subprocess.run(
        ["npm", "install", "--package-lock-only", "--prefer-offline", "--no-audit", "--no-fund"],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (checkout / "package-lock.json").read_bytes() == before


def test_scripts_use_npm_ci_only() -> None:
    script = (ROOT / "scripts/npm-install").read_text()
    commands = [line.strip() for line in script.splitlines() if not line.lstrip().startswith("#")]
    assert any(line.startswith("npm ci ") for line in commands)
    assert not any(line.startswith("npm install") for line in commands)


def test_a_tree_matching_the_lock_is_left_alone(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path)
    tree = _installed_tree(checkout)
    marker = tree / "left-alone"
    marker.write_text("")
    result = _run(checkout)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "node_modules matches package-lock.json"
    assert marker.exists()


@pytest.mark.parametrize("change", ["version", "missing"])
def test_a_shared_node_modules_is_never_reinstalled(tmp_path: Path, change: str) -> None:
    shared = _installed_tree(tmp_path / "main")
    ws = shared / "ws" / "package.json"
    if change == "version":
        ws.write_text(json.dumps({"version": "0.0.1"}))
    else:
        ws.unlink()
    (tmp_path / "worktree").mkdir()
    checkout = _checkout(tmp_path / "worktree")
    (checkout / "node_modules").symlink_to(shared)
    result = _run(checkout)
    assert result.returncode == 1
    assert "node_modules/ws" in result.stderr
    assert "is a link to" in result.stderr
    assert (shared / "hardhat" / "package.json").exists()  # nothing was deleted


def test_govchain_data_is_ignored() -> None:
    for path in ("govchain-data/deployment.json", "examples/govchain-data/iot-spool.db"):
        result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, check=False)
        assert result.returncode == 0, path
