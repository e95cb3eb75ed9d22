"""govchain chain node: py-evm execution, durable storage, JSON-RPC, QBFT consensus.

Public surface
--------------
- :func:`govchain_node.dev.start_dev_node` starts a ``--dev`` node in-process (own
  event loop in a thread) and returns a handle with ``rpc_url``, ``ws_url``,
  ``chain_id``, ``dev_accounts`` (funded, allow-listed) and ``stop()``;
- ``govchain node run --dev --data-dir DIR`` / ``python -m govchain_node run …`` run it
  as a process and print ``rpc listening on http://HOST:PORT`` (port 0 = any free port);
- :mod:`govchain_node.errors` holds the one exception tree.

Data directory
--------------
``genesis.json`` (chain id, validators, send allow-list, allocations),
``validator.key`` (mode 0600), ``dev-accounts.json`` (mode 0600, ``--dev`` only) and
``chaindata/`` (LMDB; one fsync'd transaction per block).

Module map
----------
``config`` settings · ``keys`` key files · ``genesis`` block 0 · ``vm`` the fork ·
``storage`` LMDB + block buffer · ``ordered_trie`` block tries · ``chain`` ledger (build,
commit, import, look-ups) · ``txpool`` admission and ordering · ``permissions`` who may
send · ``consensus`` sealing engines (``dev``) over the ``qbft`` package's extraData ·
``producer`` block timing · ``subscriptions`` push and poll notifications · ``rpc``
JSON-RPC (``protocol``, ``params``, ``methods``, ``server``) · ``service`` wiring ·
``dev`` in-process start · ``cli`` commands.

Client notes
------------
Headers carry Besu's QBFT extraData (longer than 32 bytes): web3.py needs
``ExtraDataToPOAMiddleware``, as with any Besu QBFT network. Gas price is zero.
"""

from govchain_core import recursion as _recursion
from govchain_node import _hashing as _hashing  # selects the keccak backend first

_recursion.apply()  # py-evm's py_ecc raises the limit past what C stacks survive
