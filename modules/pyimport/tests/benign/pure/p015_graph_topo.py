from graphlib import TopologicalSorter

deps = {
    "app": {"lib", "config"},
    "lib": {"utils"},
    "config": {"utils"},
    "tests": {"app"},
    "utils": set(),
}

ts = TopologicalSorter(deps)
order = list(ts.static_order())
print("build order:", " -> ".join(order))

ts = TopologicalSorter(deps)
ts.prepare()
stage = 0
while ts.is_active():
    ready = sorted(ts.get_ready())
    print(f"stage {stage}: {', '.join(ready)}")
    ts.done(*ready)
    stage += 1
