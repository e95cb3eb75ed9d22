"""QBFT core benchmark: ``python -m benchmarks.qbft_consensus [--n 4] [--heights 200]``.

Drives n pure cores through consecutive heights over a lossless in-memory network (every
broadcast delivered to every other validator at once) and prints heights per second and
core steps per second, with the fast fake signer and with secp256k1 (eth-keys +
coincurve). The secp256k1 figure is the consensus cost a real node pays per block on top
of execution; with 1 s blocks it should be a small fraction of a second.
"""

from __future__ import annotations

import argparse
import time
from collections import deque

from govchain_node.consensus.qbft import validators as vset
from govchain_node.consensus.qbft.core import Config, restore, step
from govchain_node.consensus.qbft.events import (
    BlockCandidate,
    Broadcast,
    CommitBlock,
    Event,
    MessageReceived,
    NewChainHead,
    RequestBlock,
)
from govchain_node.consensus.qbft.state import NodeState
from govchain_node.signing import (
    FakeKeyring,
    Recoverer,
    Secp256k1Recoverer,
    Secp256k1Signer,
    Signer,
)
from tests.simulation import blocks


def _keys(n: int, crypto: str) -> tuple[list[Signer], Recoverer]:
    if crypto == "fake":
        ring = FakeKeyring()
        return [ring.new_signer(bytes([i])) for i in range(n)], ring
    return [Secp256k1Signer(bytes([i + 1]) * 32) for i in range(n)], Secp256k1Recoverer()


def run(n: int, heights: int, crypto: str) -> tuple[float, int]:
    """Seconds and core steps for ``heights`` blocks finalised by all ``n`` validators."""
    signers, recoverer = _keys(n, crypto)
    validators = vset.sort_validators(tuple(s.address for s in signers))
    head = [blocks.GENESIS_DIGEST]
    configs = [Config(s, recoverer, blocks.SimBlockOps(head)) for s in signers]
    states: list[NodeState] = [restore(None) for _ in signers]
    steps = 0
    started = time.perf_counter()
    proposer = b"\x00" * 20
    for height in range(heights):
        queue: deque[tuple[int, Event]] = deque(
            (i, NewChainHead(height, validators, proposer)) for i in range(n)
        )
        final: dict[int, bytes] = {}
        while queue:
            index, event = queue.popleft()
            states[index], actions = step(configs[index], states[index], event)
            steps += 1
            for action in actions:
                if isinstance(action, Broadcast):
                    queue.extend(
                        (j, MessageReceived(action.message)) for j in range(n) if j != index
                    )
                elif isinstance(action, RequestBlock):
                    block = blocks.make_block(
                        action.height, head[0], configs[index].address, b"bench", action.round
                    )
                    queue.append((index, BlockCandidate(action.height, action.round, block)))
                elif isinstance(action, CommitBlock):
                    final[index] = action.block
        assert len(final) == n, "every validator finalises each height"
        info = blocks.inspect(final[0])
        assert info is not None
        head[0] = info.digest
        proposer = blocks.proposer_of(final[0])
    return time.perf_counter() - started, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--heights", type=int, default=200)
    args = parser.parse_args()
    for crypto in ("fake", "secp256k1"):
        seconds, steps = run(args.n, args.heights, crypto)
        print(
            f"n={args.n} {crypto:>9}: {args.heights / seconds:8.1f} heights/s "
            f"({1000 * seconds / args.heights:.2f} ms per block for all validators), "
            f"{steps / seconds:9.0f} steps/s"
        )


if __name__ == "__main__":
    main()
