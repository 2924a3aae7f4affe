"""The public register (R-REG-1): issued (minted) certificates with what is retired of them, filtered by
country, technology, generation period, reservation and status, and totals by country and vintage. Retired
volumes come from indexed claims; organizations appear by name only, and nothing personal is listed."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, extract, func, or_, select
from sqlalchemy.orm import Session

from dapp.models.accounts import Organization
from dapp.models.chain import TokenClaim
from dapp.models.devices import Device
from dapp.models.issuance import Certificate, CertificateContribution, CertificateStatus
from dapp.verify.schemas import RegisterFilter

RETIRED = (
    select(TokenClaim.token_id, func.sum(TokenClaim.claimed_wh).label("retired_wh"))
    .group_by(TokenClaim.token_id)
    .subquery()
)
RETIRED_WH = func.coalesce(RETIRED.c.retired_wh, 0)


@dataclass(frozen=True)
class Listed:
    items: list[dict[str, Any]]
    total: int


def listing(session: Session, filters: RegisterFilter, base_url: str) -> Listed:
    query = _filtered(select(Certificate, RETIRED_WH, Organization.name), filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(Certificate.generation_start.desc(), Certificate.token_id)
    rows = session.execute(page.offset((filters.page - 1) * filters.size).limit(filters.size)).all()
    details = _devices(session, [certificate.id for certificate, _retired, _name in rows])
    return Listed([_row(c, int(retired), name, details, base_url) for c, retired, name in rows], total)


def totals(session: Session, filters: RegisterFilter) -> list[dict[str, Any]]:
    vintage = extract("year", Certificate.generation_start).label("vintage")
    query = select(
        Certificate.country_code, vintage, func.count(), func.sum(Certificate.volume_wh), func.sum(RETIRED_WH)
    )
    query = (
        _filtered(query, filters)
        .group_by(Certificate.country_code, vintage)
        .order_by(Certificate.country_code, vintage)
    )
    return [
        {
            "country_code": country,
            "vintage": int(year),
            "certificates": count,
            "issued_wh": int(issued),
            "retired_wh": int(retired),
        }
        for country, year, count, issued, retired in session.execute(query)
    ]


def _filtered(query: Select[Any], f: RegisterFilter) -> Select[Any]:
    query = (
        query.outerjoin(RETIRED, RETIRED.c.token_id == Certificate.token_id)
        .join(Organization, Organization.id == Certificate.beneficiary_organization_id)
        .where(Certificate.status == CertificateStatus.MINTED)
    )
    conditions = []
    if f.country:
        conditions.append(Certificate.country_code == f.country.upper())
    if f.technology:
        conditions.append(_uses(f.technology))
    if f.date_from:
        conditions.append(Certificate.generation_end > datetime.combine(f.date_from, time(), UTC))
    if f.date_to:
        conditions.append(Certificate.generation_start < datetime.combine(f.date_to, time(), UTC) + timedelta(days=1))
    if f.reservation:
        conditions.append(Certificate.reservation_id == f.reservation)
    if f.status:
        conditions.append(_status(f.status))
    return query.where(and_(*conditions)) if conditions else query


def _uses(technology: str) -> Any:
    return exists().where(
        CertificateContribution.certificate_id == Certificate.id,
        Device.id == CertificateContribution.device_id,
        or_(Device.fuel_code == technology, Device.device_type_code == technology),
    )


def _status(status: str) -> Any:
    return {
        "held": RETIRED_WH == 0,
        "retired": Certificate.volume_wh <= RETIRED_WH,
        "partly_retired": and_(RETIRED_WH > 0, Certificate.volume_wh > RETIRED_WH),
    }[status]


def _devices(session: Session, certificate_ids: list[Any]) -> dict[Any, tuple[set[str], set[str]]]:
    """Per certificate: its technologies (fuel and device type codes) and its developers' names."""
    found: dict[Any, tuple[set[str], set[str]]] = {}
    rows = session.execute(
        select(CertificateContribution.certificate_id, Device.fuel_code, Device.device_type_code, Organization.name)
        .join(Device, Device.id == CertificateContribution.device_id)
        .join(Organization, Organization.id == Device.organization_id)
        .where(CertificateContribution.certificate_id.in_(certificate_ids))
    )
    for certificate_id, fuel, device_type, developer in rows:
        technologies, developers = found.setdefault(certificate_id, (set(), set()))
        technologies.update((fuel, device_type))
        developers.add(developer)
    return found


def _row(c: Certificate, retired: int, beneficiary: str, details: dict[Any, Any], base_url: str) -> dict[str, Any]:
    technologies, developers = details.get(c.id, (set(), set()))
    status = "held" if retired == 0 else "retired" if retired >= c.volume_wh else "partly_retired"
    return {
        "token_id": c.token_id,
        "country_code": c.country_code,
        "technologies": sorted(technologies),
        "generation_start": c.generation_start,
        "generation_end": c.generation_end,
        "volume_wh": c.volume_wh,
        "retired_wh": retired,
        "status": status,
        "reservation_id": str(c.reservation_id),
        "beneficiary": beneficiary,
        "developers": sorted(developers),
        "verify_url": f"{base_url.rstrip('/')}/verify/certificates/{c.token_id}",
    }
