"""Bad input on a dialect's wire gets that wire's 4xx envelope: never a 500, never a lost store."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from harness import AssistantsAPI, ServerConfig, schemas
from harness.core import ApiRequest
from harness.dialects.appbuilder import AppBuilderDialect
from harness.dialects.appbuilder._operations import OPERATIONS
from harness.dialects.azure import AzureDialect

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = st.sampled_from(
    [
        "assistant_id",
        "thread_id",
        "run_id",
        "message_id",
        "step_id",
        "messages",
        "tools",
        "tool_output",
        "tool_outputs",
        "stream",
        "thread",
        "content",
        "file_ids",
        "limit",
        "metadata",
        "model",
    ]
)
_BODIES = st.dictionaries(_FIELDS, _JSON, max_size=5)

API = AssistantsAPI(ServerConfig(validate_responses=True, permissive=False))
APPBUILDER = AppBuilderDialect(API)
AZURE = AzureDialect(API)
AUTH = {"authorization": "Bearer t"}


def _drain(response: Any) -> None:
    for _ in response.stream or ():
        pass


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(sorted(OPERATIONS)), body=_BODIES)
def test_appbuilder_never_answers_500(path: str, body: dict[str, Any]) -> None:
    response = APPBUILDER.handle(ApiRequest("POST", path, (), AUTH, json.dumps(body).encode()))
    _drain(response)
    assert response.status < 500, response.body
    if response.status != 200:
        schemas.validate("appbuilder.error", response.body)


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=40))
def test_appbuilder_bodies_that_are_not_json_objects(raw: bytes) -> None:
    response = APPBUILDER.handle(ApiRequest("POST", "/v2/threads/runs", (), AUTH, raw))
    _drain(response)
    assert response.status < 500


@settings(max_examples=80, deadline=None)
@given(
    path=st.sampled_from(
        [
            "/openai/assistants",
            "/openai/threads",
            "/openai/threads/runs",
            "/api/projects/p/threads",
            "/api/projects/p/assistants/asst_x",
        ]
    ),
    method=st.sampled_from(["GET", "POST", "DELETE"]),
    body=_BODIES,
    versioned=st.booleans(),
)
def test_azure_never_answers_500(
    path: str, method: str, body: dict[str, Any], versioned: bool
) -> None:
    query = (("api-version", "v1"),) if versioned else ()
    response = AZURE.handle(
        ApiRequest(method, path, query, {"api-key": "k"}, json.dumps(body).encode())
    )
    _drain(response)
    assert response.status < 500, response.body
    if response.status >= 400:
        error = response.body["error"]
        assert isinstance(error["code"], str)
        assert isinstance(error["message"], str)
