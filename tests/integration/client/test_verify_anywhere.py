"""``govchain verify`` from any directory against a real ``govchain up`` stack.

No ``govchain-data/`` where the command runs: the node and the deployment come from
``--notary``, the environment or a config file, as ``govchain_client.verify_command``
documents.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from govchain_client.notary import NotaryClient
from govchain_core.digest import digest_bytes
from govchain_core.receipt_codec import encode_receipt, receipt_from_object
from tests.support.client_stack import Stack, stack

__all__ = ["stack"]  # the module-scoped ``govchain up`` fixture


def run(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVCHAIN_")}
    return subprocess.run(
        [sys.executable, "-c", "from govchain_client.cli import main; main()", "verify", *args],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
        check=False,
        env={**clean, "NO_COLOR": "1", "TZ": "Europe/Berlin", **env},
    )


def notarise(stack: Stack, folder: Path, name: str) -> tuple[Path, str]:
    document = folder / name
    document.write_bytes(f"{name} {folder}".encode())
    with NotaryClient(stack.notary, stack.api_key) as client:
        done = client.submit("certificate", [digest_bytes(document.read_bytes())], wait=60)
        state = client.receipt(done.receipt_ids[0])
    assert state.status == "anchored"
    receipt = receipt_from_object(state.raw["receipt"])
    (folder / f"{name}.govchain.json").write_bytes(encode_receipt(receipt))
    return document, done.receipt_ids[0]


def test_with_only_a_notary_url_it_verifies_and_says_whom_it_trusts(
    stack: Stack, tmp_path: Path
) -> None:
    document, _ = notarise(stack, tmp_path, "urkunde.pdf")
    config = tmp_path / "no-config.toml"
    result = run(tmp_path, str(document), "--notary", stack.notary, GOVCHAIN_CONFIG=str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("VERIFIED")
    assert f"the registry addresses come from the notary at {stack.notary}" in result.stderr
    anchored = [line for line in result.stdout.splitlines() if "anchored at" in line]
    assert len(anchored) == 1
    assert anchored[0].strip()[len("anchored at ") :].endswith(("+01:00", "+02:00"))


def test_rpc_from_the_environment_and_addresses_from_the_config_file(
    stack: Stack, tmp_path: Path
) -> None:
    document, _ = notarise(stack, tmp_path, "register.csv")
    deployment = json.loads(stack.deployment.read_text())
    contracts = "\n".join(f'{k} = "{v}"' for k, v in deployment["contracts"].items())
    config = tmp_path / "config.toml"
    config.write_text(
        f"[deployment]\nchain_id = {deployment['chain_id']}\n[deployment.contracts]\n{contracts}\n"
    )
    result = run(
        tmp_path,
        str(document),
        "--json",
        GOVCHAIN_CONFIG=str(config),
        GOVCHAIN_RPC_URL=stack.rpc,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert (out["verdict"], out["rpc"], out["deployment_source"]) == (
        "valid",
        stack.rpc,
        f"config:{config}",
    )
    assert [s["status"] for s in out["steps"]] == ["passed"] * 4
    assert out["steps"][2]["details"]["timestamp_local"].endswith(("+01:00", "+02:00"))
    assert result.stderr == ""


def test_a_superseded_document_names_its_successor(stack: Stack, tmp_path: Path) -> None:
    old, old_id = notarise(stack, tmp_path, "bescheid-alt.pdf")
    new, new_id = notarise(stack, tmp_path, "bescheid-neu.pdf")
    with NotaryClient(stack.notary, stack.api_key) as client:
        client.change_status(old_id, "supersede", new_id)
    successor = receipt_from_object(
        json.loads(new.with_name("bescheid-neu.pdf.govchain.json").read_text())
    ).leaf_hash.hex()
    result = run(tmp_path, str(old), "--rpc", stack.rpc, "--deployment", str(stack.deployment))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"superseded by the document with leaf hash 0x{successor}" in result.stdout
    assert "NOT VERIFIED (step: issuer, field: /leaf): the document is superseded" in result.stdout
