"""The one rule of who may see or act on which org unit, and the org tree it is decided on.

Org units form a tree of any depth (province → commune since July 2025; province → district →
commune in older set-ups). A user belongs to one unit, with one role:

* an **officer** or a **leader** reads and acts on their own unit's reports, nothing else;
* a **supervisor** reads everything in their own unit's subtree and administers it (invite codes,
  deadlines, and later sending reports back); they act on reports only of their own unit.

Every command, the reminders and the command line ask here; nothing else walks the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OrgUnit, Report, ReportStatus, Role, User

REPORTING_KINDS = frozenset({"commune", "ward", "special_zone"})  # xã, phường, đặc khu: the units that report


def is_supervisor(user: User | None) -> bool:
    return user is not None and Role(user.role) == Role.supervisor


@dataclass
class OrgTree:
    """The org units loaded once, with the walks every caller needs."""

    units: dict[int, OrgUnit]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, units: Iterable[OrgUnit]) -> "OrgTree":
        by_id = {u.id: u for u in units}
        children: dict[int | None, list[int]] = {}
        for unit in sorted(by_id.values(), key=lambda u: u.id):
            parent = unit.parent_id if unit.parent_id in by_id else None
            children.setdefault(parent, []).append(unit.id)
        return cls(by_id, children)

    def ancestors(self, org_id: int) -> list[int]:
        """``org_id`` itself, then its parent, up to the root."""
        chain: list[int] = []
        current: int | None = org_id
        while current is not None and current in self.units and current not in chain:
            chain.append(current)
            current = self.units[current].parent_id
        return chain

    def descendants(self, org_id: int) -> list[int]:
        """Every unit below ``org_id`` (any depth), in id order."""
        found: list[int] = []
        frontier = list(self.children.get(org_id, []))
        seen: set[int] = {org_id}
        while frontier:
            unit_id = frontier.pop()
            if unit_id in seen:
                continue
            seen.add(unit_id)
            found.append(unit_id)
            frontier.extend(self.children.get(unit_id, []))
        return sorted(found)

    def reporting_below(self, org_id: int) -> list[int]:
        """The reporting units (communes, wards …) below ``org_id``, by name."""
        below = [i for i in self.descendants(org_id) if self.units[i].kind in REPORTING_KINDS]
        return sorted(below, key=lambda i: (self.units[i].name, i))

    def within(self, org_id: int, root_id: int) -> bool:
        """True when ``org_id`` is ``root_id`` or below it."""
        return root_id in self.ancestors(org_id)

    def in_order(self) -> list[tuple[int, OrgUnit]]:
        """(depth, unit) in tree order: each unit followed by the units below it, by code."""
        out: list[tuple[int, OrgUnit]] = []

        def walk(parent: int | None, depth: int) -> None:
            for unit in sorted((self.units[i] for i in self.children.get(parent, [])), key=lambda u: u.code):
                out.append((depth, unit))
                walk(unit.id, depth + 1)

        walk(None, 0)
        return out

    # ------------------------------------------------------------------ the rule

    def may_read(self, user: User | None, org_id: int) -> bool:
        """May ``user`` see ``org_id``'s reports and figures?"""
        if user is None or org_id not in self.units:
            return False
        if org_id == user.org_unit_id:
            return True
        return is_supervisor(user) and self.within(org_id, user.org_unit_id)

    def may_act(self, user: User | None, org_id: int) -> bool:
        """May ``user`` fill, edit and submit ``org_id``'s reports? Only its own people."""
        return user is not None and org_id == user.org_unit_id and org_id in self.units

    def may_administer(self, user: User | None, org_id: int) -> bool:
        """May ``user`` create invites for, or set deadlines over, ``org_id``?"""
        return is_supervisor(user) and org_id in self.units and self.within(org_id, user.org_unit_id)

    def administered_by(self, user: User | None) -> list[OrgUnit]:
        """The units ``user`` administers: their own, then every unit below, in id order."""
        if not is_supervisor(user) or user.org_unit_id not in self.units:
            return []
        return [self.units[user.org_unit_id], *(self.units[i] for i in self.descendants(user.org_unit_id))]


async def load_tree(session: AsyncSession) -> OrgTree:
    return OrgTree.of((await session.exec(select(OrgUnit))).all())


async def ancestors(session: AsyncSession, org_id: int) -> list[OrgUnit]:
    """``org_id`` itself, then its parent, up to the root of the tree."""
    tree = await load_tree(session)
    return [tree.units[i] for i in tree.ancestors(org_id)]


async def submitted_units(session: AsyncSession, template_key: str, period: str,
                          org_ids: Iterable[int] | None = None) -> set[int]:
    """The units that have submitted their report of ``template_key`` for ``period``: submission is
    per (org unit, template, period), so another report of the same period does not count."""
    stmt = select(Report.org_unit_id).where(
        Report.template_key == template_key, Report.period == period, Report.status == ReportStatus.submitted)
    found = set((await session.exec(stmt)).all())
    return found if org_ids is None else found & set(org_ids)


async def has_submitted(session: AsyncSession, org_id: int, template_key: str, period: str) -> bool:
    return org_id in await submitted_units(session, template_key, period, [org_id])
