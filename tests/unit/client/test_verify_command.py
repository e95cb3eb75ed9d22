"""``govchain verify`` from anywhere: where the node and the deployment come from, exit codes,
``--json``.  Closed ports are real sockets; the real stack is in
``tests/integration/client/test_verify_anywhere.py``."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govchain_client import verify_command as vc
from govchain_client.cli import app
from govchain_core.deployment import Deployment
from govchain_core.receipt_codec import encode_receipt, receipt_from_object
from tests.conftest import load_vectors
from tests.support.ports import free_port

runner = CliRunner()
VECTORS = load_vectors("receipts.json")
A = Deployment(1337, "0x" + "a1" * 20, "0x" + "a2" * 20, "0x" + "a3" * 20)
B = Deployment(1338, "0x" + "b1" * 20, "0x" + "b2" * 20, "0x" + "b3" * 20)


def write(path: Path, deployment: Deployment) -> Path:
    path.write_text(json.dumps(deployment.to_object()))
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and an empty config; nothing in the environment."""
    work = tmp_path / "anywhere"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("GOVCHAIN_RPC_URL", "GOVCHAIN_DEPLOYMENT", "GOVCHAIN_NOTARY_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOVCHAIN_CONFIG", str(tmp_path / "config.toml"))
    return tmp_path


def env(home: Path, **extra: str) -> dict[str, str]:
    return {"GOVCHAIN_CONFIG": str(home / "config.toml"), **extra}


def test_without_any_deployment_it_is_a_usage_error_saying_what_to_pass(home: Path) -> None:
    with pytest.raises(vc.UsageError, match="--deployment FILE"):
        vc.resolve_sources(None, None, None, environ=env(home))


def test_the_flag_wins_over_the_environment_over_the_config(home: Path) -> None:
    (home / "config.toml").write_text('rpc = "http://config:1"\n')
    deployment = write(home / "a.json", A)
    sources = vc.resolve_sources(None, deployment, None, environ=env(home))
    assert (sources.rpc, sources.deployment) == ("http://config:1", A)
    sources = vc.resolve_sources(
        None, deployment, None, environ=env(home, GOVCHAIN_RPC_URL="http://env:2")
    )
    assert sources.rpc == "http://env:2"
    sources = vc.resolve_sources(
        "http://flag:3", deployment, None, environ=env(home, GOVCHAIN_RPC_URL="http://env:2")
    )
    assert sources.rpc == "http://flag:3"


def test_the_config_names_the_deployment_as_a_path_or_as_addresses(home: Path) -> None:
    write(home / "b.json", B)
    (home / "config.toml").write_text(f'deployment = "{home / "b.json"}"\n')
    assert vc.resolve_sources(None, None, None, environ=env(home)).deployment == B
    contracts = A.to_object()["contracts"]
    table = "\n".join(f'{name} = "{address}"' for name, address in contracts.items())
    (home / "config.toml").write_text(
        f"[deployment]\nchain_id = 1337\n[deployment.contracts]\n{table}\n"
    )
    sources = vc.resolve_sources(None, None, None, environ=env(home))
    assert (sources.deployment, sources.rpc) == (A, vc.DEFAULT_RPC)
    assert sources.trusted_notary is None


def test_explicit_addresses_win_over_a_notary(home: Path) -> None:
    (home / "config.toml").write_text('notary = "http://127.0.0.1:9"\n')
    deployment = write(home / "a.json", A)
    sources = vc.resolve_sources(None, deployment, "http://127.0.0.1:9", environ=env(home))
    assert sources.deployment == A
    assert sources.trusted_notary is None


def test_a_deployment_in_the_working_directory_is_never_trusted_implicitly(home: Path) -> None:
    """Security review #13: a folder shipping a forged receipt may ship its own
    ``govchain-data/deployment.json`` naming the forger's registries."""
    (Path.cwd() / "govchain-data").mkdir()
    write(Path.cwd() / "govchain-data" / "deployment.json", B)
    with pytest.raises(vc.UsageError, match=r"--deployment govchain-data/deployment\.json"):
        vc.resolve_sources(None, None, None, environ=env(home))
    document = documents(Path.cwd())
    result = runner.invoke(app, ["verify", str(document), "--rpc", "http://127.0.0.1:9"])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("govchain verify: no deployment: pass --deployment FILE")


@pytest.mark.parametrize("text", ["rpc = 5\n", "rpc = [\n", "[deployment]\nchain_id = 0\n"])
def test_a_bad_config_is_a_usage_error(home: Path, text: str) -> None:
    (home / "config.toml").write_text(text)
    with pytest.raises(vc.UsageError, match="config"):
        vc.resolve_sources(None, None, None, environ=env(home))


