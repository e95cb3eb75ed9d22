"""The notary refuses (409) exactly the status changes the StatusRegistry reverts.

The table is the contract's (contracts/src/StatusRegistry.sol):
Valid --suspend--> Suspended --reinstate--> Valid; Valid|Suspended --supersede-->
Superseded; Valid|Suspended|Superseded --revoke--> Revoked (final)."""

from __future__ import annotations

import pytest

from govchain_core.verify import DocumentState
from govchain_notary.errors import ConflictError
from govchain_notary.service import check_transition

ALLOWED = {
    (DocumentState.VALID, "suspend"),
    (DocumentState.VALID, "supersede"),
    (DocumentState.VALID, "revoke"),
    (DocumentState.SUSPENDED, "reinstate"),
    (DocumentState.SUSPENDED, "supersede"),
    (DocumentState.SUSPENDED, "revoke"),
    (DocumentState.SUPERSEDED, "revoke"),
}


@pytest.mark.parametrize("state", list(DocumentState))
@pytest.mark.parametrize("action", ["suspend", "reinstate", "supersede", "revoke"])
def test_transition_allowed_exactly_as_the_contract(state: DocumentState, action: str) -> None:
    if (state, action) in ALLOWED:
        check_transition(state, action)
    else:
        with pytest.raises(ConflictError):
            check_transition(state, action)
