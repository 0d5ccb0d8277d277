# class: writing outside /tmp and /output (/dev/shm is writable in the sandbox)
import json
f = json.codecs.open("/dev/shm/cordon-pyguard-test", "w")
f.write("x")
print("ESCAPED")
