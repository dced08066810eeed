"""Record and replay HTTP traffic of Assistants API clients.

Cassettes are vcrpy's format (YAML or JSON). Recordings from vcrpy, Ruby VCR, the .NET
test-proxy and HAR files import into the same model. Everything written is scrubbed of keys,
organisation/project ids and cookies, and replaced atomically.

* :func:`load_cassette` / :func:`save_cassette` / :func:`import_file`: files.
* :class:`Replayer`: answers requests from a cassette (polled requests advance through their
  recorded answers, then the last one sticks).
* :func:`replay_app`: an aiohttp app replaying a cassette over HTTP.
* :func:`recording_proxy_app`: an aiohttp reverse proxy recording a cassette.
* :func:`use_cassette`: in-process record/replay of httpx and httpx2 clients (openai 1.x-3.x)
  and requests clients (appbuilder-sdk, azure-core), through the same Replayer and the same
  crash-safe appender.

Public submodules for the tools built on cassettes (imported on demand, not from here):

* :mod:`harness.cassettes.checks`: validate a recording (schemas, run lifecycle).
* :mod:`harness.cassettes.convert`: turn a recording into an editable scenario.
* :mod:`harness.cassettes.redrive` / :mod:`harness.cassettes.verify`: send a recording's
  requests to a live server again and compare the stories.
"""

from harness.cassettes._importers import import_file
from harness.cassettes._inprocess import RECORD_MODES, CassetteSession, RecordMode, use_cassette
from harness.cassettes._matching import DEFAULT_MATCHERS, Matcher, body, method, path, query
from harness.cassettes._model import Cassette, Interaction, Request, Response
from harness.cassettes._proxy import recording_proxy_app
from harness.cassettes._replay_server import MISSES, replay_app
from harness.cassettes._replayer import CassetteMiss, Replayer
from harness.cassettes._scrub import Scrubber
from harness.cassettes._vcr_format import load_cassette, save_cassette

__all__ = [
    "DEFAULT_MATCHERS",
    "MISSES",
    "RECORD_MODES",
    "Cassette",
    "CassetteMiss",
    "CassetteSession",
    "Interaction",
    "Matcher",
    "RecordMode",
    "Replayer",
    "Request",
    "Response",
    "Scrubber",
    "body",
    "import_file",
    "load_cassette",
    "method",
    "path",
    "query",
    "recording_proxy_app",
    "replay_app",
    "save_cassette",
    "use_cassette",
]
