"""The declared flow: the README's diagram is the one drawn from the transition table, every mode
is reachable, and button ids go through one codec that refuses what the core never offered.

Run as a script (``python -m tests.test_flow``) to write the diagram into the README."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from handlers import flow
from handlers.choices import decode, encode
from handlers.context import Mode

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- flow:begin -->\n```mermaid\n)(.*?)(```\n<!-- flow:end -->)", re.DOTALL)


def committed() -> str:
    match = BLOCK.search(README.read_text(encoding="utf-8"))
    assert match, "the README has no flow diagram between <!-- flow:begin --> and <!-- flow:end -->"
    return match.group(2)


def test_the_readme_diagram_is_drawn_from_the_transition_table():
    assert committed() == flow.mermaid(), "the diagram is out of date: run python -m tests.test_flow"


def test_adding_a_transition_changes_the_diagram(monkeypatch):
    extra = replace(flow.REGISTERED[0], source=Mode.paused, trigger="/review", targets=(Mode.review,),
                    label="a new way out")
    monkeypatch.setattr(flow, "REGISTERED", (*flow.REGISTERED, extra))
    assert flow.mermaid() != committed()  # so the README test above would fail until regenerated


def test_every_mode_can_be_reached_and_every_trigger_is_routed():
    reached = {t for row in flow.REGISTERED + flow.UNREGISTERED for t in row.targets}
    assert reached == set(Mode)
    for mode in Mode:
        for trigger in ("/help", "/nonsense", "text", "choice:a"):
            assert flow.route(True, mode, trigger).handler is not None
    assert flow.route(True, Mode.question, "/back").handler.__name__ == "back"
    assert flow.route(True, Mode.idle, "/back").handler.__name__ == "why_no_question"
    assert flow.route(False, Mode.await_name, "text").handler.__name__ == "finish"


@pytest.mark.parametrize("data", [
    "open:x", "open:" + "9" * 23, "per:x", "per:0", "per:" + "2" * 60, "tpl:", "tpl:Bad-Key", "a:",
    "confirm:maybe", "inv:officer:x", "new:extra", "std:1", "open:²", "open:①", "", "x" * 65, "nope",
])
def test_forged_button_data_is_refused(data):
    assert decode(data) is None


def test_what_is_encoded_decodes_back():
    for kind, args in (("tpl", ("commune_half_year",)), ("per", ("2026-H1",)), ("per", ("2026",)),
                       ("open", (12,)), ("confirm", ("yes",)), ("a", ("land",)), ("std", ()),
                       ("inv", ("officer",)), ("inv", ("officer", 7)), ("continue", ())):
        pick = decode(encode(kind, *args))
        assert pick is not None and pick.kind == kind and pick.args == tuple(str(a) for a in args)
    with pytest.raises(ValueError):
        encode("per", "not a period")


if __name__ == "__main__":  # pragma: no cover - regenerate the README's diagram
    text = README.read_text(encoding="utf-8")
    README.write_text(BLOCK.sub(lambda m: m.group(1) + flow.mermaid() + m.group(3), text), encoding="utf-8")
    print("README.md: flow diagram written")
