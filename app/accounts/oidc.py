"""Identity providers through Authlib: OpenID Connect by discovery URL, and Facebook Login.

OIDC_PROVIDERS maps a short name to {"label", "discovery_url", "client_id", "client_secret"}
(from the environment as JSON: secrets never live in the repository or the database). Every
provider gets its own callback URL (mix-up defence, RFC 9700 §4.4), PKCE S256, and a nonce
(Authlib adds one since the scope holds "openid"); the ID token's issuer, audience, expiry
and nonce are checked by Authlib against the provider's metadata.

Facebook Login is OAuth 2, not OpenID Connect: {"kind": "facebook", "label", "client_id",
"client_secret"} (the app id and secret), optionally "graph_url" and "authorize_url" (a
pinned Graph API version, or a test server). Its code is exchanged with PKCE S256, then the
profile is read from the Graph API `/me?fields=id,name,email` with `appsecret_proof` (the
HMAC-SHA256 of the access token under the app secret, which Facebook can require so that a
stolen token is useless without the secret). The identity is (https://www.facebook.com,
app-scoped user id).

FranceConnect is OpenID Connect with its own rules: {"kind": "franceconnect", "label",
"discovery_url", "client_id", "client_secret"}. Its ID token carries no name or address: they
come from the userinfo endpoint, which FranceConnect v2 answers with a signed JWT (verified
here against the provider's JWKS, its issuer, audience and subject). It asks for the eIDAS
level (acr_values=eidas1) and the claims it names (given_name, family_name, email). Signing
out of our site signs out of FranceConnect too (its rule): the end-session endpoint gets the
ID token as id_token_hint and a state, and sends the user back to our sign-in page.

Some providers refuse to sign in inside the embedded web views of social apps (Google answers
`disallowed_useragent`): "blocks_webviews": true says so (the default for accounts.google.com);
pages then put the plain form first and offer to open the page in the system browser.
"""
import hashlib
import hmac
from urllib.parse import urljoin, urlsplit

from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

SCOPE = "openid email profile"  # only what the form needs: name and e-mail
FACEBOOK_SCOPE = "public_profile email"
FACEBOOK_ISSUER = "https://www.facebook.com"
FACEBOOK_GRAPH_URL = "https://graph.facebook.com/v21.0/"
FACEBOOK_AUTHORIZE_URL = "https://www.facebook.com/v21.0/dialog/oauth"
FRANCECONNECT_SCOPE = "openid given_name family_name email"
USERINFO_ALGORITHMS = ["ES256", "RS256"]  # what FranceConnect v2 signs with
WEBVIEW_REFUSING_HOSTS = ("accounts.google.com",)


class ProfileRefused(Exception):
    """The provider's answer about the user is unusable (no subject, an API error)."""


def init_app(app) -> None:
    oauth = OAuth(app)
    for name, provider in (app.config.get("OIDC_PROVIDERS") or {}).items():
        if provider.get("kind") == "facebook":
            graph = provider.get("graph_url", FACEBOOK_GRAPH_URL)
            oauth.register(
                name,
                client_id=provider["client_id"],
                client_secret=provider["client_secret"],
                authorize_url=provider.get("authorize_url", FACEBOOK_AUTHORIZE_URL),
                access_token_url=urljoin(graph, "oauth/access_token"),
                api_base_url=graph,
                client_kwargs={"scope": FACEBOOK_SCOPE, "code_challenge_method": "S256",
                               "token_endpoint_auth_method": "client_secret_post", "timeout": 10},
            )
        elif provider.get("kind") == "franceconnect":
            oauth.register(
                name,
                client_id=provider["client_id"],
                client_secret=provider["client_secret"],
                server_metadata_url=provider["discovery_url"],
                authorize_params={"acr_values": provider.get("acr_values", "eidas1")},
                client_kwargs={"scope": FRANCECONNECT_SCOPE, "code_challenge_method": "S256",
                               "token_endpoint_auth_method": "client_secret_post", "timeout": 10},
            )
        else:
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


