#!/usr/bin/env bash
# Publishes one app's deployment package and records it for the artifact manifest. The `deploy`
# target of every app runs it after `package`, and so does the pipeline's Publish stage
# (publish-artifacts.sh) for each package Build & Test rebuilt (see infra/README.md):
#
#   publish-artifact.sh <app>
#
# 1. <dist>/artifacts/<app>.zip (deterministic, written by the app's `package` target) is uploaded to
#    s3://$DOFS_ARTIFACTS_BUCKET/<app>/<sha256 hex>.zip, unless that content-addressed key exists.
# 2. <dist>/artifacts/<app>.artifact.json records
#    {"s3_bucket":…,"s3_key":…,"s3_object_version":…,"sha256":<base64, as Lambda's CodeSha256>,"version":<package.json>}
#    which artifact-manifest.mjs merges into the manifest Terraform reads (-var-file). Nothing
#    outside this build is changed: what deploys is decided by the manifest of the commit.
#
# Environment: DOFS_ARTIFACTS_BUCKET (required; `terraform -chdir=infra/cicd output lambda_artifacts_bucket`),
# DOFS_DIST (default <repo>/dist), AWS credentials and region as for the AWS CLI.
set -euo pipefail

app="${1:?usage: publish-artifact.sh <app>}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dist="${DOFS_DIST:-$root/dist}"
zip="$dist/artifacts/$app.zip"
entry="$dist/artifacts/$app.artifact.json"
manifest="$root/apps/$app/package.json"
bucket="${DOFS_ARTIFACTS_BUCKET:?DOFS_ARTIFACTS_BUCKET must name the Lambda artifacts bucket}"

[[ "$app" =~ ^[a-z0-9-]+$ ]] || { echo "invalid app name '$app'" >&2; exit 2; }
[[ -f "$zip" ]] || { echo "missing $zip: run 'nx run $app:package' first" >&2; exit 1; }
[[ -f "$manifest" ]] || { echo "missing $manifest" >&2; exit 1; }

sha256_hex="$(sha256sum "$zip" | cut -d' ' -f1)"
sha256_b64="$(openssl dgst -sha256 -binary "$zip" | base64 | tr -d '\n')"
version="$(node -p 'require(process.argv[1]).version' "$manifest")"
key="$app/$sha256_hex.zip"

if object_version="$(aws s3api head-object --bucket "$bucket" --key "$key" --query VersionId --output text 2>/dev/null)"; then
  echo "$app: s3://$bucket/$key already published"
else
  object_version="$(aws s3api put-object \
    --bucket "$bucket" \
    --key "$key" \
    --body "$zip" \
    --content-type application/zip \
    --checksum-algorithm SHA256 \
    --checksum-sha256 "$sha256_b64" \
    --metadata "app=$app,version=$version" \
    --query VersionId --output text)"
  echo "$app: uploaded s3://$bucket/$key"
fi

node -e 'const [file, s3_bucket, s3_key, s3_object_version, sha256, version] = process.argv.slice(1);
require("node:fs").writeFileSync(file, JSON.stringify({ s3_bucket, s3_key, s3_object_version, sha256, version }) + "\n");' \
  "$entry" "$bucket" "$key" "$object_version" "$sha256_b64" "$version"
echo "$app: $key (version $version, object version $object_version) recorded in $entry"
