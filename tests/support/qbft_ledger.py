"""Four validators with fixed keys, their genesis and their commit seals, for ledger tests."""

from __future__ import annotations

from eth.abc import BlockHeaderAPI

from govchain_node.consensus.seals import seal_digest
from govchain_node.genesis import GenesisSpec
from govchain_node.keys import Account

VALIDATORS = sorted(
    (Account.from_private_key(bytes([i]) * 32) for i in range(1, 5)), key=lambda a: a.address
)


def genesis() -> GenesisSpec:
    return GenesisSpec(
        chain_id=1337,
        timestamp=1_700_000_000,
        gas_limit=30_000_000,
        validators=tuple(v.address for v in VALIDATORS),
        allow_list=(),
        alloc={},
    )


def seals_of(header: BlockHeaderAPI, signers: list[Account]) -> tuple[bytes, ...]:
    digest = seal_digest(header)
    return tuple(signer.sign_hash(digest) for signer in signers)
