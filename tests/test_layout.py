"""The lines the architecture holds: contractgen/ never imports streamlit; the views (views/,
contractgen_ui/, app.py) import no transport or storage."""

import ast

import pytest

from support import ROOT


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", sorted((ROOT / "contractgen").rglob("*.py")), ids=lambda p: p.name)
def test_package_does_not_import_streamlit(path):
    assert "streamlit" not in set(imported_modules(path))


VIEWS = sorted((ROOT / "views").glob("*.py")) + sorted((ROOT / "contractgen_ui").glob("*.py")) + [ROOT / "app.py"]


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_views_do_not_import_transport_or_storage(path):
    assert not {"sqlalchemy", "openai", "httpx", "httpx2"} & set(imported_modules(path))
