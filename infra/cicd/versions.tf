terraform {
  required_version = ">= 1.10, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
  }

  # Same state bucket as the environments, its own key:
  #   terraform init -backend-config="bucket=<state bucket from infra/bootstrap>"
  backend "s3" {
    key          = "dofs/cicd/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
