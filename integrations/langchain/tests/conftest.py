"""Settings for every langchain-twelvelabs test folder (unit and integration)."""

from twelvelabs_rag.testing import FakeTwelveLabs

# Strict emulator (issue 15 §2; the repository's root conftest.py sets it too when run from there):
# every FakeTwelveLabs built without `strict=` rejects parameters the API spec does not list.
FakeTwelveLabs.strict_default = True
