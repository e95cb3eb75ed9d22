"""Chain adapters: the chain interfaces (base), an in-memory/file dev chain, web3.py."""
