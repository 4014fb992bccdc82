output "bucket" {
  description = "Upload client configs to gs://BUCKET/client-configs/<client>.xml."
  value       = google_storage_bucket.configs.name
}

output "function_service_account" {
  description = "Bind this user to the vigie-config-function ClusterRole (deploy/rbac/config-function.yaml)."
  value       = google_service_account.function.email
}
