"""Zero 500s: hypothesis sends malformed and odd-but-well-formed requests to every route.

Every route of the core's router, with every method (also ones the route lacks), real and odd
ids, odd queries, bodies that are garbage, not JSON, NaN, deeply nested, wrongly encoded, or
valid bodies with fields swapped for arbitrary JSON of the right or wrong shape. Every answer
must be a strict-JSON body (an envelope when it is an error) with a status below 500, streams
included; afterwards, ordinary requests on the same server still answer (nothing poisoned).

Every 200 (and every stream event) is also checked against the JSON Schemas: a 200 carrying a
malformed object is as wrong as a 500. ``HARNESS_FUZZ_EXAMPLES=5000`` runs a deeper search
locally (the default keeps the suite fast). Under CI hypothesis's ``ci`` profile derandomizes it.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import AssistantsAPI, FakeServer, ServerConfig, schemas
from harness.core.handlers import build_router
from harness.core.http import ApiRequest, ApiResponse, SSEEvent
from harness.scenario import load_scenario

# Schema checks only on the fuzzed answers (below), not on seeding and health checks: speed.
CONFIG = ServerConfig(poll_after_ms=0)

EXAMPLES = int(os.environ.get("HARNESS_FUZZ_EXAMPLES", "150"))
ROUTES = build_router().routes()
METHODS = ("GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS")
AUTH = {"authorization": "Bearer sk-test", "openai-beta": "assistants=v2"}

# -- values -------------------------------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        "a\udfffb",
        "\u202e",
        "💥",
        "é",
        "%ff",
        "../",
        "a/b",
        "\n",
        "x" * 300,
    ]
)
TEXT = st.text(max_size=12) | ODD_TEXT
NUMBER = st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
SCALAR = st.none() | st.booleans() | NUMBER | TEXT
JSON = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def _shaped(kinds: list[str], **members: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """An object with a plausible ``type`` and members of any shape: the validators' food."""
    return st.fixed_dictionaries(
        {"type": st.sampled_from(kinds) | JSON},
        optional={name: strategy | JSON for name, strategy in members.items()},
    )


FUNCTION = st.fixed_dictionaries(
    {"name": st.sampled_from(["get_weather", "f-1", "a b"]) | JSON},
    optional={"description": JSON, "parameters": JSON, "strict": JSON},
)
TOOL = _shaped(
    ["function", "file_search", "code_interpreter", "browser"],
    function=FUNCTION,
    file_search=st.fixed_dictionaries(
        {}, optional={"max_num_results": JSON, "ranking_options": JSON}
    ),
)
BLOCK = _shaped(["text", "image_file", "image_url"], text=JSON, image_file=JSON, image_url=JSON)
MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system"]) | JSON},
    optional={
        "content": TEXT | st.lists(BLOCK, max_size=2) | JSON,
        "attachments": st.lists(JSON, max_size=2) | JSON,
        "metadata": JSON,
    },
)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "tools": st.lists(TOOL, max_size=2),
    "tool_choice": st.sampled_from(["none", "auto", "required", "x"])
    | _shaped(["function", "file_search"], function=FUNCTION),
    "messages": st.lists(MESSAGE, max_size=2),
    "additional_messages": st.lists(MESSAGE, max_size=2),
    "thread": st.fixed_dictionaries(
        {}, optional={"messages": st.lists(MESSAGE, max_size=2), "metadata": JSON}
    ),
    "content": TEXT | st.lists(BLOCK, max_size=2),
    "metadata": st.dictionaries(TEXT, TEXT | JSON, max_size=3),
    "tool_outputs": st.lists(
        st.fixed_dictionaries({}, optional={"tool_call_id": JSON, "output": JSON}), max_size=2
    ),
    "truncation_strategy": _shaped(["auto", "last_messages"], last_messages=JSON),
    "response_format": st.just("auto") | _shaped(["json_schema", "text"], json_schema=JSON),
    "tool_resources": st.fixed_dictionaries(
        {}, optional={"code_interpreter": JSON, "file_search": JSON}
    ),
    "stream": st.booleans(),
}
ASSISTANT_FIELDS = [
    *("model", "name", "description", "instructions", "tools", "tool_resources", "metadata"),
    *("temperature", "top_p", "response_format", "reasoning_effort"),
]
RUN_FIELDS = [
    *("assistant_id", "model", "instructions", "additional_instructions", "tools", "metadata"),
    *("additional_messages", "temperature", "top_p", "stream", "max_prompt_tokens"),
    *("max_completion_tokens", "truncation_strategy", "tool_choice", "parallel_tool_calls"),
    *("response_format", "reasoning_effort"),
]
# What a valid body of each operation looks like, and the fields worth fuzzing there. Routes
# added later (files, vector stores) get the union of all fields and an empty base.
BODIES: dict[tuple[str, str], tuple[dict[str, Any], list[str]]] = {
    ("POST", "/assistants"): ({"model": "gpt-4o"}, ASSISTANT_FIELDS),
    ("POST", "/assistants/{assistant_id}"): ({}, ASSISTANT_FIELDS),
    ("POST", "/threads"): ({}, ["messages", "tool_resources", "metadata"]),
    ("POST", "/threads/{thread_id}"): ({}, ["tool_resources", "metadata"]),
    ("POST", "/threads/{thread_id}/messages"): (
        {"role": "user", "content": "hi"},
        ["role", "content", "attachments", "metadata"],
    ),
    ("POST", "/threads/{thread_id}/messages/{message_id}"): ({}, ["metadata"]),
    ("POST", "/threads/{thread_id}/runs"): ({"assistant_id": "{assistant_id}"}, RUN_FIELDS),
    ("POST", "/threads/runs"): (
        {"assistant_id": "{assistant_id}"},
        [*RUN_FIELDS, "thread", "tool_resources"],
    ),
    ("POST", "/threads/{thread_id}/runs/{run_id}"): ({}, ["metadata"]),
    ("POST", "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs"): (
        {"tool_outputs": []},
        ["tool_outputs", "stream"],
    ),
}
ALL_FIELDS = sorted({name for _, names in BODIES.values() for name in names})

