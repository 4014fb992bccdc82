# The GKE cluster Vigie runs on, and what its components need from Google Cloud. No key file
# exists anywhere: workloads get identities through Workload Identity Federation for GKE, and
# are granted by their Kubernetes service account (principal://…/subject/ns/NS/sa/NAME).

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  workload_pool = "${var.project_id}.svc.id.goog"
  # The principal of a Kubernetes service account, for IAM grants.
  ksa = "principal://iam.googleapis.com/projects/${data.google_project.this.number}/locations/global/workloadIdentityPools/${local.workload_pool}/subject"
}

resource "google_project_service" "apis" {
  for_each = toset([
    "container.googleapis.com",
    "artifactregistry.googleapis.com",
    "certificatemanager.googleapis.com",
    "iap.googleapis.com",
    "compute.googleapis.com",
  ])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# The nodes' own identity: logs, metrics and image pulls, nothing else.
resource "google_service_account" "nodes" {
  project      = var.project_id
  account_id   = "vigie-gke-nodes"
  display_name = "Vigie GKE nodes"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_container_cluster" "vigie" {
  project  = var.project_id
  name     = var.cluster_name
  location = var.region

  # Node pools are managed below.
  remove_default_node_pool = true
  initial_node_count       = 1

  release_channel {
    channel = "REGULAR"
  }
  workload_identity_config {
    workload_pool = local.workload_pool
  }
  # Dataplane V2 enforces the NetworkPolicies the operator makes for each tenant.
  datapath_provider = "ADVANCED_DATAPATH"
  gateway_api_config {
    channel = "CHANNEL_STANDARD"
  }
  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS"]
    managed_prometheus {
      enabled = true
    }
  }
  deletion_protection = true

  depends_on = [google_project_service.apis]
}

resource "google_container_node_pool" "general" {
  project  = var.project_id
  name     = "general"
  location = var.region
  cluster  = google_container_cluster.vigie.name

  autoscaling {
    min_node_count = 1
    max_node_count = var.max_nodes_per_zone
  }
  node_config {
    machine_type    = var.machine_type
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
    shielded_instance_config {
      enable_secure_boot = true
    }
  }
}

# Optional: GPU nodes for clients that ask for GPUs; tainted, so that only pods that tolerate
# nvidia.com/gpu (the detectors of those clients) land there.
resource "google_container_node_pool" "gpu" {
  count    = var.gpu_max_nodes_per_zone > 0 ? 1 : 0
  project  = var.project_id
  name     = "gpu"
  location = var.region
  cluster  = google_container_cluster.vigie.name

  autoscaling {
    min_node_count = 0
    max_node_count = var.gpu_max_nodes_per_zone
  }
  node_config {
    machine_type    = var.gpu_machine_type
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    guest_accelerator {
      type  = var.gpu_type
      count = 1
      gpu_driver_installation_config {
        gpu_driver_version = "LATEST"
      }
    }
    taint {
      key    = "nvidia.com/gpu"
      value  = "present"
      effect = "NO_SCHEDULE"
    }
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
    shielded_instance_config {
      enable_secure_boot = true
    }
  }
}

resource "google_artifact_registry_repository" "vigie" {
  project       = var.project_id
  location      = var.region
  repository_id = "vigie"
  format        = "DOCKER"
  description   = "Vigie's images: operator, console, detector."

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket" "evidence" {
  project                     = var.project_id
  name                        = var.evidence_bucket_name
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  lifecycle_rule {
    condition {
      age = var.evidence_retention_days
    }
    action {
      type = "Delete"
    }
  }
}

# The console (vigie-system/vigie-console) keeps evidence and reads config reports.
resource "google_storage_bucket_iam_member" "console_evidence" {
  bucket = google_storage_bucket.evidence.name
  role   = "roles/storage.objectUser"
  member = "${local.ksa}/ns/vigie-system/sa/vigie-console"
}

resource "google_storage_bucket_iam_member" "console_reports" {
  bucket = var.config_bucket_name
  role   = "roles/storage.objectViewer"
  member = "${local.ksa}/ns/vigie-system/sa/vigie-console"
}

# The console's address and its Google-managed certificate (Certificate Manager map "vigie",
# which the Gateway in deploy/gke names).
resource "google_compute_global_address" "console" {
  project = var.project_id
  name    = "vigie"

  depends_on = [google_project_service.apis]
}

resource "google_certificate_manager_certificate" "console" {
  project = var.project_id
  name    = "vigie-console"
  managed {
    domains = [var.domain]
  }

  depends_on = [google_project_service.apis]
}

resource "google_certificate_manager_certificate_map" "vigie" {
  project = var.project_id
  name    = "vigie"
}

resource "google_certificate_manager_certificate_map_entry" "console" {
  project      = var.project_id
  name         = "vigie-console"
  map          = google_certificate_manager_certificate_map.vigie.name
  hostname     = var.domain
  certificates = [google_certificate_manager_certificate.console.id]
}

# Who may reach the console through IAP.
resource "google_iap_web_iam_member" "console" {
  for_each = toset(var.iap_members)
  project  = var.project_id
  role     = "roles/iap.httpsResourceAccessor"
  member   = each.value
}
