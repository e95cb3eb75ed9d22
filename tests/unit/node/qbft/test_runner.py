"""The runner: the loop the node's driver and the simulator feed the core through.

The rules (module docstring of :mod:`govchain_node.consensus.qbft.runner`) are tested on
the real core where one exists and on a scripted step where the core never produces the
shape a rule is about (an action after which the step goes on, a failing handler).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from govchain_node.consensus.qbft.core import Config, restore
from govchain_node.consensus.qbft.events import (
    Action,
    BlockCandidate,
    Broadcast,
    CommitBlock,
    Event,
    MessageReceived,
    NewChainHead,
    Persist,
    RoundTimerExpired,
    StartRoundTimer,
)
from govchain_node.consensus.qbft.future import FutureMessages
from govchain_node.consensus.qbft.messages import Message, Prepare, PreparePayload, Proposal
from govchain_node.consensus.qbft.runner import Runner
from govchain_node.consensus.qbft.state import NodeState, Persisted
from tests.unit.node.qbft.harness import PARENT_PROPOSER, Net

DIGEST = b"\x22" * 32


class Recorder:
    """An ActionHandler that logs each call; ``hooks[name]`` runs once, during that call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.hooks: dict[str, Callable[[], None]] = {}

    def _call(self, name: str, argument: object) -> None:
        self.calls.append((name, argument))
        hook = self.hooks.pop(name, None)
        if hook is not None:
            hook()

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def persist(self, record: Persisted) -> None:
        self._call("persist", record)

    def broadcast(self, message: Message) -> None:
        self._call("broadcast", message)

    def start_round_timer(self, height: int, round_: int, duration: float) -> None:
        self._call("start_round_timer", (height, round_, duration))

    def request_block(self, height: int, round_: int) -> None:
        self._call("request_block", (height, round_))

    def commit_block(self, action: CommitBlock) -> None:
        self._call("commit_block", action)


class Script:
    """A stand-in for ``core.step``: each planned event moves to a height and returns
    actions; every step counts one round, so each step's state is a new, distinct value."""

    def __init__(self, plan: dict[Event, tuple[int, tuple[Action, ...]]]) -> None:
        self.plan = plan
        self.seen: list[Event] = []

    def __call__(
        self, config: Config, state: NodeState, event: Event
    ) -> tuple[NodeState, tuple[Action, ...]]:
        self.seen.append(event)
        height, actions = self.plan.get(event, (state.height, ()))
        return NodeState(height=height, round=state.round + 1), actions


def timer(height: int, round_: int = 0) -> RoundTimerExpired:
    return RoundTimerExpired(height, round_)


def prepare(net: Net, height: int, signer: int = 1) -> Prepare:
    return Prepare(net.sign(net.nodes[signer], PreparePayload(height, 0, DIGEST)))


def scripted(script: Script, recorder: Recorder, height: int = 1) -> Runner:
    config = Net().nodes[0].config
    return Runner(config, NodeState(height=height), recorder, FutureMessages(1, 8), script)


def test_a_proposers_actions_are_performed_in_the_order_the_core_returned_them() -> None:
    net = Net()
    proposer = net.proposer(0)
    recorder = Recorder()
    runner = Runner(proposer.config, restore(None), recorder, FutureMessages(1, 8))
    runner.feed(NewChainHead(0, net.validators, PARENT_PROPOSER))
    assert recorder.calls == [
        ("persist", Persisted(1, 0, None)),
        ("start_round_timer", (1, 0, 1.0)),
        ("request_block", (1, 0)),
    ]
    block = net.block(0)
    runner.feed(BlockCandidate(1, 0, block))
    assert recorder.names()[3:] == ["broadcast", "broadcast"]  # its proposal, then its prepare
    proposal, own_prepare = (message for _, message in recorder.calls[3:])
    assert isinstance(proposal, Proposal)
    assert proposal.signed.payload.block == block
    assert isinstance(own_prepare, Prepare)


