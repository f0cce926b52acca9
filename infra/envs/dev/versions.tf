terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # Partial configuration: the bucket name carries the account id, so it is passed at init:
  #   terraform init -backend-config="bucket=<state bucket from infra/bootstrap>"
  # use_lockfile keeps the state lock as an S3 object next to the state (no DynamoDB table).
  backend "s3" {
    key          = "dofs/dev/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
