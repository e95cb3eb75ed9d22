"""Validator and dev-account keys on disk.

Keys are stored as hex in files created with mode 0600; a key file readable by group or
others is refused, as ssh does, because a leaked validator key can seal blocks.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import stat
from pathlib import Path

from eth_keys import datatypes as eth_keys_api
from eth_utils.exceptions import ValidationError as EthKeysValidationError

from govchain_node.errors import KeyFileError

VALIDATOR_KEY_FILE = "validator.key"
DEV_ACCOUNTS_FILE = "dev-accounts.json"
#: The dev chain's experiment accounts come from this mnemonic (Hardhat's and
#: Foundry's), so wallets and tools already know them: account 0 is
#: 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266.  The keys are public: a dev chain only.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
#: BIP-44 path of dev account ``i`` (MetaMask's and Hardhat's default).
DEV_PATH = "m/44'/60'/0'/0/{index}"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@dataclasses.dataclass(frozen=True)
class Account:
    """An externally owned account: private key and its checksummed address."""

    private_key: bytes
    address: bytes

    @classmethod
    def from_private_key(cls, private_key: bytes) -> Account:
        try:
            key = eth_keys_api.PrivateKey(private_key)
        except (EthKeysValidationError, ValueError) as exc:
            raise KeyFileError(f"invalid private key: {exc}") from exc
        return cls(private_key=private_key, address=key.public_key.to_canonical_address())

    @classmethod
    def generate(cls) -> Account:
        while True:
            candidate = secrets.token_bytes(32)
            if 0 < int.from_bytes(candidate, "big") < SECP256K1_N:
                return cls.from_private_key(candidate)

    @property
    def checksum_address(self) -> str:
        from eth_utils.address import to_checksum_address

        return str(to_checksum_address(self.address))

    def sign_hash(self, message_hash: bytes) -> bytes:
        """65-byte ``r ‖ s ‖ v`` signature (v in {0, 1}) over a 32-byte hash."""
        signature = eth_keys_api.PrivateKey(self.private_key).sign_msg_hash(message_hash)
        return bytes(signature.to_bytes())


def dev_accounts_from_mnemonic(mnemonic: str, count: int) -> list[Account]:
    """Accounts 0 .. count-1 of ``mnemonic`` on :data:`DEV_PATH` (BIP-39 / BIP-32)."""
    from eth_account.hdaccount import key_from_seed, seed_from_mnemonic

    try:
        seed = seed_from_mnemonic(mnemonic, passphrase="")
    except ValueError as exc:
        raise KeyFileError(f"invalid dev mnemonic: {exc}") from exc
    return [
        Account.from_private_key(key_from_seed(seed, DEV_PATH.format(index=index)))
        for index in range(count)
    ]


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file only the owner can read, atomically."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _read_private(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(f"{path} is accessible by group/others; chmod 600 it")
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc}") from exc


def load_or_create_validator_key(data_dir: Path) -> Account:
    """The validator key under ``data_dir``, created on first start."""
    path = data_dir / VALIDATOR_KEY_FILE
    if path.exists():
        text = _read_private(path).strip()
        try:
            return Account.from_private_key(bytes.fromhex(text.removeprefix("0x")))
        except ValueError as exc:
            raise KeyFileError(f"{path} does not hold a hex private key") from exc
    account = Account.generate()
    _write_private(path, "0x" + account.private_key.hex() + "\n")
    return account


def write_dev_accounts(data_dir: Path, chain_id: int, accounts: list[Account]) -> Path:
    """Write the funded dev accounts (for the notary and for tests) as JSON, mode 0600."""
    path = data_dir / DEV_ACCOUNTS_FILE
    document = {
        "chain_id": chain_id,
        "accounts": [
            {"address": a.checksum_address, "private_key": "0x" + a.private_key.hex()}
            for a in accounts
        ],
    }
    _write_private(path, json.dumps(document, indent=2) + "\n")
    return path


def load_dev_accounts(data_dir: Path) -> list[Account]:
    """The dev accounts written by :func:`write_dev_accounts`."""
    path = data_dir / DEV_ACCOUNTS_FILE
    try:
        document = json.loads(_read_private(path))
        return [
            Account.from_private_key(bytes.fromhex(str(a["private_key"]).removeprefix("0x")))
            for a in document["accounts"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyFileError(f"{path} is not a dev accounts file: {exc}") from exc
