data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # Environment resources are named <project>-<environment>-*; the pipeline's own roles use
  # <project>-cicd-<environment>-* so the Terraform deployer (limited to the former) can never
  # change the roles it runs as.
  name      = "${var.project}-${var.environment}"
  cicd_name = "${var.project}-cicd-${var.environment}"

  # Where the environment keeps its state: the key in infra/envs/<environment>/versions.tf.
  state_key = "${var.project}/${var.environment}/terraform.tfstate"

  # Artifact manifests, one per planned commit, in the Lambda artifacts bucket (written by infra:deploy:plan).
  manifest_prefix = "manifests/"

  codebuild_projects = {
    build = {
      description  = "Build & Test: lint, typecheck, test and build the affected projects (publishes nothing)"
      buildspec    = "buildspec.yml"
      compute_type = var.build_compute_type
      timeout      = 30
    }
    plan = {
      description  = "nx affected -t deploy -c plan: package and publish the affected apps, write the commit's artifact manifest, terraform plan -out for infra/envs/${var.environment}"
      buildspec    = "infra/cicd/buildspecs/plan.yml"
      compute_type = "BUILD_GENERAL1_SMALL"
      timeout      = 30
    }
    apply = {
      description  = "nx affected -t deploy -c apply: terraform apply of exactly the saved plan"
      buildspec    = "infra/cicd/buildspecs/apply.yml"
      compute_type = "BUILD_GENERAL1_SMALL"
      timeout      = 30
    }
    smoke = {
      description  = "POST /order then GET /orders/{id} until terminal; records the deployed commit"
      buildspec    = "infra/cicd/buildspecs/smoke.yml"
      compute_type = "BUILD_GENERAL1_SMALL"
      timeout      = 15
    }
  }

  codebuild_environment = {
    DOFS_PROJECT                 = var.project
    DOFS_ENV                     = var.environment
    DOFS_ARTIFACTS_BUCKET        = module.lambda_artifacts.bucket_id
    LAST_DEPLOYED_SHA_PARAMETER  = aws_ssm_parameter.last_deployed_sha.name
    TF_STATE_BUCKET              = var.state_bucket_name
    TF_STATE_REGION              = var.region
    TF_STATE_KEY                 = local.state_key
    TF_VAR_region                = var.region
    TF_VAR_project               = var.project
    TF_VAR_environment           = var.environment
    SMOKE_TIMEOUT_SECONDS        = tostring(var.smoke_test_timeout_seconds)
    TF_VAR_alarm_email_addresses = jsonencode(var.alarm_email_addresses)
    NX_DAEMON                    = "false"
    NX_NO_CLOUD                  = "true"
  }
}

################################################################################
# GitHub connection: created PENDING; a person completes the handshake in the console
################################################################################

resource "aws_codeconnections_connection" "github" {
  name          = "${local.name}-github"
  provider_type = "GitHub"
}

################################################################################
# Buckets
################################################################################

# CodePipeline's artifact store: source references and saved plans. Short-lived.
module "pipeline_artifacts" {
  source = "../modules/s3-bucket"

  bucket                             = "${local.name}-pipeline-${local.account_id}-${var.region}"
  expiration_days                    = var.pipeline_artifact_retention_days
  noncurrent_version_expiration_days = 7
  force_destroy                      = true
}

# Lambda deployment packages under content-addressed keys (<app>/<sha256>.zip). Functions
# reference them by key, so current objects never expire.
module "lambda_artifacts" {
  source = "../modules/s3-bucket"

  bucket                             = "${local.name}-lambda-artifacts-${local.account_id}-${var.region}"
  expiration_days                    = null
  noncurrent_version_expiration_days = 30
  force_destroy                      = false
}

################################################################################
# The last successfully deployed commit: the base of `nx affected` in the next run.
# Written by the smoke-test stage only after the deployment it tested succeeded.
################################################################################

resource "aws_ssm_parameter" "last_deployed_sha" {
  name        = "/${var.project}/${var.environment}/last-deployed-sha"
  description = "Commit last deployed to ${var.environment} and smoke-tested; 'none' until the first deployment"
  type        = "String"
  value       = "none"

  lifecycle {
    # The pipeline owns the value after creation.
    ignore_changes = [value]
  }
}

################################################################################
# CodeBuild projects
################################################################################

resource "aws_cloudwatch_log_group" "codebuild" {
  for_each = local.codebuild_projects

  name              = "/aws/codebuild/${local.name}-${each.key}"
  retention_in_days = var.log_retention_in_days
}

resource "aws_codebuild_project" "this" {
  for_each = local.codebuild_projects

  name          = "${local.name}-${each.key}"
  description   = each.value.description
  service_role  = aws_iam_role.codebuild[each.key].arn
  build_timeout = each.value.timeout

  source {
    type      = "CODEPIPELINE"
    buildspec = each.value.buildspec
  }

  artifacts {
    type = "CODEPIPELINE"
  }

  # Keeps ~/.npm between builds on the same host (buildspec `cache.paths`).
  cache {
    type  = "LOCAL"
    modes = ["LOCAL_CUSTOM_CACHE"]
  }

  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = each.value.compute_type
    image                       = var.codebuild_image
    image_pull_credentials_type = "CODEBUILD"

    dynamic "environment_variable" {
      for_each = local.codebuild_environment

      content {
        name  = environment_variable.key
        value = environment_variable.value
        type  = "PLAINTEXT"
      }
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name = aws_cloudwatch_log_group.codebuild[each.key].name
    }
  }
}

