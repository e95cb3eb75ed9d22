"""A consortium deployment: which chain and which registry contracts to trust.

One value and one JSON layout for everybody: ``govchain up`` and the notary's
``/v1/deployment`` write it, the SDK and the CLI read it.

A receipt names the AnchorRegistry it was anchored in, but a verifier must not
trust whatever address a file names: it checks the receipt against the addresses
the consortium published (``deployment.json``, written by ``govchain up`` and
``govchain consortium init`` and served by every notary at ``/v1/deployment``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govchain_core import bounded_json
from govchain_core.errors import DeploymentError

#: A deployment names a chain and three addresses; anything much larger is not one.
MAX_DEPLOYMENT_BYTES = 64 * 1024

_ADDRESS_RE = re.compile(r"\A0x[0-9a-fA-F]{40}\Z")


@dataclass(frozen=True, slots=True)
class Deployment:
    chain_id: int
    anchor_registry: str
    issuer_registry: str
    status_registry: str

    @classmethod
    def from_object(cls, obj: Any) -> Deployment:
        if not isinstance(obj, dict):
            raise DeploymentError("deployment must be a JSON object")
        chain_id = obj.get("chain_id")
        if not isinstance(chain_id, int) or isinstance(chain_id, bool) or chain_id < 1:
            raise DeploymentError("deployment.chain_id must be a positive integer")
        contracts = obj.get("contracts")
        if not isinstance(contracts, dict):
            raise DeploymentError("deployment.contracts must be an object of addresses")
        return cls(
            chain_id=chain_id,
            anchor_registry=_address(contracts, "AnchorRegistry"),
            issuer_registry=_address(contracts, "IssuerRegistry"),
            status_registry=_address(contracts, "StatusRegistry"),
        )

    @classmethod
    def load(cls, path: str | Path) -> Deployment:
        try:
            data = Path(path).read_bytes()
            return cls.from_object(bounded_json.loads(data, max_bytes=MAX_DEPLOYMENT_BYTES))
        except (OSError, ValueError) as exc:
            if isinstance(exc, DeploymentError):
                raise
            raise DeploymentError(f"cannot read deployment {path}: {exc}") from exc

    def to_object(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "contracts": {
                "AnchorRegistry": self.anchor_registry,
                "IssuerRegistry": self.issuer_registry,
                "StatusRegistry": self.status_registry,
            },
        }


def _address(contracts: dict[str, Any], name: str) -> str:
    value = contracts.get(name)
    if not isinstance(value, str) or not _ADDRESS_RE.match(value):
        raise DeploymentError(f"deployment.contracts.{name} must be a 0x-hex address")
    return value.lower()
