"""Record and replay in-process SDK traffic through vcrpy, for clients built on ``httpx2``.

openai 3.x sends through ``httpx2``, not ``httpx``. vcrpy 8.2+ patches ``httpx2``'s transports
itself (``HTTPTransport.handle_request`` and friends, with the same stubs as for ``httpx``), so
this module adds no patch of its own: a second patch (say on ``Client._send_single_request``)
would sit above vcrpy's and record every request twice. What it adds is configuration:

* our matchers (method, path, query, JSON-aware body; never host or port),
* scrubbing in vcrpy's ``before_record_request`` / ``before_record_response`` hooks,
* a persister writing our readable, atomic, scrubbed format (and reading every vcrpy file),
* polling-aware replay: when the cassette is write-protected (``none``, or ``once`` with a
  file), a request whose recorded answers are all used gets the last one again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import vcr
import vcr.patch
from vcr.cassette import Cassette as VcrCassette
from vcr.cassette import CassetteContextDecorator
from vcr.errors import UnhandledHTTPRequestError
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request as VcrRequest

from harness.cassettes._matching import DEFAULT_MATCHERS, Matcher
from harness.cassettes._model import Cassette, Interaction, Request, Response
from harness.cassettes._scrub import DEFAULT_SCRUBBER, Scrubber
from harness.cassettes._vcr_format import load_cassette, save_cassette
from harness.errors import CassetteError, ConfigError

__all__ = ["RECORD_MODES", "RecordMode", "use_cassette"]

RecordMode = Literal["none", "once", "new_episodes", "all"]
RECORD_MODES: tuple[RecordMode, ...] = ("none", "once", "new_episodes", "all")


def use_cassette(
    path: str | Path,
    *,
    record_mode: RecordMode = "once",
    scrubber: Scrubber | None = DEFAULT_SCRUBBER,
    match_on: Sequence[Matcher] = DEFAULT_MATCHERS,
) -> Any:
    """A vcrpy cassette context (``with use_cassette(path) as cassette:``) for httpx2 clients.

    ``record_mode`` is vcrpy's: ``none`` replays only, ``once`` records when the file is
    missing, ``new_episodes`` replays what matches and records the rest, ``all`` re-records.
    """
    if record_mode not in RECORD_MODES:
        raise ConfigError(f"record_mode must be one of {', '.join(RECORD_MODES)}: {record_mode!r}")
    if "httpx2" not in getattr(vcr.patch, "PATCHER_NAMES", ()):
        raise CassetteError(
            f"vcrpy {getattr(vcr, '__version__', '?')} does not patch httpx2, which openai>=3 "
            "uses; vcrpy>=8.2 does"
        )
    config = vcr.VCR(
        record_mode=record_mode,
        match_on=[matcher.name for matcher in match_on],
        decode_compressed_response=True,
        before_record_request=_request_hook(scrubber) if scrubber else None,
        before_record_response=_response_hook(scrubber) if scrubber else None,
    )
    for matcher in match_on:
        config.register_matcher(matcher.name, _vcr_matcher(matcher))
    config.register_persister(_Persister(scrubber))
    arguments = functools.partial(config.get_merged_config, path=str(path))
    return CassetteContextDecorator(_StickyCassette, arguments)


class _StickyCassette(VcrCassette):  # type: ignore[misc]
    """vcrpy's cassette, answering again with the last match once all matches are played."""

    def __contains__(self, request: Any) -> bool:
        if super().__contains__(request):
            return True
        return bool(self.write_protected) and next(self._responses(request), None) is not None

    def play_response(self, request: Any) -> Any:
        try:
            return super().play_response(request)
        except UnhandledHTTPRequestError:
            if not self.write_protected:
                raise
            last = None
            for index, response in self._responses(request):
                last = index, response
            if last is None:
                raise
            self.play_counts[last[0]] += 1
            return last[1]


# --- conversions between vcrpy's objects and ours -------------------------------------------


def _from_vcr_request(request: Any) -> Request:
    body = getattr(request, "body_bytes", request.body)
    return Request(request.method, request.uri, list(request.headers.items()), body)


def _first_values(request: Request) -> dict[str, str]:
    """vcrpy keeps one value per request header: the first."""
    headers: dict[str, str] = {}
    for name, value in request.headers:
        headers.setdefault(name, value)
    return headers


def _to_vcr_request(request: Request) -> Any:
    body = None if request.body is None else request.content
    return VcrRequest(request.method, request.uri, body, _first_values(request))


def _from_vcr_response(response: dict[str, Any]) -> Response:
    status = response.get("status", {})
    body = response.get("body", {}).get("string")
    return Response(status.get("code", 200), status.get("message") or "", response["headers"], body)


def _to_vcr_response(response: Response) -> dict[str, Any]:
    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        headers.setdefault(name, []).append(value)
    return {
        "status": {"code": response.status, "message": response.reason},
        "headers": headers,
        "body": {"string": response.content},
    }


def _request_hook(scrubber: Scrubber) -> Callable[[Any], Any]:
    def scrub(request: Any) -> Any:
        clean = scrubber.request(_from_vcr_request(request))
        request.uri = clean.uri
        request.headers = _first_values(clean)
        request.body = clean.body
        return request

    return scrub


def _response_hook(scrubber: Scrubber) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def scrub(response: dict[str, Any]) -> dict[str, Any]:
        return _to_vcr_response(scrubber.response(_from_vcr_response(response)))

    return scrub


def _vcr_matcher(matcher: Matcher) -> Callable[[Any, Any], None]:
    def match(incoming: Any, recorded: Any) -> None:
        try:
            matcher(_from_vcr_request(incoming), _from_vcr_request(recorded))
        except AssertionError as error:  # vcrpy prints "<name> differs: " itself
            raise AssertionError(str(error).removeprefix(f"{matcher.name} differs: ")) from None

    match.__name__ = matcher.name
    return match


class _Persister:
    """vcrpy persister reading any vcrpy cassette and writing ours: scrubbed, atomic, readable."""

    def __init__(self, scrubber: Scrubber | None) -> None:
        self.scrubber = scrubber

    def load_cassette(self, cassette_path: str, serializer: Any) -> tuple[list[Any], list[Any]]:
        path = Path(cassette_path)
        if not path.is_file() or not path.read_bytes().strip():
            raise CassetteNotFoundError()
        cassette = load_cassette(path)
        requests = [_to_vcr_request(i.request) for i in cassette]
        responses = [_to_vcr_response(i.response) for i in cassette]
        return requests, responses

    def save_cassette(
        self, cassette_path: str, cassette_dict: dict[str, Any], serializer: Any
    ) -> None:
        interactions = [
            Interaction(_from_vcr_request(request), _from_vcr_response(response))
            for request, response in zip(
                cassette_dict["requests"], cassette_dict["responses"], strict=True
            )
        ]
        save_cassette(Cassette(interactions), cassette_path, scrubber=self.scrubber)
