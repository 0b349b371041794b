"""A small but real OAuth 2 server shaped like Facebook Login, on 127.0.0.1 in a thread.

The endpoints and answers follow Facebook's "manually build a login flow" documentation:
the login dialog (/v21.0/dialog/oauth: the user is signed in and consents), the code
exchange (/v21.0/oauth/access_token, by GET or POST, with client_id, client_secret,
redirect_uri, code and the PKCE code_verifier; single-use codes), and the Graph API (/v21.0/me?fields=…, which
demands a valid appsecret_proof, as an app with "Require App Secret" does). Errors come in
Graph's shape ({"error": {"message", "type", "code"}}). Tests change `user` to play someone
else, or drop "email" as for an account opened with a phone number.
"""
import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from werkzeug.serving import make_server

APP_ID = "1234567890"
APP_SECRET = "facebook-test-app-secret"
VERSION = "v21.0"


def graph_error(message: str, code: int = 100, status: int = 400, kind: str = "OAuthException"):
    return jsonify(error={"message": message, "type": kind, "code": code}), status


@dataclass
class FacebookGrant:
    redirect_uri: str
    code_challenge: str
    user: dict


@dataclass
class FacebookProvider:
    user: dict = field(default_factory=lambda: {"id": "10229876543210", "name": "Camille Martin",
                                                "email": "camille.martin@example.org"})
    codes: dict[str, FacebookGrant] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)
    dialog_requests: list[dict] = field(default_factory=list)
    graph_requests: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self.app = Flask("test_facebook")
        self.app.add_url_rule(f"/{VERSION}/dialog/oauth", view_func=self.dialog)
        self.app.add_url_rule(f"/{VERSION}/oauth/access_token", view_func=self.access_token, methods=["GET", "POST"])
        self.app.add_url_rule(f"/{VERSION}/me", view_func=self.me)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def graph_url(self) -> str:
        return f"{self.base}/{VERSION}/"

    @property
    def authorize_url(self) -> str:
        return f"{self.base}/{VERSION}/dialog/oauth"

    def start(self) -> "FacebookProvider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def dialog(self):
        arguments = request.args.to_dict()
        self.dialog_requests.append(arguments)
        if arguments.get("client_id") != APP_ID or not arguments.get("redirect_uri") or not arguments.get("state"):
            return graph_error("Invalid App ID or redirect_uri")
        if arguments.get("code_challenge_method") != "S256" or not arguments.get("code_challenge"):
            return graph_error("code_challenge required")
        code = secrets.token_urlsafe(24)
        self.codes[code] = FacebookGrant(arguments["redirect_uri"], arguments["code_challenge"], dict(self.user))
        return redirect(arguments["redirect_uri"] + "?" + urlencode({"code": code, "state": arguments["state"]}))

    def access_token(self):
        arguments = request.form if request.method == "POST" else request.args
        if (arguments.get("client_id"), arguments.get("client_secret")) != (APP_ID, APP_SECRET):
            return graph_error("Error validating client secret.", code=1)
        grant = self.codes.pop(arguments.get("code", ""), None)  # single use
        if grant is None or grant.redirect_uri != arguments.get("redirect_uri"):
            return graph_error("This authorization code has been used.", code=100)
        verifier = arguments.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant.code_challenge:
            return graph_error("Invalid code verifier", code=100)
        token = secrets.token_urlsafe(32)
        self.tokens[token] = grant.user
        return jsonify(access_token=token, token_type="bearer", expires_in=5183944)

    def me(self):
        self.graph_requests.append(request.args.to_dict())
        token = request.args.get("access_token") or request.headers.get("Authorization", "").removeprefix("Bearer ")
        user = self.tokens.get(token)
        if user is None:
            return graph_error("Invalid OAuth access token.", code=190, status=401)
        expected = hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.args.get("appsecret_proof", ""), expected):
            return graph_error("Invalid appsecret_proof provided in the API argument", kind="GraphMethodException")
        fields = request.args.get("fields", "id").split(",")
        return jsonify({name: user[name] for name in fields if name in user})
