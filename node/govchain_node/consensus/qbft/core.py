"""The QBFT consensus core: ``step(config, state, event) -> (state, actions)``.

Pure by construction: no clock, no sockets, no threads, no py-evm. Time arrives as
:class:`~.events.RoundTimerExpired`, the network as :class:`~.events.MessageReceived`, the
chain as :class:`~.events.NewChainHead`; the core answers with actions the node performs.
The same function runs in the node and, thousands of times per second, in the simulator
of ``tests/simulation``; that is why it is pure.

Rules (ConsenSys QBFT spec / Besu):

- quorum ``⌈2n/3⌉``, ``f = ⌊(n-1)/3⌋``;
- round 0 starts on a new chain head; the round's proposer requests a block, proposes it,
  every validator that accepts the proposal broadcasts PREPARE (the proposer too);
- a quorum of PREPAREs for the accepted digest → *prepared*: persist the certificate, then
  broadcast COMMIT with a commit seal over the block's commit-seal hash;
- a quorum of COMMITs with valid seals for the accepted digest → :class:`CommitBlock`;
- round timer ``min(base × 2^round, cap)``; on expiry move to ``round + 1`` and broadcast a
  ROUND-CHANGE carrying the prepared certificate, if any;
- ``f + 1`` validators in rounds above ours → jump to the lowest round that ``f + 1`` of
  them have reached (they cannot all be faulty);
- a quorum of ROUND-CHANGEs for our round and we are its proposer → propose: the block of
  the highest prepared certificate among them (with the new round written into it), or a
  fresh block; piggyback the round changes and that certificate's PREPAREs;
- a proposal for round > 0 is accepted only with such a justification (checked here,
  signature by signature); a justified proposal for a future round moves us there.

Block validity (execution) is the node's: an injected :class:`BlockOps` answers it as a
function of the block and the node's current head. The core never raises on bad input;
it counts the reason in :attr:`NodeState.ignored`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from types import MappingProxyType
from typing import Protocol

from govchain_node.consensus.qbft import validators as vset
from govchain_node.consensus.qbft.encoding import signing_hash
from govchain_node.consensus.qbft.errors import QbftConfigError
from govchain_node.consensus.qbft.events import (
    Action,
    BlockCandidate,
    Broadcast,
    CommitBlock,
    Event,
    MessageReceived,
    NewChainHead,
    Persist,
    RequestBlock,
    RoundTimerExpired,
    StartRoundTimer,
)
from govchain_node.consensus.qbft.messages import (
    Commit,
    CommitPayload,
    Message,
    P,
    Payload,
    Prepare,
    PreparedRound,
    PreparePayload,
    Proposal,
    ProposalPayload,
    RoundChange,
    RoundChangePayload,
    Signed,
)
from govchain_node.consensus.qbft.state import (
    AcceptedProposal,
    NodeState,
    Persisted,
    PreparedCertificate,
)
from govchain_node.signing import Recoverer, Signer


@dataclasses.dataclass(frozen=True, slots=True)
class BlockInfo:
    """What the core needs to know about an opaque block."""

    height: int
    round: int
    digest: bytes
    """The hash PREPARE/COMMIT/ROUND-CHANGE name. Besu: the header hash without seals, round
    included (so equal to ``seal_hash``); the round-free on-chain hash works as well."""
    seal_hash: bytes
    """Commit-seal hash: seals excluded, round included."""
    proposer: bytes | None = None
    """The block's coinbase, if known; a fresh (not re-proposed) block must name its proposer."""


class BlockOps(Protocol):
    """The node's view of blocks, injected into the core. All three must be deterministic
    functions of their arguments and the node's current chain head."""

    def inspect(self, block: bytes) -> BlockInfo | None:
        """Height, round and hashes of ``block``; ``None`` if it cannot be decoded."""

    def with_round(self, block: bytes, round_: int) -> bytes:
        """``block`` with ``round_`` written into its extraData (for re-proposals)."""

    def is_valid(self, block: bytes) -> bool:
        """Whether ``block`` is a valid child of the current head (executes it)."""


