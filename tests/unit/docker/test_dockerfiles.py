"""The images' Dockerfiles: base, install, non-root user, and commands that exist.

Why: no Docker engine runs here, so a typo in an entry command or a renamed CLI option
would only surface on an operator's machine. Every command and ``--option`` an image
or the compose file calls is checked against the installed ``govchain`` CLI's help.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.node_process import start_node_process
from tests.unit.docker.files import (
    DOCKERFILES,
    Instruction,
    exec_form,
    healthcheck_command,
    last,
    load_compose,
    read_dockerfile,
)

GOVCHAIN = [sys.executable, "-c", "from govchain_client.cli import main; main()"]


def _help(subcommand: list[str]) -> str:
    completed = subprocess.run(
        [*GOVCHAIN, *subcommand, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert completed.returncode == 0, f"govchain {' '.join(subcommand)}: {completed.stderr}"
    return completed.stdout


def assert_command_exists(argv: list[str]) -> None:
    """``argv`` starts with ``govchain <group> <command>``; its options are in the help."""
    assert argv[0] == "govchain", argv
    group, command = argv[1], argv[2]
    assert group in _help([]), f"no command group {group!r}"
    text = _help([group, command])
    for option in (a.split("=", 1)[0] for a in argv[3:] if a.startswith("--")):
        assert option in text, f"govchain {group} {command} has no option {option}"


@pytest.fixture(scope="module", params=sorted(DOCKERFILES))
def dockerfile(request: pytest.FixtureRequest) -> list[Instruction]:
    return read_dockerfile(DOCKERFILES[request.param])


def test_reader_rejects_broken_files(tmp_path: Path) -> None:
    """The reader must be able to fail, or the tests below prove nothing."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim\nRUNN echo\n")
    with pytest.raises(ValueError, match="unknown instruction"):
        read_dockerfile(bad)
    bad.write_text("FROM python:3.11-slim\nRUN echo \\\n")
    with pytest.raises(ValueError, match="continued line"):
        read_dockerfile(bad)
    with pytest.raises(ValueError, match="exec-form"):
        exec_form('"govchain node run"')


def test_base_install_and_non_root_user(dockerfile: list[Instruction]) -> None:
    assert dockerfile[0] == Instruction("FROM", "python:3.11-slim")
    assert any(i.keyword == "RUN" and "pip install ." in i.argument for i in dockerfile)
    user = last(dockerfile, "USER").argument
    assert user not in {"root", "0", ""}
    # the user is created before it is switched to
    created = [i for i in dockerfile if i.keyword == "RUN" and "useradd" in i.argument]
    assert created
    assert user in created[0].argument


def test_entry_commands_exist_in_the_cli(dockerfile: list[Instruction]) -> None:
    entrypoint = exec_form(last(dockerfile, "ENTRYPOINT").argument)
    cmd = exec_form(last(dockerfile, "CMD").argument)
    assert_command_exists(entrypoint + cmd)


def test_compose_overrides_call_existing_commands() -> None:
    services = load_compose()["services"]
    bridge = services["iot-bridge"]
    assert_command_exists(list(bridge["entrypoint"]) + list(bridge["command"]))


def test_option_checker_catches_a_missing_option() -> None:
    with pytest.raises(AssertionError, match="no option --no-such-flag"):
        assert_command_exists(["govchain", "node", "run", "--no-such-flag"])


def test_healthchecks_are_valid_python(dockerfile: list[Instruction]) -> None:
    command = healthcheck_command(dockerfile)
    assert command[:2] == ["python", "-c"]
    compile(command[2], "<healthcheck>", "exec")


def _run_probe(name: str, port: int) -> int:
    command = healthcheck_command(read_dockerfile(DOCKERFILES[name]))
    env = {**os.environ, "GOVCHAIN_RPC_PORT": str(port), "GOVCHAIN_NOTARY_PORT": str(port)}
    return subprocess.run(
        [sys.executable, *command[1:]], env=env, capture_output=True, timeout=30, check=False
    ).returncode


def test_node_healthcheck_against_a_real_dev_node(tmp_path: Path) -> None:
    node = start_node_process(tmp_path / "node")
    try:
        port = int(node.rpc_url.rsplit(":", 1)[1].rstrip("/"))
        assert _run_probe("node", port) == 0
    finally:
        node.terminate()
    assert _run_probe("node", port) != 0  # nothing listens any more


class _Healthz(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(type(self).status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is the assertion."""


@pytest.fixture
def healthz_server() -> Iterator[tuple[int, type[_Healthz]]]:
    handler = type("Handler", (_Healthz,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()


def test_notary_healthcheck_probes_healthz(healthz_server: tuple[int, type[_Healthz]]) -> None:
    port, handler = healthz_server
    assert _run_probe("notary", port) == 0
    handler.status = 503
    assert _run_probe("notary", port) != 0
