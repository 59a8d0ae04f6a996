"""The outbound guard (``assistant/api/outbound.py``), alone and behind the Kakao callback of the real app.

Every refusal is checked against a real HTTPS listener on 127.0.0.1 that must receive nothing; the allowed
path delivers over real TLS (a throwaway certificate for ``localhost`` and ``callback.test``, made with the
openssl command), through the real app served by uvicorn, with ``api.outbound_allow_private`` on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.api.app import create_app
from assistant.api.outbound import OutboundPolicy, address_refusal, check_url, post_json
from assistant.api.routes.bots_kakao import LATE_TEXT, WAIT_TEXT
from assistant.errors import OutboundError, OutboundRefusedError
from assistant.settings import ApiSettings, Settings
from tests.api.bot_servers import BotServer
from tests.api.live_server import live_server
from tests.api.test_bots import make_settings
from tests.loopback import LoopbackServer

QUESTION = "서울시 메타버스 플랫폼은 언제 완성되나요?"
HOSTS_SETTING = "ASSISTANT_API__KAKAO_CALLBACK_HOSTS"
TOKEN_PATH = "/v1/callback/one-time-secret-token"


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for ``localhost`` and ``callback.test`` (no IP address in it)."""

    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate only."""
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make the test certificate")
    folder = tmp_path_factory.mktemp("tls")
    made = Certificate(folder / "cert.pem", folder / "key.pem")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(made.key), "-out", str(made.cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,DNS:callback.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    return made


@dataclass(frozen=True)
class Received:
    """One request as the listener saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class TlsListener(LoopbackServer):
    """A real HTTPS server on 127.0.0.1 that records every request and answers ``status``, ``headers``, ``body``."""

    def __init__(
        self,
        certificate: Certificate,
        status: int = 200,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes = b'{"ok": true}',
    ) -> None:
        self.status, self.headers, self.body = status, headers, body
        self.received: list[Received] = []
        self._arrived = threading.Condition()
        super().__init__()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate.cert, certificate.key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)

    @property
    def port(self) -> int:
        """The port it listens on (127.0.0.1 only)."""
        return int(self._server.server_address[1])

    def wait_for(self, count: int = 1, timeout: float = 15.0) -> list[Received]:
        """The requests so far once there are at least ``count``; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count and time.monotonic() < deadline:
                self._arrived.wait(deadline - time.monotonic())
            found = list(self.received)
        assert len(found) >= count, f"expected {count} requests, got {found}"
        return found

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(server.status)
                for name, value in server.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)
                headers = {name.lower(): value for name, value in self.headers.items()}
                with server._arrived:
                    server.received.append(Received("POST", self.path, headers, json.loads(raw or b"null")))
                    server._arrived.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def listener(certificate: Certificate) -> Iterator[TlsListener]:
    with TlsListener(certificate) as server:
        yield server


def policy(*hosts: str, allow_private: bool = False, timeout: float = 5.0) -> OutboundPolicy:
    return OutboundPolicy(
        hosts=hosts, hosts_setting=HOSTS_SETTING, allow_private=allow_private,
        connect_timeout=timeout, read_timeout=timeout, total_timeout=2 * timeout,
    )  # fmt: skip


def post(url: str, rules: OutboundPolicy, certificate: Certificate | None = None, **options: Any) -> Any:
    context = certificate.client_context() if certificate else None
    return asyncio.run(post_json(url, {"version": "2.0"}, rules, ssl_context=context, **options))


def resolving(answers: dict[str, list[str]], calls: list[str] | None = None) -> Any:
    """A resolver that knows only ``answers`` and notes every lookup in ``calls``."""

    async def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "unknown host")
        return answers[host]

    return resolve


# What is checked before anything touches the network


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://bot-api.kakao.com/v1/callback/t", "only https://"),
        ("ftp://bot-api.kakao.com/v1/callback/t", "only https://"),
        ("/v1/callback/t", "only https://"),
        ("https://evil.example/v1/callback/t", "'evil.example' is not allowed"),
        ("https://bot-api.kakao.com.evil.example/v1/callback/t", "is not allowed"),
        ("https://evilbot-api.kakao.com/v1/callback/t", "is not allowed"),
        ("https://127.0.0.1/v1/callback/t", "'127.0.0.1' is not allowed"),
        ("https://169.254.169.254/latest/meta-data/", "is not allowed"),
        ("https://kakao:secret@bot-api.kakao.com/v1/callback/t", "user name or password"),
        ("https://[::1", "cannot be parsed"),
        ("https://evil.example\\.kakao.com/v1/callback/t", "characters no host name has"),
    ],
)
def test_check_url_refuses_other_schemes_hosts_and_credentials(url: str, why: str) -> None:
    with pytest.raises(OutboundRefusedError, match=why) as refused:
        check_url(url, policy("bot-api.kakao.com"))
    assert "/v1/callback/t" not in str(refused.value)  # the one-time path is never echoed
    if "not allowed" in why:
        assert HOSTS_SETTING in str(refused.value)


def test_check_url_accepts_allowed_hosts_exactly_or_by_a_dot_suffix() -> None:
    assert check_url("https://bot-api.kakao.com/v1/callback/t", policy("bot-api.kakao.com")).host == "bot-api.kakao.com"
    assert check_url("https://BOT-API.Kakao.com/t", policy("bot-api.kakao.com")).host == "bot-api.kakao.com"
    suffix = policy(".kakao.com")
    assert check_url("https://bot-api.kakao.com/t", suffix).host == "bot-api.kakao.com"
    for url in ("https://kakao.com.evil.example/t", "https://evilkakao.com/t", "https://kakao.com/t"):
        with pytest.raises(OutboundRefusedError):
            check_url(url, suffix)


def test_the_default_settings_allow_only_kakaos_callback_host_and_no_private_addresses() -> None:
    api = ApiSettings()
    rules = OutboundPolicy.from_settings(api, api.kakao_callback_hosts, HOSTS_SETTING)
    assert rules.hosts == ("bot-api.kakao.com",) and not rules.allow_private
    assert rules.total_timeout <= 10 and rules.connect_timeout <= 3


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "private"),
        ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
        ("::ffff:10.0.0.1", "IPv4-mapped private"),
        ("2002:7f00:1::1", "6to4 (IPv4-carrying)"),
        ("64:ff9b::7f00:1", "NAT64 (IPv4-carrying)"),
    ],
)
def test_addresses_that_are_not_public_are_refused_by_kind(address: str, kind: str) -> None:
    assert address_refusal(ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "211.249.220.24", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert address_refusal(ip_address(address)) is None


# What is checked at connect time, against a real listener that must receive nothing


@pytest.mark.parametrize(
    ("host", "answers", "why"),
    [
        ("127.0.0.1", {}, r"127\.0\.0\.1 \(loopback\) is not a public address"),
        ("localhost", None, r"'localhost' resolves to .* \(loopback\)"),  # the system's own resolver
        ("callback.test", {"callback.test": ["127.0.0.1"]}, r"'callback.test' resolves to 127\.0\.0\.1 \(loopback\)"),
        ("callback.test", {"callback.test": ["93.184.216.34", "127.0.0.1"]}, "resolves to 127.0.0.1"),
        ("callback.test", {"callback.test": ["::ffff:127.0.0.1"]}, "IPv4-mapped loopback"),
    ],
)
def test_a_host_that_resolves_to_loopback_is_refused_and_the_listener_gets_nothing(
    listener: TlsListener, certificate: Certificate, host: str, answers: dict[str, list[str]] | None, why: str
) -> None:
    options = {"resolver": resolving(answers)} if answers is not None else {}
    with pytest.raises(OutboundRefusedError, match=why) as refused:
        post(f"https://{host}:{listener.port}{TOKEN_PATH}", policy(host), certificate, **options)
    assert "ASSISTANT_API__OUTBOUND_ALLOW_PRIVATE" in str(refused.value)
    assert TOKEN_PATH not in str(refused.value)
    time.sleep(0.2)
    assert listener.received == []


@pytest.mark.parametrize(
    "url",
    ["https://[::1]:9/t", "https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/t", "https://0.0.0.0:9/t"],
)
def test_internal_addresses_are_refused_before_any_connection(url: str) -> None:
    host = httpx.URL(url).host
    calls: list[str] = []
    started = time.monotonic()
    with pytest.raises(OutboundRefusedError, match="is not a public address"):  # not OutboundError: never tried
        post(url, policy(host), resolver=resolving({}, calls))
    assert calls == [] and time.monotonic() - started < 1.0


def test_the_checked_address_is_the_one_connected_to_while_tls_and_host_keep_the_name(
    listener: TlsListener, certificate: Certificate
) -> None:
    # callback.test exists only in this resolver, and the certificate names no IP address: delivery proves the
    # connection went to the checked address while SNI, the certificate check and Host used the name.
    calls: list[str] = []
    rules = policy("callback.test", allow_private=True)
    reply = post(
        f"https://callback.test:{listener.port}{TOKEN_PATH}", rules, certificate,
        resolver=resolving({"callback.test": ["127.0.0.1"]}, calls),
    )  # fmt: skip
    assert reply.status == 200 and json.loads(reply.body) == {"ok": True}
    (request,) = listener.wait_for(1)
    assert request.path == TOKEN_PATH and request.body == {"version": "2.0"}
    assert request.headers["host"] == f"callback.test:{listener.port}"
    assert calls == ["callback.test"]  # one lookup: nothing left for a rebinding answer to change


def test_allowing_private_networks_keeps_https_and_the_host_list(listener: TlsListener) -> None:
    rules = policy("localhost", allow_private=True)
    with pytest.raises(OutboundRefusedError, match="only https://"):
        post(f"http://localhost:{listener.port}{TOKEN_PATH}", rules)
    with pytest.raises(OutboundRefusedError, match=r"'127\.0\.0\.1' is not allowed"):
        post(f"https://127.0.0.1:{listener.port}{TOKEN_PATH}", rules)
    time.sleep(0.2)
    assert listener.received == []


def test_the_certificate_is_checked(listener: TlsListener) -> None:
    with pytest.raises(OutboundError, match="CERTIFICATE_VERIFY_FAILED"):
        post(f"https://localhost:{listener.port}{TOKEN_PATH}", policy("localhost", allow_private=True))


def test_a_redirect_is_an_error_and_never_followed(listener: TlsListener, certificate: Certificate) -> None:
    target = f"https://localhost:{listener.port}/kakao/callback/redirected"
    with TlsListener(certificate, status=307, headers=[("Location", target)], body=b"") as redirecting:
        with pytest.raises(OutboundRefusedError, match=r"redirect \(HTTP 307\)"):
            post(f"https://localhost:{redirecting.port}{TOKEN_PATH}", policy("localhost", allow_private=True),
                 certificate)  # fmt: skip
        assert len(redirecting.wait_for(1)) == 1
    time.sleep(0.2)
    assert listener.received == []


def test_an_error_status_is_returned_and_a_long_answer_is_cut_short(certificate: Certificate) -> None:
    rules = policy("localhost", allow_private=True)
    with TlsListener(certificate, status=400, body=b'{"error": "expired"}') as refusing:
        assert post(f"https://localhost:{refusing.port}/t", rules, certificate).status == 400
    with (
        TlsListener(certificate, body=b"x" * (rules.max_response_bytes + 1)) as talkative,
        pytest.raises(OutboundError, match="longer than"),
    ):
        post(f"https://localhost:{talkative.port}/t", rules, certificate)


def test_a_listener_that_never_answers_costs_the_connect_timeout_only() -> None:
    with socket.socket() as silent:  # accepts connections in the backlog, never completes a TLS handshake
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(OutboundError, match=r"did not answer in time|took longer"):
            post(f"https://localhost:{port}/t", policy("localhost", allow_private=True, timeout=0.5))
        assert time.monotonic() - started < 2.0


# The Kakao callback of the real app


def make_app_settings(index_dir: Path, certificate: Certificate, allow_private: bool) -> Settings:
    api = ApiSettings(
        rate_limit=0, kakao_deadline=0.001, kakao_callback_hosts=["localhost"],
        outbound_allow_private=allow_private, outbound_ca_file=certificate.cert,
    )  # fmt: skip
    return make_settings(index_dir, api)


@pytest.fixture(scope="module")
def strict_api(demo_index_dir: Path, certificate: Certificate) -> Iterator[str]:
    """Callbacks allowed to ``localhost`` only, and no private addresses (the production rule)."""
    with live_server(create_app(make_app_settings(demo_index_dir, certificate, allow_private=False))) as url:
        yield url


@pytest.fixture(scope="module")
def open_api(demo_index_dir: Path, certificate: Certificate) -> Iterator[str]:
    """Callbacks allowed to ``localhost``, with the tests-and-closed-networks switch on."""
    with live_server(create_app(make_app_settings(demo_index_dir, certificate, allow_private=True))) as url:
        yield url


def kakao(api: str, user: str, callback: str) -> Any:
    said = {"utterance": QUESTION, "user": {"id": user, "type": "botUserKey"}, "callbackUrl": callback}
    response = httpx.post(f"{api}/v1/bots/kakao", json={"userRequest": said}, timeout=15)
    assert response.status_code == 200, response.text
    return response.json()


def late_text(reply: Any) -> bool:
    return bool(reply == {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": LATE_TEXT}}]}})


def wait_for_log(caplog: pytest.LogCaptureFixture, text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [r.getMessage() for r in caplog.records if text in r.getMessage()]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no log line with {text!r}: {[r.getMessage() for r in caplog.records]}")


def test_the_app_delivers_a_late_answer_to_an_allowed_callback_over_https(open_api: str, listener: TlsListener) -> None:
    reply = kakao(open_api, "outbound-1", f"https://localhost:{listener.port}/kakao/callback/ok")
    assert reply == {"version": "2.0", "useCallback": True, "data": {"text": WAIT_TEXT}}
    (delivery,) = listener.wait_for(1)
    assert delivery.path == "/kakao/callback/ok" and delivery.headers["host"] == f"localhost:{listener.port}"
    outputs = delivery.body["template"]["outputs"]
    assert delivery.body["version"] == "2.0" and "[1]" in outputs[0]["simpleText"]["text"]


@pytest.mark.parametrize(
    ("callback", "why"),
    [
        ("https://127.0.0.1:{port}/kakao/callback/ip", "'127.0.0.1' is not allowed"),
        ("https://[::1]:{port}/kakao/callback/ip6", "'::1' is not allowed"),
        ("http://localhost:{port}/kakao/callback/http", "only https://"),
        ("https://169.254.169.254/latest/meta-data/", "is not allowed"),
        ("https://10.0.0.7/kakao/callback/private", "is not allowed"),
        ("https://bot-api.kakao.com.evil.example/kakao/callback/x", "is not allowed"),
    ],
)
def test_the_app_ignores_a_callback_url_off_the_rules_and_answers_without_it(
    strict_api: str, listener: TlsListener, caplog: pytest.LogCaptureFixture, callback: str, why: str
) -> None:
    caplog.set_level(logging.WARNING, logger="assistant.api.kakao")
    url = callback.format(port=listener.port)
    assert late_text(kakao(strict_api, f"outbound-static-{hash(url)}", url))
    logged = wait_for_log(caplog, "callbackUrl ignored")
    assert why in logged and "/kakao/callback" not in logged
    assert listener.received == []


def test_the_app_never_posts_to_a_host_that_resolves_to_loopback(
    strict_api: str, listener: TlsListener, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="assistant.api.kakao")
    reply = kakao(strict_api, "outbound-2", f"https://localhost:{listener.port}/kakao/callback/loopback")
    assert reply["useCallback"] is True  # localhost is on the list; its address is what the guard refuses
    logged = wait_for_log(caplog, "refused by the outbound guard")
    assert "(loopback)" in logged and "ASSISTANT_API__OUTBOUND_ALLOW_PRIVATE" in logged
    assert "/kakao/callback" not in logged
    assert listener.received == []


def test_the_app_keeps_https_when_private_networks_are_allowed(open_api: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="assistant.api.kakao")
    with BotServer() as plain:  # a plain-HTTP listener on an allowed host
        port = plain.url.rsplit(":", 1)[1]
        assert late_text(kakao(open_api, "outbound-3", f"http://localhost:{port}/kakao/callback/http"))
        wait_for_log(caplog, "only https://")
        assert plain.deliveries == []


def test_the_app_does_not_follow_a_redirect_from_an_allowed_host(
    open_api: str, listener: TlsListener, certificate: Certificate, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="assistant.api.kakao")
    target = f"https://localhost:{listener.port}/kakao/callback/redirected"
    with TlsListener(certificate, status=308, headers=[("Location", target)], body=b"") as redirecting:
        reply = kakao(open_api, "outbound-4", f"https://localhost:{redirecting.port}/kakao/callback/moved")
        assert reply["useCallback"] is True
        assert "redirect (HTTP 308)" in wait_for_log(caplog, "refused by the outbound guard")
        assert len(redirecting.received) == 1
    assert listener.received == []
