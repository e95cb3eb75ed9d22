"""Gap analysis: missing sequence numbers, frame-counter jumps, rejoins."""

from __future__ import annotations

from govchain_client.iot.gaps import CounterGap, analyse


def test_complete_sequence() -> None:
    report = analyse([(0, 10), (1, 11), (2, 12)], 3)
    assert report.complete
    assert report.counter_gaps == ()
    assert report.resets == ()


def test_missing_sequence_numbers_as_ranges() -> None:
    report = analyse([(0, 1), (3, 4), (4, 5), (7, 8)], 10)
    assert report.missing_seqs == ((1, 2), (5, 6), (8, 9))
    assert not report.complete


def test_frame_counter_gaps_and_resets() -> None:
    rows = [(0, 100), (1, 101), (2, 105), (3, 0), (4, 1), (5, 3)]
    report = analyse(rows, 6)
    assert report.counter_gaps == (CounterGap(1, 102, 104), CounterGap(4, 2, 2))
    assert report.resets == (3,)
    assert not report.complete  # uplinks were lost before the bridge


def test_a_rejoin_alone_is_no_gap() -> None:
    report = analyse([(0, 100), (1, 101), (2, 0), (3, 1)], 4)
    assert report.resets == (2,)
    assert report.counter_gaps == ()
    assert report.complete


def test_empty() -> None:
    report = analyse([], 0)
    assert report.complete
    assert report.readings == 0
    assert analyse([], 2).missing_seqs == ((0, 1),)
