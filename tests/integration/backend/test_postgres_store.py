"""A plain `postgresql://` tracking URI (issue 14 item 12), on the real PostgreSQL that .ci/run
starts (`HEALTHPREDICT_TEST_POSTGRES_URI`): psycopg 3 is installed for SQLAlchemy's default
dialect, and with the database down the API starts at once and answers 503 in one line until
the database is back."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.support.servers import free_port

POSTGRES_ENV = "HEALTHPREDICT_TEST_POSTGRES_URI"


@contextlib.contextmanager
def tcp_forwarder(port: int, target: tuple[str, int]) -> Iterator[None]:
    """127.0.0.1:`port` forwards to `target` while the block runs: the database "comes back"."""
    listener = socket.create_server(("127.0.0.1", port))
    listener.settimeout(0.2)
    stop = threading.Event()

    def pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            upstream = socket.create_connection(target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=pipe, args=(source, sink), daemon=True).start()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield
    finally:
        stop.set()
        server.join()
        listener.close()


@pytest.fixture
def postgres_url():
    configured = os.environ.get(POSTGRES_ENV)
    if not configured:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run starts PostgreSQL and sets it)")
    return make_url(configured)


def test_plain_postgresql_uri_503_while_the_database_is_down_then_reads(
    postgres_url, make_client, fast_failing_http
) -> None:
    port = free_port()
    plain = postgres_url.set(drivername="postgresql", host="127.0.0.1", port=port)
    uri = plain.render_as_string(hide_password=False)
    api = make_client(uri)  # nothing touches the database yet

    down = api.get("/batches")
    assert down.status_code == 503
    detail = down.json()["detail"]
    assert "\n" not in detail and "did not answer" in detail and str(port) in detail
    assert postgres_url.password not in detail
    health = api.get("/health").json()
    assert health["mlflow"] is False and postgres_url.password not in str(health)

    with tcp_forwarder(port, (postgres_url.host or "127.0.0.1", postgres_url.port or 5432)):
        back = api.get("/batches")
        assert back.status_code == 200, back.text
        assert back.json()["batches"] == []
        # /health answers its last probe for up to a second after a failure
        # (FAILED_FRESH_SECONDS): the store that came back shows within that second.
        deadline = time.monotonic() + 3.0
        while api.get("/health").json()["mlflow"] is not True:
            assert time.monotonic() < deadline, "/health still says MLflow is down"
            time.sleep(0.2)
