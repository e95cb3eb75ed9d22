"""``python -m govchain_node run [--dev] …`` (the same options as ``govchain node run``)."""

from __future__ import annotations

from govchain_node.cli import node_app

if __name__ == "__main__":
    node_app(prog_name="govchain_node")