def test_an_event_fed_during_an_action_waits_for_the_rest_of_the_step() -> None:
    first, second = timer(1, 0), timer(1, 1)
    script = Script(
        {
            first: (1, (Broadcast(prepare(Net(), 1)), StartRoundTimer(1, 1, 2.0))),
            second: (1, (Persist(Persisted(1, 1, None)),)),
        }
    )
    recorder = Recorder()
    runner = scripted(script, recorder)
    recorder.hooks["broadcast"] = lambda: runner.feed(second)
    runner.feed(first)
    # Nested, the second event's persist would have come before the first one's timer.
    assert recorder.names() == ["broadcast", "start_round_timer", "persist"]
    assert script.seen == [first, second]


def test_the_state_is_replaced_by_each_step_before_its_actions_run() -> None:
    first, second = timer(1, 0), timer(1, 1)
    script = Script(
        {first: (1, (StartRoundTimer(1, 1, 2.0),)), second: (2, (Broadcast(prepare(Net(), 2)),))}
    )
    recorder = Recorder()
    runner = scripted(script, recorder)
    seen: list[NodeState] = []

    def look_then_feed() -> None:
        seen.append(runner.state)
        runner.feed(second)

    recorder.hooks["start_round_timer"] = look_then_feed
    recorder.hooks["broadcast"] = lambda: seen.append(runner.state)
    runner.feed(first)
    assert [(s.height, s.round) for s in seen] == [(1, 1), (2, 2)]
    assert runner.state is seen[-1]


def test_a_failing_handler_ends_its_step_and_the_queue_resumes_on_the_next_feed() -> None:
    """The rule: the exception reaches the caller, the step's later actions are skipped
    (nothing may follow a failed persist), its state is kept, events queued before the
    failure run first on the next feed."""
    failing, queued, later = timer(1, 0), timer(1, 1), timer(1, 2)
    script = Script(
        {
            failing: (1, (Persist(Persisted(1, 0, None)), Broadcast(prepare(Net(), 1)))),
            queued: (1, (StartRoundTimer(1, 1, 2.0),)),
            later: (1, (StartRoundTimer(1, 2, 4.0),)),
        }
    )
    recorder = Recorder()
    runner = scripted(script, recorder)

    def feed_then_fail() -> None:
        runner.feed(queued)
        raise OSError("disk full")

    recorder.hooks["persist"] = feed_then_fail
    with pytest.raises(OSError, match="disk full"):
        runner.feed(failing)
    assert recorder.names() == ["persist"]  # no broadcast after the failed persist
    assert runner.state.round == 1  # the failed step's state
    runner.feed(later)
    assert script.seen == [failing, queued, later]
    assert recorder.calls[1:] == [
        ("start_round_timer", (1, 1, 2.0)),
        ("start_round_timer", (1, 2, 4.0)),
    ]


def test_a_message_for_the_next_height_is_held_until_a_step_moves_there() -> None:
    net = Net()
    validator = net.nodes[0]
    runner = Runner(validator.config, validator.state, Recorder(), FutureMessages(1, 8))
    early = prepare(net, 2)
    runner.receive(early)
    assert runner.state is validator.state  # held, not stepped
    runner.receive(prepare(net, 0))  # the past goes to the core, which ignores it
    assert runner.state.ignored == {"wrong-height": 1}
    runner.feed(NewChainHead(1, net.validators, net.validators[0]))
    assert runner.state.height == 2
    assert net.validators[1] in runner.state.round_state(0).prepares
    assert runner.state.ignored == {"wrong-height": 1}


def test_held_messages_are_fed_once_a_commit_has_moved_the_head() -> None:
    """Regression: the driver used to release held messages while the new head was still
    queued behind the commit, so for the old height, and later dropped them as stale."""
    net = Net()
    decided, head = timer(1), NewChainHead(1, net.validators, net.validators[0])
    commit = CommitBlock(1, 0, b"block", ())
    early = prepare(net, 2)
    script = Script({decided: (1, (commit, StartRoundTimer(1, 1, 2.0))), head: (2, ())})
    recorder = Recorder()
    runner = scripted(script, recorder)
    runner.receive(early)
    recorder.hooks["commit_block"] = lambda: runner.feed(head)
    runner.feed(decided)
    assert script.seen == [decided, head, MessageReceived(early)]
    assert recorder.names() == ["commit_block", "start_round_timer"]
