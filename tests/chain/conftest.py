import pytest

from dapp.chain import contracts
from dapp.chain.contracts import Chain


@pytest.fixture
def chain(settings) -> Chain:
    """The test chain, signing with the platform account."""
    return contracts.from_settings(settings)
