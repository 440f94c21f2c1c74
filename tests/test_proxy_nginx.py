"""deploy/nginx.conf run by a real nginx (Debian's, as .ci/run installs it) in front of two web servers of
one application with TRUSTED_PROXIES=1, as docker-compose.yml runs it: only the upstream addresses, the
listening ports and the certificate folder are put in for the test, every other line is the file's own.

It spreads requests over both servers; it overwrites the client's X-Forwarded-For with the client's own
address and drops the other forwarding headers a client sends; so one citizen's wrong guesses lock that
citizen out, whatever X-Forwarded-For they forge, and not another citizen (another source address);
/metrics is not served through it even with the token; plain HTTP is redirected to HTTPS."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from tests.conftest import app_config
from tests.factories import make_agency, make_request
from tests.workers.services import free_port, wait_for
from webapp import create_app
from webapp.extensions import db

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
CONF = Path(__file__).resolve().parents[1] / "deploy" / "nginx.conf"
WRONG = "AAAA-AAAA-AAAA-AAAA"
TOKEN = "nginx-scrape-token"

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")


def self_signed(directory: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    directory.mkdir()
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def site_config(backends: list[int], http_port: int, https_port: int, certs: Path) -> str:
    """The committed file with the test's addresses put in; each replacement must match exactly once."""
    text = CONF.read_text()
    replacements = [
        ("    server web:8000;\n", "".join(f"    server 127.0.0.1:{p};\n" for p in backends)),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl;\n", f"    listen 127.0.0.1:{https_port} ssl;\n"),
        ("    listen [::]:443 ssl;\n", ""),
        ("/etc/nginx/certs/fullchain.pem", str(certs / "fullchain.pem")),
        ("/etc/nginx/certs/privkey.pem", str(certs / "privkey.pem")),
    ]
    for old, new in replacements:
        assert text.count(old) == 1, f"deploy/nginx.conf no longer has {old!r} once"
        text = text.replace(old, new)
    return text


def main_config(root: Path) -> str:
    temp = "\n".join(
        f"    {kind}_temp_path {root / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\ndaemon off;\npid {root / 'nginx.pid'};\n"
        f"error_log {root / 'error.log'} warn;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n    access_log off;\n{temp}\n    include {root / 'site.conf'};\n}}\n"
    )


@dataclass
class Seen:
    """What each backend received, as the application's WSGI environ had it before ProxyFix."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def recording(app: Flask, name: str, seen: Seen) -> Any:
    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        with seen.lock:
            seen.requests.append(
                {
                    "backend": name,
                    "path": environ.get("PATH_INFO"),
                    "remote": environ.get("REMOTE_ADDR"),
                    **{
                        k: v
                        for k, v in environ.items()
                        if k.startswith("HTTP_X_FORWARDED") or k == "HTTP_FORWARDED"
                    },
                }
            )
        return app(environ, start_response)

    return wsgi


@dataclass
class Proxy:
    https_port: int
    http_port: int
    seen: Seen
    tracking_number: str
    access_code: str

    def call(
        self, path: str, *, source: str = "127.0.0.1", headers: dict[str, str] | None = None, tls: bool = True
    ) -> http.client.HTTPResponse:
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.https_port, context=context, timeout=10, source_address=(source, 0)
            )
        else:
            conn = http.client.HTTPConnection(
                "127.0.0.1", self.http_port, timeout=10, source_address=(source, 0)
            )
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response

    def guess(self, code: str, *, source: str = "127.0.0.1", forged: str | None = None) -> int:
        headers = {"X-Access-Code": code}
        if forged:
            headers["X-Forwarded-For"] = forged
        return self.call(f"/api/v1/requests/{self.tracking_number}", source=source, headers=headers).status


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Proxy]:
    assert NGINX is not None
    config = {
        **app_config(f"sqlite:///{tmp_path / 'nginx.db'}", tmp_path / "data"),
        "TRUSTED_PROXIES": 1,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_TRACKING": "3 per minute",
        "METRICS_TOKEN": TOKEN,
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
        now = dt.datetime.now(dt.UTC)
        session = db.session()
        agency = make_agency(session, now, code="NGINX")
        req, code = make_request(session, now, agency, channel="online")
        number = req.tracking_number
        session.commit()
        db.session.remove()
    seen = Seen()
    servers = []
    for name in ("web1", "web2"):
        server = make_server("127.0.0.1", free_port(), recording(app, name, seen), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    root = tmp_path / "nginx"
    root.mkdir()
    self_signed(root / "certs")
    http_port, https_port = free_port(), free_port()
    (root / "site.conf").write_text(
        site_config([s.server_port for s in servers], http_port, https_port, root / "certs")
    )
    (root / "nginx.conf").write_text(main_config(root))
    test = subprocess.run([NGINX, "-t", "-c", str(root / "nginx.conf"), "-p", str(root)], capture_output=True)
    assert test.returncode == 0, test.stderr.decode()
    with (root / "stderr.log").open("wb") as stderr:
        nginx = subprocess.Popen([NGINX, "-c", str(root / "nginx.conf"), "-p", str(root)], stderr=stderr)
    try:
        proxied = Proxy(https_port, http_port, seen, number, code)

        def up() -> bool:
            try:
                return proxied.call("/healthz").status == 200
            except OSError:
                return False

        wait_for(up, 20, "nginx in front of the two servers")
        seen.requests.clear()
        yield proxied
    finally:
        nginx.terminate()
        nginx.wait(10)
        for server in servers:
            server.shutdown()
        with app.app_context():
            db.engine.dispose()


def test_nginx_spreads_over_the_replicas_and_overwrites_the_forwarding_headers(proxy: Proxy):
    for _ in range(6):
        assert proxy.call("/healthz").status == 200
    assert {r["backend"] for r in proxy.seen.requests} == {"web1", "web2"}
    proxy.seen.requests.clear()
    forged = {
        "X-Forwarded-For": "127.0.0.1",
        "X-Forwarded-Proto": "http",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Port": "1",
        "X-Forwarded-Prefix": "/evil",
        "Forwarded": "for=127.0.0.1;proto=http",
    }
    assert proxy.call("/healthz", source="127.0.0.2", headers=forged).status == 200
    (got,) = proxy.seen.requests
    assert got["HTTP_X_FORWARDED_FOR"] == "127.0.0.2"  # the client's own address, and only it
    assert got["HTTP_X_FORWARDED_PROTO"] == "https"
    assert {k for k in got if k.startswith("HTTP_")} == {"HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO"}


def test_through_nginx_one_citizens_guesses_lock_only_that_citizen(proxy: Proxy):
    # citizen A forges a new X-Forwarded-For for every guess: nginx names A's address each time
    assert [proxy.guess(WRONG, forged=f"192.0.2.{n}") for n in range(3)] == [404, 404, 404]
    assert proxy.guess(WRONG, forged="192.0.2.99") == 429
    assert proxy.guess(proxy.access_code, forged="127.0.0.2") == 429  # naming citizen B does not help
    # citizen B, from another address, through the same proxy and the same two servers
    assert proxy.guess(proxy.access_code, source="127.0.0.2") == 200
    assert proxy.guess(WRONG, source="127.0.0.2") == 404


def test_nginx_does_not_serve_metrics_and_redirects_plain_http(proxy: Proxy):
    assert proxy.call("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status == 404
    assert not [r for r in proxy.seen.requests if r["path"] == "/metrics"]  # not even passed on
    plain = proxy.call("/track?x=1", tls=False)
    assert plain.status == 301 and plain.getheader("Location") == "https://127.0.0.1/track?x=1"
