#!/usr/bin/env bash
# Terraform for infra/envs/<env>. The `deploy` target of the infra Nx project and the pipeline's
# Plan and Apply stages run this one script, so a local deploy and a pipeline deploy are the same.
#
#   terraform.sh plan     init, validate, test (mocked provider), plan -out=<plan dir>/dofs.tfplan
#                         (+ dofs.tfplan.txt and the provider lock file next to it)
#   terraform.sh apply    init with the plan's lock file, apply exactly <plan dir>/dofs.tfplan,
#                         write infra/envs/<env>/outputs.json
#   terraform.sh deploy   plan, then apply that plan
#
# Environment:
#   TF_STATE_BUCKET  state bucket (required; `terraform -chdir=infra/bootstrap output state_bucket_name`)
#   TF_STATE_REGION  region of the state bucket (default: the backend block's)
#   TF_STATE_KEY     state object key (default: the backend block's; the pipeline passes
#                    <project>/<environment>/terraform.tfstate, the key its roles may write)
#   DOFS_ENV         environment directory under infra/envs (default dev)
#   DOFS_ARTIFACT_MANIFEST  the artifact manifest plan reads with -var-file (default
#                    dist/artifacts/artifacts.tfvars.json, written by infra/scripts/artifact-manifest.mjs)
#   TF_PLAN_DIR      where the saved plan is written and read (default infra/envs/<env>)
#   TF_VAR_*         Terraform variables, e.g. TF_VAR_alarm_email_addresses='["ops@example.com"]'
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
env="${DOFS_ENV:-dev}"
dir="$root/infra/envs/$env"
plan_dir="${TF_PLAN_DIR:-$dir}"
plan_file="$plan_dir/dofs.tfplan"
manifest="${DOFS_ARTIFACT_MANIFEST:-$root/dist/artifacts/artifacts.tfvars.json}"

[[ -d "$dir" ]] || { echo "no environment at $dir" >&2; exit 2; }
: "${TF_STATE_BUCKET:?TF_STATE_BUCKET must name the Terraform state bucket (see infra/README.md)}"

export TF_IN_AUTOMATION=1 TF_INPUT=0

tf_init() {
  local args=(-input=false "-backend-config=bucket=${TF_STATE_BUCKET}")
  if [[ -n "${TF_STATE_REGION:-}" ]]; then args+=("-backend-config=region=${TF_STATE_REGION}"); fi
  if [[ -n "${TF_STATE_KEY:-}" ]]; then args+=("-backend-config=key=${TF_STATE_KEY}"); fi
  if [[ "${1:-}" == "readonly" ]]; then args+=(-lockfile=readonly); fi
  terraform -chdir="$dir" init "${args[@]}"
}

tf_plan() {
  [[ -f "$manifest" ]] || { echo "no artifact manifest at $manifest (see infra/README.md, 'Deploying without the pipeline')" >&2; exit 1; }
  tf_init
  terraform -chdir="$dir" validate
  # Mocked-provider tests (tests/*.tftest.hcl): validations and wiring, no AWS calls.
  if compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then terraform -chdir="$dir" test; fi
  mkdir -p "$plan_dir"
  # The artifact set of the commit being deployed; the saved plan carries it to apply.
  terraform -chdir="$dir" plan -input=false -var-file="$manifest" -out="$plan_file"
  terraform -chdir="$dir" show -no-color "$plan_file" > "$plan_file.txt"
  if [[ "$plan_dir" != "$dir" ]]; then
    cp "$dir/.terraform.lock.hcl" "$plan_dir/"
    cp "$manifest" "$plan_dir/artifacts.tfvars.json"
  fi
  echo "saved plan: $plan_file"
}

tf_apply() {
  [[ -f "$plan_file" ]] || { echo "no saved plan at $plan_file: run 'terraform.sh plan' first" >&2; exit 1; }
  # Apply with the providers the plan was made with.
  if [[ "$plan_dir" != "$dir" && -f "$plan_dir/.terraform.lock.hcl" ]]; then
    cp "$plan_dir/.terraform.lock.hcl" "$dir/.terraform.lock.hcl"
  fi
  tf_init readonly
  terraform -chdir="$dir" apply -input=false "$plan_file"
  terraform -chdir="$dir" output -json > "$dir/outputs.json"
}

case "${1:-}" in
  plan) tf_plan ;;
  apply) tf_apply ;;
  deploy) tf_plan && tf_apply ;;
  *) echo "usage: $0 plan|apply|deploy" >&2; exit 2 ;;
esac
