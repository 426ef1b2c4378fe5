"""The model's mechanisms, one module each: pure functions over arrays and the books that hold state.

Each module implements one mechanism named in ``docs/ODD.md`` (section 3.4), with its equation and
literature in its docstrings. Modules here import only NumPy, NetworkX and each other, never the
model or the interface.
"""
