"""Readers for docker/'s files, shared by the tests in this package.

A minimal Dockerfile reader rather than a dependency: the tests need only the
instructions (with line continuations joined) and the JSON-array forms of
ENTRYPOINT, CMD and HEALTHCHECK CMD, which are exactly JSON.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]  # PyYAML, via schemathesis (dev)

DOCKER = Path(__file__).resolve().parents[3] / "docker"
COMPOSE = DOCKER / "compose.yaml"
DOCKERFILES = {"node": DOCKER / "node.Dockerfile", "notary": DOCKER / "notary.Dockerfile"}
KNOWN_INSTRUCTIONS = frozenset(
    {
        *("FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT"),
        *("VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"),
    }
)


@dataclasses.dataclass(frozen=True)
class Instruction:
    keyword: str
    argument: str


def read_dockerfile(path: Path) -> list[Instruction]:
    """Instructions in order; ``ValueError`` on an unknown keyword or dangling ``\\``."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, argument = line.partition(" ")
        if keyword.upper() not in KNOWN_INSTRUCTIONS or keyword != keyword.upper():
            raise ValueError(f"{path.name}: unknown instruction {keyword!r}")
        instructions.append(Instruction(keyword, argument.strip()))
    if pending:
        raise ValueError(f"{path.name}: file ends inside a continued line")
    return instructions


def exec_form(argument: str) -> list[str]:
    """The JSON-array (exec) form; ``ValueError`` for shell form, which breaks signals."""
    value = json.loads(argument)
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError(f"not an exec-form array: {argument}")
    return value


def last(instructions: list[Instruction], keyword: str) -> Instruction:
    found = [i for i in instructions if i.keyword == keyword]
    if not found:
        raise LookupError(keyword)
    return found[-1]


def healthcheck_command(instructions: list[Instruction]) -> list[str]:
    """``HEALTHCHECK [options] CMD [...]`` → the command array."""
    argument = last(instructions, "HEALTHCHECK").argument
    options, _, command = argument.partition("CMD ")
    for option in shlex.split(options):
        if not option.startswith("--"):
            raise ValueError(f"unexpected HEALTHCHECK option {option!r}")
    return exec_form(command)


def load_compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError("compose.yaml is not a mapping")
    return document
