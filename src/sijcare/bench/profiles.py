"""Where the time goes when a target is missed: a profile of the code path, top functions.

pyinstrument's text report when it is installed (a development dependency), else the
standard library's cProfile, sorted by time spent in each function itself.
"""

from __future__ import annotations

import cProfile
import io
import pstats
from collections.abc import Callable
from typing import Any

TOP = 15


def profile(work: Callable[[], Any]) -> str:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return _cprofile(work)
    profiler = Profiler()
    profiler.start()
    work()
    profiler.stop()
    return str(profiler.output_text(unicode=False, color=False, show_all=False))


def _cprofile(work: Callable[[], Any]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(TOP)
    return "cProfile, by own time:\n" + out.getvalue().split("\n", 4)[-1]
