"""``govchain up``: the embedded default in one command.

Starts a ``--dev`` node in-process, deploys the three registries and registers a
dev issuer on first start (addresses, issuer keystore and a dev API key are kept
in the data directory, so a second start reuses them), then serves the notary
(SQLite) with the web verifier at ``/`` until Ctrl-C, and stops the node cleanly.

Keys: the notary anchors with a key of its own (random, in ``issuer-keystore.json``),
which it shares with nobody: a wallet sending with it would take the notary's nonces.
The registries are deployed by the node's validator key. Users get the node's dev
accounts for experiments (funded, allowed to send, from the public dev mnemonic
:data:`govchain_node.keys.DEV_MNEMONIC`), printed at start.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from govchain_core.deployment import Deployment
from govchain_node.config import DEV_EMPTY_BLOCK_PERIOD
from govchain_node.dev import DevNodeHandle, start_dev_node
from govchain_node.keys import DEV_MNEMONIC, DEV_PATH, Account
from govchain_notary.app import create_app
from govchain_notary.auth import new_client
from govchain_notary.clock import SYSTEM_CLOCK
from govchain_notary.devchain import Registries, deploy_dev_registries, web3_for, write_keystore
from govchain_notary.http_limits import BoundedHttpToolsProtocol
from govchain_notary.settings import (
    IssuerSettings,
    Settings,
    load_keystore_password,
    load_settings,
)
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.sql import SqlStore

ALL_SCOPES = ["submit:*", "status:*"]


@dataclass(frozen=True)
class UpOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    rpc_port: int = 8545
    ws_port: int = 8546
    block_period: float = 1.0
    #: An idle dev chain still makes a block this often, so newHeads keep coming.
    empty_block_period: float = DEV_EMPTY_BLOCK_PERIOD


def prepare(options: UpOptions, node: DevNodeHandle) -> tuple[Settings, str]:
    """Registries, issuer keystore, notary settings and the dev API key (first start
    creates them, later starts reuse them).  The keystore's password is the notary's
    ``keystore_password`` setting (the dev placeholder unless the operator sets one)."""
    data_dir = options.data_dir
    password = load_keystore_password()
    keystore = data_dir / "issuer-keystore.json"
    if keystore.exists():
        issuer = "0x" + json.loads(keystore.read_text())["address"].lower().removeprefix("0x")
    else:
        issuer = write_keystore(keystore, Account.generate().private_key, password)
    deployer = node.validator.private_key
    registries = _registries(data_dir / "registries.json", node, deployer, issuer)
    node.set_issuer_registry(registries.issuer)
    _write_deployment(data_dir / "deployment.json", node.chain_id, registries)
    settings = dev_chain_settings(
        node,
        registries,
        IssuerSettings(address=issuer, name="Dev issuer", keystore=keystore),
        password,
        data_dir=data_dir / "notary",
        host=options.host,
        port=options.port,
        block_period=options.block_period,
    )
    return settings, _dev_api_key(settings, data_dir / "dev-api-key", issuer)


def dev_chain_settings(
    node: DevNodeHandle,
    registries: Registries,
    issuer: IssuerSettings,
    password: str,
    **overrides: object,
) -> Settings:
    """Notary settings that anchor through web3.py on ``node``'s registries for one
    issuer (its keystore opened with ``password``); ``overrides`` are further settings."""
    return load_settings(
        chain="web3",
        rpc_url=node.rpc_url,
        chain_id=node.chain_id,
        anchor_registry=registries.anchor,
        status_registry=registries.status,
        issuer_registry=registries.issuer,
        issuers=[issuer],
        keystore_password=password,
        **overrides,
    )


def dev_chain_lines(node: DevNodeHandle, settings: Settings, options: UpOptions) -> list[str]:
    """What ``govchain up`` says about the dev chain: its block periods and the
    accounts users may experiment with (never the notary's own)."""
    notary = {issuer.address.lower() for issuer in settings.issuers}
    accounts = [a for a in node.dev_accounts if "0x" + a.address.hex() not in notary]
    lines = [
        f"dev chain       chain id {node.chain_id}; a block every {options.block_period:g} s "
        f"with transactions, an empty one every {options.empty_block_period:g} s when idle",
        f"dev accounts    {len(accounts)} funded accounts for your own transactions "
        f"(mnemonic: {DEV_MNEMONIC!r}, path {DEV_PATH.format(index='i')})",
    ]
    if not accounts:  # a data dir from before the dev accounts: one, the notary's
        lines.append("  none: this data dir predates them; start with a new --data-dir")
    for index, account in enumerate(accounts):
        lines.append(f"  ({index}) {account.checksum_address}  key 0x{account.private_key.hex()}")
    lines.append(
        "  These keys are public: use them on this dev chain only. The notary anchors "
        "with its own key, which is not one of them."
    )
    return lines


def verify_hint_lines(data_dir: Path, rpc_url: str) -> list[str]:
    """How to run ``govchain verify`` against this stack from any directory.

    ``govchain verify`` never takes the deployment from the current directory (a folder
    with a forged receipt could carry its own), so the absolute path is printed here.
    """
    deployment = (data_dir / "deployment.json").resolve()
    return [
        f"verify with     export GOVCHAIN_DEPLOYMENT={deployment} GOVCHAIN_RPC_URL={rpc_url}",
        "                then: govchain verify FILE",
    ]


def _registries(path: Path, node: DevNodeHandle, key: bytes, issuer: str) -> Registries:
    saved = Registries.load(path)
    if saved is not None:
        web3 = web3_for(node.rpc_url)
        if web3.eth.get_code(web3.to_checksum_address(saved.anchor)):
            return saved
    registries = deploy_dev_registries(node.rpc_url, key, issuer)
    registries.save(path)
    return registries


def _write_deployment(path: Path, chain_id: int, registries: Registries) -> None:
    deployment = Deployment(chain_id, registries.anchor, registries.issuer, registries.status)
    path.write_text(json.dumps(deployment.to_object(), indent=2))


def _dev_api_key(settings: Settings, path: Path, issuer: str) -> str:
    if path.exists():
        return path.read_text().strip()
    engine = make_engine(settings.effective_database_url, settings.sqlite_synchronous, 1)
    migrate(engine)
    store = SqlStore(engine)
    try:
        _, key = new_client(store, "dev", issuer, ALL_SCOPES, settings.default_client_rate)
    finally:
        store.close()
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def run_up(options: UpOptions, echo: Callable[[str], object] = print) -> None:
    options.data_dir.mkdir(parents=True, exist_ok=True)
    node = start_dev_node(
        options.data_dir / "node",
        port=options.rpc_port,
        ws_port=options.ws_port,
        host=options.host,
        block_period=options.block_period,
        empty_block_period=options.empty_block_period,
    )
    try:
        settings, api_key = prepare(options, node)
        app = create_app(settings, clock=SYSTEM_CLOCK)
        url = f"http://{options.host}:{options.port}"
        say = echo
        say(f"notary API      {url}/v1  (docs {url}/docs)")
        say(f"web verifier    {url}/")
        say(f"node JSON-RPC   {node.rpc_url}   WebSocket {node.ws_url}")
        say(f"API key         {api_key}")
        say(f"data            {options.data_dir}")
        for line in [
            *verify_hint_lines(options.data_dir, node.rpc_url),
            *dev_chain_lines(node, settings, options),
        ]:
            say(line)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=options.host,
                port=options.port,
                log_level="warning",
                http=BoundedHttpToolsProtocol,
            )
        )
        server.run()
    finally:
        node.stop()
