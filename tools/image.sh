#!/bin/bash
# image.sh: the folder of a Toro image that VM runners take (what
# ./toro image APP writes; ./toro builds the kernel first).
#
#	tools/image.sh OUT NAME ELF PVH_ELF CPUS MEM_MB CMDLINE [FILES_DIR]
#
# writes folder OUT: kernel.elf (PVH + Multiboot), kernel.pvh.elf (its
# PVH-only twin, which QEMU's microvm and q35 boot), cmdline, disk.img
# (a FAT16 disk holding FILES_DIR, when given), an OCI image layout
# (oci-layout, index.json, blobs/sha256/: manifest, config and one
# gzipped tar layer holding toro/kernel.elf, toro/kernel.pvh.elf,
# toro/cmdline and toro/disk.img), vm.json (Firecracker's
# configuration file), run-qemu.sh (QEMU as it is) and a README.
#
# Rules: everything is written to a temporary folder beside OUT, renamed
# to OUT at the end, so a failure leaves nothing half-written; what
# FAT16 cannot hold ends it with one line and status 1.  The layer is
# reproducible (sorted names, time 0, owner 0), so the same inputs give
# the same digests.
set -euo pipefail

die() {
	echo "toro image: $*" >&2
	exit 1
}

[ $# -ge 7 ] && [ $# -le 8 ] ||
    die "usage: image.sh OUT NAME ELF PVH_ELF CPUS MEM_MB CMDLINE [FILES_DIR]"
out=$1 name=$2 elf=$3 pvh=$4 cpus=$5 mem=$6 cmdline=$7 files=${8:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# A JSON string: the command line holds no control character (checked
# by ./toro), so quotes and backslashes are all there is to escape.
json() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$(dirname "$out")/.$(basename "$out").XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

cp "$elf" "$tmp/kernel.elf"
cp "$pvh" "$tmp/kernel.pvh.elf"
printf '%s\n' "$cmdline" >"$tmp/cmdline"

# The disk: big enough for the files, each rounded up to a cluster, and
# a quarter more for what the application writes; 32 MiB at least, so
# that it has the clusters of a FAT16 volume (4085 or more).  Sizes are
# whole MiB: 64 heads of 32 sectors.
if [ -n "$files" ]; then
	command -v mformat >/dev/null && command -v mcopy >/dev/null ||
	    die "--files needs mtools (apt-get install mtools)"
	bytes=$(find "$files" -type f -printf '%s\n' |
	    awk '{ t += int(($1 + 32767) / 32768) * 32768 + 32 } END { printf "%d\n", t }')
	mib=$(((bytes + bytes / 4) / 1048576 + 4))
	[ "$mib" -ge 32 ] || mib=32
	[ "$mib" -le 2047 ] ||
	    die "--files $files holds $((bytes / 1048576)) MiB: more than a FAT16 disk holds (2 GiB with room to write)"
	spc=8
	while [ $((mib * 2048 / spc)) -gt 65000 ]; do spc=$((spc * 2)); done
	truncate -s "${mib}M" "$tmp/disk.img"
	err=$tmp/mtools.err
	# Same inputs, same disk: the serial number comes from the name, the
	# times of what mtools makes from the newest file (FAT starts in 1980).
	serial=$(printf %s "$name" | sha256sum | cut -c1-8)
	newest=$(find "$files" -printf '%T@\n' | sort -n | tail -1)
	newest=${newest%.*}
	[ "$newest" -ge 315532800 ] 2>/dev/null || newest=315532800
	export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$newest}
	mformat -i "$tmp/disk.img" -T $((mib * 2048)) -h 64 -s 32 -c $spc \
	    -v TORO -N "$serial" :: 2>"$err" || die "mformat: $(head -1 "$err")"
	shopt -s nullglob dotglob
	top=("$files"/*)
	shopt -u nullglob dotglob
	if [ ${#top[@]} -gt 0 ]; then
		mcopy -s -Q -i "$tmp/disk.img" "${top[@]}" ::/ 2>"$err" ||
		    die "--files $files: $(head -1 "$err")"
	fi
	rm -f "$err"
fi

# The OCI image: one layer, the files under toro/.
mkdir -p "$tmp/layer/toro" "$tmp/blobs/sha256"
cp "$tmp/kernel.elf" "$tmp/kernel.pvh.elf" "$tmp/cmdline" "$tmp/layer/toro/"
[ -z "$files" ] || cp "$tmp/disk.img" "$tmp/layer/toro/"
tar -C "$tmp/layer" --sort=name --mtime=@0 --owner=0 --group=0 \
    --numeric-owner -cf "$tmp/layer.tar" toro
diffid=$(sha "$tmp/layer.tar")
gzip -n -9 "$tmp/layer.tar"
layer=$(sha "$tmp/layer.tar.gz")
mv "$tmp/layer.tar.gz" "$tmp/blobs/sha256/$layer"
rm -rf "$tmp/layer"

# The annotations unikernel runtimes read (urunc), and Toro's own.  They
# are the manifest's annotations and the config's labels both.
annotations() {
	printf '"com.urunc.unikernel.unikernelType": "toro",\n'
	printf '"com.urunc.unikernel.hypervisor": "qemu",\n'
	printf '"com.urunc.unikernel.binary": "/toro/kernel.elf",\n'
	printf '"com.urunc.unikernel.cmdline": %s,\n' "$(json "$cmdline")"
	[ -z "$files" ] ||
	    printf '"com.urunc.unikernel.block": "/toro/disk.img",\n'
	printf '"org.toro.app": %s,\n' "$(json "$name")"
	printf '"org.toro.kernel.pvh": "/toro/kernel.pvh.elf",\n'
	[ -z "$files" ] || printf '"org.toro.disk": "/toro/disk.img",\n'
	printf '"org.toro.cpus": "%s",\n' "$cpus"
	printf '"org.toro.mem_mib": "%s"\n' "$mem"
}
ann=$(annotations)

cat >"$tmp/config.json" <<EOF
{"architecture": "amd64", "os": "linux",
 "config": {"Labels": {$ann}},
 "rootfs": {"type": "layers", "diff_ids": ["sha256:$diffid"]},
 "history": [{"created_by": "toro image $name"}]}
EOF
config=$(sha "$tmp/config.json")
csize=$(size "$tmp/config.json")
mv "$tmp/config.json" "$tmp/blobs/sha256/$config"

cat >"$tmp/manifest.json" <<EOF
{"schemaVersion": 2,
 "mediaType": "application/vnd.oci.image.manifest.v1+json",
 "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
  "digest": "sha256:$config", "size": $csize},
 "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
  "digest": "sha256:$layer", "size": $(size "$tmp/blobs/sha256/$layer")}],
 "annotations": {$ann}}
EOF
manifest=$(sha "$tmp/manifest.json")
msize=$(size "$tmp/manifest.json")
mv "$tmp/manifest.json" "$tmp/blobs/sha256/$manifest"

printf '{"imageLayoutVersion": "1.0.0"}\n' >"$tmp/oci-layout"
cat >"$tmp/index.json" <<EOF
{"schemaVersion": 2,
 "mediaType": "application/vnd.oci.image.index.v1+json",
 "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
  "digest": "sha256:$manifest", "size": $msize,
  "platform": {"architecture": "amd64", "os": "linux"},
  "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
EOF

# Firecracker's configuration file (firecracker --config-file vm.json);
# paths are relative to this folder.
drives='[]'
[ -z "$files" ] || drives='[{"drive_id": "disk0", "path_on_host": "disk.img",
   "is_root_device": false, "is_read_only": false}]'
cat >"$tmp/vm.json" <<EOF
{"boot-source": {"kernel_image_path": "kernel.pvh.elf",
  "boot_args": $(json "$cmdline")},
 "drives": $drives,
 "network-interfaces": [{"iface_id": "eth0", "guest_mac": "02:fc:00:00:00:01",
   "host_dev_name": "tap0"}],
 "machine-config": {"vcpu_count": $cpus, "mem_size_mib": $mem, "smt": false}}
EOF

sed -e "s/@CPUS@/$cpus/" -e "s/@MEM@/$mem/" \
    -e "s/@DISK@/${files:+1}/" "$here/image-run-qemu.sh" >"$tmp/run-qemu.sh"
chmod +x "$tmp/run-qemu.sh"
sed -e "s/@NAME@/$name/g" "$here/image-README" >"$tmp/README"

rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "toro image: $out (OCI layout, vm.json, run-qemu.sh: see $out/README)"
