"""Helpers shared by the server and the printers: Indonesian dates, the gevent check, running a program.

It imports neither server/ nor printers/ (both import it), and no Flask.
"""
