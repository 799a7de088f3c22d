"""Fault and load runs against the app as a real server process (developer tools).

- `server.LiveServer`: `sijcare serve` in a child process on the loopback address, that
  can be killed (SIGKILL) and restarted.
- `python -m sijcare.soak`: the soak run (patients writing diaries, clinicians reading
  worklists) for a bounded time, with its figures: requests, errors, lost writes, memory.
"""
