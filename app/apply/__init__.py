"""Applying to an offer: leave for the partner's site (counted), or the plain form (no account)."""


RETENTION_DEFAULTS = {
    # Days after the end of the recruitment (the notice says 3 months), and the upper bound
    # when no end is ever recorded (the CNIL's 2 years); the CV access log's retention.
    "APPLICATION_RETENTION_DAYS": 90,
    "APPLICATION_MAX_AGE_DAYS": 730,
    "CV_ACCESS_LOG_RETENTION_DAYS": 365,
}


def init_app(app) -> None:
    from app.apply import limits, services, views
    from app.apply.cli import apply_cli

    for name, days in RETENTION_DEFAULTS.items():
        app.config.setdefault(name, days)
    # The form's POST may be this big (the site-wide MAX_CONTENT_LENGTH stays): a CV over 5 MB
    # is then read, refused by the form with the values kept, instead of a bare 413.
    app.config.setdefault("APPLY_MAX_REQUEST_BYTES", 32 * 1024 * 1024)
    app.cli.add_command(apply_cli)
    limits.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.followup)
    app.jinja_env.filters["accepts_applications"] = services.accepts_applications
    app.jinja_env.filters["source_page_url"] = services.source_page_url
