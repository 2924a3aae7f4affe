"""EIP-1559 fees under a ceiling (ADR 0117).

Before signing, the node is asked what a transaction costs now: the next block's base fee (the last entry of
`eth_feeHistory`) and a priority fee (the larger of the recent blocks' median tip and the node's own suggestion).
A transaction offers at most twice the base fee plus its tip, never more than the ceiling. When the network asks
more than the ceiling, nothing is signed: `FeeAboveCeiling` makes the chain job wait, without spending any
entry's attempts, until the fee drops. A node without EIP-1559 (no base fee) gets a legacy gas price, under the
same ceiling.

A replacement (a stuck transaction sent again at its nonce) raises both fees by the bump percentage at least, as
nodes require (geth: 10 %), and follows the network if it asks more, still within the ceiling.
"""

from dataclasses import dataclass
from typing import Any

GWEI = 10**9


class FeeAboveCeiling(Exception):
    """The network asks more than the configured ceiling: the transaction waits for the fee to drop."""


@dataclass(frozen=True)
class FeeCeiling:
    max_fee: int  # wei per gas: base fee + tip together
    max_priority_fee: int  # wei per gas: the tip alone
    bump_percent: float = 12.5

    @classmethod
    def from_settings(cls, settings: Any) -> "FeeCeiling":
        return cls(
            round(settings.chain_max_fee_gwei * GWEI),
            round(settings.chain_max_priority_fee_gwei * GWEI),
            settings.chain_fee_bump_percent,
        )


@dataclass(frozen=True)
class Fees:
    """What a signed transaction offers per gas (legacy: `max_fee` is its gas price)."""

    max_fee: int
    priority_fee: int
    legacy: bool = False

    def fields(self) -> dict[str, int]:
        if self.legacy:
            return {"gasPrice": self.max_fee}
        return {"maxFeePerGas": self.max_fee, "maxPriorityFeePerGas": self.priority_fee}

    def bumped(self, percent: float) -> "Fees":
        """Both fees raised by `percent` at least (rounded up, by one wei at least)."""
        return Fees(_raised(self.max_fee, percent), _raised(self.priority_fee, percent), self.legacy)


def _raised(value: int, percent: float) -> int:
    basis_points = round(percent * 100)
    return value + max(1, -(-value * basis_points // 10_000))


@dataclass(frozen=True)
class FeeQuote:
    """What the network asks now, and the ceiling it is held to."""

    base_fee: int  # the next block's base fee (legacy: the node's gas price)
    priority_fee: int  # the tip it takes to be included
    ceiling: FeeCeiling
    legacy: bool = False

    @property
    def required(self) -> int:
        """What a transaction must offer per gas to be included in the next block."""
        return self.base_fee if self.legacy else self.base_fee + self.priority_fee

    @property
    def above_ceiling(self) -> bool:
        return self.required > self.ceiling.max_fee or self.priority_fee > self.ceiling.max_priority_fee

    def describe(self) -> str:
        asked = (
            f"{_gwei(self.base_fee)} gwei"
            if self.legacy
            else (f"{_gwei(self.base_fee)} gwei base fee + {_gwei(self.priority_fee)} gwei tip")
        )
        return (
            f"the network asks {asked}; the ceiling is {_gwei(self.ceiling.max_fee)} gwei"
            f" (tip {_gwei(self.ceiling.max_priority_fee)} gwei)"
        )

    def fees(self) -> Fees:
        """The fees of a new transaction: room for the base fee to double, within the ceiling."""
        if self.above_ceiling:
            raise FeeAboveCeiling(f"Waiting for fees to drop: {self.describe()}.")
        if self.legacy:
            return Fees(self.base_fee, self.base_fee, legacy=True)
        return Fees(min(self.ceiling.max_fee, 2 * self.base_fee + self.priority_fee), self.priority_fee)

    def replacement(self, old: Fees) -> Fees:
        """The fees of a transaction that replaces one offering `old`: the bump at least, the network's ask if
        it is more; FeeAboveCeiling when that would pass the ceiling."""
        wanted = self.fees()
        bumped = old.bumped(self.ceiling.bump_percent)
        new = Fees(max(bumped.max_fee, wanted.max_fee), max(bumped.priority_fee, wanted.priority_fee), old.legacy)
        if new.max_fee > self.ceiling.max_fee or (not new.legacy and new.priority_fee > self.ceiling.max_priority_fee):
            raise FeeAboveCeiling(
                f"Not replacing the stuck transaction: raising its fees to {_gwei(new.max_fee)} gwei (tip"
                f" {_gwei(new.priority_fee)} gwei) would pass the ceiling of {_gwei(self.ceiling.max_fee)} gwei"
                f" (tip {_gwei(self.ceiling.max_priority_fee)} gwei)."
            )
        return new


def _gwei(wei: int) -> str:
    return f"{wei / GWEI:.9g}"
