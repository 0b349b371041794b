"""Gunicorn settings, read by `gunicorn wsgi:app` from this folder (workers and binding come
from the command line or GUNICORN_CMD_ARGS).

The app is loaded once in the master process and its search indexes warmed there, so forked
workers answer their first search at once (see app/search/warm.py). A code change therefore
needs a restart, not a HUP.
"""
preload_app = True


def when_ready(server):
    from app.search.warm import warm_caches
    from wsgi import app

    if warm_caches(app):
        server.log.info("search indexes loaded before forking the workers")
