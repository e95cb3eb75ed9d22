"""The QBFT subpackage's exceptions, under the node's root :class:`NodeError`.

::

    NodeError
    └── QbftError
        ├── DecodeError            bytes that are not a well-formed QBFT value
        │   └── ExtraDataError     a header extraData that is not Besu's QBFT layout (also an
        │                          :class:`~govchain_node.errors.InvalidBlockError`: the node's
        │                          callers see a bad header as a bad block, without an adapter)
        ├── EncodeError            a value that has no encoding (e.g. a negative scalar)
        └── QbftConfigError        a configuration the core refuses (timeouts, empty validators)

The state machine itself never raises on hostile input: a message that fails a check is
ignored and counted in :attr:`govchain_node.consensus.qbft.state.NodeState.ignored`. These
errors come from the codecs (the transport turns a :class:`DecodeError` into a dropped frame)
and from building a :class:`govchain_node.consensus.qbft.core.Config`.
"""

from __future__ import annotations

from govchain_node.errors import InvalidBlockError, NodeError


class QbftError(NodeError):
    """Root of every error raised by :mod:`govchain_node.consensus.qbft` and its header codec."""


class DecodeError(QbftError):
    """Input bytes are not a canonical encoding of the expected value."""


class ExtraDataError(DecodeError, InvalidBlockError):
    """A header ``extraData`` does not follow Besu's QBFT RLP layout."""


class EncodeError(QbftError):
    """A value cannot be encoded (a programming error in the caller, not hostile input)."""


class QbftConfigError(QbftError):
    """The core's configuration is inconsistent (e.g. timeouts, empty validator set)."""
