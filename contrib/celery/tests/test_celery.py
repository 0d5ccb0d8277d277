"""contrib/celery/tests/test_celery.py - driven by celery.t (TAP)."""
import os
import signal
import socket
import subprocess
import sys
import time

T = os.environ["CORDON_TEST_DIR"]
SERVE = os.environ["CORDON_SERVE"]
procs = []
n = 0
failed = 0


def ok(cond, desc, detail=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc), flush=True)
    if not cond:
        failed += 1
        if detail is not None:
            for line in str(detail).splitlines()[:30]:
                print("# " + line)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_for(pred, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def start(argv, log, env=None):
    p = subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
    procs.append(p)
    return p


def cleanup():
    for p in reversed(procs):
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def log_of(path):
    try:
        return open(path).read()[-3000:]
    except OSError:
        return "(no log)"


def main():
    port = free_port()
    redis = start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", T, "--protected-mode", "yes"], os.path.join(T, "redis.log"))

    def redis_up():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"PING\r\n")
                return c.recv(16).startswith(b"+PONG")
        except OSError:
            return False
    if not wait_for(redis_up):
        print("1..0 # SKIP redis-server did not start: " + log_of(os.path.join(T, "redis.log")).replace("\n", " ")[-200:])
        return 0

    sock = os.path.join(T, "serve.sock")
    conf = os.path.join(T, "serve.yaml")
    with open(conf, "w") as f:
        f.write("listen: {unix: %s}\nworkers: 2\npolicies: [default, strict]\n" % sock)
    os.chmod(conf, 0o644)
    start([SERVE, "serve", "-c", conf], os.path.join(T, "serve.log"))
    if not wait_for(lambda: os.path.exists(sock)):
        ok(False, "cordon-serve starts", log_of(os.path.join(T, "serve.log")))
        return 1

    env = dict(os.environ, CORDON_SOCKET=sock, CORDON_CELERY_BROKER="redis://127.0.0.1:%d/0" % port,
               CORDON_CELERY_VISIBILITY="30")
    os.environ.update(CORDON_CELERY_BROKER=env["CORDON_CELERY_BROKER"], CORDON_SOCKET=sock)
    import cordon_celery  # the broker URL from the environment set above

    def worker(name):
        return start([sys.executable, "-m", "celery", "-A", "cordon_celery", "worker", "-Q",
                      "cordon.default,cordon.strict", "-c", "1", "--pool", "prefork", "-n", name + "@%h",
                      "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
                     os.path.join(T, name + ".log"), env)

    w1 = worker("w1")
    r = cordon_celery.submit("print(6 * 7)")
    try:
        out = r.get(timeout=60)
    except Exception as e:  # noqa: BLE001 (the test reports whatever went wrong)
        out = {"error": repr(e)}
    ok(out.get("status") == "ok" and out.get("stdout") == "42\n",
       "a run through Celery: the worker calls its node's cordon serve and returns the result", out)
    ok(out.get("celery", {}).get("hostname", "").startswith("w1@"), "... on the worker that took it", out)

    r = cordon_celery.submit("import socket\n", policy="strict")
    try:
        out = r.get(timeout=60)
    except Exception as e:  # noqa: BLE001
        out = {"error": repr(e)}
    ok(out.get("status") == "denied" and out.get("policy") == "strict",
       "routed by policy: queue cordon.strict, the run denied by strict", out)
    try:
        cordon_celery.queue_for("../x")
        bad = False
    except ValueError:
        bad = True
    ok(bad, "a policy that is no name is refused before anything is queued")

    # The service refuses for a while (kill switch): the task retries until it accepts.
    st = subprocess.run([SERVE, "stop", "--all", "--socket", sock], capture_output=True, text=True, check=False)
    ok(st.returncode == 0, "the service stopped (cordon stop --all)", st.stdout + st.stderr)
    r = cordon_celery.submit("print('after resume')")
    # The worker takes the task and meets a 503 (a worker polls the broker
    # every few seconds), then retries with backoff.
    wait_for(lambda: r.state == "RETRY", 30)
    ok(r.state == "RETRY", "the task meets the stopped service and is to be retried", r.state)
    subprocess.run([SERVE, "resume", "--socket", sock], capture_output=True, check=False)
    try:
        out = r.get(timeout=90)
    except Exception as e:  # noqa: BLE001
        out = {"error": repr(e)}
    ok(out.get("stdout") == "after resume\n" and out.get("celery", {}).get("retries", 0) >= 1,
       "503 while the service is stopped: retried with backoff, then run", out)

    # The process running a task is killed mid-run: the message goes back
    # to the queue and a worker runs it again.
    r = cordon_celery.submit("import time\ntime.sleep(3)\nprint('survived')")
    started = wait_for(lambda: r.state == "STARTED", 30)
    ok(started, "a slow task has started on w1", r.state)
    w2 = worker("w2")
    children = subprocess.run(["pgrep", "-P", str(w1.pid)], capture_output=True, text=True).stdout.split()
    for c in children:
        try:
            os.kill(int(c), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    ok(bool(children), "w1's task process killed mid-run", children)
    try:
        out = r.get(timeout=120)
    except Exception as e:  # noqa: BLE001
        out = {"error": repr(e)}
    ok(out.get("stdout") == "survived\n", "the task was not lost: it ran again to its end", out)
    if out.get("stdout") != "survived\n":
        print("# w1: " + log_of(os.path.join(T, "w1.log")).replace("\n", "\n# w1: "))
        print("# w2: " + log_of(os.path.join(T, "w2.log")).replace("\n", "\n# w2: "))
    del w2, redis
    return 0


try:
    rc = main()
finally:
    cleanup()
print("1..%d" % n)
sys.stdout.flush()
# Not sys.exit: the results' finalizers would talk to the Redis that is gone.
os._exit(1 if failed or rc else 0)
