"""The fault/Byzantine campaign: ≥ 2,000 schedules in CI, 100,000 with GOVCHAIN_LONG=1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from govchain_node.consensus.qbft import validators as vset
from tests.simulation.campaign import run_campaign, schedules
from tests.simulation.scenarios import SCENARIOS
from tests.simulation.sim import PropertyViolation, Simulator, replay_command

LONG = bool(os.environ.get("GOVCHAIN_LONG"))
SCHEDULES = 100_100 if LONG else 2_002  # multiples of the 26 (n, scenario) combinations
SLICES = 260 if LONG else 13  # each slice stays well inside the 600 s test timeout


@pytest.mark.slow
@pytest.mark.parametrize("part", range(SLICES))
def test_campaign_slice_keeps_safety_seals_and_liveness(part: int) -> None:
    """The slices partition the schedules (a failure names its slice and seed early);
    together they run every (n, scenario) pair equally often."""
    plan = [s for i, s in enumerate(schedules(SCHEDULES)) if i % SLICES == part]
    summary = run_campaign(plan)
    print(summary.report())
    assert not summary.failures, summary.report()
    assert summary.heights > 0


def test_a_quorum_of_f_plus_one_is_caught_by_the_safety_check() -> None:
    """The campaign must be able to fail: with the quorum lowered to f + 1 (in the cores and
    in the seal check alike, as one shared bug would), honest nodes fork."""

    def broken(n: int) -> int:
        return vset.max_faulty(n) + 1

    plan = [(seed, 4, "equivocate") for seed in range(20)]
    summary = run_campaign(plan, quorum=broken, seal_quorum=broken)
    assert any(f.kind == "safety" for f in summary.failures), summary.report()
    assert all("python -m tests.simulation.run --seed" in f.replay for f in summary.failures)


def test_restarting_without_the_persisted_record_is_caught_as_equivocation() -> None:
    plan = [(seed, n, "crash") for seed in range(15) for n in (4, 7)]
    summary = run_campaign(plan, amnesia=True)
    assert any(f.kind == "equivocation" for f in summary.failures), summary.report()


def test_cores_with_a_low_quorum_are_caught_by_the_seal_check() -> None:
    plan = [(seed, 7, "clean") for seed in range(3)]
    summary = run_campaign(plan, quorum=lambda n: vset.quorum(n) - 1)
    assert summary.failures
    assert all(f.kind == "seals" for f in summary.failures)


@pytest.mark.parametrize(
    ("scenario", "reasons"),
    [
        ("bad-seal", {"bad-seal"}),
        ("forged-rc", {"unjustified-proposal", "bad-round-change"}),
        ("non-validator", {"non-validator"}),
        ("twin", {"duplicate-proposal", "duplicate-prepare"}),
        ("equivocate", {"duplicate-proposal", "not-proposer", "old-round"}),
    ],
)
def test_each_byzantine_behaviour_is_seen_and_rejected(scenario: str, reasons: set[str]) -> None:
    """Evidence that the campaign exercises what it claims: the honest cores rejected the
    Byzantine input for the expected reason in at least one schedule."""
    summary = run_campaign([(seed, n, scenario) for seed in range(6) for n in (4, 7)])
    assert not summary.failures, summary.report()
    assert reasons & {k for k, v in summary.ignored.items() if v}, summary.report()


def test_a_schedule_replays_identically() -> None:
    first = Simulator(5, 7, SCENARIOS["mixed"]).run()
    second = Simulator(5, 7, SCENARIOS["mixed"]).run()
    assert first == second


def test_the_replay_command_is_deterministic_across_processes() -> None:
    """The printed replay command must reproduce a schedule in a fresh interpreter, whatever
    its string-hash seed (no iteration over sets may steer the simulation)."""
    root = Path(__file__).resolve().parents[2]
    command = replay_command(11, 7, "mixed").split()
    outputs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, *command[1:]], cwd=root, env=env, capture_output=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_liveness_check_fires_when_no_quorum_can_ever_be_up() -> None:
    sim = Simulator(1, 4, SCENARIOS["clean"])
    for node in sim.nodes[:2]:
        node.stays_down = True
        sim.push(0.5, "crash", node.index)
    with pytest.raises(PropertyViolation, match="liveness"):
        sim.run()
