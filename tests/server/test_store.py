"""The store's tables: rows by id in creation order, and grouped by their owner."""

from __future__ import annotations

import pytest

from harness.core.store import Store, Table


def test_grouped_rows_follow_puts_and_pops() -> None:
    store = Store()
    for number, thread in enumerate(["a", "b", "a", "a"]):
        store.messages.put(f"msg_{number}", {"id": f"msg_{number}", "thread_id": thread})
    assert [m["id"] for m in store.messages.group("a")] == ["msg_0", "msg_2", "msg_3"]
    store.messages.pop("msg_2")
    assert [m["id"] for m in store.messages.group("a")] == ["msg_0", "msg_3"]
    store.messages.pop("msg_1")
    assert store.messages.group("b") == []
    assert store.messages.group("nobody") == []
    store.clear()
    assert store.messages.group("a") == []
    with pytest.raises(TypeError, match="not grouped"):
        Table[dict[str, str]]().group("a")
