output "config_bucket" {
  description = "Upload client configs to gs://BUCKET/client-configs/<client>.xml."
  value       = module.config_function.bucket
}

output "function_service_account" {
  description = "The subject to bind in deploy/rbac/config-function.yaml."
  value       = module.config_function.function_service_account
}

output "evidence_bucket" {
  description = "VIGIE_EVIDENCE_BUCKET for the console."
  value       = module.gke.evidence_bucket
}

output "registry" {
  description = "Where to push Vigie's images."
  value       = module.gke.registry
}

output "console_address" {
  description = "Point the console's DNS A record here."
  value       = module.gke.console_address
}
