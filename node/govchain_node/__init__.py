"""govchain chain node: py-evm execution, durable storage, JSON-RPC, QBFT consensus.

Public surface:

- :func:`govchain_node.dev.start_dev_node` starts a single-validator node in-process;
- ``python -m govchain_node run …`` / ``govchain node run …`` run it as a process;
- :mod:`govchain_node.errors` holds the one exception tree.
"""

from govchain_node import _hashing as _hashing
