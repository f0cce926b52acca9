################################################################################
# X-Ray sampling: the one rule for this environment's requests
################################################################################

# Without a rule X-Ray samples the first request each second and 5 % of the rest: at dev's volume
# that is every request, about 10 USD per million orders (npm run cost). One in a hundred is enough
# to see where an order spends its time; raise xray_reservoir_per_second while debugging.
resource "aws_xray_sampling_rule" "orders" {
  rule_name      = "${local.name_prefix}-orders"
  priority       = 1000
  version        = 1
  reservoir_size = var.xray_reservoir_per_second
  fixed_rate     = var.xray_sampling_rate

  # This environment's services only (API Gateway stages are named "<api>/<stage>").
  service_name = "${local.name_prefix}-*"
  service_type = "*"
  host         = "*"
  http_method  = "*"
  url_path     = "*"
  resource_arn = "*"

  tags = var.tags
}
