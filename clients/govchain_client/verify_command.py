"""``govchain verify`` from anywhere: where the node and the deployment come from, and the output.

The node's JSON-RPC URL, first found wins:

1. ``--rpc URL``;
2. the environment, ``GOVCHAIN_RPC_URL``;
3. the config file's ``rpc`` (``$GOVCHAIN_CONFIG``, else ``$XDG_CONFIG_HOME/govchain/config.toml``,
   else ``~/.config/govchain/config.toml``);
4. the ``rpc_url`` the notary publishes, when the deployment came from ``--notary``;
5. ``http://127.0.0.1:8545``.

The deployment (which chain and which AnchorRegistry, IssuerRegistry and StatusRegistry
to trust), explicit addresses first:

1. ``--deployment FILE`` (or ``GOVCHAIN_DEPLOYMENT``);
2. the config file's ``deployment``: a path, or a table in ``deployment.json``'s layout;
3. ``--notary URL`` (or the config's ``notary``): its ``GET /v1/deployment``.  This trusts
   that notary to name the right registries, which weakens the independence of the
   check: a dishonest notary could name registries of its own.  The CLI says so.

Nothing else: without one of these the command exits 2 saying how to give it.  The trust
anchor is never taken implicitly from the current directory: a folder holding a forged
document and its receipt could also hold a ``govchain-data/deployment.json`` naming the
forger's own registries.  After a local ``govchain up``, pass
``--deployment govchain-data/deployment.json`` or the ``GOVCHAIN_DEPLOYMENT`` it prints.

Example ``~/.config/govchain/config.toml``::

    rpc = "https://node.kommune.example:8545"

    [deployment]
    chain_id = 1337

    [deployment.contracts]
    AnchorRegistry = "0x…"
    IssuerRegistry = "0x…"
    StatusRegistry = "0x…"

Exit codes: 0 valid, 1 not valid (the step and the receipt field are named), 2 usage
error (no receipt, no deployment, bad config), 3 could not check (the URL and the
error, on one line).
"""

from __future__ import annotations

import datetime
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from govchain_client.errors import ClientError
from govchain_core.bounded_json import loads as bounded_loads
from govchain_core.deployment import Deployment
from govchain_core.errors import DeploymentError, JsonLimitError
from govchain_core.verify import StepResult, StepStatus, Verdict, VerificationReport

DEFAULT_RPC = "http://127.0.0.1:8545"
NOTARY_TRUST_NOTE = (
    "note: the registry addresses come from the notary at {url}; the check trusts that "
    "notary to name them (pass --deployment FILE for an independent check)"
)
MAX_DEPLOYMENT_BYTES = 64 * 1024
EXIT_CODES = {Verdict.VALID: 0, Verdict.NOT_VALID: 1, Verdict.COULD_NOT_CHECK: 3}
_MARKS = {"passed": "✓", "failed": "✗", "error": "!", "skipped": "-"}


class UsageError(ClientError):
    """The user must change the command (exit 2)."""


class SourceUnreachableError(ClientError):
    """A source the check needs could not be read (exit 3): ``url`` and ``error``."""

    def __init__(self, url: str, error: str) -> None:
        super().__init__(f"{url}: {error}")
        self.url = url
        self.error = error


@dataclass(frozen=True, slots=True)
class Sources:
    """Where this check reads the chain and which deployment it trusts."""

    rpc: str
    deployment: Deployment
    deployment_source: str  # "file:PATH", "config:PATH" or "notary:URL"
    trusted_notary: str | None = None  # the notary that named the registries, if one did


# ------------------------------------------------------------------ config


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("GOVCHAIN_CONFIG"):
        return Path(env["GOVCHAIN_CONFIG"])
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "govchain" / "config.toml"


