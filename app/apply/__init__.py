"""Applying to an offer: leave for the partner's site (counted), or the plain form (no account)."""


def init_app(app) -> None:
    from app.apply import limits, services, views

    limits.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.followup)
    app.jinja_env.filters["accepts_applications"] = services.accepts_applications
