"""Chain adapters: the ``Anchorer`` interface, an in-memory/file dev chain, web3.py."""
