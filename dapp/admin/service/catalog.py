"""Platform-wide lists for platform admins (R-UI-2, R-ACC-7): every organization's devices, reservations and
certificates, searched by a few words (external id, name, country, token id, organization), newest first."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from dapp.models.accounts import Organization
from dapp.models.devices import Device
from dapp.models.irec import IrecRedemption
from dapp.models.issuance import Certificate
from dapp.models.reservations import Reservation


@dataclass(frozen=True)
class Found:
    rows: list[Any]  # (object, organization name) pairs; certificates add their I-REC redemption's id
    total: int


def devices(session: Session, search: str | None, page: int, size: int) -> Found:
    scope = select(Device, Organization.name).join(Organization, Organization.id == Device.organization_id)
    columns = (Device.external_id, Device.project_name, Device.country_code, Organization.name)
    return _page(session, matching(scope, columns, search), Device.onboarded_at.desc(), page, size)


def reservations(session: Session, search: str | None, page: int, size: int) -> Found:
    scope = select(Reservation, Organization.name).join(
        Organization, Organization.id == Reservation.buyer_organization_id
    )
    scope = scope.where(Reservation.deleted_at.is_(None))
    columns = (Reservation.name, Reservation.wallet_address, Organization.name)
    return _page(session, matching(scope, columns, search), Reservation.created_at.desc(), page, size)


def certificates(session: Session, search: str | None, page: int, size: int) -> Found:
    scope = (
        select(Certificate, Organization.name, IrecRedemption.id)
        .join(Organization, Organization.id == Certificate.beneficiary_organization_id)
        .outerjoin(IrecRedemption, IrecRedemption.certificate_id == Certificate.id)
    )
    columns = (Certificate.token_id, Certificate.country_code, Certificate.status, Organization.name)
    return _page(session, matching(scope, columns, search), Certificate.window_start.desc(), page, size)


def matching(scope: Select[Any], columns: tuple[Any, ...], search: str | None) -> Select[Any]:
    """Rows where every word of `search` is in one of `columns` (case-insensitive; % and _ taken literally)."""
    for word in (search or "").split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches: list[ColumnElement[bool]] = [column.ilike(pattern, escape="\\") for column in columns]
        scope = scope.where(or_(*matches))
    return scope


def _page(session: Session, scope: Select[Any], order: Any, page: int, size: int) -> Found:
    total = session.scalar(select(func.count()).select_from(scope.subquery())) or 0
    rows = session.execute(scope.order_by(order).offset((page - 1) * size).limit(size)).tuples()
    return Found(list(rows), total)


LISTS = {"devices": devices, "reservations": reservations, "certificates": certificates}
