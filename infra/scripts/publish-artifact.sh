#!/usr/bin/env bash
# Publishes one app's deployment package and points the environment at it. The `deploy` target
# of every app runs it after `package` (see infra/README.md):
#
#   publish-artifact.sh <app>
#
# 1. dist/artifacts/<app>.zip (deterministic, written by the app's `package` target) is uploaded to
#    s3://$DOFS_ARTIFACTS_BUCKET/<app>/<sha256 hex>.zip, unless that content-addressed key exists.
# 2. The SSM parameter /<project>/<env>/artifacts/<app> is set to
#    {"s3_bucket":…,"s3_key":…,"sha256":<base64, as Lambda's CodeSha256>,"version":<package.json>}
#    unless it already holds exactly that.
# Terraform (infra/envs/<env>) reads the pointer for s3_key, source_code_hash and the version tag,
# so an app that was not rebuilt keeps its pointer and its function is left untouched.
#
# Environment: DOFS_ARTIFACTS_BUCKET (required; `terraform -chdir=infra/cicd output lambda_artifacts_bucket`),
# DOFS_PROJECT (default dofs), DOFS_ENV (default dev), AWS credentials and region as for the AWS CLI.
set -euo pipefail

app="${1:?usage: publish-artifact.sh <app>}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
zip="$root/dist/artifacts/$app.zip"
manifest="$root/apps/$app/package.json"
bucket="${DOFS_ARTIFACTS_BUCKET:?DOFS_ARTIFACTS_BUCKET must name the Lambda artifacts bucket}"
parameter="/${DOFS_PROJECT:-dofs}/${DOFS_ENV:-dev}/artifacts/$app"

[[ -f "$zip" ]] || { echo "missing $zip: run 'nx run $app:package' first" >&2; exit 1; }
[[ -f "$manifest" ]] || { echo "missing $manifest" >&2; exit 1; }

sha256_hex="$(sha256sum "$zip" | cut -d' ' -f1)"
sha256_b64="$(openssl dgst -sha256 -binary "$zip" | base64 | tr -d '\n')"
version="$(node -p 'require(process.argv[1]).version' "$manifest")"
key="$app/$sha256_hex.zip"

if aws s3api head-object --bucket "$bucket" --key "$key" >/dev/null 2>&1; then
  echo "$app: s3://$bucket/$key already published"
else
  aws s3api put-object \
    --bucket "$bucket" \
    --key "$key" \
    --body "$zip" \
    --content-type application/zip \
    --checksum-algorithm SHA256 \
    --checksum-sha256 "$sha256_b64" \
    --metadata "app=$app,version=$version" >/dev/null
  echo "$app: uploaded s3://$bucket/$key"
fi

pointer="$(node -e 'const [s3_bucket, s3_key, sha256, version] = process.argv.slice(1);
process.stdout.write(JSON.stringify({ s3_bucket, s3_key, sha256, version }));' "$bucket" "$key" "$sha256_b64" "$version")"
current="$(aws ssm get-parameter --name "$parameter" --query Parameter.Value --output text 2>/dev/null || true)"

if [[ "$current" == "$pointer" ]]; then
  echo "$app: $parameter unchanged ($version)"
else
  aws ssm put-parameter --name "$parameter" --type String --overwrite --value "$pointer" >/dev/null
  echo "$app: $parameter -> $key ($version)"
fi
