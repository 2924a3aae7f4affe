"""`drec admin create`: the only way a platform admin comes to exist (never by sign-up)."""

import argparse
import getpass
import sys
from typing import Any

from pydantic import ValidationError

from dapp import platform
from dapp.admin.schemas import PlatformAdminCreate
from dapp.admin.service import accounts
from dapp.errors import DomainError


def add_commands(commands: Any) -> None:
    """Add `admin create` to the `drec` command's subparsers."""
    admin = commands.add_parser("admin", help="platform admins").add_subparsers(dest="action", required=True)
    create = admin.add_parser("create", help="create a platform admin (asks for the password twice)")
    create.add_argument("--email", required=True)
    create.add_argument("--first-name", required=True)
    create.add_argument("--last-name", required=True)
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin instead")
    create.set_defaults(handler=create_admin)


def create_admin(args: argparse.Namespace) -> None:
    p = platform.current()
    try:
        data = PlatformAdminCreate(
            email=args.email, first_name=args.first_name, last_name=args.last_name, password=_new_password(args)
        )
        with p.db.unit_of_work() as session:
            user = accounts.create_platform_admin(session, p.clock.now(), data)
            print(f"Platform admin {user.email} created ({user.id}).")
    except ValidationError as error:
        raise SystemExit(f"drec admin create: {error}") from error
    except DomainError as error:
        raise SystemExit(f"drec admin create: {error.detail}") from error


def _new_password(args: argparse.Namespace) -> str:
    """From stdin (--password-stdin), else typed twice at a prompt; never on the command line."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Repeat the password: "):
        raise SystemExit("drec admin create: the passwords differ.")
    return password
