"""Byte formats below the ledger, consensus and p2p layers, all pure (no py-evm, no I/O).

- :mod:`strict_rlp`: a minimal RLP writer and strict readers over :mod:`rlp`;
- :mod:`extra_data`: Besu's QBFT header ``extraData`` and the two header hashes QBFT derives
  from it (commit-seal hash, block hash), which the ledger needs as much as consensus does;
- :mod:`errors`: :class:`~errors.CodecError` and its tree.

They live here, not in :mod:`govchain_node.consensus`, so that the ledger can hash and check
headers without importing the package that drives it: consensus sits above the ledger.
"""
