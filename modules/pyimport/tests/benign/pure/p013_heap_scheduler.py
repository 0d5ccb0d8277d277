import heapq
from dataclasses import dataclass, field
from itertools import count


@dataclass(order=True)
class Job:
    priority: int
    seq: int
    name: str = field(compare=False)
    duration: int = field(compare=False, default=1)


class Scheduler:
    def __init__(self):
        self._queue = []
        self._counter = count()

    def submit(self, name, priority, duration=1):
        heapq.heappush(self._queue, Job(priority, next(self._counter), name, duration))

    def run(self):
        clock = 0
        while self._queue:
            job = heapq.heappop(self._queue)
            clock += job.duration
            yield clock, job


sched = Scheduler()
for name, prio, dur in [("backup", 5, 3), ("email", 1, 1), ("report", 3, 2), ("alert", 0, 1), ("cleanup", 5, 1)]:
    sched.submit(name, prio, dur)
for t, job in sched.run():
    print(f"t={t:2d}  {job.name:<8} (priority {job.priority})")
