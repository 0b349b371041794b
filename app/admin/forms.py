"""Staff forms (Flask-WTF: every POST carries the session's CSRF token).

Messages are French msgids translated with Flask-Babel; the settings form gets what it checks
against (the reference tables, the configured identity providers) passed in.
"""
import re

from flask_babel import format_decimal, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.admin import services
from app.admin.models import STAFF_ROLES
from app.recruiters.models import MODERATION_POLICIES

MAX_REASON = 2000
CSRF_MESSAGE = _l("Le formulaire a expiré ou ne vient pas de cette page. Vérifiez les valeurs puis envoyez-le à nouveau.")


class StaffForm(FlaskForm):
    """Errors in the order of the form, for the GOV.UK error summary (field id, message)."""

    @property
    def ordered_errors(self) -> list[tuple[str, str]]:
        errors = []
        for field in self:
            if field.errors:
                if field.name == "csrf_token":
                    errors.append(("main", str(CSRF_MESSAGE)))
                else:
                    errors.append((field.id, str(field.errors[0])))
        return errors


class ActionForm(StaffForm):
    """A button that changes something: only the CSRF token (sign-out, approve, team actions)."""


class SignInForm(StaffForm):
    email = StringField(_l("Adresse e-mail"), validators=[DataRequired(_l("Saisissez votre adresse e-mail."))])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe."))])


class RejectForm(StaffForm):
    reason = TextAreaField(
        _l("Motif du refus"),
        validators=[
            DataRequired(_l("Saisissez le motif du refus : il est envoyé au recruteur.")),
            Length(max=MAX_REASON, message=_l("Le motif ne doit pas dépasser 2 000 caractères.")),
        ],
    )


ROLE_OPTIONS = [
    ("moderator", _l("Modérateur : modère les offres et consulte les sources")),
    ("admin", _l("Administrateur : en plus, règle les paramètres et gère l'équipe")),
]


