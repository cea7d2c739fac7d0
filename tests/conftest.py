import pytest

import contractgen.generation

from contractgen.request import parse_request
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
