"""The p2p layer's exception tree, under the node's root :class:`NodeError`.

::

    NodeError
    └── P2pError                     anything the consortium network layer refuses
        ├── FrameError               bytes on a stream that are not a valid frame
        │   └── FrameTooLargeError   a frame above the negotiated size limit
        ├── HandshakeError           TLS identity or signed hello did not check out
        │   └── UnknownPeerError     a well-authenticated peer that is not on our list
        ├── CertificateError         CA / certificate material could not be made or read
        ├── ListenError              the listen address is taken or not ours
        └── PeerSettingsError        the [p2p] settings of node.toml are invalid

Transport code catches these per connection: a bad peer costs one connection, never the
node. ``ssl``, ``OSError`` and ``cryptography`` errors are converted where they arise.
"""

from __future__ import annotations

from govchain_node.errors import NodeError


class P2pError(NodeError):
    """Root of every error raised by :mod:`govchain_node.p2p`."""


class FrameError(P2pError):
    """A stream carried bytes that do not form a valid frame."""


class FrameTooLargeError(FrameError):
    """A frame's declared length exceeds the limit; the stream cannot be resynchronised."""


class HandshakeError(P2pError):
    """The peer failed to prove its identity (certificate binding or hello signature)."""


class UnknownPeerError(HandshakeError):
    """The peer proved an identity, but that address is not a permitted peer."""


class CertificateError(P2pError):
    """Consortium CA or node certificate material is missing, invalid or unsafe."""


class ListenError(P2pError):
    """The transport could not bind its listen address."""


class PeerSettingsError(P2pError):
    """The p2p settings (peer list, ports, file paths) are invalid."""
