import os
import uuid

import pytest

import contractgen.generation

from contractgen.request import parse_request
from contractgen.faultplan import FaultPlan
from contractgen.server import OfflineServer
from support import ServedOffline


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch):
    """Tests never see the developer's real key or server."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "CONTRACTGEN_RATE", "CONTRACTGEN_PROVIDER",
                 "OTEL_EXPORTER_OTLP_ENDPOINT", "CONTRACTGEN_OTEL_CAPTURE_CONTENT"):  # nor a collector of theirs
        monkeypatch.delenv(name, raising=False)


# Two engines. Every test runs on SQLite. With CONTRACTGEN_TEST_DATABASE_URL set to a PostgreSQL database
# (postgresql+psycopg://user:password@host:port/db; `.ci/postgres` starts one), each test that is not a browser
# test runs a second time on PostgreSQL: `test_x[sqlite]` and `test_x[postgresql]` (select one with -k).
# A test stays on SQLite alone when it is marked `sqlite_only`, uses `db_path` (it opens the file itself), or
# is in a module that never opens the database (NO_DATABASE: a second run would test nothing new).
# On PostgreSQL each test gets a blank schema of its own (CREATE SCHEMA, a few ms), named by the URL's
# search_path, and dropped after the test, with any connection the test left open (tagged application_name).
TEST_PG_URL = os.environ.get("CONTRACTGEN_TEST_DATABASE_URL") or None
ENGINES = ("sqlite", "postgresql") if TEST_PG_URL else ("sqlite",)
NO_DATABASE = {"test_doctypes", "test_fault_server", "test_faults", "test_layout", "test_library_use", "test_offline",
               "test_pacing", "test_policy", "test_request", "test_structure"}


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: runs on SQLite only, even when PostgreSQL is configured")


def pytest_generate_tests(metafunc):
    if len(ENGINES) > 1 and "engine" in metafunc.fixturenames and "db_path" not in metafunc.fixturenames \
            and metafunc.module.__name__.rpartition(".")[2] not in NO_DATABASE \
            and not any(metafunc.definition.get_closest_marker(m) for m in ("browser", "sqlite_only")):
        metafunc.parametrize("engine", ENGINES, indirect=True)


@pytest.fixture
def engine(request):
    """"sqlite" or "postgresql": the engine this run of the test uses (SQLite unless parametrized)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def _pg_admin():
    from sqlalchemy import create_engine

    # pool_pre_ping: a test restarts the server (test_durability); the next teardown gets a fresh connection.
    admin = create_engine(TEST_PG_URL, isolation_level="AUTOCOMMIT", pool_size=1, pool_pre_ping=True)
    yield admin
    admin.dispose()


@pytest.fixture
def new_database(engine, tmp_path, request):
    """new_database() -> the SQLAlchemy URL of another blank database of the test's engine."""
    created = []

    def new() -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        if engine == "sqlite":
            return f"sqlite:///{tmp_path / (name + '.db')}"
        from sqlalchemy import make_url, text

        with request.getfixturevalue("_pg_admin").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        created.append(name)
        url = make_url(TEST_PG_URL).update_query_dict({"options": f"-csearch_path={name}", "application_name": name})
        return url.render_as_string(hide_password=False)

    yield new
    if created:
        from sqlalchemy import text
        from sqlalchemy.exc import OperationalError

        terminate = text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :n")
        with request.getfixturevalue("_pg_admin").connect() as conn:
            conn.execute(text("SET lock_timeout = '10s'"))
            for name in created:
                # Dropped first: it waits for a statement still running (a manager's background cleanup) to finish,
                # rather than cutting it off. Then the connections the test left open are closed.
                try:
                    conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
                except OperationalError:  # a transaction left open holds a lock: end it
                    conn.execute(terminate, {"n": name})
                    conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
                conn.execute(terminate, {"n": name})


@pytest.fixture
def database_url(engine, tmp_path, new_database):
    """The test's own blank database: the SQLite file `contractgen.db` in tmp_path, or a PostgreSQL schema."""
    return f"sqlite:///{tmp_path / 'contractgen.db'}" if engine == "sqlite" else new_database()


@pytest.fixture(autouse=True)
def _own_database(database_url, monkeypatch):
    """Each test gets its own database (CONTRACTGEN_DATABASE_URL) and a fresh process-wide manager."""
    from contractgen_ui import provider  # the app's manager is a Streamlit resource that outlives one AppTest

    monkeypatch.setenv("CONTRACTGEN_DATABASE_URL", database_url)
    monkeypatch.setattr(contractgen.generation, "_manager", None)
    provider._shared_manager.clear()
    yield
    provider._shared_manager.clear()


@pytest.fixture
def db_path(tmp_path):
    """The SQLite file of the test's database (a test using it runs on SQLite only)."""
    return tmp_path / "contractgen.db"


@pytest.fixture
def store(database_url):
    """A Store on the test's own database (a real SQLite file, or a PostgreSQL schema), closed after the test."""
    from contractgen.storage import Store

    store = Store(database_url)
    yield store
    store.close()


@pytest.fixture
def acme():
    return parse_request({"company": "Acme"})



@pytest.fixture
def served():
    """`contractgen serve-offline` as a real subprocess, at full speed."""
    server = ServedOffline("--rate", "0")
    yield server
    server.stop()


@pytest.fixture
def served_with_key():
    server = ServedOffline("--rate", "0", "--api-key", "sk-right")
    yield server
    server.stop()


@pytest.fixture
def serve():
    """Start in-thread offline servers with a fault plan (a spec or a FaultPlan); all stopped after the test."""
    servers = []

    def start(plan="", **kw):
        kw.setdefault("stall_seconds", 3.0)
        kw.setdefault("retry_after", 0.2)
        server = OfflineServer(port=0, rate=0, plan=plan if isinstance(plan, FaultPlan) else FaultPlan.parse(plan), **kw)
        server.start_in_thread()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
