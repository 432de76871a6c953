"""The one place that imports python-escpos, keeping its import-time logging set-up out of the app."""

import logging

# escpos.capabilities calls logging.basicConfig() on import, which would give the
# root logger a stderr handler behind the application's back; put the handlers back.
_root = logging.getLogger()
_saved_handlers = list(_root.handlers)
try:
    from escpos import constants
    from escpos.capabilities import CAPABILITIES
    from escpos.escpos import Escpos
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Dummy, File, Network, Serial, Usb
finally:
    _root.handlers[:] = _saved_handlers

PROFILE_NAMES: frozenset[str] = frozenset(CAPABILITIES["profiles"])

__all__ = ["PROFILE_NAMES", "DeviceNotFoundError", "Dummy", "Escpos", "File", "Network", "Serial", "Usb", "constants"]
