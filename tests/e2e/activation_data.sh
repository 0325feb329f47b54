# activation_data.sh: the activation packs' data tables agree with each other and with the sources
# they cite: error codes spelled in every form (aliases computed, not typed), the codes the review
# of 2026-12 named carry their symbolic names, each AVMA key and KMS client key ends in its partial
# key, each SkuId names one edition whose GVLK and AVMA key are of that same version and edition,
# and every code the KMS request table classifies is a known code.
. "$(dirname "$0")/lib.bash"
SRC=${EVTRIAGE_SOURCE:?source tree}
/usr/bin/python3 - "$SRC/rules/data" <<'PY' && pass || fail "activation data tables"
import sys, yaml
d = sys.argv[1]
codes = yaml.safe_load(open(d + "/error-codes.yaml"))
kms = yaml.safe_load(open(d + "/kms.yaml"))
avma = yaml.safe_load(open(d + "/avma-keys.yaml"))
bad = []
seen = set()
for c in codes:
    h = c["code"]
    u = int(h, 16)
    s = u - (1 << 32) if u >= 1 << 31 else u
    want = [str(u)] + ([str(s)] if s != u else []) + ["%%" + str(u)]
    if c.get("aliases") != want:
        bad.append("%s aliases %s, computed %s" % (h, c.get("aliases"), want))
    if h in seen:
        bad.append("%s twice" % h)
    seen.add(h)
named = {c["code"]: c.get("name") for c in codes}
for h, name in {"0xC03A0014": "ERROR_VIRTDISK_PROVIDER_NOT_FOUND", "0xC004F069": "SL_E_MISMATCHED_PRODUCT_SKU",
                "0xC004F06C": "SL_E_VL_INVALID_TIMESTAMP", "0xC004FD03": "SL_E_IA_ID_MISMATCH"}.items():
    if named.get(h) != name:
        bad.append("%s is named %s, the SDK says %s" % (h, named.get(h), name))
gv = kms["gvlks"]
by_sku = {}
for g in gv:
    if g["key"][-5:] != g["partial"]:
        bad.append("GVLK %s: partial %s" % (g["key"], g["partial"]))
    if "sku" in g:
        if g["sku"] in by_sku:
            bad.append("SkuId %s names two products" % g["sku"])
        by_sku[g["sku"]] = g
family = {"Datacenter": "ServerDatacenter", "Standard": "ServerStandard", "Essentials": "ServerSolution",
          "Datacenter: Azure Edition": "ServerAzureEdition"}
for k in avma["keys"]:
    if k["key"][-5:] != k["partial"]:
        bad.append("AVMA %s: partial %s" % (k["key"], k["partial"]))
    if "sku" in k:
        g = by_sku.get(k["sku"])
        if not g or g["version"] != k["version"] or g["edition"] != family[k["edition"]]:
            bad.append("AVMA key %s (%s %s): SkuId %s is %s" % (k["partial"], k["version"], k["edition"], k["sku"], g and g["product"]))
    elif k.get("confirmed", True):
        bad.append("AVMA key %s (%s %s) has no SkuId" % (k["partial"], k["version"], k["edition"]))
gvlk_partials = {g["partial"] for g in gv}
for k in avma["keys"]:
    if k["partial"] in gvlk_partials:
        bad.append("AVMA key %s is also a GVLK" % k["partial"])
for r in kms["request_codes"]:
    if r["code"] not in named:
        bad.append("request code %s is not in error-codes.yaml" % r["code"])
for x in bad:
    print(x)
sys.exit(1 if bad else 0)
PY
finish
