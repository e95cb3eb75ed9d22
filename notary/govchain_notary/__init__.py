"""govchain notary: the FastAPI service that accepts digests and issues receipts."""

from govchain_core import recursion as _recursion

_recursion.apply()  # eth-account's py_ecc raises the limit past what C stacks survive
