"""Settings shared by every test folder (pytest loads this before tests/ and integrations/)."""

from hypothesis import Phase, settings

# The explain phase re-parses test source with `ast` after a failure and in the end-of-run report.
# CPython 3.11's AST builder keeps one recursion counter per interpreter, so parsing while another
# thread (an emulator server, a store reader) also parses can raise
# "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905) and fail a
# green run. Failures are still shrunk and reported with their reproducing example.
settings.register_profile("tlrag", phases=[p for p in Phase if p is not Phase.explain])
settings.load_profile("tlrag")

# Strict emulator in the project's own tests (issue 15 §2): every FakeTwelveLabs built without
# `strict=` rejects parameters and enum values the API spec does not list (docs/emulator.md).
from twelvelabs_rag.testing import FakeTwelveLabs  # noqa: E402

FakeTwelveLabs.strict_default = True
