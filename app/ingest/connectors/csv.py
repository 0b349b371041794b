"""CSV job feeds, for small partners who can export a spreadsheet and nothing else.

UTF-8 (a BOM is fine), separated by `;` or `,` (detected), one header line, one job per line.
Columns (names case-insensitive; only `id` and `title` are required, unknown columns are ignored):

| column        | what it holds                                                               |
|---------------|-----------------------------------------------------------------------------|
| `id`          | the partner's own reference, stable from one export to the next (required)  |
| `title`       | the job title (required)                                                    |
| `description` | plain text, or HTML (sanitised)                                             |
| `company`     | the employer                                                                |
| `contract`    | CDI, CDD, intérim, saisonnier, alternance, stage, freelance…                |
| `working_time`| temps plein / temps partiel                                                 |
| `salary`      | free text: "1 800 € brut mensuel", "De 25 000 à 30 000 € par an", "SMIC"…   |
| `city`        | the town ("Annecy", "Lyon (69)")                                            |
| `postal_code` | five digits                                                                 |
| `insee_code`  | the commune's INSEE code (wins over city and postal code)                   |
| `area`        | a département or région when there is no town ("Haute-Savoie", "74")       |
| `url`         | where to apply, on the partner's site                                       |
| `email`       | where to apply by e-mail when there is no URL                               |
| `published`   | ISO date of publication (today when empty)                                  |
| `expires`     | ISO date after which the offer is closed                                    |
| `rome`        | a ROME code ("K2204"); inferred from the title when empty                   |

The file is the partner's full list: a line that disappears is an offer that closed.
"""
import csv
import io
from collections.abc import Iterator

from app.ingest import FeedError, InvalidRecord, Rejection
from app.ingest.connectors.base import Context, JobFields, OfferRecord, RawRecord, job_record, record_hash
from app.ingest.fetch import open_feed
from app.ingest.normalise import parse_date, rome_code_in

COLUMNS = ("id", "title", "description", "company", "contract", "working_time", "salary", "city",
           "postal_code", "insee_code", "area", "url", "email", "published", "expires", "rome")
# A line longer than this is a broken file, not a job.
MAX_FIELD_BYTES = 1024**2


class CsvConnector:
    format = "csv"
    kind = "job"

    def is_full_feed(self, location: str) -> bool:
        return True

    def read(self, location: str, context: Context) -> Iterator[RawRecord | Rejection]:
        with open_feed(location, context.http) as file:
            text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
            try:
                yield from read_rows(text)
            except (UnicodeDecodeError, csv.Error) as error:
                raise FeedError(f"not a UTF-8 CSV file: {error}") from error
            finally:
                text.detach()

    def normalise(self, raw: RawRecord, context: Context) -> OfferRecord:
        return parse_row(raw.payload, context, raw.partner_id, raw.content_hash)


def read_rows(text: io.TextIOBase) -> Iterator[RawRecord | Rejection]:
    header = text.readline()
    text.seek(0)
    csv.field_size_limit(MAX_FIELD_BYTES)
    reader = csv.DictReader(text, delimiter=";" if header.count(";") > header.count(",") else ",")
    names = {name: name.strip().lower() for name in reader.fieldnames or ()}
    if not {"id", "title"} <= set(names.values()):
        raise FeedError(f"the header must name at least the columns id and title (columns: {', '.join(COLUMNS)})")
    for line, row in enumerate(reader, start=2):
        fields = {names[name]: (value or "").strip() for name, value in row.items() if names.get(name) in COLUMNS}
        if fields.get("id"):
            yield RawRecord(fields["id"], record_hash(fields), fields)
        else:
            yield Rejection(f"line {line}", "no id")


def parse_row(fields: dict, context: Context, partner_id: str, content_hash: str) -> OfferRecord:
    published_at = parse_date(fields.get("published"))
    if fields.get("published") and published_at is None:
        raise InvalidRecord(f"unreadable published date {fields['published'][:40]!r}")
    job = JobFields(
        partner_id=partner_id,
        title=fields.get("title") or "",
        content_hash=content_hash,
        published_at=published_at,
        expires_at=parse_date(fields.get("expires")),
        place=context.places.resolve(
            insee_code=fields.get("insee_code"),
            postal_code=fields.get("postal_code"),
            name=fields.get("city"),
            area_label=fields.get("area"),
        ),
        description=fields.get("description") or "",
        organisation_name=fields.get("company") or None,
        rome_code=rome_code_in(fields.get("rome")),
        apply_url=fields.get("url") or None,
        apply_email=fields.get("email") or None,
        source_url=fields.get("url") or None,
        contract_labels=(fields.get("contract"),),
        contract_label=fields.get("contract") or None,
        working_time_labels=(fields.get("working_time"), fields.get("contract")),
        salary_text=fields.get("salary") or None,
    )
    return job_record(job, context)
