"""The aiohttp face of the fake API, and ways to run it."""

from harness.server.app import API_KEY, create_app
from harness.server.runner import AppServer, FakeServer, serve_async

__all__ = ["API_KEY", "AppServer", "FakeServer", "create_app", "serve_async"]
