"""Pages of issuance: the buyer's certificates (filters, CSV, explanation), the developer's certified reads and
gas-fee statement."""

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from pydantic import BaseModel
from werkzeug.wrappers import Response as WerkzeugResponse

from dapp import codes, platform
from dapp.access.permissions import Actor, Module, Permission, require
from dapp.chain import keystore
from dapp.issuance import labels, statement
from dapp.issuance.schemas import CertificateFilter, CertificateRead, ClaimCreate, TransferCreate
from dapp.issuance.service import claims, custody, explain, listing, transfers
from dapp.issuance.service.gas import gas_statement
from dapp.web.pages import Failed, PageCall, attempt, clean_form, page, parse_form
from dapp.web.query import page_link, query_args, uuid_arg, with_query

bp = Blueprint("issuance", __name__)
bp.add_app_template_filter(labels.holding_state, "holding_state")
bp.add_app_template_filter(labels.standard_state, "standard_state")
CSV_COLUMNS = [
    "certificate_id",
    "token_id",
    "country",
    "generation_start_utc",
    "generation_end_utc",
    "volume_wh",
    "owned_wh",
    "status",
    "standard_state",
    "mint_tx_hash",
    "device_external_id",
    "device_wh",
]


@bp.get("/certificates")
@page(Module.CERTIFICATES, Permission.READ)
def list_certificates(call: PageCall[Actor]) -> str:
    filters = query_args(CertificateFilter)
    listed = listing.buyer_certificates(call.session, call.actor, filters)
    return _certificates_page(listed, filters, "Certificates", "issuance.list_certificates")


def _certificates_page(listed: listing.Listed, filters: CertificateFilter, title: str, endpoint: str) -> str:
    sdgs = [(code, f"{code} {name}") for code, name in codes.SDGS.items()]
    return render_template(
        "issuance/certificates.html",
        listed=listed,
        filters=filters,
        off_takers=codes.OFF_TAKERS,
        sdgs=sdgs,
        standard_states=list(labels.STANDARD_STATES.items()),
        title=title,
        endpoint=endpoint,
        page_link=page_link,
        export_link=with_query(url_for("issuance.export_certificates")),
    )


