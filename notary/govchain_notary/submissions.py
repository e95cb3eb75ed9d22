"""Submissions as the writer takes them: validated items turned into leaf records."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Required, TypedDict

from govchain_core.errors import LeafRecordError
from govchain_core.jcs import canonicalize
from govchain_core.leaf import description_meta
from govchain_notary.errors import UnprocessableError
from govchain_notary.leaves import leaf_record, plain_leaf_hasher
from govchain_notary.receipt_ids import TAG_BYTES
from govchain_notary.storage.repos import PreparedLeaves


class Item(TypedDict, total=False):
    """One digest to notarise, as the API schema validated it (a dict: the request's own
    objects are used as they are, no copy per item).  ``device`` and ``seq`` go together.
    ``description`` is the request's object until ``with_descriptions`` replaces it by
    its RFC 8785 text (and sets ``meta`` to its digest)."""

    digest: Required[str]
    meta: str
    device: str
    seq: int
    description: Any


def item(
    digest: str,
    meta: str | None = None,
    device: str | None = None,
    seq: int | None = None,
    description: Mapping[str, Any] | None = None,
) -> Item:
    """An ``Item`` without the absent optional fields."""
    value: Item = {"digest": digest}
    if meta is not None:
        value["meta"] = meta
    if device is not None:
        value["device"] = device
    if seq is not None:
        value["seq"] = seq
    if description is not None:
        value["description"] = description
    return value


def with_descriptions(items: Sequence[Item]) -> Sequence[Item]:
    """Items whose description is checked, given a nonce when it has none, stored as
    its RFC 8785 text, and bound to the leaf by ``meta`` (its digest, computed by the
    core).  A ``meta`` given with a description must be that digest (else 422).
    Items without a description are passed on as they are (no copy)."""
    return [
        _described(entry, n) if "description" in entry else entry for n, entry in enumerate(items)
    ]


def _described(entry: Item, position: int) -> Item:
    given = dict(entry["description"])
    given.setdefault("nonce", secrets.token_hex(16))
    try:
        meta = str(description_meta(given))
    except LeafRecordError as exc:
        raise UnprocessableError(f"items[{position}]: {exc}") from exc
    if entry.get("meta", meta) != meta:
        raise UnprocessableError(
            f"items[{position}]: meta is not the digest of the description "
            "(sha256 of its RFC 8785 bytes); leave meta out to have it computed"
        )
    return {**entry, "meta": meta, "description": canonicalize(given).decode()}


def prepare_leaves(kind: str, issuer: str, items: Sequence[Item]) -> PreparedLeaves:
    """Leaf hashes with fresh salts, and the columns stored per leaf (CPU work, done
    off the event loop)."""
    count = len(items)
    salt_bytes = os.urandom(16 * count)
    salts = [salt_bytes[16 * n : 16 * n + 16] for n in range(count)]
    digests = [entry["digest"] for entry in items]
    plain = all(len(entry) == 1 for entry in items)
    if plain:
        hashes = _plain_leaf_hashes(kind, issuer, digests, salt_bytes.hex())
    else:
        hashes = [
            leaf_record(
                kind,
                bytes.fromhex(entry["digest"][7:]),
                salt,
                issuer,
                meta=bytes.fromhex(entry["meta"][7:]) if "meta" in entry else None,
                device=entry.get("device"),
                seq=entry.get("seq"),
            ).leaf_hash()
            for entry, salt in zip(items, salts, strict=True)
        ]
    leaves = PreparedLeaves(
        kind,
        [bytes.fromhex(digest[7:]) for digest in digests],
        salts,
        os.urandom(TAG_BYTES * count),
        hashes,
    )
    return leaves if plain else _with_options(leaves, items)


def _plain_leaf_hashes(kind: str, issuer: str, digests: list[str], salts: str) -> list[bytes]:
    """Leaf hashes of plain digests, the bulk of all traffic, from the core's bytes for
    one sample leaf (``leaves.plain_leaf_hasher``)."""
    hash_of = plain_leaf_hasher(kind, issuer)
    return [hash_of(digest[7:], salts[32 * n : 32 * n + 32]) for n, digest in enumerate(digests)]


def _with_options(leaves: PreparedLeaves, items: Sequence[Item]) -> PreparedLeaves:
    metas = [entry.get("meta") for entry in items]
    return replace(
        leaves,
        metas=[bytes.fromhex(meta[7:]) if meta is not None else None for meta in metas],
        devices=[entry.get("device") for entry in items],
        seqs=[entry.get("seq") for entry in items],
        descriptions=(
            [entry.get("description") for entry in items]
            if any("description" in entry for entry in items)
            else None
        ),
    )


def fingerprint_of(kind: str, items: Sequence[Item]) -> str:
    """What an idempotent retry must repeat: the kind and the items, in order (taken
    before ``with_descriptions``, so a description's generated nonce is not part of it)."""
    hasher = hashlib.sha256(kind.encode())
    for entry in items:
        hasher.update(
            f"|{entry['digest']},{entry.get('meta')},{entry.get('device')},{entry.get('seq')}".encode()
        )
        if "description" in entry:
            hasher.update(json.dumps(entry["description"], sort_keys=True).encode())
    return hasher.hexdigest()
