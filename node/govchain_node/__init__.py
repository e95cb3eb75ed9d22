"""govchain chain node: py-evm execution, durable storage, JSON-RPC, QBFT consensus."""
