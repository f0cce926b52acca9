################################################################################
# Who may call the API: an Amazon Cognito user pool as the OAuth 2.0 / OIDC issuer of the
# access tokens the HTTP API's JWT authorizer verifies (infra/README.md, "Who may call the API").
#
#   user pool        the issuer: https://cognito-idp.<region>.amazonaws.com/<pool id>
#   domain (prefix)  the hosted endpoints, among them /oauth2/token
#   resource server  `orders`, with the scopes orders/write, orders/read, orders/act-for-customers
#   machine client   trusted backends: client credentials, a secret, all three scopes
#   customer client  customer-facing apps: authorization code, no secret, write + read
#
# Both clients issue access tokens valid 60 minutes; a caller caches its token for that long,
# which is what the identity provider is priced on (tools/cost).
################################################################################

locals {
  scopes = {
    write               = "Place orders (POST /order)"
    read                = "Read orders (GET /orders/{order_id})"
    "act-for-customers" = "Act for any customer: name the customer in the body, read any order (trusted backends only)"
  }
  scope = { for name, _ in local.scopes : name => "${aws_cognito_resource_server.orders.identifier}/${name}" }
}

resource "aws_cognito_user_pool" "this" {
  name           = var.name
  user_pool_tier = var.user_pool_tier

  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  # No self sign-up: a customer's user is created by the shop (AdminCreateUser), so a token with
  # orders/write is never one anybody on the internet can mint for themselves.
  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  username_configuration {
    case_sensitive = false
  }

  tags = var.tags
}

resource "aws_cognito_user_pool_domain" "this" {
  # A prefix domain: https://<prefix>.auth.<region>.amazoncognito.com (the token endpoint lives there).
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_cognito_resource_server" "orders" {
  user_pool_id = aws_cognito_user_pool.this.id
  identifier   = var.resource_server_identifier
  name         = "${var.name}-orders-api"

  dynamic "scope" {
    for_each = local.scopes
    content {
      scope_name        = scope.key
      scope_description = scope.value
    }
  }
}

# Trusted backends (client credentials). Cognito bills this client by the month and its token
# requests one by one: a backend caches its token for the access token's lifetime.
resource "aws_cognito_user_pool_client" "machine" {
  name         = "${var.name}-backend"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret                      = true
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["client_credentials"]
  allowed_oauth_scopes                 = [for name in keys(local.scopes) : local.scope[name]]
  supported_identity_providers         = ["COGNITO"]
  # No user sign-in through this client: refresh tokens only (client credentials issue none).
  explicit_auth_flows           = ["ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors = "ENABLED"

  access_token_validity  = var.access_token_validity_minutes
  id_token_validity      = var.access_token_validity_minutes
  refresh_token_validity = 30
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}

# Customer-facing apps (a browser or mobile app signing a customer in): authorization code (the
# app sends a PKCE challenge), no secret (a public client cannot keep one), no orders/act-for-customers.
resource "aws_cognito_user_pool_client" "customer" {
  name         = "${var.name}-customer-app"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret                      = false
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = [local.scope["write"], local.scope["read"], "openid"]
  supported_identity_providers         = ["COGNITO"]
  callback_urls                        = var.customer_callback_urls
  logout_urls                          = var.customer_logout_urls
  explicit_auth_flows                  = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors        = "ENABLED"

  access_token_validity  = var.access_token_validity_minutes
  id_token_validity      = var.access_token_validity_minutes
  refresh_token_validity = 30
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}
