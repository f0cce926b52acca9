#!/usr/bin/env bash
# Terraform for infra/envs/<env>: the `deploy` target of the infra Nx project, which
# `nx affected -t deploy` runs after every app's `deploy` (by hand, or as the pipeline's Plan and
# Apply stages with `-c plan` and `-c apply`), so a deploy by hand and a pipeline deploy are the same.
#
#   terraform.sh plan     the commit's artifact manifest from this run's app entries (stored as
#                         manifests/<commit>.json when COMMIT_ID and DOFS_ARTIFACTS_BUCKET are set),
#                         init -lockfile=readonly, validate, test (mocked provider),
#                         plan -out=<plan dir>/dofs.tfplan (+ dofs.tfplan.txt, the lock file, the manifest)
#   terraform.sh apply    init -lockfile=readonly, apply exactly <plan dir>/dofs.tfplan,
#                         write infra/envs/<env>/outputs.json (sensitive values left out)
#   terraform.sh deploy   plan, then apply that plan
#   terraform.sh outputs  init -lockfile=readonly, write infra/envs/<env>/outputs.json (nothing applied)
#
# Environment:
#   TF_STATE_BUCKET  state bucket (required; `terraform -chdir=infra/bootstrap output state_bucket_name`)
#   TF_STATE_REGION  region of the state bucket (default: the backend block's)
#   TF_STATE_KEY     state object key (default: the backend block's; the pipeline passes
#                    <project>/<environment>/terraform.tfstate, the key its roles may write)
#   DOFS_ENV         environment directory under infra/envs (default dev)
#   DOFS_ARTIFACT_MANIFEST  an artifact manifest to plan with instead of this run's (e.g. a
#                    deployed commit's manifests/<sha>.json, to deploy exactly that again)
#   TF_PLAN_DIR      where the saved plan is written and read (default infra/envs/<env>)
#   TF_VAR_*         Terraform variables, e.g. TF_VAR_alarm_email_addresses='["ops@example.com"]'
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
env="${DOFS_ENV:-dev}"
dir="$root/infra/envs/$env"
plan_dir="${TF_PLAN_DIR:-$dir}"
plan_file="$plan_dir/dofs.tfplan"
manifest="${DOFS_ARTIFACT_MANIFEST:-$plan_dir/artifacts.tfvars.json}"

[[ -d "$dir" ]] || { echo "no environment at $dir" >&2; exit 2; }
: "${TF_STATE_BUCKET:?TF_STATE_BUCKET must name the Terraform state bucket (see infra/README.md)}"

export TF_IN_AUTOMATION=1 TF_INPUT=0

# The committed lock file pins the provider version and its registry hashes: never changed here.
tf_init() {
  local args=(-input=false -lockfile=readonly "-backend-config=bucket=${TF_STATE_BUCKET}")
  if [[ -n "${TF_STATE_REGION:-}" ]]; then args+=("-backend-config=region=${TF_STATE_REGION}"); fi
  if [[ -n "${TF_STATE_KEY:-}" ]]; then args+=("-backend-config=key=${TF_STATE_KEY}"); fi
  terraform -chdir="$dir" init "${args[@]}"
}

tf_manifest() {
  mkdir -p "$plan_dir"
  if [[ -n "${DOFS_ARTIFACT_MANIFEST:-}" ]]; then
    [[ -f "$manifest" ]] || { echo "no artifact manifest at $manifest" >&2; exit 1; }
    return
  fi
  node "$root/infra/scripts/artifact-manifest.mjs" --dist "$root/dist" --out "$manifest"
  # A record of what each planned commit deploys (the manifest stays in the plan artifact too).
  if [[ -n "${COMMIT_ID:-}" && -n "${DOFS_ARTIFACTS_BUCKET:-}" ]]; then
    aws s3 cp --only-show-errors --content-type application/json "$manifest" "s3://$DOFS_ARTIFACTS_BUCKET/manifests/$COMMIT_ID.json"
  fi
}

tf_plan() {
  tf_manifest
  tf_init
  terraform -chdir="$dir" validate
  # Mocked-provider tests (tests/*.tftest.hcl): validations and wiring, no AWS calls.
  if compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then terraform -chdir="$dir" test; fi
  mkdir -p "$plan_dir"
  # The artifact set of the commit being deployed; the saved plan carries it to apply.
  terraform -chdir="$dir" plan -input=false -var-file="$manifest" -out="$plan_file"
  terraform -chdir="$dir" show -no-color "$plan_file" > "$plan_file.txt"
  if [[ "$plan_dir" != "$dir" ]]; then cp "$dir/.terraform.lock.hcl" "$plan_dir/"; fi
  echo "saved plan: $plan_file"
}

tf_apply() {
  [[ -f "$plan_file" ]] || { echo "no saved plan at $plan_file: run 'terraform.sh plan' first" >&2; exit 1; }
  # The plan was made with the committed lock file; apply refuses any other.
  if [[ "$plan_dir" != "$dir" && -f "$plan_dir/.terraform.lock.hcl" ]] && ! cmp -s "$plan_dir/.terraform.lock.hcl" "$dir/.terraform.lock.hcl"; then
    echo "the plan was made with another provider lock file than the commit's" >&2
    exit 1
  fi
  tf_init
  terraform -chdir="$dir" apply -input=false "$plan_file"
  write_outputs
}

# outputs.json without the values of sensitive outputs (the machine client's secret stays in the
# state: `terraform output -raw machine_client_secret`).
write_outputs() {
  terraform -chdir="$dir" output -json | node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
      const outputs = JSON.parse(text);
      for (const [name, output] of Object.entries(outputs)) if (output.sensitive) outputs[name] = { ...output, value: null };
      process.stdout.write(JSON.stringify(outputs, null, 2) + "\n");
    });' > "$dir/outputs.json"
}

tf_outputs() {
  tf_init
  write_outputs
}

case "${1:-}" in
  plan) tf_plan ;;
  apply) tf_apply ;;
  deploy) tf_plan && tf_apply ;;
  outputs) tf_outputs ;;
  *) echo "usage: $0 plan|apply|deploy|outputs" >&2; exit 2 ;;
esac
