"""The node runs one consensus, picked by a factory: the ``--dev`` producer or the QBFT driver.

A consortium node must build neither the ``--dev`` engine nor its producer (they would
seal blocks alone); a ``--dev`` node must not load the p2p stack. Both engines settle a
commit with the same routine (:func:`settle_commit`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govchain_node.config import NodeConfig
from govchain_node.consensus import factory
from govchain_node.consensus.consortium import ConsortiumSpec, init_consortium
from govchain_node.consensus.driver import ConsortiumDriver
from govchain_node.consensus.producer import BlockProducer
from govchain_node.p2p.settings import read_node_toml
from govchain_node.service import Node


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("a consortium node built a --dev engine or producer")


def test_a_consortium_node_builds_the_driver_and_no_dev_engine_or_producer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(factory, "DevEngine", _refuse)
    monkeypatch.setattr(factory, "BlockProducer", _refuse)
    consortium = init_consortium(tmp_path / "c", ConsortiumSpec(validators=1, base_port=20000))
    node_toml = read_node_toml(consortium.directory / "node-0" / "node.toml")
    node = Node.open(NodeConfig.load(None, node_toml.values), p2p=node_toml.p2p)
    try:
        assert isinstance(node.consensus, ConsortiumDriver)
        assert node.consensus.address == consortium.nodes[0].address
        assert node.consensus.votes is not None
    finally:
        node.ledger.close()


def test_a_dev_node_builds_the_producer_sealing_with_its_validator(tmp_path: Path) -> None:
    node = Node.open(NodeConfig(data_dir=tmp_path, dev=True))
    try:
        assert isinstance(node.consensus, BlockProducer)
        assert node.consensus.address == node.validator.address
        assert node.consensus.votes is None
        assert node.consensus.peer_count == 0
    finally:
        node.ledger.close()


def test_a_dev_node_loads_neither_the_driver_nor_the_p2p_stack(tmp_path: Path) -> None:
    probe = (
        "import sys; from pathlib import Path\n"
        "from govchain_node.config import NodeConfig\n"
        "from govchain_node.service import Node\n"
        f"node = Node.open(NodeConfig(data_dir=Path({str(tmp_path)!r}), dev=True))\n"
        "node.ledger.close()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('govchain_node.p2p', "
        "'govchain_node.consensus.driver'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
