"""Institution staff: sign-in, moderation queue, partner sources, the team, tenant settings (/admin)."""


def init_app(app) -> None:
    from app.admin import views

    views.init_app(app)
