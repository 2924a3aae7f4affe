"""The signed retirement statement of a claim, as HTML facts and as a PDF, with a QR code to verification.

fpdf (with fontTools) is imported when a PDF is made, not with the application: every web worker,
RQ worker and the scheduler imports this module, few ever write a PDF (about a quarter of the web application's
import time, issue 21 item 6)."""

import io
from dataclasses import dataclass, field
from typing import Any

import segno

from dapp.chain.accounts import sign_text
from dapp.ipfs import canonical_json

LABELS = [
    ("claimant", "Claimed by"),
    ("beneficiary", "Beneficiary"),
    ("location", "Location"),
    ("country", "Country"),
    ("consumption_period", "Consumption period"),
    ("purpose", "Purpose"),
    ("volume_wh", "Volume (Wh)"),
    ("token_id", "Certificate token id"),
    ("issuer", "Issuer"),
    ("standard", "Standard"),
    ("generation_period", "Generation period"),
    ("generation_country", "Generation country"),
    ("devices", "Generating devices"),
    ("claim_tx_hash", "Claim transaction"),
    ("claimed_at", "Claimed at"),
    ("recorded_on_chain_at", "Recorded on chain at (block time)"),
]


@dataclass(frozen=True)
class Statement:
    facts: dict[str, Any]
    signer: str
    signature: str
    title: str = "D-REC retirement statement"
    labels: list[tuple[str, str]] = field(default_factory=lambda: LABELS)

    @property
    def rows(self) -> list[tuple[str, str]]:
        return [(label, _text(self.facts[key])) for key, label in self.labels]

    def qr_svg(self) -> str:
        return segno.make(self.facts["verify_url"], error="m").svg_inline(scale=4)


def signed(
    facts: dict[str, Any],
    platform_key: str,
    title: str = "D-REC retirement statement",
    labels: list[tuple[str, str]] = LABELS,
) -> Statement:
    """The statement signed by the platform (EIP-191 over its canonical JSON), so anyone can check it."""
    signer, signature = sign_text(platform_key, canonical_json(facts))
    return Statement(facts, signer, signature, title, labels)


def _text(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):  # the devices
        return "; ".join(_device(d) for d in value)
    if isinstance(value, list):
        return " – ".join(str(v) for v in value)
    return "—" if value is None else str(value)


def pdf(statement: Statement) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", "B", 18)
    document.cell(0, 12, statement.title, new_x="LMARGIN", new_y="NEXT")
    document.set_font("Helvetica", size=10)
    for label, value in statement.rows:
        document.set_font("Helvetica", "B", 10)
        document.cell(55, 7, label)
        document.set_font("Helvetica", size=10)
        document.multi_cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    document.ln(4)
    document.multi_cell(
        0,
        6,
        _latin1(
            f"Signed by the registry {statement.signer} (EIP-191 over the canonical "
            f"JSON of these facts): {statement.signature}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    document.image(_qr_png(statement.facts["verify_url"]), w=40)
    document.multi_cell(0, 6, _latin1(f"Verify: {statement.facts['verify_url']}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6)
    buffer.seek(0)
    return buffer


def _latin1(text: str) -> str:
    """The PDF core fonts cover Latin-1; anything else is replaced visibly rather than dropped."""
    return text.replace("–", "-").encode("latin-1", "replace").decode("latin-1")


def _device(device: dict[str, Any]) -> str:
    where = f"{device['location']}, " if device["location"] else ""
    return (
        f"{device['name']} ({where}{device['country']}): {device['technology']}, {device['capacity_kw']} kW, "
        f"commissioned {device['commissioning_date']}"
    )
