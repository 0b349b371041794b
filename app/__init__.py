"""Jobtab: an embeddable job and training tab for public institutions."""
from pathlib import Path

from flask import Flask

from app import config as config_module


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config_module.defaults(app.instance_path))
    if test_config is None:
        app.config.update(config_module.from_environment())
    else:
        app.config.update(test_config)
    config_module.finalise(app.config, app.instance_path)

    from app import db
    from app.search import index  # noqa: F401  (fills the search columns on every ORM write)
    from app.web import errors, filters, i18n, security

    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    filters.init_app(app)

    from app.api.views import bp as api_bp
    from app.embed.views import bp as embed_bp
    from app.web.views import bp as web_bp

    app.register_blueprint(web_bp)
    app.register_blueprint(embed_bp)
    app.register_blueprint(api_bp)

    from app import accounts, apply

    apply.init_app(app)
    accounts.init_app(app)

    from app import recruiters

    recruiters.init_app(app)

    from app.catalog.cli import catalog_cli, reference_cli
    from app.dedup.cli import dedup_cli
    from app.demo.cli import demo_cli
    from app.demo.host import host_command
    from app.ingest.cli import feeds_cli
    from app.migrate import db_cli
    from app.search.cli import search_cli

    demo_cli.add_command(host_command)
    for group in (db_cli, reference_cli, catalog_cli, demo_cli, search_cli):
        app.cli.add_command(group)
    app.cli.add_command(feeds_cli)
    app.cli.add_command(dedup_cli)

    from app.mail.cli import outbox_cli

    app.cli.add_command(outbox_cli)

    from app import admin
    from app.admin.cli import admin_cli

    admin.init_app(app)
    app.cli.add_command(admin_cli)
    return app
