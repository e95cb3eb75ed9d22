"""The consortium mesh: static, permissioned peers over mutually authenticated TLS.

A :class:`Transport` listens for peers and dials the static peers whose address sorts
above its own (so exactly one side of each pair dials, and a restarted node is redialled
by, or redials, every peer without duplicate-connection tie-breaks). A connection counts
only after three checks:

1. TLS 1.3 with a certificate from the consortium CA, valid now (OpenSSL);
2. the address bound in that certificate is a permitted peer: on the static list with the
   same role, or accepted by the ``extra_allowed`` hook (e.g. the current validator set);
   a dialled peer must also be the address we meant to reach;
3. the signed hello proves the peer holds that address's secp256k1 key (:mod:`hello`);
   each side then sends READY, so neither counts a link the other refused.

Frames from the application go through per-peer bounded queues (:mod:`connection`);
received frames reach ``on_message(address, code, payload)`` on the event loop. Dialling
retries with exponential back-off (``backoff_initial`` doubling up to ``backoff_max``,
with jitter), reset after every successful handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
from collections.abc import Callable, Collection, Coroutine

from govchain_node.p2p import codes
from govchain_node.p2p.connection import ConnectionLimits, PeerConnection, close_writer
from govchain_node.p2p.errors import (
    FrameError,
    FrameTooLargeError,
    HandshakeError,
    ListenError,
    P2pError,
    PeerSettingsError,
)
from govchain_node.p2p.framing import DEFAULT_MAX_FRAME_BYTES, Frame, read_frame, write_frame
from govchain_node.p2p.hello import Hello, check_peer, sign_auth
from govchain_node.p2p.identity import NodeIdentity, Role, identity_from_der
from govchain_node.p2p.tls import TlsCredentials, certificate_fingerprint
from govchain_node.signing import Recoverer, Secp256k1Recoverer, Signer

log = logging.getLogger(__name__)

MessageHandler = Callable[[bytes, int, bytes], None]
PeerHandler = Callable[[NodeIdentity, bool], None]
#: Handshake frames are tiny; never buffer more for them.
_HANDSHAKE_FRAME_BYTES = 256


@dataclasses.dataclass(frozen=True)
class PeerSpec:
    """A static peer: who it must be and where to reach it."""

    identity: NodeIdentity
    host: str
    port: int


@dataclasses.dataclass(frozen=True)
class TransportConfig:
    """Everything a transport needs; bounds validated once, here."""

    chain_id: int
    signer: Signer
    credentials: TlsCredentials
    listen_host: str = "127.0.0.1"
    listen_port: int = 0
    peers: tuple[PeerSpec, ...] = ()
    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
    send_queue_frames: int = 4096
    send_queue_bytes: int = 64 * 1024 * 1024
    #: Inbound connections past TLS but not yet through the hello; more are turned away.
    max_pending_handshakes: int = 64
    connect_timeout: float = 5.0
    handshake_timeout: float = 5.0
    ping_interval: float = 5.0
    idle_timeout: float = 20.0
    backoff_initial: float = 0.25
    backoff_max: float = 15.0

    def __post_init__(self) -> None:
        if self.signer.address != self.credentials.identity.address:
            raise PeerSettingsError("the signing key's address differs from the TLS identity")
        if not 0 <= self.listen_port <= 65535:
            raise PeerSettingsError("listen_port must be a TCP port (0 = any)")
        if self.max_frame_bytes < 1024 or self.send_queue_frames < 1:
            raise PeerSettingsError("max_frame_bytes >= 1024 and send_queue_frames >= 1")
        if self.send_queue_bytes < self.max_frame_bytes:
            raise PeerSettingsError("send_queue_bytes must hold at least one maximal frame")
        if self.max_pending_handshakes < 1:
            raise PeerSettingsError("max_pending_handshakes must be >= 1")
        if not 0 < self.ping_interval < self.idle_timeout:
            raise PeerSettingsError("need 0 < ping_interval < idle_timeout")
        if not 0 < self.backoff_initial <= self.backoff_max:
            raise PeerSettingsError("need 0 < backoff_initial <= backoff_max")
        if self.connect_timeout <= 0 or self.handshake_timeout <= 0:
            raise PeerSettingsError("timeouts must be positive")
        addresses = [p.identity.address for p in self.peers]
        if len(set(addresses)) != len(addresses):
            raise PeerSettingsError("a peer is listed twice")
        if self.identity.address in addresses:
            raise PeerSettingsError("a node cannot list itself as a peer")

    @property
    def identity(self) -> NodeIdentity:
        return self.credentials.identity

    @property
    def limits(self) -> ConnectionLimits:
        return ConnectionLimits(
            self.max_frame_bytes,
            self.send_queue_frames,
            self.ping_interval,
            self.idle_timeout,
            self.send_queue_bytes,
        )


@dataclasses.dataclass(frozen=True)
class PeerStatus:
    """A snapshot of one peer, for ``net_peerCount``, admin RPC and ``consortium status``."""

    address: bytes
    role: Role | None
    endpoint: str | None
    connected: bool
    outbound: bool | None
    connected_since: float | None
    frames_sent: int
    frames_received: int
    frames_dropped: int
    connects: int
    last_error: str


def backoff_delays(initial: float, maximum: float) -> Callable[[], float]:
    """Successive waits: ``initial`` doubling up to ``maximum``, each with ±25 % jitter."""
    current = initial

    def next_delay() -> float:
        nonlocal current
        delay = current * random.uniform(0.75, 1.25)
        current = min(current * 2, maximum)
        return min(delay, maximum)

    return next_delay


class Transport:
    """See the module docstring. All methods must be called on the transport's loop."""

    def __init__(
        self,
        config: TransportConfig,
        on_message: MessageHandler,
        *,
        on_peer: PeerHandler | None = None,
        extra_allowed: Callable[[NodeIdentity], bool] | None = None,
        recoverer: Recoverer | None = None,
    ) -> None:
        self.config = config
        self._on_message = on_message
        self._on_peer = on_peer
        self._extra_allowed = extra_allowed
        self._recoverer = recoverer or Secp256k1Recoverer()
        self._static = {p.identity.address: p for p in config.peers}
        self._connections: dict[bytes, PeerConnection] = {}
        self._connects: dict[bytes, int] = {}
        self._errors: dict[bytes, str] = {}
        self._changed = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._running = False
        self._pending_handshakes = 0
        self.port: int | None = None

    # ------------------------------------------------------------------ public API

    @property
    def address(self) -> bytes:
        return self.config.identity.address

    async def start(self) -> int:
        """Listen and start dialling; returns the bound port."""
        try:
            self._server = await asyncio.start_server(
                self._accept,
                self.config.listen_host,
                self.config.listen_port,
                ssl=self.config.credentials.server,
                ssl_handshake_timeout=self.config.handshake_timeout,
            )
        except OSError as exc:
            where = f"{self.config.listen_host}:{self.config.listen_port}"
            raise ListenError(f"cannot listen for peers on {where}: {exc}") from exc
        self._running = True
        self.port = int(self._server.sockets[0].getsockname()[1])
        for spec in self.config.peers:
            if self.address < spec.identity.address:
                self._spawn(self._dial_loop(spec), f"p2p-dial-{spec.identity.hex_address}")
        return self.port

    async def stop(self) -> None:
        """Close the listener and every connection; bounded by a few seconds."""
        self._running = False
        if self._server is not None:
            self._server.close()
        for connection in list(self._connections.values()):
            connection.close("transport stopped")
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5.0)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            self._server = None

    def send(self, address: bytes, code: int, payload: bytes) -> bool:
        """Queue one frame for one peer; ``False`` if not connected or its queue is full.

        Raises :class:`FrameTooLargeError` for a payload above ``max_frame_bytes`` and
        ``ValueError`` for the connection's own codes (0x00-0x04).
        """
        frame = self._frame(code, payload)
        connection = self._connections.get(address)
        return connection is not None and connection.enqueue(frame)

    def broadcast(
        self,
        code: int,
        payload: bytes,
        *,
        exclude: Collection[bytes] = (),
        role: Role | None = None,
    ) -> int:
        """Queue a frame for every connected peer (optionally of one role); returns how many."""
        frame = self._frame(code, payload)
        sent = 0
        for address, connection in list(self._connections.items()):
            if address in exclude or (role is not None and connection.identity.role != role):
                continue
            sent += connection.enqueue(frame)
        return sent

    def _frame(self, code: int, payload: bytes) -> Frame:
        """A frame every peer will accept; oversize local frames are a caller error."""
        if code in codes.CONNECTION_CODES:
            raise ValueError(f"frame code {code:#04x} belongs to the connection protocol")
        if 1 + len(payload) > self.config.max_frame_bytes:
            raise FrameTooLargeError(
                f"{len(payload)}-byte payload exceeds max_frame_bytes {self.config.max_frame_bytes}"
            )
        return Frame(code, payload)

    def connected_peers(self) -> list[NodeIdentity]:
        return [c.identity for c in self._connections.values()]

    def peer_status(self) -> list[PeerStatus]:
        """Every static peer plus any other connected peer, sorted by address."""
        addresses = sorted(set(self._static) | set(self._connections))
        result = []
        for address in addresses:
            connection = self._connections.get(address)
            spec = self._static.get(address)
            role = connection.identity.role if connection else spec.identity.role if spec else None
            result.append(
                PeerStatus(
                    address=address,
                    role=role,
                    endpoint=f"{spec.host}:{spec.port}" if spec else None,
                    connected=connection is not None,
                    outbound=connection.outbound if connection else None,
                    connected_since=connection.since if connection else None,
                    frames_sent=connection.stats.frames_sent if connection else 0,
                    frames_received=connection.stats.frames_received if connection else 0,
                    frames_dropped=connection.stats.frames_dropped if connection else 0,
                    connects=self._connects.get(address, 0),
                    last_error=self._errors.get(address, ""),
                )
            )
        return result

    def revalidate(self) -> int:
        """Drop peers no longer permitted (call after the validator set changed)."""
        dropped = 0
        for connection in list(self._connections.values()):
            if not self.is_permitted(connection.identity):
                connection.close("no longer a permitted peer")
                dropped += 1
        return dropped

    def is_permitted(self, identity: NodeIdentity) -> bool:
        """Static peer with the same role, or accepted by the ``extra_allowed`` hook."""
        spec = self._static.get(identity.address)
        if spec is not None and spec.identity.role == identity.role:
            return True
        return self._extra_allowed is not None and self._extra_allowed(identity)

    async def wait_connected(self, count: int, timeout: float) -> None:
        """Wait until ``count`` peers are connected; :class:`TimeoutError` after ``timeout``."""
        async with asyncio.timeout(timeout):
            while len(self._connections) < count:
                self._changed.clear()
                await self._changed.wait()

    # ------------------------------------------------------------------ internals

    def _spawn(self, coroutine: Coroutine[None, None, None], name: str) -> None:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _notify(self) -> None:
        self._changed.set()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:  # so that stop() can cancel inbound sessions too
            self._tasks.add(task)
        try:
            if self._pending_handshakes >= self.config.max_pending_handshakes:
                log.warning(
                    "too many pending handshakes; refusing %s", writer.get_extra_info("peername")
                )
                writer.transport.abort()
                return
            self._pending_handshakes += 1
            try:
                connection = await self._handshake(reader, writer, expected=None)
            except (P2pError, OSError, TimeoutError) as exc:
                log.info("refused inbound %s: %s", writer.get_extra_info("peername"), exc)
                await close_writer(writer)
                return
            finally:
                self._pending_handshakes -= 1
            await self._serve(connection)
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def _dial_loop(self, spec: PeerSpec) -> None:
        address = spec.identity.address
        next_delay = backoff_delays(self.config.backoff_initial, self.config.backoff_max)
        while self._running:
            if address in self._connections:  # it dialled us (e.g. after our restart)
                self._changed.clear()
                await self._changed.wait()
                continue
            try:
                async with asyncio.timeout(self.config.connect_timeout):
                    reader, writer = await asyncio.open_connection(
                        spec.host,
                        spec.port,
                        ssl=self.config.credentials.client,
                        ssl_handshake_timeout=self.config.handshake_timeout,
                    )
            except (OSError, TimeoutError) as exc:
                self._errors[address] = f"connect failed: {exc!r}"
            else:
                try:
                    connection = await self._handshake(reader, writer, expected=spec.identity)
                except (P2pError, OSError, TimeoutError) as exc:
                    self._errors[address] = f"handshake failed: {exc!r}"
                    log.info("handshake with %s failed: %s", spec.identity.hex_address, exc)
                    await close_writer(writer)
                else:
                    next_delay = backoff_delays(
                        self.config.backoff_initial, self.config.backoff_max
                    )
                    await self._serve(connection)
            if self._running:
                await asyncio.sleep(next_delay())

    async def _handshake(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        expected: NodeIdentity | None,
    ) -> PeerConnection:
        async with asyncio.timeout(self.config.handshake_timeout):
            ssl_object = writer.get_extra_info("ssl_object")
            der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
            if not der:
                raise HandshakeError("peer presented no certificate")
            identity = identity_from_der(der)
            if expected is not None and identity != expected:
                raise HandshakeError(
                    f"dialled {expected.uri} but the certificate binds {identity.uri}"
                )
            if not self.is_permitted(identity):
                raise HandshakeError(f"{identity.uri} is not a permitted peer")
            own = Hello.fresh(self.config.chain_id, self.address)
            await write_frame(writer, Frame(codes.HELLO, own.encode()))
            peer = Hello.decode(await self._expect(reader, codes.HELLO))
            signature = sign_auth(
                self.config.signer,
                self.config.chain_id,
                self.config.credentials.fingerprint,
                own,
                peer,
            )
            await write_frame(writer, Frame(codes.AUTH, signature))
            check_peer(
                self._recoverer,
                chain_id=self.config.chain_id,
                expected_address=identity.address,
                peer_fingerprint=certificate_fingerprint(der),
                own=own,
                peer=peer,
                signature=await self._expect(reader, codes.AUTH),
            )
            await write_frame(writer, Frame(codes.READY, b""))
            await self._expect(reader, codes.READY)
        return PeerConnection(
            identity, reader, writer, outbound=expected is not None, limits=self.config.limits
        )

    @staticmethod
    async def _expect(reader: asyncio.StreamReader, code: int) -> bytes:
        frame = await read_frame(reader, _HANDSHAKE_FRAME_BYTES)
        if frame is None:
            raise HandshakeError("peer closed the connection during the handshake")
        if frame.code != code:
            raise FrameError(f"expected frame {code:#04x} in the handshake, got {frame.code:#04x}")
        return frame.payload

    async def _serve(self, connection: PeerConnection) -> None:
        address = connection.identity.address
        if not self._running:
            await close_writer(connection.writer)
            return
        previous = self._connections.get(address)
        if previous is not None:  # the peer restarted before we noticed the old link die
            previous.close("replaced by a newer connection")
        self._connections[address] = connection
        self._connects[address] = self._connects.get(address, 0) + 1
        self._errors.pop(address, None)
        log.info("peer %s connected", connection.identity.uri)
        self._report(connection.identity, True)

        def deliver(frame: Frame) -> None:
            try:
                self._on_message(address, frame.code, frame.payload)
            except Exception:
                log.exception("message handler failed on frame %#04x", frame.code)

        try:
            await connection.run(deliver)
        finally:
            if self._connections.get(address) is connection:
                del self._connections[address]
                self._errors[address] = connection.close_reason
                log.info(
                    "peer %s disconnected: %s", connection.identity.uri, connection.close_reason
                )
                self._report(connection.identity, False)

    def _report(self, identity: NodeIdentity, connected: bool) -> None:
        self._notify()
        if self._on_peer is not None:
            try:
                self._on_peer(identity, connected)
            except Exception:
                log.exception("peer handler failed")
