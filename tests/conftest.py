import pytest

import contractgen.generation

from contractgen.request import parse_request
from contractgen.faultplan import FaultPlan
from contractgen.server import OfflineServer
from support import ServedOffline


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch):
    """Tests never see the developer's real key or server."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "CONTRACTGEN_RATE", "CONTRACTGEN_PROVIDER"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _own_database(tmp_path, monkeypatch):
    """Each test gets its own SQLite file and a fresh process-wide manager."""
    monkeypatch.setenv("CONTRACTGEN_DATABASE_URL", f"sqlite:///{tmp_path / 'contractgen.db'}")
    monkeypatch.setattr(contractgen.generation, "_manager", None)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "contractgen.db"


@pytest.fixture
def store(db_path):
    """A Store on a real SQLite file of its own, closed after the test."""
    from contractgen.storage import Store

    store = Store(f"sqlite:///{db_path}")
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
