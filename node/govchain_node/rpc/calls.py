"""EVM execution for ``eth_call`` and ``eth_estimateGas``, off the event loop.

A call is anonymous and can run the EVM for the whole gas cap: 30M gas of
``JUMPDEST PUSH1 0 JUMP`` takes 1-2 s of CPU. On the event loop that stalls every
client and block production; here it runs on worker threads, each with its own
scratch state (``Ledger.call_state`` keeps one per thread), while the loop keeps
serving.

Two lanes keep ordinary calls quick while expensive ones run: every call starts on
the one fast-lane worker with a slice of :data:`FAST_SLICE` seconds; a call that
needs more is stopped and run again from the start on the ``workers`` slow-lane
threads. Reads of a contract (a few milliseconds) never wait behind a 30M-gas loop;
an expensive call pays its first slice twice. Calls are pure, so running one again
gives the same answer.

Bounds, each a named JSON-RPC error:

- at most ``workers + queue`` calls in the executor; one more is refused at once with
  -32005 "too many concurrent calls" (back-pressure, not an unbounded queue);
- ``timeout`` seconds per request (geth's ``--rpc.evmtimeout``, 5 s), counted from its
  arrival (:data:`~govchain_node.rpc.protocol.REQUEST_ARRIVAL`), time waiting for a
  worker included, so that every request is answered within about ``timeout``: the
  interpreter sees a flag set by a timer on the loop and unwinds; the answer is -32000
  "execution timeout" (an ``eth_estimateGas`` search counts as one request). A batch
  is one request: its items share the budget, and items after it ran out answer the
  timeout error at once (a 1000-item batch of 30M-gas loops took ~28 minutes when
  each item had its own 5 s);
- a call whose client went away (its handler task is cancelled) stops its worker;
- :meth:`CallExecutor.abort` (the node stopping) stops every running call and
  refuses new ones, so a stop does not wait for a batch to run out;
- the gas of a call is capped by ``rpc_gas_cap`` where the call is built.

Workers share the GIL with the event loop: they add no CPU, but CPython makes a
running thread hand over the GIL to a waiting one after the switch interval, so the
loop gets its turn within milliseconds instead of after the whole call. The executor
sets that (process-wide) interval from CPython's 5 ms to :data:`SWITCH_INTERVAL`: a
request on the loop waits for the GIL several times (poll, read, write), and with
four 30M-gas calls running, eth_blockNumber's p99 went from 62 ms to 16 ms for the
same CPU per call (1.1-1.2 s).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from govchain_node.errors import ExecutionCancelledError, RpcReplyError
from govchain_node.interpreter import cancellable
from govchain_node.rpc.protocol import LIMIT_EXCEEDED, REQUEST_ARRIVAL, SERVER_ERROR

T = TypeVar("T")
#: Seconds a thread may hold the GIL while another waits (CPython's default: 0.005).
SWITCH_INTERVAL = 0.001
#: Seconds (wall time) a call may run on the fast lane before it moves to the slow one.
FAST_SLICE = 0.05


class CallExecutor:
    """Fast and slow lanes of EVM worker threads with a time limit per request."""

    def __init__(
        self,
        *,
        workers: int,
        queue: int,
        timeout: float,
        on_cancelled: Callable[[], None] = lambda: None,
        fast_slice: float = FAST_SLICE,
    ) -> None:
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._fast = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rpc-evm-fast")
        self._slow = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rpc-evm")
        self._capacity = workers + queue
        self._timeout = timeout
        self._slice = fast_slice
        self._on_cancelled = on_cancelled
        self._flags: dict[int, list[bool]] = {}
        self._closing = False
        self.active = 0

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` on a worker; RpcReplyError when saturated or out of time."""
        if self._closing:
            raise RpcReplyError(SERVER_ERROR, "node is stopping")
        loop = asyncio.get_running_loop()
        deadline = (REQUEST_ARRIVAL.get() or loop.time()) + self._timeout
        if loop.time() >= deadline:
            raise RpcReplyError(SERVER_ERROR, "execution timeout")
        if self.active >= self._capacity:
            raise RpcReplyError(
                LIMIT_EXCEEDED,
                f"too many concurrent calls (max {self._capacity}); retry later",
            )
        flag = [False]  # set by the deadline, the fast slice, close() or cancellation
        timer = loop.call_at(deadline, flag.__setitem__, 0, True)
        self._flags[id(flag)] = flag
        self.active += 1
        try:
            slice_timer: list[asyncio.TimerHandle] = []
            try:
                return await loop.run_in_executor(
                    self._fast, self._sliced, loop, slice_timer, flag, function, *args
                )
            except ExecutionCancelledError:
                if self._closing or loop.time() >= deadline:
                    raise
            finally:
                for handle in slice_timer:
                    handle.cancel()
            flag[0] = False  # only the slice ended: the call goes on in the slow lane
            return await loop.run_in_executor(self._slow, self._cancellable, flag, function, *args)
        except ExecutionCancelledError as exc:
            raise RpcReplyError(SERVER_ERROR, "execution timeout") from exc
        except asyncio.CancelledError:
            flag[0] = True  # nobody waits for the answer any more: stop the worker too
            raise
        finally:
            timer.cancel()
            del self._flags[id(flag)]
            self.active -= 1

    def _sliced(
        self,
        loop: asyncio.AbstractEventLoop,
        slice_timer: list[asyncio.TimerHandle],
        flag: list[bool],
        function: Callable[..., T],
        *args: object,
    ) -> T:
        """Run on the fast lane: the slice starts when the worker does, not on arrival
        (its completion is scheduled after this, so the loop sees the timer first)."""

        def start_slice() -> None:
            slice_timer.append(loop.call_later(self._slice, flag.__setitem__, 0, True))

        loop.call_soon_threadsafe(start_slice)
        return self._cancellable(flag, function, *args)

    def _cancellable(self, flag: list[bool], function: Callable[..., T], *args: object) -> T:
        with cancellable(flag):
            try:
                return function(*args)
            except ExecutionCancelledError:
                self._on_cancelled()  # the worker's scratch state was left mid-execution
                raise

    def abort(self) -> None:
        """Stop running calls (the interpreter's abort flag) and refuse new ones."""
        self._closing = True
        for flag in list(self._flags.values()):
            flag[0] = True

    def close(self) -> None:
        """Stop running calls and wait for the workers (before the store is closed)."""
        self.abort()
        self._fast.shutdown(wait=True, cancel_futures=True)
        self._slow.shutdown(wait=True, cancel_futures=True)
