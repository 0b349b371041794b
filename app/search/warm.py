"""Load the search's in-memory reference indexes (35,000 communes, 13,120 job titles) before a
server takes traffic, so the first visitor of each worker does not wait seconds for them.

gunicorn.conf.py calls `warm_caches` in the master process (preload_app): the forked workers
inherit the loaded indexes instead of each building its own on its first search.
"""
import logging

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app import db
from app.search.occupations import occupation_index
from app.search.places import gazetteer

log = logging.getLogger(__name__)


def warm_caches(app: Flask) -> bool:
    """True when both indexes are loaded; False (and a warning) on a database without reference
    data yet: the workers then load them on first use, as before."""
    with app.app_context():
        try:
            gazetteer(db.session)
            occupation_index(db.session)
            return True
        except SQLAlchemyError as error:
            log.warning("search indexes not preloaded (%s); workers will load them on first use", error)
            return False
        finally:
            db.session.remove()
            # No connection may cross the fork: each worker opens its own.
            app.extensions["sqlalchemy_engine"].dispose()
