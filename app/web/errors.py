"""Error pages: plain, translated, never a traceback. Inside the widget they keep its tabs."""
from flask import g, render_template
from werkzeug.exceptions import HTTPException, InternalServerError


def render_error(error: HTTPException):
    template = "embed/error.html" if g.get("tenant") is not None else "web/error.html"
    return render_template(template, error=error), error.code


def render_unexpected(error: Exception):
    return render_error(InternalServerError())


def init_app(app) -> None:
    app.register_error_handler(HTTPException, render_error)
    if not app.config.get("TESTING"):
        app.register_error_handler(Exception, render_unexpected)