BAD_JSON = st.sampled_from(
    [
        b"",
        b"{",
        b"[1, 2]",
        b'"text"',
        b"null",
        b'{"model": NaN}',
        b'{"temperature": Infinity}',
        b'{"top_p": -Infinity}',
        b'{"temperature": 1e999}',
        b'{"model": "gpt-4o", "name": "\\ud800"}',
        b'{"model": "gpt-4o", "metadata": {"\\udfff": "v"}}',
        b"[" * 2000 + b"]" * 2000,
        b'{"a": ' * 200 + b"1" + b"}" * 200,
        b"\xff\xfe{}",
        '{"model": "gpt-4o"}'.encode("utf-16"),
    ]
)


@dataclass
class Ids:
    """The real objects of the seeded server, so fuzzed paths also reach existing ones."""

    values: dict[str, list[str]] = field(default_factory=dict)

    def fill(self, template: str, chosen: dict[str, str]) -> str:
        for name, value in chosen.items():
            template = template.replace("{" + name + "}", value)
        return template


@dataclass(frozen=True)
class Fuzzed:
    method: str
    path: str
    """With ``{name}`` placeholders, filled from the seeded ids at send time unless odd."""
    odd_ids: dict[str, str]
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    body: bytes


@st.composite
def fuzzed_requests(draw: st.DrawFn) -> Fuzzed:
    method, pattern = draw(st.sampled_from(ROUTES))
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(METHODS))
    odd_ids = {
        name: draw(TEXT | st.sampled_from(["asst_x", "thread_x", "run_x", "msg_x", "step_x"]))
        for name in _placeholders(pattern)
        if draw(st.integers(0, 4)) == 0
    }
    query = tuple(
        draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["limit", "order", "after", "before", "include[]", "run_id"])
                    | TEXT,
                    st.sampled_from(["5_0", "+7", "\u0665", "-1", "0", "101", "20", "asc", "x"])
                    | TEXT,
                ),
                max_size=3,
            )
        )
    )
    headers = dict(AUTH)
    base, names = BODIES.get((method, pattern), ({}, ALL_FIELDS))
    mode = draw(st.integers(0, 9))
    if mode == 0:
        body = draw(BAD_JSON)
    elif mode == 1:
        body = draw(st.binary(max_size=40))
    else:
        data = {key: value for key, value in base.items() if draw(st.integers(0, 5))}
        for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
            data[name] = draw(FIELD_VALUES.get(name, JSON) | JSON)
        if draw(st.integers(0, 19)) == 0:
            data[draw(TEXT)] = draw(JSON)  # an unknown key
        body = json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
        coding = draw(st.sampled_from([None, None, None, "gzip", "bad-gzip", "br", "compress"]))
        if coding == "gzip":
            body, headers["content-encoding"] = gzip.compress(body), "gzip"
        elif coding is not None:
            headers["content-encoding"] = "gzip" if coding == "bad-gzip" else coding
    if draw(st.integers(0, 29)) == 0:
        headers.pop(draw(st.sampled_from(sorted(AUTH))))
    return Fuzzed(method, pattern, odd_ids, query, headers, body)


