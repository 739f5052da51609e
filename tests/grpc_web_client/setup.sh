#!/usr/bin/env bash
# Prepares the Node grpc-web client of tests/grpc_web_node_test.cc in OUT_DIR:
# installs the pinned npm packages (package-lock.json), generates the
# message classes (protoc-gen-ts) and the grpc-web promise clients
# (protoc-gen-grpc-web-promise.js) from mlmdx's .proto files, and compiles
# them with tsc. Nothing is redone while the inputs are unchanged.
#
# Usage: setup.sh PROTOC PROTO_DIR OUT_DIR
# Exits 77 (CTest's skip) when node or npm is missing.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 PROTOC PROTO_DIR OUT_DIR" >&2
  exit 2
fi
protoc=$1
proto_dir=$(cd "$2" && pwd)
out_dir=$3
here=$(cd "$(dirname "$0")" && pwd)

for program in node npm; do
  if ! command -v "$program" >/dev/null; then
    echo "grpc-web Node client: $program is not installed" \
         "(apt-get install nodejs npm); skipped" >&2
    exit 77
  fi
done

protos=(
  ml_metadata/proto/metadata_store.proto
  ml_metadata/proto/metadata_store_service.proto
  mlmdx/lineage_service.proto
)
# What the packages and the generated code depend on; the runner's own
# files are copied every time.
sources=(package.json package-lock.json tsconfig.json
         protoc-gen-grpc-web-promise.js)

mkdir -p "$out_dir"
cp "$here/run_plan.js" "$here/view.js" "$out_dir/"
stamp=$(
  cd "$here" && cat "${sources[@]}"
  cd "$proto_dir" && cat "${protos[@]}"
  node --version; "$protoc" --version
)
stamp=$(printf '%s' "$stamp" | sha256sum | cut -d' ' -f1)
if [ -f "$out_dir/stamp" ] && [ "$(cat "$out_dir/stamp")" = "$stamp" ]; then
  echo "grpc-web Node client: up to date in $out_dir"
  exit 0
fi
rm -f "$out_dir/stamp"

for file in "${sources[@]}"; do cp "$here/$file" "$out_dir/"; done
cd "$out_dir"
npm ci --no-audit --no-fund --prefer-offline --loglevel=error
rm -rf src generated
mkdir src
"$protoc" -I "$proto_dir" \
  --plugin=protoc-gen-ts=node_modules/.bin/protoc-gen-ts \
  --ts_out=no_grpc:src \
  --plugin=protoc-gen-grpc-web-promise=protoc-gen-grpc-web-promise.js \
  --grpc-web-promise_out=src \
  "${protos[@]/#/$proto_dir/}"
node_modules/.bin/tsc -p tsconfig.json
echo "$stamp" > stamp
echo "grpc-web Node client: generated in $out_dir"
