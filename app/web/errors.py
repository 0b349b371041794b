"""Error pages: plain, translated, never a traceback. Inside the widget they keep its tabs."""
from flask import g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError


def render_error(error: HTTPException):
    if request.path.startswith("/api/"):  # the JSON API answers JSON, even for a wrong path
        return jsonify(error=error.name), error.code
    template = "embed/error.html" if g.get("tenant") is not None else "web/error.html"
    return render_template(template, error=error), error.code


def render_unexpected(error: Exception):
    return render_error(InternalServerError())


def init_app(app) -> None:
    app.register_error_handler(HTTPException, render_error)
    if not app.config.get("TESTING"):
        app.register_error_handler(Exception, render_unexpected)
