"""One Settings object, read from `DREC_…` environment variables (and `.env`) once per process."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Anvil's well-known development key for account 1 (the platform signer in the embedded stack).
# It controls nothing outside a local development chain; production refuses to start with it.
DEV_PLATFORM_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
DEV_SECRET_KEY = "development-only-secret-key-change-me"  # noqa: S105 - refused in production
DEV_IREC_TOKEN = "development-irec-token"  # noqa: S105 - the simulator's; refused in production


@dataclass(frozen=True)
class NetworkPreset:
    """What an EVM network needs by default (docs/public-chains.md, ADR 0116): where a public node answers, its
    chain id, how many blocks make an event final enough to index, and the fee ceilings (gwei) above which a
    transaction waits instead of paying more. Each can be overridden by its own setting."""

    rpc_url: str
    chain_id: int
    confirmations: int
    max_fee_gwei: float
    max_priority_fee_gwei: float


NETWORKS: dict[str, NetworkPreset] = {
    "local": NetworkPreset("http://127.0.0.1:8545", 31337, 0, 100, 10),
    "volta": NetworkPreset("https://volta-rpc.energyweb.org", 73799, 6, 50, 10),
    "ewc": NetworkPreset("https://rpc.energyweb.org", 246, 12, 50, 10),
    "amoy": NetworkPreset("https://rpc-amoy.polygon.technology", 80002, 16, 500, 100),
    "polygon": NetworkPreset("https://polygon-rpc.com", 137, 32, 1000, 200),
}
Network = Literal["local", "volta", "ewc", "amoy", "polygon", "custom"]
# Settings a preset fills in when they are not given (a "custom" network must be given its URL and chain id).
PRESET_FIELDS = {
    "chain_rpc_url": "rpc_url",
    "chain_id": "chain_id",
    "confirmations": "confirmations",
    "chain_max_fee_gwei": "max_fee_gwei",
    "chain_max_priority_fee_gwei": "max_priority_fee_gwei",
}


class Settings(BaseSettings):
    """Configuration of every process (web, worker, scheduler, indexer, CLI)."""

    # var/stack.env is written by `make up` (embedded services); .env holds local overrides and wins.
    model_config = SettingsConfigDict(
        env_prefix="DREC_", env_file=("var/stack.env", ".env"), extra="ignore", hide_input_in_errors=True
    )

    environment: str = "development"
    secret_key: str = DEV_SECRET_KEY
    base_url: str = "http://127.0.0.1:5000"
    var_dir: Path = Path("var")

    database_url: str = "postgresql+psycopg:///drec"
    redis_url: str = "redis://127.0.0.1:6379/0"

    # The chain (R-CHAIN-3, ADR 0116): a preset network, or "custom" with its URL and chain id. Only "local" (anvil)
    # accepts a plain platform key; any other network takes the platform signer from an encrypted keystore.
    chain_network: Network = "local"
    chain_rpc_url: str = NETWORKS["local"].rpc_url
    chain_id: int = NETWORKS["local"].chain_id
    deployment_file: Path = Path("var/chain/deployment.json")
    platform_private_key: str = DEV_PLATFORM_KEY
    platform_keystore: Path | None = None  # an Ethereum V3 keystore (`drec keystore create`)
    platform_keystore_passphrase_file: Path | None = None  # asked at the terminal when not given
    deployer_keystore: Path | None = None  # the contracts' admin on a public network (scripts/deploy.py)
    deployer_keystore_passphrase_file: Path | None = None
    confirmations: int = Field(default=NETWORKS["local"].confirmations, ge=0)
    # EIP-1559 fees (ADR 0117): a transaction is sent only when the network's fee (next block's base fee + the
    # priority fee the node suggests) fits under these ceilings, else it waits; one pending longer than
    # `replace_after` is sent again at the same nonce with fees raised by `bump_percent` (nodes ask ≥ 10 %).
    chain_max_fee_gwei: float = Field(default=NETWORKS["local"].max_fee_gwei, gt=0)
    chain_max_priority_fee_gwei: float = Field(default=NETWORKS["local"].max_priority_fee_gwei, ge=0)
    chain_fee_bump_percent: float = Field(default=12.5, ge=10, le=100)
    chain_replace_after_seconds: float = Field(default=180, gt=0)
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

    @model_validator(mode="after")
    def _network(self) -> Self:
        """Fill what the network's preset knows and was not set; refuse a plain key on a public network."""
        if self.chain_network == "custom":
            missing = [name for name in ("chain_rpc_url", "chain_id") if name not in self.model_fields_set]
            if missing:
                names = " and ".join(f"DREC_{name.upper()}" for name in missing)
                raise ValueError(f"a custom chain network needs {names}")
        else:
            preset = NETWORKS[self.chain_network]
            if "chain_id" in self.model_fields_set and self.chain_id != preset.chain_id:
                raise ValueError(
                    f"the {self.chain_network} network is chain {preset.chain_id}, not {self.chain_id} (DREC_CHAIN_ID,"
                    " perhaps from var/stack.env): drop the setting, or name another chain DREC_CHAIN_NETWORK=custom"
                )
            for name, attribute in PRESET_FIELDS.items():
                if name not in self.model_fields_set:
                    setattr(self, name, getattr(preset, attribute))
        if self.is_public_chain and "platform_private_key" in self.model_fields_set:
            raise ValueError(
                f"DREC_PLATFORM_PRIVATE_KEY is refused on the {self.chain_network} network: give the platform signer"
                " as an encrypted keystore (DREC_PLATFORM_KEYSTORE, made by `drec keystore create`)"
            )
        return self

    @property
    def is_public_chain(self) -> bool:
        """Any network but the local anvil: keys only from keystores."""
        return self.chain_network != "local"

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
