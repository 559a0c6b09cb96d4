#!/bin/bash
# static.sh: the webserver example as a static web server, judged by
# curl over TAP inside a network namespace this script makes.  The disk
# is --share of a temporary folder: a copy of examples/webserver/www plus
# a folder without an index holding a 20 MiB random file, a file with a
# long name with spaces and one file per known extension.  Cases: GET /
# is index.html; a folder without an index is listed (its files named)
# and one asked for without its '/' is redirected; Content-Type by
# extension; HEAD sends the right Content-Length and no body; 404; '..'
# (plain or percent-encoded) is refused; a percent-encoded name; the
# 20 MiB file's SHA-256 as sha256sum's; keep-alive across two files;
# /hello and /stats still answer; 24 clients that ask for the big file
# and read nothing hold up neither another client nor a reader of it.
# Cases skip, saying why, when root or a tool is missing; they fail when
# a program is not built or the namespace cannot be set up.
. "$srcdir/tests/tap.sh"
plan 13

ns=toro-static-$$
BG_TIMEOUT=300
. "$srcdir/tests/net/netns.sh"

long="A rather long file name, with spaces, to list and fetch (UTF-8 ü).txt"
long_url="A%20rather%20long%20file%20name%2C%20with%20spaces%2C%20to%20list%20and%20fetch%20%28UTF-8%20%C3%BC%29.txt"

