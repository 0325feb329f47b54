# install_tree.sh: `cmake --install` lays out bin/, the rule packs, man pages and completion; the
# installed binary finds its packs beside itself after the tree is moved, from outside the source
# tree; EVTRIAGE_RULES and --rules come first; a binary with no packs says every place it looked;
# --version names the packs (hash as `sha256sum` computes it) and the libraries.
. "$(dirname "$0")/lib.bash"
: "${EVTRIAGE_BUILD:?build folder}" "${EVTRIAGE_SOURCE:?source tree}"
unset EVTRIAGE_RULES
SRC=$EVTRIAGE_SOURCE
packs_hash() { (cd "$1" && find packs data -type f \( -name '*.yml' -o -name '*.yaml' \) | LC_ALL=C sort |
  xargs sha256sum | sha256sum | cut -c1-12); }
version=$("$EVTRIAGE" --version | head -1 | cut -d' ' -f2)
shipped=$(packs_hash "$SRC/rules")
nfiles=$(cd "$SRC/rules" && find packs data -type f \( -name '*.yml' -o -name '*.yaml' \) | wc -l)

cmake --install "$EVTRIAGE_BUILD" --prefix "$TMP/inst" >"$TMP/install.log" 2>&1 && pass || fail "install: $(tail -3 "$TMP/install.log")"
for f in bin/evtriage share/evtriage/rules/sigma-mapping.yaml share/evtriage/rules/data/error-codes.yaml \
  share/man/man1/evtriage.1.gz share/bash-completion/completions/evtriage share/doc/evtriage/copyright; do
  [ -f "$TMP/inst/$f" ] && pass || fail "not installed: $f"
