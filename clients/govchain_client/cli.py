"""The ``govchain`` command line.

The client package owns the entry point and the commands every user has (``hash``,
``verify``, ``notarize``).  Operators' commands (``node``, ``consortium``,
``notary``, ``up``) come from the node and notary packages, which register
themselves through the ``govchain.cli`` entry-point group: each entry names a
``register(app)`` callable.  So the client never imports them, and a client-only
install simply lacks those commands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from govchain_core import __version__
from govchain_core.digest import digest_file

if TYPE_CHECKING:
    from govchain_client.errors import ClientError
    from govchain_client.notary import NotaryClient

app = typer.Typer(
    name="govchain",
    help="Notarise documents on the municipal consortium chain and verify their receipts.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"govchain {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """govchain: notarisation for a consortium of municipalities."""


@app.command("hash")
def hash_files(
    files: Annotated[list[Path], typer.Argument(help="Files to hash (streamed, never uploaded).")],
) -> None:
    """Print each file's digest as ``sha256:<hex>  FILE``."""
    failed = False
    for path in files:
        try:
            typer.echo(f"{digest_file(path)}  {path}")
        except OSError as exc:
            typer.echo(f"govchain hash: {path}: {exc.strerror or exc}", err=True)
            failed = True
    if failed:
        raise typer.Exit(1)


NOTARY_URL = typer.Option("--notary", envvar="GOVCHAIN_NOTARY_URL", help="Notary base URL.")
API_KEY = typer.Option("--api-key", envvar="GOVCHAIN_API_KEY", help="Notary API key.")
TIMEOUT = typer.Option(
    "--timeout", min=0.1, help="Seconds to wait for each answer of the notary (retried 5 times)."
)
NOTARY_HINT = "is the notary running at that address? Set it with --notary or GOVCHAIN_NOTARY_URL"


