"""A page audit in Chromium: follow the links a role can see, and check every page reached at a phone's and a
laptop's width for horizontal overflow and for serious or critical axe-core violations.

One browser context per role; each page is loaded once and resized, so the run stays bounded by the number of
distinct pages (one address per route, the first one found)."""

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from flask import Flask
from playwright.sync_api import Page
from werkzeug.exceptions import HTTPException

AXE_SOURCE = (Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js").read_text()
WIDTHS = (390, 1366)
SERIOUS = ("serious", "critical")

# Routes a crawl does not open: downloads, fragments fetched by htmx, the server's own probes, third-party UI.
NOT_PAGES = frozenset(
    {
        "static",
        "docs.vendor",
        "docs.swagger_ui",
        "docs.openapi",
        "health.healthz",
        "health.readyz",
        "accounts.download_personal_data",
        "accounts.logout",
        "devices.export_devices",
        "devices.timezone_options",
        "devices.upload_progress",
        "devices.upload_accepted_values",
        "devices.upload_template",
        "devices.project_image",
        "discovery.well_known",
        "gateway.document",
        "issuance.export_certificates",
        "issuance.claim_statement_pdf",
        "irec.redemption_statement_pdf",
        "metrics.metrics_view",
        "notify.unread_badge",
        "reads.export_reads",
        "reads.timezone_field",
        "reads.upload_template",
    }
)
# Pages reached from a link in an email (they need its token), not from the navigation.
FROM_EMAILS = frozenset({"accounts.confirm_email", "accounts.reset_password", "accounts.respond_to_invitation"})

OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const widest = [...document.body.querySelectorAll('*')]
    .filter(e => e.checkVisibility() && !e.closest('.scroll') && e.getBoundingClientRect().right > root.clientWidth + 1)
    .map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className : ''));
  return {scroll: root.scrollWidth, client: root.clientWidth, elements: widest.slice(0, 5)};
}"""

# Buttons that destroy or shut something off: styled as dangerous and confirmed before they are sent.
UNSAFE_BUTTONS = """() => [...document.querySelectorAll('main button, main input[type=submit]')]
  .filter(b => /\\b(delete|disable|remove|revoke|end reservation)\\b/i.test(b.textContent + ' ' + (b.value || '')))
  .filter(b => !/\\b(danger|link-danger)\\b/.test(b.className)
               || !(b.dataset.confirm || (b.form && b.form.dataset.confirm)) && !location.pathname.endsWith('/delete'))
  .map(b => b.getAttribute('aria-label') || b.textContent.trim())"""
SET_MENUS = "open => document.querySelectorAll('details.menu').forEach(menu => { menu.open = open; })"

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                      target: v.nodes.slice(0, 2).map(n => n.target.join(' '))}));
}"""


@dataclass
class Finding:
    role: str
    path: str
    width: int
    problem: str
    nodes: int = 1

    def __str__(self) -> str:
        return f"{self.role} {self.path} @{self.width}px: {self.problem}"


@dataclass
class Audit:
    """What a crawl found: the routes each role reached, the links its navigation shows, and the problems."""

    app: Flask
    base: str
    reached: dict[str, set[str]] = field(default_factory=dict)
    navigation: dict[str, set[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    pages_checked: int = 0

    def endpoint(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.netloc != urlsplit(self.base).netloc or parts.path.startswith("/api/"):
            return None
        try:
            endpoint, _ = self.app.url_map.bind("localhost").match(parts.path, method="GET")
        except HTTPException:
            return None
        return endpoint

    def crawl(self, role: str, page: Page, starts: list[str]) -> None:
        """Open every route the role's links lead to (one address per route) and check it at each width."""
        reached = self.reached.setdefault(role, set())
        queue = deque(f"{self.base}{start}" for start in starts)
        while queue:
            url = queue.popleft()
            endpoint = self.endpoint(url)
            if endpoint is None or endpoint in NOT_PAGES or endpoint in reached:
                continue
            reached.add(endpoint)
            response = page.goto(url)
            assert response is not None, f"{role} {url}: no response"
            assert response.ok, f"{role} {url}: {response.status}"
            self._check(role, page, urlsplit(url).path)
            if not self.navigation.get(role):
                self.navigation[role] = self._endpoints(page, "header nav a[href]")
            queue.extend(self._links(page))

    def _links(self, page: Page) -> list[str]:
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        return [urljoin(page.url, href).split("#")[0] for href in hrefs]

    def _endpoints(self, page: Page, selector: str) -> set[str]:
        hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
        return {endpoint for href in hrefs if (endpoint := self.endpoint(href))}

    def _check(self, role: str, page: Page, path: str) -> None:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_load_state("networkidle")
            self.pages_checked += 1
            overflow = page.evaluate(OVERFLOW)
            if overflow:
                problem = f"overflows ({overflow['scroll']} > {overflow['client']} px: {overflow['elements']})"
                self.findings.append(Finding(role, path, width, problem))
            if width == min(WIDTHS):
                self._check_open_menus(role, page, path, width)
            for button in page.evaluate(UNSAFE_BUTTONS):
                problem = f"destructive button {button!r} not marked or not confirmed"
                self.findings.append(Finding(role, path, width, problem))
            if page.evaluate("() => typeof axe") == "undefined":
                page.evaluate(AXE_SOURCE)  # through the DevTools protocol, which the page's CSP does not govern
            for violation in page.evaluate(AXE_RUN):
                if violation["impact"] in SERIOUS:
                    problem = (
                        f"axe {violation['impact']} {violation['id']} ({violation['help']}) at {violation['target']}"
                    )
                    self.findings.append(Finding(role, path, width, problem, violation["nodes"]))

    def _check_open_menus(self, role: str, page: Page, path: str, width: int) -> None:
        """Every navigation menu open at once still fits the screen."""
        page.evaluate(SET_MENUS, True)
        overflow = page.evaluate(OVERFLOW)
        if overflow:
            self.findings.append(Finding(role, path, width, f"open menus overflow ({overflow['elements']})"))
        page.evaluate(SET_MENUS, False)

    def pages(self) -> set[str]:
        """Every page route of the app, those reached from emails aside."""
        rules = self.app.url_map.iter_rules()
        pages = {r.endpoint for r in rules if "GET" in (r.methods or ()) and not r.rule.startswith("/api/")}
        return pages - NOT_PAGES - FROM_EMAILS
