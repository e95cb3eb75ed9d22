"""The chain node opens a data dir written by ``consortium init`` and agrees on block 0."""

from __future__ import annotations

import json
from pathlib import Path

from govchain_node.codec.extra_data import decode_extra_data
from govchain_node.config import NodeConfig
from govchain_node.consensus.consortium import ConsortiumSpec, init_consortium
from govchain_node.p2p.settings import read_node_toml
from govchain_node.service import Node


def test_single_validator_consortium_dir_opens_in_the_node(tmp_path: Path) -> None:
    consortium = init_consortium(tmp_path / "c", ConsortiumSpec(validators=1, base_port=20000))
    node_dir = consortium.directory / "node-0"
    config = NodeConfig.load(None, read_node_toml(node_dir / "node.toml").values)
    node = Node.open(config)
    try:
        head = node.ledger.head
        assert head.block_number == 0
        document = json.loads((node_dir / "genesis.json").read_text())
        assert head.extra_data == bytes.fromhex(document["extra_data"][2:])
        assert decode_extra_data(head.extra_data).validators == consortium.validators
        assert node.validator.address == consortium.nodes[0].address
    finally:
        node.ledger.close()
