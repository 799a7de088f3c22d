"""The pure clinical core: value types and rule functions.

Nothing here does I/O, reads a clock or imports the web, database or CLI layers; the
knowledge base, the clinic's settings and `now` are passed in (ADR 0001).
"""
