"""Applicants who sign in with an OpenID Connect provider: one-click apply and their space."""


def init_app(app) -> None:
    from app.accounts import oidc, views

    oidc.init_app(app)
    app.register_blueprint(views.bp)
