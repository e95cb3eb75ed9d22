"""The IoT bridge: LoRaWAN uplinks from MQTT, notarised in batches with provable gaps.

    formats      The Things Stack v3 and ChirpStack v4 messages -> ``Reading``
    reading      the canonical record (RFC 8785) and its leaf digest
    spool        the durable SQLite spool (commit before ack, dedupe, per-device sequence)
    batching     batch limits, content-derived idempotency keys, back-off
    notary_api   the notary calls the bridge needs (``IotNotary``; HTTP adapter)
    bridge       the ingest, submit and receipt loops
    mqtt         paho-mqtt 2 source with manual acknowledgements
    gaps         missing sequence numbers and frame-counter gaps
    metrics      Prometheus text from the spool's counters
    cli          ``govchain iot-bridge run|status|receipt|gaps``

Sequence numbers: each device's readings are numbered 0, 1, 2, … by the bridge when
it stores them (the leaf's ``seq``); the LoRaWAN frame counter, which restarts after
a rejoin, stays inside the canonical record.  See ``gaps`` for what each proves.
"""

from govchain_client.iot.errors import IotError
from govchain_client.iot.reading import Reading

__all__ = ["IotError", "Reading"]
