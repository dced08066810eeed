"""The pytest plugin's implementation; :mod:`harness.pytest_plugin` is the registered module."""
