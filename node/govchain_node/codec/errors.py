"""The byte codecs' exceptions, under the node's root :class:`NodeError`.

::

    NodeError
    └── CodecError
        ├── DecodeError            bytes that are not a canonical encoding of the expected value
        │   └── ExtraDataError     a header extraData that is not Besu's QBFT layout (also an
        │                          :class:`~govchain_node.errors.InvalidBlockError`: the node's
        │                          callers see a bad header as a bad block, without an adapter)
        └── EncodeError            a value that has no encoding (e.g. a negative scalar)

The QBFT message codec (:mod:`govchain_node.consensus.qbft.encoding`) raises these too; the
p2p transport turns a :class:`DecodeError` into a dropped frame.
"""

from __future__ import annotations

from govchain_node.errors import InvalidBlockError, NodeError


class CodecError(NodeError):
    """Root of every error raised by :mod:`govchain_node.codec` and the QBFT message codec."""


class DecodeError(CodecError):
    """Input bytes are not a canonical encoding of the expected value."""


class ExtraDataError(DecodeError, InvalidBlockError):
    """A header ``extraData`` does not follow Besu's QBFT RLP layout."""


class EncodeError(CodecError):
    """A value cannot be encoded (a programming error in the caller, not hostile input)."""
