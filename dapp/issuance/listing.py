"""Certificate lists: the buyer's certificates (R-ISS-7) and the developer's certified reads (R-READ-12)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from dapp.accounts.permissions import Actor
from dapp.devices.models import Device
from dapp.errors import NotFound
from dapp.issuance.models import Certificate, CertificateContribution
from dapp.issuance.schemas import CertificateFilter, CertificateRead, ContributionRead


@dataclass
class Listed:
    items: list[CertificateRead]
    total: int


def _filtered(query: Select, filters: CertificateFilter) -> Select:
    if filters.country:
        query = query.where(Certificate.country_code == filters.country.upper())
    if filters.off_taker:
        query = query.where(
            exists().where(
                CertificateContribution.certificate_id == Certificate.id,
                Device.id == CertificateContribution.device_id,
                Device.off_taker == filters.off_taker,
            )
        )
    if filters.date_from:
        query = query.where(Certificate.generation_end > datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        day_after = datetime.combine(filters.date_to + timedelta(days=1), time(), UTC)
        query = query.where(Certificate.generation_start < day_after)
    return query


def _page(session: Session, query: Select, filters: CertificateFilter) -> tuple[list[Certificate], int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Certificate.window_start.desc(), Certificate.country_code, Certificate.id)
        .limit(filters.size)
        .offset((filters.page - 1) * filters.size)
    )
    return list(rows), total


def buyer_certificates(session: Session, actor: Actor, filters: CertificateFilter) -> Listed:
    """Certificates whose beneficiary is the actor's organization, with every device's contribution."""
    query = _filtered(
        select(Certificate).where(Certificate.beneficiary_organization_id == actor.organization_id), filters
    )
    certificates, total = _page(session, query, filters)
    return Listed([_read(c, _contributions(session, c.id, None)) for c in certificates], total)


def developer_certificates(session: Session, actor: Actor, filters: CertificateFilter) -> Listed:
    """Certificates that include the actor's devices, showing only those devices' contributions and volume."""
    own = exists().where(
        CertificateContribution.certificate_id == Certificate.id,
        Device.id == CertificateContribution.device_id,
        Device.organization_id == actor.organization_id,
    )
    certificates, total = _page(session, _filtered(select(Certificate).where(own), filters), filters)
    items = []
    for certificate in certificates:
        contributions = _contributions(session, certificate.id, actor.organization_id)
        read = _read(certificate, contributions)
        items.append(read.model_copy(update={"volume_wh": sum(c.energy_wh for c in contributions)}))
    return Listed(items, total)


def _contributions(session: Session, certificate_id: uuid.UUID, owner: uuid.UUID | None) -> list[ContributionRead]:
    query = (
        select(CertificateContribution, Device.external_id)
        .join(Device, Device.id == CertificateContribution.device_id)
        .where(CertificateContribution.certificate_id == certificate_id)
        .order_by(Device.external_id)
    )
    if owner is not None:
        query = query.where(Device.organization_id == owner)
    return [
        ContributionRead.model_validate(contribution).model_copy(update={"external_id": external_id})
        for contribution, external_id in session.execute(query)
    ]


def _read(certificate: Certificate, contributions: list[ContributionRead]) -> CertificateRead:
    fields = {name: getattr(certificate, name) for name in CertificateRead.model_fields if name != "contributions"}
    return CertificateRead.model_validate({**fields, "contributions": contributions})


def buyer_certificate(session: Session, actor: Actor, certificate_id: uuid.UUID) -> Certificate:
    """One of the actor's certificates; another organization's is 'not found'."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None or certificate.beneficiary_organization_id != actor.organization_id:
        raise NotFound("No such certificate in your organization.", code="certificate_not_found")
    return certificate


def certificate_read(session: Session, certificate: Certificate) -> CertificateRead:
    return _read(certificate, _contributions(session, certificate.id, None))
