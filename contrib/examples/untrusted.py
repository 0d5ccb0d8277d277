# contrib/examples/untrusted.py - the kind of script an LLM agent writes and
# wants run: it computes an answer, and, like real generated code, pokes at
# its surroundings.  Run it under the default policy:
#
#     ./build/bin/cordon run contrib/examples/untrusted.py
#
# What it sees is what the policy allows: only the policy's environment, no
# descriptors of cordon's, and resource limits it cannot raise.
import os
import resource
import statistics

data = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]
print("mean", round(statistics.mean(data), 3), "median", statistics.median(data))

# Secrets in the caller's environment do not reach the program.
print("environment:", ", ".join(sorted(os.environ)))

# Only stdin, stdout, stderr and the sealed copy of this script are open.
fds = []
for fd in sorted(os.listdir("/proc/self/fd"), key=int):
    try:
        fds.append(fd + " -> " + os.readlink("/proc/self/fd/" + fd))
    except FileNotFoundError:
        pass  # the descriptor listdir itself used
print("open descriptors:", "; ".join(fds))

# Inside the namespaces it is uid 65534 and sees only its own processes
# and a read-only view of the system without the host's home directories.
print("uid:", os.getuid(), "| processes it can see:", len([p for p in os.listdir("/proc") if p.isdigit()]),
      "| /home visible:", os.path.isdir("/home"))

# Limits are set with soft = hard: the program cannot lift them.
soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
print("cpu limit:", soft, "s; raising it:", end=" ")
try:
    resource.setrlimit(resource.RLIMIT_CPU, (soft + 10, hard + 10))
    print("succeeded (not confined!)")
except (ValueError, OSError) as e:
    print("refused:", e)

# A greedy allocation fails instead of exhausting the machine.
try:
    blob = bytearray(2 * 1024 ** 3)
    print("allocated 2 GiB (not confined!)")
except MemoryError:
    print("allocating 2 GiB: MemoryError")
