"""``python -m twelvelabs_rag.cli`` is ``tlrag``."""

import sys

from ._main import main

sys.exit(main())
