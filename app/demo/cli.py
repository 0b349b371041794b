"""`flask --app wsgi demo …`: demo tenants and offers from the real partner feeds."""
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data and the demo host page.")
