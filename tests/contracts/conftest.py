"""Fixtures for the Ape contract tests: fresh deployments of the real contracts on anvil."""

import pytest


@pytest.fixture(scope="session")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def issuer(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def buyer(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def stranger(accounts):
    return accounts[3]


@pytest.fixture
def certificates(project, admin, issuer):
    contract = admin.deploy(project.DrecCertificates, admin, "ipfs://{id}")
    contract.grantRole(contract.ISSUER_ROLE(), issuer, sender=admin)
    return contract


@pytest.fixture
def reservation_log(project, admin, issuer):
    contract = admin.deploy(project.ReservationLog, admin)
    contract.grantRole(contract.LOGGER_ROLE(), issuer, sender=admin)
    return contract
