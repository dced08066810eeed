"""code_interpreter runs: logs and images in the step, image_file and file_path in the answer,
PNG bytes through files.content; polled, streamed and async."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import openai

from harness import AssistantsAPI
from harness.scenario import load_scenario


def _decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and raw scanlines of a PNG, checking every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = chunks.get(kind, b"") + body
        position += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert b"IEND" in chunks
    return width, height, zlib.decompress(chunks[b"IDAT"])


def _run(client: openai.OpenAI, api: AssistantsAPI) -> tuple[str, Any]:
    api.load_scenario(load_scenario("builtin:code-interpreter-image"))
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Plot it"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed"
    return thread.id, run


def _check_answer(client: openai.OpenAI, message: Any) -> None:
    image, text = message.content
    assert image.type == "image_file"
    png = client.files.content(image.image_file.file_id).read()
    width, height, rows = _decode_png(png)
    assert (width, height) == (8, 8)
    assert len(rows) == height * (1 + 3 * width)
    meta = client.files.retrieve(image.image_file.file_id)
    assert (meta.purpose, meta.filename, meta.bytes) == ("assistants_output", "chart.png", len(png))
    (note,) = text.text.annotations
    assert note.type == "file_path"
    assert text.text.value[note.start_index : note.end_index] == note.text
    assert client.files.content(note.file_path.file_id).read() == b"x,y\n1,2\n2,4\n3,8\n"


def test_image_downloads_as_png(client: openai.OpenAI, api: AssistantsAPI) -> None:
    thread_id, run = _run(client, api)
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread_id, order="asc").data
    call = steps[0].step_details.tool_calls[0]  # type: ignore[union-attr]
    assert call.type == "code_interpreter"
    logs, image = call.code_interpreter.outputs  # type: ignore[union-attr]
    assert logs.logs.startswith("Saved")  # type: ignore[union-attr]
    answer = client.beta.threads.messages.list(thread_id, run_id=run.id).data[0]
    assert answer.content[0].image_file.file_id == image.image.file_id  # type: ignore[union-attr]
    _check_answer(client, answer)
    assert api.state.scripts.unused() == []


def test_streamed_code_interpreter(client: openai.OpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(load_scenario("builtin:code-interpreter-image"))
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Plot it"}])
    outputs: list[Any] = []
    parts: list[Any] = []
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        for event in stream:
            if event.event == "thread.run.step.delta":
                for call in event.data.delta.step_details.tool_calls or []:  # type: ignore[union-attr]
                    outputs += call.code_interpreter.outputs or []  # type: ignore[union-attr]
            if event.event == "thread.message.delta":
                parts += event.data.delta.content or []
        (final,) = stream.get_final_messages()
    assert [o.type for o in outputs] == ["logs", "image"]
    assert parts[0].type == "image_file"
    assert any(getattr(p.text, "annotations", None) for p in parts if p.type == "text")
    _check_answer(client, final)


async def test_async_image(aclient: openai.AsyncOpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(load_scenario("builtin:code-interpreter-image"))
    assistant = await aclient.beta.assistants.create(model="gpt-4o")
    thread = await aclient.beta.threads.create(messages=[{"role": "user", "content": "Plot"}])
    run = await aclient.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id
    )
    page = await aclient.beta.threads.messages.list(thread.id, run_id=run.id)
    image = page.data[0].content[0]
    assert image.type == "image_file"
    png = (await aclient.files.content(image.image_file.file_id)).read()
    assert _decode_png(png)[:2] == (8, 8)
