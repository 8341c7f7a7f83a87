"""gantry-lab web app: something to promote between servers.

GET /        -> {"app": "gantry-lab-webapp", "version": "<VERSION>"}
GET /health  -> 200 {"db": "reachable"} when the database named by DATABASE_URL answers a real
                query (postgres://, mysql:// or mariadb://, redis://; other schemes: TCP connect),
                503 {"db": "unreachable", ...} otherwise, 200 {"db": "not-configured"} without it.
"""
import json
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

VERSION = open(os.path.join(os.path.dirname(__file__), "VERSION")).read().strip()
DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "mysql": 3306, "mariadb": 3306, "redis": 6379}
TIMEOUT = float(os.environ.get("HEALTH_TIMEOUT", "3"))
RESOLVER = ThreadPoolExecutor(max_workers=4)


def resolve(host, port):
    """getaddrinfo has no timeout of its own; a health check must answer in bounded time."""
    infos = RESOLVER.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM).result(timeout=TIMEOUT)
    return infos[0][4][0]


def check_database(url):
    parsed = urlparse(url)
    scheme = parsed.scheme
    host = parsed.hostname or "localhost"
    port = parsed.port or DEFAULT_PORTS.get(scheme, 0)
    result = {"host": host, "port": port, "scheme": scheme}
    try:
        address = resolve(host, port)
    except Exception as error:
        raise RuntimeError("cannot resolve %s: %s" % (host, error or "timed out"))
    with socket.create_connection((address, port), timeout=TIMEOUT) as sock:
        result["tcp"] = True
        if scheme == "redis":
            if parsed.password:
                sock.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(unquote(parsed.password)), unquote(parsed.password).encode()))
                if not sock.recv(256).startswith(b"+OK"):
                    raise RuntimeError("redis AUTH failed")
            sock.sendall(b"PING\r\n")
            if not sock.recv(64).startswith(b"+PONG"):
                raise RuntimeError("redis did not answer PING")
            result["query"] = "PING"
            return result
    if scheme in ("postgres", "postgresql"):
        import psycopg2

        conn = psycopg2.connect(url, connect_timeout=int(TIMEOUT))
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchone()
        finally:
            conn.close()
        result["query"] = "SELECT 1"
    elif scheme in ("mysql", "mariadb"):
        import pymysql

        conn = pymysql.connect(
            host=host, port=port, user=unquote(parsed.username or "root"),
            password=unquote(parsed.password or ""), database=(parsed.path or "/")[1:] or None,
            connect_timeout=TIMEOUT,
        )
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchone()
        finally:
            conn.close()
        result["query"] = "SELECT 1"
    return result


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = (json.dumps(body) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/":
            self.reply(200, {"app": "gantry-lab-webapp", "version": VERSION})
        elif self.path == "/health":
            url = os.environ.get("DATABASE_URL")
            if not url:
                self.reply(200, {"db": "not-configured", "version": VERSION})
                return
            try:
                detail = check_database(url)
                self.reply(200, {"db": "reachable", "version": VERSION, **detail})
            except Exception as error:  # any failure means "not healthy"
                self.reply(503, {"db": "unreachable", "version": VERSION, "error": str(error)})
        else:
            self.reply(404, {"error": "not found"})

    def log_message(self, fmt, *args):
        print("%s %s" % (self.address_string(), fmt % args), flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print("gantry-lab webapp %s listening on :%d" % (VERSION, port), flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
