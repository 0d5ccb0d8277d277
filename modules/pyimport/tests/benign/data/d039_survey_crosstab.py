import pandas as pd
import matplotlib.pyplot as plt

survey = pd.read_csv("/data/survey.csv")
ct = pd.crosstab(survey["age_group"], survey["preferred_channel"], normalize="index") * 100
print(ct.round(1))
ax = ct.plot(kind="bar", stacked=True, figsize=(8, 4), colormap="tab20")
ax.set_ylabel("% of respondents")
ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left")
plt.tight_layout()
plt.savefig("/output/channels_by_age.png")
print("respondents:", len(survey))
