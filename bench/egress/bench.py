# bench/egress/bench.py - the two halves of bench/egress/run.sh.
#
#   python3 bench.py server PORTFILE
#       a TCP server on 127.0.0.1 (the "remote" host): reads one line "N\n",
#       sends N bytes, closes.  Writes its port to PORTFILE.
#   python3 bench.py client HOST PORT MB CONNS
#       (inside the sandbox) the same server on the sandbox's own loopback
#       (a forked process, as the remote one is a process of its own),
#       then, against it (direct) and against HOST:PORT through the egress
#       proxy (CONNECT to $HTTPS_PROXY): MB megabytes in one connection
#       (throughput) and CONNS sequential connections of one 64-byte answer
#       each (time per connection).  One JSON object on stdout.
import json, os, socket, sys, threading, time

CHUNK = b'\0' * (1 << 20)

def serve(sock):
    def one(c):
        with c:
            line = b''
            while not line.endswith(b'\n'):
                d = c.recv(64)
                if not d:
                    return
                line += d
            n = int(line)
            while n > 0:
                k = min(n, len(CHUNK))
                c.sendall(CHUNK[:k])
                n -= k
    while True:
        c, _ = sock.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()

def listener(host):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 0))
    s.listen(128)
    return s

def open_conn(mode, host, port):
    if mode == 'direct':
        return socket.create_connection((host, port))
    p = os.environ['HTTPS_PROXY'].rsplit(':', 1)
    s = socket.create_connection((p[0].split('//')[1], int(p[1])))
    s.sendall(('CONNECT %s:%d HTTP/1.1\r\n\r\n' % (host, port)).encode())
    head = b''
    while b'\r\n\r\n' not in head:
        d = s.recv(4096)
        if not d:
            raise SystemExit('proxy closed: %r' % head)
        head += d
    if b' 200 ' not in head.split(b'\r\n')[0] + b' ':
        raise SystemExit('proxy refused: %r' % head)
    return s

def fetch(s, n):
    s.sendall(b'%d\n' % n)
    got = 0
    buf = bytearray(1 << 20)
    while True:
        k = s.recv_into(buf)
        if not k:
            break
        got += k
    s.close()
    if got != n:
        raise SystemExit('short read: %d of %d' % (got, n))

def measure(mode, host, port, mb, conns):
    n = mb << 20
    t0 = time.perf_counter()
    fetch(open_conn(mode, host, port), n)
    tp = time.perf_counter() - t0
    lat = []
    for _ in range(conns):
        t = time.perf_counter()
        fetch(open_conn(mode, host, port), 64)
        lat.append(time.perf_counter() - t)
    lat.sort()
    return {'MiB_per_s': round(mb / tp, 1), 'conn_ms_median': round(lat[len(lat) // 2] * 1e3, 3),
            'conn_ms_p90': round(lat[int(len(lat) * 0.9)] * 1e3, 3)}

if sys.argv[1] == 'server':
    s = listener('127.0.0.1')
    with open(sys.argv[2] + '.tmp', 'w') as f:
        f.write('%d\n' % s.getsockname()[1])
    os.rename(sys.argv[2] + '.tmp', sys.argv[2])
    serve(s)
else:
    host, port, mb, conns = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    # the direct baseline's server: a process of its own, as the remote one
    local = listener('127.0.0.1')
    pid = os.fork()
    if pid == 0:
        serve(local)
    port_local = local.getsockname()[1]
    local.close()
    out = {'direct_loopback': measure('direct', '127.0.0.1', port_local, mb, conns),
           'proxied': measure('proxy', host, port, mb, conns)}
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    print(json.dumps(out))
