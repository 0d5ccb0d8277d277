import json
import os
import tempfile

records = [{"id": i, "square": i * i} for i in range(10)]

workdir = tempfile.mkdtemp(prefix="job-", dir="/tmp")
chunk_paths = []
for start in range(0, len(records), 4):
    path = os.path.join(workdir, f"chunk_{start // 4}.json")
    with open(path, "w") as f:
        json.dump(records[start:start + 4], f)
    chunk_paths.append(path)

merged = []
for path in chunk_paths:
    with open(path) as f:
        merged.extend(json.load(f))
assert merged == records
print(f"{len(chunk_paths)} chunks in {workdir}, {len(merged)} records round-tripped")

with tempfile.NamedTemporaryFile("w+", suffix=".txt", delete=True) as tmp:
    tmp.write("scratch data\n")
    tmp.seek(0)
    print("temp file says:", tmp.read().strip())
