"""Running many schedules: the CI campaign and the long soak share this loop."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable

from govchain_node.consensus.qbft import validators as vset
from tests.simulation.scenarios import SCENARIOS
from tests.simulation.sim import PropertyViolation, Simulator, Stats, replay_command


@dataclasses.dataclass
class Failure:
    seed: int
    n: int
    scenario: str
    kind: str
    detail: str

    @property
    def replay(self) -> str:
        return replay_command(self.seed, self.n, self.scenario)


@dataclasses.dataclass
class Summary:
    schedules: int = 0
    seconds: float = 0.0
    heights: int = 0
    virtual_seconds: float = 0.0
    totals: Stats = dataclasses.field(default_factory=Stats)
    ignored: dict[str, int] = dataclasses.field(default_factory=dict)
    recoveries: list[float] = dataclasses.field(default_factory=list)
    failures: list[Failure] = dataclasses.field(default_factory=list)

    def add(self, stats: Stats) -> None:
        for field in dataclasses.fields(Stats):
            name = field.name
            mine, theirs = getattr(self.totals, name), getattr(stats, name)
            setattr(self.totals, name, max(mine, theirs) if name == "max_round" else mine + theirs)

    def recovery_line(self) -> str:
        if not self.recoveries:
            return "no schedule completed"
        ordered = sorted(self.recoveries)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        return (
            f"progress after the faults ended (virtual s): median "
            f"{ordered[len(ordered) // 2]:.1f}, p99 {p99:.1f}, max {ordered[-1]:.1f}"
        )

    def report(self) -> str:
        t = self.totals
        lines = [
            f"{self.schedules} schedules in {self.seconds:.1f}s, {self.heights} blocks finalised "
            f"over {self.virtual_seconds:.0f} virtual seconds",
            f"faults: {t.dropped} dropped, {t.duplicated} duplicated, {t.partitions} partitions, "
            f"{t.crashes} crashes, {t.byzantine_messages} Byzantine sends, {t.spam} outsider "
            f"messages; {t.synced_blocks} blocks synced; {t.validator_changes} validator-set "
            f"changes; {t.reproposals} re-proposals of prepared blocks; highest round "
            f"{t.max_round}",
            self.recovery_line(),
            "ignored by honest cores: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.ignored.items())),
        ]
        lines += [f"FAILED {f.kind}: {f.detail}\n  replay: {f.replay}" for f in self.failures]
        return "\n".join(lines)


def schedules(count: int, first_seed: int = 0) -> Iterable[tuple[int, int, str]]:
    """``count`` (seed, n, scenario) triples, cycling through n in {4, 7} and all scenarios."""
    combos = [(n, name) for name in SCENARIOS for n in (4, 7)]
    for i in range(count):
        n, name = combos[i % len(combos)]
        yield first_seed + i // len(combos), n, name


def run_campaign(
    plan: Iterable[tuple[int, int, str]],
    quorum: Callable[[int], int] = vset.quorum,
    seal_quorum: Callable[[int], int] = vset.quorum,
    stop_on_failure: bool = False,
    amnesia: bool = False,
) -> Summary:
    summary = Summary()
    started = time.perf_counter()
    for seed, n, name in plan:
        summary.schedules += 1
        sim = Simulator(
            seed, n, SCENARIOS[name], quorum=quorum, seal_quorum=seal_quorum, amnesia=amnesia
        )
        try:
            result = sim.run()
        except PropertyViolation as exc:
            summary.failures.append(Failure(seed, n, name, exc.kind, str(exc)))
            if stop_on_failure:
                break
            continue
        summary.heights += max(result.heights)
        summary.virtual_seconds += result.time
        summary.add(result.stats)
        summary.recoveries.append(result.recovery)
        for reason, count in result.ignored.items():
            summary.ignored[reason] = summary.ignored.get(reason, 0) + count
    summary.seconds = time.perf_counter() - started
    return summary
