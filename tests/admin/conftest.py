"""The dashboard's webhook figures are tested with the webhooks' local receiver."""

from tests.webhooks.conftest import allow_private, receiver  # noqa: F401 - the fixtures, shared
