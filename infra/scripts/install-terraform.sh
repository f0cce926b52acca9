#!/usr/bin/env bash
# Installs the Terraform version pinned in infra/.terraform-version (or $TERRAFORM_VERSION)
# into $INSTALL_DIR (default /usr/local/bin), after checking the release's SHA-256 sum.
# Used by buildspec.yml and the pipeline's plan/apply buildspecs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="${TERRAFORM_VERSION:-$(tr -d '[:space:]' < "$root/infra/.terraform-version")}"
install_dir="${INSTALL_DIR:-/usr/local/bin}"

if command -v terraform >/dev/null 2>&1 && terraform version | head -n1 | grep -qx "Terraform v${version}"; then
  echo "terraform ${version} already installed"
  exit 0
fi

case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

base="https://releases.hashicorp.com/terraform/${version}"
zip="terraform_${version}_linux_${arch}.zip"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

curl -fsSL --retry 3 -o "$tmp/$zip" "$base/$zip"
curl -fsSL --retry 3 -o "$tmp/SHA256SUMS" "$base/terraform_${version}_SHA256SUMS"
(cd "$tmp" && grep " ${zip}\$" SHA256SUMS | sha256sum -c -)

mkdir -p "$install_dir"
unzip -o -q "$tmp/$zip" terraform -d "$install_dir"
"$install_dir/terraform" version
