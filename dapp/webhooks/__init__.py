"""Outbound webhooks (R-API-2): organizations register endpoints for kinds of events; every event recorded by a
use case (`dapp.events`) is fanned out to the subscribed endpoints and sent by the `webhooks` worker, signed with
HMAC-SHA256, retried with backoff, logged try by try, re-sendable; an endpoint that keeps failing is disabled with
a notice. Nothing here runs in the request that caused the event."""
