"""What ``govchain up`` prints about the dev chain: never the notary's own key."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from govchain_node.keys import DEV_MNEMONIC, dev_accounts_from_mnemonic
from govchain_notary.up import UpOptions, dev_chain_lines, verify_hint_lines


def lines(accounts: list[Any], notary_address: str) -> list[str]:
    node = SimpleNamespace(chain_id=1337, dev_accounts=accounts)
    settings = SimpleNamespace(issuers=[SimpleNamespace(address=notary_address)])
    return dev_chain_lines(cast(Any, node), cast(Any, settings), UpOptions(Path("d")))


def test_the_notarys_key_is_left_out_of_an_older_data_dirs_accounts() -> None:
    """Data dirs from before the dev accounts hold one account: the notary's."""
    (old,) = dev_accounts_from_mnemonic(
        "legal winner thank year wave sausage worth useful legal winner thank yellow", 1
    )
    printed = "\n".join(lines([old], "0x" + old.address.hex()))
    assert old.private_key.hex() not in printed
    assert "0 funded accounts" in printed
    assert "start with a new --data-dir" in printed


def test_dev_accounts_are_listed_with_keys_and_periods() -> None:
    accounts = dev_accounts_from_mnemonic(DEV_MNEMONIC, 10)
    printed = lines(accounts, "0x" + "ab" * 20)
    assert "an empty one every 5 s when idle" in printed[0]
    assert sum(line.startswith("  (") for line in printed) == 10
    assert printed[2] == (
        f"  (0) {accounts[0].checksum_address}  key 0x{accounts[0].private_key.hex()}"
    )


def test_the_verify_hint_names_the_deployment_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``govchain verify`` takes no deployment from the working directory: ``up`` says how."""
    monkeypatch.chdir(tmp_path)
    printed = verify_hint_lines(Path("govchain-data"), "http://127.0.0.1:8545")
    deployment = tmp_path / "govchain-data" / "deployment.json"
    assert f"export GOVCHAIN_DEPLOYMENT={deployment} " in printed[0]
    assert deployment.is_absolute()
    assert "GOVCHAIN_RPC_URL=http://127.0.0.1:8545" in printed[0]
    assert "govchain verify FILE" in printed[1]
