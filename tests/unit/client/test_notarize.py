"""Resumable notarisation of files, against an in-memory notary fake."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govchain_client.cli import app
from govchain_client.errors import PendingMarkerError
from govchain_client.notarize import collect_files, notarize, pending_path, receipt_path
from govchain_client.notary import ReceiptState, Submission
from govchain_core.digest import Digest, digest_file
from govchain_core.receipt_codec import decode_receipt, receipt_to_object
from tests.vectors.generate import sample_receipt


class FakeNotary:
    """Acknowledges digests; anchors them when ``anchored`` is set."""

    def __init__(self) -> None:
        self.submitted: list[tuple[str, ...]] = []
        self.keys: list[str | None] = []
        self.anchored = True
        self.by_id: dict[str, str] = {}

    def submit(
        self,
        kind: str,
        digests: Sequence[Digest | str],
        *,
        idempotency_key: str | None = None,
        wait: float = 0,
        meta: Digest | str | None = None,
        description: Mapping[str, str] | None = None,
    ) -> Submission:
        self.submitted.append(tuple(str(d) for d in digests))
        self.keys.append(idempotency_key)
        ids = tuple(f"r{len(self.by_id) + i}" for i in range(len(digests)))
        self.by_id.update(zip(ids, (str(d) for d in digests), strict=True))
        return Submission("pending", "0x" + "11" * 20, kind, ids, tuple(str(d) for d in digests))

    def receipt(self, receipt_id: str) -> ReceiptState:
        digest = self.by_id[receipt_id]
        if not self.anchored:
            return ReceiptState(receipt_id, "pending", digest, {"id": receipt_id})
        receipt, _ = sample_receipt()
        obj = receipt_to_object(receipt)
        obj["leaf"]["digest"] = digest
        return ReceiptState(receipt_id, "anchored", digest, {"id": receipt_id, "receipt": obj})


def make_files(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"urkunde-{i}.pdf"
        path.write_bytes(f"document {i}".encode())
        paths.append(path)
    return paths


def test_receipts_are_written_beside_the_files(tmp_path: Path) -> None:
    files = make_files(tmp_path / "docs", 3)
    fake = FakeNotary()
    outcome = notarize(fake, collect_files([tmp_path / "docs"]), "certificate", wait=1)
    assert sorted(outcome.done) == sorted(files)
    for path in files:
        receipt = decode_receipt(receipt_path(path).read_bytes())
        assert receipt.leaf.digest == digest_file(path)
        assert not pending_path(path).exists()
    assert fake.submitted == [tuple(str(digest_file(p)) for p in sorted(files))]


def test_an_interrupted_run_resumes_without_submitting_again(tmp_path: Path) -> None:
    files = make_files(tmp_path, 4)
    fake = FakeNotary()
    fake.anchored = False
    first = notarize(fake, files, "register", wait=0)
    assert len(first.pending) == 4
    assert all(pending_path(p).exists() for p in files)
    fake.anchored = True
    second = notarize(fake, files, "register", wait=1)
    assert len(second.done) == 4
    assert len(fake.submitted) == 1, "pending files must be polled, not resubmitted"
    third = notarize(fake, files, "register", wait=1)
    assert len(third.skipped) == 4
    assert len(fake.submitted) == 1


def test_idempotency_keys_depend_only_on_the_batch(tmp_path: Path) -> None:
    files = make_files(tmp_path, 2)
    one, two = FakeNotary(), FakeNotary()
    one.anchored = two.anchored = False
    notarize(one, files, "dataset", wait=0)
    for path in files:
        pending_path(path).unlink()
    notarize(two, files, "dataset", wait=0)
    assert one.keys == two.keys
    assert one.keys[0] is not None


def test_govchain_files_and_hidden_files_are_not_notarised(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"a")
    (tmp_path / "a.pdf.govchain.json").write_bytes(b"{}")
    (tmp_path / "b.pdf.govchain.pending").write_bytes(b"{}")
    (tmp_path / ".hidden").write_bytes(b"x")
    assert collect_files([tmp_path]) == [tmp_path / "a.pdf"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"[" * 100_000, "bytes, more than"),
        (b"[" * 1_000, "nests deeper"),
        (b"{not json", "not a pending marker"),
        (b'{"receipt_id": "../../admin"}', "no valid receipt_id"),
        (b'["r0"]', "no valid receipt_id"),
    ],
    ids=["huge", "deep", "not_json", "path", "not_object"],
)
def test_unusable_pending_markers_are_named(tmp_path: Path, content: bytes, why: str) -> None:
    document = tmp_path / "a.pdf"
    document.write_bytes(b"a")
    pending_path(document).write_bytes(content)
    with pytest.raises(PendingMarkerError, match=why) as caught:
        notarize(FakeNotary(), [document], "certificate", wait=0)
    assert caught.value.path == pending_path(document)


def test_cli_exits_2_naming_a_corrupt_marker(tmp_path: Path) -> None:
    document = tmp_path / "a.pdf"
    document.write_bytes(b"a")
    pending_path(document).write_bytes(b"[" * 100_000)
    result = CliRunner().invoke(
        app, ["notarize", str(document), "--kind", "certificate", "--notary", "http://x.test"]
    )
    assert result.exit_code == 2
    assert "a.pdf.govchain.pending" in result.output
    assert "delete it" in result.output
