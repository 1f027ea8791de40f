"""An https delivery connects to the checked address yet speaks TLS to the host name: the
server is asked for the name (SNI), and its certificate is verified."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inkwell.core.config import Settings
from inkwell.webhooks.sender import Message, Sender, new_secret


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@asynccontextmanager
async def _tls_server(directory: Path, names: list[str | None]) -> AsyncIterator[int]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_self_signed(directory))
    context.sni_callback = lambda _socket, name, _context: names.append(name)

    async def answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_an_https_delivery_asks_for_the_host_name_and_verifies_its_certificate(
    tmp_path: Path, settings: Settings
) -> None:
    names: list[str | None] = []
    local = settings.model_copy(update={"webhooks_allow_private": True})
    async with _tls_server(tmp_path, names) as port:
        message = Message(f"https://localhost:{port}/hook", new_secret(), "msg_1", "{}")
        outcome = await Sender(local).send(message, datetime.now(UTC))
    assert names == ["localhost"]
    assert outcome.status_code is None
    assert "CERTIFICATE_VERIFY_FAILED" in str(outcome.error)
