"""Named fault scenarios: network behaviour, process faults and Byzantine behaviours.

During the fault phase ``[0, fault_phase)`` the network may drop, duplicate, reorder and
partition, and honest processes may crash and restart; after it, partitions heal and
crashed nodes restart (one may stay down if a quorum of honest validators remains), and
the liveness check starts. Byzantine validators (at most f) misbehave throughout.
"""

from __future__ import annotations

import dataclasses
import random
from typing import TYPE_CHECKING

from govchain_node.consensus.qbft import validators as vset

if TYPE_CHECKING:
    from tests.simulation.sim import Simulator

BEHAVIOURS = ("equivocate", "bad-seal", "wrong-digest", "forged-rc", "silent")


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    drop: float = 0.0
    duplicate: float = 0.0
    delay: tuple[float, float] = (0.005, 0.15)
    partitions: int = 0
    crashes: int = 0
    byzantine: tuple[str, ...] = ()
    """Behaviours to draw from; the number of Byzantine validators is 1..f."""
    twin: bool = False
    spam_interval: float = 0.0
    fault_phase: float = 6.0
    base_timeout: float = 1.0
    max_timeout: float = 8.0
    build_time: tuple[float, float] = (0.05, 0.2)
    sync_interval: float = 1.0
    progress_heights: int = 2
    liveness_bound: float = 90.0
    membership: bool = False
    """A candidate validator is voted in and out by header votes while blocks flow."""
    epoch: int = 30_000
    round_in_digest: bool = True
    """Message digests bind the round (Besu's: header hash without seals), or exclude it."""

    def assign_behaviours(self, rng: random.Random, n: int) -> dict[int, str]:
        if not self.byzantine:
            return {}
        budget = vset.max_faulty(n) - (1 if self.twin else 0)
        if budget <= 0:
            return {}
        count = rng.randint(1, budget)
        chosen = rng.sample(range(n), count)
        return {index: rng.choice(self.byzantine) for index in chosen}

    def schedule_faults(self, sim: Simulator) -> None:
        for _ in range(self.partitions):
            start = sim.rng.uniform(0.2, self.fault_phase * 0.7)
            length = sim.rng.uniform(0.5, self.fault_phase - start)
            groups = {i: sim.rng.randrange(2) for i in range(len(sim.nodes))}
            sim.push(start, "partition", groups)
            sim.push(start + length, "heal", None)
        honest = [node.index for node in sim.nodes if node.honest]
        for _ in range(self.crashes):
            index = sim.rng.choice(honest)
            start = sim.rng.uniform(0.1, self.fault_phase * 0.8)
            sim.push(start, "crash", index)
            sim.push(start + sim.rng.uniform(0.2, 3.0), "restart", index)
        quorum = vset.quorum(sim.n)
        if self.crashes and sim.honest_count - 1 >= quorum and sim.rng.random() < 0.3:
            node = sim.nodes[sim.rng.choice(honest)]
            node.stays_down = True
            sim.push(sim.rng.uniform(0.1, self.fault_phase), "crash", node.index)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("clean"),
        Scenario("lossy", drop=0.2, duplicate=0.1, delay=(0.001, 0.6)),
        Scenario("partition", partitions=2, drop=0.05),
        Scenario("crash", crashes=2, drop=0.05),
        Scenario("equivocate", byzantine=("equivocate",), drop=0.05),
        Scenario("bad-seal", byzantine=("bad-seal",)),
        Scenario("wrong-digest", byzantine=("wrong-digest",)),
        Scenario("forged-rc", byzantine=("forged-rc",), partitions=1),
        Scenario("non-validator", spam_interval=0.2, drop=0.05),
        Scenario("twin", twin=True, drop=0.05),
        Scenario(
            "round-free-digest",
            round_in_digest=False,
            drop=0.1,
            partitions=1,
            crashes=1,
            byzantine=BEHAVIOURS,
        ),
        Scenario("membership", membership=True, epoch=7, crashes=1, drop=0.05, fault_phase=10.0),
        Scenario(
            "mixed",
            drop=0.1,
            duplicate=0.05,
            delay=(0.001, 0.4),
            partitions=1,
            crashes=1,
            byzantine=BEHAVIOURS,
            spam_interval=0.5,
        ),
    )
}
