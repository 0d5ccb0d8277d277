import os
import sys
import platform

print("python", sys.version.split()[0], "on", platform.system())
print("cwd:", os.getcwd())
print("user home:", os.path.expanduser("~"))
print("PATH entries:", len(os.environ.get("PATH", "").split(os.pathsep)))
print("lang:", os.getenv("LANG", "unset"))
for key in sorted(k for k in os.environ if k.startswith(("LC_", "LANG", "TZ"))):
    print(f"  {key}={os.environ[key]}")
print("cpu count:", os.cpu_count())
