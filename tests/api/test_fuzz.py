"""Schema-driven fuzzing of /api/v1 with schemathesis, against the real app in-process (WSGI).

Every operation of /api/v1/openapi.json is called with generated valid and invalid input, unauthenticated and
with an officer's and a head's bearer token, and every answer is checked:

- no 5xx;
- the status code is one the operation lists: flask-smorest also documents a catch-all `default` error
  response, with which schemathesis' own status check would accept any code, so `documented_status_code`
  leaves `default` out;
- the content type and the body match the documented response;
- input the schema forbids is refused with a 4xx;
- every 4xx, whatever was sent (also an undeclared method or content type), is the JSON error of docs/api.md
  §Errors {"error": {"code", "message", "fields"?}}.

One test per caller, each inside the `session` fixture, so whatever the fuzzer creates is rolled back.
To get past the 401/404 a random tracking number earns, generated cases are sometimes aimed at a real request
of the caller's agency (and its attachment) or of another agency, carry the applicant's access code, or name
a real agency or colleague.

Cases: schemathesis' coverage phase (boundary values, negative input, undeclared methods: about 530 cases, the
same for every caller since input is validated before the caller is identified) runs once, for the officer;
the fuzzing phase runs FUZZ_EXAMPLES random cases (default 10) per operation for each caller, 240 by default.
About 770 cases in all, a few seconds. FUZZ_EXAMPLES=1000 for a long run (about 25,000 cases, minutes).
FUZZ_CALLERS (comma-separated, default anonymous,officer,head) adds e.g. the admin; with FUZZ_REPORT=<file>
the run writes a JSON tally of the cases (by operation, caller and status) there. scripts/fuzz.sh runs a
few thousand cases on PostgreSQL this way and prints the figures.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.generation.meta import REQUEST_SHAPE_PROBES, coverage_scenario

from tests.api.conftest import World, citizen_body
from tests.factories import make_request
from webapp.domain.attachments import store_attachment

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
CALLERS = os.environ.get("FUZZ_CALLERS", "anonymous,officer,head").split(",")
FUZZ_REPORT = os.environ.get("FUZZ_REPORT")
TALLY: Counter[tuple[str, str, int]] = Counter()  # (operation, caller, status) -> responses
COVERAGE_CALLER = "officer"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


def documented_status_code(ctx: Any, response: Any, case: Any) -> None:
    """The status code is one the operation lists; the catch-all `default` response does not count."""
    if coverage_scenario(case) in REQUEST_SHAPE_PROBES:
        return  # an undeclared method or content type, sent on purpose: nothing documented to compare with
    documented = [code for code in case.operation.responses.status_codes if code != "default"]
    if str(response.status_code) not in documented:
        raise AssertionError(
            f"Undocumented status code {response.status_code} for {case.operation.label}; "
            f"documented: {', '.join(sorted(documented))}"
        )


def tallied(caller: str) -> Any:
    """A check that fails nothing: counts each answer by operation, caller and status (FUZZ_REPORT)."""

    def tally(ctx: Any, response: Any, case: Any) -> None:
        TALLY[(case.operation.label, caller, int(response.status_code))] += 1

    return tally


@pytest.fixture(scope="module", autouse=True)
def _fuzz_report() -> Iterator[None]:
    """With FUZZ_REPORT set, write the tally of this run's answers there as JSON."""
    yield
    if FUZZ_REPORT:
        rows = [
            {"operation": op, "caller": who, "status": status, "count": n}
            for (op, who, status), n in sorted(TALLY.items())
        ]
        with open(FUZZ_REPORT, "w") as f:
            json.dump(rows, f, ensure_ascii=False, indent=1)


def api_error_shape(ctx: Any, response: Any, case: Any) -> None:
    """Any 4xx is the JSON error of docs/api.md §Errors: {"error": {"code", "message", "fields"?}}, fields all
    strings."""
    if not 400 <= response.status_code < 500:
        return
    content_type = response.headers.get("content-type", [""])[0]
    if not content_type.startswith("application/json"):
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not JSON")
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    fields = error.get("fields", {}) if isinstance(error, dict) else None
    if not (
        isinstance(error, dict)
        and set(body) == {"error"}
        and set(error) <= {"code", "message", "fields"}
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
        and isinstance(fields, dict)
        and all(isinstance(value, str) for value in fields.values())
    ):
        raise AssertionError(f"{response.status_code} body is not the API's error shape: {body!r}")


