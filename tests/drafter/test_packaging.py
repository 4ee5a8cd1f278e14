"""The built wheel carries the templates, static files and migrations, and the installed package finds them.

The wheel is built from a copy of the source (so the checkout gets no
``build/`` folder) without build isolation (so no package index is needed:
the test extras bring setuptools). Then the wheel is unpacked into a folder
that comes first on ``sys.path`` of a fresh interpreter, which imports
``drafter`` from there as from an installed package, builds the schema with
the migrations and renders pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.packaging

_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", "*.py[cod]", "instance", "tests",
    ".pytest_cache", ".hypothesis", "test-results", "htmlcov",
)  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the project's wheel once for this module; return its path."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(work / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = (work / "dist").glob("drafter-*.whl")
    return built


def resource_files(folder: str) -> set[str]:
    """Files under ``folder`` of the checkout, relative to it, as the wheel should hold them."""
    base = ROOT / folder
    return {
        p.relative_to(base).as_posix()
        for p in base.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    }


@pytest.mark.parametrize("folder", ["templates", "static", "migrations"])
def test_the_wheel_holds_every_resource_file(wheel, folder):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = resource_files(folder)
    assert expected, f"{folder} is empty in the checkout"
    missing = {f"drafter/{folder}/{name}" for name in expected} - names
    assert not missing
    assert not any("__pycache__" in name for name in names)


def test_the_wheel_holds_the_license_and_the_demo(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert any(name.endswith((".dist-info/licenses/LICENSE", ".dist-info/LICENSE")) for name in names)
    assert "drafter/demo/draft1.md" in names and "instrument/__init__.py" in names
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)


def test_the_installed_package_finds_its_templates_static_files_and_migrations(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = textwrap.dedent(
        """
        import sys
        import drafter
        from drafter.cli import upgrade_schema
        from drafter.extensions import db

        site, url = sys.argv[1], sys.argv[2]
        assert drafter.__file__.startswith(site), drafter.__file__
        app = drafter.create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "packaging-test"})
        assert app.template_folder.startswith(site) and app.static_folder.startswith(site)
        with app.app_context():
            upgrade_schema()
            db.engine.dispose()
        client = app.test_client()
        for path in ("/", "/static/css/drafter.css", "/no-such-page"):
            print(path, client.get(path).status_code)
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["PYTHONPATH"] = str(site)
    result = subprocess.run(
        [sys.executable, "-c", script, str(site), f"sqlite:///{tmp_path / 'installed.sqlite3'}"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["/ 200", "/static/css/drafter.css 200", "/no-such-page 404"]


def test_a_checkout_reads_the_resources_at_the_repository_root():
    from drafter import resource_dir

    assert resource_dir("templates") == ROOT / "templates"
    assert resource_dir("migrations") == ROOT / "migrations"
    with pytest.raises(ValueError):
        resource_dir("instance")
