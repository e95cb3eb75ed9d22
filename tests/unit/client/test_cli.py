"""The ``govchain`` entry point: version, hashing, plugin command groups, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from govchain_client.cli import app
from govchain_core import __version__

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"govchain {__version__}"


def test_hash_agrees_with_sha256sum(tmp_path: Path) -> None:
    files = []
    for i, size in enumerate((0, 1, 5_000_000)):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        files.append(path)
    result = runner.invoke(app, ["hash", *map(str, files)])
    assert result.exit_code == 0
    expected = subprocess.run(
        ["sha256sum", *map(str, files)], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    for line, reference in zip(result.output.splitlines(), expected, strict=False):
        digest, name = line.split("  ", 1)
        assert digest == "sha256:" + reference.split()[0]
        assert name == reference.split(None, 1)[1].strip()


def test_hash_of_a_missing_file_fails_cleanly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["hash", str(tmp_path / "missing.pdf")])
    assert result.exit_code == 1
    assert "missing.pdf" in result.output


def test_installed_entry_point_lists_the_plugin_groups() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "from govchain_client.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for group in ("hash", "verify", "notarize", "status", "node", "notary"):
        assert group in completed.stdout


def test_verify_reports_a_malformed_receipt_as_the_format_step(tmp_path: Path) -> None:
    document = tmp_path / "urkunde.pdf"
    document.write_bytes(b"content")
    (tmp_path / "urkunde.pdf.govchain.json").write_text(
        '{"type": "govchain-receipt", "version": "2.0"}'
    )
    result = runner.invoke(app, ["verify", str(document)])
    assert result.exit_code == 1
    assert "format" in result.output
    assert "2.0" in result.output
