# The config function: client configs uploaded to gs://BUCKET/client-configs/ become Client
# resources in the cluster. No key file exists anywhere: the function runs as its own service
# account, which GKE maps to a Kubernetes user bound to the vigie-config-function ClusterRole
# (deploy/rbac/config-function.yaml).

data "google_storage_project_service_account" "gcs" {
  project = var.project_id
}

resource "google_project_service" "apis" {
  for_each = toset([
    "cloudfunctions.googleapis.com",
    "cloudbuild.googleapis.com",
    "run.googleapis.com",
    "eventarc.googleapis.com",
    "pubsub.googleapis.com",
    "artifactregistry.googleapis.com",
    "container.googleapis.com",
  ])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_storage_bucket" "configs" {
  project                     = var.project_id
  name                        = var.bucket_name
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  # No versioning: in a versioned bucket, deleting or overwriting a file sends "archived", not
  # "deleted", and the function keys removals on "deleted".
  versioning {
    enabled = false
  }
}

# The function's own identity.
resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = "vigie-config-function"
  display_name = "Vigie config function"
}

# The identity Eventarc uses to invoke the function.
resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = "vigie-config-trigger"
  display_name = "Vigie config function trigger"
}

# Read configs at their generation, write reports next to them, delete reports of removed files.
resource "google_storage_bucket_iam_member" "function_objects" {
  bucket = google_storage_bucket.configs.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.function.email}"
}

# container.clusters.get, to reach the control plane; what it may do there is Kubernetes RBAC.
resource "google_project_iam_member" "function_cluster" {
  project = var.project_id
  role    = "roles/container.clusterViewer"
  member  = "serviceAccount:${google_service_account.function.email}"
}

resource "google_project_iam_member" "trigger_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.trigger.email}"
}

# Cloud Storage publishes its events through Pub/Sub.
resource "google_project_iam_member" "gcs_publisher" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

resource "google_storage_bucket" "sources" {
  project                     = var.project_id
  name                        = "${var.bucket_name}-function-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
}

data "archive_file" "function" {
  type        = "zip"
  source_dir  = var.function_bundle_dir
  output_path = "${path.module}/.terraform/config-function.zip"
}

resource "google_storage_bucket_object" "function" {
  bucket = google_storage_bucket.sources.name
  name   = "config-function-${data.archive_file.function.output_sha256}.zip"
  source = data.archive_file.function.output_path
}

resource "google_cloudfunctions2_function" "process_client_config" {
  project  = var.project_id
  name     = "process-client-config"
  location = var.region

  build_config {
    runtime     = "nodejs22"
    entry_point = "process_client_config"
    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.function.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.function.email
    available_memory                 = "512Mi"
    timeout_seconds                  = 60
    max_instance_count               = 10
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"

    environment_variables = {
      VIGIE_CLUSTER_ENDPOINT      = var.cluster_endpoint
      VIGIE_CLUSTER_CA            = var.cluster_ca_certificate
      VIGIE_MAX_EVENT_AGE_SECONDS = tostring(var.max_event_age_seconds)
    }
  }

  # One trigger per event type: this one for new and overwritten files...
  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.storage.object.v1.finalized"
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email
    event_filters {
      attribute = "bucket"
      value     = google_storage_bucket.configs.name
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.gcs_publisher,
    google_project_iam_member.trigger_receiver,
  ]
}

# ...and this one for deleted files, delivered to the same function's service.
resource "google_eventarc_trigger" "deleted" {
  project         = var.project_id
  name            = "vigie-config-deleted"
  location        = var.region
  service_account = google_service_account.trigger.email

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.storage.object.v1.deleted"
  }
  matching_criteria {
    attribute = "bucket"
    value     = google_storage_bucket.configs.name
  }

  destination {
    cloud_run_service {
      # A 2nd-gen function's Cloud Run service has the function's name.
      service = google_cloudfunctions2_function.process_client_config.name
      region  = var.region
    }
  }

  depends_on = [google_project_iam_member.gcs_publisher]
}

resource "google_cloud_run_service_iam_member" "trigger_invoker" {
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.process_client_config.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.trigger.email}"
}
