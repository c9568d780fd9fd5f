"""`pip install .` gives a working bot: a wheel built from the tree, installed into a fresh virtual
environment (as a Docker image would install it), chats in Vietnamese from its own catalogs."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_the_catalogs_and_its_danvan_chat_greets_in_vietnamese(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True, timeout=300)
    [wheel] = dist.glob("danvan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "reports/locales/vi/LC_MESSAGES/danvan.po" in names
    assert "reports/templates/commune_half_year.yaml" in names and "storage/migrations/versions/0001_initial_schema.py" in names
    assert not any(n.startswith("tests/") for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # the venv's own pip, so that nothing of this environment is touched; no dependencies (no network)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    target = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                  "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    # then the dependencies from this environment; danvan itself comes first, from the wheel
    (target / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL", "TEMPLATES_DIR")}
    proc = subprocess.run([str(venv / "bin" / "danvan"), "chat", "--user", "an"], input="DEMO2026\n",
                          capture_output=True, text=True, cwd=work, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Chào mừng" in proc.stdout or "mã mời" in proc.stdout, proc.stdout
    assert "Mã mời hợp lệ" in proc.stdout  # the catalog of the wheel, not English
    assert "catalog is missing" not in proc.stderr
    imported = subprocess.run([str(venv / "bin" / "python"), "-c", "import reports; print(reports.__file__)"],
                              capture_output=True, text=True, cwd=work, env=env).stdout
    assert str(venv) in imported and str(ROOT) not in imported
