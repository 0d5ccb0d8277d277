import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

x = np.linspace(0, 4 * np.pi, 400)
fig, axes = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
axes[0].plot(x, np.sin(x), label="sin")
axes[0].plot(x, np.cos(x), label="cos", linestyle="--")
axes[0].legend()
axes[0].set_title("Trigonometric functions")
axes[1].plot(x, np.sin(x) * np.exp(-x / 5), color="tab:red")
axes[1].set_xlabel("x")
axes[1].set_title("Damped sine")
for ax in axes:
    ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig("/output/trig.png", dpi=120)
print("saved /output/trig.png")
