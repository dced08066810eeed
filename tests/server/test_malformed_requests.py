"""Malformed requests get the API's 400 envelope and lose nothing, over HTTP and in-process.

Every case is sent to a real server on loopback and to the in-process transport; after each,
a list of the same objects must still answer (a stored lone surrogate used to poison every
later list with a plain-text 500, and made the in-process transport raise).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from harness import AssistantsAPI, FakeServer
from harness.core.http import ApiRequest, ApiResponse
from harness.transport import InProcessTransport
from tests.conftest import TEST_CONFIG

HEADERS = {
    "Authorization": "Bearer sk-test",
    "OpenAI-Beta": "assistants=v2",
    "Content-Type": "application/json",
}


@pytest.fixture(params=["http", "in-process"])
def http(request: pytest.FixtureRequest, server: FakeServer) -> Iterator[httpx2.Client]:
    """A raw client on the fake: over a socket, or through the in-process transport."""
    if request.param == "http":
        with httpx2.Client(base_url=server.base_url, headers=HEADERS) as client:
            yield client
    else:
        transport = InProcessTransport(AssistantsAPI(TEST_CONFIG))
        with httpx2.Client(
            base_url="http://harness.invalid/v1", headers=HEADERS, transport=transport
        ) as client:
            yield client


def _envelope(response: httpx2.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = json.loads(response.content)  # strict: NaN or a bad surrogate would not parse
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["type"] == "invalid_request_error"
    error: dict[str, Any] = body["error"]
    return error


def _post(client: httpx2.Client, path: str, raw: bytes, **headers: str) -> httpx2.Response:
    return client.post(path, content=raw, headers=headers)


def _thread(client: httpx2.Client) -> str:
    response = client.post("/threads", json={"messages": [{"role": "user", "content": "Hi"}]})
    assert response.status_code == 200, response.text
    thread_id: str = response.json()["id"]
    return thread_id


def _lists_still_answer(client: httpx2.Client, thread_id: str | None = None) -> None:
    assert client.get("/assistants").status_code == 200
    if thread_id is not None:
        listed = client.get(f"/threads/{thread_id}/messages")
        assert listed.status_code == 200, listed.text
        json.loads(listed.content)


# -- lone surrogates, anywhere ----------------------------------------------------------------

LONE = "\\ud800"  # as JSON text: a valid escape, naming a code point UTF-8 cannot carry


@pytest.mark.parametrize(
    ("path", "raw", "param"),
    [
        ("/assistants", f'{{"model": "gpt-4o", "name": "a{LONE}"}}', "name"),
        (
            "/assistants",
            f'{{"model": "gpt-4o", "metadata": {{"k{LONE}": "v"}}}}',
            "metadata.k\\ud800",
        ),
        ("/assistants", f'{{"model": "gpt-4o", "metadata": {{"k": "{LONE}"}}}}', "metadata.k"),
        (
            "/assistants",
            f'{{"model": "gpt-4o", "tools": [{{"type": "function", "function": {{"name": "f", "description": "{LONE}"}}}}]}}',
            "tools[0].function.description",
        ),
        (
            "/threads",
            f'{{"messages": [{{"role": "user", "content": "x{LONE}"}}]}}',
            "messages[0].content",
        ),
        (
            "/threads",
            f'{{"messages": [{{"role": "user", "content": [{{"type": "text", "text": "{LONE}"}}]}}]}}',
            "messages[0].content[0].text",
        ),
        ("/threads", f'{{"metadata": {{"{LONE}": "v"}}}}', "metadata.\\ud800"),
    ],
)
def test_lone_surrogate_in_any_body_string_is_refused(
    http: httpx2.Client, path: str, raw: str, param: str
) -> None:
    thread_id = _thread(http)
    error = _envelope(_post(http, path, raw.encode()))
    assert "lone UTF-16 surrogate (\\ud800)" in error["message"]
    assert error["param"] == param
    assert error["code"] == "invalid_value"
    _lists_still_answer(http, thread_id)


def test_lone_surrogate_in_a_message_never_reaches_the_store(http: httpx2.Client) -> None:
    thread_id = _thread(http)
    raw = f'{{"role": "user", "content": "{LONE}"}}'.encode()
    _envelope(_post(http, f"/threads/{thread_id}/messages", raw))
    listed = http.get(f"/threads/{thread_id}/messages")
    assert listed.status_code == 200
    assert len(listed.json()["data"]) == 1


def test_lone_surrogate_escapes_in_the_url(http: httpx2.Client) -> None:
    # %ED%A0%80 is how a surrogate would be escaped in a URL, but it is not UTF-8: both
    # transports keep it as text (path) or as U+FFFD (query), and the answers stay JSON.
    assert http.get("/assistants/asst_%ED%A0%80").status_code == 404
    listed = http.get("/assistants?after=%ED%A0%80&order=%ED%A0%80")
    assert _envelope(listed)["param"] == "order"
    _lists_still_answer(http)


@pytest.mark.parametrize(
    ("path", "query", "param"),
    [
        ("/assistants/asst_\ud800", (), "path"),
        ("/assistants", (("after", "\ud800"),), "after"),
        ("/assistants", (("\ud800", "x"),), "query"),
    ],
)
def test_lone_surrogate_in_path_or_query_reaching_the_core(
    path: str, query: tuple[tuple[str, str], ...], param: str
) -> None:
    """Code that drives the core directly (or a future adapter) can pass any str."""
    api = AssistantsAPI(TEST_CONFIG)
    headers = {k.lower(): v for k, v in HEADERS.items()}
    response = api.handle(ApiRequest("GET", path, query=query, headers=headers))
    assert response.status == 400
    assert json.loads(response.encoded_body())["error"]["param"] == param
    assert api.handle(ApiRequest("GET", "/assistants", headers=headers)).status == 200


# -- JSON that Python's json module reads but JSON is not ---------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"model": "gpt-4o", "temperature": NaN}',
        b'{"model": "gpt-4o", "top_p": Infinity}',
        b'{"model": "gpt-4o", "metadata": {"k": -Infinity}}',
        b'{"model": "gpt-4o", "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"max": NaN}}}}',
    ],
)
def test_nan_and_infinity_are_not_json(http: httpx2.Client, raw: bytes) -> None:
    error = _envelope(_post(http, "/assistants", raw))
    assert error["message"].startswith("We could not parse the JSON body of your request.")
    assert http.get("/assistants").json()["data"] == []


def test_a_number_beyond_float_range_is_refused(http: httpx2.Client) -> None:
    error = _envelope(_post(http, "/assistants", b'{"model": "gpt-4o", "temperature": 1e309}'))
    assert "1e309 is out of range" in error["message"]


def test_the_fake_never_emits_nan() -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        ApiResponse(200, {"x": float("nan")}).encoded_body()


# -- nesting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"model": "gpt-4o", "metadata": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001,
        b'{"model": "gpt-4o", "tools": [{"type": "function", "function": {"name": "f", "parameters": '
        + b'{"a": ' * 100
        + b"{}"
        + b"}" * 100
        + b"}}]}",
        b'{"model": "gpt-4o", "metadata": ' + b"[" * 100_000,
    ],
    ids=["array-1000", "object-1000", "parameters-100", "unclosed-100000"],
)
def test_deep_nesting_is_refused(http: httpx2.Client, raw: bytes) -> None:
    error = _envelope(_post(http, "/assistants", raw))
    assert "nested more than 64 levels" in error["message"] or error["message"].startswith(
        "We could not parse"
    )
    _lists_still_answer(http)


def test_a_realistically_nested_tool_schema_is_accepted(http: httpx2.Client) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(12):  # twelve levels of nested objects: 24 JSON levels, plus the body's own
        schema = {"type": "object", "properties": {"inner": schema}, "required": ["inner"]}
    body = {
        "model": "gpt-4o",
        "tools": [{"type": "function", "function": {"name": "deep", "parameters": schema}}],
    }
    created = http.post("/assistants", json=body)
    assert created.status_code == 200, created.text
    assert created.json()["tools"][0]["function"]["parameters"] == schema


# -- Content-Encoding ---------------------------------------------------------------------------

BODY = b'{"model": "gpt-4o", "name": "packed"}'


@pytest.mark.parametrize(
    ("encoding", "raw"),
    [
        ("gzip", gzip.compress(BODY, mtime=0)),
        ("deflate", zlib.compress(BODY)),
        ("deflate", zlib.compress(BODY)[2:-4]),  # raw deflate, as some clients send it
        ("identity", BODY),
    ],
    ids=["gzip", "zlib-deflate", "raw-deflate", "identity"],
)
def test_encoded_bodies_are_read(http: httpx2.Client, encoding: str, raw: bytes) -> None:
    created = _post(http, "/assistants", raw, **{"Content-Encoding": encoding})
    assert created.status_code == 200, created.text
    assert created.json()["name"] == "packed"


@pytest.mark.parametrize(
    ("encoding", "raw"),
    [
        ("gzip", b"plainly not gzip"),
        ("gzip", gzip.compress(BODY)[:-6]),  # truncated
        ("deflate", b"\x00\x01\x02garbage"),
        ("gzip", gzip.compress(BODY) + b"trailing"),
    ],
    ids=["not-gzip", "truncated-gzip", "not-deflate", "trailing-bytes"],
)
def test_bad_encoded_bodies_are_400(http: httpx2.Client, encoding: str, raw: bytes) -> None:
    error = _envelope(_post(http, "/assistants", raw, **{"Content-Encoding": encoding}))
    assert error["code"] == "invalid_content_encoding"
    assert f"not valid {encoding} data" in error["message"]
    _lists_still_answer(http)


def test_unknown_encoding_is_415(http: httpx2.Client) -> None:
    error = _envelope(_post(http, "/assistants", BODY, **{"Content-Encoding": "compress"}), 415)
    assert error["code"] == "unsupported_content_encoding"


def test_a_gzip_bomb_is_bounded(http: httpx2.Client) -> None:
    bomb = gzip.compress(b" " * (33 * 1024**2), compresslevel=9)  # ~33 KB on the wire
    error = _envelope(_post(http, "/assistants", bomb, **{"Content-Encoding": "gzip"}), 413)
    assert error["code"] == "request_too_large"


# -- options of the wrong shape ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        (
            "/assistants",
            {"tools": [{"type": "file_search", "file_search": "x"}]},
            "tools[0].file_search",
        ),
        ("/assistants", {"tools": ["x"]}, "tools[0]"),
        ("/assistants", {"tools": [{"type": "function", "function": "x"}]}, "tools[0].function"),
        (
            "/assistants",
            {"tools": [{"type": "function", "function": {"name": 5}}]},
            "tools[0].function.name",
        ),
        (
            "/assistants",
            {"tools": [{"type": "function", "function": {"name": "a b"}}]},
            "tools[0].function.name",
        ),
        (
            "/assistants",
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": "x"}}]},
            "tools[0].function.parameters",
        ),
        (
            "/assistants",
            {"tools": [{"type": "file_search", "file_search": {"ranking_options": "x"}}]},
            "tools[0].file_search.ranking_options",
        ),
        (
            "/assistants",
            {"tools": [{"type": "file_search", "file_search": {"max_num_results": 51}}]},
            "tools[0].file_search.max_num_results",
        ),
        ("/assistants", {"response_format": 5}, "response_format"),
        (
            "/assistants",
            {"response_format": {"type": "json_schema", "json_schema": "x"}},
            "response_format.json_schema",
        ),
        ("/assistants", {"response_format": "yaml"}, "response_format"),
        (
            "/assistants",
            {"tool_resources": {"code_interpreter": {"file_ids": [1]}}},
            "tool_resources.code_interpreter.file_ids[0]",
        ),
        ("/assistants", {"tool_resources": "x"}, "tool_resources"),
        ("/assistants", {"reasoning_effort": 3}, "reasoning_effort"),
        ("/assistants", {"reasoning_effort": ""}, "reasoning_effort"),
        ("/threads", {"messages": ["x"]}, "messages[0]"),
        ("/threads", {"messages": [{"role": "user", "content": ["x"]}]}, "messages[0].content[0]"),
        (
            "/threads",
            {
                "messages": [
                    {"role": "user", "content": [{"type": "image_file", "image_file": "x"}]}
                ]
            },
            "messages[0].content[0].image_file",
        ),
        (
            "/threads",
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "image_url", "image_url": {"url": "u", "detail": "max"}}
                        ],
                    }
                ]
            },
            "messages[0].content[0].image_url.detail",
        ),
        (
            "/threads",
            {"messages": [{"role": "user", "content": "x", "attachments": ["x"]}]},
            "messages[0].attachments[0]",
        ),
        (
            "/threads",
            {
                "messages": [
                    {
                        "role": "user",
                        "content": "x",
                        "attachments": [{"file_id": "f", "tools": [{"type": "web"}]}],
                    }
                ]
            },
            "messages[0].attachments[0].tools[0].type",
        ),
        ("/threads", {"messages": [{"role": "user", "content": "x", "metadata": "x"}]}, "metadata"),
        (
            "/threads",
            {"tool_resources": {"file_search": {"vector_store_ids": "vs"}}},
            "tool_resources.file_search.vector_store_ids",
        ),
    ],
)
def test_wrong_shapes_of_nested_options(
    http: httpx2.Client, path: str, body: dict[str, Any], param: str
) -> None:
    if path == "/assistants":
        body = {"model": "gpt-4o", **body}
    error = _envelope(http.post(path, json=body))
    assert error["param"] == param, error
    assert error["message"]
    _lists_still_answer(http)


@pytest.fixture
def run_ids(http: httpx2.Client) -> tuple[str, str]:
    assistant = http.post("/assistants", json={"model": "gpt-4o"}).json()
    return assistant["id"], _thread(http)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"tool_choice": {"type": "function", "function": "x"}}, "tool_choice.function"),
        ({"tool_choice": {"type": "function"}}, "tool_choice.function"),
        (
            {"tool_choice": {"type": "function", "function": {"name": 1}}},
            "tool_choice.function.name",
        ),
        ({"tool_choice": 5}, "tool_choice"),
        ({"tool_choice": {"type": "browser"}}, "tool_choice.type"),
        ({"truncation_strategy": "x"}, "truncation_strategy"),
        (
            {"truncation_strategy": {"type": "last_messages", "last_messages": "3"}},
            "truncation_strategy.last_messages",
        ),
        (
            {"additional_messages": [{"role": "user", "content": [{"type": "text"}]}]},
            "additional_messages[0].content[0].text",
        ),
        ({"stream": "yes"}, "stream"),
        ({"model": ["gpt-4o"]}, "model"),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "strict": "no"}}]},
            "tools[0].function.strict",
        ),
    ],
)
def test_wrong_shapes_of_run_options(
    http: httpx2.Client, run_ids: tuple[str, str], body: dict[str, Any], param: str
) -> None:
    assistant_id, thread_id = run_ids
    error = _envelope(
        http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id, **body})
    )
    assert error["param"] == param, error
    # Nothing was started: the thread is free for a good run.
    good = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id})
    assert good.status_code == 200, good.text


def test_wrong_shapes_of_thread_and_run(http: httpx2.Client, run_ids: tuple[str, str]) -> None:
    assistant_id, _ = run_ids
    for body, param in [
        ({"thread": "x"}, "thread"),
        ({"thread": {"messages": [{"role": "user", "content": 5}]}}, "thread.messages[0].content"),
        ({"thread": {"messages": [{"role": "user", "content": "x"}], "bogus": 1}}, None),
    ]:
        error = _envelope(http.post("/threads/runs", json={"assistant_id": assistant_id, **body}))
        assert error["param"] == param, error
    assert error["message"] == "Unrecognized request argument supplied: thread.bogus"


def test_wrong_shapes_of_tool_outputs(http: httpx2.Client, run_ids: tuple[str, str]) -> None:
    assistant_id, thread_id = run_ids
    run = http.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id}).json()
    path = f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs"
    for outputs, param in [
        ("x", "tool_outputs"),
        (["x"], "tool_outputs[0]"),
        ([{"tool_call_id": 5, "output": "1"}], "tool_outputs[0].tool_call_id"),
        ([{"output": "1"}], "tool_outputs[0].tool_call_id"),
        ([{"tool_call_id": "call_1", "output": 18}], "tool_outputs[0].output"),
    ]:
        error = _envelope(http.post(path, json={"tool_outputs": outputs}))
        assert error["param"] == param, error


# -- limit --------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["5_0", "+7", "\u0665", "\uff17", " 5", "5 ", "0x10", "5.0", ""])
def test_limit_takes_only_ascii_digits(http: httpx2.Client, limit: str) -> None:
    error = _envelope(http.get("/assistants", params={"limit": limit}))
    assert error["code"] == "invalid_type"
    assert error["param"] == "limit"


def test_limit_in_range_still_works(http: httpx2.Client) -> None:
    for _ in range(3):
        http.post("/assistants", json={"model": "gpt-4o"})
    assert len(http.get("/assistants", params={"limit": "2"}).json()["data"]) == 2
    assert _envelope(http.get("/assistants", params={"limit": "-1"}))["code"] == (
        "integer_below_min_value"
    )
    assert _envelope(http.get("/assistants", params={"limit": "1" * 30}))["code"] == (
        "integer_above_max_value"
    )


# -- found by the fuzzer ------------------------------------------------------------------------


def test_null_members_of_tool_resources_are_left_out(http: httpx2.Client) -> None:
    body = {"tool_resources": {"code_interpreter": None, "file_search": {"vector_store_ids": None}}}
    created = http.post("/threads", json=body)
    assert created.status_code == 200, created.text
    assert created.json()["tool_resources"] == {"file_search": {"vector_store_ids": []}}
    assistant = http.post("/assistants", json={"model": "gpt-4o", **body})
    assert assistant.status_code == 200, assistant.text
    assert assistant.json()["tool_resources"] == {"file_search": {"vector_store_ids": []}}


def test_permissive_mode_checks_metadata_in_full() -> None:
    """Its objects must stay valid for the SDK's typed models and our schemas."""
    api = AssistantsAPI(dataclasses.replace(TEST_CONFIG, permissive=True))
    transport = InProcessTransport(api)
    with httpx2.Client(
        base_url="http://harness.invalid/v1", headers=HEADERS, transport=transport
    ) as client:
        many = {f"k{i}": "v" for i in range(20)}
        _envelope(client.post("/assistants", json={"model": "m", "metadata": many}))
        error = _envelope(client.post("/assistants", json={"model": "m", "metadata": {"k": None}}))
        assert error["param"] == "metadata.k"
        assert client.get("/assistants").status_code == 200
