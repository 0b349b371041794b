"""French first, English available: ?lang= in the URL, then the browser's preference.

The choice travels in the URL (every link keeps ?lang=), not in a cookie: inside a
cross-site iframe cookies may be blocked.
"""
from flask import current_app, g, has_request_context, request, url_for
from flask_babel import Babel, get_locale, get_translations


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    requested = request.args.get("lang")
    if requested in languages:
        return requested
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


ASSET_ENDPOINTS = {"static", "embed.theme", "web.widget_asset"}


def keep_language_in_links(endpoint, values):
    requested = request.args.get("lang") if has_request_context() else None
    if requested in current_app.config["LANGUAGES"] and endpoint not in ASSET_ENDPOINTS:
        values.setdefault("lang", requested)


def current_url(**changes) -> str:
    """This page's URL with some query arguments changed (None removes one)."""
    arguments = {**request.args.to_dict(), **changes}
    arguments = {name: value for name, value in arguments.items() if value is not None}
    return url_for(request.endpoint, **(request.view_args or {}), **arguments)


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def request_translations():
    """This request's catalogue, looked up once per locale: Flask-Babel finds the catalogue
    through its context proxies for every string (≈ 50 strings on a results page, a tenth of
    its rendering time). Keyed by the locale object, so `force_locale` (e-mails rendered in
    the recipient's language) still gets its own catalogue."""
    if not has_request_context():
        return get_translations()
    locale = get_locale()
    remembered = g.get("_translations")
    if remembered is None or remembered[0] is not locale:
        remembered = g._translations = (locale, get_translations())
    return remembered[1]


def init_app(app) -> None:
    Babel(app, locale_selector=select_locale)
    # Templates translate through request_translations (same catalogue as Flask-Babel's own).
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: request_translations().ugettext(string),
        ngettext=lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: request_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: request_translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    app.url_defaults(keep_language_in_links)
    app.jinja_env.globals.update(current_url=current_url, current_language=current_language)
