variable "project_id" {
  description = "The GCP project that holds the bucket, the function and the cluster."
  type        = string
}

variable "region" {
  description = "The region of the bucket, the function and its triggers."
  type        = string
  default     = "europe-west1"
}

variable "bucket_name" {
  description = "The bucket that receives client configs under client-configs/."
  type        = string
}

variable "function_bundle_dir" {
  description = "The folder written by `npm run bundle:function` (index.mjs and package.json)."
  type        = string
  default     = "../../../.tmp/config-function"
}

variable "cluster_endpoint" {
  description = "The GKE control plane endpoint the function applies Client resources to."
  type        = string
}

variable "cluster_ca_certificate" {
  description = "The cluster CA certificate, base64-encoded PEM, as GKE reports it."
  type        = string
}

variable "max_event_age_seconds" {
  description = "Events older than this are dropped with a log line."
  type        = number
  default     = 3600
}
