"""A real HTTPS webhook receiver for the gateway tests (Python http.server + ssl, Debian python3).

Usage: receiver.py PORT CERT KEY [CLIENT_CA]
Serves TLS on 127.0.0.1:PORT (0: a free port) with CERT/KEY; with CLIENT_CA every client must present a certificate signed by it
(mutual TLS). Prints "READY port=N" once listening, then one JSON line per POST: path, signature header, base64 body.
Answers every POST 200. Stopped by the test with SIGTERM.
"""
import base64
import http.server
import json
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        print(json.dumps({
            "path": self.path,
            "signature": self.headers.get("X-SmartCity-Signature"),
            "body": base64.b64encode(body).decode("ascii"),
        }), flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


def main():
    port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if len(sys.argv) > 4:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(sys.argv[4])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"READY port={server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
