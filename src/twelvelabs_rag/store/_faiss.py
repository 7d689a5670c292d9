"""The faiss members the store calls that faiss-cpu's type stubs do not describe.

faiss-cpu ships a partial ``__init__.pyi``: it lacks the SWIG-level kernels and methods the store uses
for speed (``fvec_inner_products_ny``, ``fvec_norms_L2sqr``, ``Index.search_c``) and the SWIG
ownership handle (``.this``). Those calls go through :data:`raw`, the same module typed ``Any``, so
the gap is declared once here; everything else is checked against the stubs. (An alias, not wrapper
functions: the kernels sit on the single-query hot path, where an extra Python call is measurable.)
"""

from __future__ import annotations

from typing import Any

import faiss

__all__ = ["raw", "disown"]

#: ``faiss`` itself, for the members its stubs lack.
raw: Any = faiss


def disown(obj: object) -> None:
    """Drop Python's ownership of a SWIG object's C++ side (its new holder frees it, e.g. an index
    with ``own_fields`` set frees its quantizer)."""
    handle: Any = obj
    handle.this.disown()
