"""OpenID Connect providers through Authlib, configured by discovery URL.

OIDC_PROVIDERS maps a short name to {"label", "discovery_url", "client_id", "client_secret"}
(from the environment as JSON: secrets never live in the repository or the database). Every
provider gets its own callback URL (mix-up defence, RFC 9700 §4.4), PKCE S256, and a nonce
(Authlib adds one since the scope holds "openid"); the ID token's issuer, audience, expiry
and nonce are checked by Authlib against the provider's metadata.
"""
from authlib.integrations.flask_client import OAuth
from flask import current_app

SCOPE = "openid email profile"  # only what the form needs: name and e-mail


def init_app(app) -> None:
    oauth = OAuth(app)
    for name, provider in (app.config.get("OIDC_PROVIDERS") or {}).items():
        oauth.register(
            name,
            client_id=provider["client_id"],
            client_secret=provider.get("client_secret"),
            server_metadata_url=provider["discovery_url"],
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": 10},
        )
    app.extensions["jobtab_oauth"] = oauth


def providers() -> dict[str, dict]:
    return current_app.config.get("OIDC_PROVIDERS") or {}


def client(name: str):
    """The provider's Authlib client, or None when no such provider is configured."""
    if name not in providers():
        return None
    return current_app.extensions["jobtab_oauth"].create_client(name)
