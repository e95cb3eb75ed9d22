"""Frame codes of the govchain p2p protocol (one byte each).

0x00-0x0f belong to the connection itself, 0x10-0x1f to gossip (QBFT keeps Besu's
0x12-0x15), 0x20-0x2f are reserved for block sync (request/response by height).
"""

from __future__ import annotations

HELLO = 0x00
AUTH = 0x01
PING = 0x02
PONG = 0x03
#: Sent once the peer's AUTH checked out: neither side counts the link before both agree.
READY = 0x04
TRANSACTION = 0x10
#: Besu's QBFT message codes (PROPOSAL, PREPARE, COMMIT, ROUND_CHANGE): the transport only
#: routes them, so it names the range rather than import the consensus core (a unit test
#: checks it against :mod:`govchain_node.consensus.qbft.messages`).
QBFT_CODES = frozenset(range(0x12, 0x16))
#: Codes the transport handles itself and never hands to the application.
CONNECTION_CODES = frozenset({HELLO, AUTH, PING, PONG, READY})
SYNC_FIRST, SYNC_LAST = 0x20, 0x2F
