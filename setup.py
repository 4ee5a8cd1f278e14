"""Build script: the metadata is in setup.cfg; this only puts the app's resources into the package.

The repository keeps ``templates/``, ``static/`` and ``migrations/`` at its
root. A built wheel carries them inside the package, as ``drafter/templates``
and so on, where :func:`drafter.resource_dir` finds them once installed. An
editable install (``pip install -e .``) reads them from the repository root
instead, so nothing is copied for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent

#: Folders at the repository root that the installed package needs (see drafter.RESOURCES).
RESOURCES = ("templates", "static", "migrations")

_SKIP = shutil.ignore_patterns("__pycache__", "*.py[cod]", ".*")


class BuildWithResources(build_py):
    """``build_py`` that also copies :data:`RESOURCES` into the built ``drafter`` package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in RESOURCES:
            source = ROOT / name
            if not source.is_dir():
                raise FileNotFoundError(f"{source} is missing: the package cannot be built without it")
            target = Path(self.build_lib) / "drafter" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=_SKIP)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            for name in RESOURCES:
                outputs += [str(p) for p in (Path(self.build_lib) / "drafter" / name).rglob("*") if p.is_file()]
        return outputs


setup(cmdclass={"build_py": BuildWithResources})