class InviteForm(StaffForm):
    email = StringField(_l("Adresse e-mail"), validators=[DataRequired(_l("Saisissez l'adresse e-mail de la personne."))])
    role = StringField(_l("Rôle"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role_options = ROLE_OPTIONS

    def validate_email(self, field):
        field.data = services.normalise_email(field.data)
        if len(field.data) > 254 or not services.EMAIL.fullmatch(field.data):
            raise ValidationError(_l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."))

    def validate_role(self, field):
        if field.data not in STAFF_ROLES:
            raise ValidationError(_l("Choisissez un rôle."))


class SetPasswordForm(StaffForm):
    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(_l("Saisissez un mot de passe."))])
    confirmation = PasswordField(_l("Le même mot de passe, à nouveau"),
                                 validators=[DataRequired(_l("Saisissez le mot de passe une seconde fois."))])

    def validate_password(self, field):
        if len(field.data) < services.PASSWORD_MIN_LENGTH:
            raise ValidationError(_l("Le mot de passe doit compter au moins %(count)s caractères.",
                                     count=services.PASSWORD_MIN_LENGTH))
        if len(field.data) > services.PASSWORD_MAX_LENGTH:
            raise ValidationError(_l("Le mot de passe doit compter au plus %(count)s caractères.",
                                     count=services.PASSWORD_MAX_LENGTH))

    def validate_confirmation(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("Les deux mots de passe sont différents."))


PROVIDER_MODE_OPTIONS = [
    ("all", _l("Tous les comptes configurés, y compris ceux ajoutés plus tard")),
    ("selected", _l("Seulement ceux cochés ci-dessous")),
]
PROVIDER_MODES = tuple(value for value, _label in PROVIDER_MODE_OPTIONS)
MODERATION_POLICY_OPTIONS = [
    ("before", _l("Avant publication : une offre n'est visible qu'une fois approuvée")),
    ("after", _l("Après publication : l'offre est visible tout de suite, puis relue")),
]
ORIGIN_MESSAGES = {
    "wildcard": _l("« %(value)s » : les jokers (*) ne sont pas acceptés ; saisissez chaque site en entier."),
    "scheme": _l("« %(value)s » : l'adresse doit commencer par https:// (http:// seulement pour localhost)."),
    "path": _l("« %(value)s » : saisissez seulement l'origine du site, sans chemin ni paramètre, par exemple https://www.region.fr."),
    "host": _l("« %(value)s » : ce nom de site n'est pas valide."),
    "spaces": _l("« %(value)s » : saisissez un seul site par ligne, sans espace."),
}
SEPARATORS = re.compile(r"[\s,;]+")


def split_codes(value: str) -> list[str]:
    codes = []
    for code in SEPARATORS.split((value or "").strip().upper()):
        if code:
            code = code.zfill(2) if code.isdigit() else code
            if code not in codes:
                codes.append(code)
    return codes


class TenantSettingsForm(StaffForm):
    name = StringField(_l("Nom de l'institution"), validators=[
        DataRequired(_l("Saisissez le nom de l'institution.")),
        Length(max=200, message=_l("Le nom ne doit pas dépasser 200 caractères.")),
    ])
    primary_colour = StringField(_l("Couleur principale"))
    logo_url = StringField(_l("Adresse du logo"))
    allowed_hosts = TextAreaField(_l("Sites autorisés à afficher l'onglet"))
    region_codes = SelectMultipleField(_l("Régions"), validate_choice=False)
    departement_codes = StringField(_l("Départements"))
    # Radios and checkboxes are rendered by the template from the *_options lists below.
    providers_mode = StringField(_l("Comptes de connexion proposés aux candidats"))
    identity_providers = SelectMultipleField(_l("Comptes proposés"), validate_choice=False)
    moderation_policy = StringField(_l("Modération des offres déposées par les recruteurs"))
    offer_duration_days = StringField(_l("Durée de publication d'une offre, en jours"))

    def __init__(self, *args, session, providers: dict[str, dict], current_providers: list[str] | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.providers = providers
        # With no provider configured the choice is not shown: the tenant's value is kept.
        self.current_providers = current_providers
        self.region_options = [(region.code, region.name) for region in services.regions(session)]
        self.provider_options = [(name, provider.get("label", name)) for name, provider in providers.items()]
        self.providers_mode_options = PROVIDER_MODE_OPTIONS
        self.moderation_policy_options = MODERATION_POLICY_OPTIONS
        self.cleaned: dict = {}

    @classmethod
    def from_tenant(cls, tenant, **kwargs) -> "TenantSettingsForm":
        return cls(data={
            "name": tenant.name,
            "primary_colour": tenant.primary_colour,
            "logo_url": tenant.logo_url or "",
            "allowed_hosts": "\n".join(tenant.allowed_hosts or []),
            "region_codes": list(tenant.region_codes or []),
            "departement_codes": ", ".join(tenant.departement_codes or []),
            "providers_mode": "all" if tenant.identity_providers is None else "selected",
            "identity_providers": list(tenant.identity_providers or []),
            "moderation_policy": tenant.moderation_policy,
            "offer_duration_days": str(tenant.offer_duration_days),
        }, **kwargs)

    def validate_name(self, field):
        field.data = (field.data or "").strip()
        if any(ord(ch) < 32 for ch in field.data):
            raise ValidationError(_l("Le nom ne doit pas contenir de retour à la ligne."))

    def validate_primary_colour(self, field):
        value = (field.data or "").strip().lower()
        field.data = value
        if not services.COLOUR.fullmatch(value):
            raise ValidationError(_l("Saisissez la couleur au format #rrggbb, par exemple #1d4f91."))
        ratio = services.contrast_ratio(value, "#ffffff")
        if ratio < services.MIN_CONTRAST:
            raise ValidationError(_l(
                "Le texte blanc sur cette couleur n'est pas assez lisible : contraste de %(ratio)s:1, il faut au "
                "moins 4,5:1. Choisissez une couleur plus foncée.", ratio=format_decimal(ratio, "0.00")))

    def validate_logo_url(self, field):
        value = (field.data or "").strip()
        field.data = value
        if value and (len(value) > 500 or not services.is_https_url(value)):
            raise ValidationError(_l("Saisissez l'adresse du logo en https://, par exemple https://www.region.fr/logo.svg, ou laissez le champ vide."))

    def validate_allowed_hosts(self, field):
        origins = []
        for line in (field.data or "").splitlines():
            if not line.strip():
                continue
            try:
                origin = services.normalise_origin(line)
            except services.OriginError as error:
                raise ValidationError(ORIGIN_MESSAGES[error.code] % {"value": error.value[:100]}) from None
            if origin not in origins:
                origins.append(origin)
        if len(origins) > services.MAX_ALLOWED_HOSTS:
            raise ValidationError(_l("Saisissez au plus %(count)s sites.", count=services.MAX_ALLOWED_HOSTS))
        self.cleaned["allowed_hosts"] = origins

    def validate_region_codes(self, field):
        codes = list(dict.fromkeys(field.data or []))
        if services.unknown_regions(self.session, codes):
            raise ValidationError(_l("Choisissez des régions de la liste."))
        self.cleaned["region_codes"] = codes

    def validate_departement_codes(self, field):
        codes = split_codes(field.data)
        unknown = services.unknown_departements(self.session, codes)
        if unknown:
            raise ValidationError(_l("Code de département inconnu : %(codes)s. Saisissez des codes comme 69, 2A ou 974.",
                                     codes=", ".join(code[:5] for code in unknown[:5])))
        self.cleaned["departement_codes"] = codes

    def validate_providers_mode(self, field):
        if self.providers and field.data not in PROVIDER_MODES:
            raise ValidationError(_l("Choisissez quels comptes de connexion proposer."))

    def validate_identity_providers(self, field):
        if not self.providers:
            self.cleaned["identity_providers"] = self.current_providers
            return
        names = list(dict.fromkeys(field.data or []))
        if any(name not in self.providers for name in names):
            raise ValidationError(_l("Choisissez des comptes de la liste."))
        if self.providers_mode.data == "selected":
            self.cleaned["identity_providers"] = names
        else:
            self.cleaned["identity_providers"] = None

    def validate_moderation_policy(self, field):
        if field.data not in MODERATION_POLICIES:
            raise ValidationError(_l("Choisissez quand les offres sont relues."))

    def validate_offer_duration_days(self, field):
        low, high = services.OFFER_DURATION_RANGE
        value = (field.data or "").strip()
        if not value.isdigit() or not low <= int(value) <= high:
            raise ValidationError(_l("Saisissez un nombre de jours entre %(low)s et %(high)s.", low=low, high=high))
        self.cleaned["offer_duration_days"] = int(value)

    def settings(self) -> services.TenantSettings:
        """The checked values (call after validate())."""
        return services.TenantSettings(
            name=self.name.data,
            primary_colour=self.primary_colour.data,
            logo_url=self.logo_url.data or None,
            allowed_hosts=self.cleaned["allowed_hosts"],
            region_codes=self.cleaned["region_codes"],
            departement_codes=self.cleaned["departement_codes"],
            identity_providers=self.cleaned["identity_providers"],
            moderation_policy=self.moderation_policy.data,
            offer_duration_days=self.cleaned["offer_duration_days"],
        )
