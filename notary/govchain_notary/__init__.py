"""govchain notary: the FastAPI service that accepts digests and issues receipts."""
