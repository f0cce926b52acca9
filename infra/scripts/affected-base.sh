#!/usr/bin/env bash
# Sourced by the pipeline's buildspecs (and by hand before `nx affected -t deploy`). Sets NX_BASE,
# the base of every `nx affected` run, to the last successfully deployed commit, read from the SSM
# parameter $LAST_DEPLOYED_SHA_PARAMETER (written by the pipeline's smoke-test stage), when it is in
# this clone's history and an ancestor of HEAD: `nx affected` then lists every project whose tree
# differs from what is deployed.
#
# Otherwise (first deployment, rewritten history, a rollback to an older commit) NX_BASE is git's
# empty tree, against which every project is affected: everything is built, tested and deployed.
# Deploying an app again is cheap: its package is deterministic and content-addressed, so an
# unchanged one is found already published and Terraform leaves its function alone.
EMPTY_TREE="4b825dc642cb6eb9a060e54bf8d69288fbee4904"
NX_BASE="$EMPTY_TREE"
last_deployed="$(aws ssm get-parameter --name "${LAST_DEPLOYED_SHA_PARAMETER:?}" --query Parameter.Value --output text 2>/dev/null || echo none)"
if [[ ! "$last_deployed" =~ ^[0-9a-f]{40}$ ]] || ! git cat-file -e "${last_deployed}^{commit}" 2>/dev/null; then
  echo "affected base: the empty tree (last deployed commit '$last_deployed' unknown here): everything is affected"
elif ! git merge-base --is-ancestor "$last_deployed" HEAD; then
  echo "affected base: the empty tree ($last_deployed is not an ancestor of HEAD, e.g. a rollback): everything is affected"
else
  NX_BASE="$last_deployed"
  echo "affected base: $NX_BASE (last deployed commit)"
fi
export NX_BASE
