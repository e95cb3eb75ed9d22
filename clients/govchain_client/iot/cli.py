"""``govchain iot-bridge run|status|receipt|gaps``.

``run`` is the long-running service; the other commands read the same spool (safe
while the bridge runs: WAL readers never block the writer) so an operator can prove
a reading, list gaps or scrape metrics without touching the bridge.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

iot_app = typer.Typer(
    help="Notarise LoRaWAN uplinks (The Things Stack v3, ChirpStack v4) from MQTT.",
    no_args_is_help=True,
)

SpoolPath = Annotated[
    Path, typer.Option("--spool", envvar="GOVCHAIN_IOT_SPOOL", help="The bridge's SQLite spool.")
]
DEFAULT_SPOOL = Path("govchain-data") / "iot-spool.db"
DeviceOpt = Annotated[str, typer.Option("--device", help="DevEUI (or the bridge's device key).")]


def register(app: typer.Typer) -> None:
    """Add ``iot-bridge`` to the ``govchain`` command line."""
    app.add_typer(iot_app, name="iot-bridge")


@iot_app.command()
def run(
    notary: Annotated[
        str, typer.Option(envvar="GOVCHAIN_NOTARY_URL", help="Notary base URL.")
    ] = "http://127.0.0.1:8000",
    api_key: Annotated[
        str | None, typer.Option("--api-key", envvar="GOVCHAIN_API_KEY", help="Notary API key.")
    ] = None,
    spool: SpoolPath = DEFAULT_SPOOL,
    mqtt: Annotated[str, typer.Option(help="MQTT broker host:port.")] = "127.0.0.1:1883",
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", help="MQTT filter (repeatable; default: the templates' uplinks)."),
    ] = None,
    uplink_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="tts, chirpstack, or auto: by topic template, else by the payload's shape.",
        ),
    ] = "auto",
    tts_topic: Annotated[
        list[str] | None,
        typer.Option(
            "--tts-topic",
            help="The Things Stack topic template, e.g. 'ttn/v3/{application}/devices/"
            "{device}/{event}' (repeatable; replaces the defaults).",
        ),
    ] = None,
    chirpstack_topic: Annotated[
        list[str] | None,
        typer.Option(
            "--chirpstack-topic",
            help="ChirpStack topic template, e.g. 'eu868/application/{application}/device/"
            "{dev_eui}/event/{event}' (repeatable; replaces the defaults).",
        ),
    ] = None,
    client_id: Annotated[
        str, typer.Option(help="MQTT client id (keep it fixed: the broker queues by it).")
    ] = "govchain-iot-bridge",
    batch_size: Annotated[int, typer.Option(help="Readings per batch (at most).")] = 500,
    batch_window: Annotated[float, typer.Option(help="Seconds a reading waits at most.")] = 2.0,
    receipt_poll: Annotated[float, typer.Option(help="Seconds between receipt polls.")] = 1.0,
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
) -> None:
    """Subscribe to uplinks, spool them durably and notarise them in batches."""
    from govchain_client.iot.batching import BatchPolicy
    from govchain_client.iot.bridge import Bridge, BridgeConfig
    from govchain_client.iot.errors import IotError
    from govchain_client.iot.notary_api import HttpIotNotary

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = BridgeConfig(
            spool=spool,
            mqtt=mqtt,
            client_id=client_id,
            topics=tuple(topic or ()),
            router=_router(uplink_format, tts_topic or [], chirpstack_topic or []),
            policy=BatchPolicy(batch_size, batch_window),
            receipt_poll=receipt_poll,
        )
    except (IotError, ValueError) as exc:
        typer.echo(f"govchain iot-bridge: {exc}", err=True)
        raise typer.Exit(2) from None
    if not api_key:
        logging.getLogger(__name__).warning(
            "no --api-key: the notary will refuse submissions; readings stay spooled"
        )
    spool.parent.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        Bridge(config, lambda: HttpIotNotary(notary, api_key)).run(stop)
    except IotError as exc:
        typer.echo(f"govchain iot-bridge: {exc}", err=True)
        raise typer.Exit(1) from None


def _router(uplink_format: str, tts: list[str], chirpstack: list[str]) -> Any:
    """The uplink router for the options; ``ValueError`` names a bad format or template."""
    from govchain_client.iot.formats import DEFAULT_TEMPLATES, TopicTemplate, UplinkRouter

    given = [TopicTemplate.parse("tts", t) for t in tts]
    given += [TopicTemplate.parse("chirpstack", t) for t in chirpstack]
    return UplinkRouter(uplink_format, given or DEFAULT_TEMPLATES)


@iot_app.command()
def status(
    spool: SpoolPath = DEFAULT_SPOOL,
    prometheus: Annotated[bool, typer.Option(help="Print Prometheus text only.")] = False,
) -> None:
    """Readings per state, counters (Prometheus format) and the latest rejects."""
    from govchain_client.iot.metrics import render

    with _open(spool) as store:
        typer.echo(render(store), nl=False)
        if prometheus:
            return
        error = store.last_batch_error()
        if error:
            typer.echo(f"# last submission error: {error}")
        for topic, reason, detail in store.rejects(10):
            typer.echo(f"# rejected {reason} on {topic}: {detail}")


@iot_app.command()
def receipt(
    device: DeviceOpt,
    fcnt: Annotated[int | None, typer.Option("--fcnt", help="LoRaWAN frame counter.")] = None,
    seq: Annotated[int | None, typer.Option("--seq", help="Bridge sequence number.")] = None,
    spool: SpoolPath = DEFAULT_SPOOL,
    notary: Annotated[
        str | None,
        typer.Option(envvar="GOVCHAIN_NOTARY_URL", help="Fetch the receipt if not yet stored."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the receipt v1 file here.")] = None,
    record: Annotated[
        Path | None, typer.Option(help="Write the canonical reading (the hashed bytes) here.")
    ] = None,
) -> None:
    """Print (and save) the receipt of one reading, found by frame counter or sequence."""
    from govchain_client.iot.errors import SpoolError
    from govchain_client.iot.reading import normalise_device

    if (fcnt is None) == (seq is None):
        typer.echo("govchain iot-bridge receipt: give exactly one of --fcnt and --seq", err=True)
        raise typer.Exit(2)
    key = normalise_device(device)
    with _open(spool) as store:
        try:
            matches = store.find(key, f_cnt=fcnt, seq=seq)
        except SpoolError as exc:
            typer.echo(f"govchain iot-bridge receipt: {exc}", err=True)
            raise typer.Exit(2) from None
        if not matches:
            typer.echo(f"govchain iot-bridge receipt: no reading of {key} matches", err=True)
            raise typer.Exit(1)
        if len(matches) > 1:
            typer.echo(
                "several readings match (the device rejoined); pick one with --seq:", err=True
            )
            for match in matches:
                typer.echo(f"  seq {match.seq}  f_cnt {match.f_cnt}  {match.received_at}", err=True)
            raise typer.Exit(2)
        reading = matches[0]
        view = reading.receipt
        if view is None and notary and reading.receipt_id:
            view = _fetch(store, reading.id, reading.receipt_id, notary)
    if record is not None:
        record.write_bytes(reading.record)
    receipt_v1 = view.get("receipt") if view else None
    if out is not None and receipt_v1 is not None:
        out.write_text(json.dumps(receipt_v1, indent=2, sort_keys=True) + "\n")
    typer.echo(json.dumps(_summary(reading, view), indent=2, sort_keys=True))
    if receipt_v1 is None:
        raise typer.Exit(3)


def _fetch(store: Any, reading_id: int, receipt_id: str, url: str) -> dict[str, Any] | None:
    from govchain_client.errors import ClientError
    from govchain_client.iot.notary_api import HttpIotNotary

    try:
        with HttpIotNotary(url, None) as client:
            view = client.receipt(receipt_id)
    except (ClientError, OSError) as exc:
        typer.echo(f"govchain iot-bridge receipt: cannot fetch {receipt_id}: {exc}", err=True)
        return None
    if view.get("status") == "anchored" and isinstance(view.get("receipt"), dict):
        store.store_receipts([(reading_id, view)])
    return view


def _summary(reading: Any, view: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "device": reading.device,
        "seq": reading.seq,
        "f_cnt": reading.f_cnt,
        "network": reading.network,
        "received_at": reading.received_at,
        "digest": reading.digest,
        "record": reading.record.decode("utf-8"),
        "receipt_id": reading.receipt_id,
        "status": view.get("status") if view else reading.state,
        "receipt": view.get("receipt") if view else None,
    }


@iot_app.command()
def gaps(device: DeviceOpt, spool: SpoolPath = DEFAULT_SPOOL) -> None:
    """List missing sequence numbers and frame-counter gaps of a device.

    Exit 0: no gaps; 1: sequence gaps (readings the bridge received are missing) or
    frame-counter gaps (uplinks lost before the bridge); resets after a rejoin are
    reported but are no gaps.
    """
    from govchain_client.iot.gaps import analyse
    from govchain_client.iot.reading import normalise_device

    key = normalise_device(device)
    with _open(spool) as store:
        report = analyse(store.sequence(key), store.next_seq(key))
    typer.echo(f"device {key}: {report.readings} readings, sequence 0..{report.next_seq - 1}")
    for first, last in report.missing_seqs:
        typer.echo(f"missing seq {first}" if first == last else f"missing seq {first}..{last}")
    for gap in report.counter_gaps:
        span = f"{gap.first}" if gap.first == gap.last else f"{gap.first}..{gap.last}"
        typer.echo(f"frame counters {span} never received (after seq {gap.after_seq})")
    for seq in report.resets:
        typer.echo(f"frame counter reset (rejoin) at seq {seq}")
    if not report.complete:
        raise typer.Exit(1)


def _open(path: Path) -> Any:
    from govchain_client.iot.errors import SpoolError
    from govchain_client.iot.spool import Spool

    if not path.exists():
        typer.echo(f"govchain iot-bridge: no spool at {path}", err=True)
        raise typer.Exit(2)
    try:
        return Spool(path)
    except SpoolError as exc:
        typer.echo(f"govchain iot-bridge: {exc}", err=True)
        raise typer.Exit(2) from None
