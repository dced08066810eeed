"""HTTPS on loopback with a throwaway certificate authority (trustme), for clients that refuse
bearer tokens over plain HTTP (Azure's SDKs)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from harness.errors import ConfigError

__all__ = ["ThrowawayTLS"]


@dataclass(frozen=True)
class ThrowawayTLS:
    """A CA made for this process, a server certificate it issued, and the CA's PEM on disk.

    Only the CA's certificate is written (to ``ca_bundle``); its key never leaves memory.
    """

    ca_bundle: Path
    server_context: ssl.SSLContext

    @classmethod
    def create(
        cls, directory: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    ) -> ThrowawayTLS:
        try:
            import trustme
        except ImportError as error:  # pragma: no cover - depends on the installed extras
            raise ConfigError("TLS needs trustme: pip install 'harness[dialects]'") from error
        authority = trustme.CA(organization_name="harness throwaway CA")
        certificate = authority.issue_cert(*hosts)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        directory.mkdir(parents=True, exist_ok=True)
        bundle = directory / "harness-ca.pem"
        authority.cert_pem.write_to_path(str(bundle))
        return cls(bundle, context)

    def client_context(self) -> ssl.SSLContext:
        """A client context trusting only this CA."""
        return ssl.create_default_context(cafile=str(self.ca_bundle))
