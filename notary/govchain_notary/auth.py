"""API keys: generated with 256 bits of entropy, stored only as their SHA-256.

A plain SHA-256 suffices (no slow KDF): the keys are random, not passwords, so
there is nothing to brute-force from the hash.  Scopes are ``action:kind`` pairs
(``submit:certificate``, ``status:*``); a key acts for exactly one issuer.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable

from govchain_core.leaf import KINDS
from govchain_notary.errors import UnauthenticatedError
from govchain_notary.storage.repos import ClientRecord, ClientStore

KEY_PREFIX = "gck_"
ACTIONS = ("submit", "status")


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """Validate ``action:kind`` scopes (``*`` for every kind); raise ``ValueError``."""
    parsed = []
    for scope in scopes:
        action, _, kind = scope.partition(":")
        if action not in ACTIONS or (kind != "*" and kind not in KINDS):
            raise ValueError(
                f"scope {scope!r} is not action:kind with action in {ACTIONS} "
                f"and kind in {KINDS} or '*'"
            )
        parsed.append(scope)
    return tuple(dict.fromkeys(parsed))


def new_client(
    store: ClientStore, name: str, issuer: str, scopes: Iterable[str], rate_limit: float
) -> tuple[ClientRecord, str]:
    """Create a client; return it and its key (shown once, never stored)."""
    key = generate_key()
    record = ClientRecord(
        0,
        name,
        hash_key(key),
        issuer.lower(),
        parse_scopes(scopes),
        rate_limit,
        False,
        int(time.time()),
    )
    return store.add_client(record), key


def authenticate(store: ClientStore, key: str | None) -> ClientRecord:
    """The client a key belongs to; ``UnauthenticatedError`` if missing, unknown or revoked."""
    if not key:
        raise UnauthenticatedError("send an API key as 'Authorization: Bearer <key>'")
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        raise UnauthenticatedError("malformed API key")
    client = store.client_by_key_hash(hash_key(key))
    if client is None:
        raise UnauthenticatedError("unknown API key")
    if client.revoked:
        raise UnauthenticatedError("this API key was revoked")
    return client
