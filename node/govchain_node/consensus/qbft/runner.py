"""The loop that drives the core: one event at a time, each step's actions in order.

The node's driver and the seeded simulator both feed the core the same way. They differ
only in what an action *does* (fsync or a dict write, TLS or a simulated network, asyncio
timers or a virtual clock), so that part comes in as an :class:`ActionHandler`, and the
rules below live here once and the simulator checks the node's rules, not a copy of them:

- **Queued, never nested.** An event fed while a step's actions are being performed (a
  ``commit_block`` that imports the block and feeds the new head, a ``broadcast`` that
  loops back) waits until those actions are done. So a ``StartRoundTimer`` of the old height
  can never come after, and override, the new height's timer.
- **Actions in order.** A ``Persist`` is performed before the ``Broadcast`` after it,
  which depends on it (see :mod:`~.events`).
- **Early messages wait for their height.** A message for one of the next heights is held
  (:class:`~.future.FutureMessages`, with the caller's bounds); every step that moves the
  height receives the held messages again, after that step's actions: those for the new
  height are fed, those still ahead stay held, older ones go to the core, which ignores
  and counts them (as it does any message not for its height).
- **A failing handler ends the step, not the runner.** The exception propagates to
  whoever fed; the step's later actions are skipped (a ``Broadcast`` must never follow a
  ``Persist`` that failed); the state is the failed step's new state (the core has counted
  the event); events still queued stay queued and run first on the next :meth:`Runner.feed`.

Pure and I/O-free, like the rest of :mod:`govchain_node.consensus.qbft`: no clock, no
asyncio; timers and building are the handler's business.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Protocol

from govchain_node.consensus.qbft import core
from govchain_node.consensus.qbft.events import (
    Action,
    Broadcast,
    CommitBlock,
    Event,
    MessageReceived,
    Persist,
    RequestBlock,
    StartRoundTimer,
)
from govchain_node.consensus.qbft.future import FutureMessages
from govchain_node.consensus.qbft.messages import Message
from govchain_node.consensus.qbft.state import NodeState, Persisted

#: The signature of :func:`~.core.step`; the simulator passes one that also counts.
Step = Callable[[core.Config, NodeState, Event], tuple[NodeState, tuple[Action, ...]]]


class ActionHandler(Protocol):
    """Performs the core's actions; one method per action type (see :mod:`~.events`)."""

    def persist(self, record: Persisted) -> None:
        """Store ``record`` durably (replacing the previous one) before returning."""

    def broadcast(self, message: Message) -> None:
        """Send ``message`` to every other validator."""

    def start_round_timer(self, height: int, round_: int, duration: float) -> None:
        """Cancel the running round timer and start this one; when it fires, feed
        :class:`~.events.RoundTimerExpired` ``(height, round_)``."""

    def request_block(self, height: int, round_: int) -> None:
        """Build a block and later feed :class:`~.events.BlockCandidate`."""

    def commit_block(self, action: CommitBlock) -> None:
        """Import the decided block with its seals, then feed :class:`~.events.NewChainHead`."""


class Runner:
    """One validator's core with its state, pending events and future-height buffer."""

    def __init__(
        self,
        config: core.Config,
        state: NodeState,
        handler: ActionHandler,
        future: FutureMessages,
        step: Step = core.step,
    ) -> None:
        self._config = config
        self._state = state
        self._handler = handler
        self._future = future
        self._step = step
        self._pending: collections.deque[Event] = collections.deque()
        self._running = False

    @property
    def state(self) -> NodeState:
        """The state after the last step (replaced, never mutated, by each step)."""
        return self._state

    def receive(self, message: Message) -> None:
        """A message from a peer: held if it is for one of the next heights and there is
        room, else fed."""
        if not self._future.hold(message, self._state.height):
            self.feed(MessageReceived(message))

    def feed(self, event: Event) -> None:
        """Step ``event`` and perform its actions, then every event they fed, in order."""
        self._pending.append(event)
        if self._running:
            return  # the loop below takes it after the current step's actions
        self._running = True
        try:
            while self._pending:
                self._advance(self._pending.popleft())
        finally:
            self._running = False

    def _advance(self, event: Event) -> None:
        height = self._state.height
        self._state, actions = self._step(self._config, self._state, event)
        for action in actions:
            self._perform(action)
        if self._state.height != height:
            for message in self._future.drain():
                self.receive(message)

    def _perform(self, action: Action) -> None:
        handler = self._handler
        if isinstance(action, Persist):
            handler.persist(action.record)
        elif isinstance(action, Broadcast):
            handler.broadcast(action.message)
        elif isinstance(action, StartRoundTimer):
            handler.start_round_timer(action.height, action.round, action.duration)
        elif isinstance(action, RequestBlock):
            handler.request_block(action.height, action.round)
        else:
            handler.commit_block(action)
