"""The terminal channel through the real `danvan chat` command, scripted on standard input."""

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "danvan"


def run_chat(tmp_path: Path, lines: list[str]) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "TEMPLATES_DIR": ""}
    env.pop("TEMPLATES_DIR")
    proc = subprocess.run(
        [str(BIN), "chat", "--user", "an"], input="\n".join(lines) + "\n", capture_output=True,
        text=True, env=env, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_quit_in_the_middle_and_continue_after_restart(tmp_path):
    first = run_chat(tmp_path, ["DEMO2026", "Nguyễn Văn An", "1", "1", "1", "2.706,51", "14", "2", "2363,5", "2.363"])
    assert "Bạn" not in first  # the assistant addresses officers as anh/chị
    assert "1. Báo cáo 6 tháng đầu năm" in first  # choices as a numbered list
    assert "Chưa hợp lệ" in first and "số nguyên" in first  # the rejected 2363,5
    assert "Câu 5/" in first
    second = run_chat(tmp_path, ["8.093", "/xemlai", "/thoat"])
    assert "Tiếp tục Báo cáo 6 tháng đầu năm" in second and "đã trả lời 4/" in second
    assert "Tiến độ: đã trả lời 5/" in second
    assert "2.706,51 ha" in second and "2.363 hộ" in second and "8.093" in second


def test_first_run_seeds_demo_and_asks_for_code(tmp_path):
    out = run_chat(tmp_path, [])
    assert "mã mời" in out
    assert (tmp_path / "data" / "bot.db").exists() is False  # DATABASE_URL was honoured
    assert (tmp_path / "bot.db").exists()
