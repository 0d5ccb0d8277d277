import os
import shutil
import json

src_dir = "/data/figures"
dst_dir = "/output/figures"
os.makedirs(dst_dir, exist_ok=True)
copied = []
for name in sorted(os.listdir(src_dir)):
    if name.lower().endswith((".png", ".svg")):
        shutil.copy2(os.path.join(src_dir, name), os.path.join(dst_dir, name))
        copied.append(name)
with open(os.path.join(dst_dir, "index.json"), "w") as f:
    json.dump({"figures": copied}, f)
print(f"copied {len(copied)} figures")
