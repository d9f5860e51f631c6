"""A client cannot pick its own address with `X-Forwarded-For`: the server `make run` starts (with
the options its Makefile gives uvicorn) trusts no proxy by default, so a lockout holds whatever the
header says; and when a proxy is trusted, guesses spread over forged addresses still lock the
username out. The same for gunicorn (`chorehub.wsgi`, what `make run-pushpin` serves behind
Pushpin), which believes the header only from the peers named in FORWARDED_ALLOW_IPS."""

import os
import shlex
import subprocess

import httpx
import pytest
from django.conf import settings

from testsupport.asgi_server import BASE_DIR, AsgiServer
from testsupport.factories import UserFactory
from testsupport.wsgi_server import WsgiServer

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"  # testsupport.factories.UserFactory's


def make_run_uvicorn_options(**variables: str) -> list[str]:
    """The uvicorn options of `make run`'s server command (`make -n` prints it, runs nothing),
    but the host and the port, which the test server chooses."""
    environment = {k: v for k, v in os.environ.items() if k != "FORWARDED_ALLOW_IPS"}
    printed = subprocess.run(
        ["make", "-n", "run", *(f"{name}={value}" for name, value in variables.items())],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    command = next(line for line in printed.splitlines() if "chorehub.asgi:application" in line)
    words = shlex.split(command)
    options = words[words.index("chorehub.asgi:application") + 1 :]
    for name in ("--host", "--port"):
        index = options.index(name)
        del options[index : index + 2]
    return options


@pytest.fixture
def serve(django_db_blocker, tmp_path):
    """`serve(**make_variables)`: a real server with `make run`'s options, on the test database."""
    servers: list[AsgiServer] = []

    def start(**variables: str) -> AsgiServer:
        server = AsgiServer(
            env={"CHOREHUB_LOG_DIR": str(tmp_path)},
            log_path=tmp_path / "server.log",
            options=make_run_uvicorn_options(**variables),
        )
        with django_db_blocker.unblock():
            servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def serve_wsgi(django_db_blocker, tmp_path):
    """`serve_wsgi(**env)`: a real gunicorn serving `chorehub.wsgi` on the test database."""
    servers: list[WsgiServer] = []

    def start(**env: str) -> WsgiServer:
        server = WsgiServer(
            env={"CHOREHUB_LOG_DIR": str(tmp_path), **env}, log_path=tmp_path / "server.log"
        )
        with django_db_blocker.unblock():
            servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()


def sign_in(server: AsgiServer, username: str, password: str, forwarded_for: str | None = None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return httpx.post(
        f"{server.url}/api/auth/token/",
        json={"username": username, "password": password},
        headers=headers,
        timeout=30,
    )


def wrong_guesses_from_forged_addresses(server, username: str, count: int) -> list[int]:
    """The answers to `count` wrong passwords, each claiming another `X-Forwarded-For`."""
    return [
        sign_in(server, username, "wrong", forwarded_for=f"1.2.3.{n}").status_code
        for n in range(count)
    ]


def locked_out_at(limit: int, count: int) -> list[int]:
    """The answers of `count` wrong guesses locked out from the `limit`-th on."""
    return [400] * (limit - 1) + [429] * (count - limit + 1)


def test_make_run_trusts_no_forwarded_header_by_default():
    assert "--no-proxy-headers" in make_run_uvicorn_options()
    assert make_run_uvicorn_options(FORWARDED_ALLOW_IPS="10.0.0.5")[-2:] == [
        "--forwarded-allow-ips",
        "10.0.0.5",
    ]


def test_a_locked_out_username_stays_locked_out_with_a_forwarded_for_header(serve):
    parent = UserFactory()
    server = serve()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(server, parent.username, "wrong")

    response = sign_in(server, parent.username, PASSWORD, forwarded_for="1.2.3.4")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "900"


def test_40_guesses_with_40_forwarded_for_values_are_locked_out(serve):
    parent = UserFactory()
    server = serve()

    answers = wrong_guesses_from_forged_addresses(server, parent.username, 40)

    assert answers == locked_out_at(settings.AXES_FAILURE_LIMIT, 40)


def test_behind_a_trusted_proxy_forged_addresses_still_lock_the_username_out(serve):
    parent = UserFactory()
    server = serve(FORWARDED_ALLOW_IPS="127.0.0.1")

    answers = wrong_guesses_from_forged_addresses(server, parent.username, 40)

    assert answers == locked_out_at(settings.AXES_USERNAME_FAILURE_LIMIT, 40)
    assert sign_in(server, parent.username, PASSWORD, forwarded_for="5.6.7.8").status_code == 429


def test_make_run_pushpin_has_gunicorn_believe_pushpin_alone():
    printed = subprocess.run(
        ["make", "-n", "run-pushpin"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    command = " ".join(printed.split("\\\n"))
    assert "gunicorn chorehub.wsgi:application" in command
    assert "FORWARDED_ALLOW_IPS=127.0.0.1 " in command


def test_gunicorn_trusts_no_forwarded_header_by_default(serve_wsgi):
    parent = UserFactory()
    server = serve_wsgi()

    answers = wrong_guesses_from_forged_addresses(server, parent.username, 10)

    assert answers == locked_out_at(settings.AXES_FAILURE_LIMIT, 10)


def test_gunicorn_behind_a_trusted_proxy_counts_by_the_forwarded_address(serve_wsgi):
    """Each forwarded address has its own count (none reaches the per-address limit), and the
    username's own limit still locks it out."""
    parent = UserFactory()
    server = serve_wsgi(FORWARDED_ALLOW_IPS="127.0.0.1")

    answers = wrong_guesses_from_forged_addresses(server, parent.username, 40)

    assert answers == locked_out_at(settings.AXES_USERNAME_FAILURE_LIMIT, 40)
    assert sign_in(server, parent.username, PASSWORD, forwarded_for="5.6.7.8").status_code == 429


NOT_ADDRESSES = ["unknown", "garbage", "1.2.3.4, garbage"]


@pytest.mark.parametrize("forwarded_for", NOT_ADDRESSES)
def test_behind_a_trusted_proxy_a_forwarded_for_that_is_no_address_never_makes_a_500(
    serve, forwarded_for
):
    """uvicorn passes the forwarded value on as the client's address whatever it is; PostgreSQL's
    `inet` column of django-axes refused it (a 500 on the failed sign-in)."""
    parent = UserFactory()
    server = serve(FORWARDED_ALLOW_IPS="127.0.0.1")

    wrong = sign_in(server, parent.username, "wrong", forwarded_for=forwarded_for)
    right = sign_in(server, parent.username, PASSWORD, forwarded_for=forwarded_for)

    assert wrong.status_code == 400
    assert right.status_code == 200


@pytest.mark.parametrize("forwarded_for", NOT_ADDRESSES)
def test_gunicorn_behind_a_trusted_proxy_a_forwarded_for_that_is_no_address_never_makes_a_500(
    serve_wsgi, forwarded_for
):
    parent = UserFactory()
    server = serve_wsgi(FORWARDED_ALLOW_IPS="127.0.0.1")

    wrong = sign_in(server, parent.username, "wrong", forwarded_for=forwarded_for)
    right = sign_in(server, parent.username, PASSWORD, forwarded_for=forwarded_for)

    assert wrong.status_code == 400
    assert right.status_code == 200
