"""Settings are validated once, at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from govchain_notary.errors import ConfigurationError
from govchain_notary.settings import (
    DEV_PASSWORD,
    IssuerSettings,
    load_keystore_password,
    load_settings,
)

PRODUCTION = {
    "mode": "production",
    "chain": "web3",
    "issuers": [IssuerSettings(address="0x" + "ab" * 20, keystore=Path("/k.json"))],
}


def test_dev_defaults_are_valid() -> None:
    settings = load_settings()
    assert settings.mode == "dev"
    assert settings.effective_database_url.startswith("sqlite:///")


@pytest.mark.parametrize("secret", ["", "changeme", "dev-password", "Password"])
def test_production_refuses_placeholder_secrets(secret: str) -> None:
    with pytest.raises(ConfigurationError, match="placeholder"):
        load_settings(**PRODUCTION, keystore_password=secret)


def test_production_accepts_a_real_secret() -> None:
    settings = load_settings(**PRODUCTION, keystore_password="x7-Qm#93kd!aa")
    assert settings.mode == "production"


def test_production_refuses_the_dev_chain() -> None:
    with pytest.raises(ConfigurationError, match="real chain"):
        load_settings(**{**PRODUCTION, "chain": "file"}, keystore_password="x7-Qm#93kd!aa")


def test_batch_limit_must_fit_the_body_limit() -> None:
    with pytest.raises(ConfigurationError, match="cannot carry"):
        load_settings(max_batch=10_000, max_body_bytes=100_000)


def test_oversize_batch_limit_refused() -> None:
    with pytest.raises(ConfigurationError):
        load_settings(max_batch=10_001)


def test_environment_and_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "notary.toml"
    config.write_text("block_period = 3.5\nport = 9000\n")
    monkeypatch.setenv("GOVCHAIN_NOTARY_CONFIG", str(config))
    monkeypatch.setenv("GOVCHAIN_NOTARY_PORT", "9100")
    settings = load_settings()
    assert settings.block_period == 3.5
    assert settings.port == 9100  # the environment wins over the file


def test_issuer_addresses_are_lower_cased() -> None:
    settings = load_settings(issuers=[IssuerSettings(address="0x" + "AB" * 20)])
    assert settings.issuer_addresses == ["0x" + "ab" * 20]


def test_json_logs(capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import logging

    from govchain_notary.logs import configure_logging

    configure_logging("INFO")
    logging.getLogger("govchain_notary.test").info("anchored %d", 5, extra={"issuer": "0xab"})
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert (line["message"], line["level"], line["issuer"]) == ("anchored 5", "info", "0xab")
    logging.getLogger().handlers.clear()


def test_unknown_keys_in_an_issuer_table_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # regression: a top-level key written after [[issuers]] landed in the issuer table
    # and disappeared without an error
    config = tmp_path / "notary.toml"
    config.write_text(
        '[[issuers]]\naddress = "0x' + "11" * 20 + '"\nname = "Stadt"\nblock_period = 3\n'
    )
    monkeypatch.setenv("GOVCHAIN_NOTARY_CONFIG", str(config))
    with pytest.raises(ConfigurationError, match="block_period"):
        load_settings()


def test_the_keystore_password_is_a_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same variable name as ever; the config file counts too, the environment wins."""
    monkeypatch.delenv("GOVCHAIN_NOTARY_KEYSTORE_PASSWORD", raising=False)
    monkeypatch.delenv("GOVCHAIN_NOTARY_CONFIG", raising=False)
    assert load_keystore_password() == DEV_PASSWORD
    assert load_settings().keystore_password.get_secret_value() == DEV_PASSWORD
    config = tmp_path / "notary.toml"
    config.write_text(
        'keystore_password = "from-the-file"\n[[issuers]]\naddress = "0x' + "11" * 20 + '"\n'
    )
    monkeypatch.setenv("GOVCHAIN_NOTARY_CONFIG", str(config))
    assert load_keystore_password() == "from-the-file"  # the file's other keys are not its business
    monkeypatch.setenv("GOVCHAIN_NOTARY_KEYSTORE_PASSWORD", "from-the-environment")
    assert load_keystore_password() == "from-the-environment"
    assert load_settings().keystore_password.get_secret_value() == "from-the-environment"
