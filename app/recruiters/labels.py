"""Words shown for a posting's and an application's state."""
from flask_babel import lazy_gettext as _l

POSTING_STATUS_NAMES = {
    "draft": _l("brouillon"),
    "unverified": _l("en attente de confirmation de l'adresse"),
    "pending": _l("en attente de relecture"),
    "published": _l("en ligne"),
    "rejected": _l("refusée"),
    "closed": _l("fermée"),
    "expired": _l("expirée"),
}
APPLICATION_STATUS_NAMES = {
    "received": _l("à traiter"),
    "interview": _l("entretien proposé"),
    "rejected": _l("non retenue"),
    "withdrawn": _l("retirée par le candidat"),
}


def init_app(app) -> None:
    app.jinja_env.globals.update(
        posting_status_name=lambda status: POSTING_STATUS_NAMES.get(status, status),
        application_status_name=lambda status: APPLICATION_STATUS_NAMES.get(status, status),
    )
