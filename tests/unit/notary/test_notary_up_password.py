"""``govchain up`` encrypts the issuer keystore it creates with the notary's
``keystore_password`` setting, read through the settings like every other."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from govchain_notary import up
from govchain_notary.up import UpOptions, prepare


class KeystoreWrittenError(Exception):
    """Stops ``prepare`` once it wrote the keystore: what comes next needs a node."""


def _password_of_a_new_keystore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    passwords: list[str] = []

    def write_keystore(path: Path, private_key: bytes, password: str) -> str:
        passwords.append(password)
        raise KeystoreWrittenError

    monkeypatch.setattr(up, "write_keystore", write_keystore)
    with pytest.raises(KeystoreWrittenError):
        prepare(UpOptions(tmp_path), cast(Any, object()))
    (password,) = passwords
    return password


def test_up_takes_the_keystore_password_from_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOVCHAIN_NOTARY_CONFIG", raising=False)
    monkeypatch.setenv("GOVCHAIN_NOTARY_KEYSTORE_PASSWORD", "s3cret-from-env")
    assert _password_of_a_new_keystore(tmp_path, monkeypatch) == "s3cret-from-env"


def test_up_takes_the_keystore_password_from_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the settings read the config file: a direct environment read would miss it."""
    config = tmp_path / "notary.toml"
    config.write_text('keystore_password = "s3cret-from-file"\n')
    monkeypatch.delenv("GOVCHAIN_NOTARY_KEYSTORE_PASSWORD", raising=False)
    monkeypatch.setenv("GOVCHAIN_NOTARY_CONFIG", str(config))
    assert _password_of_a_new_keystore(tmp_path, monkeypatch) == "s3cret-from-file"


def test_up_falls_back_to_the_dev_placeholder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOVCHAIN_NOTARY_CONFIG", raising=False)
    monkeypatch.delenv("GOVCHAIN_NOTARY_KEYSTORE_PASSWORD", raising=False)
    assert _password_of_a_new_keystore(tmp_path, monkeypatch) == "dev-password"
