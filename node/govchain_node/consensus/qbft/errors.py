"""The QBFT subpackage's exceptions, under the node's root :class:`NodeError`.

::

    NodeError
    └── QbftError
        └── QbftConfigError        a configuration the core refuses (timeouts, empty validators)

The state machine itself never raises on hostile input: a message that fails a check is
ignored and counted in :attr:`govchain_node.consensus.qbft.state.NodeState.ignored`. The
message codec raises the byte codecs' :class:`~govchain_node.codec.errors.DecodeError`
(the transport turns it into a dropped frame).
"""

from __future__ import annotations

from govchain_node.errors import NodeError


class QbftError(NodeError):
    """Root of every error raised by :mod:`govchain_node.consensus.qbft` itself."""


class QbftConfigError(QbftError):
    """The core's configuration is inconsistent (e.g. timeouts, empty validator set)."""
