"""The docker-compose deployment, checked without a Docker engine.

No engine runs on the development and CI machines, so the images are never built here. What can
be checked is checked: the compose file's services, healthchecks, start-up order and ports; that
every variable the api and experiment services set is one the code (or a library it uses) reads;
that the Dockerfiles run the same scripts CI runs with the same Python and Node versions; that the
MLflow image pins what uv.lock pins; and that nginx proxies exactly the paths the API serves.
Debian's `docker-compose` (v1, installed by .ci/run) resolves a copy of the file without the
v2-only `name:` key, and the tests read the services, ports and variables from what it resolved;
where nginx is installed the web service's nginx configuration runs for real in front of the API.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from mlflow.server.security_utils import is_allowed_host_header
from pydantic import AliasChoices

from backend import page
from backend.middleware import SECURITY_HEADERS
from backend.settings import Settings
from healthpredict.cli import build_parser
from pipeline.core import config as pipeline_config
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "default.conf.template"
MLFLOW_DOCKERFILE = ROOT / "deploy" / "mlflow" / "Dockerfile"
MLFLOW_ENTRYPOINT = ROOT / "deploy" / "mlflow" / "entrypoint.sh"
DOCKERFILES = [
    ROOT / "Dockerfile.api",
    ROOT / "Dockerfile.web",
    ROOT / "Dockerfile.airflow",
    MLFLOW_DOCKERFILE,
]

AIRFLOW_SERVICES = {"airflow-api-server", "airflow-scheduler", "airflow-dag-processor"}
SERVICES = {"postgres", "minio", "create-buckets", "mlflow", "experiment", "api", "web"}
SERVICES |= {"airflow-init", *AIRFLOW_SERVICES}
ONE_SHOT_JOBS = {"create-buckets", "experiment", "airflow-init"}

# Variables read by libraries rather than by this project's code: boto3 (S3 access to MinIO).
LIBRARY_VARIABLES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}

_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def _env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}` / `${VAR:-default}` substitution, enough for this file."""
    return _INTERPOLATION.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict), "docker-compose.yml is not a mapping"
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _settings_variables() -> set[str]:
    """The environment variables the report API's settings class reads."""
    prefix = str(Settings.model_config.get("env_prefix") or "")
    names: set[str] = set()
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(prefix + field_name)
    return {name.upper() for name in names}


def _pipeline_variables() -> set[str]:
    """The variables `pipeline.core.config` reads (the CLI's defaults for state, storage, data)."""
    return {
        value
        for name, value in vars(pipeline_config).items()
        if name.endswith("_ENV") and isinstance(value, str)
    }


def _nginx_locations() -> list[str]:
    """The location matchers of the nginx template (`= /`, `/`, `@api`, ...)."""
    return re.findall(r"^\s*location\s+([^{]+?)\s*\{", NGINX_TEMPLATE.read_text(), re.MULTILINE)


def _nginx_headers() -> dict[str, str]:
    """The headers the nginx template adds to every answer."""
    found = re.findall(r'^\s*add_header\s+(\S+)\s+"([^"]*)"', NGINX_TEMPLATE.read_text(), re.M)
    return dict(found)


def test_compose_declares_the_deployment_services(services: dict[str, Any]) -> None:
    assert set(services) == SERVICES


def test_long_running_services_have_healthchecks(services: dict[str, Any]) -> None:
    for name in SERVICES - ONE_SHOT_JOBS:
        check = services[name].get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert services[name].get("restart") == "unless-stopped", name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "/health" in " ".join(services["api"]["healthcheck"]["test"])
    assert "/health" in " ".join(services["mlflow"]["healthcheck"]["test"])
    for name in ONE_SHOT_JOBS:
        assert "healthcheck" not in services[name], f"one-shot job {name} has a healthcheck"
        assert services[name].get("restart") == "no", f"one-shot job {name} would restart"


