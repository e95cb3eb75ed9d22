"""docker/compose.yaml against what ``govchain consortium init`` actually writes.

Why: the compose file hard-codes, per node, the mounted directory, the RPC port the
healthcheck probes, the published ports and the host name peers dial. ``consortium
init`` decides all of those; running it here and comparing catches a drift on either
side (a port stride change, a renamed file, a different host pattern).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.ports import free_port
from tests.unit.docker.files import (
    DOCKER,
    DOCKERFILES,
    exec_form,
    last,
    load_compose,
    read_dockerfile,
)

VALIDATORS = 4
ALL_INTERFACES = "0.0.0.0"  # noqa: S104  # what the nodes bind inside their containers
CONTAINER_NODE_DIR = "/var/lib/govchain/node"


GOVCHAIN = (sys.executable, "-c", "from govchain_client.cli import main; main()")


def _init(out: Path, *options: str) -> None:
    subprocess.run(
        [
            *(*GOVCHAIN, "consortium", "init", "--validators", str(VALIDATORS)),
            *("--out", str(out), *options),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def consortium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``consortium init`` exactly as docker/README.md tells the operator to run it."""
    out = tmp_path_factory.mktemp("docker") / "consortium"
    _init(out, "--host", "govchain-node-{i}", "--bind", ALL_INTERFACES)
    return out


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    services: dict[str, Any] = load_compose()["services"]
    return services


def _node_toml(consortium: Path, index: int) -> dict[str, Any]:
    return tomllib.loads((consortium / f"node-{index}" / "node.toml").read_text())


def _config_mount(service: dict[str, Any]) -> tuple[str, str]:
    """The bind mount that lands on the node image's config directory."""
    for volume in service["volumes"]:
        source, target, *_ = str(volume).split(":")
        if target == CONTAINER_NODE_DIR:
            return source, target
    raise AssertionError(f"no volume mounted at {CONTAINER_NODE_DIR}")


def test_compose_has_the_consortium_services(services: dict[str, Any]) -> None:
    nodes = {f"govchain-node-{i}" for i in range(VALIDATORS)}
    assert nodes | {"postgres", "mosquitto", "notary", "iot-bridge"} <= set(services)
    for name in nodes:
        assert services[name]["build"]["dockerfile"] == "docker/node.Dockerfile"
    assert services["notary"]["build"]["dockerfile"] == "docker/notary.Dockerfile"


def _image_cmd() -> list[str]:
    return exec_form(last(read_dockerfile(DOCKERFILES["node"]), "CMD").argument)


def test_node_image_runs_in_the_mounted_node_directory() -> None:
    """The node reads genesis.json and its keys from its data dir: mount == data dir."""
    cmd = _image_cmd()
    assert cmd[cmd.index("--config") + 1] == f"{CONTAINER_NODE_DIR}/node.toml"
    assert cmd[cmd.index("--data-dir") + 1] == CONTAINER_NODE_DIR


def test_image_arguments_start_a_node_from_a_moved_node_directory(tmp_path: Path) -> None:
    """What the container does, without Docker: node-0's directory at another path
    (as the bind mount puts it), started with the image's arguments, answers JSON-RPC.

    Needs its own consortium on free ports; node.toml's absolute data_dir points at
    the init location, so this also proves ``--data-dir`` overrides it.
    """
    base = free_port()
    out = tmp_path / "c"
    _init(out, "--base-port", str(base), "--host", "127.0.0.1")
    mounted = tmp_path / "mounted"
    shutil.copytree(out / "node-0", mounted)
    cmd = [a.replace(CONTAINER_NODE_DIR, str(mounted)) for a in _image_cmd()]
    process = subprocess.Popen(
        [*GOVCHAIN, "node", "run", *cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        height = None
        while height is None and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read() if process.stdout else b""
            try:
                answer = httpx.post(
                    f"http://127.0.0.1:{base}",
                    json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []},
                    timeout=2,
                ).json()
                height = int(answer["result"], 16)
            except httpx.HTTPError:
                time.sleep(0.3)
        assert height == 0  # one validator of four cannot reach quorum, but it serves
        assert (mounted / "chaindata").is_dir()
        assert not (out / "node-0" / "chaindata").exists()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize("index", range(VALIDATORS))
def test_node_service_matches_init_output(
    consortium: Path, services: dict[str, Any], index: int
) -> None:
    name = f"govchain-node-{index}"
    service = services[name]
    toml = _node_toml(consortium, index)

    source, _ = _config_mount(service)
    assert source == f"./consortium/node-{index}"
    # the mount source, resolved like compose does (relative to docker/), is init's layout
    assert (consortium.parent / Path(source)).resolve() == (consortium / f"node-{index}")
    for file in ("node.toml", "genesis.json", "validator.key", "tls.pem", "tls.key", "ca.pem"):
        assert (consortium / f"node-{index}" / file).is_file(), file
    # [p2p] paths are relative to node.toml, so they resolve inside the mount
    for key in ("key_file", "tls_certificate", "tls_key", "ca_certificate"):
        assert not Path(toml["p2p"][key]).is_absolute()

    assert service["hostname"] == name
    assert toml["rpc_host"] == ALL_INTERFACES
    assert toml["p2p"]["host"] == ALL_INTERFACES
    rpc_port = int(toml["rpc_port"])
    assert int(service["environment"]["GOVCHAIN_RPC_PORT"]) == rpc_port
    published = {p.rsplit(":", 2)[-1] for p in service.get("ports", [])}
    assert str(rpc_port) in published
    # every other node dials this one by its compose service name and p2p port
    for other in range(VALIDATORS):
        if other == index:
            continue
        peers = {(p["host"], p["port"]) for p in _node_toml(consortium, other)["p2p"]["peers"]}
        assert (name, toml["p2p"]["port"]) in peers


def test_notary_points_at_a_consortium_node(consortium: Path) -> None:
    notary = tomllib.loads((DOCKER / "notary.toml").read_text(encoding="utf-8"))
    url = urlsplit(notary["rpc_url"])
    rpc = {(f"govchain-node-{i}", _node_toml(consortium, i)["rpc_port"]) for i in range(4)}
    assert (url.hostname, url.port) in rpc
    assert notary["chain_id"] == _node_toml(consortium, 0)["chain_id"]


def test_published_ports_are_loopback_only(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} publicly"


def test_healthcheck_dependencies_have_healthchecks(services: dict[str, Any]) -> None:
    """``condition: service_healthy`` on a service without a healthcheck never starts."""
    node_image_has_one = any(
        i.keyword == "HEALTHCHECK" for i in read_dockerfile(DOCKERFILES["node"])
    )
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            if rule.get("condition") != "service_healthy":
                continue
            target = services[dependency]
            has_check = (
                "healthcheck" in target
                or ("node.Dockerfile" in str(target.get("build", {})) and node_image_has_one)
                or "notary.Dockerfile" in str(target.get("build", {}))
            )
            assert has_check, f"{name} waits for {dependency}, which has no healthcheck"
            assert not (target.get("healthcheck") or {}).get("disable"), dependency
