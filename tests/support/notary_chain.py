"""A notary configured for web3 anchoring on a dev node (registries deployed, dev issuer)."""

from __future__ import annotations

from pathlib import Path

from govchain_node.dev import DevNodeHandle
from govchain_notary.devchain import deploy_registries, write_keystore
from govchain_notary.settings import IssuerSettings, Settings, load_settings

PASSWORD = "dev-password"


def web3_notary_settings(node: DevNodeHandle, root: Path, **overrides: object) -> Settings:
    """Deploy the registries on ``node`` with its first dev account as the issuer.

    The issuer's keystore is ``root / "issuer.json"`` (password :data:`PASSWORD`); the
    notary's data directory is ``root / "notary"``. ``overrides`` are further settings.
    """
    key = node.dev_accounts[0].private_key
    keystore = root / "issuer.json"
    issuer = write_keystore(keystore, key, PASSWORD)
    registries = deploy_registries(node.rpc_url, key, issuer)
    return load_settings(
        data_dir=root / "notary",
        chain="web3",
        rpc_url=node.rpc_url,
        chain_id=node.chain_id,
        anchor_registry=registries.anchor,
        status_registry=registries.status,
        issuer_registry=registries.issuer,
        issuers=[IssuerSettings(address=issuer, keystore=keystore)],
        keystore_password=PASSWORD,
        **overrides,
    )