def required_properties(document: dict[str, Any], path: str, method: str) -> set[str]:
    """The required top-level properties of an operation's request body."""
    body = document["paths"][path][method.lower()].get("requestBody")
    if body is None:
        return set()
    (content,) = body["content"].values()
    ref = content["schema"]["$ref"]
    return set(document["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("required", []))


def closing(wsgi_app: Any) -> Any:
    """Read and close each answer's body as a WSGI server does. schemathesis reads the body but never calls
    close(), which would leave a downloaded attachment's file open (a ResourceWarning, an error here)."""

    def app(environ: Any, start_response: Any) -> list[bytes]:
        body = wsgi_app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return app


@pytest.fixture(params=CALLERS)
def caller(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def caller_headers(caller: str, world: World) -> dict[str, str]:
    return {} if caller == "anonymous" else getattr(world, caller).headers


@pytest.fixture
def api_schema(app: Flask, session: Any, world: World, caller: str, monkeypatch: Any) -> Any:
    """The app's own OpenAPI document, with a hook that aims generated cases at real data."""
    monkeypatch.setattr(app, "wsgi_app", closing(app.wsgi_app))
    now = dt.datetime.now(dt.UTC)
    own, own_code = make_request(session, now, world.agency, channel="online")
    other, _ = make_request(session, now, world.other_agency, channel="online")
    scan = store_attachment(
        session,
        own,
        filename="scan.png",
        stream=io.BytesIO(PNG),
        directory=app.config["ATTACHMENT_DIR"],
        uploaded_by=world.officer.user,
        now=now,
    )
    session.commit()
    # plain values: the test closes the session after each call, which detaches these objects
    numbers = [None, own.tracking_number, own.tracking_number, other.tracking_number]
    attachments = [None, scan.id]
    agencies = [None, world.agency.code, world.other_agency.code]
    emails = [None, "me", world.officer.user.email, world.officer2.user.email, world.head.user.email]
    # Generated bodies seldom pass the rules beyond the schema (a valid ID number, an action's own fields):
    # positive cases sometimes carry one of these instead, and the operation does its work.
    good_bodies: dict[str, list[dict[str, Any]]] = {
        "POST /api/v1/requests": [citizen_body()],
        "POST /api/v1/requests/{tracking_number}/actions": [
            {"action": "accept"},
            {"action": "comment", "note": "模糊测试备注"},
            {"action": "assign", "assignee": world.officer2.user.email},
            {"action": "reply", "outcome": "disclosed", "note": "予以公开"},
        ],
        "POST /api/v1/requests/{tracking_number}/correction": [{"text": "补正：申请的是2023年度的预算"}],
        "POST /api/v1/requests/{tracking_number}/withdraw": [{"reason": "不再需要"}],
    }

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.generation.update(max_examples=FUZZ_EXAMPLES)
    schema.config.checks.update(included_check_names=CHECKS)
    if caller != COVERAGE_CALLER:
        schema.config.phases.update(phases=["examples", "fuzzing"])

    @schema.hook
    def flatmap_case(ctx: Any, case: Any) -> Any:
        """Sometimes replace generated values by real ones (None keeps the generated value)."""
        positive = case.meta is not None and case.meta.generation.mode.is_positive
        optional = (
            sorted(set(case.body) - required_properties(schema.raw_schema, case.path, case.method))
            if positive and isinstance(case.body, dict)
            else []
        )

        def aim(
            number: str | None,
            attachment: int | None,
            with_code: bool,
            agency: str | None,
            email: str | None,
            drop: set[str],
            good: dict[str, Any] | None,
        ) -> Any:
            if good is not None:  # a body that passes the rules, so the operation's work is reached
                case.body, drop = copy.deepcopy(good), set()
            if number is not None and "tracking_number" in case.path_parameters:
                case.path_parameters = {**case.path_parameters, "tracking_number": number}
            if attachment is not None and "attachment_id" in case.path_parameters:
                case.path_parameters = {**case.path_parameters, "attachment_id": attachment}
            if with_code:
                case.headers["X-Access-Code"] = own_code
            if positive:
                replace = {"agency": agency, "assignee": email}
                for place in (case.query, case.body):
                    if isinstance(place, dict):
                        place.update({k: v for k, v in replace.items() if v is not None and k in place})
                if drop:  # fewer optional properties: an action's body carries only the fields it uses
                    case.body = {k: v for k, v in case.body.items() if k not in drop}
            return case

        return st.builds(
            aim,
            st.sampled_from(numbers),
            st.sampled_from(attachments),
            st.booleans(),
            st.sampled_from(agencies),
            st.sampled_from(emails),
            st.sets(st.sampled_from(optional)) if optional else st.just(set()),
            st.sampled_from([None, *good_bodies.get(case.operation.label, [])])
            if positive
            else st.just(None),
        )

    return schema


@pytest.fixture(autouse=True)
def _pytest_node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32's from_fixture reads Node._nodeid, which pytest 9.2 no longer has (it keeps _id)."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_as_documented(
    case: Any, caller: str, caller_headers: dict[str, str], session: Any
) -> None:
    try:
        case.call_and_validate(
            headers=caller_headers,
            additional_checks=[tallied(caller), documented_status_code, api_error_shape],
        )
    finally:
        # As at the end of a request in production: what it did not commit is gone, and the next case starts
        # afresh (the test session outlives requests, so a failed one would otherwise spoil the rest).
        session.close()
