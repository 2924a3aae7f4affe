"""One Settings object, read from `DREC_…` environment variables (and `.env`) once per process."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Anvil's well-known development key for account 1 (the platform signer in the embedded stack).
# It controls nothing outside a local development chain; production refuses to start with it.
DEV_PLATFORM_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
DEV_SECRET_KEY = "development-only-secret-key-change-me"  # noqa: S105 - refused in production
DEV_IREC_TOKEN = "development-irec-token"  # noqa: S105 - the simulator's; refused in production


class Settings(BaseSettings):
    """Configuration of every process (web, worker, scheduler, indexer, CLI)."""

    # var/stack.env is written by `make up` (embedded services); .env holds local overrides and wins.
    model_config = SettingsConfigDict(env_prefix="DREC_", env_file=("var/stack.env", ".env"), extra="ignore")

    environment: str = "development"
    secret_key: str = DEV_SECRET_KEY
    base_url: str = "http://127.0.0.1:5000"
    var_dir: Path = Path("var")

    database_url: str = "postgresql+psycopg:///drec"
    redis_url: str = "redis://127.0.0.1:6379/0"

    chain_rpc_url: str = "http://127.0.0.1:8545"
    chain_id: int = 31337
    deployment_file: Path = Path("var/chain/deployment.json")
    platform_private_key: str = DEV_PLATFORM_KEY
    confirmations: int = Field(default=0, ge=0)
    mint_batch_size: int = Field(default=50, ge=1, le=500)
    # Retries of chain-outbox entries (mints, claims, reservation logs): exponential backoff from `base`, capped
    # at `max`, each delay scattered by ±jitter; the entry fails after `max_attempts` tries (ADR 0052).
    outbox_max_attempts: int = Field(default=12, ge=1)
    outbox_retry_base_seconds: float = Field(default=15, gt=0)
    outbox_retry_max_seconds: float = Field(default=3600, gt=0)
    outbox_retry_jitter: float = Field(default=0.2, ge=0, lt=1)
    # How long a chain job waits for a receipt before leaving the transaction in flight for the next run.
    chain_receipt_timeout_seconds: float = Field(default=120, gt=0)
    scheduler_tick_seconds: int = Field(default=15, ge=1)
    late_reads_every_hours: float = Field(default=4, gt=0)
    late_reads_grace_days: int = Field(default=60, ge=0)
    indexer_poll_seconds: float = Field(default=2.0, gt=0)

    # Webhooks (R-API-2, ADR 0095): a try waits this long for an answer; failed tries back off exponentially from
    # `base` up to `max`; after `max_attempts` failed tries the endpoint is disabled with a notice. Deliveries to
    # loopback, private and link-local addresses are refused unless allowed (development and tests).
    webhook_timeout_seconds: float = Field(default=10, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_retry_base_seconds: float = Field(default=30, gt=0)
    webhook_retry_max_seconds: float = Field(default=6 * 3600, gt=0)
    # events and webhook tries older than this (platform clock) are deleted, hourly (ADR 0122)
    event_retention_days: int = Field(default=90, ge=1)
    webhooks_allow_private_addresses: bool = False

    # One JSON log line and a latency observation per request (issue 19); off only to measure what they cost.
    observability: bool = True
    metrics_token: str | None = None  # when set, GET /metrics asks for it as a bearer token

    ipfs_api_url: str | None = None
    # Where pages link a content id (CID) so that anyone can read the document it names: by default the
    # platform's own content gateway (`GET /ipfs/{cid}`, ADR 0071), which serves every document the chain names.
    ipfs_gateway_url: str = "/ipfs/"
    # The I-REC registry (R-IREC-5): the simulator of `make up` by default, the real registry by configuration.
    irec_registry_url: str = "http://127.0.0.1:5100"
    irec_registry_token: str = DEV_IREC_TOKEN
    irec_platform_account: str = "PLATFORM-1"
    irec_redemption_account: str = "REDEEM-1"
    smtp_url: str | None = None

    allow_clock_control: bool = True
    # Reverse proxies in front of the web server that append the client's address to X-Forwarded-For (0: none,
    # the connection's peer is the client). Sign-in throttling counts per client address (dapp.web.client).
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    max_reads_per_request: int = 10_000
    clock_skew_seconds: int = 300
    baseline_gap_days: int = 30
    default_yield_kwh_per_kwp: int = 2000
    history_max_age_days: int = 3 * 365  # history reads start at most this long before onboarding (R-READ-3)
    history_acknowledgement_days: int = 365  # older history reads need acknowledge_old=true (R-READ-3)
    # R-READ-8 policy: flagged reads up to this multiple of the clear-sky limit are accepted without review
    flagged_auto_accept_ratio: float | None = Field(default=None, ge=1)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def ipfs_dir(self) -> Path:
        return self.var_dir / "ipfs"

    def check_production_safety(self) -> None:
        """Refuse to run in production with development secrets or clock control."""
        if not self.is_production:
            return
        unsafe = {
            "DREC_SECRET_KEY": self.secret_key == DEV_SECRET_KEY,
            "DREC_PLATFORM_PRIVATE_KEY": self.platform_private_key == DEV_PLATFORM_KEY,
            "DREC_ALLOW_CLOCK_CONTROL": self.allow_clock_control,
            "DREC_IREC_REGISTRY_TOKEN": self.irec_registry_token == DEV_IREC_TOKEN,
        }
        bad = [name for name, is_unsafe in unsafe.items() if is_unsafe]
        if bad:
            raise RuntimeError(f"refusing to start in production with development values for: {', '.join(bad)}")
