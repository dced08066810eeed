"""Cost per request of the Files and vector store endpoints, as the session grows.

    python bench/files.py [--sizes 10 1000] [--requests 300]

For each size, the core first holds that many uploaded files, each in its own vector store
(other clients' objects); then it times uploads, vector store file retrievals (ingestion
observations) and file batch retrievals of a fresh store. The figures should not grow with size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from harness import AssistantsAPI, ServerConfig
from harness.core import ApiRequest

_AUTH = {"authorization": "Bearer sk-bench"}
_FORM = "multipart/form-data; boundary=bench"


def _upload_body(name: str) -> bytes:
    return (
        b'--bench\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
        b'--bench\r\nContent-Disposition: form-data; name="file"; filename="'
        + name.encode()
        + b'"\r\n\r\nA run step is one thing an assistant did during a run.\r\n--bench--\r\n'
    )


def _call(api: AssistantsAPI, method: str, path: str, body: object = None) -> dict[str, object]:
    headers = dict(_AUTH)
    raw = b""
    if isinstance(body, bytes):
        headers["content-type"] = _FORM
        raw = body
    elif body is not None:
        raw = json.dumps(body).encode()
    response = api.handle(ApiRequest(method, path, headers=headers, body=raw))
    assert response.status == 200, (path, response.body)
    result: dict[str, object] = response.body
    return result


def _timed(action: object, count: int) -> float:
    assert callable(action)
    started = time.perf_counter()
    for _ in range(count):
        action()
    return (time.perf_counter() - started) / count * 1e6


def measure(size: int, requests: int) -> dict[str, float]:
    api = AssistantsAPI(ServerConfig(poll_after_ms=0))
    for n in range(size):
        file_id = _call(api, "POST", "/files", _upload_body(f"other-{n}.md"))["id"]
        store_id = _call(api, "POST", "/vector_stores", {"file_ids": [file_id]})["id"]
        _call(api, "GET", f"/vector_stores/{store_id}")
    store_id = _call(api, "POST", "/vector_stores", {"name": "mine"})["id"]
    file_id = _call(api, "POST", "/files", _upload_body("mine.md"))["id"]
    _call(api, "POST", f"/vector_stores/{store_id}/files", {"file_id": file_id})
    batch_id = _call(
        api, "POST", f"/vector_stores/{store_id}/file_batches", {"file_ids": [file_id]}
    )["id"]
    return {
        "upload": _timed(lambda: _call(api, "POST", "/files", _upload_body("x.md")), requests),
        "vs file retrieve": _timed(
            lambda: _call(api, "GET", f"/vector_stores/{store_id}/files/{file_id}"), requests
        ),
        "batch retrieve": _timed(
            lambda: _call(api, "GET", f"/vector_stores/{store_id}/file_batches/{batch_id}"),
            requests,
        ),
        "store retrieve": _timed(lambda: _call(api, "GET", f"/vector_stores/{store_id}"), requests),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    rows = {size: measure(size, args.requests) for size in args.sizes}
    names = list(next(iter(rows.values())))
    print("µs per request (core only)   " + "".join(f"{f'{s} stores':>14}" for s in rows))
    for name in names:
        print(f"{name:<29}" + "".join(f"{rows[s][name]:>14.1f}" for s in rows))
    spread = [rows[args.sizes[-1]][n] / rows[args.sizes[0]][n] for n in names]
    print(f"largest/smallest session: median ratio {statistics.median(spread):.2f}")


if __name__ == "__main__":
    main()
