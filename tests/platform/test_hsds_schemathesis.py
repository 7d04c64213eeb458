"""Property-based run of schemathesis against our own OpenAPI description, in-process (WSGI):
a bounded number of generated requests per operation, with zero server errors and zero
answers that break the described status codes, content types or schemas."""

# ruff: noqa: F811  (the hsds_world fixture is imported, then requested by name)
from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.platform.test_hsds_world import hsds_world  # noqa: F401  (fixture)

schema = schemathesis.openapi.from_wsgi("/api/hsds/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@pytest.mark.django_db
def test_api_against_its_openapi(case, hsds_world):
    case.call_and_validate(checks=CHECKS)
