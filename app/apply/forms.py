"""The plain application form: read and checked on the server, without Flask-WTF's session.

Fields are exactly what a recruiter needs (CNIL: no birth date, photo, nationality…). Errors
come out in the order of the form, for the error summary.
"""
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from app.apply.files import MAX_CV_BYTES, CheckedCv, CvRejected, check_cv

FIELDS = ("name", "email", "phone", "cv", "message")
HONEYPOT = "website"
MAX_MESSAGE = 5000
# One address, no spaces, no line breaks, no quotes or angle brackets: what goes in Reply-To.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
PHONE = re.compile(r"\+?[0-9 .()-]{6,25}")


@dataclass
class ApplicationForm:
    name: str = ""
    email: str = ""
    phone: str = ""
    message: str = ""
    cv: CheckedCv | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ordered_errors(self) -> list[tuple[str, str]]:
        return [(name, self.errors[name]) for name in FIELDS if name in self.errors]


def has_control_characters(value: str) -> bool:
    return any(ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in "\u2028\u2029" for ch in value)


def read_form(form: ImmutableMultiDict, files: ImmutableMultiDict) -> ApplicationForm:
    result = ApplicationForm(
        name=form.get("name", "").strip(),
        email=form.get("email", "").strip(),
        phone=form.get("phone", "").strip(),
        message=form.get("message", "").replace("\r\n", "\n").strip(),
    )
    errors = result.errors
    if not result.name:
        errors["name"] = _l("Saisissez votre nom et votre prénom.")
    elif len(result.name) > 200 or has_control_characters(result.name):
        errors["name"] = _l("Le nom ne doit pas dépasser 200 caractères ni contenir de retour à la ligne.")
    if not result.email:
        errors["email"] = _l("Saisissez votre adresse e-mail.")
    elif len(result.email) > 254 or not EMAIL.fullmatch(result.email):
        errors["email"] = _l("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
    if result.phone and not PHONE.fullmatch(result.phone):
        errors["phone"] = _l("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78, ou laissez le champ vide.")
    if len(result.message) > MAX_MESSAGE:
        errors["message"] = _l("Le message ne doit pas dépasser 5 000 caractères.")
    read_cv(files.get("cv"), result)
    return result


def read_cv(upload: FileStorage | None, result: ApplicationForm) -> None:
    if upload is None or not upload.filename:
        result.errors["cv"] = _l("Choisissez votre CV (PDF, DOCX ou ODT, 5 Mo au plus).")
        return
    data = upload.stream.read(MAX_CV_BYTES + 1)
    try:
        result.cv = check_cv(data, upload.filename)
    except CvRejected as rejection:
        result.errors["cv"] = str(rejection.args[0])


def is_bot(form: ImmutableMultiDict) -> bool:
    """The honeypot: a field people never see or reach; only robots fill it."""
    return bool(form.get(HONEYPOT))