# The cases, run inside the namespace (ns CASE): they see $url, $tmp
# and $site, and put what went wrong in the log.
ip=192.168.79.2
export url tmp site long long_url ip
# status PATH [CURL OPTIONS...]: the HTTP status curl got.
status() {
	local p=$1
	shift
	curl -s -m 10 -o /dev/null -w '%{http_code}' "$@" "$url$p"
}
case_index() {
	curl -s -m 10 -o "$tmp/index.out" "$url/" &&
	    cmp "$tmp/index.out" "$site/index.html"
}
case_listing() {
	curl -s -m 10 "$url/data/" >"$tmp/list.out" || return 1
	grep -q '<a href="big.bin">big.bin</a>' "$tmp/list.out" &&
	    grep -q "<a href=\"$long_url\">$long</a>" "$tmp/list.out" &&
	    grep -q '>20971520<' "$tmp/list.out" &&
	    grep -q '<a href="types/">types/</a>' "$tmp/list.out" &&
	    ! grep -q 'index.html' "$tmp/list.out" || { note <"$tmp/list.out"; return 1; }
}
case_redirect() {
	curl -si -m 10 "$url/data" >"$tmp/redir.out" &&
	    grep -q '^HTTP/1.1 301' "$tmp/redir.out" &&
	    grep -q '^Location: /data/' "$tmp/redir.out" ||
	    { note <"$tmp/redir.out"; return 1; }
}
case_types() {
	local f want got bad=0
	while read -r f want; do
		got=$(curl -s -m 10 -o /dev/null -w '%{http_code} %{content_type}' \
		    "$url/$f")
		if [ "$got" != "200 $want" ]; then
			echo "# /$f: got '$got', want '200 $want'"
			bad=1
		fi
	done <<'EOF'
index.html text/html; charset=utf-8
style.css text/css; charset=utf-8
toro.png image/png
docs/notes.txt text/plain; charset=utf-8
data/types/a.htm text/html; charset=utf-8
data/types/a.js text/javascript; charset=utf-8
data/types/a.json application/json
data/types/a.jpg image/jpeg
data/types/A.JPEG image/jpeg
data/types/a.gif image/gif
data/types/a.svg image/svg+xml
data/types/a.ico image/x-icon
data/types/a.pdf application/pdf
data/types/a.wasm application/wasm
data/types/a.xyz application/octet-stream
data/types/noext application/octet-stream
data/big.bin application/octet-stream
EOF
	return $bad
}
# HEAD then GET /hello on one connection: the HEAD's answer is headers
# only (the GET's status line follows at once) with the file's length.
case_head() {
	python3 - "${url#http://}" <<'EOF'
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=10)
s.sendall(b"HEAD /data/big.bin HTTP/1.1\r\nHost: t\r\n\r\n"
          b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
head, sep, rest = got.partition(b"\r\n\r\n")
ok = head.startswith(b"HTTP/1.1 200") and \
    b"\r\nContent-Length: 20971520" in head and \
    b"\r\nContent-Type: application/octet-stream" in head and \
    rest.startswith(b"HTTP/1.1 200") and rest.endswith(b"Hello from Toro!\n")
if not ok:
    print("# got %d bytes: %r" % (len(got), got[:300]))
sys.exit(0 if ok else 1)
EOF
}
case_404() {
	[ "$(status /missing.html)" = 404 ] &&
	    [ "$(status /docs/missing.txt)" = 404 ] &&
	    [ "$(status /index.html/)" = 404 ]
}
# '..' in every spelling: 403 or 404, never the file outside the root.
case_dotdot() {
	local p s bad=0
	for p in /../secret.txt /docs/../../secret.txt /%2e%2e/secret.txt \
	    /%2E%2E%2fsecret.txt /docs/%2e%2e/%2e%2e/secret.txt \
	    "/.../secret.txt" "/..%20/secret.txt" /..; do
		s=$(status "$p" --path-as-is)
		case $s in
		403|404|400) ;;
		*) echo "# $p: $s"; bad=1 ;;
		esac
	done
	return $bad
}
case_long() {
	curl -s -m 10 -o "$tmp/long.out" "$url/data/$long_url" &&
	    cmp "$tmp/long.out" "$site/data/$long"
}
case_big() {
	local want got
	want=$(sha256sum <"$site/data/big.bin" | cut -d' ' -f1)
	got=$(curl -s -m 120 "$url/data/big.bin" | sha256sum | cut -d' ' -f1)
	[ "$want" = "$got" ] || { echo "# sha256 $got, want $want"; return 1; }
}
case_keepalive() {
	curl -sv -m 20 -o "$tmp/ka1.out" "$url/style.css" \
	    -o "$tmp/ka2.out" "$url/toro.png" 2>"$tmp/ka.err" &&
	    [ "$(grep -c 'Re-using\|Reusing' "$tmp/ka.err")" -eq 1 ] &&
	    cmp "$tmp/ka1.out" "$site/style.css" &&
	    cmp "$tmp/ka2.out" "$site/toro.png" || { note <"$tmp/ka.err"; return 1; }
}
# 24 clients ask for the 20 MiB file and read nothing (three times the
# webserver's workers at --cpus 4): another is still answered at once,
# and a reader of the file still gets it whole.
case_slow_readers() {
	python3 - "$ip" "$site/data/big.bin" <<'PY'
import hashlib, socket, sys, time
host, path = sys.argv[1], sys.argv[2]
stuck = []
for i in range(24):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(10)
    s.connect((host, 80))
    s.sendall(b"GET /data/big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
    stuck.append(s)
time.sleep(1)
def get(p):
    s = socket.create_connection((host, 80), timeout=10)
    s.sendall(b"GET " + p + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    got = b""
    while True:
        b = s.recv(1 << 16)
        if not b:
            return got
        got += b
t0 = time.monotonic()
hello = get(b"/hello")
took = time.monotonic() - t0
body = get(b"/data/big.bin").partition(b"\r\n\r\n")[2]
want = hashlib.sha256(open(path, "rb").read()).digest()
ok = hello.endswith(b"Hello from Toro!\n") and took < 5 and \
    hashlib.sha256(body).digest() == want
print("hello in %.3f s, file %s" % (took, "whole" if ok else "NOT whole"))
sys.exit(0 if ok else 1)
PY
}
case_builtin() {
	[ "$(curl -s -m 10 "$url/hello")" = "Hello from Toro!" ] &&
	    curl -s -m 10 "$url/stats" | python3 -m json.tool >/dev/null
}
ns() {
	in_ns bash -c "$(declare -f); $1"
}

if [ ! -x out/sim/webserver ]; then
	fail_n 13 "the webserver example is not built"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! have ip || [ ! -c /dev/net/tun ] ||
    ! have curl || ! have python3 || ! have mformat || ! have mcopy; then
	skip_n 13 "needs root, ip, curl, python3, mtools and /dev/net/tun"
	exit 0
fi

# The site: www, plus data/ (no index) and a file outside it.
site=$tmp/share/site
mkdir -p "$tmp/share"
cp -r "$srcdir/examples/webserver/www" "$site"
mkdir -p "$site/data/types"
head -c $((20 << 20)) /dev/urandom >"$site/data/big.bin"
echo "a long name" >"$site/data/$long"
for f in a.htm a.js a.json a.jpg A.JPEG a.gif a.svg a.ico a.pdf a.wasm \
    a.xyz noext; do
	echo "$f" >"$site/data/types/$f"
done
echo "secret" >"$tmp/share/secret.txt"

ip=192.168.79.2
url=http://$ip
out=$tmp/web.out
tap_up 13 192.168.79
bg_ns web "$out" out/sim/webserver --cpus 4 --net tap:tap0 --share "$site" \
    -- ip=$ip/24 gw=192.168.79.1
if ! wait_for "$out" "serving http://$ip:80/" 300; then
	fail "webserver up on TAP with --share"
	fail_n 12 "the webserver did not start"
	exit 0
fi
ok "webserver up on TAP with --share"
check "GET / is index.html" ns case_index
check "a folder without index.html is listed, its files named" ns case_listing
check "a folder without its '/' is redirected (301)" ns case_redirect
check "Content-Type by extension" ns case_types
check "HEAD: Content-Length of the file, no body" ns case_head
check "404 for missing files" ns case_404
check "'..' refused (403/404), also percent-encoded" ns case_dotdot
check "a percent-encoded long name with spaces" ns case_long
check "20 MiB file: SHA-256 as sha256sum's" ns case_big
check "keep-alive: two files on one connection" ns case_keepalive
check "/hello and /stats still answer with a disk" ns case_builtin
check "24 stalled readers of a big file hold up nobody" ns case_slow_readers
