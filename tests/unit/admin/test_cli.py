"""`flask admin create` and friends: the password never goes on the command line."""
from sqlalchemy import select

from app.admin import services
from app.admin.models import StaffUser
from tests.unit.admin.conftest import PASSWORD, hasher


def staff(db_session, email):
    db_session.expire_all()
    return db_session.scalar(select(StaffUser).where(StaffUser.email == email))


def test_create_the_first_admin_with_the_password_on_stdin(app, db_session, tenant):
    result = app.test_cli_runner().invoke(
        args=["admin", "create", "--tenant", "ara", "--email", "Directrice@Region.example.org", "--password-stdin"],
        input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "admin directrice@region.example.org created for ara" in result.output
    created = staff(db_session, "directrice@region.example.org")
    assert created.role == "admin" and created.tenant_id == tenant.id and created.is_active
    assert created.password_hash.startswith("$argon2id$")
    assert hasher().verify(created.password_hash, PASSWORD)


def test_create_asks_the_password_twice_on_the_terminal(app, db_session, tenant):
    result = app.test_cli_runner().invoke(
        args=["admin", "create", "--tenant", "ara", "--email", "modo@region.example.org", "--role", "moderator"],
        input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input
    assert staff(db_session, "modo@region.example.org").role == "moderator"


def test_there_is_no_password_option(app):
    result = app.test_cli_runner().invoke(args=["admin", "create", "--help"])
    assert "--password-stdin" in result.output
    assert "--password " not in result.output and "--password=" not in result.output


def test_create_refuses_bad_input(app, db_session, tenant):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["admin", "create", "--tenant", "nope", "--email", "a@b.fr", "--password-stdin"],
                            input=PASSWORD + "\n")
    assert unknown.exit_code != 0 and "no tenant 'nope'" in unknown.output
    short = runner.invoke(args=["admin", "create", "--tenant", "ara", "--email", "a@b.fr", "--password-stdin"],
                          input="court\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    not_email = runner.invoke(args=["admin", "create", "--tenant", "ara", "--email", "nobody", "--password-stdin"],
                              input=PASSWORD + "\n")
    assert not_email.exit_code != 0 and "not an e-mail address" in not_email.output
    runner.invoke(args=["admin", "create", "--tenant", "ara", "--email", "a@b.fr", "--password-stdin"],
                  input=PASSWORD + "\n")
    again = runner.invoke(args=["admin", "create", "--tenant", "ara", "--email", "A@B.fr", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already uses a@b.fr" in again.output


def test_set_password_and_deactivate_end_sessions(app, db_session, admin):
    token = admin.session_token
    runner = app.test_cli_runner()
    new_password = "another long passphrase"
    result = runner.invoke(args=["admin", "set-password", "--email", admin.email, "--password-stdin"],
                           input=new_password + "\n")
    assert result.exit_code == 0, result.output
    changed = staff(db_session, admin.email)
    assert changed.session_token != token
    assert services.authenticate(db_session, admin.email, new_password, hasher(), changed.created_at) is not None
    result = runner.invoke(args=["admin", "deactivate", "--email", admin.email])
    assert result.exit_code == 0, result.output
    assert staff(db_session, admin.email).is_active is False


def test_production_hashing_parameters_are_argon2id_defaults():
    """RFC 9106's second recommended option, as argon2-cffi ships it: 64 MiB, 3 passes, 4 lanes."""
    hashed = services.password_hasher().hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
