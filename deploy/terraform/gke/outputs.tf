output "cluster_endpoint" {
  description = "The control plane's endpoint."
  value       = google_container_cluster.vigie.endpoint
}

output "cluster_ca_certificate" {
  description = "The cluster CA certificate, base64-encoded PEM."
  value       = google_container_cluster.vigie.master_auth[0].cluster_ca_certificate
}

output "registry" {
  description = "Push Vigie's images here (docs/deploy/images.md)."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.vigie.repository_id}"
}

output "console_address" {
  description = "Point the console's DNS A record here."
  value       = google_compute_global_address.console.address
}

output "evidence_bucket" {
  description = "VIGIE_EVIDENCE_BUCKET for the console."
  value       = google_storage_bucket.evidence.name
}
