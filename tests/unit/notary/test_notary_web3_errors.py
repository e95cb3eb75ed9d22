"""web3.py failures become the notary's errors at the adapter edge, most specific first."""

from __future__ import annotations

import pytest
import requests
from eth_abi.abi import encode
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError

from govchain_notary.anchorers.web3 import chain_error, chain_errors
from govchain_notary.errors import (
    ChainAccessError,
    ChainUnavailableError,
    ConfigurationError,
    TransactionRevertedError,
)

ISSUER = "0x" + "ab" * 20
NOT_ACTIVE = bytes.fromhex("86503eba") + encode(["address"], [ISSUER])  # AnchorRegistry


@pytest.mark.parametrize(
    "failure",
    [
        TimeExhausted("no receipt after 30 s"),
        requests.ConnectTimeout("connect timed out"),
        requests.ConnectionError("connection refused"),
        ConnectionRefusedError(111, "refused"),
        TimeoutError("read timed out"),
    ],
)
def test_timeouts_and_refusals_say_the_chain_is_unavailable(failure: Exception) -> None:
    error = chain_error("head", failure)
    assert type(error) is ChainUnavailableError
    assert str(error).startswith(f"head: {type(failure).__name__}: ")


def test_a_revert_carries_the_decoded_contract_error() -> None:
    error = chain_error(
        "anchor", ContractLogicError("execution reverted", data="0x" + NOT_ACTIVE.hex())
    )
    assert type(error) is TransactionRevertedError
    assert error.reason == str(("NotActiveIssuer", (ISSUER,)))


def test_a_revert_not_of_ours_carries_the_node_message() -> None:
    error = chain_error("anchor", ContractLogicError("execution reverted: nope", data="0x"))
    assert isinstance(error, TransactionRevertedError)
    assert error.reason == "execution reverted: nope"


def test_any_other_failure_is_a_plain_chain_error() -> None:
    error = chain_error("latest", Web3RPCError("method not found"))
    assert type(error) is ChainAccessError


def test_the_decorator_maps_and_lets_notary_errors_through() -> None:
    @chain_errors
    def times_out() -> None:
        raise TimeExhausted("slow")

    @chain_errors
    def misconfigured() -> None:
        raise ConfigurationError("no keystore")

    with pytest.raises(ChainUnavailableError, match="times_out: TimeExhausted: slow"):
        times_out()
    with pytest.raises(ConfigurationError):
        misconfigured()
