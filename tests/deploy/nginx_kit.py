"""Running the shipped deploy/nginx.conf in front of Steward processes, for the proxy test
(tests/deploy/test_nginx.py) and the load benchmark through it (bench/load.py
--through-nginx): a self-signed certificate, the site file with local ports, and nginx's
own frame keeping every file under one prefix."""

import datetime
import ipaddress
import os
import re
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NGINX = Path("/usr/sbin/nginx")
SHIPPED = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, for nginx's TLS and the test's trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "steward test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert, private = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, private


def site_for_test(https: int, http: int, upstreams: list[int], cert: Path, key: Path) -> str:
    """The shipped site file with the test's ports, certificate and Steward processes; each
    change must find its line, so a reshaped file fails here rather than testing nothing."""
    text = SHIPPED.read_text()
    servers = "".join(
        f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in upstreams
    )
    for pattern, replacement, expected in (
        (r"\n\s*listen \[::\]:[^\n]*", "", 2),  # no IPv6 on every test machine
        (r"listen 80;", f"listen 127.0.0.1:{http};", 1),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;", 1),
        (r"ssl_certificate /\S+;", f"ssl_certificate {cert};", 1),
        (r"ssl_certificate_key /\S+;", f"ssl_certificate_key {key};", 1),
        (r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers, 1),
    ):
        text, found = re.subn(pattern, replacement, text)
        assert found == expected, f"deploy/nginx.conf: {pattern!r} found {found} times"
    return text


def main_config(prefix: Path) -> str:
    """nginx's own frame around the site file: no daemon, every file under the prefix, and
    an access log of which Steward process answered each request."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the prefix
    return f"""{user}daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$upstream_addr';
    access_log {prefix}/access.log upstream;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/steward.conf;
}}
"""
