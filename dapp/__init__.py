"""The D-REC registry web application (pages and JSON API)."""

from flask import Flask

from dapp import platform as platform_module
from dapp.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask application for `settings` (read from the environment when omitted)."""
    settings = settings or Settings()
    settings.check_production_safety()
    platform = platform_module.install(platform_module.Platform(settings))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )
    app.extensions["drec.platform"] = platform
    from dapp.web import setup

    setup.init_app(app)
    return app
