"""The SDK and the CLI against a real ``govchain up`` stack (dev node + notary processes).

One ``govchain up`` process per module on free ports in a temporary data dir; the
tests drive the installed ``govchain`` entry point as a user would.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

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