def load_config(path: Path) -> dict[str, Any]:
    """The config file's table; empty when the file does not exist."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read config {path}: {exc}") from exc


def _config_text(config: Mapping[str, Any], key: str, path: Path) -> str | None:
    value = config.get(key)
    if value is None or isinstance(value, str):
        return value
    raise UsageError(f"config {path}: {key} must be a string")


# ------------------------------------------------------------------ sources


def resolve_sources(
    rpc: str | None,
    deployment: Path | None,
    notary: str | None,
    *,
    environ: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Sources:
    """The node and the deployment in the documented order (see the module docstring)."""
    env = os.environ if environ is None else environ
    path = config_path(env)
    config = load_config(path)
    rpc = rpc or env.get("GOVCHAIN_RPC_URL") or _config_text(config, "rpc", path)
    trusted, source = _explicit_deployment(deployment, config, path)
    if trusted is not None:
        return Sources(rpc or DEFAULT_RPC, trusted, source)
    notary = notary or _config_text(config, "notary", path)
    if notary:
        trusted, published_rpc = fetch_deployment(notary, timeout)
        return Sources(rpc or published_rpc or DEFAULT_RPC, trusted, f"notary:{notary}", notary)
    raise UsageError(
        "no deployment: pass --deployment FILE (the consortium's deployment.json; "
        "--deployment govchain-data/deployment.json for a local govchain up), "
        f"set GOVCHAIN_DEPLOYMENT or deployment in {path}, or pass --notary URL"
    )


def _explicit_deployment(
    deployment: Path | None, config: Mapping[str, Any], path: Path
) -> tuple[Deployment | None, str]:
    if deployment is not None:
        return _load(deployment), f"file:{deployment}"
    value = config.get("deployment")
    if value is None:
        return None, ""
    if isinstance(value, str):
        return _load(Path(value).expanduser()), f"config:{path}"
    try:
        return Deployment.from_object(value), f"config:{path}"
    except DeploymentError as exc:
        raise UsageError(f"config {path}: {exc}") from exc


def _load(path: Path) -> Deployment:
    try:
        return Deployment.load(path)
    except DeploymentError as exc:
        raise UsageError(str(exc)) from exc


def fetch_deployment(notary: str, timeout: float) -> tuple[Deployment, str | None]:
    """``GET /v1/deployment`` of a notary: the deployment and the node URL it publishes."""
    url = notary.rstrip("/") + "/v1/deployment"
    try:
        response = httpx.get(url, timeout=timeout)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise SourceUnreachableError(url, str(exc) or type(exc).__name__) from exc
    if response.status_code != 200:
        raise SourceUnreachableError(url, f"HTTP {response.status_code}")
    try:
        body = bounded_loads(response.content, max_bytes=MAX_DEPLOYMENT_BYTES, max_depth=4)
        deployment = Deployment.from_object(body)
    except (JsonLimitError, ValueError) as exc:
        raise SourceUnreachableError(url, f"not a deployment: {exc}") from exc
    published = body.get("rpc_url")
    return deployment, published if isinstance(published, str) and published else None


# ------------------------------------------------------------------ output


def local_time(timestamp: int) -> str:
    """A unix time as a local date and time, ISO 8601 with the UTC offset."""
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC).astimezone()
    return moment.isoformat(timespec="seconds")


def step_lines(report: VerificationReport) -> list[str]:
    lines = []
    for step in report.steps:
        lines.append(f"{_MARKS[step.status.value]} {step.name:<10} {step.message}")
        lines.extend(f"    {line}" for line in _detail_lines(step))
    return lines


def _detail_lines(step: StepResult) -> list[str]:
    details = step.details
    lines = []
    if step.status is StepStatus.PASSED and isinstance(details.get("timestamp"), int):
        lines.append(f"anchored at {local_time(int(details['timestamp']))}")
    if step.status is StepStatus.FAILED:
        if "field" in details and "chain" in details:
            chain, receipt = details["chain"], details.get("receipt")
            if details["field"] == "/anchor/timestamp":
                chain, receipt = _both_times(chain, receipt)
            lines.append(f"{details['field']}: chain says {chain}, receipt says {receipt}")
        if isinstance(details.get("since"), int) and details["since"]:
            lines.append(f"since {local_time(int(details['since']))}")
        if "superseded_by" in details:
            lines.append(f"superseded by the document with leaf hash 0x{details['superseded_by']}")
    return lines


def _both_times(chain: object, receipt: object) -> tuple[str, str]:
    """Unix times shown as local dates, with the raw seconds (they may differ by one)."""
    shown = [f"{local_time(v)} ({v})" if isinstance(v, int) else str(v) for v in (chain, receipt)]
    return shown[0], shown[1]


def verdict_line(report: VerificationReport, document: Path) -> str:
    verdict = report.verdict
    if verdict is Verdict.VALID:
        return f"VERIFIED: {document} is notarised and valid"
    step = report.failed_step
    if step is None:  # not reachable: a verdict other than valid has a deciding step
        return f"NOT VERIFIED: {verdict}"
    if verdict is Verdict.NOT_VALID:
        field = step.details.get("field")
        where = f"step: {step.name}, field: {field}" if field else f"step: {step.name}"
        return f"NOT VERIFIED ({where}): {step.message}"
    if "error" not in step.details:  # the node answered but cannot decide (e.g. behind)
        return f"COULD NOT CHECK (step: {step.name}): {step.message}"
    url = step.details.get("url", "the node")
    return f"COULD NOT CHECK: cannot read the chain at {url}: {step.details['error']}"


def json_output(
    report: VerificationReport, sources: Sources | None, document: Path, receipt: Path
) -> dict[str, Any]:
    """``--json``: the core's stable report form plus where the check read from."""
    from govchain_core.verify import report_to_object

    out = report_to_object(report)
    out["document"] = str(document)
    out["receipt"] = str(receipt)
    if sources is not None:
        out["rpc"] = sources.rpc
        out["deployment_source"] = sources.deployment_source
    for step in out["steps"]:
        for key in ("timestamp", "since"):
            value = step["details"].get(key)
            if isinstance(value, int) and value:
                step["details"][f"{key}_local"] = local_time(value)
    return out
