"""The proof core's exceptions, one root for all of them.

CoreError
├── DigestError            malformed or unsupported ``sha256:<hex>`` digest
├── CanonicalJSONError     a value RFC 8785 cannot represent (NaN, lone surrogate, …)
├── LeafRecordError        a leaf record that breaks the v1 rules
├── ProofError             a Merkle inclusion or consistency proof that does not verify
│                          (or a request for a proof the log cannot give)
├── TileError              a tile path that is not canonical, or tiles that cannot give
│                          the hashes asked for (missing, too narrow, malformed)
├── ChainError             the chain could not be read during verification
├── JsonLimitError         JSON input over a size or nesting limit (checked before parsing)
├── DeploymentError        a deployment description (registry addresses) that is unusable
├── _StepFailedError       a verification step that failed (private to ``verify``: it
│                          becomes a ``failed`` step, never leaves the verifier)
└── ReceiptError           a receipt file the strict decoder refuses
    ├── ReceiptSizeError       over the size limit
    ├── ReceiptSyntaxError     not JSON, duplicate keys, trailing data
    ├── ReceiptVersionError    unknown major version
    └── ReceiptFieldError      a field missing, of the wrong type or out of range;
                               ``.field`` names it as a JSON pointer
"""

from __future__ import annotations


class CoreError(Exception):
    """Root of every error the proof core raises on purpose."""


class DigestError(CoreError, ValueError):
    """A digest string or object is malformed or uses an unsupported algorithm."""


class CanonicalJSONError(CoreError, ValueError):
    """A value cannot be canonicalised under RFC 8785."""


class LeafRecordError(CoreError, ValueError):
    """A leaf record does not follow the v1 rules."""


class ProofError(CoreError, ValueError):
    """A Merkle proof does not verify, or cannot be produced for these sizes."""


class TileError(CoreError, ValueError):
    """A tile path is not canonical, or the tiles read cannot give the hashes asked for."""


class ChainError(CoreError):
    """The chain could not be read (node unreachable, unexpected answer).

    ``url`` names the node that could not be read, when the reader knows it.
    """

    url: str | None = None


class JsonLimitError(CoreError, ValueError):
    """JSON input is larger or nests deeper than the reader accepts."""


class DeploymentError(CoreError, ValueError):
    """A deployment description (contract addresses of a consortium) is unusable."""


class ReceiptError(CoreError, ValueError):
    """A receipt is refused by the strict decoder."""


class ReceiptSizeError(ReceiptError):
    """The receipt is larger than the decoder accepts."""


class ReceiptSyntaxError(ReceiptError):
    """The receipt is not a single, well-formed JSON object."""


class ReceiptVersionError(ReceiptError):
    """The receipt's major version is not one this decoder knows."""


class ReceiptFieldError(ReceiptError):
    """A receipt field is missing, has the wrong type, or is out of range."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
