"""The StatusRegistry's status transitions, stated once for the notary's own check
(a 409 before any transaction) and for the in-memory chain that stands in for the
contract.  The contract's table (contracts/src/StatusRegistry.sol):
Valid --suspend--> Suspended --reinstate--> Valid; Valid|Suspended --supersede-->
Superseded; Valid|Suspended|Superseded --revoke--> Revoked (final)."""

from __future__ import annotations

from govchain_core.verify import DocumentState


def refusal(current: DocumentState, target: DocumentState) -> str | None:
    """Why the StatusRegistry reverts a change from ``current`` to ``target``, or None."""
    if current is DocumentState.REVOKED:
        return "the document is revoked; that is final"
    if current is DocumentState.SUPERSEDED and target is not DocumentState.REVOKED:
        return "the document is superseded; it can only be revoked"
    if target is DocumentState.VALID and current is not DocumentState.SUSPENDED:
        return "only a suspended document can be reinstated"
    if target is DocumentState.SUSPENDED and current is DocumentState.SUSPENDED:
        return "the document is already suspended"
    return None
