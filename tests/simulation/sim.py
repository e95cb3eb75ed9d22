"""A seeded, deterministic discrete-event simulator of a QBFT consortium.

Every validator runs the pure core in the node's own loop
(:class:`govchain_node.consensus.qbft.runner.Runner`: events queued and fed one at a time,
actions performed in order, messages for the next height held until it runs); the
simulator performs the actions as the node would (timers, block building, import, block
sync, the persisted record) and plays the network between the validators
(random delay, loss, duplication, reordering, partitions that heal), crashes and restarts
processes, and lets up to f validators misbehave (:mod:`tests.simulation.byzantine`). One
``random.Random(seed)`` drives everything, so a seed replays exactly.

Checked continuously:

- safety: no two honest validators finalise (or import) different blocks at one height;
- seals: every finalised block carries commit seals of a quorum of the parent's
  validators, each valid over the block's commit-seal hash;
- no equivocation: an honest validator never signs two PREPAREs, COMMITs or PROPOSALs for
  different blocks in one round, not even across a crash and restart (this is what the
  persisted record is for);
- liveness: after the fault phase ends (partitions healed, crashed honest nodes
  restarted, unless one stays down while a quorum of honest validators remains), every
  honest validator that is up finalises ``progress_heights`` more blocks within
  ``liveness_bound`` virtual seconds.
"""

from __future__ import annotations

import dataclasses
import heapq
import random
from collections.abc import Callable
from typing import Any

from govchain_node.codec.extra_data import Vote
from govchain_node.consensus.qbft import validators as vset
from govchain_node.consensus.qbft.core import Config, restore, step
from govchain_node.consensus.qbft.events import (
    Action,
    BlockCandidate,
    CommitBlock,
    Event,
    MessageReceived,
    NewChainHead,
    RoundTimerExpired,
)
from govchain_node.consensus.qbft.future import FutureMessages
from govchain_node.consensus.qbft.messages import Message, Proposal
from govchain_node.consensus.qbft.runner import Runner
from govchain_node.consensus.qbft.state import NodeState, Persisted
from govchain_node.consensus.voting import VoteTally, apply_block, genesis_tally
from govchain_node.signing import FakeKeyring, FakeSigner
from tests.simulation import blocks
from tests.simulation.byzantine import spam, transform
from tests.simulation.scenarios import Scenario

FUTURE_BUFFER = 256