done
for p in "$SRC"/rules/packs/*.yaml; do
  cmp -s "$p" "$TMP/inst/share/evtriage/rules/packs/$(basename "$p")" && pass || fail "pack not installed: $p"
done
"$EVTRIAGE" --help | sed -n '/^commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p' >"$TMP/commands"
[ -s "$TMP/commands" ] && pass || fail "no commands in --help"
while read -r c; do
  [ -f "$TMP/inst/share/man/man1/evtriage-$c.1.gz" ] && pass || fail "no man page for $c"
done <"$TMP/commands"

# The tree moved elsewhere, run from a folder outside the source tree.
mv "$TMP/inst" "$TMP/moved"
mkdir "$TMP/cwd" && cd "$TMP/cwd" || exit 1
bin=$TMP/moved/bin/evtriage
"$bin" --version >"$TMP/v" 2>&1 && pass || fail "--version of the moved binary failed"
grep -qxF "rule packs: $version+$shipped as shipped, $nfiles files in $TMP/moved/share/evtriage/rules (beside the executable)" "$TMP/v" \
  && pass || fail "moved --version: $(sed -n 2p "$TMP/v") (shipped hash $shipped)"
for lib in libyaml pcre2 libdeflate isa-l libarchive libcrypto; do
  grep -Eq "^$lib: [0-9A-Za-z]" "$TMP/v" && pass || fail "--version lacks $lib"
done
grep -q '^libarchive: 3\.' "$TMP/v" && grep -q '^libcrypto: OpenSSL 3\.' "$TMP/v" && pass || fail "--version libraries: $(cat "$TMP/v")"
"$bin" analyze -q --json "$TMP/kms.json" "$SRC/samples/azure-kms-blocked" 2>"$TMP/err" && pass || fail "moved analyze: $(cat "$TMP/err")"
grep -q '"rule_name": *"rc-kms-azure-unreachable"' "$TMP/kms.json" && pass || fail "moved analyze: no rc-kms-azure-unreachable"
# the error-code table comes from the installed data/: the KMS code's name is in the report
grep -q 'SL_E_VL_BINDING_SERVICE_UNAVAILABLE' "$TMP/kms.json" && pass || fail "moved analyze: no error-code name"

# EVTRIAGE_RULES comes first: a modified copy is used and said to be modified, with its own hash.
cp -r "$TMP/moved/share/evtriage/rules" "$TMP/mine"
rm "$TMP/mine/packs/activation-kms.yaml"
mine=$(packs_hash "$TMP/mine")
EVTRIAGE_RULES=$TMP/mine "$bin" --version | grep -qxF "rule packs: $version+$mine modified (shipped: $version+$shipped), $((nfiles - 1)) files in $TMP/mine (EVTRIAGE_RULES)" \
  && pass || fail "EVTRIAGE_RULES --version: $(EVTRIAGE_RULES=$TMP/mine "$bin" --version | sed -n 2p)"
EVTRIAGE_RULES=$TMP/mine "$bin" analyze -q --json "$TMP/mine.json" "$SRC/samples/azure-kms-blocked" 2>/dev/null
grep -q 'rc-kms-azure-unreachable' "$TMP/mine.json" && fail "EVTRIAGE_RULES not used (KMS pack removed there)" || pass
# a wrong EVTRIAGE_RULES is said, not passed over for the installed packs
EVTRIAGE_RULES=$TMP/nowhere "$bin" analyze -q "$SRC/samples/azure-kms-blocked" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] && grep -qF "  $TMP/nowhere (EVTRIAGE_RULES): no such folder" "$TMP/err" && ! grep -q 'beside' "$TMP/err" \
  && pass || fail "wrong EVTRIAGE_RULES: $(cat "$TMP/err")"

# The binary alone: no packs beside it. It says every place it looked, in order, and exits 2.
mkdir -p "$TMP/lone/bin" && cp "$bin" "$TMP/lone/bin/"
lone=$TMP/lone/bin/evtriage
prefix_line=$(grep -o '  /[^ ]* (the install prefix)' <("$lone" --version) || true)
prefix=$(printf '%s' "$prefix_line" | awk '{print $1}')
if [ -n "$prefix" ] && [ -d "$prefix/packs" ]; then
  # an evtriage installed on this machine: the lone binary uses its packs, and says so
  "$lone" --version | grep -q "^rule packs: .* in $prefix (the install prefix)$" && pass || fail "installed prefix not used"
else
  "$lone" analyze -q "$SRC/samples/azure-kms-blocked" >"$TMP/out" 2>"$TMP/err"
  [ $? -eq 2 ] && pass || fail "lone binary: exit not 2"
  [ ! -s "$TMP/out" ] && pass || fail "lone binary wrote a report"
  python3 - "$TMP/err" "$TMP/lone" <<'PY' && pass || fail "lone binary's message: $(cat "$TMP/err")"
import sys
err, lone = open(sys.argv[1]).read(), sys.argv[2]
want = ["no rule packs found", "  EVTRIAGE_RULES: not set",
        "  %s/share/evtriage/rules (beside the executable): no such folder" % lone,
        "(the install prefix): no such folder", "give --rules PATH, or set EVTRIAGE_RULES"]
at = [err.find(w) for w in want]
sys.exit(0 if all(a >= 0 for a in at) and at == sorted(at) else 1)
PY
  "$lone" --version | grep -q '^rule packs: none found; looked in, in order:$' && pass || fail "lone --version"
fi
# --rules needs no installed packs
"$lone" analyze -q --rules "$SRC/rules/packs" --json "$TMP/r.json" "$SRC/samples/azure-kms-blocked" 2>"$TMP/err" \
  && grep -q 'rc-kms-azure-unreachable' "$TMP/r.json" && pass || fail "lone --rules: $(cat "$TMP/err")"

# The build folder's own binary reads its source tree's rules.
"$EVTRIAGE" --version | grep -qxF "rule packs: $version+$shipped as shipped, $nfiles files in $SRC/rules (the source tree of this build)" \
  && pass || fail "build binary --version: $("$EVTRIAGE" --version | sed -n 2p)"
finish
