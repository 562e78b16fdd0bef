"""How a serving process settles once it has started."""

import gc


def freeze_startup_objects():
    """Move every object alive after start-up (Django, the apps, their modules and settings)
    out of the garbage collector's reach: they live as long as the process, and each full
    collection during a request would walk them all again. On a consortium dashboard, which
    builds tens of thousands of small objects, that was up to 80 ms of a 200 ms page."""
    gc.collect()
    gc.freeze()
