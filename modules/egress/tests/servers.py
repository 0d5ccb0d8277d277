# modules/egress/tests/servers.py - the "remote" hosts of egress.t, all on
# loopback addresses this test owns: an HTTP server on 127.0.0.1 (the
# allowed host) and on 127.0.0.2 (what a rebinding name points at), and a
# TCP server on 127.0.0.1 that accepts and never says anything (idle).
# Writes "PORT SILENT_PORT" to argv[1] once listening; runs until killed.
import http.server, socket, socketserver, sys, threading

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith('/big'):
            body = b'x' * 65536
        elif self.server.server_address[0] == '127.0.0.2':
            body = b'secret from 127.0.0.2\n'
        else:
            body = b'hello from ' + self.headers.get('Host', '?').encode() + b' ' + self.path.encode() + b'\n'
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

a = S(('127.0.0.1', 0), H)
port = a.server_address[1]
b = S(('127.0.0.2', port), H)
silent = socket.socket()
silent.bind(('127.0.0.1', 0))
silent.listen(64)
held = []
def hold():
    while True:
        c, _ = silent.accept()
        held.append(c)
for srv in (a, b):
    threading.Thread(target=srv.serve_forever, daemon=True).start()
threading.Thread(target=hold, daemon=True).start()
with open(sys.argv[1] + '.tmp', 'w') as f:
    f.write('%d %d\n' % (port, silent.getsockname()[1]))
import os
os.rename(sys.argv[1] + '.tmp', sys.argv[1])
threading.Event().wait()
