# All of Vigie's cloud resources, wired together: the GKE cluster with its node pools, registry,
# evidence bucket and console access (../gke), and the config bucket with the function and its
# triggers, which apply Client resources to that cluster (../config-function).

module "gke" {
  source = "../gke"

  project_id             = var.project_id
  region                 = var.region
  evidence_bucket_name   = "${var.name_prefix}-evidence"
  config_bucket_name     = module.config_function.bucket
  domain                 = var.domain
  iap_members            = var.iap_members
  gpu_max_nodes_per_zone = var.gpu_max_nodes_per_zone
}

module "config_function" {
  source = "../config-function"

  project_id             = var.project_id
  region                 = var.region
  bucket_name            = "${var.name_prefix}-configs"
  function_bundle_dir    = var.function_bundle_dir
  cluster_endpoint       = "https://${module.gke.cluster_endpoint}"
  cluster_ca_certificate = module.gke.cluster_ca_certificate
}
