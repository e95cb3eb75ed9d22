"""The example notary configurations load through the notary's own settings model.

Why: the settings model forbids unknown keys, so loading each file proves every
setting name in it is exact, and production mode's checks (real keystore password,
``chain = "web3"``, a keystore per issuer) run too. This is the only way to test the
Besu configuration without a Besu network.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from govchain_notary.errors import ConfigurationError
from govchain_notary.settings import CONFIG_ENV, load_settings
from tests.unit.docker.files import DOCKER

ALL_INTERFACES = "0.0.0.0"  # noqa: S104  # containers listen on their own interface
REAL_PASSWORD = "a-real-keystore-passphrase-7f3c"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the variables a test sets: a developer's GOVCHAIN_NOTARY_* must not leak in."""
    for name in list(os.environ):
        if name.startswith("GOVCHAIN_NOTARY_"):
            monkeypatch.delenv(name)


def _env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f"{path.name}: not NAME=value: {line}"
            values[name.strip()] = value
    return values


@pytest.mark.parametrize("config", ["notary.toml", "besu/notary.toml"])
def test_toml_configuration_loads(config: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(DOCKER / config))
    monkeypatch.setenv("GOVCHAIN_NOTARY_KEYSTORE_PASSWORD", REAL_PASSWORD)
    settings = load_settings()
    assert settings.mode == "production"
    assert settings.chain == "web3"
    assert settings.host == ALL_INTERFACES
    assert all(issuer.keystore is not None for issuer in settings.issuers)


def test_besu_toml_and_env_say_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(DOCKER / "besu" / "notary.toml"))
    monkeypatch.setenv("GOVCHAIN_NOTARY_KEYSTORE_PASSWORD", REAL_PASSWORD)
    from_toml = load_settings()
    monkeypatch.delenv(CONFIG_ENV)
    for name, value in _env_file(DOCKER / "besu" / "notary.env").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GOVCHAIN_NOTARY_KEYSTORE_PASSWORD", REAL_PASSWORD)
    from_env = load_settings()
    for field in ("rpc_url", "chain_id", "anchor_registry", "status_registry", "block_period"):
        assert getattr(from_env, field) == getattr(from_toml, field), field
    assert from_env.issuer_registry == from_toml.issuer_registry
    assert [i.keystore for i in from_env.issuers] == [i.keystore for i in from_toml.issuers]


def test_besu_env_placeholder_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copying the example unchanged must not start a production notary."""
    for name, value in _env_file(DOCKER / "besu" / "notary.env").items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="placeholder"):
        load_settings()


def test_an_unknown_setting_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What makes the loads above meaningful: a misspelt key fails."""
    bad = tmp_path / "notary.toml"
    # at the top: appended, it would land in the last [[issuers]] table
    bad.write_text('rpc_ulr = "x"\n' + (DOCKER / "besu" / "notary.toml").read_text())
    monkeypatch.setenv(CONFIG_ENV, str(bad))
    monkeypatch.setenv("GOVCHAIN_NOTARY_KEYSTORE_PASSWORD", REAL_PASSWORD)
    with pytest.raises(ConfigurationError):
        load_settings()


def test_compose_env_example_names_every_required_variable() -> None:
    compose = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    example = _env_file(DOCKER / "notary.env.example")
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", compose))
    assert required
    assert required <= set(example), required - set(example)
