#!/usr/bin/env bash
# Sourced by buildspec.yml. Sets NX_BASE to the last successfully deployed commit, read from the
# SSM parameter $LAST_DEPLOYED_SHA_PARAMETER (written by the pipeline's smoke-test stage), when
#   - it is in this clone's history and an ancestor of HEAD (`nx affected` then lists every app
#     whose tree differs from what is deployed), and
#   - its artifact manifest s3://$DOFS_ARTIFACTS_BUCKET/manifests/<sha>.json exists (the Publish
#     stage lays the rebuilt apps over it).
# Otherwise (first deployment, rewritten history, a rollback to an older commit) NX_BASE is empty:
# every app is built and packaged, and the manifest is made from this build alone. Re-publishing
# is cheap: packages are deterministic and content-addressed, so unchanged ones are not uploaded.
NX_BASE=""
last_deployed="$(aws ssm get-parameter --name "${LAST_DEPLOYED_SHA_PARAMETER:?}" --query Parameter.Value --output text 2>/dev/null || echo none)"
if [[ ! "$last_deployed" =~ ^[0-9a-f]{40}$ ]] || ! git cat-file -e "${last_deployed}^{commit}" 2>/dev/null; then
  echo "affected base: none (last deployed commit '$last_deployed' unknown here): building everything"
elif ! git merge-base --is-ancestor "$last_deployed" HEAD; then
  echo "affected base: none ($last_deployed is not an ancestor of HEAD, e.g. a rollback): building everything"
elif ! aws s3api head-object --bucket "${DOFS_ARTIFACTS_BUCKET:?}" --key "manifests/$last_deployed.json" >/dev/null 2>&1; then
  echo "affected base: none (no manifest for $last_deployed): building everything"
else
  NX_BASE="$last_deployed"
  echo "affected base: $NX_BASE (last deployed commit)"
fi
export NX_BASE
