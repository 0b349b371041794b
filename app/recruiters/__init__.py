"""Recruiters with no web site: post an offer, prove the e-mail address, manage offers and applications."""


def init_app(app) -> None:
    from app.recruiters import cli, labels, limits, views

    limits.init_app(app)
    labels.init_app(app)
    app.register_blueprint(views.posting_bp)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.recruiters_cli)
