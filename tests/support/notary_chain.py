"""A notary configured for web3 anchoring on a dev node (registries deployed, dev issuer)."""

from __future__ import annotations

from pathlib import Path

from govchain_node.dev import DevNodeHandle
from govchain_notary.devchain import deploy_dev_registries, write_keystore
from govchain_notary.settings import IssuerSettings, Settings
from govchain_notary.up import dev_chain_settings

PASSWORD = "dev-password"


def web3_notary_settings(node: DevNodeHandle, root: Path, **overrides: object) -> Settings:
    """Deploy the registries on ``node`` with its first dev account as the issuer.

    The issuer's keystore is ``root / "issuer.json"`` (password :data:`PASSWORD`); the
    notary's data directory is ``root / "notary"``. ``overrides`` are further settings.
    """
    key = node.dev_accounts[0].private_key
    keystore = root / "issuer.json"
    issuer = write_keystore(keystore, key, PASSWORD)
    registries = deploy_dev_registries(node.rpc_url, key, issuer)
    return dev_chain_settings(
        node,
        registries,
        IssuerSettings(address=issuer, keystore=keystore),
        PASSWORD,
        data_dir=root / "notary",
        **overrides,
    )
