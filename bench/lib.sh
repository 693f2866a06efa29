# lib.sh: what the daemon benchmarks (run_http.sh, run_mail.sh) share.
# Sourced by bash after NAME (the script's name for messages), WIJKCAL,
# WIJKCALD, PY, work (may be empty) and keep are set.

# Stops with EX_UNAVAILABLE unless both binaries are there.
bench_need_binaries() {
	local bin
	for bin in "$WIJKCAL" "$WIJKCALD"; do
		[ -x "$bin" ] || { echo "$NAME: no $bin (build it, or set" \
			"WIJKCAL and WIJKCALD)" >&2; exit 69; }
	done
}

# Makes the work folder (a temporary one unless --work gave it) and stops
# every process in pids when the script ends; the folder is removed
# after a run that succeeded (failed=0) unless --keep.
bench_work_folder() {
	local prefix=$1
	[ -n "$work" ] || work=$(mktemp -d "/tmp/$prefix.XXXXXX")
	mkdir -p "$work"
	work=$(cd "$work" && pwd)
	failed=1
	pids=()
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		if kill "$pid" 2> /dev/null; then
			wait "$pid" 2> /dev/null || true
		fi
	done
	if [ "$keep" = 0 ] && [ "$failed" = 0 ]; then
		rm -rf "$work"
	else
		echo "$NAME: work folder kept: $work" >&2
	fi
}

# A free TCP port on 127.0.0.1.
free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