@dataclasses.dataclass(frozen=True)
class Config:
    """Static per-validator configuration (not state: it never changes between steps)."""

    signer: Signer
    recoverer: Recoverer
    blocks: BlockOps
    base_timeout: float = 1.0
    max_timeout: float = 30.0
    future_rounds: int = 64
    """PROPOSAL/PREPARE/COMMIT further ahead are ignored (bounds memory; ROUND-CHANGEs are
    bounded by keeping one per validator)."""
    quorum: Callable[[int], int] = vset.quorum
    """Test-only hook: the simulator lowers it to prove its safety check can fail."""

    def __post_init__(self) -> None:
        if not 0 < self.base_timeout <= self.max_timeout:
            raise QbftConfigError("need 0 < base_timeout <= max_timeout")
        if self.future_rounds < 1:
            raise QbftConfigError("future_rounds must be at least 1")

    @property
    def address(self) -> bytes:
        return self.signer.address


def round_timeout(config: Config, round_: int) -> float:
    """``base × 2^round``, capped at ``max_timeout``."""
    if round_ >= 64:
        return config.max_timeout
    return min(config.base_timeout * (1 << round_), config.max_timeout)


def restore(persisted: Persisted | None) -> NodeState:
    """The initial state of a (re)started validator; idle until the first chain head."""
    return NodeState(resume=persisted)