def providers_for(tenant) -> dict[str, dict]:
    """The providers a tenant offers: all of them when its list is None, else only those named
    (in the configuration's order; a name that is not configured is ignored)."""
    configured = providers()
    if tenant is None or tenant.identity_providers is None:
        return configured
    allowed = set(tenant.identity_providers)
    return {name: provider for name, provider in configured.items() if name in allowed}


def is_openid(name: str) -> bool:
    return providers()[name].get("kind", "oidc") != "facebook"


def blocks_webviews(provider: dict) -> bool:
    if "blocks_webviews" in provider:
        return bool(provider["blocks_webviews"])
    return (urlsplit(provider.get("discovery_url") or "").hostname or "") in WEBVIEW_REFUSING_HOSTS


def client(name: str):
    """The provider's Authlib client, or None when no such provider is configured."""
    if name not in providers():
        return None
    return current_app.extensions["jobtab_oauth"].create_client(name)


def exchange_code(name: str) -> dict:
    """The callback's code for tokens (the state and PKCE checked by Authlib). Facebook's
    token endpoint takes the same parameters by POST (client_secret_post) as by GET."""
    return client(name).authorize_access_token()


def kind(name: str) -> str:
    return providers()[name].get("kind", "oidc")


def identity_claims(name: str, token: dict) -> dict:
    """{"iss", "sub", "name", "email"} of the signed-in user."""
    if kind(name) == "facebook":
        return facebook_profile(name, token)
    claims = dict(token["userinfo"])  # the ID token's claims, checked by Authlib
    if kind(name) == "franceconnect":
        extra = userinfo(name, token, claims["sub"])
        given, family = extra.get("given_name") or "", extra.get("family_name") or ""
        claims.update(name=f"{given} {family}".strip(), email=extra.get("email") or "")
    return claims


def userinfo(name: str, token: dict, subject: str) -> dict:
    """The userinfo endpoint's claims, from JSON or from a signed JWT (FranceConnect v2): the
    signature, issuer and audience are checked, and the subject must be the ID token's."""
    provider = client(name)
    metadata = provider.load_server_metadata()
    response = provider.get(metadata["userinfo_endpoint"], token=token)
    if response.status_code != 200:
        raise ProfileRefused(f"userinfo answered HTTP {response.status_code}")
    if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
        try:
            keys = KeySet.import_key_set(provider.fetch_jwk_set())
            claims = jwt.decode(response.text.strip(), keys, algorithms=USERINFO_ALGORITHMS).claims
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": metadata["issuer"]},
                                  aud={"essential": True, "value": provider.client_id}).validate(claims)
        except (JoseError, ValueError) as error:
            raise ProfileRefused(f"userinfo JWT refused: {error}") from None
    else:
        claims = response.json()
    if not isinstance(claims, dict) or claims.get("sub") != subject:
        raise ProfileRefused("userinfo is about someone else")
    return claims


def logs_out_at_provider(name: str | None) -> bool:
    return name in providers() and kind(name) == "franceconnect"


def logout_url(name: str, id_token: str, state: str, back_to: str) -> str:
    """The provider's end-session URL (RP-initiated logout) with id_token_hint and state."""
    return client(name).create_logout_url(post_logout_redirect_uri=back_to, id_token_hint=id_token, state=state)["url"]


def appsecret_proof(access_token: str, app_secret: str) -> str:
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def facebook_profile(name: str, token: dict) -> dict:
    secret = providers()[name]["client_secret"]
    response = client(name).get("me", token=token, params={
        "fields": "id,name,email", "appsecret_proof": appsecret_proof(token["access_token"], secret)})
    if response.status_code != 200:
        raise ProfileRefused(f"Graph API answered HTTP {response.status_code}")
    profile = response.json()
    if not isinstance(profile, dict) or not isinstance(profile.get("id"), str) or not profile["id"]:
        raise ProfileRefused("Graph API gave no user id")
    return {"iss": FACEBOOK_ISSUER, "sub": profile["id"], "name": profile.get("name") or "",
            "email": profile.get("email") or ""}
