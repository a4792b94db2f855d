#!/usr/bin/env bash
# Build the browser libraries of crossinnov into crossinnov/web/static/vendor/, from the
# npm packages pinned in package.json and package-lock.json (never a CDN at run time):
#
#   bash tools/frontend/build.sh          # npm ci, then build and copy
#
# The output is committed; tests/test_frontend.py checks that every file in it matches
# vendor/MANIFEST.json (written here: the packages' versions and each file's SHA-256),
# and that the versions are the ones package-lock.json pins.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../crossinnov/web/static/vendor"
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
rm -rf "$out"
mkdir -p "$out/licenses" "$out/leaflet/images"

# the SPARQL editor: CodeMirror 6 and its SPARQL mode, one minified bundle
./node_modules/.bin/esbuild src/editor.js --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --outfile="$out/editor.js" --log-level=warning

# the others as their authors build them
cp node_modules/chart.js/dist/chart.umd.min.js "$out/chart.umd.min.js"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$out/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$out/leaflet/images/"
cp node_modules/cytoscape/dist/cytoscape.min.js "$out/cytoscape.min.js"

# axe-core, for the accessibility tests only (not shipped with the package)
tests_vendor="$here/../../tests/vendor/axe-core"
rm -rf "$tests_vendor" && mkdir -p "$tests_vendor"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE "$tests_vendor/"
node -e 'const p=require("./node_modules/axe-core/package.json"); console.log(p.version)' \
  > "$tests_vendor/VERSION"

# every package that ends up in a file above, with its licence
node - "$out" <<'JS'
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const out = process.argv[2];
const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
const packages = {};
for (const [where, info] of Object.entries(lock.packages)) {
  if (!where.startsWith("node_modules/") || info.dev) continue;
  const name = where.slice("node_modules/".length);
  if (name === "axe-core") continue;  // used by the tests, not shipped
  const dir = path.join("node_modules", name);
  const licence = fs.readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  const target = name.replace("/", "__") + "-LICENSE.txt";
  fs.copyFileSync(path.join(dir, licence), path.join(out, "licenses", target));
  packages[name] = {version: info.version, license: info.license, licenseFile: "licenses/" + target};
}
const files = {};
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name < b.name ? -1 : 1)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name !== "MANIFEST.json") {
      files[path.relative(out, full)] = crypto.createHash("sha256").update(fs.readFileSync(full)).digest("hex");
    }
  }
};
walk(out);
fs.writeFileSync(path.join(out, "MANIFEST.json"),
  JSON.stringify({built_by: "tools/frontend/build.sh", packages, files}, null, 2) + "\n");
JS
echo "built $(ls "$out" | wc -l) entries in $out"
