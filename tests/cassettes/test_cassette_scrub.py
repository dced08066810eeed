"""Scrubbing: no planted secret reaches the disk, whatever path it takes into the cassette."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from harness.cassettes import (
    Cassette,
    Interaction,
    Request,
    Response,
    Scrubber,
    import_file,
    save_cassette,
)
from tests.recordings import RECORDINGS

# Planted secrets, built at runtime so that no key-shaped literal sits in the source.
KEY = "sk-" + "proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789"
SVC_KEY = "sk-" + "svcacct-ZyXwVuTsRqPoNmLk_9876543210"
PLAIN_KEY = "sk-" + "abcdefghijklmnop1234"
ORG = "org-AAAAbbbbCCCCddddEEEE1234"
PROJECT = "proj_tzz1TbPPOXaf6j9tEkVUBIAa"
CF_BM = "HqbV5n5wLZho_Te2bIgkc36_NsGt6jXLZXL2t9QYnwo-1774963842.2608383"
CFUVID = "XZjt2_p8meJi.6Of2Nb14CB_7xwbCfVvR_M.ZYTxKZE-1699998504307-0-604800000"
ORG_NAME = "traceloop-secret-org-name"
AZURE_KEY = "0123456789abcdef0123456789abcdef"
CUSTOM = "acct-77777777"


def _full_of_secrets() -> Cassette:
    return Cassette(
        [
            Interaction(
                Request(
                    "POST",
                    f"https://api.openai.com/v1/threads?key={PLAIN_KEY}",
                    [
                        ("Authorization", f"Bearer {KEY}"),
                        ("api-key", AZURE_KEY),
                        ("OpenAI-Organization", ORG),
                        ("OpenAI-Project", PROJECT),
                        ("Cookie", f"__cf_bm={CF_BM}; _cfuvid={CFUVID}"),
                        ("X-Custom", f"{CUSTOM} {SVC_KEY}"),
                        ("X-Tenant", "tenant-secret-header"),
                    ],
                    f'{{"metadata": {{"key": "{KEY}", "org": "{ORG}", "note": "{CUSTOM}"}}}}',
                ),
                Response(
                    200,
                    "OK",
                    [
                        ("Content-Type", "application/json"),
                        ("Content-Encoding", "gzip"),
                        ("openai-organization", ORG_NAME),
                        ("openai-project", PROJECT),
                        ("Set-Cookie", f"__cf_bm={CF_BM}; path=/; HttpOnly"),
                        ("Set-Cookie", f"_cfuvid={CFUVID}; path=/"),
                        ("X-Debug", f"forwarded __cf_bm={CF_BM}"),
                    ],
                    # secrets inside a gzip body must be found too
                    gzip.compress(f'{{"echo": "{SVC_KEY}", "project": "{PROJECT}"}}'.encode()),
                ),
            ),
            Interaction(
                Request("GET", "https://api.openai.com/v1/threads/t/runs/r", {}, None),
                Response(
                    200,
                    "OK",
                    {"Content-Type": "text/event-stream"},
                    f'event: thread.run.created\ndata: {{"k": "{KEY}"}}\n\n',
                ),
            ),
        ]
    )


SECRETS = [KEY, SVC_KEY, PLAIN_KEY, ORG, PROJECT, CF_BM, CFUVID, ORG_NAME, AZURE_KEY, CUSTOM]


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_no_planted_secret_reaches_the_disk(tmp_path: Path, suffix: str) -> None:
    scrubber = Scrubber(extra_patterns=[(r"acct-\d+", "acct-<hidden>")], extra_headers=["X-Tenant"])
    path = save_cassette(_full_of_secrets(), tmp_path / f"c{suffix}", scrubber=scrubber)
    written = path.read_bytes()
    for secret in [*SECRETS, "tenant-secret-header"]:
        assert secret.encode() not in written, secret
    text = written.decode()
    assert "<scrubbed>" in text
    assert "acct-<hidden>" in text
    assert "sk-<scrubbed>" in text
    assert "org-<scrubbed>" in text
    assert "__cf_bm=<scrubbed>" in text


def test_the_default_save_scrubs(tmp_path: Path) -> None:
    written = save_cassette(_full_of_secrets(), tmp_path / "c.yaml").read_bytes()
    for secret in [KEY, SVC_KEY, ORG, PROJECT, CF_BM, CFUVID, ORG_NAME, AZURE_KEY]:
        assert secret.encode() not in written, secret


def test_secret_headers_stay_present_with_a_placeholder() -> None:
    request = Scrubber().request(_full_of_secrets().interactions[0].request)
    assert request.header("authorization") == "<scrubbed>"
    assert request.header("openai-project") == "<scrubbed>"
    response = Scrubber(placeholder="REDACTED").response(
        _full_of_secrets().interactions[0].response
    )
    assert response.header_values("set-cookie") == ["REDACTED", "REDACTED"]
    assert response.json() == {"echo": "sk-REDACTED", "project": "REDACTED"}
    assert request.uri.endswith("?key=sk-<scrubbed>")


def test_scrubbing_is_idempotent_and_leaves_ordinary_ids_alone() -> None:
    scrubber = Scrubber()
    once = scrubber.cassette(_full_of_secrets())
    assert scrubber.cassette(once) == once
    text = 'run_M9RRUaa2Oo0ebiJ5T8hk2VjV asst_rr3RGZE5iqoMCxqF req_5d5b7b79578743e19fab49b1d11fe360 "sk-short"'
    assert scrubber.text(text) == text


def test_binary_bodies_are_scrubbed_without_being_mangled() -> None:
    body = b"\xff\x00" + KEY.encode() + b"\xfe"
    assert Scrubber().body(body) == b"\xff\x00sk-<scrubbed>\xfe"


def test_real_recordings_lose_their_org_project_and_cookies(tmp_path: Path) -> None:
    recordings = RECORDINGS
    for path in [*recordings.glob("ruby-vcr/*"), *list(recordings.glob("vcrpy/traceloop*"))[:3]]:
        text = save_cassette(import_file(path), tmp_path / "c.yaml").read_text()
        assert "proj_tzz1" not in text
        assert "user-jxm65ijkzc1qrfhc0ij8moic" not in text
        assert "__cf_bm=<scrubbed>" in text or "__cf_bm" not in text
        assert "_cfuvid=X" not in text
        assert "_cfuvid=C" not in text


# Secrets the pattern rules alone used to miss, planted in every place they were seen.
SHORT_ORG = "org-" + "acme42"
USER_ID = "user-" + "Q1w2E3r4T5y6U7i8O9p0AaSs"
SESSION = "sess" + "ion-cookie-value-9f8e7d"
ORG_NAME_FIELD = "Acme Widgets Secret Ltd"
PROJECT_NAME = "secret-project-name"
GOOG_KEY = "AIza" + "SyA-planted-google-key-000"


def _structured_secrets() -> Cassette:
    body = (
        f'{{"organization": "{ORG_NAME_FIELD}", "user": "{USER_ID}", "project": "{PROJECT_NAME}",'
        f' "note": "owner {SHORT_ORG}, Set-Cookie: sid={SESSION}; Path=/", "role": "user"}}'
    )
    stream = (
        f'event: thread.run.created\ndata: {{"id": "run_1", "user_id": "{USER_ID}",'
        f' "text": "cookie: \\"sid={SESSION}\\""}}\n\n'
    )
    return Cassette(
        [
            Interaction(
                Request(
                    "POST",
                    "https://api.openai.com/v1/threads",
                    [
                        ("Content-Type", "application/json"),
                        ("x-goog-api-key", GOOG_KEY),
                        ("X-Acme-Token", GOOG_KEY),
                        ("OpenAI-Organization", SHORT_ORG),
                        ("Cookie", f"sid={SESSION}"),
                    ],
                    body,
                ),
                Response(
                    200,
                    "OK",
                    [("Content-Type", "application/json"), ("Set-Cookie", f"sid={SESSION}")],
                    body,
                ),
            ),
            Interaction(
                Request("POST", "https://api.openai.com/v1/threads/t/runs", [], body),
                Response(200, "OK", [("Content-Type", "text/event-stream")], stream),
            ),
        ]
    )


STRUCTURED = (SHORT_ORG, USER_ID, SESSION, ORG_NAME_FIELD, PROJECT_NAME, GOOG_KEY)


def test_structured_secrets_never_reach_the_file(tmp_path: Path) -> None:
    from harness.cassettes import load_cassette
    from harness.cassettes._appender import CassetteAppender

    saved, appended = tmp_path / "saved.yaml", tmp_path / "appended.yaml"
    save_cassette(_structured_secrets(), saved)
    with CassetteAppender(appended) as appender:  # what the proxy and the plugin write with
        for interaction in _structured_secrets():
            appender.append(interaction)
    for path in (saved, appended):
        written = path.read_bytes()
        for secret in STRUCTURED:
            assert secret.encode() not in written, f"{secret} reached {path.name}"
        first = load_cassette(path).interactions[0]
        assert first.request.header("x-goog-api-key") == "<scrubbed>"
        assert first.request.json()["role"] == "user"  # a field named like a secret's value
        assert first.response.json()["organization"] == "<scrubbed>"
        assert "Set-Cookie: <scrubbed>" in first.response.json()["note"]


def test_words_that_look_like_ids_are_kept() -> None:
    scrubber = Scrubber()
    text = "user-agent: x; non-org-chart; org-level; role user"
    assert scrubber.text(text) == text
