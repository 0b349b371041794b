"""schema.org JSON-LD for offer pages: JobPosting (Google for Jobs) and Course."""
from app.catalog.models import JobOffer, Offer, TrainingOffer

EMPLOYMENT_TYPES = {
    "CDD": "TEMPORARY",
    "MIS": "TEMPORARY",
    "SAI": "TEMPORARY",
    "ALT": "INTERN",
    "STG": "INTERN",
    "LIB": "CONTRACTOR",
    "OTHER": "OTHER",
}
COURSE_MODES = {"onsite": "onsite", "distance": "online", "blended": "blended"}


def employment_type(offer: JobOffer) -> str:
    if offer.contract_type == "CDI" or offer.contract_type is None:
        return "PART_TIME" if offer.working_time == "part_time" else "FULL_TIME"
    return EMPLOYMENT_TYPES.get(offer.contract_type, "OTHER")


def postal_address(offer: Offer) -> dict:
    address = {"@type": "PostalAddress", "addressCountry": "FR"}
    if offer.commune is not None:
        address["addressLocality"] = offer.commune.name
        if offer.commune.postal_codes:
            address["postalCode"] = offer.commune.postal_codes[0].code
    if offer.departement is not None:
        address["addressRegion"] = offer.departement.name
    elif offer.region is not None:
        address["addressRegion"] = offer.region.name
    return address


def place(offer: Offer) -> dict:
    result = {"@type": "Place", "address": postal_address(offer)}
    if offer.latitude is not None and offer.longitude is not None:
        result["geo"] = {"@type": "GeoCoordinates", "latitude": offer.latitude, "longitude": offer.longitude}
    return result


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def job_posting(offer: JobOffer, url: str) -> dict:
    data = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": offer.title,
        "description": offer.description or offer.title,
        "datePosted": iso(offer.published_at),
        "hiringOrganization": {
            "@type": "Organization",
            # Google requires a name; France Travail hides it on 4 offers in 10.
            "name": offer.organisation_name or "Entreprise non communiquée",
        },
        "jobLocation": place(offer),
        "employmentType": employment_type(offer),
        "identifier": {"@type": "PropertyValue", "name": offer.source.name, "value": offer.partner_id},
        "url": url,
        "directApply": offer.apply_method == "platform",
    }
    if offer.expires_at:
        data["validThrough"] = iso(offer.expires_at)
    if offer.occupation_code:
        data["occupationalCategory"] = offer.occupation_code
    if offer.salary_min is not None and offer.salary_period:
        value = {"@type": "QuantitativeValue", "unitText": offer.salary_period}
        if offer.salary_max is not None and offer.salary_max != offer.salary_min:
            value.update(minValue=offer.salary_min, maxValue=offer.salary_max)
        else:
            value["value"] = offer.salary_min
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "EUR", "value": value}
    if offer.positions:
        data["totalJobOpenings"] = offer.positions
    return data


def course(offer: TrainingOffer, url: str) -> dict:
    data = {
        "@context": "https://schema.org/",
        "@type": "Course",
        "name": offer.title,
        "description": offer.objectives or offer.description or offer.title,
        "provider": {"@type": "Organization", "name": offer.organisation_name or "Organisme non communiqué"},
        "url": url,
        "inLanguage": "fr",
    }
    credentials = [f"RNCP{code}" for code in offer.rncp_codes or []]
    if credentials:
        data["educationalCredentialAwarded"] = credentials
    instances = []
    for session in offer.sessions:
        instance = {"@type": "CourseInstance", "courseMode": COURSE_MODES.get(session.modality, "onsite")}
        if session.start_date:
            instance["startDate"] = session.start_date.isoformat()
        if session.end_date:
            instance["endDate"] = session.end_date.isoformat()
        if offer.duration_hours:
            instance["courseWorkload"] = f"PT{offer.duration_hours}H"
        if session.place_label or session.address:
            instance["location"] = {"@type": "Place", "name": session.place_label or session.address,
                                    "address": session.address or session.place_label}
        instances.append(instance)
    if instances:
        data["hasCourseInstance"] = instances
    return data


def for_offer(offer: Offer, url: str) -> dict:
    return course(offer, url) if isinstance(offer, TrainingOffer) else job_posting(offer, url)