@app.command()
def verify(
    file: Annotated[
        Path, typer.Argument(help="The document to check.", exists=True, dir_okay=False)
    ],
    receipt: Annotated[
        Path | None, typer.Option(help="Receipt file (default: FILE.govchain.json).")
    ] = None,
    rpc: Annotated[
        str | None,
        typer.Option(
            help="Any consortium node's JSON-RPC URL (else $GOVCHAIN_RPC_URL, the config "
            "file's rpc, the notary's published node, http://127.0.0.1:8545)."
        ),
    ] = None,
    deployment: Annotated[
        Path | None,
        typer.Option(
            envvar="GOVCHAIN_DEPLOYMENT",
            help="The consortium's deployment.json (else the config file's deployment, "
            "or --notary; never taken from the current directory).",
        ),
    ] = None,
    notary: Annotated[
        str | None,
        typer.Option(
            help="Take the registry addresses from this notary's /v1/deployment. This "
            "trusts the notary to name them: explicit addresses are preferred when given."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (verdict, steps).")
    ] = False,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds per node request.")] = 10.0,
) -> None:
    """Verify FILE against its receipt on the chain, step by step.

    Exit 0 valid, 1 not valid (names the step and the receipt field), 2 usage error,
    3 could not check (names the URL and the error). The node, the deployment and the
    config file (~/.config/govchain/config.toml) are looked up as the README says.
    """
    from govchain_client.notarize import RECEIPT_SUFFIX, receipt_path

    receipt_file = receipt or receipt_path(file)
    if receipt is None and file.name.endswith(RECEIPT_SUFFIX) and not receipt_file.exists():
        document = file.with_name(file.name.removesuffix(RECEIPT_SUFFIX))
        typer.echo(
            f"govchain verify: {file} is a receipt; pass the document it belongs to "
            f"(govchain verify {document})",
            err=True,
        )
        raise typer.Exit(2)
    try:
        raw = receipt_file.read_bytes()
    except OSError as exc:
        typer.echo(f"govchain verify: cannot read {receipt_file}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    _run_verify(file, receipt_file, raw, (rpc, deployment, notary), as_json, timeout)


def _run_verify(
    file: Path,
    receipt_file: Path,
    raw: bytes,
    where: tuple[str | None, Path | None, str | None],
    as_json: bool,
    timeout: float,
) -> None:
    """Decode, find the node and deployment, verify, print; exit with the verdict's code."""
    import json

    from govchain_client import verify_command as vc
    from govchain_client.chain_reader import verify_with_node
    from govchain_core.errors import ReceiptError
    from govchain_core.receipt_codec import decode_receipt
    from govchain_core.verify import malformed_report

    sources = None
    try:
        parsed = decode_receipt(raw)
    except ReceiptError as exc:
        report = malformed_report(f"the receipt is malformed: {exc}", getattr(exc, "field", None))
    else:
        try:
            sources = vc.resolve_sources(*where, timeout=timeout)
        except vc.UsageError as exc:
            typer.echo(f"govchain verify: {exc}", err=True)
            raise typer.Exit(2) from None
        except vc.SourceUnreachableError as exc:
            typer.echo(f"COULD NOT CHECK: cannot read {exc.url}: {exc.error}")
            raise typer.Exit(3) from None
        if sources.trusted_notary and not as_json:
            typer.echo(vc.NOTARY_TRUST_NOTE.format(url=sources.trusted_notary), err=True)
        report = verify_with_node(
            parsed, sources.rpc, sources.deployment, digest_file(file), timeout=timeout
        )
    if as_json:
        output = vc.json_output(report, sources, file, receipt_file)
        typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join([*vc.step_lines(report), vc.verdict_line(report, file)]))
    raise typer.Exit(vc.EXIT_CODES[report.verdict])


DESCRIPTION_TITLE = typer.Option(
    help="Public document type shown by the web verifier, e.g. 'Meldebescheinigung' "
    "(at most 100 characters; never personal data)."
)
DESCRIPTION_REFERENCE = typer.Option(
    help="Public file reference shown by the web verifier, e.g. 'AZ 33-2026/0815' "
    "(at most 100 characters; never personal data)."
)


def _description(title: str | None, reference: str | None) -> dict[str, str] | None:
    """The issuer's description from ``--title``/``--reference``; None without both."""
    given = {"title": title, "reference": reference}
    description = {name: value for name, value in given.items() if value is not None}
    return description or None


@app.command()
def notarize(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders.", exists=True)],
    kind: Annotated[str, typer.Option(help="certificate, register, iot or dataset.")],
    notary: Annotated[str, NOTARY_URL] = "http://127.0.0.1:8000",
    api_key: Annotated[str | None, API_KEY] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the receipts.")] = 60.0,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Hashing threads.")] = 4,
    timeout: Annotated[float, TIMEOUT] = 30.0,
    title: Annotated[str | None, DESCRIPTION_TITLE] = None,
    reference: Annotated[str | None, DESCRIPTION_REFERENCE] = None,
) -> None:
    """Hash files locally (never uploaded), notarise them, save receipts beside them.

    ``--title`` and ``--reference`` attach the issuer's public description, which the
    web verifier shows to anyone holding a document's fingerprint (e.g. the QR code on
    the paper): a document type and a file reference, never names, birth dates or
    addresses.

    Exit 0: all notarised; 1: the notary refused; 2: a local file is unusable;
    3: could not finish (notary unreachable or busy, receipts still pending): run again.
    """
    from rich.progress import Progress

    from govchain_client.errors import ClientError
    from govchain_client.notarize import collect_files
    from govchain_client.notarize import notarize as run
    from govchain_client.notary import NotaryClient

    files = collect_files(paths)
    try:
        with (
            NotaryClient(notary, api_key, timeout=timeout) as client,
            Progress(transient=True) as bar,
        ):
            task = bar.add_task("hashing", total=len(files))
            outcome = run(
                client,
                files,
                kind,
                wait=wait,
                concurrency=concurrency,
                progress=lambda n: bar.advance(task, n),
                description=_description(title, reference),
            )
    except ClientError as exc:
        raise _failed("notarize", exc) from None
    typer.echo(
        f"{len(outcome.done)} notarised, {len(outcome.skipped)} already had receipts, "
        f"{len(outcome.pending)} still pending (run again to collect them)"
    )
    if outcome.pending:
        raise typer.Exit(3)


status_app = typer.Typer(help="Change a document's status (issuer only).", no_args_is_help=True)
app.add_typer(status_app, name="status")


