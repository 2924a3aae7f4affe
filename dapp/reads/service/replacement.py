"""Meter replacement for aggregate meters (R-READ-5): the old meter's final register may be recorded as an
ordinary read; then the device's next read is a new baseline, whatever the register says."""

from sqlalchemy.orm import Session

from dapp.access.permissions import Actor
from dapp.audit import service as audit
from dapp.errors import field_error
from dapp.models.reads import MeterReplacement
from dapp.reads.errors import NotAnAggregateMeter
from dapp.reads.ingest import Block, Outcome, ingest
from dapp.reads.schemas import (
    MeterReplacementCreate,
    MeterReplacementRead,
    ReadBatchCreate,
    ReadIn,
    ReadType,
)
from dapp.reads.service.devices import own_device
from dapp.reads.store import lock_states, write_states
from dapp.reads.timestamps import BadTimestamp, parse_instant, zone
from dapp.reads.units import to_wh
from dapp.reads.validation import Policy

REASON = "meter_replaced"


def replace_meter(
    session: Session, actor: Actor, external_id: str, data: MeterReplacementCreate, policy: Policy
) -> MeterReplacementRead:
    device = own_device(session, actor, external_id)
    try:
        replaced_at = parse_instant(data.replaced_at, zone(device.timezone))
    except BadTimestamp as error:
        raise field_error("replaced_at", str(error), "bad_timestamp") from error
    [state] = lock_states(session, [device.id]).values()
    if state.ongoing_type != ReadType.AGGREGATE.value:
        raise NotAnAggregateMeter("Only a device sending aggregate reads has a meter register to replace.")
    if replaced_at > policy.now + policy.clock_skew:
        raise field_error("replaced_at", "The replacement cannot be in the future.", "in_future")
    if state.last_end is not None and replaced_at < state.last_end:
        raise field_error(
            "replaced_at",
            f"The replacement must be after the device's last read ({state.last_end.isoformat()}).",
            "before_last_read",
        )
    final = _record_final_read(session, actor, external_id, data, policy) if data.final_value is not None else None
    [state] = lock_states(session, [device.id]).values()
    before = {"last_read_end": state.last_end, "last_register_wh": state.last_register}
    state.last_end, state.last_register, state.next_baseline_reason = replaced_at, None, REASON
    write_states(session, [state])
    replacement = MeterReplacement(
        device_id=device.id,
        replaced_at=replaced_at,
        final_register_wh=to_wh(data.final_value, data.unit) if data.final_value is not None else None,
        note=data.note,
        recorded_by_user_id=actor.user_id,
        recorded_by_api_key_id=actor.api_key_id,
        recorded_at=policy.now,
    )
    session.add(replacement)
    after = {"replaced_at": replaced_at, "final_register_wh": replacement.final_register_wh, "note": data.note}
    audit.record(session, actor, "device.meter_replace", "device", device.id, before, after, now=policy.now)
    return MeterReplacementRead(
        device_external_id=device.external_id,
        replaced_at=replaced_at,
        final_read=final.as_json() if final else None,
        message="Recorded: the device's next aggregate read starts a new baseline (it is stored, not certified).",
    )


def _record_final_read(
    session: Session, actor: Actor, external_id: str, data: MeterReplacementCreate, policy: Policy
) -> Outcome:
    batch = ReadBatchCreate(
        type=ReadType.AGGREGATE,
        unit=data.unit,
        reads=[ReadIn(end=data.replaced_at, value=data.final_value)],
    )
    [[outcome]] = ingest(session, actor.organization_id, [Block(external_id, batch)], policy, atomic=True)
    return outcome
