"""``govchain iot-bridge status|receipt|gaps`` over a prepared spool."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govchain_client.cli import app
from govchain_client.iot.batching import BatchPolicy
from govchain_client.iot.bridge import Ingestor, ReceiptCollector, Submitter
from govchain_client.iot.delivery import Delivery
from govchain_client.iot.spool import Spool
from tests.unit.client.iot.conftest import Clock
from tests.unit.client.iot.notary_double import NotaryDouble
from tests.unit.client.iot.samples import encode, tts_topic, tts_uplink

runner = CliRunner()
DEVICE = "eui-70B3D57ED005B89A"


@pytest.fixture
def prepared(spool_path: Path, clock: Clock, notary: NotaryDouble) -> Path:
    """Frame counters 5, 6, 9 then a rejoin (0); all anchored except the last."""
    with Spool(spool_path, clock) as spool:
        for f_cnt in (5, 6, 9):
            body = encode(tts_uplink(f_cnt=f_cnt))
            Ingestor(spool).handle([Delivery(tts_topic(), body, lambda: None)])
        Ingestor(spool).handle([Delivery(tts_topic(), b"{", lambda: None)])
        clock.now += 10
        Submitter(spool, notary.client(), BatchPolicy(10, 1.0)).step()
        notary.anchor_all()
        ReceiptCollector(spool, notary.client()).step()
        body = encode(tts_uplink(f_cnt=0, received_at="2026-11-23T08:00:00Z"))
        Ingestor(spool).handle([Delivery(tts_topic(), body, lambda: None)])
    return spool_path


def test_status_prints_prometheus_metrics(prepared: Path) -> None:
    result = runner.invoke(app, ["iot-bridge", "status", "--spool", str(prepared)])
    assert result.exit_code == 0, result.output
    assert 'govchain_iot_messages_total{outcome="stored"} 4' in result.output
    assert 'govchain_iot_rejected_total{reason="not_json"} 1' in result.output
    assert 'govchain_iot_readings{state="anchored"} 3' in result.output
    assert 'govchain_iot_readings{state="spooled"} 1' in result.output
    assert "# rejected not_json" in result.output


def test_receipt_by_frame_counter_saves_receipt_and_record(prepared: Path, tmp_path: Path) -> None:
    out, record = tmp_path / "r.govchain.json", tmp_path / "reading.json"
    result = runner.invoke(
        app,
        [
            "iot-bridge",
            "receipt",
            "--spool",
            str(prepared),
            "--device",
            DEVICE,
            "--fcnt",
            "6",
            "--out",
            str(out),
            "--record",
            str(record),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["seq"], summary["f_cnt"], summary["status"]) == (1, 6, "anchored")
    assert json.loads(out.read_text())["leaf"]["seq"] == 1
    assert record.read_bytes().decode() == summary["record"]


def test_receipt_of_a_pending_reading_exits_3(prepared: Path) -> None:
    result = runner.invoke(
        app, ["iot-bridge", "receipt", "--spool", str(prepared), "--device", DEVICE, "--seq", "3"]
    )
    assert result.exit_code == 3
    assert json.loads(result.output)["status"] == "spooled"


def test_receipt_of_an_unknown_reading_exits_1(prepared: Path) -> None:
    result = runner.invoke(
        app, ["iot-bridge", "receipt", "--spool", str(prepared), "--device", DEVICE, "--fcnt", "7"]
    )
    assert result.exit_code == 1


def test_a_tampered_stored_receipt_is_refused_not_parsed(prepared: Path) -> None:
    import sqlite3

    with contextlib.closing(sqlite3.connect(prepared)) as db, db:
        db.execute("UPDATE readings SET receipt = ? WHERE receipt IS NOT NULL", ("[" * 100_000,))
    result = runner.invoke(
        app, ["iot-bridge", "receipt", "--spool", str(prepared), "--device", DEVICE, "--fcnt", "6"]
    )
    assert result.exit_code == 2
    assert "a stored receipt is unreadable: JSON nests deeper than 64" in result.output


def test_receipt_needs_exactly_one_selector(prepared: Path) -> None:
    result = runner.invoke(
        app, ["iot-bridge", "receipt", "--spool", str(prepared), "--device", DEVICE]
    )
    assert result.exit_code == 2


def test_gaps_exits_1_for_frame_counter_gaps_alone(prepared: Path) -> None:
    """Regression (issue 13 item 18): counter gaps without sequence gaps exited 0."""
    result = runner.invoke(
        app, ["iot-bridge", "gaps", "--spool", str(prepared), "--device", DEVICE]
    )
    assert result.exit_code == 1, result.output
    assert "missing seq" not in result.output
    assert "4 readings, sequence 0..3" in result.output
    assert "frame counters 7..8 never received (after seq 1)" in result.output
    assert "frame counter reset (rejoin) at seq 3" in result.output


def test_gaps_exits_1_when_a_sequence_number_is_missing(prepared: Path) -> None:
    import sqlite3

    db = sqlite3.connect(prepared)
    db.execute("DELETE FROM readings WHERE seq = 1")
    db.commit()
    db.close()
    result = runner.invoke(
        app, ["iot-bridge", "gaps", "--spool", str(prepared), "--device", DEVICE]
    )
    assert result.exit_code == 1
    assert "missing seq 1" in result.output


def test_gaps_exits_0_when_only_a_rejoin_breaks_the_counter(spool_path: Path, clock: Clock) -> None:
    with Spool(spool_path, clock) as spool:
        Ingestor(spool).handle(
            [Delivery(tts_topic(), encode(tts_uplink(f_cnt=n)), lambda: None) for n in (7, 8, 1)]
        )
    result = runner.invoke(
        app, ["iot-bridge", "gaps", "--spool", str(spool_path), "--device", DEVICE]
    )
    assert result.exit_code == 0, result.output
    assert "frame counter reset (rejoin) at seq 2" in result.output


def test_missing_spool(tmp_path: Path) -> None:
    result = runner.invoke(app, ["iot-bridge", "status", "--spool", str(tmp_path / "none.db")])
    assert result.exit_code == 2
