"""The emails with single-use links are sent by jobs that make the token themselves (ADR 0063): the token never
travels through Redis, and an account that no longer needs the email gets none."""

from sqlalchemy import select

from dapp import platform
from dapp.accounts.jobs import send_confirmation_job, send_invitation_job, send_password_reset_job
from dapp.models.accounts import User
from tests.factories.accounts import make_org, signed_in
from tests.support.journeys import register
from tests.support.mailbox import link_tokens, messages_to
from tests.support.workers import deliver_emails


def _email_jobs() -> list[tuple[str, tuple]]:
    return [(job.description, job.args) for job in platform.current().queue("email").get_jobs()]


def _user_id(email: str) -> str:
    with platform.current().db.unit_of_work() as session:
        return str(session.scalars(select(User.id).where(User.email == email)).one())


def test_sign_up_queues_the_confirmation_by_user_id_only(app) -> None:
    register(app.test_client(), "developer", "Org", "dev@example.org")
    assert _email_jobs() == [("accounts.send_confirmation", (_user_id("dev@example.org"),))]


def test_an_account_confirmed_meanwhile_gets_no_confirmation_email(app, settings) -> None:
    org = make_org("Org")  # confirmed already
    assert send_confirmation_job(_user_id(org.email)) is False
    assert messages_to(settings.mail_dir, org.email) == []


def test_a_reset_job_run_twice_sends_two_links_and_only_the_last_works(app, settings) -> None:
    org = make_org("Org")
    user_id = _user_id(org.email)
    assert send_password_reset_job(user_id)
    assert send_password_reset_job(user_id)
    first, last = link_tokens(settings.mail_dir, org.email, "/reset-password")
    client = app.test_client()
    body = {"password": "a new long passphrase", "password_confirmation": "a new long passphrase"}
    assert client.post("/api/v1/password-resets", json={**body, "token": first}).status_code == 422
    assert client.post("/api/v1/password-resets", json={**body, "token": last}).status_code == 200


def test_a_revoked_invitation_gets_no_email(app, settings) -> None:
    admin = signed_in(app, make_org("Org").email)
    invitation = admin.api("POST", "/api/v1/invitations", {"first_name": "Nia", "last_name": "M", "email": "n@x.org"})
    assert admin.api("DELETE", f"/api/v1/invitations/{invitation.json['id']}").status_code == 200
    deliver_emails()
    assert send_invitation_job(invitation.json["id"]) is False
    assert messages_to(settings.mail_dir, "n@x.org") == []
