"""Ethereum JSON-RPC 2.0: envelope handling, methods, and the HTTP/WebSocket server."""
