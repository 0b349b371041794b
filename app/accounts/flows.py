"""The OAuth state of a sign-in: random, and signed with what the callback needs to start the
sign-in again if the session that holds the state is lost (which provider, where to go next,
for which tenant). Authlib still checks the state against the session: the signature alone
never signs anyone in."""
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from app.apply import tokens

STATE_SALT = "jobtab.accounts.state"
STATE_LIFETIME = timedelta(hours=1)  # as long as Authlib keeps the state in the session


@dataclass(frozen=True)
class Flow:
    """Which provider, then where, for which tenant (None: the applicant's own space)."""
    provider: str
    next_url: str
    tenant: str | None


def signed_state(flow: Flow) -> str:
    return tokens.serializer(STATE_SALT).dumps({"r": secrets.token_urlsafe(32), "p": flow.provider,
                                                "n": flow.next_url, "t": flow.tenant})


def read_state(state: str | None, provider: str, safe_next: Callable[[str | None], str]) -> Flow | None:
    """The flow a genuine state describes, for this provider only (mix-up defence); else None."""
    try:
        payload = tokens.load(STATE_SALT, state, STATE_LIFETIME)
    except (tokens.TokenExpired, tokens.TokenInvalid):
        return None
    if not isinstance(payload, dict) or payload.get("p") != provider:
        return None
    tenant = payload.get("t")
    return Flow(provider=provider, next_url=safe_next(payload.get("n")),
                tenant=tenant if isinstance(tenant, str) else None)
