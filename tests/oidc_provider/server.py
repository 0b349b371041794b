"""A small but real OpenID Connect provider for tests, served on 127.0.0.1 in a thread.

Discovery, JWKS (ES256), authorize (the user is already signed in and consents), token
(authorization code, single use, PKCE S256 checked, client secret checked by HTTP Basic or in
the body), userinfo and end-session (RP-initiated logout).
Tests change `provider.user` or `provider.id_token_issuer` to play other users or a provider
that lies about who it is. `franceconnect_mode` plays FranceConnect v2: the ID token holds no
name or e-mail, and userinfo answers a JWT signed with the provider's key
(`userinfo_signer` set to another key, or `userinfo_subject` to someone else, plays a forgery).
"""
import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
from werkzeug.serving import make_server

CLIENT_ID = "jobtab-test"
CLIENT_SECRET = "jobtab-test-secret"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str
    user: dict


@dataclass
class TestProvider:
    user: dict = field(default_factory=lambda: {"sub": "user-1", "name": "Camille Martin",
                                                "email": "camille.martin@example.org"})
    id_token_issuer: str | None = None  # None: the true issuer
    codes: dict[str, Grant] = field(default_factory=dict)
    authorize_requests: list[dict] = field(default_factory=list)
    franceconnect_mode: bool = False
    userinfo_signer: ECKey | None = None  # None: the provider's own key
    userinfo_subject: str | None = None  # None: the user's
    access_tokens: dict[str, dict] = field(default_factory=dict)
    logout_requests: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self.key = ECKey.generate_key("P-256", parameters={"kid": "test-key-1", "use": "sig", "alg": "ES256"})
        self.app = self.make_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def start(self) -> "TestProvider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def make_app(self) -> Flask:
        app = Flask("test_oidc_provider")
        app.add_url_rule("/.well-known/openid-configuration", view_func=self.discovery)
        app.add_url_rule("/jwks", view_func=self.jwks)
        app.add_url_rule("/authorize", view_func=self.authorize)
        app.add_url_rule("/token", view_func=self.token, methods=["POST"])
        app.add_url_rule("/userinfo", view_func=self.userinfo)
        app.add_url_rule("/logout", view_func=self.logout)
        return app

    def discovery(self):
        return jsonify(
            issuer=self.issuer,
            authorization_endpoint=self.issuer + "/authorize",
            token_endpoint=self.issuer + "/token",
            userinfo_endpoint=self.issuer + "/userinfo",
            jwks_uri=self.issuer + "/jwks",
            end_session_endpoint=self.issuer + "/logout",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["ES256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            scopes_supported=["openid", "email", "profile"],
        )

    def jwks(self):
        return jsonify(KeySet([self.key]).as_dict(private=False))

    def authorize(self):
        arguments = request.args.to_dict()
        self.authorize_requests.append(arguments)
        if arguments.get("client_id") != CLIENT_ID or arguments.get("response_type") != "code":
            abort(400)
        if arguments.get("code_challenge_method") != "S256" or not arguments.get("code_challenge"):
            abort(400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(CLIENT_ID, arguments["redirect_uri"], arguments.get("nonce"),
                                 arguments["code_challenge"], dict(self.user))
        return redirect(arguments["redirect_uri"] + "?" + urlencode({"code": code, "state": arguments["state"]}))

    def token(self):
        if request.authorization is not None:
            credentials = (request.authorization.username, request.authorization.password)
        else:
            credentials = (request.form.get("client_id"), request.form.get("client_secret"))
        if credentials != (CLIENT_ID, CLIENT_SECRET):
            return jsonify(error="invalid_client"), 401
        grant = self.codes.pop(request.form.get("code", ""), None)  # single use: a replay finds nothing
        if grant is None or grant.redirect_uri != request.form.get("redirect_uri"):
            return jsonify(error="invalid_grant"), 400
        verifier = request.form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant.code_challenge:
            return jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
        now = int(time.time())
        about = {"sub": grant.user["sub"]} if self.franceconnect_mode else grant.user
        claims = {"iss": self.id_token_issuer or self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  **about}
        if grant.nonce:
            claims["nonce"] = grant.nonce
        id_token = jwt.encode({"alg": "ES256", "kid": self.key.kid}, claims, self.key)
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = grant.user
        return jsonify(access_token=access_token, token_type="Bearer", expires_in=300, id_token=id_token)

    def userinfo(self):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        user = self.access_tokens.get(token)
        if user is None:
            return jsonify(error="invalid_token"), 401
        if not self.franceconnect_mode:
            return jsonify(user)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 60, **user,
                  "sub": self.userinfo_subject or user["sub"]}
        signer = self.userinfo_signer or self.key
        body = jwt.encode({"alg": "ES256", "kid": self.key.kid}, claims, signer)
        return body, 200, {"Content-Type": "application/jwt"}

    def logout(self):
        arguments = request.args.to_dict()
        self.logout_requests.append(arguments)
        return redirect(arguments["post_logout_redirect_uri"] + "?" + urlencode({"state": arguments["state"]}))
