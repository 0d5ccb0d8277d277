import json
from statistics import mean


class Student:
    passing = 60

    def __init__(self, name, scores):
        self.name = name
        self._scores = list(scores)
        self.__id = hash(name) & 0xFFFF

    @property
    def average(self):
        return mean(self._scores) if self._scores else 0.0

    @property
    def student_id(self):
        return f"S{self.__id:05d}"

    def passed(self):
        return self.average >= self.passing

    def __repr__(self):
        return f"{self.__class__.__name__}({self.name!r}, avg={self.average:.1f})"

    @classmethod
    def from_dict(cls, d):
        return cls(d["name"], d.get("scores", []))


with open("/data/students.json") as f:
    students = [Student.from_dict(d) for d in json.load(f)]
students.sort(key=lambda s: s.average, reverse=True)
for s in students:
    print(s, "PASS" if s.passed() else "FAIL", len(s.student_id))
with open("/output/ranking.json", "w") as f:
    json.dump([{"name": s.name, "average": round(s.average, 2)} for s in students], f, indent=2)
