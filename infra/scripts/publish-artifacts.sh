#!/usr/bin/env bash
# The pipeline's Publish stage (infra/cicd/buildspecs/publish.yml): publishes the packages Build &
# Test rebuilt and writes the artifact manifest of the commit. Runs no npm install and no
# project code: only this script, publish-artifact.sh, artifact-manifest.mjs and the AWS CLI.
#
#   publish-artifacts.sh <bundles dir> <manifest out dir>
#
# <bundles dir> is Build & Test's output artifact: artifacts/<app>.zip for every rebuilt app and
# artifacts/build.json ({"commit": …, "base": <last deployed commit or null>}).
# 1. publish-artifact.sh <app> for every zip (upload unless present, record key and object version);
# 2. the base manifest s3://$DOFS_ARTIFACTS_BUCKET/manifests/<base>.json (the last deployed commit's)
#    plus those entries -> <manifest out dir>/artifacts.tfvars.json (artifact-manifest.mjs);
# 3. that manifest is stored as s3://$DOFS_ARTIFACTS_BUCKET/manifests/<commit>.json, the base of a
#    later run once this commit has been deployed and smoke-tested.
set -euo pipefail

bundles="${1:?usage: publish-artifacts.sh <bundles dir> <manifest out dir>}"
out_dir="${2:?usage: publish-artifacts.sh <bundles dir> <manifest out dir>}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bucket="${DOFS_ARTIFACTS_BUCKET:?DOFS_ARTIFACTS_BUCKET must name the Lambda artifacts bucket}"
build_info="$bundles/artifacts/build.json"

[[ -f "$build_info" ]] || { echo "missing $build_info (written by buildspec.yml)" >&2; exit 1; }
commit="$(node -p 'require(process.argv[1]).commit' "$build_info")"
base="$(node -p 'require(process.argv[1]).base ?? ""' "$build_info")"
[[ "$commit" =~ ^[0-9a-f]{40}$ ]] || { echo "build.json names no commit" >&2; exit 1; }
if [[ -n "${COMMIT_ID:-}" && "$COMMIT_ID" != "$commit" ]]; then
  echo "the bundles were built from $commit, not $COMMIT_ID" >&2
  exit 1
fi

shopt -s nullglob
for zip in "$bundles"/artifacts/*.zip; do
  DOFS_DIST="$bundles" bash "$here/publish-artifact.sh" "$(basename "$zip" .zip)"
done

args=(--dist "$bundles" --out "$out_dir/artifacts.tfvars.json")
if [[ -n "$base" ]]; then
  aws s3 cp --only-show-errors "s3://$bucket/manifests/$base.json" "$bundles/base-manifest.json"
  args+=(--base "$bundles/base-manifest.json")
fi
node "$here/artifact-manifest.mjs" "${args[@]}"
aws s3 cp --only-show-errors --content-type application/json "$out_dir/artifacts.tfvars.json" "s3://$bucket/manifests/$commit.json"
echo "manifest of $commit: s3://$bucket/manifests/$commit.json"
