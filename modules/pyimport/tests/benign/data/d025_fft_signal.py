import numpy as np
import matplotlib.pyplot as plt

fs = 500
t = np.arange(0, 2, 1 / fs)
signal = np.sin(2 * np.pi * 12 * t) + 0.5 * np.sin(2 * np.pi * 40 * t)
noisy = signal + np.random.default_rng(3).normal(0, 0.8, t.size)

spectrum = np.fft.rfft(noisy)
freqs = np.fft.rfftfreq(t.size, 1 / fs)
power = np.abs(spectrum) ** 2
peaks = freqs[np.argsort(power)[-2:]]
print("dominant frequencies (Hz):", sorted(peaks.round(1)))

filtered = spectrum.copy()
filtered[freqs > 50] = 0
clean = np.fft.irfft(filtered, n=t.size)

fig, (a1, a2) = plt.subplots(2, 1, figsize=(9, 5))
a1.plot(t[:250], noisy[:250], lw=0.8, label="noisy")
a1.plot(t[:250], clean[:250], lw=1.5, label="low-pass")
a1.legend()
a2.semilogy(freqs, power)
a2.set_xlabel("Hz")
fig.savefig("/output/fft.png")
