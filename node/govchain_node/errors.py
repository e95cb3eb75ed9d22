"""The one exception tree of the chain node, QBFT and p2p included.

::

    NodeError
    ├── ConfigError                invalid configuration, refused at start-up
    │   └── ConsortiumError            a consortium description that cannot be used
    │                                  (``consensus.consortium``)
    ├── KeyFileError               a key file is missing, unreadable or has unsafe permissions
    ├── StorageError               the key-value store failed or holds inconsistent data
    ├── BlockError                 block building or import failed
    │   └── InvalidBlockError      a (sealed) block does not verify against our execution
    │       ├── SyncMessageError       a sync frame that is not a valid answer
    │       │                          (``consensus.sync``)
    │       └── ExtraDataError         a header extraData that is not Besu's QBFT layout
    │                                  (also a codec ``DecodeError``, see below)
    ├── TransactionRejectedError   the pool refused a transaction; str() is the standard text
    ├── ExecutionCancelledError    a call ran out of time (no EVM error: unwinds all frames)
    ├── CallError                  a read-only call failed: invalid call or EVM error
    │   └── CallRevertedError      the call reverted; carries the revert data
    ├── RpcReplyError              a JSON-RPC error object the server sends (code, message,
    │                              optional data); the SDK's ``RpcError`` is one received
    ├── SlowConsumer               a WebSocket sink whose queue is full (``rpc.subscriptions``;
    │                              a signal between sink and hub, never surfaced)
    ├── CodecError                 the byte codecs: RLP, header extraData, QBFT messages
    │   │                              (``codec.errors``)
    │   ├── DecodeError                bytes that are not a canonical encoding
    │   │   └── ExtraDataError             (also an ``InvalidBlockError``, above)
    │   └── EncodeError                a value that has no encoding
    ├── QbftError                  the QBFT core (``consensus.qbft.errors``)
    │   └── QbftConfigError            timeouts or validator set the core refuses
    └── P2pError                   the consortium network layer (``p2p.errors``)
        ├── FrameError                 bytes on a stream that are not a valid frame
        │   └── FrameTooLargeError         a frame above the negotiated size limit
        ├── HandshakeError             TLS identity or signed hello did not check out
        │   └── UnknownPeerError           an authenticated peer that is not on our list
        ├── CertificateError           CA / certificate material could not be made or read
        ├── ListenError                the listen address is taken or not ours
        └── PeerSettingsError          the [p2p] settings of node.toml are invalid

Third-party errors (lmdb, py-evm, rlp) are converted at the module that calls them.
"""

from __future__ import annotations


class NodeError(Exception):
    """Root of every error raised by ``govchain_node``."""


class ConfigError(NodeError):
    """The node configuration is invalid."""


class KeyFileError(NodeError):
    """A key file could not be loaded or stored safely."""


class StorageError(NodeError):
    """The key-value store failed."""


class BlockError(NodeError):
    """Building or importing a block failed."""


class InvalidBlockError(BlockError):
    """A block received for import does not match our own execution of it."""


class TransactionRejectedError(NodeError):
    """The transaction pool refused a transaction.

    ``str(error)`` is the standard message (``"nonce too low"`` …) clients match on.
    """


class ExecutionCancelledError(NodeError):
    """EVM execution was stopped from outside (the JSON-RPC call's time limit)."""


class CallError(NodeError):
    """A read-only call (``eth_call``, a gas estimate, the node's own reads) failed.

    ``str(error)`` is the text clients match on (``"intrinsic gas too low"`` …).
    """


class CallRevertedError(CallError):
    """The call reverted; ``output`` is the revert data (reason or custom error)."""

    def __init__(self, output: bytes) -> None:
        super().__init__("execution reverted")
        self.output = output


class RpcReplyError(NodeError):
    """A JSON-RPC error object (code, message, optional data)."""

    def __init__(self, code: int, message: str, data: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, object]:
        error: dict[str, object] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error
