"""`flask --app wsgi admin …`: institution staff accounts.

    admin create --tenant SLUG --email E [--role admin|moderator] [--password-stdin]
    admin set-password --email E [--password-stdin]
    admin deactivate --email E

The password is never an argument (it would show in `ps` and in the shell's history): it is
asked twice on the terminal, or read from the first line of standard input.
"""
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app import db
from app.admin import services
from app.admin.models import STAFF_ROLES
from app.tenants.services import get_tenant

admin_cli = AppGroup("admin", help="Institution staff accounts (admins and moderators).")


def hasher():
    return services.password_hasher(**current_app.config["STAFF_PASSWORD_HASHING"])


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        services.check_new_password(password)
    except services.StaffError as error:
        raise click.ClickException(str(error)) from None
    return password


@admin_cli.command("create")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(STAFF_ROLES), default="admin", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_command(slug, email, role, password_stdin):
    """Create a staff account (the first admin of a tenant, typically)."""
    tenant = get_tenant(db.session, slug)
    if tenant is None:
        raise click.BadParameter(f"no tenant {slug!r}", param_hint="--tenant")
    password = read_password(password_stdin)
    try:
        staff = services.create_staff(db.session, tenant, email, password, role, hasher())
    except services.StaffError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{staff.role} {staff.email} created for {tenant.slug}")


@admin_cli.command("set-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def set_password_command(email, password_stdin):
    """Change a staff member's password (their sessions end)."""
    staff = services.find_staff(db.session, email)
    if staff is None:
        raise click.BadParameter(f"no staff account {email!r}", param_hint="--email")
    services.set_password(db.session, staff, read_password(password_stdin), hasher())
    db.session.commit()
    click.echo(f"password of {staff.email} changed")


@admin_cli.command("deactivate")
@click.option("--email", required=True)
def deactivate_command(email):
    """Stop a staff account from signing in (its sessions end at once)."""
    staff = services.find_staff(db.session, email)
    if staff is None:
        raise click.BadParameter(f"no staff account {email!r}", param_hint="--email")
    staff.is_active = False
    services.end_sessions(db.session, staff)
    db.session.commit()
    click.echo(f"{staff.email} deactivated")
