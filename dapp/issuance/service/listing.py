"""Certificate lists: the buyer's certificates (R-ISS-7) and the developer's certified reads (R-READ-12).

A buyer sees the certificates of its reservations and those its accounts hold or claimed (received by
transfer, R-ISS-10); what it owns of each comes from the indexed balances (R-IDX-1).
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from dapp.access.permissions import Actor
from dapp.issuance.errors import CertificateNotFound
from dapp.issuance.schemas import CertificateFilter, CertificateRead, ContributionRead
from dapp.issuance.service import standards
from dapp.models.accounts import Organization
from dapp.models.chain import TokenBalance, TokenClaim
from dapp.models.devices import Device
from dapp.models.issuance import Certificate, CertificateContribution


@dataclass
class Listed:
    items: list[CertificateRead]
    total: int


def _filtered(query: Select[tuple[Certificate]], filters: CertificateFilter) -> Select[tuple[Certificate]]:
    if filters.country:
        query = query.where(Certificate.country_code == filters.country.upper())
    if filters.off_taker:
        query = query.where(_has_device(Device.off_taker == filters.off_taker))
    if filters.sdg:
        query = query.where(_has_device(Device.sdg_benefits.overlap(filters.sdg)))
    if filters.date_from:
        query = query.where(Certificate.generation_end > datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        day_after = datetime.combine(filters.date_to + timedelta(days=1), time(), UTC)
        query = query.where(Certificate.generation_start < day_after)
    if filters.standard_state:
        query = query.where(standards.condition(filters.standard_state))
    return query


def _has_device(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """The certificate has a contribution of a device that meets `condition`."""
    return exists().where(
        CertificateContribution.certificate_id == Certificate.id,
        Device.id == CertificateContribution.device_id,
        condition,
    )


def _page(
    session: Session, query: Select[tuple[Certificate]], filters: CertificateFilter
) -> tuple[list[Certificate], int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Certificate.window_start.desc(), Certificate.country_code, Certificate.id)
        .limit(filters.size)
        .offset((filters.page - 1) * filters.size)
    )
    return list(rows), total


def buyer_certificates(session: Session, actor: Actor, filters: CertificateFilter) -> Listed:
    """The organization's certificates with every device's contribution and what its accounts own of each."""
    organization = session.get_one(Organization, actor.organization_id)
    query = _filtered(select(Certificate).where(visible_to(organization)), filters)
    certificates, total = _page(session, query, filters)
    token_ids = [c.token_id for c in certificates]
    owned, claimed = owned_wh(session, organization, token_ids), claimed_wh(session, organization, token_ids)
    state = standards.states(session, certificates)
    items = [
        _read(c, _contributions(session, c.id, None), owned.get(c.token_id, 0)).model_copy(
            update={"claimed_wh": claimed.get(c.token_id, 0), "standard": state[c.id]}
        )
        for c in certificates
    ]
    return Listed(items, total)


def visible_to(organization: Organization) -> ColumnElement[bool]:
    """Certificates of the organization's reservations, and those its accounts hold or claimed."""
    addresses = organization.holding_addresses
    return or_(
        Certificate.beneficiary_organization_id == organization.id,
        Certificate.token_id.in_(select(TokenBalance.token_id).where(TokenBalance.holder.in_(addresses))),
        Certificate.token_id.in_(select(TokenClaim.token_id).where(TokenClaim.holder.in_(addresses))),
    )


def owned_wh(session: Session, organization: Organization, token_ids: list[str]) -> dict[str, int]:
    """Token id → Wh held by the organization's accounts (managed and bound), as indexed."""
    balance = TokenBalance
    return _by_token(session, balance.token_id, balance.holder, balance.balance_wh, organization, token_ids)


def claimed_wh(session: Session, organization: Organization, token_ids: list[str]) -> dict[str, int]:
    """Token id → Wh the organization's accounts claimed (retired), as indexed."""
    return _by_token(session, TokenClaim.token_id, TokenClaim.holder, TokenClaim.claimed_wh, organization, token_ids)


def _by_token(
    session: Session,
    token: InstrumentedAttribute[str],
    holder: InstrumentedAttribute[str],
    wh: InstrumentedAttribute[int],
    organization: Organization,
    token_ids: list[str],
) -> dict[str, int]:
    rows = session.execute(
        select(token, func.sum(wh))
        .where(token.in_(token_ids), holder.in_(organization.holding_addresses))
        .group_by(token)
    )
    return {token_id: int(total) for token_id, total in rows}


def developer_certificates(session: Session, actor: Actor, filters: CertificateFilter) -> Listed:
    """Certificates that include the actor's devices, showing only those devices' contributions and volume."""
    own = _has_device(Device.organization_id == actor.organization_id)
    certificates, total = _page(session, _filtered(select(Certificate).where(own), filters), filters)
    items = []
    for certificate in certificates:
        contributions = _contributions(session, certificate.id, actor.organization_id)
        read = _read(certificate, contributions)
        items.append(read.model_copy(update={"volume_wh": sum(c.energy_wh for c in contributions)}))
    return Listed(items, total)


def _contributions(session: Session, certificate_id: uuid.UUID, owner: uuid.UUID | None) -> list[ContributionRead]:
    query = (
        select(CertificateContribution, Device.external_id, Device.timezone)
        .join(Device, Device.id == CertificateContribution.device_id)
        .where(CertificateContribution.certificate_id == certificate_id)
        .order_by(Device.external_id)
    )
    if owner is not None:
        query = query.where(Device.organization_id == owner)
    return [
        ContributionRead.model_validate(contribution).model_copy(
            update={"external_id": external_id, "timezone": timezone}
        )
        for contribution, external_id, timezone in session.execute(query)
    ]


def _read(certificate: Certificate, contributions: list[ContributionRead], owned: int | None = None) -> CertificateRead:
    fields = {
        name: getattr(certificate, name) for name in CertificateRead.model_fields if name in Certificate.__table__.c
    }
    return CertificateRead.model_validate({**fields, "contributions": contributions, "owned_wh": owned})


def buyer_certificate(session: Session, actor: Actor, certificate_id: uuid.UUID) -> Certificate:
    """One of the organization's certificates (see `visible_to`); another organization's is 'not found'."""
    organization = session.get_one(Organization, actor.organization_id)
    certificate = session.scalars(
        select(Certificate).where(Certificate.id == certificate_id, visible_to(organization))
    ).one_or_none()
    if certificate is None:
        raise CertificateNotFound("No such certificate in your organization.")
    return certificate


def certificate_read(session: Session, certificate: Certificate, actor: Actor | None = None) -> CertificateRead:
    """A certificate with every contribution, and with what `actor`'s organization owns of it when given."""
    read = _read(certificate, _contributions(session, certificate.id, None))
    if actor is None:
        return read
    organization = session.get_one(Organization, actor.organization_id)
    owned = owned_wh(session, organization, [certificate.token_id]).get(certificate.token_id, 0)
    return read.model_copy(
        update={"owned_wh": owned, "standard": standards.states(session, [certificate])[certificate.id]}
    )
