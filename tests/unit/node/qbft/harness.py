"""A hand-driven four-validator setup for unit tests of single rules."""

from __future__ import annotations

import dataclasses

from govchain_node.consensus.qbft import validators as vset
from govchain_node.consensus.qbft.core import Config, restore, step
from govchain_node.consensus.qbft.encoding import signing_hash
from govchain_node.consensus.qbft.events import Action, Event, NewChainHead
from govchain_node.consensus.qbft.messages import (
    P,
    PreparedRound,
    PreparePayload,
    RoundChangePayload,
    Signed,
)
from govchain_node.consensus.qbft.state import NodeState, Persisted
from govchain_node.signing import FakeKeyring, FakeSigner
from tests.simulation import blocks

PARENT_PROPOSER = b"\x00" * 20


@dataclasses.dataclass
class Validator:
    """One core plus the actions it returned last."""

    config: Config
    state: NodeState
    actions: tuple[Action, ...] = ()

    @property
    def address(self) -> bytes:
        return self.config.address

    def feed(self, event: Event) -> tuple[Action, ...]:
        self.state, self.actions = step(self.config, self.state, event)
        return self.actions


class Net:
    """n validators at height 1 (genesis proposer 0x00…, so round r's proposer is V[r % n])."""

    def __init__(
        self,
        n: int = 4,
        base_timeout: float = 1.0,
        max_timeout: float = 30.0,
        round_in_digest: bool = True,
    ) -> None:
        self.keyring = FakeKeyring()
        signers = [self.keyring.new_signer(bytes([i])) for i in range(n)]
        self.signers: dict[bytes, FakeSigner] = {s.address: s for s in signers}
        self.validators = vset.sort_validators(tuple(self.signers))
        self.head = [blocks.GENESIS_DIGEST]
        self.timeouts = (base_timeout, max_timeout)
        self.round_in_digest = round_in_digest
        self.nodes = [self.make(a) for a in self.validators]

    def make(self, address: bytes, persisted: Persisted | None = None) -> Validator:
        base, cap = self.timeouts
        ops = blocks.SimBlockOps(self.head, self.round_in_digest)
        cfg = Config(self.signers[address], self.keyring, ops, base_timeout=base, max_timeout=cap)
        node = Validator(cfg, restore(persisted))
        node.feed(NewChainHead(0, self.validators, PARENT_PROPOSER))
        return node

    def proposer(self, round_: int) -> Validator:
        return self.nodes[round_ % len(self.nodes)]

    def replica(self, round_: int, k: int = 1) -> Validator:
        return self.nodes[(round_ + k) % len(self.nodes)]

    def block(self, round_: int, payload: bytes = b"tx", height: int = 1) -> bytes:
        proposer = self.proposer(round_).address
        return blocks.make_block(height, self.head[0], proposer, payload, round_)

    def sign(self, who: Validator | bytes, payload: P) -> Signed[P]:
        address = who if isinstance(who, bytes) else who.address
        return Signed(payload, self.signers[address].sign(signing_hash(payload)))

    def digest(self, block: bytes) -> bytes:
        info = self.nodes[0].config.blocks.inspect(block) if self.nodes else None
        assert info is not None
        return info.digest

    def prepares(self, block: bytes, round_: int, k: int = 3) -> tuple[Signed[PreparePayload], ...]:
        digest = self.digest(block)
        return tuple(self.sign(v, PreparePayload(1, round_, digest)) for v in self.nodes[:k])

    def round_change(
        self, who: Validator, round_: int, prepared: PreparedRound | None = None
    ) -> Signed[RoundChangePayload]:
        return self.sign(who, RoundChangePayload(1, round_, prepared))
