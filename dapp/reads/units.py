"""Energy units: every value becomes integer Wh, rounded half-even (R-READ-1)."""

from decimal import ROUND_HALF_EVEN, Decimal

from dapp.reads.schemas import EnergyUnit

WH_PER_UNIT = {
    EnergyUnit.WH: Decimal(1),
    EnergyUnit.KWH: Decimal(1_000),
    EnergyUnit.MWH: Decimal(1_000_000),
    EnergyUnit.GWH: Decimal(1_000_000_000),
}


WHOLE_WH = Decimal(1)
MAX_WH = 2**63 - 1  # the largest value of a BIGINT column, where Wh are stored


def to_wh(value: Decimal, unit: EnergyUnit) -> int:
    return int((value * WH_PER_UNIT[unit]).quantize(WHOLE_WH, rounding=ROUND_HALF_EVEN))


def storable(wh: int) -> bool:
    """Whether a Wh value fits the columns that store it."""
    return -MAX_WH <= wh <= MAX_WH
