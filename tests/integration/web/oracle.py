"""Runs the web verifier's JavaScript (js_oracle.mjs) on inputs from Python tests."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ORACLE = Path(__file__).with_name("js_oracle.mjs")


def run_oracle(
    jcs: list[Any] | None = None,
    receipts: list[bytes] | None = None,
    qr: list[dict[str, Any]] | None = None,
) -> Any:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js 20) is needed to run the web verifier's JavaScript")
    payload = {
        "jcs": jcs or [],
        "receipts": [base64.b64encode(r).decode() for r in receipts or []],
        "qr": qr or [],
    }
    done = subprocess.run(
        [node, str(ORACLE)],
        input=json.dumps(payload, ensure_ascii=True).encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)