def _failed(command: str, exc: ClientError) -> typer.Exit:
    """Print one line for an SDK error; the exit code tells "could not" (3) from "refused".

    3: the notary could not be reached, hung, answered garbage or stayed busy;
    2: a local file (receipt, pending marker) is unusable; 1: the notary refused.
    """
    from govchain_client.errors import PendingMarkerError, RateLimitedError, TransportError

    if isinstance(exc, TransportError):
        typer.echo(f"govchain {command}: {exc}; {NOTARY_HINT}", err=True)
        return typer.Exit(3)
    if isinstance(exc, RateLimitedError):
        typer.echo(f"govchain {command}: the notary is busy ({exc}); try again later", err=True)
        return typer.Exit(3)
    if isinstance(exc, PendingMarkerError):
        typer.echo(f"govchain {command}: {exc} (delete it to submit the file again)", err=True)
        return typer.Exit(2)
    typer.echo(f"govchain {command}: {exc}", err=True)
    return typer.Exit(1)


def _change_status(
    receipt_id: str,
    action: str,
    notary: str,
    api_key: str | None,
    timeout: float,
    superseded_by: str | None = None,
) -> None:
    from govchain_client.errors import ClientError
    from govchain_client.notary import NotaryClient

    try:
        with NotaryClient(notary, api_key, timeout=timeout) as client:
            receipt_id = _receipt_id(client, receipt_id)
            if superseded_by is not None:
                superseded_by = _receipt_id(client, superseded_by)
            result = client.change_status(receipt_id, action, superseded_by)
    except ClientError as exc:
        raise _failed(f"status {action}", exc) from None
    except ValueError as exc:
        typer.echo(f"govchain status {action}: {exc}", err=True)
        raise typer.Exit(1) from None
    state = result.get("document_status", {})
    typer.echo(f"{receipt_id}: {state.get('state')} (tx {result.get('tx_hash')})")


def _receipt_id(client: NotaryClient, target: str) -> str:
    """A receipt id as given, or the id of the receipt saved beside a notarised file."""
    from govchain_client.notarize import RECEIPT_SUFFIX, receipt_path
    from govchain_core.receipt_codec import decode_receipt

    path = Path(target)
    if not path.exists():
        return target
    receipt_file = path if path.name.endswith(RECEIPT_SUFFIX) else receipt_path(path)
    try:
        receipt = decode_receipt(receipt_file.read_bytes())
    except OSError as exc:
        raise ValueError(f"no receipt for {target}: {receipt_file}: {exc.strerror}") from exc
    wanted = receipt.leaf_hash.hex()
    for entry in client.lookup(receipt.leaf.digest).get("receipts", []):
        if entry.get("leaf_hash") == wanted:
            return str(entry["id"])
    raise ValueError(f"the notary knows no receipt for {target}")


ReceiptId = Annotated[
    str, typer.Argument(help="Receipt id, or a notarised file whose receipt lies beside it.")
]


def _status_command(action: str, summary: str) -> None:
    """Register ``govchain status ACTION`` for the actions that take only a document."""

    def command(
        receipt_id: ReceiptId,
        notary: Annotated[str, NOTARY_URL] = "http://127.0.0.1:8000",
        api_key: Annotated[str | None, API_KEY] = None,
        timeout: Annotated[float, TIMEOUT] = 30.0,
    ) -> None:
        _change_status(receipt_id, action, notary, api_key, timeout)

    command.__doc__ = summary
    status_app.command(action)(command)


_status_command("suspend", "Suspend a document (can be reinstated).")
_status_command("reinstate", "Reinstate a suspended document.")
_status_command("revoke", "Revoke a document for good.")


@status_app.command("supersede")
def supersede(
    receipt_id: ReceiptId,
    by: Annotated[str, typer.Option("--by", help="Receipt id of the newer document.")],
    notary: Annotated[str, NOTARY_URL] = "http://127.0.0.1:8000",
    api_key: Annotated[str | None, API_KEY] = None,
    timeout: Annotated[float, TIMEOUT] = 30.0,
) -> None:
    """Mark a document as superseded by a newer one."""
    _change_status(receipt_id, "supersede", notary, api_key, timeout, by)


from govchain_client.iot.cli import register as _register_iot  # noqa: E402

_register_iot(app)

Registrar = Callable[[typer.Typer], None]


def _load_plugins(target: typer.Typer) -> None:
    for entry in entry_points(group="govchain.cli"):
        try:
            register: Registrar = entry.load()
        except ImportError as exc:  # a partly installed plugin must not break the CLI
            print(f"govchain: command group {entry.name!r} unavailable: {exc}", file=sys.stderr)
            continue
        register(target)


def main() -> None:
    _load_plugins(app)
    app()


if __name__ == "__main__":
    main()
