# modules/egress/tests/client.py - what egress.t runs inside the sandbox
# (python3 -c "$(cat client.py)" MODE ARGS...).  Prints one line per result.
import errno, os, socket, sys, threading, time, urllib.request

PROXY = ('127.0.0.1', int(os.environ.get('EG_PORT', '3128')))

def connect(host, port, path='/hello.txt', sock=None):
    s = sock or socket.create_connection(PROXY, timeout=20)
    if ':' in host:
        host = '[%s]' % host
    s.sendall(('CONNECT %s:%s HTTP/1.1\r\nHost: %s:%s\r\n\r\n' % (host, port, host, port)).encode())
    data = b''
    while b'\r\n\r\n' not in data:
        d = s.recv(4096)
        if not d:
            break
        data += d
    head, _, rest = data.partition(b'\r\n\r\n')
    status = head.split(b'\r\n')[0].decode()
    if ' 200 ' not in status + ' ':
        while True:
            d = s.recv(4096)
            if not d:
                break
            rest += d
        return status, rest.decode().strip()
    s.sendall(('GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' % (path, host)).encode())
    while True:
        d = s.recv(65536)
        if not d:
            break
        rest += d
    return status, rest.partition(b'\r\n\r\n')[2].decode(errors='replace').strip()

mode = sys.argv[1]
if mode == 'connect':
    st, body = connect(sys.argv[2], sys.argv[3], *(sys.argv[4:5]))
    print(st)
    print(body)
elif mode == 'get':
    try:
        with urllib.request.urlopen(sys.argv[2], timeout=20) as r:
            print(r.status, r.read().decode().strip())
    except urllib.error.HTTPError as e:
        print(e.code, e.read().decode().strip())
elif mode == 'direct':
    # no proxy variables, straight to an address
    for k in list(os.environ):
        if 'proxy' in k.lower():
            del os.environ[k]
    try:
        socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=5).close()
        print('connected')
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e)))
elif mode == 'slow':
    # a slowloris: the head one byte at a time, never finished
    s = socket.create_connection(PROXY, timeout=20)
    t0 = time.time()
    s.setblocking(False)
    got = b''
    for ch in b'CONNECT api.test:80 HTTP/1.1\r\nX-Slow: ' + b'a' * 60:
        try:
            s.send(bytes([ch]))
        except OSError:
            break
        time.sleep(0.2)
        try:
            d = s.recv(4096)
            if d == b'':
                break
            got += d
        except BlockingIOError:
            pass
        if got and time.time() - t0 > 0:
            break
    print(got.split(b'\r\n')[0].decode(), '%.1f' % (time.time() - t0))
    print(got.partition(b'\r\n\r\n')[2].decode().strip())
elif mode == 'idle':
    s = socket.create_connection(PROXY, timeout=20)
    s.sendall(('CONNECT %s:%s HTTP/1.1\r\n\r\n' % (sys.argv[2], sys.argv[3])).encode())
    print(s.recv(4096).split(b'\r\n')[0].decode())
    t0 = time.time()
    d = s.recv(4096)
    print('closed' if d == b'' else 'data', '%.1f' % (time.time() - t0))
elif mode == 'socks':
    # SOCKS5, no authentication; a name (atyp 3) or an address (1, 4)
    import ipaddress
    host, port = sys.argv[2], int(sys.argv[3])
    s = socket.create_connection(PROXY, timeout=20)
    s.sendall(b'\x05\x01\x00')
    print('method', s.recv(2).hex())
    try:
        a = ipaddress.ip_address(host)
        dst = (b'\x01' if a.version == 4 else b'\x04') + a.packed
    except ValueError:
        dst = b'\x03' + bytes([len(host)]) + host.encode()
    s.sendall(b'\x05\x01\x00' + dst + port.to_bytes(2, 'big'))
    rep = b''
    while len(rep) < 10:
        d = s.recv(10 - len(rep))
        if not d:
            break
        rep += d
    print('rep', rep[1] if len(rep) > 1 else None)
    if rep[1:2] == b'\x00':
        s.sendall(('GET /hello.txt HTTP/1.0\r\nHost: %s\r\n\r\n' % host).encode())
        body = b''
        while True:
            d = s.recv(4096)
            if not d:
                break
            body += d
        print(body.partition(b'\r\n\r\n')[2].decode().strip())
elif mode == 'garbage':
    # N random heads (some with a plausible start), each sent whole, then
    # the write side shut: every one must be answered or closed, none hang.
    import random
    rnd = random.Random(int(sys.argv[3]))
    starts = [b'', b'CONNECT ', b'GET http://', b'GET / HTTP/1.1\r\nHost: ', b'\x05\x01\x00',
              b'\x05\x01\x00\x05\x01\x00\x03', b'\x05\x02\x00\x01\x05\x01\x00\x01']
    done = 0
    for i in range(int(sys.argv[2])):
        body = bytes(rnd.randrange(256) for _ in range(rnd.randrange(300)))
        if rnd.random() < 0.5:
            body = bytes(rnd.choice(b'api.test:0123456789[]:@/ \r\n') for _ in range(rnd.randrange(80)))
        msg = rnd.choice(starts) + body + rnd.choice([b'', b'\r\n\r\n', b' HTTP/1.1\r\n\r\n'])
        s = socket.create_connection(PROXY, timeout=20)
        try:
            s.sendall(msg)
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):
                pass
            done += 1
        except ConnectionResetError:
            done += 1
        finally:
            s.close()
    print('answered', done)
elif mode == 'raw':
    # argv[2] sent as is (\r\n escapes allowed); the answer's status line and body
    s = socket.create_connection(PROXY, timeout=20)
    s.sendall(sys.argv[2].encode().decode('unicode_escape').encode('latin-1'))
    data = b''
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
    head, _, body = data.partition(b'\r\n\r\n')
    print(head.split(b'\r\n')[0].decode())
    print(body.decode().strip())
elif mode == 'many':
    # n tunnels open at once, each held until all are established
    n, host, port = int(sys.argv[2]), sys.argv[3], sys.argv[4]
    socks, results = [], []
    for i in range(n):
        s = socket.create_connection(PROXY, timeout=20)
        s.sendall(('CONNECT %s:%s HTTP/1.1\r\n\r\n' % (host, port)).encode())
        socks.append(s)
    for s in socks:
        data = b''
        while b'\r\n\r\n' not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
        results.append(data.split(b' ')[1].decode() if data else 'none')
    ok = 0
    for s, r in zip(socks, results):
        if r == '200':
            s.sendall(('GET /hello.txt HTTP/1.0\r\nHost: %s\r\n\r\n' % host).encode())
            body = b''
            while True:
                d = s.recv(4096)
                if not d:
                    break
                body += d
            ok += b'hello from' in body
    print(' '.join(sorted(set(results))), 'bodies=%d' % ok)
