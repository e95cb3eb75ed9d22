"""govchain proof core.

Everything a receipt's meaning depends on lives here: digests, leaf records, the
RFC 9162 Merkle log, receipts v1 and their verifier.  The notary, the SDK, the CLI,
the contracts' tests and the browser verifier all agree with this package, and it
imports nothing but the Python standard library, so that auditors can read it alone.

Formats fenced off here must never change meaning once a receipt has been issued
with them; new behaviour gets a new version tag instead.
"""

__version__ = "0.1.0"
