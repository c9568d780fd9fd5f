"""The channels, one folder (or module) a channel, behind the contract in ``base``.

``PLUGINS`` is the one list the runner reads: a channel that can be run by ``danvan run`` registers
its plug-in here (one line). The console is not a plug-in: it is ``danvan chat``.
"""

from bot.channels.telegram.plugin import PLUGIN as TELEGRAM
from bot.channels.zalo.plugin import PLUGIN as ZALO

PLUGINS = (TELEGRAM, ZALO)
