variable "project_id" {
  description = "The GCP project Vigie is installed in."
  type        = string
}

variable "region" {
  description = "The region of every regional resource."
  type        = string
  default     = "europe-west1"
}

variable "name_prefix" {
  description = "Prefix of the bucket names, which are global: such as acme-vigie."
  type        = string
}

variable "domain" {
  description = "The console's host name, such as vigie.example.com."
  type        = string
}

variable "iap_members" {
  description = "Who may open the console, such as group:security@example.com."
  type        = list(string)
  default     = []
}

variable "gpu_max_nodes_per_zone" {
  description = "Nodes of the optional GPU pool per zone; 0 makes no GPU pool."
  type        = number
  default     = 0
}

variable "function_bundle_dir" {
  description = "The folder written by `npm run bundle:function`."
  type        = string
  default     = "../../../.tmp/config-function"
}
