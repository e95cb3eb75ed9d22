"""Notarise one file with the blocking SDK, save its receipt, and verify it independently.

    GOVCHAIN_NOTARY_URL=http://127.0.0.1:8000 GOVCHAIN_API_KEY="$(cat govchain-data/dev-api-key)" \
        python clients/examples/sdk_sync.py zeugnis.pdf

Only the file's SHA-256 leaves the machine.  The receipt is checked twice: by the
notary (``POST /v1/verify``) and against a consortium node directly, trusting only the
registry addresses the consortium published; the node's answer is the verdict.
Exit 0: valid; 1: not valid or refused by the notary; 3: could not reach or check.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from govchain_client.chain_reader import RpcChainReader
from govchain_client.errors import NotaryError, TransportError
from govchain_client.notary import NotaryClient
from govchain_client.rpc import JsonRpcClient
from govchain_core.deployment import Deployment
from govchain_core.digest import digest_file
from govchain_core.receipt import Receipt
from govchain_core.receipt_codec import encode_receipt, receipt_to_object
from govchain_core.verify import StepStatus, VerificationReport, verify_receipt


def notarise(path: Path, notary: NotaryClient) -> Receipt | None:
    """Submit the file's digest, wait up to 30 s for the anchor, save the receipt beside it."""
    digest = digest_file(path)
    submission = notary.submit("certificate", [digest], wait=30)
    state = notary.receipt(submission.receipt_ids[0])
    if state.receipt is not None:
        path.with_name(path.name + ".govchain.json").write_bytes(encode_receipt(state.receipt))
    return state.receipt


def check_at_node(receipt: Receipt, path: Path, published: dict[str, object]) -> VerificationReport:
    """The independent check: any consortium node, only the published registries trusted."""
    deployment = Deployment.from_object(published)
    rpc_url = os.environ.get("GOVCHAIN_RPC_URL") or str(published.get("rpc_url"))
    with JsonRpcClient(rpc_url) as node:
        return verify_receipt(receipt, RpcChainReader(node, deployment), digest_file(path))


def main(path: Path) -> int:
    url = os.environ.get("GOVCHAIN_NOTARY_URL", "http://127.0.0.1:8000")
    try:
        with NotaryClient(url, os.environ.get("GOVCHAIN_API_KEY")) as notary:
            receipt = notarise(path, notary)
            if receipt is None:
                print("accepted, not anchored yet: fetch the receipt later", file=sys.stderr)
                return 3
            answer = notary.verify(receipt_to_object(receipt), digest_file(path))
            published = notary.deployment()
    except TransportError as exc:  # refused, timed out, not a notary: nothing was decided
        print(f"could not reach the notary: {exc}", file=sys.stderr)
        return 3
    except NotaryError as exc:  # the notary answered and refused (401, 422, ...)
        print(f"the notary refused (HTTP {exc.status}): {exc}", file=sys.stderr)
        return 1
    print(f"notary says: {'valid' if answer['ok'] else 'not valid'}")
    report = check_at_node(receipt, path, published)
    for step in report.steps:
        print(f"{step.status.value:<8} {step.name:<10} {step.message}")
    if report.ok:
        print(f"VALID: {path} is notarised, anchored and valid")
        return 0
    failed = report.failed_step
    if failed is not None and failed.status is StepStatus.ERROR:
        print(f"COULD NOT CHECK: {failed.message}")
        return 3
    print(f"NOT VALID (step: {failed.name if failed else '?'})")
    return 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: sdk_sync.py FILE")
    sys.exit(main(Path(sys.argv[1])))