def _placeholders(pattern: str) -> list[str]:
    return [part[1:-1] for part in pattern.split("/") if part.startswith("{")]


# -- checking answers ---------------------------------------------------------------------------


def _strict_json(raw: bytes) -> Any:
    def refuse(token: str) -> Any:
        raise AssertionError(f"the fake emitted {token}, which is not JSON")

    return json.loads(raw.decode("utf-8"), parse_constant=refuse)


def _check_body(status: int, raw: bytes, label: str) -> Any:
    assert status < 500, f"{label}: {status} {raw[:500]!r}"
    body = _strict_json(raw)
    if status == 200 and isinstance(body, dict) and (kind := schemas.kind_of(body)) is not None:
        schemas.validate(kind, body)  # a malformed object is as wrong as a 500
    if status >= 400:
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"message", "type", "param", "code"}, body
        assert isinstance(body["error"]["message"], str)
        assert body["error"]["message"]
    return body


def _check_core(response: ApiResponse, label: str) -> None:
    if response.content is not None:  # a file download: raw bytes, never an error
        assert response.status == 200, label
        assert response.media_type != "application/json", label
        return
    if response.stream is None:
        _check_body(response.status, response.encoded_body(), label)
        return
    assert response.status == 200
    for item in response.stream:
        if isinstance(item, SSEEvent):
            wire = item.encode().decode("utf-8")
            data = wire.split("data: ", 1)[1].strip()
            if data != "[DONE]":
                schemas.validate(
                    "stream_event", {"event": item.event, "data": _strict_json(data.encode())}
                )


# -- the seeded server and the health check -----------------------------------------------------


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def _seed(send: Any) -> Ids:
    """An assistant with a tool, a thread with a message, a run with steps (finished, or
    waiting for tool outputs when a tool-call scenario plays)."""
    assistant = send("POST", "/assistants", {"model": "gpt-4o", "name": "fuzz", "tools": [WEATHER]})
    thread = send("POST", "/threads", {"messages": [{"role": "user", "content": "Hi"}]})
    messages = send("GET", f"/threads/{thread['id']}/messages", None)
    run = send("POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    for _ in range(3):
        send("GET", f"/threads/{thread['id']}/runs/{run['id']}", None)
    steps = send("GET", f"/threads/{thread['id']}/runs/{run['id']}/steps", None)
    return Ids(
        {
            "assistant_id": [assistant["id"]],
            "thread_id": [thread["id"]],
            "message_id": [messages["data"][0]["id"]],
            "run_id": [run["id"]],
            "step_id": [step["id"] for step in steps["data"]] or ["step_none"],
        }
    )


def _still_healthy(send: Any, api: AssistantsAPI) -> None:
    """Ordinary requests answer after the fuzzing: nothing stored poisons any list or read."""
    thread = send("POST", "/threads", {"messages": [{"role": "user", "content": "Hi"}]})
    assert send("POST", "/assistants", {"model": "gpt-4o"})["object"] == "assistant"
    for order in ("asc", "desc"):
        send("GET", "/assistants", None, {"limit": "100", "order": order})
    store = api.state.store
    for thread_id in [thread["id"], *(t["id"] for t in store.threads.values())]:
        send("GET", f"/threads/{thread_id}", None)
        send("GET", f"/threads/{thread_id}/messages", None, {"limit": "100"})
        for run in send("GET", f"/threads/{thread_id}/runs", None, {"limit": "100"})["data"]:
            send("GET", f"/threads/{thread_id}/runs/{run['id']}/steps", None, {"limit": "100"})


def _chosen(ids: Ids, request: Fuzzed) -> dict[str, str]:
    chosen = {name: values[0] for name, values in ids.values.items()}
    chosen.update(request.odd_ids)
    return chosen


# -- in-process: many examples ------------------------------------------------------------------


def _core_sender(api: AssistantsAPI) -> Any:
    def send(method: str, path: str, body: Any, query: dict[str, str] | None = None) -> Any:
        response = api.handle(
            ApiRequest(
                method,
                path,
                query=tuple((query or {}).items()),
                headers=dict(AUTH),
                body=b"" if body is None else json.dumps(body).encode(),
            )
        )
        assert response.status == 200, (path, response.body)
        return _strict_json(response.encoded_body())

    return send


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.sampled_from(["strict", "permissive", "tool-call"]),
    st.lists(fuzzed_requests(), min_size=1, max_size=4),
)
def test_fuzzed_requests_in_process_never_500(mode: str, requests: list[Fuzzed]) -> None:
    """Strict and permissive servers, and one whose run waits for tool outputs."""
    scenario = load_scenario("builtin:tool-call-then-completed") if mode == "tool-call" else None
    api = AssistantsAPI(dataclasses.replace(CONFIG, permissive=mode == "permissive"), scenario)
    send = _core_sender(api)
    ids = _seed(send)
    for request in requests:
        path = ids.fill(request.path, _chosen(ids, request))
        label = f"{request.method} {path}"
        response = api.handle(
            ApiRequest(request.method, path, request.query, dict(request.headers), request.body)
        )
        _check_core(response, label)
    _still_healthy(send, api)


