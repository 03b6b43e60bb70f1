"""The engine: pure computation on columns (numpy/polars), no Django and no I/O.

Functions take arrays and a small frozen configuration and return frozen results, so the same code
serves a web page, a nightly cycle over millions of open items and a property-based test.
"""
