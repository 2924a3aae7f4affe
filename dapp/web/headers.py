"""Security headers on every response, pages and API alike (ADR 0082).

The Content-Security-Policy admits scripts and styles from this site only: the pages hold no inline script,
style or event handler (their behaviour is in `static/app.js`; htmx's indicator rules are in `app.css`), so an
injected one would not run. No site may frame a page (clickjacking); no response is sniffed into another type;
a link to another site does not carry the page's address (invitation links hold tokens). HSTS only when the
platform is served over HTTPS, since it would lock a plain-HTTP development server out of the browser.
"""

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def init_app(app: Flask, served_over_https: bool) -> None:
    """Add the security headers to every response of `app` (HSTS when it is served over HTTPS)."""

    def add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if served_over_https or request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        return response

    app.after_request(add_headers)
