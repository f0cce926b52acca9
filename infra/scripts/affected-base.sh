#!/usr/bin/env bash
# Sourced by buildspec.yml. Sets NX_BASE to the last successfully deployed commit, read from the
# SSM parameter $LAST_DEPLOYED_SHA_PARAMETER (written by the pipeline's smoke-test stage). Leaves
# NX_BASE empty when there is none yet or it is not in this clone's history (first deployment,
# rewritten history): the build then runs every project and publishes every artifact, which is
# safe because artifacts are content-addressed and unchanged pointers are not rewritten.
NX_BASE=""
last_deployed="$(aws ssm get-parameter --name "${LAST_DEPLOYED_SHA_PARAMETER:?}" --query Parameter.Value --output text 2>/dev/null || echo none)"
if [[ "$last_deployed" =~ ^[0-9a-f]{40}$ ]] && git cat-file -e "${last_deployed}^{commit}" 2>/dev/null; then
  NX_BASE="$last_deployed"
  echo "affected base: $NX_BASE (last deployed commit)"
else
  echo "affected base: none (last deployed commit '$last_deployed' unknown here): building and publishing everything"
fi
export NX_BASE
