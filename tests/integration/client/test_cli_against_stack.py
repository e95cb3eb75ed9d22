"""The SDK and the CLI against a real ``govchain up`` stack (dev node + notary processes).

One ``govchain up`` process per module on free ports in a temporary data dir; the
tests drive the installed ``govchain`` entry point as a user would.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx

from govchain_client.notary import AsyncNotaryClient, NotaryClient
from govchain_core.digest import digest_bytes
from tests.support.client_stack import Stack, govchain, stack

__all__ = ["stack"]  # the module-scoped ``govchain up`` fixture


def notarize(stack: Stack, folder: Path) -> subprocess.CompletedProcess[str]:
    return govchain(
        "notarize",
        str(folder),
        "--kind",
        "certificate",
        "--notary",
        stack.notary,
        "--api-key",
        stack.api_key,
        "--wait",
        "60",
        cwd=folder,
    )


def verify(stack: Stack, document: Path) -> subprocess.CompletedProcess[str]:
    return govchain(
        "verify",
        str(document),
        "--rpc",
        stack.rpc,
        "--deployment",
        str(stack.deployment),
        cwd=document.parent,
    )


def test_notarised_files_verify_and_tampered_ones_fail_at_format(
    stack: Stack, tmp_path: Path
) -> None:
    for i in range(3):
        (tmp_path / f"zeugnis-{i}.pdf").write_bytes(f"Zeugnis {i}".encode())
    result = notarize(stack, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "3 notarised" in result.stdout
    for i in range(3):
        assert (tmp_path / f"zeugnis-{i}.pdf.govchain.json").exists()
    good = verify(stack, tmp_path / "zeugnis-0.pdf")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "VERIFIED" in good.stdout
    (tmp_path / "zeugnis-1.pdf").write_bytes(b"Zeugnis 1 (altered)")
    bad = verify(stack, tmp_path / "zeugnis-1.pdf")
    assert bad.returncode == 1
    assert "NOT VERIFIED (step: format, field: /leaf/digest)" in bad.stdout
    again = notarize(stack, tmp_path)
    assert "3 already had receipts" in again.stdout


def test_a_revoked_document_fails_at_the_issuer_step(stack: Stack, tmp_path: Path) -> None:
    document = tmp_path / "fuehrerschein.pdf"
    document.write_bytes(b"Fahrerlaubnis Klasse B")
    assert notarize(stack, tmp_path).returncode == 0
    revoke = govchain(
        "status",
        "revoke",
        str(document),
        "--notary",
        stack.notary,
        "--api-key",
        stack.api_key,
        cwd=tmp_path,
    )
    assert revoke.returncode == 0, revoke.stderr
    assert "revoked" in revoke.stdout
    result = verify(stack, document)
    assert result.returncode == 1
    assert "NOT VERIFIED (step: issuer, field: /leaf)" in result.stdout
    assert "revoked" in result.stdout


def test_a_receipt_from_a_foreign_registry_fails_at_the_anchor_step(
    stack: Stack, tmp_path: Path
) -> None:
    document = tmp_path / "auszug.pdf"
    document.write_bytes(b"Registerauszug")
    assert notarize(stack, tmp_path).returncode == 0
    receipt = tmp_path / "auszug.pdf.govchain.json"
    text = receipt.read_text()
    registry = stack.deployment.read_text().split('"AnchorRegistry": "')[1][:42]
    receipt.write_text(text.replace(registry, "0x" + "00" * 19 + "01"))
    result = verify(stack, document)
    assert result.returncode == 1
    assert "NOT VERIFIED (step: anchor, field: /anchor/registry)" in result.stdout


def test_wrong_api_keys_are_refused(stack: Stack, tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"x")
    result = govchain(
        "notarize",
        str(tmp_path),
        "--kind",
        "certificate",
        "--notary",
        stack.notary,
        "--api-key",
        "gck_wrong",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert not (tmp_path / "x.pdf.govchain.pending").exists()


def test_sdk_sync_and_async_clients_get_anchored_receipts(stack: Stack) -> None:
    digest = digest_bytes(b"SDK sync document")
    with NotaryClient(stack.notary, stack.api_key) as client:
        submission = client.submit("certificate", [digest], wait=30)
        state = client.receipt(submission.receipt_ids[0])
    assert state.receipt is not None
    assert state.receipt.leaf.digest == digest

    async def run() -> str:
        async with AsyncNotaryClient(stack.notary, stack.api_key) as client:
            done = await client.submit("certificate", [digest_bytes(b"SDK async")], wait=30)
            receipt = await client.receipt(done.receipt_ids[0])
            return receipt.status

    import asyncio

    assert asyncio.run(run()) == "anchored"


def _sha256_meta(description: dict[str, str]) -> str:
    """The leaf's expected meta, from first principles (RFC 8785 of short strings)."""
    from govchain_core.jcs import canonicalize

    return "sha256:" + hashlib.sha256(canonicalize(description)).hexdigest()


