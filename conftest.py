"""Root conftest: our own suite's settings. The harness plugin itself comes via its entry point."""

pytest_plugins = ["pytester"]