@bp.get("/certificates/export.csv")
@page(Module.CERTIFICATES, Permission.READ)
def export_certificates(call: PageCall[Actor]) -> Response:
    filters = query_args(CertificateFilter).model_copy(update={"page": 1, "size": 200})
    rows: list[CertificateRead] = []
    while True:
        listed = listing.buyer_certificates(call.session, call.actor, filters)
        rows += listed.items
        if len(rows) >= listed.total or not listed.items:
            break
        filters = filters.model_copy(update={"page": filters.page + 1})
    return Response(
        _csv(rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=certificates.csv"},
    )


def _csv(certificates: list[CertificateRead]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in certificates:
        for k in c.contributions:
            writer.writerow(
                [
                    c.id,
                    c.token_id,
                    c.country_code,
                    c.generation_start.isoformat(),
                    c.generation_end.isoformat(),
                    c.volume_wh,
                    c.owned_wh,
                    c.status,
                    c.standard.state if c.standard else "",
                    c.mint_tx_hash or "",
                    k.external_id,
                    k.energy_wh,
                ]
            )
    return out.getvalue()


@bp.get("/certificates/<uuid:certificate_id>/explanation")
@page(Module.CERTIFICATES, Permission.READ)
def explain_certificate(call: PageCall[Actor], certificate_id: uuid.UUID) -> str:
    certificate = listing.buyer_certificate(call.session, call.actor, certificate_id)
    device = request.args.get("device_id")
    explanation = explain.explain(call.session, certificate, uuid_arg("device_id", device) if device else None)
    return render_template("issuance/explanation.html", explanation=explanation)


@bp.get("/certified-reads")
@page(Module.METER_READS, Permission.READ)
def certified_reads(call: PageCall[Actor]) -> str:
    filters = query_args(CertificateFilter)
    listed = listing.developer_certificates(call.session, call.actor, filters)
    return _certificates_page(listed, filters, "Certified reads", "issuance.certified_reads")


@dataclass(frozen=True)
class HeldPage:
    """A page listing one kind of custodial operation of a certificate, with the form that requests one."""

    template: str
    schema: type[BaseModel]
    request: Callable[..., object]
    listed: Callable[..., list[Any]]
    done: str


CLAIMS = HeldPage(
    "issuance/claims.html",
    ClaimCreate,
    claims.request_claim,
    claims.claims_of,
    "Claim recorded; it is written on chain within a minute, then its statement is ready.",
)
TRANSFERS = HeldPage(
    "issuance/transfers.html",
    TransferCreate,
    transfers.request_transfer,
    transfers.transfers_of,
    "Transfer recorded; it is sent on chain within a minute and shows as transferred once indexed.",
)


@bp.route("/certificates/<uuid:certificate_id>/claims", methods=["GET", "POST"])
@page(Module.CERTIFICATES, Permission.READ)
def certificate_claims(call: PageCall[Actor], certificate_id: uuid.UUID) -> tuple[str, int] | WerkzeugResponse:
    return _held_operation_page(call, certificate_id, CLAIMS)


@bp.route("/certificates/<uuid:certificate_id>/transfers", methods=["GET", "POST"])
@page(Module.CERTIFICATES, Permission.READ)
def certificate_transfers(call: PageCall[Actor], certificate_id: uuid.UUID) -> tuple[str, int] | WerkzeugResponse:
    return _held_operation_page(call, certificate_id, TRANSFERS)


def _held_operation_page(
    call: PageCall[Actor], certificate_id: uuid.UUID, kind: HeldPage
) -> tuple[str, int] | WerkzeugResponse:
    certificate = listing.buyer_certificate(call.session, call.actor, certificate_id)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        require(call.actor, Module.CERTIFICATES, Permission.UPDATE)
        values = clean_form()
        now = platform.current().clock.now()
        requested = attempt(
            call.session,
            lambda: kind.request(call.session, call.actor, now, certificate.id, parse_form(kind.schema, values)),
        )
        if not isinstance(requested, Failed):
            flash(kind.done, "success")
            return redirect(request.path)
        errors, status = requested.field_errors, requested.status
    return render_template(
        kind.template,
        certificate=listing.certificate_read(call.session, certificate, call.actor),
        operations=kind.listed(call.session, call.actor, certificate.id),
        custody=custody.custody_of(call.session, call.actor, certificate),
        values=values,
        errors=errors,
    ), status


@bp.get("/claims/<uuid:claim_id>/statement")
@page(Module.CERTIFICATES, Permission.READ)
def claim_statement(call: PageCall[Actor], claim_id: uuid.UUID) -> str:
    return render_template("issuance/statement.html", statement=_statement(call, claim_id))


def _statement(call: PageCall[Actor], claim_id: uuid.UUID) -> statement.Statement:
    settings = platform.current().settings
    return claims.signed_statement(
        call.session, call.actor, claim_id, settings.base_url, keystore.platform_key(settings)
    )


@bp.get("/claims/<uuid:claim_id>/statement.pdf")
@page(Module.CERTIFICATES, Permission.READ)
def claim_statement_pdf(call: PageCall[Actor], claim_id: uuid.UUID) -> Response:
    document = statement.pdf(_statement(call, claim_id))
    return Response(
        document,
        content_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=retirement-{claim_id}.pdf"},
    )


@bp.get("/gas-fees")
@page(Module.CERTIFICATES, Permission.READ)
def gas_fees(call: PageCall[Actor]) -> str:
    charges = gas_statement(call.session, call.actor.organization_id)
    return render_template("issuance/gas_fees.html", charges=charges, total=sum(c.gas for c in charges))
