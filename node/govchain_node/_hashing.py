"""Select the fastest keccak backend before ``eth_hash`` is first imported.

``eth_hash`` picks its backend once, at first use; safe-pysha3 (C) is several times
faster than pycryptodome for the short inputs that dominate trie hashing.
"""

from __future__ import annotations

import os

os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")
