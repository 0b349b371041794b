"""schemathesis against /api/v1/openapi.json: no server error, every answer as documented.

Driven through schemathesis' Python API with Hypothesis: its pytest plugin does not load on
pytest 9 (it reads a private attribute pytest removed). One check is left out: "schema-valid
request rejected". A string the schema allows may still name no commune, ROME code or
institution, or a page past the end; the issue asks for a clear 400 there, and the 400 body
itself is still checked against the schema.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies
from schemathesis.specs.openapi.checks import positive_data_acceptance

EXAMPLES_PER_OPERATION = 80


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_is_fuzzed(app, catalog):
    paths = {operation.path for operation in operations(app)}
    assert paths == {"/api/v1/offers", "/api/v1/offers/{offer_id}", "/api/v1/places", "/api/v1/occupations"}


@pytest.mark.parametrize("path", ["/api/v1/offers", "/api/v1/offers/{offer_id}", "/api/v1/places", "/api/v1/occupations"])
def test_api_answers_as_documented(app, catalog, path):
    operation = next(operation for operation in operations(app) if operation.path == path)

    # Random tenant slugs would almost never name one: half the cases use the real one.
    @given(case=operation.as_strategy(), real_tenant=strategies.booleans())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def answers_as_documented(case, real_tenant):
        if real_tenant and case.query and "tenant" in case.query:
            case.query["tenant"] = "ara"
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    answers_as_documented()
