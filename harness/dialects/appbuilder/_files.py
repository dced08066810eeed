"""AppBuilder's file storage (``/v2/storage/files...``) and mounting files on assistants, over the
core's Files API. Uploads are stored with purpose ``user_data`` (AppBuilder lets its files be
downloaded); the purpose the client gave is what AppBuilder shows."""

from __future__ import annotations

import mimetypes
import uuid
from typing import Any

from harness.core import ApiResponse
from harness.core.multipart import parse_form
from harness.dialects.appbuilder import _shapes as shapes
from harness.dialects.appbuilder._state import DialectState
from harness.dialects.base import CoreCaller
from harness.errors import ApiError

__all__ = [
    "content",
    "delete",
    "download",
    "list_",
    "mount",
    "mounted",
    "query",
    "unmount",
    "upload",
]

JSON = dict[str, Any]
_CORE_PURPOSE = "user_data"


def _file(state: DialectState, core: JSON) -> JSON:
    """``AssistantFilesQueryResponse``: ``create_at`` (sic) in ms, ``censored`` 1 (approved)."""
    filename = str(core.get("filename") or "")
    return {
        "id": core["id"],
        "bytes": int(core.get("bytes") or 0),
        "object": "file",
        "purpose": state.file_purpose.get(core["id"], "assistant"),
        "censored": 1,
        "create_at": shapes.ms(core.get("created_at")),
        "filename": filename,
        "classification_id": "",
        "file_type": filename.rsplit(".", 1)[-1] if "." in filename else "",
    }


def _file_id(body: JSON) -> str:
    value = body.get("file_id")
    if not isinstance(value, str) or not value:
        raise ApiError(400, "Missing required parameter: 'file_id'.", param="file_id")
    return value


def upload(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    """``files.create``: the multipart ``file`` of the request, as the core's upload."""
    form = parse_form(body["_raw"], body["_content_type"])
    part = form.get("file")
    if part is None or part.filename is None:
        raise ApiError(400, "Missing required parameter: 'file'.", param="file")
    boundary = uuid.uuid4().hex
    multipart = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n'.encode(),
            _CORE_PURPOSE.encode(),
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{part.filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode(),
            part.data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    stored = core.json(
        "POST", "/files", raw=(multipart, f"multipart/form-data; boundary={boundary}")
    )
    state.file_purpose[stored["id"]] = body.get("_purpose") or "assistant"
    rendered = _file(state, stored)
    del rendered["censored"], rendered["file_type"]  # AssistantFilesCreateResponse has neither
    return rendered


def list_(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    page = core.json("GET", "/files", query=[("purpose", _CORE_PURPOSE)])
    return {"object": "list", "data": [_file(state, f) for f in page["data"]]}


def query(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    return _file(state, core.json("GET", f"/files/{_file_id(body)}"))


def delete(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    gone = core.json("DELETE", f"/files/{_file_id(body)}")
    state.file_purpose.pop(str(gone.get("id")), None)
    return {"id": gone.get("id", ""), "object": "file", "deleted": bool(gone.get("deleted"))}


def _bytes(core: CoreCaller, body: JSON) -> tuple[str, ApiResponse]:
    file_id = _file_id(body)
    found = core.json("GET", f"/files/{file_id}")
    answer = core.call("GET", f"/files/{file_id}/content")
    if answer.status != 200 or answer.content is None:
        raise ApiError(answer.status or 500, "The file's content could not be read.")
    return str(found.get("filename") or file_id), answer


def download(state: DialectState, core: CoreCaller, body: JSON) -> ApiResponse:
    """Raw bytes; the SDK names the file after the last ``filename=`` (so: no quotes)."""
    filename, answer = _bytes(core, body)
    return ApiResponse(
        200,
        content=answer.content,
        media_type=answer.media_type,
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def content(state: DialectState, core: CoreCaller, body: JSON) -> ApiResponse:
    filename, answer = _bytes(core, body)
    guessed, _ = mimetypes.guess_type(filename)
    return ApiResponse(200, content=answer.content, media_type=guessed or answer.media_type)


def _mount_ids(body: JSON) -> tuple[str, str]:
    assistant_id, file_id = body.get("assistant_id"), body.get("file_id")
    if not isinstance(assistant_id, str) or not assistant_id:
        raise ApiError(400, "Missing required parameter: 'assistant_id'.", param="assistant_id")
    if not isinstance(file_id, str) or not file_id:
        raise ApiError(400, "Missing required parameter: 'file_id'.", param="file_id")
    return assistant_id, file_id


def _mounted(assistant_id: str, file_id: str, core: CoreCaller) -> JSON:
    return {
        "id": file_id,
        "object": "assistant.file",
        "created_at": shapes.ms(core.api.state.clock.now()),
        "assistant_id": assistant_id,
    }


def mount(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    """``assistants.mount_files``: the assistant and the file must exist."""
    assistant_id, file_id = _mount_ids(body)
    core.json("GET", f"/assistants/{assistant_id}")
    core.json("GET", f"/files/{file_id}")
    extras = state.assistant_extras.setdefault(assistant_id, {})
    file_ids = list(extras.get("file_ids") or [])
    if file_id not in file_ids:
        file_ids.append(file_id)
    extras["file_ids"] = file_ids
    return _mounted(assistant_id, file_id, core)


def mounted(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    assistant_id = body.get("assistant_id")
    if not isinstance(assistant_id, str) or not assistant_id:
        raise ApiError(400, "Missing required parameter: 'assistant_id'.", param="assistant_id")
    core.json("GET", f"/assistants/{assistant_id}")
    file_ids = state.assistant_extras.get(assistant_id, {}).get("file_ids") or []
    data = [_mounted(assistant_id, file_id, core) for file_id in file_ids]
    first, last = (data[0]["id"], data[-1]["id"]) if data else ("", "")
    return shapes.listing({"first_id": first, "last_id": last, "has_more": False}, data)


def unmount(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    assistant_id, file_id = _mount_ids(body)
    core.json("GET", f"/assistants/{assistant_id}")
    extras = state.assistant_extras.setdefault(assistant_id, {})
    file_ids = list(extras.get("file_ids") or [])
    if file_id not in file_ids:
        raise ApiError(404, f"No file {file_id} is mounted on assistant {assistant_id}.")
    file_ids.remove(file_id)
    extras["file_ids"] = file_ids
    return {"id": file_id, "object": "assistant.file.deleted", "deleted": True}
