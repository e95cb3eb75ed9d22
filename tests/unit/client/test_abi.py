"""The SDK's hand-written ABI subset against the real contract artifacts."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode as abi_encode
from eth_utils.crypto import keccak

from govchain_client import abi
from govchain_contracts import load


@pytest.mark.parametrize("signature", sorted(abi.SELECTORS))
def test_selectors_match_the_artifacts(signature: str) -> None:
    contract, function = signature.split(".", 1)
    names = {
        entry["name"] + "(" + ",".join(i["type"] for i in entry["inputs"]) + ")"
        for entry in load(contract).abi
        if entry["type"] == "function"
    }
    assert function in names, f"{contract} has no function {function}"
    assert abi.SELECTORS[signature] == keccak(text=function)[:4].hex()


def test_issuer_tuple_decodes_like_eth_abi() -> None:
    types = "(string,string,uint8,uint64,uint64,bool,uint64,uint64)"
    value = ("Stadt Köln – Bürgeramt", "05315000", 5, 10, 0, True, 7, 0)
    data = abi_encode([types], [value])
    assert abi.decode_tuple_head(
        data, ("string", "string", "uint", "uint", "uint", "bool", "uint", "uint")
    ) == list(value)


@pytest.mark.parametrize("cut", [0, 31, 64, 100, 150])
def test_truncated_return_data_is_a_decode_error(cut: int) -> None:
    data = abi_encode(["(string,uint8)"], [("x" * 40, 1)])
    assert abi.decode_tuple_head(data, ("string", "uint")) == ["x" * 40, 1]
    with pytest.raises(abi.AbiDecodeError):
        abi.decode_tuple_head(data[:cut], ("string", "uint"))


def test_encoders_refuse_bad_values() -> None:
    with pytest.raises(ValueError, match="20-byte"):
        abi.encode_address("0x1234")
    with pytest.raises(ValueError, match="range"):
        abi.encode_uint(-1)
    with pytest.raises(ValueError, match="32 bytes"):
        abi.encode_bytes32(b"short")