def test_notarize_with_title_and_reference_attaches_the_description(
    stack: Stack, tmp_path: Path
) -> None:
    folder = tmp_path / "described"
    folder.mkdir()
    document = folder / "bescheinigung.pdf"
    document.write_bytes(b"Meldebescheinigung (CLI)\n" + os.urandom(16))
    done = govchain(
        "notarize", str(folder), "--kind", "certificate", "--notary", stack.notary,
        "--api-key", stack.api_key, "--wait", "60",
        "--title", "Meldebescheinigung", "--reference", "AZ 33-2026/0815",
        cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    digest = digest_bytes(document.read_bytes())
    with NotaryClient(stack.notary, stack.api_key) as client:
        (entry,) = client.lookup(digest)["receipts"]
        described = entry["description"]
        assert (described["title"], described["reference"]) == (
            "Meldebescheinigung",
            "AZ 33-2026/0815",
        )
        assert entry["receipt"]["leaf"]["meta"] == _sha256_meta(described)
        given = {"reference": "F-17", "nonce": "0f" * 16}
        sdk = client.submit("certificate", [digest_bytes(b"SDK described")], description=given)
        assert client.receipt(sdk.receipt_ids[0]).raw["description"] == given
    assert verify(stack, document).returncode == 0


def _attackers_receipt(stack: Stack, folder: Path) -> Path:
    """The reviewer's attack (#13): registries of the attacker's own, deployed by a funded
    dev account, an issuer of theirs, a forged document anchored there, and a
    ``govchain-data/deployment.json`` naming those registries beside the receipt."""
    from eth_account import Account
    from web3 import Web3

    from govchain_contracts import load
    from govchain_contracts.deploy import ContractSender, deploy_registries, web3_for
    from govchain_core.leaf import leaf_from_object
    from govchain_core.receipt_codec import encode_receipt, receipt_from_object
    from govchain_node.keys import DEV_MNEMONIC, dev_accounts_from_mnemonic

    boss_key, issuer_key = (a.private_key for a in dev_accounts_from_mnemonic(DEV_MNEMONIC, 8)[6:])
    web3 = web3_for(stack.rpc)
    boss, issuer = Account.from_key(boss_key), Account.from_key(issuer_key)
    theirs = deploy_registries(ContractSender(web3, boss), [boss.address])
    registry = web3.eth.contract(
        address=Web3.to_checksum_address(theirs.issuer_registry),
        abi=list(load("IssuerRegistry").abi),
    )
    ContractSender(web3, boss).send(
        registry.functions.proposeSetIssuer(issuer.address, "Forger", "05315000", 15, 0, 0)
    )
    document = folder / "forged.pdf"
    document.write_bytes(b"Zeugnis: sehr gut")
    leaf = {
        "v": 1,
        "kind": "certificate",
        "digest": str(digest_bytes(document.read_bytes())),
        "salt": "5a" * 16,
        "issuer": issuer.address.lower(),
    }
    root = leaf_from_object(leaf).leaf_hash()
    anchors = web3.eth.contract(
        address=Web3.to_checksum_address(theirs.anchor_registry),
        abi=list(load("AnchorRegistry").abi),
    )
    sent = ContractSender(web3, issuer).send(anchors.functions.anchor(1, root, 0, []))
    block = web3.eth.get_block(sent["blockNumber"])
    receipt = {
        "type": "govchain-receipt",
        "version": "1.0",
        "leaf": leaf,
        "proof": {
            "algorithm": "rfc9162-sha256",
            "index": 0,
            "tree_size": 1,
            "root": root.hex(),
            "path": [],
        },
        "anchor": {
            "chain_id": theirs.chain_id,
            "registry": theirs.anchor_registry,
            "tx_hash": "0x" + bytes(sent["transactionHash"]).hex(),
            "block_number": sent["blockNumber"],
            "block_hash": "0x" + bytes(block["hash"]).hex(),
            "timestamp": block["timestamp"],
        },
    }
    (folder / "forged.pdf.govchain.json").write_bytes(encode_receipt(receipt_from_object(receipt)))
    (folder / "govchain-data").mkdir()
    (folder / "govchain-data" / "deployment.json").write_text(json.dumps(theirs.to_object()))
    return document


def test_a_deployment_json_shipped_beside_a_forged_receipt_is_not_trusted(
    stack: Stack, tmp_path: Path
) -> None:
    """Security review #13: the attacker's zip verified "VERIFIED", exit 0, because the
    deployment was read from the current directory."""
    document = _attackers_receipt(stack, tmp_path)
    assert "GOVCHAIN_DEPLOYMENT" not in os.environ
    env = {"GOVCHAIN_CONFIG": str(tmp_path / "none.toml")}
    implicit = govchain("verify", str(document), "--rpc", stack.rpc, cwd=tmp_path, env=env)
    assert implicit.returncode == 2, implicit.stdout + implicit.stderr
    assert "--deployment govchain-data/deployment.json" in implicit.stderr
    assert "VERIFIED" not in implicit.stdout
    genuine = verify(stack, document)
    assert genuine.returncode == 1, genuine.stdout + genuine.stderr
    assert "NOT VERIFIED (step: anchor, field: /anchor/registry)" in genuine.stdout


class LaggingNode:
    """A JSON-RPC proxy in front of the real node that answers as a node whose head is
    ``head`` would: ``eth_blockNumber`` is ``head``, calls run at block ``head``, later
    blocks and their transactions are unknown."""

    def __init__(self, upstream: str, head: int) -> None:
        import http.server
        import threading

        self.upstream, self.head = upstream, head
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                out = json.dumps(proxy.answer(json.loads(body))).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, call: dict[str, Any]) -> dict[str, Any]:
        method, params = call["method"], call["params"]
        if method == "eth_blockNumber":
            return {"jsonrpc": "2.0", "id": call["id"], "result": hex(self.head)}
        if method == "eth_call":
            call = {**call, "params": [params[0], hex(self.head)]}
        if method == "eth_getBlockByNumber" and int(params[0], 16) > self.head:
            return {"jsonrpc": "2.0", "id": call["id"], "result": None}
        answer: dict[str, Any] = httpx.post(self.upstream, json=call, timeout=10).json()
        result = answer.get("result")
        if method == "eth_getTransactionReceipt" and isinstance(result, dict):
            answer["result"] = result if int(result["blockNumber"], 16) <= self.head else None
        return answer

    def __enter__(self) -> LaggingNode:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def test_a_node_behind_the_receipts_block_could_not_check(stack: Stack, tmp_path: Path) -> None:
    """Security review #13: a node not yet at the anchoring block said NOT VERIFIED."""
    document = tmp_path / "bescheid.pdf"
    document.write_bytes(b"Bescheid vom Amt")
    assert notarize(stack, tmp_path).returncode == 0
    anchor = json.loads((tmp_path / "bescheid.pdf.govchain.json").read_text())["anchor"]
    number = anchor["block_number"]
    said = {}
    for head in (number - 1, number):
        with LaggingNode(stack.rpc, head) as node:
            result = govchain(
                "verify",
                str(document),
                "--rpc",
                node.url,
                "--deployment",
                str(stack.deployment),
                cwd=tmp_path,
            )
        said[head] = (result.returncode, result.stdout.strip().splitlines()[-1])
    assert said[number - 1] == (
        3,
        f"COULD NOT CHECK (step: anchor): the node is not synced to block {number} "
        f"(its head is {number - 1})",
    )
    assert said[number][0] == 0, said
