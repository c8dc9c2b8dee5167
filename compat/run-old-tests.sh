#!/usr/bin/env bash
# Runs the test suite of the published `content-security-policy` 0.9.0 against `compat/`.
#
# The tests are taken at run time from cargo's download of the crate (the workspace's
# dev-dependency), never copied into this repository: tests/examples.rs, tests/base-uri.rs,
# tests/sandbox.rs, and the `#[cfg(test)] mod test` of src/lib.rs with its `use super::*;`
# rewritten to `use content_security_policy::*;`. They are built as a scratch crate under
# target/ that depends on compat/ by path, and run. The script prints `N passed, N failed`
# and fails unless the failing tests are exactly those listed in
# compat/old-tests-expected-failures.txt (each with the CSP3 step that makes the old
# expectation wrong).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

cargo fetch --quiet
# Where cargo unpacked the peer: its manifest path, from the workspace's metadata.
manifest="$(cargo metadata --format-version 1 \
    | grep -o '"manifest_path":"[^"]*/content-security-policy-0\.9\.0/Cargo\.toml"' \
    | head -n 1 | sed 's/^"manifest_path":"//; s/"$//')"
if [ -z "$manifest" ]; then
    echo "run-old-tests: content-security-policy 0.9.0 is not in the workspace's dependencies" >&2
    exit 2
fi
old="$(dirname "$manifest")"

scratch="$root/target/compat-old-tests"
rm -rf "$scratch"
mkdir -p "$scratch/tests" "$scratch/src"
for t in examples base-uri sandbox; do
    cp "$old/tests/$t.rs" "$scratch/tests/$t.rs"
done
# The unit tests: from `#[cfg(test)]` + `mod test {` to its closing brace.
awk '
    /^#\[cfg\(test\)\]$/ { pending = NR; held = $0; next }
    pending && NR == pending + 1 && /^mod test \{/ { inside = 1; print held }
    { pending = 0 }
    inside {
        line = $0
        if (line ~ /^[[:space:]]*use super::\*;[[:space:]]*$/) { sub(/super::\*/, "content_security_policy::*", line) }
        print line
        opened = gsub(/\{/, "{", $0); closed = gsub(/\}/, "}", $0)
        depth += opened - closed
        if (depth == 0) { exit }
    }
' "$old/src/lib.rs" > "$scratch/tests/lib_unit.rs"
if ! grep -q 'use content_security_policy::\*;' "$scratch/tests/lib_unit.rs"; then
    echo "run-old-tests: could not extract the unit tests of $old/src/lib.rs" >&2
    exit 2
fi
printf '' > "$scratch/src/lib.rs"
cat > "$scratch/Cargo.toml" <<TOML
[package]
name = "content-security-policy-0-9-0-tests"
version = "0.0.0"
edition = "2018"
publish = false

# Its own workspace: it lives under target/, not in ours.
[workspace]

[dependencies]
content-security-policy = { path = "$root/compat" }

[[test]]
name = "examples"
path = "tests/examples.rs"

[[test]]
name = "base-uri"
path = "tests/base-uri.rs"

[[test]]
name = "sandbox"
path = "tests/sandbox.rs"

[[test]]
name = "lib_unit"
path = "tests/lib_unit.rs"
TOML
# The workspace's lock file pins the same versions, so the dependencies built for the
# workspace are reused (same target directory) and nothing is resolved afresh.
cp "$root/Cargo.lock" "$scratch/Cargo.lock"

log="$scratch/test-output.txt"
set +e
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" \
    cargo test --manifest-path "$scratch/Cargo.toml" --no-fail-fast 2>&1 | tee "$log" \
    | grep -E '^test .* \.\.\. (ok|FAILED|ignored)$|^error' || true
set -e

# "<binary>/<test>" for every result, from the "Running tests/<binary>.rs" headers.
results="$(awk '
    /Running tests\// { split($2, a, "/"); bin = a[2]; sub(/\.rs$/, "", bin) }
    /^test .* \.\.\. (ok|FAILED)$/ { print bin "/" $2, $NF }
' "$log")"
passed="$(printf '%s\n' "$results" | grep -c ' ok$' || true)"
failed="$(printf '%s\n' "$results" | grep -c ' FAILED$' || true)"
actual="$(printf '%s\n' "$results" | awk '$2 == "FAILED" { print $1 }' | sort)"
expected="$(awk '!/^#/ && NF { print $1 }' "$root/compat/old-tests-expected-failures.txt" | sort)"

# The other direction: compat/tests/servo_call_sites.rs (Servo's uses of the 0.9 API) must
# compile against the published 0.9.0 as well, proof that it uses nothing 0.9 lacks.
sample="$root/target/compat-sample-vs-0-9-0"
rm -rf "$sample"
mkdir -p "$sample/tests" "$sample/src"
cp "$root/compat/tests/servo_call_sites.rs" "$sample/tests/"
printf '' > "$sample/src/lib.rs"
cat > "$sample/Cargo.toml" <<TOML
[package]
name = "servo-call-sites-against-0-9-0"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
content-security-policy = "=0.9.0"
TOML
cp "$root/Cargo.lock" "$sample/Cargo.lock"
if ! CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" \
    cargo test --quiet --manifest-path "$sample/Cargo.toml" --no-run 2> "$sample/build.txt"; then
    cat "$sample/build.txt" >&2
    echo "run-old-tests: compat/tests/servo_call_sites.rs does not compile against 0.9.0" >&2
    exit 1
fi
echo "compat/tests/servo_call_sites.rs compiles against the published 0.9.0 too"

echo
echo "$passed passed, $failed failed"
if [ "$passed" -eq 0 ]; then
    echo "run-old-tests: no test ran; see $log" >&2
    exit 1
fi
if [ "$actual" != "$expected" ]; then
    echo "run-old-tests: the failing tests differ from compat/old-tests-expected-failures.txt" >&2
    diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") >&2 || true
    exit 1
fi
echo "the failures are exactly the listed spec corrections (compat/old-tests-expected-failures.txt)"
