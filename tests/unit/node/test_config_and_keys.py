from __future__ import annotations

import os
from pathlib import Path

import pytest

from govchain_node.config import NodeConfig
from govchain_node.errors import ConfigError, KeyFileError
from govchain_node.keys import (
    Account,
    load_dev_accounts,
    load_or_create_validator_key,
    write_dev_accounts,
)


def test_config_file_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "node.toml"
    path.write_text(
        'data_dir = "/tmp/x"\nchain_id = 7\nblock_period = 2.0\n[txpool]\nmax_per_sender = 5\n'
    )
    config = NodeConfig.load(path, {"block_period": 0.5, "rpc_port": None})
    assert config.chain_id == 7
    assert config.block_period == 0.5
    assert config.rpc_port == 8545
    assert config.txpool.max_per_sender == 5


@pytest.mark.parametrize(
    "overrides",
    [
        {"chain_id": 0},
        {"block_period": -1},
        {"empty_block_period": 0.1, "block_period": 1.0},
        {"rpc_port": 70000},
        {"block_gas_limit": 10},
        {"no_such_key": 1},
    ],
)
def test_invalid_settings_are_refused(tmp_path: Path, overrides: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        NodeConfig.load(None, {"data_dir": tmp_path, **overrides})


def test_data_dir_required() -> None:
    with pytest.raises(ConfigError):
        NodeConfig.load(None, {})


def test_validator_key_created_once_with_private_mode(tmp_path: Path) -> None:
    first = load_or_create_validator_key(tmp_path)
    assert (tmp_path / "validator.key").stat().st_mode & 0o777 == 0o600
    assert load_or_create_validator_key(tmp_path) == first


def test_group_readable_key_is_refused(tmp_path: Path) -> None:
    load_or_create_validator_key(tmp_path)
    os.chmod(tmp_path / "validator.key", 0o640)
    with pytest.raises(KeyFileError):
        load_or_create_validator_key(tmp_path)


def test_dev_accounts_round_trip(tmp_path: Path) -> None:
    accounts = [Account.generate(), Account.generate()]
    write_dev_accounts(tmp_path, 1337, accounts)
    assert load_dev_accounts(tmp_path) == accounts
    assert (tmp_path / "dev-accounts.json").stat().st_mode & 0o777 == 0o600


def test_dev_accounts_are_the_public_dev_mnemonics() -> None:
    """Hardhat's published keys for the same mnemonic and path are the oracle."""
    from govchain_node.keys import DEV_MNEMONIC, dev_accounts_from_mnemonic
    from tests.support.hardhat_node import HARDHAT_KEYS

    accounts = dev_accounts_from_mnemonic(DEV_MNEMONIC, len(HARDHAT_KEYS))
    assert ["0x" + a.private_key.hex() for a in accounts] == list(HARDHAT_KEYS)
    assert NodeConfig(data_dir=Path("x")).dev_accounts == 10
