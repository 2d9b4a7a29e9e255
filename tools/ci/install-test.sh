#!/usr/bin/env bash
# The installed layout works: `make install` into a staging root, then the installed binary, run from a
# folder with no templates (as systemd runs it, from the state root), processes the examples with the
# installed example config, using the installed templates and lexicons.
#   tools/ci/install-test.sh                               # release build
#   QUILL_BIN=.build/debug/quill tools/ci/install-test.sh  # an existing build, no rebuild
#   KEEP=1 …                                               # leave the temporary tree for a look
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fail() { echo "install-test: $*" >&2; exit 1; }

make -C "$repo" --no-print-directory install DESTDIR="$tmp/root" PREFIX=/usr/local ${QUILL_BIN:+QUILL_BIN="$QUILL_BIN"} >/dev/null
prefix="$tmp/root/usr/local"
for f in "$prefix/bin/quill" "$prefix/share/quill/templates/lexicon/medications.txt" "$prefix/share/quill/templates/lexicon/synonyms.txt" \
         "$prefix/share/quill/templates/discharge-summary.txt.mustache" "$prefix/share/quill/templates/soap-note.fhir.json.mustache" \
         "$tmp/root/etc/systemd/system/quill.service" "$tmp/root/etc/quill/quill.toml" "$prefix/share/doc/quill/OPERATIONS.md" \
         "$tmp/root/etc/systemd/system/quill-retrain.service" "$tmp/root/etc/systemd/system/quill-retrain.timer" "$prefix/share/doc/quill/RETRAINING.md"; do
  [ -e "$f" ] || fail "not installed: ${f#"$tmp/root"}"
done
grep -q '^ExecStart=/usr/local/bin/quill serve' "$tmp/root/etc/systemd/system/quill.service" || fail "the unit does not start the installed binary"

# The unit as installed, where systemd-analyze exists: pointed at the staged binary, it must verify without a
# word (verify exits 0 on an ignored directive, so any message fails) and rate SAFE (exposure under 1.0).
if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/local/bin/quill|$prefix/bin/quill|" "$tmp/root/etc/systemd/system/quill.service" > "$tmp/quill.service"
  messages=$(systemd-analyze verify "$tmp/quill.service" 2>&1) || fail "systemd-analyze verify: $messages"
  [ -z "$messages" ] || fail "systemd-analyze verify: $messages"
  sed "s|/usr/local/bin/quill|$prefix/bin/quill|" "$tmp/root/etc/systemd/system/quill-retrain.service" > "$tmp/quill-retrain.service"
  cp "$tmp/root/etc/systemd/system/quill-retrain.timer" "$tmp/quill-retrain.timer"
  messages=$(systemd-analyze verify "$tmp/quill-retrain.service" "$tmp/quill-retrain.timer" 2>&1) || fail "systemd-analyze verify (retraining): $messages"
  [ -z "$messages" ] || fail "systemd-analyze verify (retraining): $messages"
  exposure=$(systemd-analyze security --offline=true "$tmp/quill.service" | sed -n 's/.*exposure level for quill.service: \([0-9.]*\).*/\1/p')
  awk -v e="$exposure" 'BEGIN { exit !(e != "" && e < 1.0) }' || fail "systemd-analyze security rates the unit ${exposure:-unknown}, not SAFE"
fi

# The installed example config, with the paths of this test and a short generation.
state="$tmp/state"
sed -e "s|^state = .*|state = \"$state\"|" -e "s|^path = \"\"|path = \"$repo/models/demo\"|" \
    -e 's|^max_new_tokens = .*|max_new_tokens = 64|' "$tmp/root/etc/quill/quill.toml" > "$tmp/quill.toml"
mkdir -p "$state/inbox"
cp "$repo/examples/discharge-note.txt" "$repo/examples/visit-dialogue.txt" "$state/inbox/"

mkdir "$tmp/cwd" && cd "$tmp/cwd"
QUILL_LOG_LEVEL=info "$prefix/bin/quill" process --config "$tmp/quill.toml" --model "$repo/models/demo" \
  >"$tmp/summary" 2>"$tmp/log" || { cat "$tmp/log" >&2; fail "the installed quill failed"; }
grep -q "2 written" "$tmp/summary" || { cat "$tmp/summary" "$tmp/log" >&2; fail "expected 2 documents written"; }
grep -q "templates=$prefix/share/quill/templates" "$tmp/log" || { cat "$tmp/log" >&2; fail "the installed templates were not the ones used"; }
for stem in discharge-note visit-dialogue; do
  for ext in txt md cda.xml hl7 fhir.json provenance.json; do
    compgen -G "$state/outbox/$stem.*.$ext" >/dev/null || compgen -G "$state/review/$stem.*.$ext" >/dev/null || fail "no $stem .$ext output"
  done
done
echo "install-test: ok (installed binary, templates and lexicons; 2 documents written)"
