"""``/files``: upload (multipart), list, retrieve, delete, download. No beta header needed."""

from __future__ import annotations

from harness.core import materialise
from harness.core.file_records import StoredFile
from harness.core.handlers.common import ok
from harness.core.http import ApiResponse
from harness.core.multipart import FormData, parse_form
from harness.core.objects import JSON, deleted_object, file_object
from harness.core.params import bad_request
from harness.core.state import Context
from harness.core.store import paginate
from harness.errors import ApiError

__all__ = ["BETA", "PURPOSES", "ROUTES", "get_file", "store_file"]

BETA = False

PURPOSES = ("fine-tune", "assistants", "batch", "user_data", "vision", "evals")
"""Purposes a client may upload with, in the order the API's message listed them."""
_LISTED_PURPOSES = (*PURPOSES, "assistants_output", "batch_output", "fine-tune-results")
_FORM_FIELDS = {"file", "purpose", "expires_after[anchor]", "expires_after[seconds]"}
_NOT_DOWNLOADABLE = frozenset({"assistants"})
"""The API refused to hand back what was uploaded for assistants (outputs are fine)."""


def store_file(
    ctx: Context, *, filename: str, purpose: str, content: bytes, expires_at: int | None = None
) -> StoredFile:
    """Keep ``content`` as a new file (an upload, or a code_interpreter output)."""
    state = ctx.state
    obj = file_object(
        id=state.ids.new("file"),
        created_at=state.clock.now(),
        filename=filename,
        purpose=purpose,
        size=len(content),
        expires_at=expires_at,
    )
    return state.store.files.put(obj["id"], StoredFile(obj, content))


def get_file(ctx: Context, file_id: str) -> StoredFile:
    file = ctx.state.store.files.get(file_id)
    if file is None:
        if ctx.permissive:
            return materialise.file(ctx.state, file_id)
        raise ApiError(404, f"No such File object: {file_id}", param="id")
    return file


def _text_field(form: FormData, name: str) -> str | None:
    part = form.get(name)
    if part is None:
        return None
    return part.data.decode("utf-8", "replace")


def _expiry(ctx: Context, form: FormData) -> int | None:
    anchor = _text_field(form, "expires_after[anchor]")
    seconds_text = _text_field(form, "expires_after[seconds]")
    if anchor is None and seconds_text is None:
        return None
    if anchor != "created_at":
        raise bad_request(
            f"Invalid value: '{anchor}'. Supported values are: 'created_at'.",
            param="expires_after.anchor",
            code="invalid_value",
        )
    try:
        seconds = int(seconds_text or "")
    except ValueError:
        raise bad_request(
            f"Invalid 'expires_after.seconds': expected an integer, but got '{seconds_text}'.",
            param="expires_after.seconds",
            code="invalid_type",
        ) from None
    if not 3600 <= seconds <= 2_592_000:
        raise bad_request(
            "Invalid 'expires_after.seconds': expected a value between 3600 and 2592000 "
            f"(one hour to 30 days), but got {seconds} instead.",
            param="expires_after.seconds",
            code="invalid_value",
        )
    return ctx.state.clock.now() + seconds


def create(ctx: Context) -> ApiResponse:
    form = parse_form(ctx.request.body, ctx.request.header("content-type"))
    if ctx.strict:
        for name in form.names():
            if name not in _FORM_FIELDS:
                raise bad_request(f"Unrecognized request argument supplied: {name}")
    purpose = _text_field(form, "purpose")
    if purpose is None:
        raise bad_request(
            "Missing required parameter: 'purpose'.",
            param="purpose",
            code="missing_required_parameter",
        )
    if purpose not in PURPOSES:
        # The Files API kept its older, schema-style message (seen in client issues).
        listed = ", ".join(f"'{name}'" for name in PURPOSES)
        raise bad_request(f"'{purpose}' is not one of [{listed}] - 'purpose'", param="purpose")
    upload = form.get("file")
    if upload is None or upload.filename is None:
        raise bad_request(
            "Missing required parameter: 'file'.", param="file", code="missing_required_parameter"
        )
    if not upload.data and not ctx.permissive:
        raise bad_request("File is empty.", param="file", code="empty_file")
    limit = ctx.state.config.max_upload_bytes
    if len(upload.data) > limit:
        raise ApiError(
            413,
            f"File is too large: {len(upload.data)} bytes; the maximum is {limit} bytes.",
            param="file",
            code="file_too_large",
        )
    expires_at = _expiry(ctx, form)
    filename = upload.filename or "upload"
    file = store_file(
        ctx, filename=filename, purpose=purpose, content=upload.data, expires_at=expires_at
    )
    return ok(file.obj)


def list_(ctx: Context) -> ApiResponse:
    page = ctx.page(default_limit=10_000, max_limit=10_000)
    purposes = ctx.request.query_values("purpose")
    purpose = purposes[-1] if purposes else None
    if purpose is not None and purpose not in _LISTED_PURPOSES and not ctx.permissive:
        listed = ", ".join(f"'{name}'" for name in _LISTED_PURPOSES)
        raise bad_request(f"'{purpose}' is not one of [{listed}] - 'purpose'", param="purpose")
    items = ctx.state.store.files.where(lambda f: purpose is None or f.obj["purpose"] == purpose)
    return ok(paginate(items, page, key=lambda f: f.id, render=_render))


def retrieve(ctx: Context) -> ApiResponse:
    return ok(get_file(ctx, ctx.params["file_id"]).obj)


def delete(ctx: Context) -> ApiResponse:
    file = get_file(ctx, ctx.params["file_id"])
    ctx.state.store.files.pop(file.id)
    return ok(deleted_object("file", file.id) | {"object": "file"})


def content(ctx: Context) -> ApiResponse:
    file = get_file(ctx, ctx.params["file_id"])
    purpose = file.obj["purpose"]
    if purpose in _NOT_DOWNLOADABLE and not ctx.permissive:
        raise bad_request(f"Not allowed to download files of purpose: {purpose}")
    return ApiResponse(
        200,
        content=file.content,
        media_type=_media_type(file.filename),
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


def _render(file: StoredFile) -> JSON:
    return dict(file.obj)


def _media_type(filename: str) -> str:
    import mimetypes

    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


ROUTES = [
    ("POST", "/files", create),
    ("GET", "/files", list_),
    ("GET", "/files/{file_id}", retrieve),
    ("DELETE", "/files/{file_id}", delete),
    ("GET", "/files/{file_id}/content", content),
]
