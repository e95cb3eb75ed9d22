"""The consortium benchmark's arithmetic: finality per transaction on the node it was
sent to, the mined rate over the whole phase, and the idle-block verdict.

The benchmark itself needs four node processes for a minute and more; these tests
check what it computes from what it observed."""

from __future__ import annotations

import pytest

from benchmarks.consortium_throughput import IdleCheck, Sent, phase_figures


def test_latency_is_taken_on_the_node_the_transaction_was_sent_to() -> None:
    sent = [Sent("0xa", 0, 10.0), Sent("0xb", 1, 10.5), Sent("0xc", 1, 11.0)]
    block_of = {"0xa": 5, "0xb": 5, "0xc": 6}
    seen = [{5: 11.0, 6: 12.0}, {5: 11.5, 6: 13.0}]
    figures = phase_figures("healthy", 2, 16, sent, block_of, seen)
    assert figures.latencies == (1.0, 1.0, 2.0)
    assert figures.mined_per_s == pytest.approx(3 / 3.0)  # first send 10.0, last final 13.0
    assert figures.blocks == 2
    assert figures.summary.p95 == 2.0
    assert figures.to_json()["latencies_ms"] == [1000.0, 1000.0, 2000.0]


def test_a_transaction_never_included_is_an_error_not_a_dropped_sample() -> None:
    sent = [Sent("0xa", 0, 1.0), Sent("0xb", 0, 1.0)]
    with pytest.raises(ValueError, match="1 transactions were never included"):
        phase_figures("healthy", 1, 1, sent, {"0xa": 3}, [{3: 2.0}])


def test_a_block_the_node_never_showed_is_an_error() -> None:
    with pytest.raises(ValueError, match="node 0 was never seen at block 3"):
        phase_figures("healthy", 1, 1, [Sent("0xa", 0, 1.0)], {"0xa": 3}, [{2: 2.0}])


def test_no_transactions_is_an_error() -> None:
    with pytest.raises(ValueError, match="no transactions"):
        phase_figures("healthy", 1, 1, [], {}, [{}])


def test_idle_blocks_every_period_do_not_honour_a_longer_empty_block_period() -> None:
    assert not IdleCheck(6.0, 6, 1.0, 60.0).honoured
    assert IdleCheck(6.0, 1, 1.0, 60.0).honoured
    assert IdleCheck(6.0, 6, 1.0, 1.0).honoured
    assert "NOT honoured" in IdleCheck(6.0, 6, 1.0, 60.0).describe()
