"""Fixtures for the notification tests: alerts on the shared book, a real local SMTP server (aiosmtpd) and
a real local HTTP receiver (http.server in a thread), both on 127.0.0.1 on ephemeral ports."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from tests.conftest import AS_OF

from fengkong.customers.models import Contact
from fengkong.monitoring.models import Alert


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_alert(customer, level=2, kind="zone_attention", key=None, invoice=None):
    return Alert.objects.create(dedup_key=key or f"{kind}:{customer.code}:{AS_OF}", kind=kind, level=level,
                                customer=customer, invoice=invoice, as_of=AS_OF,
                                title=f"{customer.name} 进入关注区", details={"days_overdue": 45})


@pytest.fixture
def customer(book):
    return book["customers"][0]


@pytest.fixture
def contact(customer):
    return Contact.objects.create(customer=customer, name="王经理", email="Wang@Customer.example",
                                  phone="023-6000 0000", is_primary=True)


@pytest.fixture
def alert(customer):
    return make_alert(customer)


@pytest.fixture
def overdue(book):
    return [inv for inv in book["invoices"] if inv.customer_id == book["customers"][0].pk and inv.due_date < AS_OF]


class SmtpSink:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        return [email.message_from_bytes(e.original_content or e.content, policy=email.policy.default)
                for e in self.envelopes]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server; Django's SMTP backend is pointed at it."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "credit@fengkong.example"
    yield sink
    controller.stop()


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    status: int = 200
    answer: bytes = b'{"errcode":0,"errmsg":"ok"}'
    requests: list = field(default_factory=list)

    def url(self, path="/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def receiver():
    """receiver() -> a running HTTP receiver that records every POST and answers `status` / `answer`."""
    started = []

    def _start(status=200, answer=b'{"errcode":0,"errmsg":"ok"}'):
        box: dict = {}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                rec = box["receiver"]
                rec.requests.append(Received(self.path, dict(self.headers), body))
                self.send_response(rec.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(rec.answer)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        box["receiver"] = rec = Receiver(server, status, answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return rec

    yield _start
    for server in started:
        server.shutdown()
        server.server_close()
