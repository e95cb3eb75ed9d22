"""The shared vectors: up to date with the core, and every case behaves as labelled."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from govchain_core.errors import ProofError, ReceiptError
from govchain_core.merkle import verify_consistency, verify_inclusion
from govchain_core.receipt_codec import decode_receipt
from tests.conftest import VECTORS, load_vectors
from tests.vectors import generate

SCHEMA = json.loads(
    (VECTORS.parent.parent / "core/govchain_core/schema/receipt-v1.schema.json").read_text()
)


@pytest.mark.parametrize("name", sorted(generate.generated()))
def test_committed_vectors_are_what_the_core_computes(name: str) -> None:
    assert (VECTORS / name).read_text() == generate.dump(generate.generated()[name]), (
        f"{name} is stale: run python tests/vectors/generate.py"
    )


def _h(value: str) -> bytes:
    return bytes.fromhex(value)


@pytest.mark.parametrize("case", load_vectors("consistency.json")["cases"], ids=lambda c: c["name"])
def test_consistency_cases(case: dict[str, Any]) -> None:
    args = (
        case["old_size"],
        case["new_size"],
        _h(case["old_root"]),
        _h(case["new_root"]),
        [_h(p) for p in case["proof"]],
    )
    if case["valid"]:
        verify_consistency(*args)
    else:
        with pytest.raises(ProofError):
            verify_consistency(*args)


@pytest.mark.parametrize("case", load_vectors("inclusion.json")["cases"], ids=lambda c: c["name"])
def test_inclusion_cases(case: dict[str, Any]) -> None:
    args = (
        case["index"],
        case["tree_size"],
        _h(case["leaf_hash"]),
        [_h(p) for p in case["path"]],
        _h(case["root"]),
    )
    if case["valid"]:
        verify_inclusion(*args)
    else:
        with pytest.raises(ProofError):
            verify_inclusion(*args)


def test_good_receipts_match_the_published_schema() -> None:
    for case in load_vectors("receipts.json")["valid"]:
        jsonschema.validate(case["receipt"], SCHEMA)


@pytest.mark.parametrize("case", load_vectors("receipts.json")["invalid"], ids=lambda c: c["name"])
def test_schema_and_decoder_agree_on_bad_receipts(case: dict[str, Any]) -> None:
    with pytest.raises(ReceiptError):
        decode_receipt(case["text"])
    try:
        value = json.loads(case["text"])
    except ValueError:
        return  # not JSON at all: nothing for the schema to say
    # limits the schema language cannot express (and 5.0 is an integer to JSON Schema)
    if case["name"] in (
        "oversize",
        "trailing data",
        "duplicate key",
        "NaN",
        "index beyond tree size",
        "float index",
    ):
        return
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(value, SCHEMA)
