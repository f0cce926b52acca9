terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # No backend: bootstrap creates the state bucket, so its own (small) state stays local in
  # infra/bootstrap/terraform.tfstate. Keep that file safe (e.g. copy it into the bucket), or
  # re-import the bucket with `terraform import` if it is lost. See infra/README.md.
}
