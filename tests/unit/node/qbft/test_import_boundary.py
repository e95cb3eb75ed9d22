"""The consensus core imports neither py-evm, nor sockets/asyncio, nor the RPC layer.

Read from the source (ast), so a lazy import inside a function is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

CONSENSUS = Path(__file__).resolve().parents[4] / "node" / "govchain_node" / "consensus"
QBFT = CONSENSUS / "qbft"
#: The pure modules beside the core: the header codec, the vote tally, signing and hashing.
PURE_NEIGHBOURS = ("extra_data", "voting", "signing")
PURE_PREFIXES = (
    "govchain_node.consensus.qbft",
    "govchain_node.errors",
    *(f"govchain_node.consensus.{name}" for name in PURE_NEIGHBOURS),
)
FORBIDDEN_TOP = {"eth", "socket", "asyncio", "ssl", "selectors", "threading", "time", "web3"}


def imports(source: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{source.name}: use absolute imports"
            assert node.module is not None
            found.add(node.module)
    return found


def test_the_package_exists_with_its_modules() -> None:
    names = {p.stem for p in QBFT.glob("*.py")}
    assert {"core", "messages", "encoding", "validators"} <= names
    assert all((CONSENSUS / f"{name}.py").is_file() for name in PURE_NEIGHBOURS)


def test_qbft_imports_no_evm_no_io_no_rpc() -> None:
    pure = [*QBFT.rglob("*.py"), *(CONSENSUS / f"{name}.py" for name in PURE_NEIGHBOURS)]
    for source in sorted(pure):
        for module in imports(source):
            top = module.split(".")[0]
            assert top not in FORBIDDEN_TOP, f"{source.name} imports {module}"
            if top == "govchain_node":
                assert module.startswith(PURE_PREFIXES), f"{source.name} imports {module}"


def test_the_checker_would_see_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import eth.vm\n    from govchain_node.rpc import server\n")
    assert {"eth.vm", "govchain_node.rpc"} <= imports(bad)