################################################################################
# Pipeline: Source -> Build & Test -> Plan -> [Approve] -> Apply -> Smoke test
################################################################################

# CodePipeline starts a run as soon as a pipeline is created, and confirming a connection starts
# none: created while the connection is PENDING, that run fails at Source and nothing follows.
# So the pipeline is created by a second apply, once the connection is confirmed (infra/README.md).
resource "aws_codepipeline" "this" {
  count = var.create_pipeline ? 1 : 0

  name           = "${local.name}-delivery"
  role_arn       = aws_iam_role.pipeline.arn
  pipeline_type  = "V2"
  execution_mode = "QUEUED" # one execution at a time: a saved plan is applied to the state it was made from

  artifact_store {
    location = module.pipeline_artifacts.bucket_id
    type     = "S3"
  }

  trigger {
    provider_type = "CodeStarSourceConnection"

    git_configuration {
      source_action_name = "Source"

      push {
        branches {
          includes = [var.branch]
        }
      }
    }
  }

  stage {
    name = "Source"

    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      namespace        = "SourceVariables"
      output_artifacts = ["source"]

      configuration = {
        ConnectionArn    = aws_codeconnections_connection.github.arn
        FullRepositoryId = var.github_repository
        BranchName       = var.branch
        # No DetectChanges: with a trigger configured AWS ignores it; the trigger starts runs.
        # A git clone rather than a zip: `nx affected` needs the history back to the last deployed commit.
        OutputArtifactFormat = "CODEBUILD_CLONE_REF"
      }
    }
  }

  # Runs every dependency's install step and all tests; its role can publish nothing.
  stage {
    name = "BuildAndTest"

    action {
      name            = "BuildAndTest"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["source"]

      configuration = {
        ProjectName = aws_codebuild_project.this["build"].name
        EnvironmentVariables = jsonencode([
          { name = "COMMIT_ID", value = "#{SourceVariables.CommitId}", type = "PLAINTEXT" },
        ])
      }
    }
  }

  # `nx affected -t deploy -c plan`: packages and publishes the affected apps, writes the commit's
  # manifest and saves the plan (the stage's artifact). Exports the base it compared against, so
  # that Apply runs the same set of tasks.
  stage {
    name = "Plan"

    action {
      name             = "Plan"
      category         = "Build"
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
      namespace        = "PlanVariables"
      input_artifacts  = ["source"]
      output_artifacts = ["plan"]

      configuration = {
        ProjectName = aws_codebuild_project.this["plan"].name
        EnvironmentVariables = jsonencode([
          { name = "COMMIT_ID", value = "#{SourceVariables.CommitId}", type = "PLAINTEXT" },
        ])
      }
    }
  }

  dynamic "stage" {
    for_each = var.require_manual_approval ? [1] : []

    content {
      name = "Approve"

      action {
        name     = "ApprovePlan"
        category = "Approval"
        owner    = "AWS"
        provider = "Manual"
        version  = "1"

        configuration = {
          CustomData = "Review the Plan stage's log (terraform show of the saved plan) for commit #{SourceVariables.CommitId}; Apply applies exactly that plan."
        }
      }
    }
  }

  stage {
    name = "Apply"

    action {
      name            = "Apply"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      namespace       = "ApplyVariables"
      input_artifacts = ["source", "plan"]

      configuration = {
        ProjectName   = aws_codebuild_project.this["apply"].name
        PrimarySource = "source"
        EnvironmentVariables = jsonencode([
          { name = "COMMIT_ID", value = "#{SourceVariables.CommitId}", type = "PLAINTEXT" },
          { name = "NX_BASE", value = "#{PlanVariables.NX_BASE}", type = "PLAINTEXT" },
        ])
      }
    }
  }

  stage {
    name = "SmokeTest"

    action {
      name            = "SmokeTest"
      category        = "Test"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["source"]

      configuration = {
        ProjectName = aws_codebuild_project.this["smoke"].name
        EnvironmentVariables = jsonencode([
          { name = "API_URL", value = "#{ApplyVariables.API_URL}", type = "PLAINTEXT" },
          { name = "USER_POOL_ID", value = "#{ApplyVariables.USER_POOL_ID}", type = "PLAINTEXT" },
          { name = "TOKEN_ENDPOINT", value = "#{ApplyVariables.TOKEN_ENDPOINT}", type = "PLAINTEXT" },
          { name = "MACHINE_CLIENT_ID", value = "#{ApplyVariables.MACHINE_CLIENT_ID}", type = "PLAINTEXT" },
          { name = "COMMIT_ID", value = "#{SourceVariables.CommitId}", type = "PLAINTEXT" },
        ])
      }
    }
  }

  lifecycle {
    precondition {
      condition     = aws_codeconnections_connection.github.connection_status == "AVAILABLE"
      error_message = "Confirm the GitHub connection first (AWS console: Developer Tools > Settings > Connections > Update pending connection), then apply again with create_pipeline = true."
    }
  }
}
