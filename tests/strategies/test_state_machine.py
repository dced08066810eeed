"""Random legal and illegal operations against the fake server, checked against a model.

The model knows each run's last status (the fake only moves a run when it is shown to the
client, so what we saw is what it is) and so which threads are locked. Invariants: no 500,
every body valid for its schema, every error in the envelope, every status change reachable
in :mod:`harness.lifecycle`, terminal runs frozen, locked threads refuse messages and runs.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
)

from harness import AssistantsAPI, ServerConfig, lifecycle, schemas
from harness.core import ApiRequest
from harness.scenario import ContractRules
from harness.strategies import ids, metadata

HEADERS = {
    "authorization": "Bearer sk-test",
    "openai-beta": "assistants=v2",
    "content-type": "application/json",
}
TOOL = {"type": "function", "function": {"name": "get_weather"}}
FORCED = {"type": "function", "function": {"name": "get_weather"}}
RULES = ContractRules()
POLL_LIMITS = {
    "poll_after_terminal": RULES.max_polls_after_terminal,
    "poll_requires_action": RULES.max_polls_requires_action,
}


class FakeServerMachine(RuleBasedStateMachine):
    threads = Bundle("threads")
    runs = Bundle("runs")

    def __init__(self) -> None:
        super().__init__()
        self.api = AssistantsAPI(ServerConfig(validate_responses=True))
        self.status: dict[str, str] = {}
        """run id → the last status the server showed."""
        self.thread_of: dict[str, str] = {}
        self.messages: dict[str, list[str]] = {}
        """thread id → its message ids, oldest first."""
        self.calls: dict[str, list[str]] = {}
        """run id → the call ids it waits for (while requires_action)."""
        self.assistant = ""
        self.requests = 0
        """Requests sent so far (all from one caller)."""
        self.streak: tuple[str, str, int, int] | None = None
        """(run id, status, length, request number) of the current run of retrievals of one
        run already shown finished or waiting for outputs, with nothing else between."""
        self.deleted: set[str] = set()
        """Deleted threads: their runs answer 404."""

    # -- the wire ----------------------------------------------------------------------------

    def call(
        self, method: str, path: str, body: Any = None, query: tuple[tuple[str, str], ...] = ()
    ) -> tuple[int, Any]:
        raw = b"" if body is None else json.dumps(body).encode()
        self.requests += 1
        response = self.api.handle(ApiRequest(method, path, query, HEADERS, raw))
        assert response.status != 500, response.body
        if response.status >= 400:
            schemas.validate("error", response.body)
            assert set(response.body["error"]) == {"message", "type", "param", "code"}
        else:
            kind = schemas.kind_of(response.body)
            assert kind is not None, response.body
            schemas.validate(kind, response.body)
        return response.status, response.body

    def seen(self, run: dict[str, Any]) -> None:
        """Check a run snapshot against the model, then remember it."""
        run_id, status = run["id"], run["status"]
        before = self.status.get(run_id)
        if before is not None and before != status:
            assert not lifecycle.is_terminal(before), (
                f"{run_id} left terminal {before} for {status}"
            )
            assert lifecycle.is_reachable(before, status), f"{run_id}: {before} › {status}"
        self.status[run_id] = status
        event(f"run seen {status}")
        if status == "requires_action":
            action = run["required_action"]["submit_tool_outputs"]["tool_calls"]
            self.calls[run_id] = [call["id"] for call in action]
        else:
            # Only a requires_action run asks for outputs (cancelling clears it too).
            assert run["required_action"] is None
            self.calls.pop(run_id, None)

    def locked(self, thread_id: str) -> bool:
        return any(
            self.thread_of[run_id] == thread_id and lifecycle.locks_thread(status)
            for run_id, status in self.status.items()
        )

    def run_path(self, run_id: str) -> str:
        return f"/threads/{self.thread_of[run_id]}/runs/{run_id}"

    def gone(self, run_id: str, status: int, body: Any, *, polled: bool = False) -> bool:
        """Whether the retrieval was refused: a deleted thread (404), or a polling loop that
        can never end (400): the same run retrieved in a row past the contract's limit while
        it was already shown finished, or waiting for tool outputs."""
        if self.thread_of[run_id] in self.deleted:
            assert status == 404
            assert body["error"]["message"].startswith("No thread found")
            return True
        before = self.status.get(run_id, "")
        if polled and (lifecycle.is_terminal(before) or before == "requires_action"):
            rule = "poll_requires_action" if before == "requires_action" else "poll_after_terminal"
            length = 1
            if self.streak is not None:
                last_run, last_status, last_length, last_request = self.streak
                if (last_run, last_status, last_request) == (run_id, before, self.requests - 1):
                    length = last_length + 1
            self.streak = (run_id, before, length, self.requests)
            limit = POLL_LIMITS[rule]
            if status == 400 and body["error"]["code"] == rule:
                event(f"polling loop refused: {rule}")
                assert length > limit, f"{run_id} refused after {length} polls in a row"
                return True
            assert length <= limit, f"{run_id} still answered after {length} polls in a row"
        return False

    # -- rules ---------------------------------------------------------------------------------

    @initialize(target=threads)
    def create_assistant_and_thread(self) -> str:
        status, body = self.call(
            "POST", "/assistants", {"model": "gpt-4o", "instructions": "Be brief.", "tools": [TOOL]}
        )
        assert status == 200
        self.assistant = body["id"]
        return str(self.create_thread({}))

    @rule(target=threads, pairs=metadata(3))
    def create_thread(self, pairs: dict[str, str]) -> str:
        status, body = self.call("POST", "/threads", {"metadata": pairs})
        assert status == 200
        assert body["metadata"] == pairs
        self.messages[body["id"]] = []
        return str(body["id"])

    @rule(thread=threads, text=st.text(min_size=1, max_size=20))
    def add_message(self, thread: str, text: str) -> None:
        status, body = self.call(
            "POST", f"/threads/{thread}/messages", {"role": "user", "content": text}
        )
        if self.locked(thread):
            event("message refused: thread locked")
            assert status == 400
            assert "while a run" in body["error"]["message"]
        else:
            assert status == 200
            assert body["content"][0]["text"]["value"] == text
            self.messages[thread].append(body["id"])

    @rule(target=runs, thread=threads, forced=st.booleans())
    def create_run(self, thread: str, forced: bool) -> Any:
        request: dict[str, Any] = {"assistant_id": self.assistant}
        if forced:
            request["tool_choice"] = FORCED
        status, body = self.call("POST", f"/threads/{thread}/runs", request)
        if self.locked(thread):
            assert status == 400
            assert "already has an active run" in body["error"]["message"]
            return multiple()
        assert status == 200
        assert body["status"] == "queued"
        self.thread_of[body["id"]] = thread
        self.seen(body)
        return body["id"]

    @rule(target=runs, thread=threads)
    def run_waiting_for_tools(self, thread: str) -> Any:
        """A forced tool call, polled to requires_action (when the thread is free)."""
        created = self.create_run(thread, forced=True)
        if isinstance(created, str):
            self.poll_run(created)
            assert self.status[created] == "requires_action"
        return created

    @rule(run=runs)
    def retrieve_run(self, run: str) -> None:
        status, body = self.call("GET", self.run_path(run))
        if self.gone(run, status, body, polled=True):
            return
        assert status == 200
        self.seen(body)

    @rule(run=runs)
    def poll_run(self, run: str) -> None:
        """Retrieve until the run stops for the client (as the SDK's poll helpers do)."""
        for _ in range(20):
            status, body = self.call("GET", self.run_path(run))
            if self.gone(run, status, body, polled=True):
                return
            self.seen(body)
            if body["status"] in lifecycle.POLL_STOP_STATUSES:
                return
        raise AssertionError(f"{run} never stopped: {self.status[run]}")

    @rule(run=runs, times=st.integers(1, 14))
    def poll_in_a_loop(self, run: str, times: int) -> None:
        """A loop that retrieves one run whatever it shows (a hang, once past a limit)."""
        for _ in range(times):
            status, body = self.call("GET", self.run_path(run))
            if self.gone(run, status, body, polled=True):
                return
            assert status == 200
            self.seen(body)

    @rule(run=runs, right=st.booleans())
    def submit_tool_outputs(self, run: str, right: bool) -> None:
        waiting = self.status.get(run) == "requires_action"
        call_ids = self.calls.get(run, []) if right else ["call_wrong"]
        outputs = [{"tool_call_id": call_id, "output": "18"} for call_id in call_ids]
        status, body = self.call(
            "POST", f"{self.run_path(run)}/submit_tool_outputs", {"tool_outputs": outputs}
        )
        if self.gone(run, status, body):
            return
        event(f"submit: waiting={waiting} right={right}")
        if waiting and right:
            assert status == 200
            assert body["status"] == "queued"
            self.seen(body)
        else:
            assert status == 400
            expected = "Expected tool outputs" if waiting else "do not accept tool outputs"
            assert expected in body["error"]["message"]

    @rule(run=runs)
    def cancel(self, run: str) -> None:
        before = self.status.get(run, "")
        status, body = self.call("POST", f"{self.run_path(run)}/cancel")
        if self.gone(run, status, body):
            return
        if lifecycle.is_terminal(before):
            assert status == 400
            assert body["error"]["message"] == f"Cannot cancel run with status '{before}'."
        else:
            assert status == 200
            assert body["status"] == "cancelling"
            self.seen(body)

    @rule(
        thread=threads,
        limit=st.integers(-1, 102),
        order=st.sampled_from(["asc", "desc"]),
    )
    def list_messages(self, thread: str, limit: int, order: str) -> None:
        query = (("limit", str(limit)), ("order", order))
        status, body = self.call("GET", f"/threads/{thread}/messages", query=query)
        if not 1 <= limit <= 100:
            assert status == 400
            assert body["error"]["param"] == "limit"
            return
        assert status == 200
        expected = self.messages[thread] if order == "asc" else self.messages[thread][::-1]
        pages = [body]
        while pages[-1]["has_more"]:
            after = pages[-1]["last_id"]
            _, page = self.call(
                "GET", f"/threads/{thread}/messages", query=(*query, ("after", after))
            )
            pages.append(page)
        walked = [m for page in pages for m in page["data"]]
        assert [m["id"] for m in walked if m["role"] == "user"] == expected
        for message in walked:
            if message["role"] == "assistant":  # posted by one of the thread's runs
                assert self.thread_of.get(message["run_id"]) == thread
        assert all(len(page["data"]) <= limit for page in pages)

    @rule(thread=consumes(threads))
    def delete_thread(self, thread: str) -> None:
        status, body = self.call("DELETE", f"/threads/{thread}")
        assert status == 200
        assert body == {"id": thread, "object": "thread.deleted", "deleted": True}
        status, _ = self.call("GET", f"/threads/{thread}")
        assert status == 404
        self.deleted.add(thread)
        for run_id in [r for r, t in self.thread_of.items() if t == thread]:
            self.status.pop(run_id, None)

    @rule(kind=st.sampled_from(["thread", "run", "msg"]), tail=ids("x"))
    def unknown_ids_are_404(self, kind: str, tail: str) -> None:
        missing = f"{kind}_{tail[2:]}"
        path = {
            "thread": f"/threads/{missing}",
            "run": f"/threads/thread_none/runs/{missing}",
            "msg": f"/threads/thread_none/messages/{missing}",
        }[kind]
        status, body = self.call("GET", path)
        assert status == 404
        assert "No " in body["error"]["message"]

    @rule(bad=st.sampled_from(["undefined", "asst_1", "run_1"]))
    def wrong_prefix_is_400(self, bad: str) -> None:
        status, body = self.call("GET", f"/threads/{bad}")
        assert status == 400
        assert body["error"]["message"].endswith("Expected an ID that begins with 'thread'.")

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def timelines_follow_the_lifecycle(self) -> None:
        for run_id, statuses in self.api.state.journal.timelines.items():
            assert lifecycle.check_sequence(statuses) == [], (run_id, statuses)

    @invariant()
    def at_most_one_active_run_per_thread(self) -> None:
        active = [
            self.thread_of[run_id]
            for run_id, status in self.status.items()
            if lifecycle.locks_thread(status)
        ]
        assert len(active) == len(set(active))


FakeServerMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestFakeServerMachine = FakeServerMachine.TestCase
