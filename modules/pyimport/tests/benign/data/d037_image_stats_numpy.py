import numpy as np
import matplotlib.pyplot as plt
import matplotlib.image as mpimg

img = mpimg.imread("/data/photo.png")
if img.ndim == 3:
    gray = img[..., :3] @ np.array([0.299, 0.587, 0.114])
else:
    gray = img
print("size:", gray.shape, "mean brightness:", round(float(gray.mean()), 3))
hist, bins = np.histogram(gray, bins=32, range=(0, 1))

gx = np.abs(np.diff(gray, axis=1))
gy = np.abs(np.diff(gray, axis=0))
print("edge energy:", round(float(gx.mean() + gy.mean()), 4))

fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
a.imshow(gray, cmap="gray")
a.axis("off")
b.bar(bins[:-1], hist, width=1 / 32, align="edge")
b.set_title("brightness histogram")
fig.savefig("/output/photo_stats.png")
plt.imsave("/tmp/gray.png", gray, cmap="gray")
