"""Notary settings: environment (``GOVCHAIN_NOTARY_*``) over an optional TOML file.

Validated once, at start-up, so that a misconfigured notary refuses to start rather
than failing on the first request.  Outside dev mode, placeholder secrets and the
in-memory chain are refused.  Batching limits are checked here too: a batch bound
above what the body size limit can carry would make the bound a lie.

Every setting of the notary is read here and nowhere else: the rest of the package
gets a ``Settings`` object (``tests/unit/notary/test_notary_environment_reads.py``
scans the package for environment reads).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from govchain_notary.errors import ConfigurationError

CONFIG_ENV = "GOVCHAIN_NOTARY_CONFIG"
DEV_PASSWORD = "dev-password"  # noqa: S105  (dev mode only; production refuses placeholders)
DEV_ISSUER = "0x" + "d0" * 20
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "dev", "dev-password", "password", "secret", "test", "example"}
)
MIN_BYTES_PER_ITEM = 80  # {"digest":"sha256:<64 hex>"} plus a comma


class IssuerSettings(BaseModel):
    """One tenant: an issuer address with its own log and signing key."""

    # a misspelt key, or a key meant for the top level written after an [[issuers]]
    # table, would otherwise vanish silently
    model_config = ConfigDict(extra="forbid")

    address: str = Field(pattern=r"^0x[0-9a-fA-F]{40}$")
    name: str = ""
    keystore: Path | None = None

    @field_validator("address")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class KeystoreSettings(BaseSettings):
    """The keystore password alone, read from the same sources as every setting.

    ``govchain up`` must open or create the issuer keystore before it knows the issuer's
    address, so before it can build :class:`Settings`: it reads the password through
    :func:`load_keystore_password`.  ``Settings`` inherits the field and its sources
    from here, so both read ``GOVCHAIN_NOTARY_KEYSTORE_PASSWORD`` (over the config file)
    the same way.
    """

    # the other settings in the environment and the config file are Settings' business
    model_config = SettingsConfigDict(
        env_prefix="GOVCHAIN_NOTARY_", env_nested_delimiter="__", extra="ignore"
    )

    keystore_password: SecretStr = Field(
        default=SecretStr(DEV_PASSWORD),
        description="GOVCHAIN_NOTARY_KEYSTORE_PASSWORD: opens the issuers' keystores "
        "(and encrypts the one `govchain up` creates); production refuses placeholders",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # the one environment read outside the fields: which config file to read them from
        config_file = os.environ.get(CONFIG_ENV)
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        if config_file:
            sources += (TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)),)
        return sources


class Settings(KeystoreSettings):
    """Everything a notary process needs; see the README for each variable."""

    model_config = SettingsConfigDict(
        env_prefix="GOVCHAIN_NOTARY_", env_nested_delimiter="__", extra="forbid"
    )

    mode: Literal["dev", "production"] = "dev"
    #: "reader": a read-only replica on the writer's database (no writer, no lock, no
    #: anchoring); writes answer 503 ``read-replica``.
    role: Literal["writer", "reader"] = "writer"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    data_dir: Path = Path("govchain-data")
    database_url: str = ""
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    issuers: list[IssuerSettings] = Field(
        default_factory=lambda: [IssuerSettings(address=DEV_ISSUER, name="Dev issuer")]
    )
    chain: Literal["memory", "file", "web3"] = "file"
    chain_file: Path | None = None
    rpc_url: str = "http://127.0.0.1:8545"
    public_rpc_url: str = ""  # what browsers should use, when it differs from rpc_url
    chain_id: int = 1337
    anchor_registry: str = "0x" + "a5" * 20
    status_registry: str = ""
    issuer_registry: str = ""
    chain_timeout: float = Field(default=30.0, gt=0, description="RPC and finality wait")

    block_period: float = Field(default=1.0, gt=0, le=3600)
    anchor_threshold: int = Field(default=200_000, ge=1)
    max_batch: int = Field(default=10_000, ge=1, le=10_000)
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    group_commit_leaves: int = Field(default=50_000, ge=1)
    backlog_limit: int = Field(default=2_000_000, ge=1)
    digest_merge_at: int = Field(default=100_000, ge=1, description="recent digests to merge")
    digest_merge_slice: int = Field(default=5_000, ge=1, description="digests per transaction")
    digest_merge_idle: float = Field(default=1.0, gt=0, description="writer idle: merge now")
    digest_index_lag_limit: int = Field(default=1_000_000, ge=1, description="/readyz warns")
    retry_after: float = Field(default=2.0, gt=0)
    max_wait: float = Field(default=30.0, ge=0)
    lookup_limit: int = Field(default=100, ge=1, le=10_000)
    lookup_cache_ttl: float = Field(default=30.0, ge=0, description="0 disables the cache")

    default_client_rate: float = Field(default=50.0, gt=0)
    public_read_rate: float = Field(default=200.0, gt=0)
    public_read_burst: float = Field(default=400.0, gt=0)
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    static_dir: Path | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.max_batch * MIN_BYTES_PER_ITEM > self.max_body_bytes:
            raise ValueError(
                f"max_body_bytes {self.max_body_bytes} cannot carry a batch of {self.max_batch}"
            )
        if not self.issuers:
            raise ValueError("at least one issuer is needed")
        if self.mode == "production":
            self._production_checks()
        return self

    def _production_checks(self) -> None:
        if self.keystore_password.get_secret_value().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("keystore_password is a placeholder; set a real secret")
        if self.chain != "web3":
            raise ValueError("production mode anchors on a real chain: set chain = 'web3'")
        if any(issuer.keystore is None for issuer in self.issuers):
            raise ValueError("production mode needs a keystore file for every issuer")

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'notary.db'}"

    @property
    def effective_chain_file(self) -> Path:
        return self.chain_file or self.data_dir / "dev-chain.json"

    @property
    def issuer_addresses(self) -> list[str]:
        return [issuer.address for issuer in self.issuers]


def load_settings(**overrides: object) -> Settings:
    """Settings from environment and config file; raise ``ConfigurationError`` if invalid."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(f"invalid notary settings:\n{exc}") from exc


def load_keystore_password() -> str:
    """The keystore password from environment and config file (see ``KeystoreSettings``)."""
    try:
        return KeystoreSettings().keystore_password.get_secret_value()
    except ValidationError as exc:
        raise ConfigurationError(f"invalid notary settings:\n{exc}") from exc
