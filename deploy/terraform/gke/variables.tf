variable "project_id" {
  description = "The GCP project that holds the cluster, its buckets and its registry."
  type        = string
}

variable "region" {
  description = "The region of the cluster, the buckets and the registry."
  type        = string
  default     = "europe-west1"
}

variable "cluster_name" {
  description = "The GKE cluster's name."
  type        = string
  default     = "vigie"
}

variable "machine_type" {
  description = "Machine type of the general node pool (operator, console, CPU detectors)."
  type        = string
  default     = "e2-standard-4"
}

variable "max_nodes_per_zone" {
  description = "The general pool autoscales up to this many nodes in each zone."
  type        = number
  default     = 5
}

variable "gpu_max_nodes_per_zone" {
  description = "Nodes of the optional GPU pool per zone, for clients whose detection asks for GPUs; 0 makes no GPU pool."
  type        = number
  default     = 0
}

variable "gpu_machine_type" {
  description = "Machine type of the GPU pool."
  type        = string
  default     = "g2-standard-8"
}

variable "gpu_type" {
  description = "The GPU attached to each GPU node."
  type        = string
  default     = "nvidia-l4"
}

variable "evidence_bucket_name" {
  description = "The bucket that keeps alert snapshots and clips."
  type        = string
}

variable "evidence_retention_days" {
  description = "Evidence older than this is deleted by the bucket's lifecycle rule."
  type        = number
  default     = 90
}

variable "config_bucket_name" {
  description = "The config bucket (made by the config function's module), whose reports the console reads."
  type        = string
}

variable "domain" {
  description = "The console's host name, such as vigie.example.com; its DNS A record must point at the ingress address."
  type        = string
}

variable "iap_members" {
  description = "Who may open the console through IAP, such as group:security@example.com."
  type        = list(string)
  default     = []
}
