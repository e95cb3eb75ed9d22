"""``govchain contracts …``: deploy the registries and register issuers on a consortium.

    govchain contracts deploy --rpc-url URL --key-file KEY --member 0x… [--member 0x…] \
        --out deployment.json
    govchain contracts propose-issuer --rpc-url URL --key-file KEY --deployment deployment.json \
        --issuer 0x… --name "Stadt Musterstadt" --ags 05315000 --roles certificate,register
    govchain contracts vote --rpc-url URL --key-file KEY --deployment deployment.json ID

A key file holds either a ``0x``-hex private key (as ``govchain consortium init`` writes
``validator.key``) or an eth-account keystore whose password is read from the environment
variable named by ``--password-env``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from requests.exceptions import RequestException
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception
from web3.logs import DISCARD

from govchain_contracts import Role, load
from govchain_contracts.deploy import ContractSender, deploy_registries, web3_for
from govchain_contracts.errors import DeployError
from govchain_core.deployment import Deployment
from govchain_core.errors import DeploymentError

contracts_app = typer.Typer(
    help="Deploy the registries and register issuers on a chain.", no_args_is_help=True
)

#: The environment variable that holds a keystore's password unless told otherwise.
PASSWORD_ENV = "GOVCHAIN_DEPLOYER_PASSWORD"  # noqa: S105 - a variable name, not a secret

RpcUrl = Annotated[str, typer.Option("--rpc-url", help="JSON-RPC endpoint of a node.")]
KeyFile = Annotated[
    Path, typer.Option("--key-file", help="0x-hex private key or eth-account keystore file.")
]
PasswordEnv = Annotated[
    str,
    typer.Option("--password-env", help="Environment variable holding the keystore password."),
]
DeploymentFile = Annotated[
    Path, typer.Option("--deployment", help="deployment.json written by `contracts deploy`.")
]


def register(app: typer.Typer) -> None:
    app.add_typer(contracts_app, name="contracts")


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def load_account(path: Path, password_env: str) -> LocalAccount:
    """The signing account from a hex key file or a keystore (password from the env)."""
    try:
        text = path.read_text().strip()
    except OSError as exc:
        raise fail(f"cannot read key file {path}: {exc.strerror}") from exc
    try:
        if text.startswith("{"):
            password = os.environ.get(password_env)
            if password is None:
                raise fail(f"keystore {path} needs its password in ${password_env}")
            account: LocalAccount = Account.from_key(Account.decrypt(json.loads(text), password))
        else:
            account = Account.from_key(text)
    except (ValueError, TypeError, KeyError) as exc:
        raise fail(
            f"{path} is neither a hex private key nor a keystore we can open: {exc}"
        ) from exc
    return account


def _connect(rpc_url: str) -> Web3:
    web3 = web3_for(rpc_url)
    try:
        web3.eth.get_block_number()
    except (RequestException, Web3Exception, OSError, ValueError) as exc:
        raise fail(f"no JSON-RPC node answers at {rpc_url}: {exc}") from exc
    return web3


def _sender(rpc_url: str, key_file: Path, password_env: str) -> ContractSender:
    account = load_account(key_file, password_env)
    return ContractSender(_connect(rpc_url), account)


def _transact(action: str, call: Any) -> Any:
    """Run a set-up step, turning chain failures into one clear error line."""
    try:
        return call()
    except (DeployError, ContractLogicError, TimeExhausted, Web3Exception, ValueError) as exc:
        raise fail(f"{action} failed: {exc}") from exc


@contracts_app.command("deploy")
def deploy(
    rpc_url: RpcUrl,
    key_file: KeyFile,
    out: Annotated[Path, typer.Option("--out", help="Where to write deployment.json.")] = Path(
        "deployment.json"
    ),
    member: Annotated[
        list[str] | None,
        typer.Option(
            "--member", help="Founding IssuerRegistry member (repeat); default: the deployer."
        ),
    ] = None,
    password_env: PasswordEnv = PASSWORD_ENV,
) -> None:
    """Deploy IssuerRegistry, AnchorRegistry and StatusRegistry; write deployment.json."""
    members = member or []
    for address in members:
        if not Web3.is_address(address):
            raise fail(f"--member {address!r} is not a 20-byte 0x-hex address")
    if out.exists():
        raise fail(f"{out} exists; a consortium deploys its registries once")
    sender = _sender(rpc_url, key_file, password_env)
    founding = members or [sender.account.address]
    deployment = _transact("deploy", lambda: deploy_registries(sender, founding))
    out.write_text(json.dumps(deployment.to_object(), indent=2) + "\n")
    typer.echo(f"IssuerRegistry  {deployment.issuer_registry}")
    typer.echo(f"AnchorRegistry  {deployment.anchor_registry}")
    typer.echo(f"StatusRegistry  {deployment.status_registry}")
    typer.echo(f"members {', '.join(a.lower() for a in founding)}; wrote {out}")


def _issuer_registry(sender: ContractSender, deployment_file: Path) -> Any:
    try:
        deployment = Deployment.load(deployment_file)
    except DeploymentError as exc:
        raise fail(str(exc)) from exc
    chain_id = int(sender.web3.eth.chain_id)
    if chain_id != deployment.chain_id:
        raise fail(f"{deployment_file} is for chain {deployment.chain_id}, the node is {chain_id}")
    return sender.web3.eth.contract(
        address=Web3.to_checksum_address(deployment.issuer_registry),
        abi=list(load("IssuerRegistry").abi),
    )


def parse_roles(text: str) -> int:
    """``certificate,register`` → the IssuerRegistry role bits."""
    bits = 0
    for name in filter(None, (part.strip() for part in text.split(","))):
        try:
            bits |= Role[name.upper()]
        except KeyError as exc:
            known = ", ".join(role.name.lower() for role in Role)
            raise fail(f"unknown role {name!r} (known: {known})") from exc
    if bits == 0:
        raise fail("--roles needs at least one role")
    return bits


@contracts_app.command("propose-issuer")
def propose_issuer(
    rpc_url: RpcUrl,
    key_file: KeyFile,
    deployment: DeploymentFile,
    issuer: Annotated[str, typer.Option("--issuer", help="The issuer's signing address.")],
    name: Annotated[str, typer.Option("--name", help="Display name, e.g. the authority.")],
    ags: Annotated[str, typer.Option("--ags", help="8-digit AGS or 12-digit ARS.")],
    roles: Annotated[
        str, typer.Option("--roles", help="Comma-separated: certificate, register, iot, dataset.")
    ],
    valid_until: Annotated[
        int, typer.Option("--valid-until", help="Last second of validity, 0 = open end.")
    ] = 0,
    password_env: PasswordEnv = PASSWORD_ENV,
) -> None:
    """Propose (and vote for) registering an issuer; executes once a majority agrees."""
    if not Web3.is_address(issuer):
        raise fail(f"--issuer {issuer!r} is not a 20-byte 0x-hex address")
    bits = parse_roles(roles)
    sender = _sender(rpc_url, key_file, password_env)
    registry = _issuer_registry(sender, deployment)
    call = registry.functions.proposeSetIssuer(
        Web3.to_checksum_address(issuer), name, ags, bits, 0, valid_until
    )
    receipt = _transact("proposeSetIssuer", lambda: sender.send(call))
    _report_proposal(registry, receipt, issuer)


@contracts_app.command("vote")
def vote(
    rpc_url: RpcUrl,
    key_file: KeyFile,
    deployment: DeploymentFile,
    proposal: Annotated[int, typer.Argument(help="Proposal id.", min=0)],
    password_env: PasswordEnv = PASSWORD_ENV,
) -> None:
    """Vote for an open IssuerRegistry proposal; executes it when this vote makes a majority."""
    sender = _sender(rpc_url, key_file, password_env)
    registry = _issuer_registry(sender, deployment)
    _transact("vote", lambda: sender.send(registry.functions.vote(proposal)))
    typer.echo(f"voted for proposal {proposal}")


def _report_proposal(registry: Any, receipt: Any, issuer: str) -> None:
    proposed = registry.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)
    ids = [int(event["args"]["id"]) for event in proposed]
    active = bool(registry.functions.isActive(Web3.to_checksum_address(issuer)).call())
    state = "registered (majority reached)" if active else "waiting for more member votes"
    typer.echo(f"proposal {', '.join(map(str, ids)) or '?'} for {issuer.lower()}: {state}")
