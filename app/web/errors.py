"""Error pages: plain, translated, never a traceback."""
from flask import render_template
from werkzeug.exceptions import HTTPException, InternalServerError


def render_error(error: HTTPException):
    return render_template("web/error.html", error=error), error.code


def render_unexpected(error: Exception):
    return render_error(InternalServerError())


def init_app(app) -> None:
    app.register_error_handler(HTTPException, render_error)
    if not app.config.get("TESTING"):
        app.register_error_handler(Exception, render_unexpected)
