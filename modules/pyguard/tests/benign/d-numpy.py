import numpy as np
a = np.arange(12).reshape(3, 4)
print(a.sum(), a.mean(axis=0), np.linalg.inv(np.eye(3)).trace(), np.random.default_rng(1).normal(size=3).shape)
np.save("/tmp/a.npy", a)
print(np.load("/tmp/a.npy").shape)
print("OK numpy")
