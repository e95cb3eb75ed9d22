"""The MQTT side of the bridge (paho-mqtt 2): QoS 1, persistent session, manual acks.

Messages are acknowledged by the bridge only after the spool committed them
(``manual_ack_set(True)``, then ``ack(mid, qos)``), so the broker redelivers whatever
a crashed bridge had not stored.  The session is persistent (``clean_session=False``
with a fixed client id), so the broker also queues uplinks published while the
bridge is down; size the broker's ``max_queued_messages`` for the longest outage
(Mosquitto's default is 1,000 messages per client).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from govchain_client.iot.delivery import Delivery

logger = logging.getLogger(__name__)

DEFAULT_CLIENT_ID = "govchain-iot-bridge"


def parse_address(address: str) -> tuple[str, int]:
    """``host:port`` (port 1883 when omitted)."""
    host, sep, port = address.rpartition(":")
    if not sep:
        return address, 1883
    return host.strip("[]"), int(port)


class MqttSource:
    """Subscribes to uplink topics and hands each message to ``deliver``."""

    def __init__(
        self,
        address: str,
        topics: Sequence[str],
        deliver: Callable[[Delivery], None],
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        keepalive: int = 30,
    ) -> None:
        self.host, self.port = parse_address(address)
        self.topics = list(topics)
        self.keepalive = keepalive
        self._deliver = deliver
        self.connected = False
        #: The broker acknowledged this connection's subscriptions (SUBACK): from here on,
        #: a message published to the topics reaches this source.
        self.subscribed = False
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=MQTTProtocolVersion.MQTTv311,
        )
        self._client.manual_ack_set(True)
        self._client.reconnect_delay_set(1, 30)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe

    def start(self) -> None:
        """Connect in the background; paho reconnects on its own after a broker outage."""
        self._client.connect_async(self.host, self.port, self.keepalive)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            logger.error("MQTT %s:%s refused the connection: %s", self.host, self.port, reason)
            return
        self.connected = True
        self.subscribed = False
        client.subscribe([(topic, 1) for topic in self.topics])
        logger.info("connected to MQTT %s:%s, subscribed to %s", self.host, self.port, self.topics)

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self.connected = False
        self.subscribed = False
        logger.warning("disconnected from MQTT %s:%s (%s)", self.host, self.port, reason)

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, _mid: int, reasons: list[Any], _props: Any
    ) -> None:
        refused = [reason for reason in reasons if reason.is_failure]
        if refused:
            logger.error("MQTT %s:%s refused subscriptions: %s", self.host, self.port, refused)
            return
        self.subscribed = True
        logger.info("MQTT %s:%s acknowledged the subscriptions", self.host, self.port)

    def _on_message(self, client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = "<undecodable topic>"
        mid, qos = message.mid, message.qos

        def ack() -> None:
            client.ack(mid, qos)

        self._deliver(Delivery(topic, bytes(message.payload), ack))
