"""Receipt printers for Antrian: ESC/POS tickets and form copies over USB, network, serial, file or CUPS.

This package knows python-escpos and transports only; it never imports Flask or the server.
"""

from printers.config import PRINTER_TYPES, STATUS_TYPES, PrinterConfig, PrinterError
from printers.slips import (
    COLUMNS,
    FormCopy,
    TicketSlip,
    form_copy_bytes,
    form_copy_text,
    render_form_copy,
    render_ticket,
    slip_lines,
    slip_text,
    ticket_bytes,
    to_ascii,
)
from printers.transport import open_printer, print_form_copy, print_ticket, send_bytes, status_answered

__all__ = [
    "COLUMNS",
    "PRINTER_TYPES",
    "STATUS_TYPES",
    "FormCopy",
    "PrinterConfig",
    "PrinterError",
    "TicketSlip",
    "form_copy_bytes",
    "form_copy_text",
    "open_printer",
    "print_form_copy",
    "print_ticket",
    "render_form_copy",
    "render_ticket",
    "send_bytes",
    "slip_lines",
    "slip_text",
    "status_answered",
    "ticket_bytes",
    "to_ascii",
]
