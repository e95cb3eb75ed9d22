"""The README's SDK examples (clients/examples/) run as a user runs them, against a real stack.

``govchain up`` on free ports (the module-scoped fixture of test_cli_against_stack);
each example is a separate Python process configured by the environment only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from govchain_client.notarize import RECEIPT_SUFFIX
from govchain_core.deployment import Deployment
from govchain_core.digest import digest_file
from govchain_core.receipt_codec import decode_receipt
from tests.support.bad_servers import closed_port
from tests.support.client_stack import Stack, stack

__all__ = ["stack"]  # the module-scoped ``govchain up`` fixture

EXAMPLES = Path(__file__).resolve().parents[3] / "clients" / "examples"


def example(
    name: str, argument: Path, notary: str, api_key: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVCHAIN_")}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), str(argument)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**clean, "GOVCHAIN_NOTARY_URL": notary, "GOVCHAIN_API_KEY": api_key},
    )


def test_sync_example_notarises_and_verifies_at_the_node(stack: Stack, tmp_path: Path) -> None:
    document = tmp_path / "zeugnis.pdf"
    document.write_bytes(b"Abschlusszeugnis 2026, Note 1,3")
    result = example("sdk_sync.py", document, stack.notary, stack.api_key)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "notary says: valid" in result.stdout
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[1:5]] == [
        ["passed", name] for name in ("format", "inclusion", "anchor", "issuer")
    ]
    assert lines[-1] == f"VALID: {document} is notarised, anchored and valid"
    receipt = decode_receipt((tmp_path / f"zeugnis.pdf{RECEIPT_SUFFIX}").read_bytes())
    assert receipt.leaf.digest == digest_file(document)
    trusted = Deployment.load(stack.deployment)
    assert receipt.anchor.registry.lower() == trusted.anchor_registry


def test_sync_example_without_a_notary_says_so_and_exits_3(tmp_path: Path) -> None:
    document = tmp_path / "zeugnis.pdf"
    document.write_bytes(b"x")
    url = closed_port()
    result = example("sdk_sync.py", document, url, "k")
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        f"could not reach the notary: cannot connect to {url}: [Errno 111] Connection refused"
    ]


def test_async_example_notarises_a_folder(stack: Stack, tmp_path: Path) -> None:
    folder = tmp_path / "register-2026"
    folder.mkdir()
    for n in range(12):
        (folder / f"eintrag-{n:02d}.json").write_text(f'{{"nr": {n}}}')
    result = example("sdk_async.py", folder, stack.notary, stack.api_key)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(result.stdout.splitlines()) == 12
    for n in range(12):
        document = folder / f"eintrag-{n:02d}.json"
        receipt = decode_receipt((folder / f"{document.name}{RECEIPT_SUFFIX}").read_bytes())
        assert receipt.leaf.digest == digest_file(document)
    again = example("sdk_async.py", folder, stack.notary, stack.api_key)
    assert again.returncode == 0, again.stderr  # the same batch: the same receipts, not new ones
    assert again.stdout == result.stdout
