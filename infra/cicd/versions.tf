terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # Same state bucket as the environments; one state per environment's pipeline, so the key is
  # given at init (a fixed key would let a second environment's pipeline overwrite the first's):
  #   terraform init -backend-config="bucket=<state bucket>" -backend-config="key=dofs/cicd/<environment>/terraform.tfstate"
  backend "s3" {
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
