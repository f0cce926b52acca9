output "user_pool_id" {
  description = "ID of the user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "issuer" {
  description = "Issuer of the pool's tokens (their iss claim), the JWT authorizer's issuer: https://cognito-idp.<region>.amazonaws.com/<pool id>."
  value       = "https://cognito-idp.${var.region}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}

output "token_endpoint" {
  description = "OAuth 2.0 token endpoint of the pool's domain (client credentials: POST with the machine client's id and secret)."
  value       = "https://${aws_cognito_user_pool_domain.this.domain}.auth.${var.region}.amazoncognito.com/oauth2/token"
}

output "scopes" {
  description = "Every scope the resource server defines, e.g. orders/write."
  value       = [for name in keys(local.scopes) : local.scope[name]]
}

output "machine_client_id" {
  description = "App client id of trusted backends (client credentials)."
  value       = aws_cognito_user_pool_client.machine.id
}

output "machine_client_secret" {
  description = "Secret of the machine client (kept in the Terraform state)."
  value       = aws_cognito_user_pool_client.machine.client_secret
  sensitive   = true
}

output "customer_client_id" {
  description = "App client id of customer-facing apps (authorization code, no secret)."
  value       = aws_cognito_user_pool_client.customer.id
}

output "client_ids" {
  description = "Both app client ids: the JWT authorizer's audience (Cognito access tokens carry client_id, no aud)."
  value       = [aws_cognito_user_pool_client.machine.id, aws_cognito_user_pool_client.customer.id]
}
