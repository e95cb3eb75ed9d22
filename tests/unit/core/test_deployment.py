"""The consortium deployment description: one layout for writers and readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govchain_core.deployment import Deployment
from govchain_core.errors import DeploymentError

GOOD: dict[str, Any] = {
    "chain_id": 1337,
    "contracts": {
        "AnchorRegistry": "0x" + "A5" * 20,
        "IssuerRegistry": "0x" + "11" * 20,
        "StatusRegistry": "0x" + "22" * 20,
    },
}


def test_round_trip_normalises_addresses(tmp_path: Path) -> None:
    path = tmp_path / "deployment.json"
    path.write_text(json.dumps(GOOD))
    deployment = Deployment.load(path)
    assert deployment.anchor_registry == "0x" + "a5" * 20
    assert Deployment.from_object(deployment.to_object()) == deployment


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"chain_id": 0}, "chain_id"),
        ({"chain_id": True}, "chain_id"),
        ({"contracts": []}, "contracts"),
        ({"contracts": {**GOOD["contracts"], "StatusRegistry": "0x12"}}, "StatusRegistry"),
        ({"contracts": {"AnchorRegistry": GOOD["contracts"]["AnchorRegistry"]}}, "IssuerRegistry"),
    ],
)
def test_malformed_deployments_name_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(DeploymentError, match=message):
        Deployment.from_object({**GOOD, **change})


def test_unreadable_files_are_deployment_errors(tmp_path: Path) -> None:
    with pytest.raises(DeploymentError, match="cannot read"):
        Deployment.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(DeploymentError, match="cannot read"):
        Deployment.load(tmp_path / "bad.json")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"[" * 50_000, "nests deeper"), (b" " * 70_000 + b"{}", "more than")],
    ids=["deep", "huge"],
)
def test_deep_or_huge_files_are_refused_before_parsing(
    tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / "deployment.json").write_bytes(content)
    with pytest.raises(DeploymentError, match=message):
        Deployment.load(tmp_path / "deployment.json")
