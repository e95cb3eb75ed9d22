"""The one exception tree of the QBFT subpackage.

::

    QbftError
    ├── DecodeError            bytes that are not a well-formed QBFT value
    │   └── ExtraDataError     a header extraData that is not Besu's QBFT layout (also an
    │                          :class:`~govchain_node.errors.InvalidBlockError`: the node's
    │                          callers see a bad header as a bad block, without an adapter)
    ├── EncodeError            a value that has no encoding (e.g. a negative scalar)
    └── ConfigError            a configuration the core refuses (timeouts, empty validator set)

The state machine itself never raises on hostile input: a message that fails a check is
ignored and counted in :attr:`govchain_node.consensus.qbft.state.NodeState.ignored`. These
errors come from the codecs (the transport turns a :class:`DecodeError` into a dropped frame)
and from building a :class:`govchain_node.consensus.qbft.core.Config`.
"""

from __future__ import annotations

from govchain_node.errors import InvalidBlockError


class QbftError(Exception):
    """Root of every error raised by :mod:`govchain_node.consensus.qbft` and its header codec."""


class DecodeError(QbftError):
    """Input bytes are not a canonical encoding of the expected value."""


class ExtraDataError(DecodeError, InvalidBlockError):
    """A header ``extraData`` does not follow Besu's QBFT RLP layout."""


class EncodeError(QbftError):
    """A value cannot be encoded (a programming error in the caller, not hostile input)."""


class ConfigError(QbftError):
    """The core's configuration is inconsistent (e.g. timeouts, empty validator set)."""
