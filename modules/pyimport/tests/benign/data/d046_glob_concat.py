import glob
import os
import pandas as pd

files = sorted(glob.glob("/data/monthly/*.csv"))
frames = []
for path in files:
    frame = pd.read_csv(path)
    frame["source"] = os.path.basename(path)
    frames.append(frame)
if not frames:
    raise SystemExit("no input files")
combined = pd.concat(frames, ignore_index=True)
print(f"{len(files)} files, {len(combined)} rows")
print(combined.groupby("source").size())
combined.to_csv("/output/combined.csv", index=False)