# -- over HTTP: fewer examples, the real server and aiohttp's parsing ---------------------------


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[FakeServer]:
    with FakeServer(AssistantsAPI(CONFIG)) as server:
        yield server


@pytest.fixture(scope="module")
def http_client(fuzz_server: FakeServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=fuzz_server.base_url, timeout=10) as client:
        yield client


@settings(
    max_examples=max(EXAMPLES // 4, 10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(fuzzed_requests(), min_size=1, max_size=3))
def test_fuzzed_requests_over_http_never_500(
    fuzz_server: FakeServer, http_client: httpx2.Client, requests: list[Fuzzed]
) -> None:
    fuzz_server.api.load_scenario(None)

    def send(method: str, path: str, body: Any, query: dict[str, str] | None = None) -> Any:
        # Ids the permissive mode materialised may hold any character: escape each segment.
        url = "/".join(
            urllib.parse.quote(part, safe="", errors="surrogatepass") for part in path.split("/")
        )
        response = http_client.request(
            method, url.lstrip("/"), params=query, headers=AUTH, json=body
        )
        assert response.status_code == 200, (path, response.text)
        return _strict_json(response.content)

    ids = _seed(send)
    for request in requests:
        chosen = {
            name: urllib.parse.quote(value, safe="", errors="surrogatepass")
            for name, value in _chosen(ids, request).items()
        }
        path = ids.fill(request.path, chosen).lstrip("/")
        query = [
            (key.encode("utf-8", "surrogatepass"), value.encode("utf-8", "surrogatepass"))
            for key, value in request.query
        ]
        url = path + ("?" + urllib.parse.urlencode(query) if query else "")
        if not url:
            continue
        response = http_client.request(
            request.method, url, headers=request.headers, content=request.body
        )
        if request.method == "HEAD":
            assert response.status_code < 500
            continue
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            assert response.status_code == 200
            continue  # the whole stream was read by httpx2; the core checks its events
        if not response.headers.get("content-type", "").startswith("application/json"):
            assert response.status_code == 200, url  # a file download: raw bytes
            continue
        _check_body(response.status_code, response.content, f"{request.method} {url}")
    _still_healthy(send, fuzz_server.api)


def test_the_fuzzer_covers_every_route() -> None:
    """Every route of the router is a possible draw (new handlers are fuzzed automatically)."""
    assert {(m, p) for m, p in ROUTES} >= set(BODIES)
    assert len(ROUTES) >= 23
