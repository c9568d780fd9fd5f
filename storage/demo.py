"""Demo data for a first run: a province, a commune under it and an invite code for an officer."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import repo
from storage.models import OrgUnit, Role

DEMO_PROVINCE = "BAC_NINH"
DEMO_COMMUNE = "DONG_SON"
DEMO_INVITE = "DEMO2026"


async def ensure_demo(session: AsyncSession) -> bool:
    """Create the demo org units and invite once; True when they were created now."""
    if (await session.exec(select(OrgUnit).limit(1))).first() is not None:
        return False
    province = OrgUnit(code=DEMO_PROVINCE, name="Tỉnh Bắc Ninh", kind="province", place_name="Bắc Ninh")
    session.add(province)
    await session.flush()
    commune = OrgUnit(
        code=DEMO_COMMUNE, name="Xã Đông Sơn", kind="commune", place_name="Đông Sơn", parent_id=province.id,
        settings={"doc_symbol": "BC-UBND"},
    )
    session.add(commune)
    await session.flush()
    await repo.create_invite(session, DEMO_INVITE, commune.id, Role.officer)
    return True
