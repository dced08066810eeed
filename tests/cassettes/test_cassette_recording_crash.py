"""The recorder appends in constant time and survives SIGKILL at any moment.

A real ``harness record`` (the CLI's code path) runs in a child process forked from a
forkserver that has harness preloaded (a fresh interpreter per kill would cost seconds each);
a client sends requests through it and notes every exchange it got whole; the child is killed
at a random moment. After each kill the cassette loads and holds every answered exchange; the
next start removes a killed save's temp files and repairs a torn tail, after which vcrpy itself
reads the file.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import random
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx2
import pytest
import vcr.serialize
from aiohttp import web
from vcr.serializers import yamlserializer

from harness.cassettes import Interaction, Request, Response, load_cassette
from harness.cassettes._appender import MARKER, CassetteAppender, leftover_temp_files, recover
from harness.cli import _COMMANDS

KILLS = 30


class _Pipe(io.TextIOBase):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def write(self, text: str) -> int:
        self.connection.send(text)
        return len(text)


def _record(upstream: str, cassette: str, connection: Connection) -> None:
    """The child: ``harness record`` with its banner sent through ``connection``."""
    import sys

    from harness.cli import main

    sys.stdout = _Pipe(connection)
    main(["record", "--upstream", upstream, "--cassette", cassette])


def _upstream() -> web.Application:
    async def echo(request: web.Request) -> web.Response:
        body = await request.json()
        # Some answers span many pages, so a kill can land inside the write of one.
        return web.json_response({"object": "echo", "n": body["n"], "pad": "x" * body["size"]})

    app = web.Application()
    app.router.add_post("/v1/echo", echo)
    return app


def _drive(
    base_url: str, first: int, answered: list[int], stop: threading.Event, rng: random.Random
) -> None:
    with httpx2.Client(timeout=10) as client:
        number = first
        while not stop.is_set():
            size = rng.choice([10, 1_000, 1_000, 200_000])
            try:
                response = client.post(f"{base_url}/v1/echo", json={"n": number, "size": size})
                if response.status_code == 200 and response.json()["n"] == number:
                    answered.append(number)
            except httpx2.HTTPError:
                return  # the proxy is gone
            number += 1


@pytest.fixture(scope="module")
def forkserver() -> Any:
    context = multiprocessing.get_context("forkserver")
    commands = [f"harness.cli.{name}" for name in _COMMANDS]  # main() imports them all
    context.set_forkserver_preload(["__main__", *commands, __name__])
    return context


def test_sigkill_at_random_points_loses_no_answered_exchange(
    tmp_path: Path, forkserver: Any, serve_in_thread: Callable[[web.Application], Any]
) -> None:
    upstream = serve_in_thread(_upstream()).url
    rng = random.Random(20261201)
    total = 0
    answered_before: set[int] = set()  # request n of round r carries r * 10_000 + n
    for round_ in range(KILLS):
        # Each cassette is killed three times: two restarts must repair and extend it.
        cassette = tmp_path / f"crash{round_ // 3}.yaml"
        if round_ % 3 == 0:
            answered_before = set()
        if round_ % 5 == 2:  # what a save killed half-way leaves behind
            (tmp_path / f".{cassette.name}.{round_:032x}.tmp").write_text("version: 1\ninter")
        receiver, sender = forkserver.Pipe(duplex=False)
        child = forkserver.Process(target=_record, args=(upstream, str(cassette), sender))
        child.start()
        assert receiver.poll(60), "the recorder did not start"
        banner = receiver.recv()
        assert not leftover_temp_files(cassette), "a temp file survived the start"
        if cassette.exists():  # the start repaired any torn tail: vcrpy reads the file
            requests, _ = vcr.serialize.deserialize(cassette.read_text(), yamlserializer)
            assert len(requests) >= len(answered_before)
        base_url = banner.split()[2].removesuffix("/v1")
        answered: list[int] = []
        stop = threading.Event()
        driver = threading.Thread(
            target=_drive,
            args=(base_url, round_ * 10_000, answered, stop, random.Random(round_)),
        )
        driver.start()
        # A random point: after a random number of answers (load-independent), plus jitter.
        wanted = rng.randrange(0, 6)
        for _ in range(1000):
            if len(answered) >= wanted or not driver.is_alive():
                break
            stop.wait(0.01)
        stop.wait(rng.uniform(0.0, 0.02))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        stop.set()
        driver.join()
        # Loads right after the kill (a torn last item is left out), holding every answer.
        recorded = (
            {i.request.json()["n"] for i in load_cassette(cassette).interactions}
            if cassette.exists()
            else set()
        )
        answered_before |= set(answered)
        missing = answered_before - recorded
        assert not missing, f"round {round_}: answered but not recorded: {sorted(missing)}"
        total += len(answered)
    assert total > KILLS  # the kills did land between exchanges too


def test_appending_is_one_write_of_the_new_item(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    item = Interaction(
        Request("POST", "http://h/v1/threads", body='{"a":1}'), Response(200, body="{}")
    )
    with CassetteAppender(path) as appender:
        appender.append(item).result()
        size = path.stat().st_size
        for _ in range(50):
            appender.append(item).result()
        # Every append grew the file by one item's bytes; nothing before it was rewritten.
        assert path.stat().st_size == size + 50 * (size - len(b"version: 1\ninteractions:\n"))
    assert len(load_cassette(path)) == 51


def test_a_torn_tail_is_cut_and_other_layouts_are_converted_once(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    item = Interaction(Request("GET", "http://h/v1/x"), Response(200, body='{"ok":true}'))
    with CassetteAppender(path) as appender:
        appender.append(item)
        appender.append(item)
    whole = path.read_bytes()
    with path.open("ab") as handle:
        handle.write(b"- request:\n    method: POST\n    uri: http://h/v1/torn\n    body: '{\"a")
    assert len(load_cassette(path)) == 2  # the complete part loads
    assert recover(path) == 2
    assert path.read_bytes() == whole
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    from harness.cassettes import Cassette, save_cassette

    save_cassette(Cassette([item]), path)
    assert not path.read_bytes().endswith(MARKER)
    assert recover(path) == 1
    assert path.read_bytes().endswith(MARKER)
    assert len(load_cassette(path)) == 1