def test_an_unreachable_notary_cannot_give_a_deployment(home: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(vc.SourceUnreachableError) as caught:
        vc.resolve_sources(None, None, closed, environ=env(home))
    assert caught.value.url == closed + "/v1/deployment"


@pytest.fixture
def berlin() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.mark.usefixtures("berlin")
def test_anchor_times_are_local_dates_with_their_offset() -> None:
    assert vc.local_time(1_790_000_000) == "2026-09-21T16:13:20+02:00"
    assert vc.local_time(1_800_000_000) == "2027-01-15T09:00:00+01:00"


def documents(folder: Path) -> Path:
    receipt = receipt_from_object(VECTORS["valid"][0]["receipt"])
    document = folder / "urkunde.pdf"
    document.write_bytes(VECTORS["document"].encode())
    (folder / "urkunde.pdf.govchain.json").write_bytes(encode_receipt(receipt))
    return document


def test_a_closed_node_port_exits_3_with_one_line_naming_url_and_error(home: Path) -> None:
    document = documents(Path.cwd())
    closed = f"http://127.0.0.1:{free_port()}"
    deployment = write(home / "a.json", A)
    result = runner.invoke(
        app, ["verify", str(document), "--rpc", closed, "--deployment", str(deployment)]
    )
    assert result.exit_code == 3, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"COULD NOT CHECK: cannot read the chain at {closed}: ")
    assert "Traceback" not in result.output


def test_a_closed_notary_port_exits_3(home: Path) -> None:
    document = documents(Path.cwd())
    closed = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(app, ["verify", str(document), "--notary", closed])
    assert result.exit_code == 3
    assert result.output.startswith(f"COULD NOT CHECK: cannot read {closed}/v1/deployment: ")


def test_json_output_of_a_malformed_receipt_names_the_field(home: Path) -> None:
    document = documents(Path.cwd())
    receipt = document.with_name("urkunde.pdf.govchain.json")
    receipt.write_text(receipt.read_text().replace('"tree_size":7', '"tree_size":"7"'))
    result = runner.invoke(app, ["verify", str(document), "--json"])
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["verdict"] == "not_valid"
    assert [s["status"] for s in out["steps"]] == ["failed", "skipped", "skipped", "skipped"]
    assert out["steps"][0]["details"] == {"field": "/proof/tree_size"}


def test_a_missing_receipt_is_a_usage_error(home: Path) -> None:
    document = Path.cwd() / "ohne.pdf"
    document.write_bytes(b"x")
    assert runner.invoke(app, ["verify", str(document)]).exit_code == 2


@pytest.mark.usefixtures("berlin")
def test_a_timestamp_off_by_one_is_shown_as_both_local_dates() -> None:
    from govchain_core.verify import StepResult, StepStatus, VerificationReport

    step = StepResult(
        "anchor",
        StepStatus.FAILED,
        "the anchoring block's timestamp differs from the receipt's",
        {"field": "/anchor/timestamp", "chain": 1_790_000_000, "receipt": 1_790_000_001},
    )
    lines = vc.step_lines(VerificationReport((step,)))
    assert lines[1] == (
        "    /anchor/timestamp: chain says 2026-09-21T16:13:20+02:00 (1790000000), "
        "receipt says 2026-09-21T16:13:21+02:00 (1790000001)"
    )


def test_a_receipt_given_instead_of_the_document_names_the_document(home: Path) -> None:
    """Security review #13: it said "cannot read a.txt.govchain.json.govchain.json"."""
    document = documents(Path.cwd())
    receipt = document.with_name("urkunde.pdf.govchain.json")
    result = runner.invoke(app, ["verify", str(receipt)])
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line == (
        f"govchain verify: {receipt} is a receipt; pass the document it belongs to "
        f"(govchain verify {document})"
    )


def test_a_node_behind_is_could_not_check_with_the_cores_message() -> None:
    from govchain_core.verify import StepResult, StepStatus, VerificationReport

    message = "the node is not synced to block 42 (its head is 41)"
    step = StepResult("anchor", StepStatus.ERROR, message, {"field": "/anchor/block_number"})
    report = VerificationReport((step,))
    assert vc.verdict_line(report, Path("a.pdf")) == f"COULD NOT CHECK (step: anchor): {message}"
    assert vc.EXIT_CODES[report.verdict] == 3
