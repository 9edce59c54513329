"""The wheel carries the project's files that live at the top of the repository.

``ontology/`` (with ``shapes/``) and ``queries/`` are copied into ``jaif_kg/project_files/`` of
the built package, so that an installed jaif-kg finds its ontology, shapes and named queries
(:data:`jaif_kg.settings.FILES_ROOT`). The copies exist only in the build: the repository keeps
one of each, and an editable install reads the checkout itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: Top-level folders of the repository that the installed package carries.
PROJECT_FOLDERS = ("ontology", "queries")
#: Where they go inside the package (``jaif_kg.settings.INSTALLED_FILES``).
TARGET = Path("jaif_kg", "project_files")


class BuildPyWithProjectFiles(build_py):
    """``build_py`` that also copies :data:`PROJECT_FOLDERS` into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout
        for name in PROJECT_FOLDERS:
            source = HERE / name
            if not source.is_dir():
                raise SystemExit(f"setup.py: {source} is missing: the wheel would lack it")
            target = Path(self.build_lib) / TARGET / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithProjectFiles})
