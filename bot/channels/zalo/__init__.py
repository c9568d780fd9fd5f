"""The Zalo channel (Zalo Bot Platform, not a Zalo Official Account): our own small client on
aiohttp (``client``), the channel contract over it (``channel``: no buttons, 2,000 characters,
files as signed links), updates in by long polling or webhook (``updates``), its settings and its
plug-in for the one runner (``plugin``)."""
