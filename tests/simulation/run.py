"""Replay one schedule or run a campaign.

Replay: ``python -m tests.simulation.run --seed 17 --n 4 --scenario equivocate``;
soak: ``python -m tests.simulation.run --schedules 100000``.
"""

from __future__ import annotations

import argparse
import sys

from tests.simulation.campaign import run_campaign, schedules
from tests.simulation.scenarios import SCENARIOS
from tests.simulation.sim import PropertyViolation, Simulator


def _replay(seed: int, n: int, scenario: str) -> int:
    sim = Simulator(seed, n, SCENARIOS[scenario])
    try:
        result = sim.run()
    except PropertyViolation as exc:
        print(f"FAILED {exc}")
        return 1
    print(f"ok: heights {result.heights} at t={result.time:.2f}s; {result.stats}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--n", type=int, choices=(4, 7), default=4)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="mixed")
    parser.add_argument("--schedules", type=int, default=2000)
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.seed is not None:
        return _replay(args.seed, args.n, args.scenario)
    summary = run_campaign(schedules(args.schedules, args.first_seed))
    print(summary.report())
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
