import numpy as np
import matplotlib.pyplot as plt


def kmeans(points, k, iterations=50, seed=0):
    rng = np.random.default_rng(seed)
    centroids = points[rng.choice(len(points), size=k, replace=False)]
    for _ in range(iterations):
        dists = np.linalg.norm(points[:, None, :] - centroids[None, :, :], axis=2)
        labels = dists.argmin(axis=1)
        new = np.array([points[labels == j].mean(axis=0) if np.any(labels == j) else centroids[j] for j in range(k)])
        if np.allclose(new, centroids):
            break
        centroids = new
    return centroids, labels


rng = np.random.default_rng(5)
blobs = np.vstack([rng.normal(c, 0.6, size=(100, 2)) for c in ((0, 0), (4, 4), (0, 5))])
centroids, labels = kmeans(blobs, 3)
print("centroids:\n", centroids.round(2))
plt.scatter(blobs[:, 0], blobs[:, 1], c=labels, s=8, cmap="viridis")
plt.scatter(centroids[:, 0], centroids[:, 1], marker="x", s=120, c="red")
plt.title("k-means (k=3)")
plt.savefig("/output/kmeans.png")
