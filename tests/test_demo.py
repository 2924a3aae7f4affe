"""`drec demo seed` (run by `make up`): the demo accounts and device, made once, ready to sign in."""

from sqlalchemy import func, select

from dapp import demo, platform
from dapp.models.accounts import User
from dapp.models.devices import Device
from tests.support.journeys import sign_in
from tests.support.mailbox import messages_to


def test_seeding_twice_makes_the_demo_accounts_and_device_once(app) -> None:
    assert demo.seed() == demo.seed() == demo.login_lines()
    with platform.current().db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 2
        [device] = session.scalars(select(Device))
        assert (device.external_id, device.country_code, device.timezone) == ("DEMO-SHS-001", "KEN", "Africa/Nairobi")


def test_the_demo_accounts_sign_in_at_once_and_get_no_confirmation_email(app, settings) -> None:
    demo.seed()
    for email, _, _ in (demo.DEVELOPER, demo.BUYER):
        assert sign_in(app.test_client(), email, demo.PASSWORD).status_code == 302
        assert messages_to(settings.mail_dir, email) == []
