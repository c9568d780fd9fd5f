"""The one-way layout: handlers, reports, storage and reminders never import bot/ or a messenger library."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("bot", "handlers", "storage", "reminders", "reports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(cwd), "PATH": str(LINT.parent)})


def test_import_contracts_hold():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _copy(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.docx"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_contract_catches_core_importing_the_bot(tmp_path):
    tree = _copy(tmp_path)
    (tree / "handlers" / "leak.py").write_text("import bot.settings\n")
    result = _lint(tree)
    assert result.returncode != 0 and "handlers.leak" in result.stdout


def test_contract_catches_storage_importing_aiogram(tmp_path):
    tree = _copy(tmp_path)
    (tree / "storage" / "leak.py").write_text("from aiogram import Bot\n")
    result = _lint(tree)
    assert result.returncode != 0 and "storage.leak" in result.stdout
