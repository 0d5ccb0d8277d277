import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
x = np.linspace(0, 6.28, 50)
fig, ax = plt.subplots()
ax.plot(x, np.sin(x), label="sin")
ax.set_title("a plot")
ax.legend()
fig.savefig("/output/plot.png")
print("OK matplotlib")
