"""``tlrag``: the command line of twelvelabs-rag.

```bash
tlrag demo                                  # everything end to end (emulator without a key)
tlrag emulator                              # serve the emulator on loopback
tlrag index create my-index                 # then: upload, search, analyze, store ...
```

From Python, ``main(argv)`` runs a command and returns its exit code:

```python
from twelvelabs_rag.cli import main
assert main(["--version"]) == 0
```
"""

from ._main import main
from ._timeline import Hit, plot_timeline, timeline_figure

__all__ = ["main", "Hit", "plot_timeline", "timeline_figure"]
