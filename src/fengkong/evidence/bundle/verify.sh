#!/bin/sh
# Check this court bundle with standard tools only (sh, sha256sum, sed, grep, openssl 3).
# Run it in the unpacked bundle:   sh verify.sh
# It prints one line per check and "BUNDLE INTACT" at the end, or names what does not match.
set -u
fail=0
bad() { echo "NOT OK: $*"; fail=1; }

echo "1. Every file against SHA256SUMS"
sha256sum --quiet -c SHA256SUMS || bad "a file does not match SHA256SUMS"

echo "2. Every item's content against its file and its ledger entry"
while IFS= read -r item; do
  file_hash=$(printf '%s' "$item" | sed 's/.*"sha256":"\([0-9a-f]\{64\}\)".*/\1/')
  grep -q "^$file_hash  files/" SHA256SUMS || bad "item $(printf '%s' "$item" | cut -c1-60)… names a file not in the bundle"
  digest=$(printf '%s' "$item" | sha256sum | cut -d' ' -f1)
  grep -q "\"$digest\"" chain/entries.txt || bad "item $(printf '%s' "$item" | cut -c1-60)… is not in the chain"
done < chain/items.txt

echo "3. Every ledger entry's hash, and each entry linked to the one before"
n=0; prev=""
while IFS= read -r body; do
  n=$((n + 1))
  hash=$(printf '%s' "$body" | sha256sum | cut -d' ' -f1)
  want=$(sed -n "${n}p" chain/hashes.txt | cut -d' ' -f1)
  [ "$hash" = "$want" ] || bad "entry on line $n of chain/entries.txt does not match its hash"
  link=$(printf '%s' "$body" | sed 's/.*"\([0-9a-f]\{64\}\)"\]$/\1/')
  [ -z "$prev" ] || [ "$link" = "$prev" ] || bad "entry on line $n does not link to the entry before it"
  prev=$hash
done < chain/entries.txt

echo "4. The chain's head against the signed anchor"
head=$(cut -d' ' -f3 anchor/anchor.txt)
[ "$head" = "$prev" ] || bad "the last entry's hash is not the anchored head"
openssl pkeyutl -verify -pubin -inkey anchor/public_key.pem -rawin -in anchor/anchor.txt \
  -sigfile anchor/anchor.sig >/dev/null || bad "the anchor's Ed25519 signature does not verify"

if [ "$fail" -eq 0 ]; then echo "BUNDLE INTACT"; else echo "BUNDLE NOT INTACT"; exit 1; fi
