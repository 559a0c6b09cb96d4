#!/bin/sh
# debsrc.sh: fetch and unpack a Debian source package, once.
#
# usage: tools/debsrc.sh PACKAGE[=VERSION] DEST
#
# Unpacks the source of PACKAGE (Debian patches applied) into DEST and
# prints DEST: the newest version the sources offer, or an older one
# when the newest cannot be fetched.  When DEST already holds it, nothing is fetched.  The
# deb-src lines are derived from the machine's own apt sources (every
# "deb" entry of /etc/apt/sources.list and of the .list and .sources
# files in /etc/apt/sources.list.d), with the same archives, suites,
# components and keys; apt runs on a private state folder under
# out/apt, so the machine's own apt state is neither read nor changed.
# Needs apt-get and dpkg-source (dpkg-dev).
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 PACKAGE DEST" >&2
	exit 2
fi
pkg=$1
dest=$2
if [ -f "$dest/.debsrc-done" ]; then
	echo "$dest"
	exit 0
fi
command -v dpkg-source >/dev/null || {
	echo "debsrc.sh: dpkg-source is missing (apt-get install dpkg-dev)" >&2
	exit 1
}

top=$(cd "$(dirname "$0")/.." && pwd)
apt=${DEBSRC_APT:-$top/out/apt}
mkdir -p "$apt/sources.list.d" "$apt/state/lists/partial" \
    "$apt/cache/archives/partial"
: >"$apt/state/status"

# deb-src twins of the machine's binary sources.
srcs=/etc/apt/sources.list
parts=/etc/apt/sources.list.d
{
	for f in "$srcs" "$parts"/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
	done
} >"$apt/sources.list"
for f in "$parts"/*.sources; do
	[ -f "$f" ] || continue
	# deb822: a stanza whose Types has "deb" gets "deb-src" instead.
	sed 's/^Types:.*\bdeb\b.*$/Types: deb-src/' "$f" \
	    >"$apt/sources.list.d/$(basename "$f")"
done

set -- -o Dir::Etc::SourceList="$apt/sources.list" \
    -o Dir::Etc::SourceParts="$apt/sources.list.d" \
    -o Dir::State="$apt/state" -o Dir::State::status="$apt/state/status" \
    -o Dir::Cache="$apt/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root
if [ ! -f "$apt/state/updated" ]; then
	apt-get -qq "$@" update >&2
	: >"$apt/state/updated"
fi

mkdir -p "$(dirname "$dest")"
work=$(mktemp -d "${dest%/}.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
# When the newest version cannot be fetched (an archive that lists a
# security update it does not hold), the older ones the sources list
# are tried, newest first.
fetch() { (cd "$work" && apt-get -qq "$@" source "$pkg" >&2); }
if ! fetch "$@"; then
	case $pkg in
	*=*) exit 1 ;;
	esac
	ok=""
	for v in $(apt-cache "$@" showsrc "$pkg" 2>/dev/null |
	    sed -n 's/^Version: //p' | sort -u -r -V); do
		echo "debsrc.sh: trying $pkg=$v" >&2
		rm -rf "${work:?}"/*
		if (cd "$work" && apt-get -qq "$@" source "$pkg=$v" >&2); then
			ok=1
			break
		fi
	done
	[ -n "$ok" ] || exit 1
fi
# apt-get source leaves the unpacked tree as the only folder.
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
if [ -z "$tree" ]; then
	echo "debsrc.sh: apt-get source $pkg unpacked nothing" >&2
	exit 1
fi
rm -rf "$dest"
mv "$tree" "$dest"
: >"$dest/.debsrc-done"
echo "$dest"