def test_start_order_waits_for_health_or_completion(services: dict[str, Any]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions, not a list"
        for dependency, spec in depends.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            expected = (
                "service_completed_successfully"
                if dependency in ONE_SHOT_JOBS
                else "service_healthy"
            )
            assert spec.get("condition") == expected, f"{name} -> {dependency}"
    # Everything that touches a bucket waits for the buckets to exist.
    for name in ("mlflow", "experiment", "api"):
        assert "create-buckets" in services[name]["depends_on"], name
    assert set(services["web"]["depends_on"]) == {"api"}
    # No cycles: a topological order exists.
    remaining = dict(services)
    while remaining:
        ready = [
            n for n, s in remaining.items() if not set(s.get("depends_on") or {}) & set(remaining)
        ]
        assert ready, f"depends_on cycle among {sorted(remaining)}"
        for n in ready:
            del remaining[n]


def test_published_ports_are_local_by_default_and_distinct(services: dict[str, Any]) -> None:
    env = _env_example()
    published: dict[str, tuple[str, str, str]] = {}
    for name, service in services.items():
        for spec in service.get("ports") or []:
            address, host_port, container_port = _interpolate(str(spec), env).split(":")
            assert address == "127.0.0.1", f"{name} publishes on {address} by default"
            assert host_port not in published, (
                f"{name} and {published[host_port][0]} share {host_port}"
            )
            published[host_port] = (name, address, container_port)
    by_service = {(svc, container) for svc, _, container in published.values()}
    assert ("web", "80") in by_service
    assert ("mlflow", "5000") in by_service
    assert "ports" not in services["api"], "the API is reached through the web proxy"


def test_api_and_experiment_set_only_variables_something_reads(services: dict[str, Any]) -> None:
    settings_vars = _settings_variables()
    pipeline_vars = _pipeline_variables()
    readers = {
        "api": settings_vars | pipeline_vars | LIBRARY_VARIABLES,
        "experiment": pipeline_vars | LIBRARY_VARIABLES,
    }
    for name, known in readers.items():
        unknown = set(_environment(services[name])) - known
        assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"
    api_env = _environment(services["api"])
    assert api_env["MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
    assert api_env["HEALTHPREDICT_STORAGE"] == "s3://healthpredict-data"


def test_settings_accept_the_api_service_environment(services: dict[str, Any]) -> None:
    """The values compose passes (with .env.example's defaults) start the API's settings."""
    env = _env_example()
    values = {k: _interpolate(v, env) for k, v in _environment(services["api"]).items()}
    settings_vars = _settings_variables()
    settings = Settings.model_validate({k: v for k, v in values.items() if k in settings_vars})
    assert settings.tracking_uri == "http://mlflow:5000"
    assert settings.s3_endpoint_url == "http://minio:9000"
    assert settings.mlflow_ui_url == "http://localhost:5000"


def test_experiment_job_runs_the_pipeline_against_the_services(services: dict[str, Any]) -> None:
    command = services["experiment"]["command"]
    assert command[:3] == ["healthpredict", "experiment", "run"]
    assert command[command.index("--tracking-uri") + 1] == "http://mlflow:5000"
    assert command[command.index("--storage") + 1] == "s3://healthpredict-data"
    assert "--if-missing" in command
    buckets = _environment(services["create-buckets"])
    assert {buckets["MLFLOW_BUCKET"], buckets["DATA_BUCKET"]} == {"mlflow", "healthpredict-data"}
    api_command = services["api"]["command"]
    assert api_command[:2] == ["healthpredict", "serve"]
    assert api_command[api_command.index("--host") + 1] == "0.0.0.0"


def _demo_commands() -> list[list[str]]:
    """The `healthpredict` command lines `make demo` would run (make -n prints them)."""
    dry_run = subprocess.run(
        ["make", "-n", "demo", "DATA=/data/dataset_diabetes.zip"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    commands = []
    for line in dry_run.stdout.splitlines():
        if "/healthpredict " not in line:
            continue  # the install and build steps (shell with line continuations) run no command
        words = shlex.split(line)
        for index, word in enumerate(words):
            if word.endswith("/healthpredict"):
                commands.append(words[index + 1 :])
    return commands


def test_every_command_the_deployment_and_demo_run_parses(services: dict[str, Any]) -> None:
    """A renamed or misspelt CLI option fails here, not in a container or at `make demo`."""
    dockerfile_cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile.api").read_text(), re.M)
    assert dockerfile_cmd, "Dockerfile.api has no exec-form CMD"
    commands = [
        services["experiment"]["command"],
        services["api"]["command"],
        json.loads(dockerfile_cmd.group(1)),
    ]
    assert all(command[0] == "healthpredict" for command in commands)
    demo = _demo_commands()
    assert [command[:2] for command in demo] == [["experiment", "run"], ["serve", "--host"]]
    parser = build_parser()
    for argv in [command[1:] for command in commands] + demo:
        parser.parse_args(argv)
    demo_run = parser.parse_args(demo[0])
    assert demo_run.if_missing and demo_run.data == "/data/dataset_diabetes.zip"
    demo_serve = parser.parse_args(demo[1])
    assert (demo_serve.host, demo_serve.port) == ("127.0.0.1", 8000)


def test_mlflow_server_accepts_the_hosts_that_call_it(services: dict[str, Any]) -> None:
    env = _env_example()
    mlflow_env = {k: _interpolate(v, env) for k, v in _environment(services["mlflow"]).items()}
    assert mlflow_env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] == "false"
    assert mlflow_env["MLFLOW_BACKEND_STORE_URI"].startswith("postgresql+psycopg2://")
    assert "@postgres:5432/" in mlflow_env["MLFLOW_BACKEND_STORE_URI"]
    assert mlflow_env["MLFLOW_ARTIFACTS_DESTINATION"] == "s3://mlflow/artifacts"
    assert mlflow_env["MLFLOW_S3_ENDPOINT_URL"] == "http://minio:9000"
    allowed = mlflow_env["MLFLOW_ALLOWED_HOSTS"].split(",")
    # Host headers of: the api/experiment containers, a browser on the host, and an attacker.
    for host in ("mlflow:5000", "mlflow", "localhost:5000", "127.0.0.1:5000"):
        assert is_allowed_host_header(allowed, host), host
    assert not is_allowed_host_header(allowed, "evil.example:5000")
    entrypoint = MLFLOW_ENTRYPOINT.read_text()
    for flag in (
        "--serve-artifacts",
        "--artifacts-destination",
        "--allowed-hosts",
        "--backend-store-uri",
    ):
        assert flag in entrypoint, flag


def _lock_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {package["name"]: package["version"] for package in lock["package"]}


def test_mlflow_image_pins_what_the_lock_pins() -> None:
    lock = _lock_versions()
    text = MLFLOW_DOCKERFILE.read_text()
    image_version = re.search(r"^FROM ghcr\.io/mlflow/mlflow:v(\S+)", text, re.MULTILINE)
    assert image_version, "deploy/mlflow/Dockerfile does not start from the official image"
    assert image_version.group(1) == lock["mlflow"]
    pins = dict(re.findall(r"([A-Za-z0-9_.-]+)==([0-9][^\s]*)", text))
    assert pins == {"psycopg2-binary": lock["psycopg2-binary"], "boto3": lock["boto3"]}


def _dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", path.read_text())
    rows = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            rows.append((keyword.upper(), rest.strip()))
    return rows


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfiles_copy_and_run_files_that_exist(dockerfile: Path) -> None:
    context = dockerfile.parent if dockerfile == MLFLOW_DOCKERFILE else ROOT
    for keyword, rest in _dockerfile_instructions(dockerfile):
        if keyword == "COPY" and "--from=" not in rest:
            sources = rest.split()[:-1]
            for source in sources:
                assert (context / source).exists(), f"{dockerfile.name}: COPY {source} is missing"
        if keyword == "RUN":
            for script in re.findall(r"scripts/[\w.-]+\.sh", rest):
                assert os.access(ROOT / script, os.X_OK), (
                    f"{dockerfile.name}: {script} is not executable"
                )


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfiles_pass_hadolint(dockerfile: Path) -> None:
    """No hadolint warning or error (infos pass, such as SC2086 on a deliberately split $extras)."""
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint is in the dev group: run `make install`"
    checked = subprocess.run(
        [str(hadolint), "--no-color", "--failure-threshold", "warning", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_images_build_with_the_scripts_ci_runs() -> None:
    api = (ROOT / "Dockerfile.api").read_text()
    web = (ROOT / "Dockerfile.web").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/install.sh python" in api and "scripts/install.sh python" in makefile
    assert "scripts/install.sh frontend" in web and "scripts/install.sh frontend" in makefile
    assert "scripts/build-web.sh" in web and "scripts/build-web.sh" in makefile
    assert "--no-dev" in api, "the API image must not carry the test tools"


def test_images_use_the_python_and_node_versions_of_the_project() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    python_version = pyproject["tool"]["mypy"]["python_version"]
    assert f"ARG PYTHON_VERSION={python_version}\n" in (ROOT / "Dockerfile.api").read_text()
    assert f">={python_version}" in pyproject["project"]["requires-python"]

    node_arg = re.search(r"ARG NODE_VERSION=(\d+)", (ROOT / "Dockerfile.web").read_text())
    assert node_arg, "Dockerfile.web does not pin the Node major version"
    package = json.loads((ROOT / "frontend" / "package.json").read_text())
    engines = package.get("engines", {}).get("node", "")
    engine_major = re.search(r"(\d+)", engines)
    assert engine_major and engine_major.group(1) == node_arg.group(1), engines
    node = shutil.which("node")
    if node is not None:
        local = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
        assert local.stdout.strip().lstrip("v").split(".")[0] == node_arg.group(1)


def test_nginx_keeps_no_list_of_api_paths() -> None:
    """The page's routes are served by nginx; everything else that is no file goes to the API,
    so a new endpoint (its route, schema, service, client) needs no change to nginx."""
    locations = _nginx_locations()
    assert sorted(locations) == sorted(
        ["/", "@api", *(f"= /{route}" for route in page.PAGE_ROUTES)]
    )
    assert "try_files $uri @api;" in NGINX_TEMPLATE.read_text()


def test_nginx_sends_the_security_headers_the_api_sends() -> None:
    assert _nginx_headers() == SECURITY_HEADERS


def test_web_image_serves_the_template_with_the_upstream_it_needs(services: dict[str, Any]) -> None:
    template = NGINX_TEMPLATE.read_text()
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", template))
    web_env = _environment(services["web"])
    assert placeholders == set(web_env), "nginx template placeholders and web's environment differ"
    assert web_env["API_UPSTREAM"] == "api:8000"
    assert "/etc/nginx/templates/" in (ROOT / "Dockerfile.web").read_text()


def test_env_example_lists_every_variable_the_compose_file_reads() -> None:
    text = COMPOSE_FILE.read_text()
    used = {match.group(1) for match in _INTERPOLATION.finditer(text)}
    listed = set(_env_example())
    assert used - listed == set(), f".env.example misses {sorted(used - listed)}"
    assert listed - used == set(), f".env.example lists unused {sorted(listed - used)}"


def test_compose_defaults_match_env_example() -> None:
    """Running without a .env behaves exactly like running with a copy of .env.example."""
    listed = _env_example()
    for match in _INTERPOLATION.finditer(COMPOSE_FILE.read_text()):
        name, default = match.group(1), match.group(2)
        assert default is not None, f"${{{name}}} has no default in docker-compose.yml"
        assert default == listed[name], (
            f"{name}: compose says {default!r}, .env.example {listed[name]!r}"
        )


def test_docker_build_context_leaves_out_state_data_and_installs() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    for entry in (
        ".venv",
        "frontend/node_modules",
        ".healthpredict",
        "data",
        "*.zip",
        ".env",
        ".git",
    ):
        assert entry in ignored, entry


# --- Debian's docker-compose (v1) resolves the file --------------------------------------------
# v1 predates the top-level `name:` key (the project name); everything else it resolves as the
# engine's compose plugin would: interpolation, anchors, depends_on conditions, build contexts.
COMPOSE_V1_INSTALL = "apt-get install docker-compose (.ci/run installs it)"


def _compose_config(tmp_path: Path, env_file_text: str) -> dict[str, Any]:
    """`docker-compose config` on the file minus `name:`, with only `env_file_text` as .env."""
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail(f"docker-compose is missing: {COMPOSE_V1_INSTALL}")
        pytest.skip(f"docker-compose is not installed: {COMPOSE_V1_INSTALL}")
    lines = COMPOSE_FILE.read_text().splitlines(keepends=True)
    copy = tmp_path / "docker-compose.v1.yml"
    copy.write_text("".join(line for line in lines if not line.startswith("name:")))
    env_file = tmp_path / "compose.env"
    env_file.write_text(env_file_text)
    result = subprocess.run(
        [binary, "--project-directory", str(ROOT), "--env-file", str(env_file),
         "-f", str(copy), "config"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert isinstance(resolved, dict), result.stdout
    return resolved


def test_docker_compose_resolves_the_file_with_its_defaults(tmp_path: Path) -> None:
    """No .env at all: what `docker compose up` gives a user who changed nothing."""
    services = _compose_config(tmp_path, "")["services"]
    assert set(services) == SERVICES
    # The report on :8080, MLflow's UI on :5000, MinIO's console on :9001, Airflow's UI on :8081,
    # all on loopback only.
    assert services["web"]["ports"] == ["127.0.0.1:8080:80/tcp"]
    assert services["mlflow"]["ports"] == ["127.0.0.1:5000:5000/tcp"]
    assert services["minio"]["ports"] == ["127.0.0.1:9001:9001/tcp"]
    assert services["airflow-api-server"]["ports"] == ["127.0.0.1:8081:8080/tcp"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"web", "mlflow", "minio", "airflow-api-server"}
    api = services["api"]["environment"]
    assert api["MLFLOW_TRACKING_URI"] == "http://mlflow:5000"
    assert api["HEALTHPREDICT_STORAGE"] == "s3://healthpredict-data"
    assert api["MLFLOW_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert api["MLFLOW_UI_URL"] == "http://localhost:5000"
    assert services["web"]["environment"]["API_UPSTREAM"] == "api:8000"
    command = services["experiment"]["command"]
    assert command[:3] == ["healthpredict", "experiment", "run"]
    assert command[command.index("--tracking-uri") + 1] == "http://mlflow:5000"
    assert command[command.index("--storage") + 1] == "s3://healthpredict-data"
    assert services["web"]["depends_on"]["api"]["condition"] == "service_healthy"


def test_docker_compose_applies_the_env_file_a_user_writes(tmp_path: Path) -> None:
    """The README's `.env` knobs: another address and port for the page, the API token."""
    env = "BIND_ADDRESS=0.0.0.0\nWEB_PORT=9090\nHEALTHPREDICT_API_TOKEN=s3cret\n"
    services = _compose_config(tmp_path, env)["services"]
    assert services["web"]["ports"] == ["0.0.0.0:9090:80/tcp"]
    assert services["mlflow"]["ports"] == ["0.0.0.0:5000:5000/tcp"]
    assert services["api"]["environment"]["HEALTHPREDICT_API_TOKEN"] == "s3cret"


def test_docker_compose_accepts_env_example_as_it_ships(tmp_path: Path) -> None:
    services = _compose_config(tmp_path, ENV_EXAMPLE.read_text())["services"]
    assert services["web"]["ports"] == ["127.0.0.1:8080:80/tcp"]


# --- nginx in front of the real API -------------------------------------------------------------
START_TIMEOUT_S = 60.0
INDEX_HTML = "<!doctype html><title>Health Predict report</title><div id=root></div>"


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args!r} exited: {log.read_text(errors='replace')}")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.3)  # not listening yet
    raise AssertionError(f"nothing answered {url} in {START_TIMEOUT_S:.0f} s")


@contextlib.contextmanager
def _running(command: list[str], url: str, log: Path, env: dict[str, str]) -> Iterator[None]:
    """A server process for the test's duration; its whole process group ends with it."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        _wait_for(url, process, log)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _nginx_config(tmp_path: Path, html: Path, listen_port: int, api_port: int) -> Path:
    """The web image's template, rendered as its entrypoint would, inside a minimal main file."""
    server = (
        NGINX_TEMPLATE.read_text()
        .replace("${API_UPSTREAM}", f"127.0.0.1:{api_port}")
        .replace("${NGINX_RESOLVER}", "127.0.0.1")
        .replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
        .replace("root /usr/share/nginx/html;", f"root {html};")
    )
    (tmp_path / "default.conf").write_text(server)
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"""daemon off;
master_process off;
worker_processes 1;
pid {tmp_path / "nginx.pid"};
error_log {tmp_path / "nginx-error.log"} warn;
events {{ worker_connections 64; }}
http {{
    types {{ text/html html; application/javascript js; }}
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {tmp_path / "default.conf"};
}}
"""
    )
    return main


def test_web_nginx_serves_the_page_and_proxies_the_api(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx); .ci/run installs it")
    html = tmp_path / "html"
    (html / "assets").mkdir(parents=True)
    (html / "index.html").write_text(INDEX_HTML)
    (html / "assets" / "app-1234.js").write_text("console.log('report');")

    api_port, web_port = free_port(), free_port()
    env = {
        **os.environ,
        # Nothing listens there: /health answers without creating an MLflow store first.
        "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{free_port()}",
        "HEALTHPREDICT_STORAGE": str(tmp_path / "storage"),
        # The API has no page of its own here: anything page-like must come from nginx.
        "HEALTHPREDICT_STATIC_DIR": str(tmp_path / "no-page"),
    }
    api = [sys.executable, "-m", "backend", "--host", "127.0.0.1", "--port", str(api_port)]
    config_file = _nginx_config(tmp_path, html, web_port, api_port)
    checked = subprocess.run([nginx, "-t", "-c", str(config_file)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    web = f"http://127.0.0.1:{web_port}"
    with (
        _running(api, f"http://127.0.0.1:{api_port}/health", tmp_path / "api.log", env),
        _running([nginx, "-c", str(config_file)], f"{web}/", tmp_path / "nginx.log", env),
    ):
        health = httpx.get(f"{web}/health", timeout=30)
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        schema = httpx.get(f"{web}/openapi.json", timeout=30).json()
        assert "/batches" in schema["paths"]
        docs = httpx.get(f"{web}/docs", timeout=30)
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        assert httpx.get(f"{web}/docs/assets/swagger-ui-bundle.js", timeout=30).status_code == 200
        # An API path the API rejects still answers from the API (JSON), never with the page.
        missing_roc = httpx.get(f"{web}/roc/not-a-number", timeout=30)
        assert missing_roc.headers["content-type"].startswith("application/json")

        index = httpx.get(f"{web}/", timeout=30)
        assert index.status_code == 200 and index.text == INDEX_HTML
        # Paths the page does not route reach the API, which answers JSON, not the page.
        for path in ("/report/batch/3", "/summaryx", "/assets/missing.js"):
            wrong = httpx.get(f"{web}{path}", timeout=30)
            assert wrong.status_code == 404 and wrong.json()["detail"] == f"no route {path}"
        refresh_by_get = httpx.get(f"{web}/refresh", timeout=30)
        assert refresh_by_get.status_code == 405 and refresh_by_get.headers["allow"] == "POST"
        asset = httpx.get(f"{web}/assets/app-1234.js", timeout=30)
        assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
        assert index.headers["cache-control"] == "no-cache"
        # The same security headers on what nginx serves and on what the API answers, once each.
        for response in (index, asset, health, docs, wrong):
            for name, value in SECURITY_HEADERS.items():
                assert response.headers.get_list(name) == [value], (response.url, name)
        # nginx overwrites X-Forwarded-For: a client's own claim to be someone else is dropped,
        # the API sees the address nginx saw (here loopback, so local writes are allowed).
        spoofed = httpx.get(f"{web}/config", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=30)
        assert spoofed.json()["baseline_allowed"] is True


def test_a_token_write_through_a_real_host_name_is_accepted(
    services: dict[str, Any], tmp_path: Path
) -> None:
    """Issue 24 item 8: compose passes the allowed hosts and CORS origins through."""
    from fastapi.testclient import TestClient

    from backend.main import create_app

    env = {
        **_env_example(),
        "HEALTHPREDICT_API_TOKEN": "t0ken",
        "HEALTHPREDICT_ALLOWED_HOSTS": "report.example.org",
        "HEALTHPREDICT_CORS_ORIGINS": "https://dash.example.org",
    }
    values = {k: _interpolate(v, env) for k, v in _environment(services["api"]).items()}
    wanted = _settings_variables()
    settings = Settings.model_validate(
        {k: v for k, v in values.items() if k in wanted}
        | {"tracking_uri": f"sqlite:///{tmp_path / 'absent.db'}", "cache_ttl_seconds": 0}
    )
    assert settings.allowed_hosts == ["report.example.org"]
    assert settings.cors_origins == ["https://dash.example.org"]
    with TestClient(create_app(settings), client=("10.0.0.7", 5000)) as api:
        headers = {"Host": "report.example.org", "Authorization": "Bearer t0ken"}
        answer = api.post("/refresh", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"refreshed": False}
    assert not (tmp_path / "absent.db").exists(), "a read never creates a store"
    defaults = {
        k: _interpolate(v, _env_example()) for k, v in _environment(services["api"]).items()
    }
    unset = Settings.model_validate({k: v for k, v in defaults.items() if k in wanted})
    assert unset.allowed_hosts == ["localhost", "127.0.0.1", "::1"]
    assert unset.cors_origins == []