class PropertyViolation(AssertionError):  # noqa: N818 (reads as a finding, not a crash)
    """A checked property failed; ``kind`` is safety, seals or liveness."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclasses.dataclass
class Final:
    height: int
    digest: bytes
    block: bytes
    seals: tuple[bytes, ...]


@dataclasses.dataclass
class SimNode:
    index: int
    signer: FakeSigner
    behaviour: str | None
    config: Config
    head: list[bytes]
    runner: Runner = dataclasses.field(init=False)
    """The node's core loop; a new one (state from the persisted record, empty buffer) per
    process start."""
    chain: list[Final] = dataclasses.field(default_factory=list)
    persisted: Persisted | None = None
    up: bool = True
    stays_down: bool = False
    incarnation: int = 0
    timer_token: int = 0
    tallies: list[VoteTally] = dataclasses.field(default_factory=list)
    """Validator set and pending votes after each block of ``chain`` (index 0: genesis)."""

    @property
    def state(self) -> NodeState:
        return self.runner.state

    @property
    def validators(self) -> tuple[bytes, ...]:
        return self.tallies[-1].validators

    @property
    def honest(self) -> bool:
        return self.behaviour is None

    @property
    def height(self) -> int:
        return len(self.chain)


@dataclasses.dataclass
class Stats:
    delivered: int = 0
    dropped: int = 0
    duplicated: int = 0
    partitions: int = 0
    crashes: int = 0
    byzantine_messages: int = 0
    spam: int = 0
    synced_blocks: int = 0
    validator_changes: int = 0
    reproposals: int = 0
    max_round: int = 0
    steps: int = 0


@dataclasses.dataclass
class Result:
    seed: int
    n: int
    scenario: str
    heights: list[int]
    time: float
    stats: Stats
    recovery: float
    """Virtual seconds from the end of the fault phase to the liveness target."""
    ignored: dict[str, int]
    """Inputs the honest cores ignored, by reason (evidence the faults were seen)."""


class Simulator:
    """One schedule: ``Simulator(seed, n, scenario).run()`` raises :class:`PropertyViolation`."""

    def __init__(
        self,
        seed: int,
        n: int,
        scenario: Scenario,
        quorum: Callable[[int], int] = vset.quorum,
        seal_quorum: Callable[[int], int] = vset.quorum,
        amnesia: bool = False,
    ) -> None:
        """``quorum`` replaces the cores' rule and ``seal_quorum`` the seal check's (test-only
        hooks: lowering them must make the campaign fail); ``amnesia`` restarts nodes without
        their persisted record, which must be caught as equivocation."""
        self.seed, self.n, self.scenario = seed, n, scenario
        self.rng = random.Random(f"{seed}/{n}/{scenario.name}")
        self.keyring = FakeKeyring()
        self.now = 0.0
        self.queue: list[tuple[float, int, str, Any]] = []
        self.seq = 0
        self.stats = Stats()
        self.decided: dict[int, bytes] = {}
        self.signed: dict[tuple[int, str, int, int], bytes] = {}
        self.side: dict[int, int] = {}
        self.quorum_rule = quorum
        self.seal_quorum = seal_quorum
        self.amnesia = amnesia
        signers = [self.keyring.new_signer(f"{seed}-v{i}".encode()) for i in range(n)]
        self.validators = vset.sort_validators(tuple(s.address for s in signers))
        self.outsider = self.keyring.new_signer(f"{seed}-outsider".encode())
        self.nodes: list[SimNode] = []
        behaviours = scenario.assign_behaviours(self.rng, n)
        for i, signer in enumerate(signers):
            self.nodes.append(self._new_node(i, signer, behaviours.get(i)))
        self.candidate: bytes | None = None
        if scenario.membership:
            joiner = self.keyring.new_signer(f"{seed}-candidate".encode())
            self.candidate = joiner.address
            self.nodes.append(self._new_node(len(self.nodes), joiner, None))
        if scenario.twin:
            twin_of = self.rng.randrange(n)
            self.nodes[twin_of].behaviour = "twin"
            self.nodes.append(self._new_node(len(self.nodes), signers[twin_of], "twin"))
        self.honest_count = sum(1 for node in self.nodes if node.honest)
        self.faults_end = scenario.fault_phase

    def _new_node(self, index: int, signer: FakeSigner, behaviour: str | None) -> SimNode:
        head = [blocks.GENESIS_DIGEST]
        config = Config(
            signer=signer,
            recoverer=self.keyring,
            blocks=blocks.SimBlockOps(head, self.scenario.round_in_digest),
            base_timeout=self.scenario.base_timeout,
            max_timeout=self.scenario.max_timeout,
            quorum=self.quorum_rule,
        )
        tally = genesis_tally(self.validators)
        node = SimNode(index, signer, behaviour, config, head, tallies=[tally])
        self.start_runner(node, NodeState())
        return node

    def start_runner(self, node: SimNode, state: NodeState) -> None:
        """A fresh core loop for ``node``; its buffer holds the next height only (the
        node's driver holds up to 4 heights ahead)."""
        future = FutureMessages(max_ahead=1, capacity=FUTURE_BUFFER)
        node.runner = Runner(node.config, state, SimActions(self, node), future, self.step)

    # ------------------------------------------------------------------ queue
    def push(self, delay: float, kind: str, data: Any) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (self.now + delay, self.seq, kind, data))

    # ------------------------------------------------------------------ driving one core
    def step(
        self, config: Config, state: NodeState, event: Event
    ) -> tuple[NodeState, tuple[Action, ...]]:
        """The core's step, counted (every runner steps through here)."""
        self.stats.steps += 1
        if isinstance(event, MessageReceived):
            self.stats.delivered += 1
        state, actions = step(config, state, event)
        self.stats.max_round = max(self.stats.max_round, state.round)
        return state, actions

    # ------------------------------------------------------------------ chain
    def finalised(self, node: SimNode, action: CommitBlock) -> None:
        info = blocks.inspect(action.block)
        assert info is not None
        self.import_block(node, Final(action.height, info.digest, action.block, action.seals))

    def check_final(self, node: SimNode, final: Final) -> None:
        if node.honest:
            agreed = self.decided.setdefault(final.height, final.digest)
            if agreed != final.digest:
                raise PropertyViolation(
                    "safety",
                    f"node {node.index} finalised {final.digest.hex()[:12]} at height "
                    f"{final.height}, another honest node {agreed.hex()[:12]}",
                )
        info = blocks.inspect(final.block)
        assert info is not None
        parent_set = node.tallies[final.height - 1].validators
        signers = {self.keyring.recover(info.seal_hash, seal) for seal in final.seals}
        valid = [s for s in signers if s is not None and s in parent_set]
        if len(valid) < self.seal_quorum(len(parent_set)) or len(valid) != len(final.seals):
            raise PropertyViolation(
                "seals",
                f"node {node.index} finalised height {final.height} with {len(valid)} valid "
                f"seals of {len(final.seals)}",
            )

    def import_block(self, node: SimNode, final: Final) -> None:
        if final.height != node.height + 1:
            return
        self.check_final(node, final)
        node.chain.append(final)
        node.head[0] = final.digest
        proposer = blocks.proposer_of(final.block)
        vote = blocks.vote_of(final.block)
        tally = apply_block(node.tallies[-1], final.height, proposer, vote, self.scenario.epoch)
        if node.index == 0 and tally.validators != node.validators:
            self.stats.validator_changes += 1
        node.tallies.append(tally)
        node.runner.feed(NewChainHead(final.height, tally.validators, proposer))

    # ------------------------------------------------------------------ network
    def linked(self, a: int, b: int) -> bool:
        return self.side.get(a, 0) == self.side.get(b, 0)

    def lossy(self) -> bool:
        return self.now < self.faults_end

    def broadcast(self, node: SimNode, message: Message) -> None:
        if node.honest:
            self.check_no_equivocation(node, message)
            if isinstance(message, Proposal) and message.prepares:
                self.stats.reproposals += 1
        outgoing = [(message, None)] if node.honest else transform(self, node, message)
        for msg, targets in outgoing:
            for peer in self.nodes:
                if peer.index == node.index or (targets is not None and peer.index not in targets):
                    continue
                self.send(node.index, peer.index, msg)

    def check_no_equivocation(self, node: SimNode, message: Message) -> None:
        payload = message.signed.payload
        digest = blocks.signed_digest(message)
        if digest is None:
            return
        key = (node.index, type(message).__name__, payload.height, payload.round)
        first = self.signed.setdefault(key, digest)
        if first != digest:
            raise PropertyViolation(
                "equivocation",
                f"honest node {node.index} signed two {key[1]}s for height {key[2]} round {key[3]}",
            )

    def send(self, src: int, dst: int, message: Message) -> None:
        if not self.linked(src, dst):
            self.stats.dropped += 1
            return
        copies = 1
        if self.lossy():
            if self.rng.random() < self.scenario.drop:
                self.stats.dropped += 1
                return
            if self.rng.random() < self.scenario.duplicate:
                self.stats.duplicated += 1
                copies = 2
        for _ in range(copies):
            self.push(self.rng.uniform(*self.scenario.delay), "deliver", (src, dst, message))

    # ------------------------------------------------------------------ events
    def on_event(self, kind: str, data: Any) -> None:
        handler = getattr(self, f"on_{kind}")
        handler(data)

    def on_deliver(self, data: tuple[int, int, Message]) -> None:
        src, dst, message = data
        node = self.nodes[dst]
        if node.up and self.linked(src, dst):
            node.runner.receive(message)

    def on_timer(self, data: tuple[int, int, int, int, int]) -> None:
        index, incarnation, token, height, round_ = data
        node = self.nodes[index]
        if node.up and node.incarnation == incarnation and node.timer_token == token:
            node.runner.feed(RoundTimerExpired(height, round_))

    def on_candidate(self, data: tuple[int, int, int, int]) -> None:
        index, incarnation, height, round_ = data
        node = self.nodes[index]
        if not node.up or node.incarnation != incarnation or node.height + 1 != height:
            return
        payload = f"n{index}-h{height}-r{round_}-i{incarnation}".encode()
        payload = blocks.with_vote(payload, self.vote_for(node))
        block = blocks.make_block(height, node.head[0], node.signer.address, payload, round_)
        node.runner.feed(BlockCandidate(height, round_, block))

    def vote_for(self, node: SimNode) -> Vote | None:
        """Membership scenario: vote the candidate in; once it has served, vote it out."""
        if self.candidate is None:
            return None
        members = node.validators
        if self.candidate not in members:
            return Vote(self.candidate, add=True)
        served = sum(1 for t in node.tallies if self.candidate in t.validators)
        return Vote(self.candidate, add=False) if served > 3 else None

    def on_crash(self, index: int) -> None:
        node = self.nodes[index]
        if node.up:
            self.stats.crashes += 1
            node.up = False
            node.incarnation += 1

    def on_restart(self, index: int) -> None:
        node = self.nodes[index]
        if not node.up and not node.stays_down:
            self.boot(node)

    def boot(self, node: SimNode) -> None:
        """Start the process: state from the persisted record, chain from its disk."""
        node.up = True
        self.start_runner(node, restore(None if self.amnesia else node.persisted))
        if node.chain:
            last = node.chain[-1]
            head = NewChainHead(last.height, node.validators, blocks.proposer_of(last.block))
        else:
            head = NewChainHead(0, node.validators, b"\x00" * 20)
        node.runner.feed(head)

    def on_partition(self, groups: dict[int, int]) -> None:
        self.stats.partitions += 1
        self.side = groups

    def on_heal(self, _: None) -> None:
        self.side = {}

    def on_sync(self, index: int) -> None:
        """The node's block sync: ask one reachable peer for the blocks it lacks."""
        node = self.nodes[index]
        self.push(self.scenario.sync_interval, "sync", index)
        if not node.up:
            return
        peers = [p for p in self.nodes if p.up and p.index != index and self.linked(index, p.index)]
        if not peers:
            return
        peer = self.rng.choice(peers)
        missing = peer.chain[node.height : node.height + 8]
        if missing:
            delay = 2 * self.rng.uniform(*self.scenario.delay)
            self.push(delay, "blocks", (index, peer.index, missing))

    def on_blocks(self, data: tuple[int, int, list[Final]]) -> None:
        index, src, finals = data
        node = self.nodes[index]
        if not node.up or not self.linked(index, src):
            return
        for final in finals:
            if final.height == node.height + 1:
                self.stats.synced_blocks += 1
                self.import_block(node, final)

    def on_spam(self, _: None) -> None:
        self.push(self.scenario.spam_interval, "spam", None)
        spam(self)

    def on_end_faults(self, _: None) -> None:
        self.side = {}
        for node in self.nodes:
            if not node.up and not node.stays_down:
                self.on_restart(node.index)

    # ------------------------------------------------------------------ schedule
    def run(self) -> Result:
        self.scenario.schedule_faults(self)
        self.push(self.faults_end, "end_faults", None)
        for node in self.nodes:
            self.push(self.rng.uniform(0.0, 0.01), "restart_initial", node.index)
            self.push(self.scenario.sync_interval * (1 + self.rng.random()), "sync", node.index)
        if self.scenario.spam_interval:
            self.push(self.scenario.spam_interval, "spam", None)
        deadline = self.faults_end + self.scenario.liveness_bound
        target: int | None = None
        while self.queue:
            when, _, kind, data = heapq.heappop(self.queue)
            if when > deadline:
                break
            self.now = when
            self.on_event(kind, data)
            if target is None and self.now >= self.faults_end:
                target = self.target_height()
            if target is not None and self.reached(target):
                return self.result()
        if target is None:
            target = self.target_height()
        if not self.reached(target):
            heights = [(n.index, n.height, n.state.round) for n in self.nodes if n.up and n.honest]
            raise PropertyViolation(
                "liveness",
                f"honest nodes (index, height, round) {heights} did not reach height {target} "
                f"within {self.scenario.liveness_bound}s after the faults ended",
            )
        return self.result()

    def on_restart_initial(self, index: int) -> None:
        self.boot(self.nodes[index])

    def target_height(self) -> int:
        best = max((n.height for n in self.nodes if n.honest), default=0)
        return best + self.scenario.progress_heights

    def reached(self, target: int) -> bool:
        return all(n.height >= target for n in self.nodes if n.honest and n.up)

    def result(self) -> Result:
        return Result(
            self.seed,
            self.n,
            self.scenario.name,
            [node.height for node in self.nodes],
            self.now,
            self.stats,
            max(0.0, self.now - self.faults_end),
            self.honest_ignored(),
        )

    def honest_ignored(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for node in self.nodes:
            if node.honest:
                for reason, count in node.state.ignored.items():
                    total[reason] = total.get(reason, 0) + count
        return total


class SimActions:
    """Performs one node's actions in the simulated world (the node's
    :class:`~govchain_node.consensus.qbft.runner.ActionHandler`)."""

    def __init__(self, sim: Simulator, node: SimNode) -> None:
        self.sim, self.node = sim, node

    def persist(self, record: Persisted) -> None:
        self.node.persisted = record

    def broadcast(self, message: Message) -> None:
        self.sim.broadcast(self.node, message)

    def start_round_timer(self, height: int, round_: int, duration: float) -> None:
        node = self.node
        node.timer_token += 1
        self.sim.push(
            duration, "timer", (node.index, node.incarnation, node.timer_token, height, round_)
        )

    def request_block(self, height: int, round_: int) -> None:
        delay = self.sim.rng.uniform(*self.sim.scenario.build_time)
        self.sim.push(delay, "candidate", (self.node.index, self.node.incarnation, height, round_))

    def commit_block(self, action: CommitBlock) -> None:
        self.sim.finalised(self.node, action)


def replay_command(seed: int, n: int, scenario: str) -> str:
    return f"python -m tests.simulation.run --seed {seed} --n {n} --scenario {scenario}"
