"""Notarise every file of a folder with the asyncio SDK: one batch, receipts fetched concurrently.

    GOVCHAIN_NOTARY_URL=http://127.0.0.1:8000 GOVCHAIN_API_KEY="$(cat govchain-data/dev-api-key)" \
        python clients/examples/sdk_async.py register-2026/

Files are hashed in worker threads (the event loop stays free), their digests are
submitted in one request (up to 10,000 per batch), and the receipts are polled
concurrently until anchored and saved beside the files.  The idempotency key is
derived from the batch, so running the script again after an interruption cannot
notarise the same batch twice.
Exit 0: all receipts saved; 1: refused by the notary; 3: could not reach it or timed out.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from pathlib import Path

from govchain_client.errors import NotaryError, TransportError
from govchain_client.notary import AsyncNotaryClient, ReceiptState
from govchain_core.digest import digest_file
from govchain_core.receipt_codec import encode_receipt

RECEIPT_SUFFIX = ".govchain.json"


async def anchored(notary: AsyncNotaryClient, receipt_id: str, deadline: float) -> ReceiptState:
    """Poll one receipt until it is anchored (the notary anchors every few seconds)."""
    loop = asyncio.get_running_loop()
    while True:
        state = await notary.receipt(receipt_id)
        if state.receipt is not None or loop.time() > deadline:
            return state
        await asyncio.sleep(0.5)


async def notarise_folder(folder: Path, notary: AsyncNotaryClient) -> tuple[list[Path], int]:
    """Notarise the folder's files; return those whose receipt was saved, and how many."""
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.endswith(RECEIPT_SUFFIX)
    )
    if not files:
        return [], 0
    digests = await asyncio.gather(*(asyncio.to_thread(digest_file, f) for f in files))
    key = hashlib.sha256("".join(map(str, digests)).encode()).hexdigest()[:32]
    submission = await notary.submit("certificate", digests, idempotency_key=key)
    deadline = asyncio.get_running_loop().time() + 60
    states = await asyncio.gather(
        *(anchored(notary, rid, deadline) for rid in submission.receipt_ids)
    )
    saved = []
    for path, state in zip(files, states, strict=True):
        if state.receipt is not None:
            path.with_name(path.name + RECEIPT_SUFFIX).write_bytes(encode_receipt(state.receipt))
            saved.append(path)
    return saved, len(files)


async def main(folder: Path) -> int:
    url = os.environ.get("GOVCHAIN_NOTARY_URL", "http://127.0.0.1:8000")
    try:
        async with AsyncNotaryClient(url, os.environ.get("GOVCHAIN_API_KEY")) as notary:
            saved, total = await notarise_folder(folder, notary)
    except TransportError as exc:
        print(f"could not reach the notary: {exc}", file=sys.stderr)
        return 3
    except NotaryError as exc:
        print(f"the notary refused (HTTP {exc.status}): {exc}", file=sys.stderr)
        return 1
    for path in saved:
        print(f"{path}{RECEIPT_SUFFIX}")
    if len(saved) < total:
        print(f"{total - len(saved)} not anchored yet: run again to fetch them", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: sdk_async.py FOLDER")
    sys.exit(asyncio.run(main(Path(sys.argv[1]))))