class _Step:
    """Accumulates one step's actions while the state is replaced, never mutated."""

    def __init__(self, config: Config, state: NodeState) -> None:
        self.config = config
        self.state = state
        self.actions: list[Action] = []

    # ------------------------------------------------------------------ bookkeeping
    def ignore(self, reason: str) -> None:
        counts = dict(self.state.ignored)
        counts[reason] = counts.get(reason, 0) + 1
        self.update(ignored=MappingProxyType(counts))

    def update(self, **changes: object) -> None:
        self.state = dataclasses.replace(self.state, **changes)  # type: ignore[arg-type]

    def update_round(self, round_: int, **changes: object) -> None:
        rounds = dict(self.state.rounds)
        rounds[round_] = dataclasses.replace(self.state.round_state(round_), **changes)  # type: ignore[arg-type]
        self.update(rounds=MappingProxyType(rounds))

    def persist(self) -> None:
        self.actions.append(Persist(self.state.persisted()))

    def quorum(self) -> int:
        return self.config.quorum(len(self.state.validators))

    def proposer_of(self, round_: int) -> bytes:
        return vset.proposer(self.state.validators, self.state.parent_proposer, round_)

    def sign(self, payload: P) -> Signed[P]:
        return Signed(payload, self.config.signer.sign(signing_hash(payload)))

    def author(self, payload: Payload, signature: bytes) -> bytes | None:
        """The validator that signed ``payload``, or ``None`` (counted) if none did."""
        who = self.config.recoverer.recover(signing_hash(payload), signature)
        if who is None:
            self.ignore("bad-signature")
            return None
        if who not in self.state.validators:
            self.ignore("non-validator")
            return None
        return who

    def valid_signed(
        self, items: Iterable[Signed[P]], check: Callable[[P], bool]
    ) -> dict[bytes, Signed[P]]:
        """First well-signed item per validator among ``items`` whose payload passes ``check``."""
        found: dict[bytes, Signed[P]] = {}
        for signed in items:
            if not check(signed.payload):
                continue
            who = self.config.recoverer.recover(signing_hash(signed.payload), signed.signature)
            if who is not None and who in self.state.validators and who not in found:
                found[who] = signed
        return found

    def broadcast(self, message: Message) -> None:
        self.actions.append(Broadcast(message))
        self.on_message(message, self.config.address)

    # ------------------------------------------------------------------ heights and rounds
    def start_height(self, head: NewChainHead) -> None:
        resume = self.state.resume
        self.state = NodeState(
            height=head.height + 1,
            validators=vset.sort_validators(head.validators),  # Besu orders them by address
            parent_proposer=head.proposer,
            ignored=self.state.ignored,
        )
        if self.config.address not in head.validators:
            return  # a follower: tracks the height, never signs
        if resume is not None and resume.height == self.state.height:
            # Never sign again in a round entered before the crash: resume one round later.
            self.update(prepared=resume.prepared, round=resume.round)
            self.move_to_round(resume.round + 1)
            return
        self.persist()
        self.actions.append(StartRoundTimer(self.state.height, 0, round_timeout(self.config, 0)))
        if self.proposer_of(0) == self.config.address:
            self.request_block(0, ())

    def move_to_round(self, round_: int) -> None:
        """Enter ``round_`` (> current): persist, announce it with a ROUND-CHANGE, time it.

        Earlier rounds without an accepted proposal are dropped: nothing in them can be
        finalised by this node any more, and keeping them would let a faulty validator
        grow the state one round at a time.
        """
        kept = {r: rs for r, rs in self.state.rounds.items() if r >= round_ or rs.accepted}
        self.update(round=round_, rounds=MappingProxyType(kept))
        self.persist()
        prepared = self.state.prepared
        metadata = None if prepared is None else PreparedRound(prepared.round, prepared.digest)
        signed = self.sign(RoundChangePayload(self.state.height, round_, metadata))
        if prepared is None:
            message = RoundChange(signed)
        else:
            message = RoundChange(signed, prepared.block, prepared.prepares)
        self.actions.append(
            StartRoundTimer(self.state.height, round_, round_timeout(self.config, round_))
        )
        self.broadcast(message)

    def request_block(
        self, round_: int, justification: tuple[Signed[RoundChangePayload], ...]
    ) -> None:
        self.update_round(round_, requested=justification)
        self.actions.append(RequestBlock(self.state.height, round_))

    # ------------------------------------------------------------------ proposing
    def propose(
        self,
        block: bytes,
        rcs: tuple[Signed[RoundChangePayload], ...],
        prepares: tuple[Signed[PreparePayload], ...],
    ) -> None:
        round_ = self.state.round
        self.update_round(round_, proposed=True)
        signed = self.sign(ProposalPayload(self.state.height, round_, block))
        self.broadcast(Proposal(signed, rcs, prepares))

    def on_candidate(self, event: BlockCandidate) -> None:
        rs = self.state.round_state(event.round)
        if (event.height, event.round) != (self.state.height, self.state.round):
            self.ignore("stale-candidate")
            return
        if rs.requested is None or rs.proposed or self.state.finalised:
            self.ignore("unrequested-candidate")
            return
        info = self.config.blocks.inspect(event.block)
        if info is None or (info.height, info.round) != (event.height, event.round):
            self.ignore("bad-candidate")
            return
        self.propose(event.block, rs.requested, ())

    def maybe_propose_after_round_change(self) -> None:
        state = self.state
        round_ = state.round
        rs = state.round_state(round_)
        if round_ == 0 or rs.proposed or rs.requested is not None or state.finalised:
            return
        if self.proposer_of(round_) != self.config.address:
            return
        rcs = [rc for rc in state.round_changes.values() if rc.signed.payload.round == round_]
        if len(rcs) < self.quorum():
            return
        justification = tuple(rc.signed for rc in rcs)
        best = _highest_prepared(rcs)
        if best is None or best.prepared_block is None:
            self.request_block(round_, justification)
            return
        block = self.config.blocks.with_round(best.prepared_block, round_)
        self.propose(block, justification, best.prepares)

    # ------------------------------------------------------------------ messages
    def on_message(self, message: Message, sender: bytes | None = None) -> None:
        """Apply one message; ``sender`` is given for our own (already trusted) messages."""
        payload = message.signed.payload
        if self.state.height == 0 or payload.height != self.state.height:
            self.ignore("wrong-height")
            return
        if self.state.finalised:
            self.ignore("height-finalised")
            return
        far = payload.round > self.state.round + self.config.future_rounds
        if far and not isinstance(message, RoundChange):
            self.ignore("round-too-far")  # round changes are bounded by one per validator
            return
        author = sender if sender is not None else self.author(payload, message.signed.signature)
        if author is None:
            return
        if isinstance(message, Proposal):
            self.on_proposal(message, author, trusted=sender is not None)
        elif isinstance(message, Prepare):
            self.on_prepare(message.signed, author)
        elif isinstance(message, Commit):
            self.on_commit(message.signed.payload, author)
        else:
            self.on_round_change(message, author, trusted=sender is not None)

    def on_proposal(self, message: Proposal, author: bytes, trusted: bool) -> None:
        payload = message.signed.payload
        round_ = payload.round
        if round_ < self.state.round:
            self.ignore("old-round")
            return
        if author != self.proposer_of(round_):
            self.ignore("not-proposer")
            return
        if self.state.round_state(round_).accepted is not None:
            self.ignore("duplicate-proposal")
            return
        info = self.config.blocks.inspect(payload.block)
        if info is None or (info.height, info.round) != (payload.height, round_):
            self.ignore("bad-block")
            return
        if not trusted and not self.justified(message, info, author):
            self.ignore("unjustified-proposal")
            return
        if not trusted and not self.config.blocks.is_valid(payload.block):
            self.ignore("invalid-block")
            return
        if round_ > self.state.round:
            self.move_to_round(round_)
            if self.state.round != round_ or self.state.finalised:
                return
        self.accept(message, info)

    def accept(self, message: Proposal, info: BlockInfo) -> None:
        round_ = message.signed.payload.round
        accepted = AcceptedProposal(message, info.digest, info.seal_hash)
        early = self.state.round_state(round_).commits
        checked = {w: c for w, c in early.items() if self._seal_ok(accepted, c, w)}
        if len(checked) < len(early):
            self.ignore("bad-seal")
        self.update_round(round_, accepted=accepted, commits=MappingProxyType(checked))
        self.broadcast(Prepare(self.sign(PreparePayload(self.state.height, round_, info.digest))))
        self.check_committed(round_)

    def justified(self, message: Proposal, info: BlockInfo, author: bytes) -> bool:
        """Round 0: no justification. Round r > 0: a quorum of ROUND-CHANGEs for r; if any of
        them prepared, the block is the highest-prepared one and a quorum of PREPAREs proves
        it; otherwise the block is fresh, like a round-0 block."""
        payload = message.signed.payload
        if payload.round == 0:
            return not message.round_changes and not message.prepares and _fresh(info, author)
        height, round_ = payload.height, payload.round

        def for_round(rc: RoundChangePayload) -> bool:
            prepared_ok = rc.prepared is None or rc.prepared.round < round_
            return rc.height == height and rc.round == round_ and prepared_ok

        valid = self.valid_signed(message.round_changes, for_round)
        if len(valid) < self.quorum():
            return False
        prepared = [s.payload.prepared for s in valid.values() if s.payload.prepared is not None]
        if not prepared:
            return not message.prepares and _fresh(info, author)
        if len({p.round for p in prepared}) != len(set(prepared)):
            return False  # two digests prepared in one round: only faulty validators sign that
        best = max(prepared, key=lambda p: p.round)
        if self.digest_in_round(payload.block, best.round) != best.digest:
            return False
        return self.certifies(message.prepares, height, best)

    def digest_in_round(self, block: bytes, round_: int) -> bytes | None:
        """The digest ``block`` had when proposed in ``round_``: a re-proposal carries the new
        round, and Besu's digest (header hash without seals, round included, the default)
        binds it, so the prepared round is substituted back before comparing. With
        round-free digests this is the block's own digest."""
        blocks = self.config.blocks
        info = blocks.inspect(blocks.with_round(block, round_))
        return None if info is None else info.digest

    def certifies(
        self, prepares: Iterable[Signed[PreparePayload]], height: int, target: PreparedRound
    ) -> bool:
        """Whether ``prepares`` hold a quorum of distinct validators' PREPAREs for ``target``."""

        def matches(p: PreparePayload) -> bool:
            return (p.height, p.round, p.digest) == (height, target.round, target.digest)

        return len(self.valid_signed(prepares, matches)) >= self.quorum()

    def on_prepare(self, signed: Signed[PreparePayload], author: bytes) -> None:
        round_ = signed.payload.round
        rs = self.state.round_state(round_)
        if round_ < self.state.round:
            self.ignore("old-round")
            return
        if author in rs.prepares:
            self.ignore("duplicate-prepare")
            return
        prepares = dict(rs.prepares)
        prepares[author] = signed
        self.update_round(round_, prepares=MappingProxyType(prepares))
        self.check_prepared(round_)

    def check_prepared(self, round_: int) -> None:
        rs = self.state.round_state(round_)
        if rs.accepted is None or rs.sent_commit or round_ != self.state.round:
            return
        digest = rs.accepted.digest
        matching = tuple(p for p in rs.prepares.values() if p.payload.digest == digest)
        if len(matching) < self.quorum():
            return
        block = rs.accepted.proposal.signed.payload.block
        self.update(prepared=PreparedCertificate(round_, digest, block, matching))
        self.update_round(round_, sent_commit=True)
        self.persist()
        seal = self.config.signer.sign(rs.accepted.seal_hash)
        self.broadcast(Commit(self.sign(CommitPayload(self.state.height, round_, digest, seal))))

    def on_commit(self, payload: CommitPayload, author: bytes) -> None:
        rs = self.state.round_state(payload.round)
        if author in rs.commits:
            self.ignore("duplicate-commit")
            return
        if rs.accepted is not None and not self._seal_ok(rs.accepted, payload, author):
            self.ignore("bad-seal")
            return
        commits = dict(rs.commits)
        commits[author] = payload
        self.update_round(payload.round, commits=MappingProxyType(commits))
        self.check_committed(payload.round)

    def _seal_ok(self, accepted: AcceptedProposal, payload: CommitPayload, author: bytes) -> bool:
        if payload.digest != accepted.digest:
            return True  # a commit for another block: kept, never counted for ours
        return self.config.recoverer.recover(accepted.seal_hash, payload.seal) == author

    def check_committed(self, round_: int) -> None:
        rs = self.state.round_state(round_)
        if rs.accepted is None or self.state.finalised:
            return
        accepted = rs.accepted
        # Every stored commit for the accepted digest had its seal checked (on arrival, or
        # when the proposal was accepted).
        seals = {who: c.seal for who, c in rs.commits.items() if c.digest == accepted.digest}
        if len(seals) < self.quorum():
            return
        ordered = tuple(seals[who] for who in sorted(seals))
        self.update(finalised=True)
        block = accepted.proposal.signed.payload.block
        self.actions.append(CommitBlock(self.state.height, round_, block, ordered))

    def on_round_change(self, message: RoundChange, author: bytes, trusted: bool) -> None:
        payload = message.signed.payload
        previous = self.state.round_changes.get(author)
        if previous is not None and previous.signed.payload.round >= payload.round:
            self.ignore("stale-round-change")
            return
        if payload.round == 0 or (not trusted and not self.round_change_valid(message)):
            self.ignore("bad-round-change")
            return
        latest = dict(self.state.round_changes)
        latest[author] = message
        self.update(round_changes=MappingProxyType(latest))
        self.maybe_jump_rounds()
        self.maybe_propose_after_round_change()

    def round_change_valid(self, message: RoundChange) -> bool:
        """A claimed prepared certificate must come with its block and a PREPARE quorum."""
        payload = message.signed.payload
        if payload.prepared is None:
            return message.prepared_block is None and not message.prepares
        if message.prepared_block is None or payload.prepared.round >= payload.round:
            return False
        info = self.config.blocks.inspect(message.prepared_block)
        if info is None or info.digest != payload.prepared.digest or info.height != payload.height:
            return False
        return self.certifies(message.prepares, payload.height, payload.prepared)

    def maybe_jump_rounds(self) -> None:
        """f + 1 validators are beyond our round: join the lowest round f + 1 of them reached."""
        current = self.state.round
        ahead = sorted(
            (
                rc.signed.payload.round
                for rc in self.state.round_changes.values()
                if rc.signed.payload.round > current
            ),
            reverse=True,
        )
        needed = vset.max_faulty(len(self.state.validators)) + 1
        if len(ahead) >= needed and not self.state.finalised:
            self.move_to_round(ahead[needed - 1])

    # ------------------------------------------------------------------ timers
    def on_timer(self, event: RoundTimerExpired) -> None:
        if (event.height, event.round) != (self.state.height, self.state.round):
            self.ignore("stale-timer")
            return
        if self.state.finalised or self.config.address not in self.state.validators:
            return
        self.move_to_round(event.round + 1)


def _fresh(info: BlockInfo, author: bytes) -> bool:
    """A newly built block names its proposer (Besu: coinbase must match the author)."""
    return info.proposer is None or info.proposer == author


def _highest_prepared(rcs: Iterable[RoundChange]) -> RoundChange | None:
    best: RoundChange | None = None
    for rc in rcs:
        prepared = rc.signed.payload.prepared
        if prepared is None:
            continue
        if best is None or prepared.round > best.signed.payload.prepared.round:  # type: ignore[union-attr]
            best = rc
    return best


def step(config: Config, state: NodeState, event: Event) -> tuple[NodeState, tuple[Action, ...]]:
    """Apply one event; return the new state and the actions to perform, in order."""
    work = _Step(config, state)
    if isinstance(event, NewChainHead):
        if event.height + 1 <= state.height:
            work.ignore("old-chain-head")
        else:
            work.start_height(event)
    elif isinstance(event, MessageReceived):
        if config.address not in state.validators and state.height:
            work.ignore("not-a-validator")
        else:
            work.on_message(event.message)
    elif isinstance(event, BlockCandidate):
        work.on_candidate(event)
    else:
        work.on_timer(event)
    return work.state, tuple(work.actions)
