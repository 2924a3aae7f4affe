"""Server-side sessions (R-ACC-3, issue 18 item 4): the cookie carries only a random token; sign-out, "sign out
everywhere", a new password, disabling and anonymisation end sessions at once, for every copy of the cookie."""

from datetime import timedelta

from sqlalchemy import select

from dapp import platform
from dapp.access.sessions import IDLE_LIMIT
from dapp.accounts.schemas import PasswordReset
from dapp.accounts.service.credentials import reset_password
from dapp.accounts.tokens import RESET_TTL, issue_email_token
from dapp.models.accounts import TokenPurpose, User, UserSession
from tests.factories.accounts import PASSWORD, make_org, make_platform_admin, signed_in
from tests.support.journeys import Member

OPERATOR = "operator@platform.example"


def _copy(member: Member, app):
    """Another browser holding a copy of the member's session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", member.client.get_cookie("session").value)
    return thief


def _works(client) -> bool:
    status = client.get("/api/v1/organization").status_code
    assert status in (200, 401)
    return status == 200


def test_the_cookie_carries_a_random_token_and_nothing_of_the_user(app, settings) -> None:
    org = make_org("Org")
    member = signed_in(app, org.email)
    data = app.session_interface.get_signing_serializer(app).loads(member.client.get_cookie("session").value)
    assert str(org.actor.user_id) not in str(data)
    assert org.email not in str(data)
    assert len(data["_user_id"]) >= 40  # a 256-bit random token


def test_a_copy_of_the_cookie_stops_working_at_sign_out(app, settings) -> None:
    org = make_org("Org")
    member = signed_in(app, org.email)
    thief = _copy(member, app)
    assert _works(thief)
    member.form("/logout", {})
    assert not _works(member.client)
    assert not _works(thief)


def test_signing_out_everywhere_ends_every_session_of_the_person_only(app, settings) -> None:
    org, other = make_org("Org"), make_org("Other")
    here, there, stranger = signed_in(app, org.email), signed_in(app, org.email), signed_in(app, other.email)
    response = here.form("/account/sessions/end-all", {})
    assert response.status_code == 302
    assert (_works(here.client), _works(there.client), _works(stranger.client)) == (False, False, True)


def test_the_sessions_page_lists_live_sessions_and_ends_one(app, settings) -> None:
    org = make_org("Org")
    here, there = signed_in(app, org.email), signed_in(app, org.email)
    page = here.client.get("/account/sessions").get_data(as_text=True)
    main = page[page.index("<main") :]  # the navigation's own "Sign out" is not a session's
    assert main.count("Sign out</button>") == 1  # the other session; this one is marked instead
    assert "(this session)" in page
    with platform.current().db.unit_of_work() as session:
        rows = session.scalars(select(UserSession).where(UserSession.user_id == org.actor.user_id)).all()
        other_id = next(row.id for row in rows if f"/account/sessions/{row.id}/end" in page)
    assert here.form(f"/account/sessions/{other_id}/end", {}).status_code == 302
    assert (_works(here.client), _works(there.client)) == (True, False)
    again = here.form(f"/account/sessions/{other_id}/end", {})
    assert again.status_code == 404


def test_a_password_reset_ends_every_session(app, settings) -> None:
    org = make_org("Org")
    member = signed_in(app, org.email)
    with platform.current().db.unit_of_work() as session:
        user = session.get_one(User, org.actor.user_id)
        token = issue_email_token(session, platform.current().clock.now(), user, TokenPurpose.RESET_PASSWORD, RESET_TTL)
        new = "a quiet river at dawn"
        reset_password(
            session, platform.current().clock.now(), PasswordReset(token=token, password=new, password_confirmation=new)
        )
    assert not _works(member.client)


def test_disabling_ends_sessions_for_good_even_once_enabled_again(app, settings) -> None:
    org = make_org("Org")
    member = signed_in(app, org.email)
    make_platform_admin(OPERATOR)
    admin = signed_in(app, OPERATOR)
    user_id = org.actor.user_id
    assert admin.api("POST", f"/api/v1/admin/users/{user_id}/disable").status_code == 200
    assert admin.api("POST", f"/api/v1/admin/users/{user_id}/enable").status_code == 200
    assert not _works(member.client)
    organization_id = org.actor.organization_id
    member = signed_in(app, org.email)
    assert admin.api("POST", f"/api/v1/admin/organizations/{organization_id}/disable").status_code == 200
    assert admin.api("POST", f"/api/v1/admin/organizations/{organization_id}/enable").status_code == 200
    assert not _works(member.client)


def test_anonymisation_ends_every_session(app, settings) -> None:
    org = make_org("Org")
    here, there = signed_in(app, org.email), signed_in(app, org.email)
    assert here.form("/account/delete", {"password": PASSWORD}).status_code == 302
    with platform.current().db.unit_of_work() as session:
        live = session.scalars(select(UserSession).where(UserSession.ended_at.is_(None))).all()
    assert live == []
    assert not _works(there.client)


def test_an_idle_session_ends_by_itself(app, settings) -> None:
    org = make_org("Org")
    member = signed_in(app, org.email)
    clock = platform.current().clock
    clock.set(clock.now() + IDLE_LIMIT - timedelta(minutes=1))
    assert _works(member.client)  # use keeps it alive
    clock.set(clock.now() + IDLE_LIMIT + timedelta(minutes=1))
    assert not _works(member.client)
