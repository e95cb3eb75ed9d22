"""Fixtures: a fresh in-memory chain with the three registries for every test.

Accounts 0-2 are the consortium members, 3-4 spare members, 5 the registered issuer,
6-9 outsiders and further issuers.
"""

from __future__ import annotations

import pytest

from tests.integration.contracts.deploy import Deployment, deploy
from tests.integration.contracts.evm import Account, Chain


@pytest.fixture
def chain() -> Chain:
    return Chain()


@pytest.fixture
def deployment(chain: Chain) -> Deployment:
    return deploy(chain)


@pytest.fixture
def issuer(deployment: Deployment) -> Account:
    """A registered, active issuer with the certificate and register roles."""
    account = deployment.chain.accounts[5]
    deployment.register_issuer(account)
    return account


@pytest.fixture
def outsider(chain: Chain) -> Account:
    """Neither member nor issuer."""
    return chain.accounts[9]
