# class: listing a directory outside the policy's paths
import random
print("ESCAPED", random._os.listdir("/etc"))
